"""The client's address: behind TRUSTED_PROXIES proxies, the one the nearest proxy
appended to X-Forwarded-For. One function, for the rating limits and the shop clicks;
the desk's login lockout (AXES_CLIENT_IP_CALLABLE) takes it by network (lockout_address)."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest

# One bucket for every client without a valid address; empty, as the lockouts'
# address field (an IP address field) accepts no other non-address.
UNKNOWN_ADDRESS = ""


def client_address(request: HttpRequest) -> str:
    """The client's address; behind TRUSTED_PROXIES proxies, read from X-Forwarded-For.

    Only a valid IP address is taken: anything else in the header falls back to the
    connection's address, and a connection without one counts as UNKNOWN_ADDRESS.
    """
    proxies = settings.TRUSTED_PROXIES
    if proxies:
        forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            address = _ip_address(forwarded[-proxies])
            if address:
                return address
    return _ip_address(request.META.get("REMOTE_ADDR", "")) or UNKNOWN_ADDRESS


def lockout_address(request: HttpRequest) -> str:
    """The address failed sign-ins are counted against: the client's, an IPv6 one as its
    /64 (written as the network's first address, which the lockouts' IP field takes).
    One home or host is given a whole /64 and may pick any address in it per connection:
    counted per address, guesses of a password would never be locked out."""
    address = client_address(request)
    if ":" not in address:
        return address
    return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)


def _ip_address(value: str) -> str:
    """`value` written as the IP address it is ("" if it is none); an IPv4 address
    mapped into IPv6 is the IPv4 address, so both spellings are one client."""
    try:
        ip = ipaddress.ip_address(value)
    except ValueError:
        return ""
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return str(ip)
