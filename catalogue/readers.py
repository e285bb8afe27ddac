"""Who is rating: the signed-in user or an anonymous visitor, and from which address.

Anonymous visitors are known by a long-lived signed, HttpOnly cookie. Addresses are
never stored: only a keyed hash, used to spot and remove floods from one network.
"""

import ipaddress
import logging
import secrets
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac

from .ratings import Reader

logger = logging.getLogger(__name__)

VISITOR_COOKIE = "colophon_visitor"
VISITOR_SALT = "colophon.catalogue.visitor"
VISITOR_COOKIE_AGE = 2 * 365 * 24 * 60 * 60


def reader_for(request: HttpRequest) -> tuple[Reader, str | None]:
    """The reader behind the request, and a new visitor id to set in a cookie, if any."""
    if request.user.is_authenticated:
        return Reader(user_id=request.user.pk), None
    visitor = request.get_signed_cookie(VISITOR_COOKIE, default=None, salt=VISITOR_SALT)
    if visitor:
        return Reader(visitor=visitor), None
    visitor = secrets.token_urlsafe(24)
    return Reader(visitor=visitor), visitor


def known_reader(request: HttpRequest) -> Reader | None:
    """The reader if we have seen them before (no new cookie is made for a page view)."""
    if request.user.is_authenticated:
        return Reader(user_id=request.user.pk)
    visitor = request.get_signed_cookie(VISITOR_COOKIE, default=None, salt=VISITOR_SALT)
    return Reader(visitor=visitor) if visitor else None


def remember_visitor(response: HttpResponse, visitor: str) -> None:
    response.set_signed_cookie(
        VISITOR_COOKIE,
        visitor,
        salt=VISITOR_SALT,
        max_age=VISITOR_COOKIE_AGE,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )


def client_address(request: HttpRequest) -> str:
    """The client's address; behind TRUSTED_PROXIES proxies, read from X-Forwarded-For."""
    proxies = settings.TRUSTED_PROXIES
    if proxies:
        forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def address_hash(address: str) -> str:
    """A keyed hash of the address: stable enough to group by, useless to recover it.

    An IPv6 address is taken by its /64 network, which one home or host commonly owns
    whole; otherwise a single machine could rotate addresses past the rate limit.
    """
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        ip = None
    if ip is not None and ip.version == 6 and not ip.ipv4_mapped:
        address = str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return salted_hmac("colophon.catalogue.address", address, algorithm="sha256").hexdigest()


def over_limit(scope: str, key: str, limit: int, window: int) -> int:
    """Count one action in a shared-cache window; seconds to wait if over `limit`, else 0.

    The counter lives in the shared cache, so every app server sees the same count. If
    the cache is down, the action is allowed (and a warning logged): ratings matter more
    than throttling them.
    """
    now = int(time.time())
    cache_key = f"throttle:{scope}:{key}:{now // window}"
    try:
        cache.add(cache_key, 0, timeout=window + 5)
        count = cache.incr(cache_key)
    except Exception:  # any cache backend error: fail open
        logger.warning("Rate limit for %s not checked: the cache is unavailable.", scope)
        return 0
    return window - now % window if count > limit else 0
