"""Which IP addresses a URL the bot fetches or forwards may point at. Pure.

Reference links are downloaded by Alibaba's servers and result videos by the bot: neither may
be steered at loopback, private networks or cloud metadata addresses. IPv6 forms that carry an
IPv4 address inside (IPv4-mapped, NAT64, 6to4) are judged by the address they carry.
"""

from __future__ import annotations

import ipaddress
from enum import StrEnum

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_CGNAT = ipaddress.IPv4Network("100.64.0.0/10")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")


class ForbiddenAddress(StrEnum):
    """Kinds of address nothing is fetched from; the UI layer words them."""

    UNSPECIFIED = "unspecified"
    LOOPBACK = "loopback"
    LINK_LOCAL = "link-local"
    MULTICAST = "multicast"
    CGNAT = "cgnat"
    PRIVATE = "private"


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for, if it is one of the forms that carry one."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64 or address in _NAT64_LOCAL:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def forbidden_reason(address: IPAddress) -> ForbiddenAddress | None:
    """Why nothing should be fetched from `address` on the bot's behalf, or None if it is a
    public unicast address."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = embedded_ipv4(address)
        if inner is not None:
            return forbidden_reason(inner)
    if address.is_unspecified:
        return ForbiddenAddress.UNSPECIFIED
    if address.is_loopback:
        return ForbiddenAddress.LOOPBACK
    if address.is_link_local:
        return ForbiddenAddress.LINK_LOCAL
    if address.is_multicast:
        return ForbiddenAddress.MULTICAST
    if isinstance(address, ipaddress.IPv4Address) and address in _CGNAT:
        return ForbiddenAddress.CGNAT
    if address.is_private or address.is_reserved or not address.is_global:
        return ForbiddenAddress.PRIVATE
    return None
