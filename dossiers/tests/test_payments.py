"""Paying the fees online: the simulated gateway end to end, and the callback that alone
marks a dossier paid (signed, fresh, for the right amount, once)."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from dossiers.errors import NoFeesDueError
from dossiers.models import Dossier, Payment, Status
from dossiers.payments import CallbackRejectedError, UnknownProviderError, get_provider
from dossiers.payments.services import payment_start
from dossiers.payments.simulated import SimulatedGateway, sign
from portal.models import AuditEvent
from procedures.models import Fee
from tests.factories import UserFactory

from .conftest import Office

FEE = 50_000


@pytest.fixture
def fee(office: Office) -> Fee:
    return Fee.objects.create(procedure=office.procedure, name="Lệ phí", amount=FEE)


@pytest.fixture
def sent(office: Office, fee: Fee) -> Dossier:
    return office.dossier(Status.SUBMITTED)


@pytest.fixture
def citizen(client: Client, office: Office, settings) -> Client:
    client.force_login(office.applicant)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def start(dossier: Dossier) -> Payment:
    return payment_start(
        dossier_id=dossier.pk,
        payer=dossier.applicant,
        return_url=lambda reference: f"http://testserver/payments/{reference}/",
    ).payment


def signed(payment: Payment, *, status: str = "paid", **changes: str) -> dict[str, str]:
    """A callback as the simulated bank writes it, with `changes` made after signing."""
    fields = SimulatedGateway().callback(payment, outcome=status)
    return {**fields, **changes}


def callback(client: Client, fields: dict[str, str]):
    return client.post(reverse("citizen:payment-callback", args=["simulated"]), fields)


def state(dossier: Dossier) -> tuple:
    """Everything a refused callback must leave as it was."""
    dossier.refresh_from_db()
    payments = list(dossier.payments.order_by("created_at").values_list("status", "transaction_id"))
    return (
        dossier.paid_online,
        dossier.fee_amount,
        dossier.version,
        payments,
        AuditEvent.objects.count(),
    )


# The journey through the simulated gateway ------------------------------------------------


def test_the_applicant_pays_through_the_simulated_gateway(citizen, sent) -> None:
    started = citizen.post(reverse("citizen:payment-start", args=[sent.pk]))
    payment = sent.payments.get()
    bank = citizen.get(started.url)
    back = citizen.post(started.url, {"outcome": "paid"})
    outcome = citizen.get(back.url)

    assert started.status_code == 302
    assert started.url == f"/payments/simulator/{payment.reference}/"
    assert bank.status_code == 200
    assert "This is a test bank inside the portal. No money moves." in bank.content.decode()
    assert "50,000 VND" in bank.content.decode()
    assert back.url == f"http://testserver/payments/{payment.reference}/"
    assert "The bank confirmed your payment of 50,000 VND" in outcome.content.decode()
    payment.refresh_from_db()
    sent.refresh_from_db()
    assert (payment.status, payment.amount, payment.transaction_id[:3]) == ("paid", FEE, "SIM")
    assert (sent.paid_online, sent.fee_amount, sent.status, sent.version) == (
        True,
        FEE,
        Status.SUBMITTED,
        1,
    )
    events = AuditEvent.objects.order_by("id")
    assert [event.event for event in events] == [
        "dossiers.payment_started",
        "dossiers.paid_online",
    ]
    assert events.last().data == {
        "payment": payment.reference,
        "amount": FEE,
        "transaction": payment.transaction_id,
        "provider": "simulated",
    }
    page = citizen.get(reverse("citizen:application", args=[sent.pk]))
    assert '<span class="status status-paid">Paid</span>' in page.content.decode()


def test_coming_back_without_the_banks_word_marks_nothing_paid(citizen, sent) -> None:
    payment = start(sent)

    page = citizen.get(reverse("citizen:payment-return", args=[payment.reference]))

    assert page.status_code == 200
    assert "The bank has not confirmed this payment yet." in page.content.decode()
    payment.refresh_from_db()
    sent.refresh_from_db()
    assert (payment.status, sent.paid_online) == ("pending", False)


@pytest.mark.parametrize(
    ("outcome", "title"),
    [("failed", "The payment did not go through"), ("cancelled", "Payment cancelled")],
)
def test_a_failed_payment_is_retried_with_a_new_attempt(citizen, sent, outcome, title) -> None:
    first = start(sent)
    back = citizen.post(
        reverse("citizen:payment-simulator", args=[first.reference]), {"outcome": outcome}
    )
    page = citizen.get(back.url)

    first.refresh_from_db()
    sent.refresh_from_db()
    assert (first.status, sent.paid_online) == (outcome, False)
    assert title in page.content.decode()
    assert "Try again" in page.content.decode()
    assert (
        AuditEvent.objects.filter(event="dossiers.payment_failed").get().data["status"] == outcome
    )

    again = citizen.post(reverse("citizen:payment-start", args=[sent.pk]))
    citizen.post(again.url, {"outcome": "paid"})

    sent.refresh_from_db()
    assert sent.paid_online is True
    assert list(sent.payments.order_by("created_at").values_list("status", flat=True)) == [
        outcome,
        "paid",
    ]


# The callback endpoint ------------------------------------------------------------------


def test_a_signed_callback_pays_and_its_replay_changes_nothing(client, sent) -> None:
    payment = start(sent)
    fields = signed(payment)

    first = callback(client, fields)
    after_first = state(sent)
    replay = callback(client, fields)

    assert (first.status_code, first.content) == (200, b"paid")
    assert after_first[:2] == (True, FEE)
    assert (replay.status_code, replay.content) == (200, b"already processed")
    assert state(sent) == after_first


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        ({"signature": "0" * 64}, b"rejected: bad signature"),
        ({"amount": "5000"}, b"rejected: bad signature"),  # altered after signing
        ({"status": "paid", "transaction_id": "SIMFORGED"}, b"rejected: bad signature"),
        ({"signature": ""}, b"rejected: bad signature"),
    ],
)
def test_a_callback_with_a_bad_signature_changes_nothing(client, sent, tamper, reason) -> None:
    payment = start(sent)
    before = state(sent)

    response = callback(client, signed(payment, **tamper))

    assert (response.status_code, response.content) == (400, reason)
    assert state(sent) == before


def test_a_callback_for_another_amount_changes_nothing(client, sent, settings) -> None:
    payment = start(sent)
    before = state(sent)
    fields = {
        "reference": payment.reference,
        "amount": "1000",
        "status": "paid",
        "transaction_id": "SIM0001",
        "timestamp": str(int(timezone.now().timestamp())),
    }
    fields["signature"] = sign(fields, secret=settings.PAYMENT_SIMULATOR_SECRET)

    response = callback(client, fields)

    assert (response.status_code, response.content) == (400, b"rejected: amount 1000 is not 50000")
    assert state(sent) == before


@pytest.mark.parametrize("age", [timedelta(minutes=6), -timedelta(minutes=6)])
def test_a_stale_callback_changes_nothing(client, sent, age) -> None:
    payment = start(sent)
    with time_machine.travel(timezone.now() - age):
        fields = signed(payment)
    before = state(sent)

    response = callback(client, fields)

    assert (response.status_code, response.content) == (400, b"rejected: stale callback")
    assert state(sent) == before


def test_a_callback_for_an_unknown_payment_is_refused(client, sent) -> None:
    payment = start(sent)
    payment.reference = "TT000000UNKNOWN"  # signed for a payment the portal never started
    before = state(sent)

    response = callback(client, signed(payment))

    assert (response.status_code, response.content) == (400, b"rejected: unknown payment reference")
    assert state(sent) == before


def test_a_second_success_for_a_paid_dossier_changes_nothing(client, sent) -> None:
    first = start(sent)
    # Two tabs: both attempts reach the bank before either comes back.
    second = Payment.objects.create(
        dossier=sent,
        reference="TT000000SECOND",
        provider="simulated",
        amount=FEE,
        payer=sent.applicant,
        return_url="http://testserver/",
    )
    callback(client, signed(first))
    before = state(sent)

    response = callback(client, signed(second))

    assert (response.status_code, response.content) == (200, b"already paid")
    assert state(sent) == before
    assert Payment.objects.filter(dossier=sent, status="paid").count() == 1


def test_a_callback_contradicting_an_earlier_one_is_refused(client, sent) -> None:
    payment = start(sent)
    callback(client, signed(payment, status="failed"))
    before = state(sent)

    response = callback(client, signed(payment, status="paid"))

    assert (response.status_code, response.content) == (409, b"rejected: payment already failed")
    assert state(sent) == before


def test_the_callback_takes_only_a_post_from_a_known_provider(client, sent) -> None:
    payment = start(sent)

    assert client.get(reverse("citizen:payment-callback", args=["simulated"])).status_code == 405
    assert callback_to(client, "vnpay", signed(payment)).status_code == 404


def callback_to(client: Client, provider: str, fields: dict[str, str]):
    return client.post(reverse("citizen:payment-callback", args=[provider]), fields)


def test_the_simulator_is_off_where_a_real_provider_is_used(citizen, sent, settings) -> None:
    payment = start(sent)
    settings.PAYMENT_PROVIDER = "bank"

    page = citizen.get(reverse("citizen:payment-simulator", args=[payment.reference]))
    called = callback(Client(), signed(payment))

    assert (page.status_code, called.status_code) == (404, 404)
    payment.refresh_from_db()
    assert payment.status == "pending"


# Who may pay, and when ------------------------------------------------------------------


def test_nobody_else_starts_or_sees_a_payment(client, office, sent) -> None:
    payment = start(sent)
    client.force_login(UserFactory(username="hangxom"))
    before = state(sent)

    assert client.post(reverse("citizen:payment-start", args=[sent.pk])).status_code == 404
    for name in ("citizen:payment-simulator", "citizen:payment-return"):
        assert client.get(reverse(name, args=[payment.reference])).status_code == 404
    forged = client.post(
        reverse("citizen:payment-simulator", args=[payment.reference]), {"outcome": "paid"}
    )
    assert forged.status_code == 404
    assert state(sent) == before


@pytest.mark.parametrize(
    ("status", "fields", "message"),
    [
        (
            Status.DRAFT,
            {},
            "Fees can be paid online once the dossier is sent and until it is processed.",
        ),
        (
            Status.COMPLETED,
            {"fee_amount": FEE},
            "Fees can be paid online once the dossier is sent and until it is processed.",
        ),
        (
            Status.SUBMITTED,
            {"paid_online": True},
            "The fees of this dossier are already paid online.",
        ),
        (
            Status.RECEIVED,
            {"fee_amount": FEE, "fee_collected": True},
            "The fees of this dossier were paid at the counter.",
        ),
    ],
)
def test_payment_is_refused_when_it_is_not_due(
    citizen, office, fee, status, fields, message
) -> None:
    dossier = office.dossier(status, **fields)
    before = state(dossier)

    response = citizen.post(reverse("citizen:payment-start", args=[dossier.pk]))

    assert response.status_code == 409
    assert message in response.content.decode()
    assert state(dossier) == before


def test_a_free_procedure_has_no_payment_step(citizen, office) -> None:
    dossier = office.dossier(Status.SUBMITTED)

    with (
        translation.override("en"),
        pytest.raises(NoFeesDueError, match=r"^This dossier has no fees to pay\.$"),
    ):
        start(dossier)
    page = citizen.get(reverse("citizen:application", args=[dossier.pk]))

    assert "This procedure is free of charge: there is nothing to pay." in page.content.decode()
    assert reverse("citizen:payment-start", args=[dossier.pk]) not in page.content.decode()
    assert dossier.payments.count() == 0


def test_a_received_dossier_pays_the_fees_fixed_at_reception(office, fee) -> None:
    dossier = office.dossier(Status.RECEIVED, fee_amount=30_000)

    assert start(dossier).amount == 30_000


def test_providers_are_found_by_name() -> None:
    assert isinstance(get_provider(), SimulatedGateway)  # settings.PAYMENT_PROVIDER
    with pytest.raises(UnknownProviderError):
        get_provider("vnpay")


def test_the_gateway_refuses_a_message_missing_a_field(sent) -> None:
    payment = start(sent)
    fields = signed(payment)
    del fields["timestamp"]

    with pytest.raises(CallbackRejectedError, match="missing field 'timestamp'"):
        SimulatedGateway().verify(fields)


@pytest.mark.parametrize(
    ("meanwhile", "reason"),
    [
        ({"fee_collected": True}, "The fees of this dossier were paid at the counter."),
        ({"status": Status.REJECTED}, "Fees can be paid online once the dossier is sent"),
        ({"fee_amount": 80_000}, "the fees are now 80000, not 50000"),
    ],
)
def test_an_attempt_completed_after_the_dossier_stopped_owing_it_is_kept_for_a_refund(
    client, sent, meanwhile, reason
) -> None:
    payment = start(sent)
    Dossier.objects.filter(pk=sent.pk).update(**meanwhile)
    fields = signed(payment)

    response = callback(client, fields)
    replay = callback(client, fields)

    sent.refresh_from_db()
    payment.refresh_from_db()
    assert (response.status_code, response.content) == (200, b"refund due")
    assert (replay.status_code, replay.content) == (200, b"already processed")
    assert sent.paid_online is False
    assert (payment.status, payment.transaction_id) == ("refund_due", fields["transaction_id"])
    event = AuditEvent.objects.get(event="dossiers.payment_to_refund")
    assert reason in event.data["reason"]


def test_without_a_provider_online_payment_is_not_offered(citizen, sent, settings) -> None:
    settings.PAYMENT_PROVIDER = ""
    before = state(sent)

    response = citizen.post(reverse("citizen:payment-start", args=[sent.pk]))

    assert response.status_code == 409
    assert "Online payment is not offered yet" in response.content.decode()
    assert state(sent) == before
