"""Colophon's short redirect to a shop: `/go/<book>/<shop>/?from=<token>` answers its
302 at once and counts the click per day, book, shop and the page the link was on.

The page is named by a signed token, so a forged `from` counts as no page. Nothing
personal is kept: a reader is known for one day only, as a keyed hash of their address
in the cache (never the database, never a log), so that one reader's clicks count once.
"""

import ipaddress
import logging
import math
import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from functools import lru_cache, partial
from http import HTTPStatus
from urllib.parse import urlencode, urlsplit

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import DisallowedRedirect
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.views.decorators.http import require_safe

from shared.clients import client_address

# Signs the `from` token; its own salt, so no other signed value of the site passes.
SOURCE_SALT = "catalogue.shop_clicks.source"
_source_signer = signing.Signer(salt=SOURCE_SALT, sep=".")


def click_url(book, shop, source: models.Model | None = None) -> str:
    """The address of `book`'s link to `shop` on the page of `source` (an article, a
    book, a reading list; None when the page is no object)."""
    return click_addresses(source)(book, shop)


def click_addresses(source: models.Model | None = None) -> Callable[..., str]:
    """`click_url` for the links of one page: `address(book, shop)`.

    A page has dozens of links, all from one source: their addresses are put together
    from the route's reversed shape and the source's signed query, each worked out once,
    not with a reverse() and a signature per link."""
    before_book, before_shop, after_shop = _click_path_shape(
        get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF
    )
    query = "" if source is None or source.pk is None else _from_query(source)

    def address(book, shop) -> str:
        if not SLUG.fullmatch(shop.slug):  # reverse() says why such a slug has no address
            kwargs = {"book_id": book.pk, "shop": shop.slug}
            return reverse("catalogue:shop-click", kwargs=kwargs) + query
        return f"{before_book}{int(book.pk)}{before_shop}{shop.slug}{after_shop}{query}"

    return address


def source_token(source: models.Model) -> str:
    """`source` as a signed token: its model's label and its primary key.

    The label, not the ContentType's id, so that building a link costs no query."""
    return _signed_source(source._meta.label_lower, source.pk)


# What reverse() takes for the route's <slug:shop>; any other slug goes through it.
SLUG = re.compile(r"[-a-zA-Z0-9_]+")
# Stand-ins reversed once to find where a link's book and shop go in its address.
_SHAPE_BOOK, _SHAPE_SHOP = 987654321, "shop-slug"


@lru_cache(maxsize=16)
def _click_path_shape(script_prefix: str, urlconf: str) -> tuple[str, str, str]:
    """The /go/ address around its book id and shop slug, under this script prefix and
    URL configuration (both are keys: a request or a test may change either)."""
    path = reverse(
        "catalogue:shop-click",
        urlconf=urlconf,
        kwargs={"book_id": _SHAPE_BOOK, "shop": _SHAPE_SHOP},
    )
    before_book, _, rest = path.rpartition(str(_SHAPE_BOOK))
    before_shop, _, after_shop = rest.rpartition(_SHAPE_SHOP)
    return before_book, before_shop, after_shop


# The signer's key is read when it is made (at import), so a source's token never
# changes in a process: each is signed once, however many links and pages carry it.
@lru_cache(maxsize=4096)
def _signed_source(label: str, pk) -> str:
    return _source_signer.sign(f"{label}-{pk}")


def _from_query(source: models.Model) -> str:
    return f"?{urlencode({'from': source_token(source)})}"


def source_from_token(token: str) -> tuple[type[models.Model], int] | None:
    """The model and primary key a token names, or None for a forged or bad token."""
    try:
        value = _source_signer.unsign(token)
    except signing.BadSignature:
        return None
    label, _, pk = value.rpartition("-")
    try:
        return apps.get_model(label), int(pk)
    except (LookupError, ValueError):
        return None


