"""Online applications: start from a procedure, save and resume the draft, attach papers
(bad files refused next to their paper, nothing else lost), send."""
# ruff: noqa: F811 - the fixtures imported from the dossiers and reception tests are
# parameters of the tests below.

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.shortcuts import resolve_url
from django.urls import reverse

from dossiers.models import Attachment, Dossier, Status
from dossiers.tests.conftest import (
    Office,
    office,  # noqa: F401 - the commune fixture
)
from portal.models import AuditEvent
from reception.tests.conftest import papers  # noqa: F401 - three papers, two required
from tests.factories import ProcedureFactory, UserFactory

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489")
JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffdb004300") + bytes(64)
TEXT = b"Day la mot tep van ban khong phai PDF\n" * 4


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


@pytest.fixture
def citizen(office: Office):
    applicant = office.applicant
    applicant.full_name = "Nguyễn Thị Lan"
    applicant.phone = "0912345678"
    applicant.citizen_id = "038190000123"
    applicant.save()
    return applicant


@pytest.fixture
def signed_in(client, citizen, settings):
    client.force_login(citizen)
    # The messages are asserted in English: Vietnamese is the translators' business.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def place_key(office: Office) -> str:
    return f"{office.point.pk}-{office.agency.pk}"


def details(**changes) -> dict:
    return {
        "applicant_name": "Nguyễn Thị Lan",
        "applicant_citizen_id": "038190000123",
        "applicant_phone": "0912345678",
        "applicant_email": "lan@example.org",
        "applicant_address": "12 Lê Lợi, phường Hạc Thành",
        "result_delivery": "counter",
        **changes,
    }


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def stored_files(root) -> list[str]:
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


def draft_of(office: Office, **fields) -> Dossier:
    return office.dossier(
        Status.DRAFT,
        applicant_citizen_id="038190000123",
        applicant_address="12 Lê Lợi, phường Hạc Thành",
        result_delivery="counter",
        **fields,
    )


def attach(dossier: Dossier, component_id: int, *, name: str = "to-khai.pdf") -> Attachment:
    from dossiers.services.attachments import attachment_add

    return attachment_add(
        dossier_id=dossier.pk,
        actor=dossier.applicant,
        component_id=component_id,
        upload=upload(name, PDF),
    )


# Starting ------------------------------------------------------------------------------


def test_applying_needs_an_account(client, office) -> None:
    response = client.get(reverse("citizen:apply", args=[office.procedure.code]))

    assert response.status_code == 302
    login = resolve_url("portal:login")
    assert response.url == f"{login}?next=/apply/{office.procedure.code}/"


def test_a_procedure_not_offered_online_cannot_be_applied_for(signed_in, office) -> None:
    offline = ProcedureFactory(code="1.000001", name="Chứng thực chữ ký", online_level="none")
    offline.agencies.add(office.agency)

    page = signed_in.get(reverse("citizen:apply", args=[offline.code]))
    sent = signed_in.post(
        reverse("citizen:apply", args=[offline.code]), {**details(), "action": "save"}
    )

    assert page.status_code == 404
    assert "This procedure cannot be filed online." in page.content.decode()
    assert sent.status_code == 404
    assert Dossier.objects.count() == 0


def test_an_unknown_procedure_is_not_found(signed_in) -> None:
    assert signed_in.get(reverse("citizen:apply", args=["9.999999"])).status_code == 404


def test_the_form_is_filled_in_from_the_account_and_offers_the_places(
    signed_in, office, papers
) -> None:
    response = signed_in.get(reverse("citizen:apply", args=[office.procedure.code]))

    assert response.status_code == 200
    form = response.context["form"]
    assert {name: form[name].value() for name in ("applicant_name", "applicant_phone")} == {
        "applicant_name": "Nguyễn Thị Lan",
        "applicant_phone": "0912345678",
    }
    # Both communes' centres receive it; ordered by the name of their commune.
    assert [key for key, _ in form.fields["place"].choices] == [
        "",
        place_key(office),
        f"{office.other_point.pk}-{office.other_agency.pk}",
    ]
    # Post: allowed by the procedure; online: only with an electronic result.
    assert [key for key, _ in form.fields["result_delivery"].choices] == ["counter", "postal"]
    assert [paper.component.pk for paper, _ in form.paper_rows()] == papers
    assert Dossier.objects.count() == 0  # looking writes nothing


