"""The visitor's address, as the nearest trusted proxy saw it. Throttles count per address
and django-axes locks sign-ins per account and address (AXES_CLIENT_IP_CALLABLE), so behind
the TLS proxy the proxy's own address must not stand for everyone.

With N trusted proxies in front of the portal (settings.AXES_IPWARE_PROXY_COUNT, from the
environment's AXES_PROXY_COUNT), each appends the address it received the request from to
X-Forwarded-For: the N-th entry from the right is the one our outermost proxy saw, and
everything to its left was written by the client and may be anything. Without proxies the
header is ignored: anyone can send one."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest

# An IPv6 subscriber is given a whole /64 and may hop across it at will.
IPV6_NETWORK_BITS = 64


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def client_ip(request: HttpRequest) -> str:
    """The client's address in canonical form; the socket's peer (REMOTE_ADDR) when no
    proxy is trusted or the forwarded header is missing, too short or not an address;
    '' when even that is unknown."""
    peer = request.META.get("REMOTE_ADDR") or ""
    proxies = max(int(getattr(settings, "AXES_IPWARE_PROXY_COUNT", 0) or 0), 0)
    if proxies:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if len(forwarded) >= proxies:
            seen = _address(forwarded[-proxies])
            if seen is not None:
                return str(seen)
    address = _address(peer)
    return str(address) if address is not None else peer.strip()


def client_network(request: HttpRequest) -> str:
    """What a throttle counts: the client's IPv4 address, or its IPv6 /64."""
    text = client_ip(request)
    address = _address(text)
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((address, IPV6_NETWORK_BITS), strict=False))
    return text or "unknown"
