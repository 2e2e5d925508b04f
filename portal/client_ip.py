"""The visitor's address, as the nearest trusted proxy saw it. Throttles count per address
and django-axes locks sign-ins per account and address (AXES_CLIENT_IP_CALLABLE), so behind
the TLS proxy the proxy's own address must not stand for everyone.

With N trusted proxies in front of the portal (settings.AXES_IPWARE_PROXY_COUNT, from the
environment's AXES_PROXY_COUNT), each appends the address it received the request from to
X-Forwarded-For: the N-th entry from the right is the one our outermost proxy saw, and
everything to its left was written by the client and may be anything. Without proxies the
header is ignored: anyone can send one.

django-ipware parses, validates and canonicalises the address. It is handed only the entry
our outermost proxy wrote: when that entry is not a bare address (our proxies write no
port) or not one a client can have (unspecified, multicast, reserved), the socket's peer
stands instead. Given the whole header, ipware would skip such an entry and read the
client's own writing to its left."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest
from ipware import get_client_ip

FORWARDED_FOR = "HTTP_X_FORWARDED_FOR"
PEER = "REMOTE_ADDR"
# An IPv6 subscriber is given a whole /64 and may hop across it at will.
IPV6_NETWORK_BITS = 64


def trusted_proxy_count() -> int:
    return max(int(getattr(settings, "AXES_IPWARE_PROXY_COUNT", 0) or 0), 0)


def client_ip(request: HttpRequest) -> str:
    """The client's address in canonical form; the socket's peer (REMOTE_ADDR) when no
    proxy is trusted or the forwarded header is missing, too short or not addresses;
    '' when even that is unknown."""
    proxies = trusted_proxy_count()
    if proxies:
        seen = _seen_by_outermost_proxy(request.META.get(FORWARDED_FOR, ""), proxies)
        if seen:
            return seen
    peer = request.META.get(PEER) or ""
    return _ipware(PEER, peer) or peer.strip()


def client_network(request: HttpRequest) -> str:
    """What a throttle counts: the client's IPv4 address, or its IPv6 /64."""
    text = client_ip(request)
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return text or "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((address, IPV6_NETWORK_BITS), strict=False))
    return text


def _seen_by_outermost_proxy(forwarded: str, proxies: int) -> str | None:
    entries = forwarded.split(",") if forwarded else []
    if len(entries) < proxies or not _bare_address(entries[-proxies]):
        return None
    return _ipware(FORWARDED_FOR, entries[-proxies])


def _bare_address(entry: str) -> bool:
    """What our proxies write: an address alone. ipware would also read one with a port,
    in brackets, in quotes or as an RFC 7239 `for=` element: not from our proxies."""
    try:
        ipaddress.ip_address(entry.strip())
    except ValueError:
        return False
    return True


def _ipware(header: str, value: str) -> str | None:
    """ipware's reading of one address found in `header`: canonical (an IPv4-mapped IPv6
    address as IPv4), or None for anything that is not a client's address."""
    request = HttpRequest()
    request.META = {header: value}
    address, _routable = get_client_ip(
        request, proxy_count=0, request_header_order=[header], strict=True, algorithm="modern"
    )
    return address