def test_starting_keeps_the_details_and_the_files_in_a_draft(signed_in, office, papers) -> None:
    response = signed_in.post(
        reverse("citizen:apply", args=[office.procedure.code]),
        {
            **details(),
            "place": place_key(office),
            f"component_{papers[0]}": upload("to khai.pdf", PDF),
            "action": "save",
        },
    )

    dossier = Dossier.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("citizen:application", args=[dossier.pk])
    assert (dossier.status, dossier.channel, dossier.applicant_id) == (
        Status.DRAFT,
        "online",
        office.applicant.pk,
    )
    assert (dossier.reception_point_id, dossier.agency_id) == (office.point.pk, office.agency.pk)
    assert (dossier.applicant_citizen_id, dossier.applicant_address, dossier.result_delivery) == (
        "038190000123",
        "12 Lê Lợi, phường Hạc Thành",
        "counter",
    )
    attachment = dossier.attachments.get()
    assert (attachment.component_id, attachment.original_name, attachment.content_type) == (
        papers[0],
        "to khai.pdf",
        "application/pdf",
    )
    assert list(AuditEvent.objects.order_by("id").values_list("event", flat=True)) == [
        "dossiers.draft_started",
        "dossiers.attachment_added",
    ]


def test_without_a_place_nothing_is_created(signed_in, office, papers, private_media) -> None:
    response = signed_in.post(
        reverse("citizen:apply", args=[office.procedure.code]),
        {**details(), f"component_{papers[0]}": upload("a.pdf", PDF), "action": "save"},
    )

    assert response.status_code == 422
    assert response.context["form"].errors["place"] == ["Choose where you file."]
    assert (Dossier.objects.count(), Attachment.objects.count()) == (0, 0)
    assert stored_files(private_media) == []


# Saving and resuming ---------------------------------------------------------------------


def test_a_saved_draft_is_resumed_with_what_was_typed_and_attached(
    signed_in, office, papers
) -> None:
    dossier = draft_of(office)
    attach(dossier, papers[0], name="to-khai-cua-lan.pdf")
    url = reverse("citizen:application", args=[dossier.pk])

    saved = signed_in.post(url, {**details(applicant_phone="0987 654 321"), "action": "save"})
    page = signed_in.get(url)
    listing = signed_in.get(reverse("citizen:applications"))

    assert saved.status_code == 302
    dossier.refresh_from_db()
    assert (dossier.applicant_phone, dossier.status) == ("0987654321", Status.DRAFT)
    assert page.context["form"]["applicant_phone"].value() == "0987654321"
    html = page.content.decode()
    assert "to-khai-cua-lan.pdf" in html
    assert [d.pk for d in listing.context["drafts"]] == [dossier.pk]
    assert f'href="{url}"' in listing.content.decode()


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("giay.pdf", PDF, "application/pdf"),
        ("anh.png", PNG, "image/png"),
        ("anh.jpg", JPEG, "image/jpeg"),
    ],
)
def test_good_files_are_kept(signed_in, office, papers, name, content, content_type) -> None:
    dossier = draft_of(office)

    response = signed_in.post(
        reverse("citizen:application", args=[dossier.pk]),
        {**details(), f"component_{papers[1]}": upload(name, content), "action": "save"},
    )

    assert response.status_code == 302
    attachment = dossier.attachments.get()
    assert (attachment.component_id, attachment.content_type, attachment.size) == (
        papers[1],
        content_type,
        len(content),
    )
    assert attachment.copy_type == "certified_copy"  # the catalogue's copy type


BAD_FILES = [
    (
        "anh.pdf",
        PNG,
        "The file name ends in .pdf but the file is a PNG. Choose the right file or rename it.",
    ),
    ("ghi-chu.pdf", TEXT, "This kind of file is not accepted: send a PDF, JPEG or PNG file."),
    ("trong.pdf", b"", "The file is empty. Choose the scan or photo of the paper again."),
    (
        "lon.pdf",
        PDF + bytes(2048),
        "The file is larger than 1.0\xa0KB. Scan it at a lower resolution.",
    ),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD_FILES)
