"""Citizen accounts: sign-up, email verification, sign-in by email, phone or username with
django-axes' lockout, password reset, the profile and the header links. SMTP and the
broker are the only things replaced (they leave the project). Pages are read in English
(the language cookie) unless the test is about the Vietnamese page itself."""

import re
import smtplib
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from dossiers.tests.conftest import office  # noqa: F401 - the commune and its officers
from portal import tasks
from portal.accounts import services, throttle
from portal.celery import app
from portal.models import AuditEvent, User
from portal.roles import Role
from procedures.models import AdministrativeUnit, Assignment
from tests.factories import UserFactory

PASSWORD = "Sen-hong-Ha-Noi-2025"
SIGNUP = {
    "full_name": "  Nguyễn   Thị Lan ",
    "email": "Lan.Nguyen@Example.org",
    "phone": "0912 345 678",
    "citizen_id": "038190000123",
    "password1": PASSWORD,
    "password2": PASSWORD,
}
NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 9:00 in Hà Nội
# Valid for Django's EmailField (up to 320 characters) but longer than the 254 of the column.
LONG_EMAIL = "a" * 64 + "@" + ".".join(["b" * 63] * 3) + "." + "c" * 39 + ".org"
TOO_LONG = "Ensure this value has at most 254 characters (it has 300)."


class DownSmtpBackend(EmailBackend):
    """The mail server refuses the next `failures` connections, counting every attempt."""

    failures = 0
    attempts = 0

    def send_messages(self, messages):
        DownSmtpBackend.attempts += 1
        if DownSmtpBackend.failures > 0:
            DownSmtpBackend.failures -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


@pytest.fixture(autouse=True)
def _eager(tasks_in_process):
    """Tasks run in-process, as in the embedded mode of `make run`."""