# Who is not a reader: crawlers, link-preview fetchers, scripts. An empty User-Agent too.
NOT_A_READER = re.compile(
    r"bot|crawl|spider|slurp|facebookexternalhit|facebookcatalog|embedly|preview|"
    r"whatsapp|telegram|skype|vkshare|pinterest|headlesschrome|phantomjs|lighthouse|"
    r"python-requests|python-urllib|aiohttp|httpx|curl|wget|libwww|go-http-client|"
    r"java/|okhttp|axios|node-fetch|scrapy|feedfetcher",
    re.IGNORECASE,
)
# Headers by which browsers say a request is a prefetch or a preview, not a click.
PREFETCH_HEADERS = {
    "Sec-Purpose": "prefetch",
    "Purpose": "prefetch",
    "X-Purpose": "preview",
    "X-Moz": "prefetch",
}
# A click whose page is unknown, forged or not public counts against the book with this
# source: the Book content type and no book's key (primary keys start at 1).
NO_SOURCE_ID = 0
# Different links one reader (an address, an IPv6 /64) has counted in a day, at most:
# readers follow a few; a script walking every book's links from one machine would
# write a row per book, shop and page, and a cache key each, every day. Past it, the
# reader still lands at the shop, uncounted.
READER_CLICKS_A_DAY = 200

logger = logging.getLogger(__name__)