def test_a_bad_file_is_refused_next_to_its_paper_and_the_rest_is_kept(
    signed_in, office, papers, settings, private_media, name, content, message
) -> None:
    settings.ATTACHMENT_MAX_BYTES = 1024
    dossier = draft_of(office)

    response = signed_in.post(
        reverse("citizen:application", args=[dossier.pk]),
        {
            **details(applicant_address="34 Trần Phú"),
            f"component_{papers[0]}": upload(name, content),
            f"component_{papers[1]}": upload("can-cuoc.pdf", PDF),
            "action": "save",
        },
    )

    assert response.status_code == 422
    assert response.context["form"].errors == {f"component_{papers[0]}": [message]}
    html = response.content.decode()
    field = f"id_component_{papers[0]}"
    assert f'<p class="field-error" id="{field}-error">{message}</p>' in html
    assert f'aria-describedby="{field}-help {field}-error" aria-invalid="true"' in html
    dossier.refresh_from_db()
    assert dossier.applicant_address == "34 Trần Phú"  # the typed details are saved
    attachment = dossier.attachments.get()  # the good file is kept, the bad one not
    assert attachment.component_id == papers[1]
    assert stored_files(private_media) == [f"{attachment.pk}.pdf"]
    assert response.context["form"]["applicant_address"].value() == "34 Trần Phú"


def test_a_wrong_phone_is_reported_and_the_valid_details_are_saved(
    signed_in, office, papers
) -> None:
    dossier = draft_of(office)

    response = signed_in.post(
        reverse("citizen:application", args=[dossier.pk]),
        {**details(applicant_phone="12345", applicant_address="34 Trần Phú"), "action": "save"},
    )

    assert response.status_code == 422
    assert list(response.context["form"].errors) == ["applicant_phone"]
    assert response.context["form"]["applicant_phone"].value() == "12345"
    dossier.refresh_from_db()
    assert (dossier.applicant_phone, dossier.applicant_address) == ("0912345678", "34 Trần Phú")


def test_an_email_longer_than_the_column_is_refused_next_to_it(signed_in, office, papers) -> None:
    # Valid for Django's EmailField (up to 320 characters); the column holds 254.
    long_email = "a" * 64 + "@" + ".".join(["b" * 63] * 3) + "." + "c" * 39 + ".org"
    dossier = draft_of(office)

    response = signed_in.post(
        reverse("citizen:application", args=[dossier.pk]),
        {**details(applicant_email=long_email, applicant_address="34 Trần Phú"), "action": "save"},
    )

    assert len(long_email) == 300
    assert response.status_code == 422
    assert response.context["form"].errors == {
        "applicant_email": ["Ensure this value has at most 254 characters (it has 300)."]
    }
    assert 'maxlength="254"' in str(response.context["form"]["applicant_email"])
    dossier.refresh_from_db()
    assert (dossier.applicant_email, dossier.applicant_address) == (
        "lan@example.org",
        "34 Trần Phú",
    )


def test_a_new_file_replaces_the_one_before_and_a_file_can_be_removed(
    signed_in, office, papers, private_media, django_capture_on_commit_callbacks
) -> None:
    dossier = draft_of(office)
    first = attach(dossier, papers[0])
    url = reverse("citizen:application", args=[dossier.pk])

    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post(
            url, {**details(), f"component_{papers[0]}": upload("moi.png", PNG), "action": "save"}
        )
    second = dossier.attachments.get()
    with django_capture_on_commit_callbacks(execute=True):
        removed = signed_in.post(url, {**details(), "remove": str(second.pk)})

    assert (second.component_id, second.original_name) == (papers[0], "moi.png")
    assert not Attachment.objects.filter(pk=first.pk).exists()
    assert removed.status_code == 302
    assert dossier.attachments.count() == 0
    assert stored_files(private_media) == []
    removals = AuditEvent.objects.filter(event="dossiers.attachment_removed").order_by("id")
    assert [event.data["attachment"] for event in removals] == [str(first.pk), str(second.pk)]


# Sending -------------------------------------------------------------------------------


def test_sending_without_a_required_paper_is_refused_next_to_each(
    signed_in, office, papers
) -> None:
    dossier = draft_of(office)
    attach(dossier, papers[2])  # the optional one only
    before = (AuditEvent.objects.count(), dossier.version)

    response = signed_in.post(
        reverse("citizen:application", args=[dossier.pk]), {**details(), "action": "send"}
    )

    assert response.status_code == 422
    missing = "Attach this paper before you send the application."
    assert response.context["form"].errors == {
        f"component_{papers[0]}": [missing],
        f"component_{papers[1]}": [missing],
    }
    dossier.refresh_from_db()
    assert (dossier.status, dossier.submitted_at) == (Status.DRAFT, None)
    assert (AuditEvent.objects.count(), dossier.version) == before


