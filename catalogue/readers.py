"""Who is rating: the signed-in user or an anonymous visitor, and from which address.

Anonymous visitors are known by a long-lived signed, HttpOnly cookie. Addresses are
never stored: only a keyed hash, used to spot and remove floods from one network.
"""

import ipaddress
import logging
import math
import secrets
from datetime import UTC, datetime

from django.conf import settings
from django.db import DatabaseError, IntegrityError, router, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .models import RateLimitCounter, Rating
from .ratings import Reader

logger = logging.getLogger(__name__)

VISITOR_COOKIE = "colophon_visitor"
VISITOR_SALT = "colophon.catalogue.visitor"
VISITOR_COOKIE_AGE = 2 * 365 * 24 * 60 * 60


def reader_for(request: HttpRequest) -> tuple[Reader, str | None]:
    """The reader behind the request, and a new visitor id, if any: to be set in a cookie
    only once their rating is stored (a cookie for nothing would be one to collect)."""
    if request.user.is_authenticated:
        return Reader(user_id=request.user.pk), None
    visitor = request.get_signed_cookie(VISITOR_COOKIE, default=None, salt=VISITOR_SALT)
    if visitor:
        return Reader(visitor=visitor), None
    visitor = secrets.token_urlsafe(24)
    return Reader(visitor=visitor), visitor


def is_newcomer(request: HttpRequest, *, within: int) -> bool:
    """Whether the reader is new here: an anonymous visitor without the visitor cookie,
    or with one made less than `within` seconds ago.

    The cookie is given only with a stored rating and is signed with the time it was
    made, so cookies collected ahead of a burst leave their holders new all the same;
    an older one makes a regular reader only once one of its ratings counts, so cookies
    collected with ratings that were all held, then kept past the window, stay new too.
    """
    if request.user.is_authenticated:
        return False
    visitor = request.get_signed_cookie(VISITOR_COOKIE, default=None, salt=VISITOR_SALT)
    if not visitor:
        return True  # no cookie, or one we did not sign
    # The same cookie with a maximum age: refused now only for being older than that.
    young = request.get_signed_cookie(
        VISITOR_COOKIE, default=None, salt=VISITOR_SALT, max_age=within
    )
    if young is not None:
        return True
    counted = Rating.objects.filter(
        user__isnull=True, visitor=visitor, status=Rating.Status.COUNTED
    )
    return not counted.exists()


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


FORGET_BATCH = 1_000  # ended windows deleted at once, whenever a new window opens


def count_action(scope: str, key: str, window: int) -> tuple[int, int]:
    """Count one action by `key` in the current `window` seconds: the count so far
    (this one included) and the seconds until the window ends.

    The counter is a row in the database: shared by every app server and never evicted
    by the page cache. If it cannot be written, the action counts as the first (and a
    warning is logged): ratings matter more than throttling them.
    """
    now = timezone.now()
    seconds = int(now.timestamp())
    ends_at = datetime.fromtimestamp(seconds - seconds % window + window, tz=UTC)
    database = router.db_for_write(RateLimitCounter)  # read back where it was written
    counters = RateLimitCounter.objects.using(database)
    this_window = counters.filter(scope=scope, key=key, window_ends_at=ends_at)
    opened = False
    try:
        with transaction.atomic(using=database):
            # The update locks the row until commit, so the count read back is exact.
            if not this_window.update(count=F("count") + 1):
                try:
                    with transaction.atomic(using=database):
                        counters.create(scope=scope, key=key, window_ends_at=ends_at, count=1)
                    opened = True
                except IntegrityError:  # another request opened it first
                    this_window.update(count=F("count") + 1)
            count = this_window.values_list("count", flat=True).get()
        if opened:
            ended = counters.filter(window_ends_at__lte=now).values_list("pk", flat=True)
            counters.filter(pk__in=list(ended[:FORGET_BATCH])).delete()
    except DatabaseError:
        logger.warning("Rate limit for %s not checked: the database refused the count.", scope)
        return 1, 0
    return count, max(1, math.ceil((ends_at - now).total_seconds()))


def over_limit(scope: str, key: str, limit: int, window: int) -> int:
    """Count one action; the seconds to wait if that makes more than `limit` in the
    window, else 0."""
    count, window_left = count_action(scope, key, window)
    return window_left if count > limit else 0