@require_safe
def shop_click(request: HttpRequest, book_id: int, shop: str) -> HttpResponse:
    """302 to the shop's address for the book, the one the book's links give
    (`catalogue.shops.links_for`); the click is counted once the answer is sent."""
    from .models import Book  # not at the top: catalogue.shops imports this module
    from .shops import links_for

    book = Book.objects.public().filter(pk=book_id).first()
    link = None
    if book is not None:
        links = links_for(book)
        link = next((link for link in [*links.buy, *links.borrow] if link.shop.slug == shop), None)
    # http(s) and a host alone: Django's redirect would also take "//elsewhere" or ftp.
    parts = urlsplit(link.destination) if link is not None else None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return _no_such_link(request, book)
    try:
        response = CountedRedirect(link.destination)
    except DisallowedRedirect:  # a pattern an editor gave a scheme no browser should follow
        return _no_such_link(request, book)
    if counts_as_a_click(request):
        response.count = partial(
            count_click,
            reader=client_address(request),
            book=book,
            shop=link.shop,
            source=source_from_token(request.GET.get("from", "")),
        )
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "strict-origin"  # the shop learns the site, not the page
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _no_such_link(request: HttpRequest, book) -> HttpResponse:
    response = render(
        request, "catalogue/shop_click_missing.html", {"book": book}, status=HTTPStatus.NOT_FOUND
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


class CountedRedirect(HttpResponseRedirect):
    """A redirect that counts its click when the server is done sending it (Django calls
    `close()` after the last byte), so counting never delays the answer."""

    count = None

    def close(self) -> None:
        try:
            if self.count is not None:
                self.count()
        finally:
            super().close()


def counts_as_a_click(request: HttpRequest) -> bool:
    """Whether the request is a reader's click: not a HEAD, not a prefetch or a link
    preview, not a known crawler or script."""
    if request.method != "GET":
        return False
    for header, value in PREFETCH_HEADERS.items():
        if value in request.headers.get(header, "").lower():
            return False
    user_agent = request.headers.get("User-Agent", "").strip()
    return bool(user_agent) and not NOT_A_READER.search(user_agent)


def count_click(*, reader: str, book, shop, source, today: date | None = None) -> bool:
    """Count a click on `book`'s link to `shop` from `source` (a model and a key, or
    None), once a day for each reader; whether it counted. Never raises: a failure is
    logged (without the reader) and the click is lost."""
    try:
        today = today or timezone.localdate()
        share_key = _reader_share_key(reader, today)
        if cache.get(share_key, 0) >= READER_CLICKS_A_DAY:
            return False
        if not cache.add(_reader_key(reader, book, shop, source, today), 1, _until_midnight()):
            return False
        cache.add(share_key, 0, _until_midnight())  # the reader's first link today
        cache.incr(share_key)  # atomic: two first clicks at once count two
        source_type, source_id = _public_source(source)
        record_click(day=today, shop=shop, book=book, source_type=source_type,
                     source_id=source_id)  # fmt: skip
        return True
    except Exception:  # counting never breaks the redirect: said in the log, not to the reader
        logger.exception("A click on %s at %s was not counted", book.pk, shop.slug)
        return False


def record_click(
    *, day: date, shop, book, source_type: ContentType, source_id: int, clicks: int = 1
) -> None:
    """Add `clicks` to the day's row for this book, shop and page, making it if it is
    the day's first: update first (the usual case), create, and if another request
    created it meanwhile (the unique constraint says so), update that."""
    from .shops import ShopClick

    row = {"day": day, "shop": shop, "book": book, "source_type": source_type,
           "source_id": source_id}  # fmt: skip
    if ShopClick.objects.filter(**row).update(count=F("count") + clicks):
        return
    try:
        with transaction.atomic():
            ShopClick.objects.create(**row, count=clicks)
    except IntegrityError:
        ShopClick.objects.filter(**row).update(count=F("count") + clicks)


record_click.alters_data = True


def move_clicks(*, kept, duplicate) -> None:
    """A merged book's clicks become the kept book's: those on its links, and those
    from its page; a day's rows that meet are added together (catalogue.merging)."""
    from .models import Book
    from .shops import ShopClick

    book_type = ContentType.objects.get_for_model(Book)
    rows = ShopClick.objects.filter(
        models.Q(book=duplicate) | models.Q(source_type=book_type, source_id=duplicate.pk)
    ).select_related("shop", "source_type", "book")
    for row in list(rows):
        from_duplicate = row.source_type_id == book_type.pk and row.source_id == duplicate.pk
        row.delete()
        record_click(
            day=row.day,
            shop=row.shop,
            book=kept if row.book_id == duplicate.pk else row.book,
            source_type=row.source_type,
            source_id=kept.pk if from_duplicate else row.source_id,
            clicks=row.count,
        )


move_clicks.alters_data = True


def _public_source(source: tuple[type[models.Model], int] | None) -> tuple[ContentType, int]:
    """The content type and key a click is counted against: the page's if it exists and
    readers may see it (its `is_public`), else no page (a draft's preview is the desk's)."""
    if source is not None:
        model, pk = source
        page = model._default_manager.filter(pk=pk).first()
        if page is not None and getattr(page, "is_public", False) is True:
            return ContentType.objects.get_for_model(model), pk
    from .models import Book

    return ContentType.objects.get_for_model(Book), NO_SOURCE_ID


def _reader_key(reader: str, book, shop, source, today: date) -> str:
    """The cache key that says this reader clicked this link today: a keyed hash whose
    key changes each day, so the address cannot be read back from it, nor matched from
    one day to the next."""
    model, pk = source if source is not None else (None, NO_SOURCE_ID)
    label = model._meta.label_lower if model is not None else ""
    reader = _network_of(reader)
    digest = salted_hmac(
        f"catalogue.shop_clicks.reader.{today.isoformat()}",
        f"{reader}|{book.pk}|{shop.pk}|{label}|{pk}",
        algorithm="sha256",
    ).hexdigest()
    return f"shop-click:{digest}"


def _reader_share_key(reader: str, today: date) -> str:
    """The cache key counting the links this reader has counted today (READER_CLICKS_A_DAY),
    keyed by a hash as `_reader_key` is."""
    digest = salted_hmac(
        f"catalogue.shop_clicks.share.{today.isoformat()}", _network_of(reader), algorithm="sha256"
    ).hexdigest()
    return f"shop-click-share:{digest}"


def _network_of(address: str) -> str:
    """An IPv6 address as its /64, what one machine or household is given (it may use any
    address within it): a flood from one network counts once. IPv4 stays itself."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6 and parsed.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return address


def _until_midnight() -> int:
    """Seconds left in the site's day: the reader's key goes with it."""
    now = timezone.localtime()
    midnight = datetime.combine(now.date() + timedelta(days=1), time(), tzinfo=now.tzinfo)
    return max(1, math.ceil((midnight - now).total_seconds()))