def test_sending_needs_the_applicants_details(signed_in, office, papers) -> None:
    dossier = draft_of(office)
    for component_id in papers[:2]:
        attach(dossier, component_id)

    response = signed_in.post(
        reverse("citizen:application", args=[dossier.pk]),
        {**details(applicant_citizen_id="", applicant_address=""), "action": "send"},
    )

    assert response.status_code == 422
    required = ["Required to send the application."]
    assert response.context["form"].errors == {
        "applicant_citizen_id": required,
        "applicant_address": required,
    }
    dossier.refresh_from_db()
    assert dossier.status == Status.DRAFT


def test_a_complete_application_is_sent(signed_in, office, papers) -> None:
    dossier = draft_of(office)
    for component_id in papers[:2]:
        attach(dossier, component_id)

    response = signed_in.post(
        reverse("citizen:application", args=[dossier.pk]), {**details(), "action": "send"}
    )

    assert response.status_code == 302
    assert response.url == reverse("citizen:application", args=[dossier.pk])
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED
    assert dossier.submitted_at is not None
    assert dossier.version == 2
    event = AuditEvent.objects.get(event="dossiers.submitted")
    assert (event.actor_id, event.data) == (
        office.applicant.pk,
        {"from": "draft", "to": "submitted"},
    )
    page = signed_in.get(response.url)
    assert page.status_code == 200
    assert page.templates[0].name == "citizen/applications/sent.html"
    assert dossier.reference in page.content.decode()


def test_post_delivery_needs_an_address_and_online_needs_an_electronic_result(
    signed_in, office, papers
) -> None:
    dossier = draft_of(office)
    for component_id in papers[:2]:
        attach(dossier, component_id)
    url = reverse("citizen:application", args=[dossier.pk])

    by_post = signed_in.post(url, {**details(result_delivery="postal"), "action": "send"})
    online = signed_in.post(url, {**details(result_delivery="online"), "action": "save"})

    assert by_post.context["form"].errors == {
        "delivery_address": ["Give the address to send the result to."]
    }
    assert list(online.context["form"].errors) == ["result_delivery"]
    dossier.refresh_from_db()
    assert (dossier.status, dossier.result_delivery) == (Status.DRAFT, "postal")


def test_a_sent_application_no_longer_changes(signed_in, office, papers) -> None:
    dossier = office.dossier(Status.SUBMITTED)
    before = (dossier.applicant_name, dossier.version, AuditEvent.objects.count())

    response = signed_in.post(
        reverse("citizen:application", args=[dossier.pk]),
        {**details(applicant_name="Người khác"), "action": "save"},
    )

    assert response.status_code == 409
    dossier.refresh_from_db()
    assert (dossier.applicant_name, dossier.version, AuditEvent.objects.count()) == before


# Nobody else ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["other_citizen", "reception", "leader"])
def test_nobody_else_sees_or_changes_a_draft(client, office, papers, who) -> None:
    dossier = draft_of(office)
    attachment = attach(dossier, papers[0])
    user = UserFactory(username="hangxom") if who == "other_citizen" else getattr(office, who)
    client.force_login(user)
    url = reverse("citizen:application", args=[dossier.pk])
    before = (dossier.applicant_name, dossier.version, AuditEvent.objects.count())

    page = client.get(url)
    saved = client.post(url, {**details(applicant_name="Kẻ gian"), "action": "send"})
    removed = client.post(url, {"remove": str(attachment.pk)})
    listing = client.get(reverse("citizen:applications"))

    assert (page.status_code, saved.status_code, removed.status_code) == (404, 404, 404)
    assert list(listing.context["drafts"]) == []
    dossier.refresh_from_db()
    assert (dossier.applicant_name, dossier.version, AuditEvent.objects.count()) == before
    assert dossier.status == Status.DRAFT
    assert Attachment.objects.filter(pk=attachment.pk).exists()


def test_draft_page_markup_links_every_error_to_its_field(signed_in, office, papers) -> None:
    dossier = draft_of(office)

    response = signed_in.post(
        reverse("citizen:application", args=[dossier.pk]),
        {**details(applicant_citizen_id="123"), "action": "save"},
    )

    html = response.content.decode()
    assert 'href="#id_applicant_citizen_id"' in html
    assert 'aria-describedby="id_applicant_citizen_id-help id_applicant_citizen_id-error"' in html
    assert html.count("<h1") == 1
