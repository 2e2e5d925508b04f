"""What django-ipware adds to the reading of the visitor's address (portal.client_ip): an
address no client can have is not taken from the header, a NAT64 address is the IPv4
client's, and ipware's own settings cannot widen what the portal trusts."""

import pytest
from django.test import RequestFactory

from portal.client_ip import client_ip

PROXY = "10.0.0.2"


def behind_one_proxy(forwarded: str):
    return RequestFactory().get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR=PROXY)


@pytest.mark.parametrize(
    "forwarded",
    [
        "0.0.0.0",  # noqa: S104 - a header value, not a bind address
        "0.1.2.3",
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "::",
        "ff02::1",
    ],
)
def test_an_address_no_client_can_have_falls_back_to_the_peer(settings, forwarded) -> None:
    settings.AXES_IPWARE_PROXY_COUNT = 1

    assert client_ip(behind_one_proxy(forwarded)) == PROXY


def test_a_nat64_address_is_the_ipv4_client_behind_it(settings) -> None:
    settings.AXES_IPWARE_PROXY_COUNT = 1

    assert client_ip(behind_one_proxy("64:ff9b::cb00:7105")) == "203.0.113.5"


def test_ipwares_own_settings_do_not_change_what_is_trusted(settings) -> None:
    settings.AXES_IPWARE_PROXY_COUNT = 1
    settings.IPWARE_ALGORITHM = "legacy"
    settings.IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_REAL_IP"]
    settings.IPWARE_META_PROXY_COUNT = 3
    settings.IPWARE_STRICT = False
    request = behind_one_proxy("8.8.8.8, 203.0.113.5")
    request.META["HTTP_X_REAL_IP"] = "198.51.100.1"

    assert client_ip(request) == "203.0.113.5"
    assert client_ip(behind_one_proxy("203.0.113.5, unknown")) == PROXY
