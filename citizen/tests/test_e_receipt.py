"""Issue #15: an online filer gets form 01 with a lookup secret from "My dossiers", and the
"received" mail links there."""

import pytest
from django.test import Client
from django.urls import reverse

from dossiers import codes
from dossiers.models import Channel, Dossier, Notification, Status
from dossiers.services import dossier_receive
from dossiers.tests.conftest import office  # noqa: F401 - the commune and its officers
from portal.models import AuditEvent
from reception.tests.test_documents import words
from tests.factories import UserFactory


@pytest.fixture
def online(office):  # noqa: F811
    dossier = office.dossier(
        Status.SUBMITTED,
        channel=Channel.ONLINE,
        applicant=office.applicant,
        applicant_email="congdan@example.org",
    )
    reception = dossier_receive(dossier_id=dossier.pk, officer=office.reception)
    return Dossier.objects.get(pk=reception.dossier.pk), reception.lookup_secret


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_applicant_downloads_form_01_with_a_new_working_secret(office, online) -> None:  # noqa: F811
    dossier, first_secret = online

    response = signed_in(office.applicant).post(reverse("citizen:e-receipt", args=[dossier.pk]))

    text = words(response.content)
    secret = text.split("Mã tra cứu: ", 1)[1].split()[0]
    dossier.refresh_from_db()
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="giay-tiep-nhan-{dossier.code}.pdf"' in response["Content-Disposition"]
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert dossier.code in text
    assert codes.secret_matches(dossier, secret)
    assert not codes.secret_matches(dossier, first_secret)
    assert list(
        AuditEvent.objects.filter(event="dossiers.e_receipt_issued").values_list(
            "actor__username", flat=True
        )
    ) == ["congdan"]


def test_nobody_else_gets_it_and_a_counter_dossier_keeps_its_paper_secret(
    office,  # noqa: F811
    online,
) -> None:
    dossier, secret = online
    counter = office.dossier(Status.RECEIVED, channel=Channel.COUNTER, applicant=office.applicant)
    counter_hash = counter.lookup_secret_hash

    stranger = signed_in(UserFactory(username="nguoila"))
    refused = stranger.post(reverse("citizen:e-receipt", args=[dossier.pk]))
    at_counter = signed_in(office.applicant).post(reverse("citizen:e-receipt", args=[counter.pk]))

    assert (refused.status_code, at_counter.status_code) == (404, 404)
    dossier.refresh_from_db()
    counter.refresh_from_db()
    assert codes.secret_matches(dossier, secret)
    assert counter.lookup_secret_hash == counter_hash
    assert not AuditEvent.objects.filter(event="dossiers.e_receipt_issued").exists()


def test_the_received_mail_of_an_online_dossier_links_to_the_receipt(
    office,  # noqa: F811
    online,
    settings,
) -> None:
    dossier, _ = online

    body = Notification.objects.get(dossier=dossier, kind="received", medium="email").body

    assert f"{settings.PUBLIC_BASE_URL}/my/dossiers/{dossier.pk}/" in body
    assert "Giấy tiếp nhận" in body
    assert "in trên giấy tiếp nhận" not in body
