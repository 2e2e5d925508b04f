"""The visitor's address behind the TLS proxy (portal.client_ip): the N-th entry from the
right of X-Forwarded-For with N trusted proxies, the socket's peer otherwise; and
django-axes counts sign-in failures per visitor with it, not per proxy."""

import pytest
from axes.helpers import get_client_ip_address
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.urls import reverse

from portal.client_ip import client_ip, client_network
from tests.factories import UserFactory

PROXY = "10.0.0.2"  # the TLS proxy, as the application server sees it
PASSWORD = "Sen-hong-Ha-Noi-2025"


def request(forwarded: str | None = None, *, peer: str | None = PROXY):
    meta = {}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    factory_request = RequestFactory().get("/", **meta)
    if peer is None:
        del factory_request.META["REMOTE_ADDR"]
    else:
        factory_request.META["REMOTE_ADDR"] = peer
    return factory_request


@pytest.fixture
def proxies(settings):
    def trust(count: int) -> None:
        settings.AXES_IPWARE_PROXY_COUNT = count

    return trust


@pytest.mark.parametrize("forwarded", [None, "203.0.113.5", "203.0.113.5, 198.51.100.7", "garbage"])
def test_without_a_trusted_proxy_the_header_is_ignored(proxies, forwarded) -> None:
    proxies(0)

    assert client_ip(request(forwarded, peer="192.0.2.44")) == "192.0.2.44"


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("203.0.113.5", "203.0.113.5"),
        # What the client wrote itself stands on the left: only the proxy's entry counts.
        ("1.2.3.4, 203.0.113.5", "203.0.113.5"),
        ("127.0.0.1,10.0.0.1 ,  203.0.113.5", "203.0.113.5"),
        ("2001:DB8:0:0::1", "2001:db8::1"),  # canonical: one address, one counter
        ("::ffff:203.0.113.5", "203.0.113.5"),
    ],
)
def test_one_proxy_the_rightmost_entry_is_the_client(proxies, forwarded, expected) -> None:
    proxies(1)

    assert client_ip(request(forwarded)) == expected


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("203.0.113.5, 172.16.0.9", "203.0.113.5"),  # client, then the outer proxy
        ("8.8.8.8, 203.0.113.5, 172.16.0.9", "203.0.113.5"),  # spoofed entry on the left
    ],
)
def test_two_proxies_the_second_entry_from_the_right_is_the_client(
    proxies, forwarded, expected
) -> None:
    proxies(2)

    assert client_ip(request(forwarded)) == expected


@pytest.mark.parametrize(
    ("count", "forwarded"),
    [
        (1, None),  # no header
        (1, ""),
        (2, "203.0.113.5"),  # shorter than the chain of proxies
        (1, "not-an-address"),
        (1, "203.0.113.5, unknown"),
        (1, "999.1.1.1"),
        (1, "203.0.113.5:4711"),  # with a port: not what our proxy writes
        (1, "203.0.113.5,"),
        (2, "203.0.113.5, , 172.16.0.9"),
        (1, "<script>alert(1)</script>"),
        (1, "1" * 5000),
    ],
)
def test_a_missing_short_or_malformed_header_falls_back_to_the_peer(
    proxies, count, forwarded
) -> None:
    proxies(count)

    assert client_ip(request(forwarded)) == PROXY


def test_without_any_address_the_answer_is_empty(proxies) -> None:
    proxies(1)

    assert client_ip(request(None, peer=None)) == ""
    assert client_network(request(None, peer=None)) == "unknown"


@pytest.mark.parametrize(
    ("peer", "network"),
    [
        ("203.0.113.5", "203.0.113.5"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:db8:1:2::ffff", "2001:db8:1:2::/64"),
    ],
)
def test_throttles_count_an_ipv6_client_by_its_network(proxies, peer, network) -> None:
    proxies(0)

    assert client_network(request(None, peer=peer)) == network


def test_django_axes_reads_the_address_through_it(proxies) -> None:
    proxies(1)

    assert get_client_ip_address(request("1.2.3.4, 203.0.113.5")) == "203.0.113.5"


@pytest.mark.django_db
def test_sign_in_failures_lock_the_visitor_not_everyone_behind_the_proxy(
    client, proxies, settings
) -> None:
    proxies(1)
    user = UserFactory(username="citizen-lan", email="lan@example.org")
    user.set_password(PASSWORD)
    user.save()
    login = reverse("portal:login")
    attacker = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.66"}
    owner = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.66, 198.51.100.7"}

    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(login, {"username": "lan@example.org", "password": "sai"}, **attacker)
    attacker_right = client.post(
        login, {"username": "lan@example.org", "password": PASSWORD}, **attacker
    )
    owner_right = client.post(login, {"username": "lan@example.org", "password": PASSWORD}, **owner)

    assert attacker_right.status_code == 429
    assert owner_right.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    # One record, the attacker's; the attempt made while locked counts too.
    attempt = AccessAttempt.objects.get()
    assert (attempt.ip_address, attempt.failures_since_start) == (
        "203.0.113.66",
        settings.AXES_FAILURE_LIMIT + 1,
    )