@pytest.fixture(autouse=True)
def own_cache(settings):
    """Throttles count in the cache: each test has its own, never the shared Redis."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": uuid.uuid4().hex,
        }
    }


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def down_smtp(settings):
    settings.EMAIL_BACKEND = f"{__name__}.DownSmtpBackend"
    DownSmtpBackend.attempts = 0
    DownSmtpBackend.failures = 0
    return DownSmtpBackend


def citizen(**fields) -> User:
    fields = {
        "username": "citizen-lan",
        "full_name": "Nguyễn Thị Lan",
        "email": "lan@example.org",
        "phone": "0912345678",
        **fields,
    }
    user = UserFactory(**fields)
    user.set_password(PASSWORD)
    user.save()
    return user


def sign_up(client, capture, **changes):
    with capture(execute=True):
        return client.post(reverse("portal:signup"), {**SIGNUP, **changes})


def link_in(message) -> str:
    found = re.search(r"https?://\S+", message.body)
    assert found is not None, message.body
    return found.group(0).removeprefix(settings.PUBLIC_BASE_URL.rstrip("/"))


def field_error(html: str, field: str) -> str:
    """The error shown next to a field, linked to its input."""
    found = re.search(rf'<p class="field-error" id="id_{field}-error">(.*?)</p>', html, re.S)
    assert found is not None, f"no error next to {field}"
    widget = re.search(rf'<(?:input|select)[^>]*id="id_{field}"[^>]*>', html)
    assert widget is not None
    assert 'aria-invalid="true"' in widget.group(0)
    assert f"id_{field}-error" in widget.group(0)
    return found.group(1).replace("&#x27;", "'").replace("&quot;", '"')


# Sign-up


@pytest.mark.django_db
def test_sign_up_creates_the_account_signs_in_and_mails_a_verification_link(
    english, django_capture_on_commit_callbacks
) -> None:
    response = sign_up(english, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:verify-email-sent")
    user = User.objects.get()
    assert (user.full_name, user.email, user.phone, user.citizen_id) == (
        "Nguyễn Thị Lan",
        "Lan.Nguyen@example.org",
        "0912345678",
        "038190000123",
    )
    assert user.username.startswith("citizen-")
    assert user.check_password(PASSWORD)
    assert user.email_verified_at is None
    assert not user.is_staff
    assert english.session["_auth_user_id"] == str(user.pk)
    assert list(AuditEvent.objects.values_list("event", "actor", "data")) == [
        ("portal.account_created", user.pk, {"email": True, "phone": True, "citizen_id": True})
    ]
    [message] = mail.outbox
    assert message.to == ["Lan.Nguyen@example.org"]
    assert message.subject == "Confirm your email address for the public service portal"
    assert message.body.startswith("Dear Nguyễn Thị Lan,\n")
    assert "The link works for 72 hours." in message.body
    assert link_in(message).startswith("/account/verify-email/")

    page = english.get(response["Location"])
    assert "We sent a link to <strong>Lan.Nguyen@example.org</strong>." in page.content.decode()


@pytest.mark.django_db
def test_the_verification_email_is_in_the_language_of_the_sign_up(
    client, django_capture_on_commit_callbacks
) -> None:
    sign_up(client, django_capture_on_commit_callbacks)

    [message] = mail.outbox
    assert message.subject == "Xác nhận địa chỉ thư điện tử cho tài khoản Cổng dịch vụ công"
    assert message.body.startswith("Kính gửi ông/bà Nguyễn Thị Lan,\n")
    assert "Cổng dịch vụ công tỉnh Thanh Hóa" in message.body
    assert "Đường liên kết có hiệu lực trong 72 giờ." in message.body


@pytest.mark.django_db
def test_every_sign_up_field_has_a_label_and_an_autocomplete_purpose(client) -> None:
    html = client.get(reverse("portal:signup")).content.decode()

    assert '<html lang="vi">' in html
    purposes = {}
    for widget in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', widget).group(1)
        if name in {"csrfmiddlewaretoken", "next"}:
            continue
        field_id = re.search(r'id="([^"]+)"', widget).group(1)
        assert f'<label for="{field_id}">' in html, name
        purposes[name] = re.search(r'autocomplete="([^"]+)"', widget).group(1)
    assert purposes == {
        "full_name": "name",
        "email": "email",
        "phone": "tel",
        "password1": "new-password",
        "password2": "new-password",
        "citizen_id": "off",
    }


@pytest.mark.django_db
def test_sign_up_with_a_phone_only_sends_no_mail_and_goes_on(
    english, django_capture_on_commit_callbacks
) -> None:
    response = sign_up(
        english,
        django_capture_on_commit_callbacks,
        email="",
        phone="+84 912.345.678",
        citizen_id="",
        next="/procedures/",
    )

    assert response.status_code == 302
    assert response["Location"] == "/procedures/"
    user = User.objects.get()
    assert (user.email, user.phone, user.citizen_id) == ("", "0912345678", "")
    assert mail.outbox == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"full_name": "   "}, "full_name", "Enter your full name."),
        ({"email": "lan@"}, "email", "Enter a valid email address."),
        ({"email": LONG_EMAIL}, "email", TOO_LONG),
        (
            {"phone": "12345"},
            "phone",
            "Enter a Vietnamese phone number: 10 digits starting with 0 (e.g. 0912 345 678).",
        ),
        (
            {"email": "", "phone": ""},
            "email",
            "Enter an email address, a phone number or both.",
        ),
        ({"password2": "Sen-hong-Ha-Noi-2026"}, "password2", "The two passwords are not the same."),
        (
            {"password1": "abc12", "password2": "abc12"},
            "password1",
            "This password is too short: use at least 8 characters.",
        ),
        (
            {"password1": "48151623420", "password2": "48151623420"},
            "password1",
            "This password is entirely numeric.",
        ),
        ({"citizen_id": "03819000012"}, "citizen_id", "A citizen ID has exactly 12 digits."),
        (
            {"citizen_id": "003190000123"},
            "citizen_id",
            "003 is not a province code: check the first three digits.",
        ),
    ],
)
def test_a_bad_field_is_shown_next_to_it_and_nothing_is_created(
    english, django_capture_on_commit_callbacks, changes, field, message
) -> None:
    response = sign_up(english, django_capture_on_commit_callbacks, **changes)

    assert response.status_code == 200
    assert field_error(response.content.decode(), field) == message
    assert User.objects.count() == 0
    assert AuditEvent.objects.count() == 0
    assert mail.outbox == []
    assert "_auth_user_id" not in english.session


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"email": "LAN@EXAMPLE.ORG"},
            "email",
            "An account with this email address already exists.",
        ),
        ({"phone": "+84912345678"}, "phone", "An account with this phone number already exists."),
        (
            {"citizen_id": "038190000999"},
            "citizen_id",
            "An account with this citizen ID already exists.",
        ),
    ],
)
def test_an_email_phone_or_citizen_id_already_taken_is_refused(
    english, django_capture_on_commit_callbacks, changes, field, message
) -> None:
    citizen(citizen_id="038190000999")
    other = {"email": "khac@example.org", "phone": "0987654321", "citizen_id": ""}

    response = sign_up(english, django_capture_on_commit_callbacks, **{**other, **changes})

    assert response.status_code == 200
    assert field_error(response.content.decode(), field) == message
    assert User.objects.count() == 1
    assert AuditEvent.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_next_page_is_kept_whole_through_the_verification_notice(
    english, django_capture_on_commit_callbacks
) -> None:
    next_url = "/procedures/?q=khai+sinh&sector=ho-tich&page=2"

    response = sign_up(english, django_capture_on_commit_callbacks, next=next_url)
    notice = english.get(response["Location"])

    assert response.status_code == 302
    assert response["Location"] == (
        reverse("portal:verify-email-sent")
        + "?next=%2Fprocedures%2F%3Fq%3Dkhai%2Bsinh%26sector%3Dho-tich%26page%3D2"
    )
    assert notice.status_code == 200
    html = notice.content.decode()
    assert (
        '<a class="button" href="/procedures/?q=khai+sinh&amp;sector=ho-tich&amp;page=2">' in html
    )


@pytest.mark.django_db
def test_sign_up_attempts_are_limited_per_visitor_behind_the_proxy(
    english, django_capture_on_commit_callbacks, settings
) -> None:
    settings.AXES_IPWARE_PROXY_COUNT = 1
    limit = throttle.SIGNUPS_PER_ADDRESS
    prober = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "203.0.113.66"}
    neighbour = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    citizen()
    taken = {**SIGNUP, "email": "", "phone": "0912345678", "citizen_id": ""}
    fresh = {**SIGNUP, "email": "moi@example.org", "phone": "0987654321", "citizen_id": ""}

    # Asking whether a phone number has an account: answered next to the field...
    answers = [english.post(reverse("portal:signup"), taken, **prober) for _ in range(limit)]
    # ...until the visitor's attempts for the hour are used up, even for a good sign-up.
    with django_capture_on_commit_callbacks(execute=True):
        paused = english.post(reverse("portal:signup"), fresh, **prober)
    in_vietnamese = Client().post(reverse("portal:signup"), fresh, **prober)
    form_still_shown = english.get(reverse("portal:signup"), **prober)
    nothing_created = (User.objects.count(), AuditEvent.objects.count(), len(mail.outbox))
    signed_in_while_paused = "_auth_user_id" in english.session
    with django_capture_on_commit_callbacks(execute=True):
        other_visitor = english.post(reverse("portal:signup"), fresh, **neighbour)

    assert [answer.status_code for answer in answers] == [200] * limit
    assert field_error(answers[-1].content.decode(), "phone") == (
        "An account with this phone number already exists."
    )
    assert paused.status_code == 429
    assert paused["Retry-After"] == "3600"
    html = paused.content.decode()
    assert "<h1>Sign-up paused</h1>" in html
    assert "Try again in 60 minutes." in html
    assert f'<a class="button" href="{reverse("portal:login")}">' in html
    assert in_vietnamese.status_code == 429
    assert '<html lang="vi">' in in_vietnamese.content.decode()
    assert in_vietnamese.templates[0].name == "portal/accounts/signup_paused.html"
    assert form_still_shown.status_code == 200
    assert nothing_created == (1, 0, 0)
    assert not signed_in_while_paused
    assert other_visitor.status_code == 302
    assert User.objects.filter(email="moi@example.org").count() == 1
    assert [message.to for message in mail.outbox] == [["moi@example.org"]]


# Email verification


def verification_link(client, capture) -> str:
    sign_up(client, capture)
    return link_in(mail.outbox[-1])


@pytest.mark.django_db
def test_the_mailed_link_verifies_the_email_once(english, django_capture_on_commit_callbacks):
    link = verification_link(english, django_capture_on_commit_callbacks)

    with time_machine.travel(timezone.now() + timedelta(hours=71), tick=False):
        first = english.get(link)
        second = english.get(link)

    assert first.status_code == second.status_code == 200
    assert "Your email address is confirmed. Thank you." in first.content.decode()
    user = User.objects.get()
    assert user.email_verified_at is not None
    events = AuditEvent.objects.filter(event="portal.email_verified")
    assert list(events.values_list("actor", flat=True)) == [user.pk]


@pytest.mark.django_db
def test_an_expired_link_verifies_nothing(english, django_capture_on_commit_callbacks) -> None:
    link = verification_link(english, django_capture_on_commit_callbacks)

    with time_machine.travel(timezone.now() + timedelta(hours=72, seconds=5), tick=False):
        response = english.get(link)

    assert response.status_code == 400
    assert "This link has expired." in response.content.decode()
    assert User.objects.get().email_verified_at is None
    assert not AuditEvent.objects.filter(event="portal.email_verified").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("tamper", ["flip", "other-account", "garbage"])
def test_a_tampered_link_verifies_nothing(
    english, django_capture_on_commit_callbacks, tamper
) -> None:
    link = verification_link(english, django_capture_on_commit_callbacks)
    token = link.split("/")[-2]
    if tamper == "flip":
        token = token[:-1] + ("A" if token[-1] != "A" else "B")
    elif tamper == "other-account":
        # A well-formed payload naming another account, signed with the wrong key.
        token = token.replace(token.split(":")[0], "eyJ1IjoxLCJlIjoiMCJ9", 1)
    else:
        token = "not-a-token"

    response = english.get(reverse("portal:verify-email", kwargs={"token": token}))

    assert response.status_code == 400
    assert "This link is not valid." in response.content.decode()
    assert User.objects.get().email_verified_at is None


@pytest.mark.django_db
def test_a_link_to_a_former_email_is_void(english, django_capture_on_commit_callbacks) -> None:
    link = verification_link(english, django_capture_on_commit_callbacks)
    User.objects.update(email="moi@example.org")

    response = english.get(link)

    assert response.status_code == 400
    assert User.objects.get().email_verified_at is None


@pytest.mark.django_db
def test_resending_the_link_is_throttled(english, django_capture_on_commit_callbacks) -> None:
    resend = reverse("portal:verify-email-resend")
    with time_machine.travel(NOW, tick=False):
        sign_up(english, django_capture_on_commit_callbacks)
    with (
        time_machine.travel(NOW + timedelta(seconds=15), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        too_soon = english.post(resend, follow=True)
    assert "You can ask again in 45 seconds." in too_soon.content.decode()
    assert len(mail.outbox) == 1

    with (
        time_machine.travel(NOW + timedelta(seconds=61), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        again = english.post(resend, follow=True)
    assert "We sent a new link to Lan.Nguyen@example.org." in again.content.decode()
    assert [message.to for message in mail.outbox] == [["Lan.Nguyen@example.org"]] * 2
    with time_machine.travel(NOW + timedelta(seconds=90), tick=False):
        assert english.get(link_in(mail.outbox[1])).status_code == 200
    assert User.objects.get().email_verified_at is not None


@pytest.mark.django_db
def test_resending_needs_a_signed_in_post(client) -> None:
    assert client.post(reverse("portal:verify-email-resend"))["Location"].startswith(
        "/account/login/?next="
    )
    client.force_login(citizen())
    assert client.get(reverse("portal:verify-email-resend")).status_code == 405


# Mail server or broker down at sign-up


@pytest.fixture
def retries_in_process():
    """A task that retries runs again at once in-process, as a worker would after backoff."""
    before = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = before


@pytest.mark.django_db
def test_sign_up_stands_when_the_mail_server_is_down_and_the_link_can_be_resent(
    english, down_smtp, retries_in_process, django_capture_on_commit_callbacks
) -> None:
    down_smtp.failures = 99

    response = sign_up(english, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    user = User.objects.get()
    assert english.session["_auth_user_id"] == str(user.pk)
    # Every retry of the task met the dead server (on a worker, with backoff).
    assert down_smtp.attempts == settings.ACCOUNT_EMAIL_MAX_RETRIES + 1
    assert mail.outbox == []
    page = english.get(reverse("portal:profile")).content.decode()
    assert "Email not verified" in page

    down_smtp.failures = 0
    with (
        time_machine.travel(timezone.now() + timedelta(seconds=61), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        english.post(reverse("portal:verify-email-resend"))
    assert [message.to for message in mail.outbox] == [["Lan.Nguyen@example.org"]]


@pytest.mark.django_db
def test_the_mail_task_retries_until_the_server_answers(down_smtp, retries_in_process) -> None:
    user = citizen()
    down_smtp.failures = 2

    result = tasks.send_account_email.apply(args=[str(user.pk), services.VERIFY_EMAIL, "en"])

    assert result.get() == "sent"
    assert down_smtp.attempts == 3
    assert [message.to for message in mail.outbox] == [["lan@example.org"]]


@pytest.mark.django_db
def test_a_broker_outage_leaves_the_account_and_a_warning_without_personal_data(
    english, monkeypatch, django_capture_on_commit_callbacks, caplog
) -> None:
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.send_account_email, "apply_async", broker_down)

    response = sign_up(english, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    user = User.objects.get()
    assert user.email_verification_sent_at is not None
    assert [r.getMessage() for r in caplog.records if r.name == services.logger.name] == [
        f"account email verify_email for user {user.pk} not sent: OperationalError"
    ]
    assert mail.outbox == []


# Sign-in


@pytest.mark.django_db
@pytest.mark.parametrize(
    "identifier", ["lan@example.org", " LAN@Example.ORG ", "0912345678", "+84 912 345 678"]
)
def test_a_citizen_signs_in_with_email_or_phone(client, identifier) -> None:
    user = citizen()

    response = client.post(reverse("portal:login"), {"username": identifier, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("citizen:my-dossiers")
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("next_url", "destination"),
    [
        ("/procedures/?q=khai+sinh", "/procedures/?q=khai+sinh"),
        ("https://evil.example.org/", None),
        ("//evil.example.org/", None),
    ],
)
def test_sign_in_follows_next_only_within_the_site(client, next_url, destination) -> None:
    citizen()
    destination = destination or reverse("citizen:my-dossiers")

    response = client.post(
        reverse("portal:login"),
        {"username": "lan@example.org", "password": PASSWORD, "next": next_url},
    )

    assert response["Location"] == destination


@pytest.mark.parametrize(
    ("officer", "destination"),
    [
        ("reception", "/reception/"),
        ("processing", "/reception/inbox/"),
        ("leader", "/reception/inbox/"),
        ("manager", "/reporting/"),
        ("administrator", "/admin/"),
    ],
)
def test_an_officer_signs_in_with_a_username_and_lands_in_the_workspace(
    client,
    office,  # noqa: F811 - the fixture imported above
    officer,
    destination,
) -> None:
    if officer == "manager":
        user = UserFactory(username="quanly.hacthanh", is_staff=True)
        Assignment.objects.create(user=user, role=Role.MANAGER, unit=office.unit)
    elif officer == "administrator":
        user = UserFactory(username="quantri", is_staff=True, is_superuser=True)
    else:
        user = getattr(office, officer)
    user.set_password(PASSWORD)
    user.save()

    response = client.post(
        reverse("portal:login"), {"username": user.username, "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == destination
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_a_wrong_password_is_refused_next_to_both_fields_and_counted(english) -> None:
    citizen()

    response = english.post(
        reverse("portal:login"), {"username": "lan@example.org", "password": "sai-mat-khau"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert (
        '<p id="sign-in-error">The sign-in details are not right. Check your email, phone '
        "number or username and your password.</p>"
    ) in html
    for field in ("username", "password"):
        widget = re.search(rf'<input[^>]*id="id_{field}"[^>]*>', html).group(0)
        assert 'aria-invalid="true"' in widget
        assert 'aria-describedby="sign-in-error"' in widget
    assert "_auth_user_id" not in english.session
    # Counted against the account, whatever identifier was typed.
    assert list(AccessAttempt.objects.values_list("username", "failures_since_start")) == [
        ("citizen-lan", 1)
    ]


@pytest.mark.django_db
def test_repeated_failures_lock_the_account_with_a_vietnamese_page(client, caplog) -> None:
    user = citizen()
    login = reverse("portal:login")
    limit = settings.AXES_FAILURE_LIMIT
    # Email and phone count against one lock.
    for attempt in range(limit - 1):
        identifier = "lan@example.org" if attempt % 2 else "0912 345 678"
        response = client.post(login, {"username": identifier, "password": "sai"})
        assert response.status_code == 200

    locking = client.post(login, {"username": "lan@example.org", "password": "sai"})
    with_the_right_password = client.post(
        login, {"username": "lan@example.org", "password": PASSWORD}
    )

    assert locking.status_code == with_the_right_password.status_code == 429
    html = with_the_right_password.content.decode()
    assert '<html lang="vi">' in html
    assert "<h1>Tạm dừng đăng nhập</h1>" in html
    assert "Hãy thử lại sau 15 phút." in html
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.get(username=user.username).failures_since_start >= limit
    # axes logs the lockout without the identifiers typed.
    assert "AXES: Locking out" in caplog.text
    assert "lan@example.org" not in caplog.text
    # Neither the number as typed nor any of its forms (timestamps may hold "345").
    assert not re.search(r"0912\W?345|912345678|\+84", caplog.text)


@pytest.mark.django_db
def test_sign_out_is_a_post(client) -> None:
    client.force_login(citizen())

    assert client.get(reverse("portal:logout")).status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post(reverse("portal:logout"))

    assert response["Location"] == "/"
    assert "_auth_user_id" not in client.session


# Password reset


def request_reset(client, capture, email: str):
    with capture(execute=True):
        return client.post(reverse("portal:password-reset"), {"email": email})


@pytest.mark.django_db
def test_password_reset_end_to_end(english, django_capture_on_commit_callbacks) -> None:
    user = citizen()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        english.post(reverse("portal:login"), {"username": "lan@example.org", "password": "x"})
    assert AccessAttempt.objects.count() == 1

    response = request_reset(english, django_capture_on_commit_callbacks, "LAN@example.org")

    assert response["Location"] == reverse("portal:password-reset-done")
    [message] = mail.outbox
    assert message.to == ["lan@example.org"]
    assert message.subject == "Choose a new password for the public service portal"
    link = link_in(message)
    form_page = english.get(link, follow=True)
    assert form_page.status_code == 200
    set_password_url = form_page.redirect_chain[-1][0]
    assert set_password_url.endswith("/set-password/")

    new_password = "Hoa-sen-Ho-Tay-2026"
    done = english.post(
        set_password_url, {"new_password1": new_password, "new_password2": new_password}
    )

    assert done["Location"] == reverse("portal:password-reset-complete")
    user.refresh_from_db()
    assert user.check_password(new_password)
    # The link reached the mailbox: the address is the person's.
    assert user.email_verified_at is not None
    assert list(AuditEvent.objects.values_list("event", flat=True)) == ["portal.password_reset"]
    # The lockout is lifted and the link cannot be used twice.
    assert AccessAttempt.objects.count() == 0
    signed_in = english.post(
        reverse("portal:login"), {"username": "0912345678", "password": new_password}
    )
    assert signed_in.status_code == 302
    again = english.get(link, follow=True)
    assert "This link is not valid any more." in again.content.decode()


@pytest.mark.django_db
def test_password_reset_says_the_same_whether_or_not_the_account_exists(
    english, django_capture_on_commit_callbacks
) -> None:
    citizen()

    known = request_reset(english, django_capture_on_commit_callbacks, "lan@example.org")
    unknown = request_reset(english, django_capture_on_commit_callbacks, "ai@example.org")

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("portal:password-reset-done")
    assert [message.to for message in mail.outbox] == [["lan@example.org"]]


@pytest.mark.django_db
def test_password_reset_mails_at_most_once_a_minute(
    english, django_capture_on_commit_callbacks
) -> None:
    citizen()

    for _ in range(3):
        request_reset(english, django_capture_on_commit_callbacks, "lan@example.org")

    assert len(mail.outbox) == 1


# Profile


@pytest.mark.django_db
def test_the_profile_needs_a_citizen_signed_in(client) -> None:
    response = client.get(reverse("portal:profile"))

    assert response["Location"] == "/account/login/?next=/account/"


def post_profile(client, capture, **changes):
    data = {
        "full_name": "Nguyễn Thị Lan",
        "email": "lan@example.org",
        "phone": "0912345678",
        "citizen_id": "",
        **changes,
    }
    with capture(execute=True):
        return client.post(reverse("portal:profile"), data)


@pytest.mark.django_db
def test_profile_edits_are_saved_and_audited(english, django_capture_on_commit_callbacks):
    user = citizen(email_verified_at=NOW)
    english.force_login(user)

    response = post_profile(
        english,
        django_capture_on_commit_callbacks,
        full_name="Nguyễn Thị Lan Anh",
        phone="0987 654 321",
        citizen_id="038 190 000 123",
    )

    assert response["Location"] == reverse("portal:profile")
    user.refresh_from_db()
    assert (user.full_name, user.phone, user.citizen_id) == (
        "Nguyễn Thị Lan Anh",
        "0987654321",
        "038190000123",
    )
    assert user.email_verified_at == NOW
    assert list(AuditEvent.objects.values_list("event", "data")) == [
        ("portal.profile_updated", {"fields": ["citizen_id", "full_name", "phone"]})
    ]
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_new_email_must_be_verified_again(english, django_capture_on_commit_callbacks):
    user = citizen(email_verified_at=NOW)
    english.force_login(user)

    response = post_profile(
        english, django_capture_on_commit_callbacks, email="lan.moi@example.org"
    )

    user.refresh_from_db()
    assert (user.email, user.email_verified_at) == ("lan.moi@example.org", None)
    assert [message.to for message in mail.outbox] == [["lan.moi@example.org"]]
    page = english.get(response["Location"]).content.decode()
    assert "Email not verified" in page
    assert "We sent a link to lan.moi@example.org: open it to confirm the new address." in page
    assert 'action="/account/verify-email/resend/"' in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"phone": "0987654321"}, "phone", "An account with this phone number already exists."),
        (
            {"email": "KHAC@example.org"},
            "email",
            "An account with this email address already exists.",
        ),
        (
            {"citizen_id": "038990000123"},
            "citizen_id",
            "The fourth digit (sex and century of birth) cannot be 9.",
        ),
        ({"email": "", "phone": ""}, "email", "Enter an email address, a phone number or both."),
        ({"email": LONG_EMAIL}, "email", TOO_LONG),
    ],
)
def test_a_refused_profile_edit_changes_nothing(
    english, django_capture_on_commit_callbacks, changes, field, message
) -> None:
    citizen(username="citizen-other", email="khac@example.org", phone="0987654321")
    user = citizen(email_verified_at=NOW)
    english.force_login(user)

    response = post_profile(english, django_capture_on_commit_callbacks, **changes)

    assert response.status_code == 200
    assert field_error(response.content.decode(), field) == message
    user.refresh_from_db()
    assert (user.email, user.phone, user.citizen_id, user.email_verified_at) == (
        "lan@example.org",
        "0912345678",
        "",
        NOW,
    )
    assert AuditEvent.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_verified_email_shows_as_confirmed(english) -> None:
    english.force_login(citizen(email_verified_at=NOW))

    page = english.get(reverse("portal:profile")).content.decode()

    assert "lan@example.org is confirmed (on 03/02/2026)." in page
    assert "verify-email/resend" not in page


@pytest.mark.django_db
def test_the_password_is_changed_from_the_profile(english) -> None:
    user = citizen()
    english.force_login(user)
    new_password = "Hoa-sen-Ho-Tay-2026"

    response = english.post(
        reverse("portal:password-change"),
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )

    assert response["Location"] == reverse("portal:profile")
    user.refresh_from_db()
    assert user.check_password(new_password)
    assert english.session["_auth_user_id"] == str(user.pk)
    assert list(AuditEvent.objects.values_list("event", flat=True)) == ["portal.password_changed"]


# Header links per kind of person


def nav(client) -> str:
    html = client.get(reverse("home")).content.decode()
    return html[html.index('<nav class="site-nav"') : html.index("</nav>")]


@pytest.mark.django_db
def test_anonymous_visitors_see_sign_in(english) -> None:
    links = nav(english)

    assert '<a href="/account/login/">Sign in</a>' in links
    assert "Sign out" not in links
    assert "Workspace" not in links


@pytest.mark.django_db
def test_citizens_see_their_dossiers_account_and_sign_out(english) -> None:
    english.force_login(citizen())

    links = nav(english)

    try:
        my_dossiers = reverse("citizen:my-dossiers")
    except NoReverseMatch:  # the page of someone else's part, not there yet
        assert "My dossiers" not in links
    else:
        assert f'<a href="{my_dossiers}">My dossiers</a>' in links
    assert '<a href="/account/">Account</a>' in links
    assert '<form class="nav-form" action="/account/logout/" method="post">' in links
    assert "Workspace" not in links
    assert "Indicators" not in links


@pytest.mark.django_db
def test_managers_keep_workspace_and_indicators(english) -> None:
    manager = UserFactory(username="quanly", is_staff=True)
    province = AdministrativeUnit.objects.create(code="38", name="Tỉnh Thanh Hóa", level="province")
    Assignment.objects.create(user=manager, role=Role.MANAGER, unit=province)
    english.force_login(manager)

    links = nav(english)

    assert '<a href="/reporting/">Indicators</a>' in links
    assert '<a href="/account/workspace/">Workspace</a>' in links
    assert 'action="/account/logout/"' in links
    assert "Account" not in links
    assert "My dossiers" not in links


@pytest.mark.django_db
def test_workspace_leads_each_officer_to_their_own_page(office) -> None:  # noqa: F811
    from django.test import Client

    def landing(user) -> str:
        client = Client()
        client.force_login(user)
        return client.get("/account/workspace/")["Location"]

    assert landing(office.reception) == "/reception/"
    assert landing(office.processing) == "/reception/inbox/"
    assert landing(office.leader) == "/reception/inbox/"
    assert landing(UserFactory(username="root", is_staff=True, is_superuser=True)) == "/admin/"
    assert landing(office.applicant) == "/my/dossiers/"
