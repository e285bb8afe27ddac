"""Where a reader can buy or borrow a book: shops and libraries are data, not code.

A `Shop` is a name, a kind (buy or borrow) and a URL pattern filled from the book's
identifiers; editors switch shops off, reorder them, and override one per book
(`BookShopLink`). Readers reach a shop through Colophon's own short redirect, which
counts the click per book, shop, page and day (`ShopClick`) and keeps nothing personal.
"""

import re
import string
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from urllib.parse import quote

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, URLValidator
from django.db import models

from .querysets import SHOP_LINKS_ATTRIBUTE
from .shop_clicks import click_addresses

# The identifiers a URL pattern may use, and what fills each one.
PATTERN_FIELDS = ("isbn13", "isbn10", "asin", "title", "affiliate")


class Shop(models.Model):
    """A bookshop, retailer or library that readers can be sent to for any book."""

    class Kind(models.TextChoices):
        BUY = "buy", "Buy"
        BORROW = "borrow", "Borrow"

    name = models.CharField(max_length=100)
    slug = models.SlugField(
        max_length=50,
        unique=True,
        help_text="Names the shop in its click address and in the AFFILIATE_CODES setting.",
    )
    kind = models.CharField(max_length=6, choices=Kind, default=Kind.BUY)
    url_pattern = models.CharField(
        "address pattern",
        max_length=500,
        help_text="The book's address at this shop, with {isbn13}, {isbn10}, {asin} or "
        "{title} where the book's own value goes.",
    )
    affiliate_url_pattern = models.CharField(
        "affiliate address pattern",
        max_length=500,
        blank=True,
        help_text="Used instead when the AFFILIATE_CODES setting has a code for this shop: "
        "the same, with {affiliate} where the code goes. Such links are marked sponsored.",
    )
    position = models.PositiveSmallIntegerField(default=0, help_text="Lower comes first.")
    enabled = models.BooleanField(
        default=True,
        help_text="Switched off, no card or book page links to it, and the clicks it had "
        "stay in the report. A shop with clicks is switched off, never deleted.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "name", "pk"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        """Each pattern must make a web address from the placeholders it may use: an
        unknown placeholder, an open brace or an address that is not http(s) is refused,
        named in the message, and the editor's text is kept in the form."""
        errors = {}
        for name, allowed in [
            ("url_pattern", [f for f in PATTERN_FIELDS if f != "affiliate"]),
            ("affiliate_url_pattern", PATTERN_FIELDS),
        ]:
            pattern = getattr(self, name)
            if pattern and (error := pattern_error(pattern, allowed)):
                errors[name] = error
        if (
            self.affiliate_url_pattern
            and "affiliate_url_pattern" not in errors
            and "affiliate" not in placeholders_in(self.affiliate_url_pattern)
        ):
            errors["affiliate_url_pattern"] = (
                "An affiliate address pattern needs {affiliate} where the code goes."
            )
        if errors:
            raise ValidationError(errors)


def pattern_error(pattern: str, allowed) -> str:
    """Why `pattern` cannot make a shop's address, in words; "" when it can."""
    try:
        names = placeholders_in(pattern)
    except ValueError as error:
        return f"“{pattern}” is not a pattern: {error}."
    unknown = [name for name in names if name not in allowed]
    if unknown:
        known = ", ".join(f"{{{name}}}" for name in allowed)
        return f"Unknown placeholder {{{unknown[0]}}}: use {known}."
    address = fill_pattern(pattern, SAMPLE_VALUES)
    try:
        URLValidator(schemes=["http", "https"])(address)
    except ValidationError:
        return (
            f"“{pattern}” does not make a web address: it must start with https:// (or "
            "http://) and a host name, such as https://bookshop.org/book/{isbn13}."
        )
    return ""


class BookShopLink(models.Model):
    """One book at one shop, where it differs from the shop's pattern: hidden, another
    address, or a price the editor knows."""

    book = models.ForeignKey("catalogue.Book", on_delete=models.CASCADE, related_name="shop_links")
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="book_links")
    hidden = models.BooleanField(
        "not shown", default=False, help_text="No link to this shop for this book."
    )
    url = models.URLField(
        "address", max_length=500, blank=True, help_text="Instead of the shop's pattern."
    )
    price = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="Only a price you know: it is shown to search engines as an offer.",
    )
    currency = models.CharField(max_length=3, blank=True, help_text="ISO 4217, e.g. GBP.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["book", "shop"], name="book_shop_link_once"),
            models.CheckConstraint(
                condition=models.Q(price__isnull=True) | ~models.Q(currency=""),
                name="book_shop_link_price_has_currency",
                violation_error_message="A price needs its currency.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.book} at {self.shop}"

    def clean(self):
        """A price needs its currency (a three-letter code); an address must be http(s)."""
        errors = {}
        self.currency = self.currency.strip().upper()
        if self.url and not self.url.lower().startswith(("https://", "http://")):
            errors["url"] = "The address must start with https:// (or http://)."
        if self.currency and not re.fullmatch(r"[A-Z]{3}", self.currency):
            errors["currency"] = (
                f"“{self.currency}” is not a currency code: three letters, such as GBP, EUR or USD."
            )
        if self.price is not None and not self.currency:
            errors["currency"] = "A price needs its currency: three letters, such as GBP."
        if errors:
            raise ValidationError(errors)


class ShopClick(models.Model):
    """Clicks on one day from one page (an article, a book page, a list) on one book's
    link to one shop: a count, nothing about who clicked."""

    day = models.DateField()
    # A shop whose clicks were counted is switched off, never deleted with its history.
    shop = models.ForeignKey(Shop, on_delete=models.PROTECT, related_name="clicks")
    book = models.ForeignKey("catalogue.Book", on_delete=models.CASCADE, related_name="shop_clicks")
    # The page the link was on. Generic: the catalogue does not know the articles app.
    source_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    source_id = models.PositiveBigIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "shop", "book", "source_type", "source_id"],
                name="shop_click_one_row_a_day",
            )
        ]
        indexes = [
            models.Index(fields=["source_type", "source_id", "day"], name="shop_click_by_source"),
            models.Index(fields=["book", "day"], name="shop_click_by_book"),
        ]

    def __str__(self) -> str:
        return f"{self.day}: {self.count} to {self.shop} for {self.book}"


# --- Links: what a card shows for one book ----------------------------------------------

# For a pattern's preview in the desk, and for checking that a pattern makes an address.
SAMPLE_VALUES = {
    "isbn13": "9780306822087",
    "isbn10": "0306822083",
    "asin": "0306822083",
    "title": "The Last Battle",
    "affiliate": "colophon-21",
}


def placeholders_in(pattern: str) -> list[str]:
    """The placeholders a pattern names, in order ("{isbn13}" -> "isbn13"); raises
    ValueError for a brace left open or a placeholder written with a format."""
    names = []
    for _text, name, spec, conversion in string.Formatter().parse(pattern):
        if name is None:
            continue
        if spec or conversion:
            raise ValueError(f"write the placeholder {{{name}}} without “:” or “!”")
        names.append(name)
    return names


def fill_pattern(pattern: str, values: dict[str, str]) -> str | None:
    """The pattern with each placeholder replaced by its value, URL-quoted (a title's
    spaces, quotes and letters of any script); None when a value is missing, so a book
    without the identifier a shop needs gets no link rather than a broken one."""
    filled = []
    for text, name in _pattern_parts(pattern):
        filled.append(text)
        if name is None:
            continue
        value = values.get(name, "")
        if not value:
            return None
        filled.append(quote(str(value), safe=""))
    return "".join(filled)


@lru_cache(maxsize=256)
def _pattern_parts(pattern: str) -> tuple[tuple[str, str | None], ...]:
    """A pattern's text and placeholder names in turn, parsed once: every card fills the
    same few patterns."""
    return tuple((text, name) for text, name, _spec, _conv in string.Formatter().parse(pattern))


def pattern_values(book) -> dict[str, str]:
    """What fills a pattern for `book`. `{asin}` is its ASIN, or for a book without one its
    ISBN-10: Amazon uses a print book's ISBN-10 as its ASIN (a 979 ISBN has none)."""
    isbn10 = book.isbn10  # worked out from the ISBN-13 each time it is asked for
    return {
        "isbn13": book.isbn13,
        "isbn10": isbn10,
        "asin": book.asin or isbn10,
        "title": book.title,
    }


def affiliate_code(shop: Shop) -> str:
    """The shop's affiliate code from settings.AFFILIATE_CODES, or ""."""
    return str(settings.AFFILIATE_CODES.get(shop.slug, "") or "")


def earns(shop: Shop) -> bool:
    """Whether links to the shop earn Colophon a commission: it has an affiliate
    address pattern and the environment gives its code."""
    return bool(shop.affiliate_url_pattern and affiliate_code(shop))


def shop_address(shop: Shop, values: dict[str, str]) -> str | None:
    """The shop's address for a book's values (pattern_values): the affiliate pattern
    when the shop earns, else the plain one; None when the book lacks a value."""
    if earns(shop):
        return fill_pattern(
            shop.affiliate_url_pattern, {**values, "affiliate": affiliate_code(shop)}
        )
    return fill_pattern(shop.url_pattern, values)


@dataclass(frozen=True)
class ShopLink:
    """One link on a card: `url` is Colophon's counting redirect, `destination` the
    shop's own address it leads to."""

    shop: Shop
    url: str
    destination: str
    sponsored: bool
    price: Decimal | None = None
    currency: str = ""

    @property
    def rel(self) -> str:
        # No "nofollow": an unpaid link to a shop or library is an ordinary citation;
        # a paid one says "sponsored", which search engines read as nofollow and more.
        return "sponsored noopener" if self.sponsored else "noopener"


@dataclass(frozen=True)
class ShopLinks:
    """A book's links to buy and to borrow it, in the shops' order."""

    buy: list[ShopLink] = field(default_factory=list)
    borrow: list[ShopLink] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.buy or self.borrow)

    def __iter__(self):
        return iter([*self.buy, *self.borrow])

    @property
    def sponsored(self) -> bool:
        """Whether any link earns Colophon a commission (the page then says so)."""
        return any(link.sponsored for link in self)

    @property
    def sponsored_names(self) -> list[str]:
        return [link.shop.name for link in self if link.sponsored]

    @property
    def disclosure(self) -> str:
        """The plain sentence shown near the links when any of them earns, naming them."""
        return disclosure_sentence(self.sponsored_names)

    @property
    def unpaid_disclosure(self) -> str:
        return UNPAID_DISCLOSURE


# Said where links are shown to sell (the book page, the card under "Buy the Book", an
# article's foot) when none of them earns: readers should not have to guess.
UNPAID_DISCLOSURE = (
    "Colophon is paid nothing for these links; it counts clicks on them, never who clicked."
)


def disclosure_sentence(shop_names: list[str]) -> str:
    """“Colophon earns a commission on purchases made through the Bookshop.org and Amazon
    links.” for the shops whose links earn; "" when none do."""
    names = list(dict.fromkeys(shop_names))
    if not names:
        return ""
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    return f"Colophon earns a commission on purchases made through the {listed} link" + (
        "s." if len(names) > 1 else "."
    )


# The enabled shops, read from the database once per change: kept in the shared cache
# under a version that every change moves on (so a copy read before a change is never
# used after it), and, within a request, read from the cache once (see signals.py).
SHOPS_VERSION_KEY = "catalogue:shops-version"
SHOPS_CACHE_SECONDS = 24 * 3600  # a copy left behind by a change expires
# With a cache of this process's own (local memory: no CACHE_URL), another process's
# change never reaches its copy: kept this long only, and its age told to what keeps
# cards for every process (shops_read_at).
PER_PROCESS_SHOPS_SECONDS = 60
_request_copy = threading.local()
_change_pending = False  # a change this process could not announce: the cache was down


def enabled_shops() -> list[Shop]:
    """The enabled shops in order: no query but after a change, none per card. With the
    cache unavailable, from the database (a page still shows its links)."""
    if getattr(_request_copy, "active", False) and _request_copy.shops is not None:
        return _request_copy.shops
    try:
        read_at, shops = _cached_shops()
    except Exception:  # noqa: BLE001 - any cache backend's connection error
        read_at, shops = time.time_ns(), _shops_from_database()
    if getattr(_request_copy, "active", False):
        _request_copy.shops = shops
        _request_copy.read_at = read_at
    return shops


def shops_read_at() -> int | None:
    """When the shops this request shows were read from the database (time.time_ns()),
    if they may be older than a change another process made (a cache of this process's
    own); None when they cannot, or none were read. A card showing them is not stored
    for every process (pagecache.stored_parts) if a shop changed since."""
    if not getattr(_request_copy, "active", False) or _request_copy.shops is None:
        return None
    return _request_copy.read_at if _cache_is_per_process() else None


def _cache_is_per_process() -> bool:
    return isinstance(caches[DEFAULT_CACHE_ALIAS], LocMemCache)


def _shops_from_database() -> list[Shop]:
    return list(Shop.objects.filter(enabled=True).order_by(*Shop._meta.ordering))


def _cached_shops() -> tuple[int, list[Shop]]:
    global _change_pending
    if _change_pending:
        _move_version_on()
        _change_pending = False
    version = cache.get(SHOPS_VERSION_KEY)
    if version is None:
        cache.add(SHOPS_VERSION_KEY, time.time_ns(), None)
        version = cache.get(SHOPS_VERSION_KEY)
    key = f"catalogue:shops:v2:{version}"  # (read_at, shops) since v2
    entry = cache.get(key)
    if entry is None:
        entry = (time.time_ns(), _shops_from_database())  # the time first
        seconds = PER_PROCESS_SHOPS_SECONDS if _cache_is_per_process() else SHOPS_CACHE_SECONDS
        cache.set(key, entry, seconds)
    return entry


def _move_version_on() -> None:
    try:
        cache.incr(SHOPS_VERSION_KEY)
    except ValueError:  # not in the cache (new, or evicted)
        cache.set(SHOPS_VERSION_KEY, time.time_ns(), None)


def shops_changed() -> None:
    """Every process reads the shops afresh: called when a shop changes and once the
    change is committed. Never raises: with the cache down, this process announces the
    change when it next reads the shops from the cache."""
    global _change_pending
    _request_copy.shops = None
    try:
        _move_version_on()
    except Exception:  # noqa: BLE001 - any cache backend's connection error
        _change_pending = True


def request_begins() -> None:
    _request_copy.active, _request_copy.shops = True, None


def request_ends() -> None:
    _request_copy.active, _request_copy.shops = False, None


def links_for(book, *, source: models.Model | None = None) -> ShopLinks:
    """`book`'s buy and borrow links on the page of `source` (an article, a book, a
    reading list, or None): the enabled shops in order, less those the book hides, each
    to the book's own address there (an editor's override) or the shop's pattern filled
    from its identifiers; no link where the book lacks the identifier a pattern needs.

    No query for a book from `for_cards()` (its overrides come prefetched) once the
    shops are read (enabled_shops)."""
    own_links = getattr(book, SHOP_LINKS_ATTRIBUTE, None)
    if own_links is None:  # a book not read for cards (the click's redirect)
        own_links = book.shop_links.all()
    overrides = {link.shop_id: link for link in own_links}
    values = pattern_values(book)
    click_url = click_addresses(source)
    links = ShopLinks()
    for shop in enabled_shops():
        override = overrides.get(shop.pk)
        if override is not None and override.hidden:
            continue
        destination = (override.url if override else "") or shop_address(shop, values)
        if not destination:
            continue
        link = ShopLink(
            shop=shop,
            url=click_url(book, shop),
            destination=destination,
            # An address the editor gave for an earning shop may well carry the code
            # too: marked, since a disclosure too many is harmless and one too few is not.
            sponsored=earns(shop),
            price=override.price if override else None,
            currency=override.currency if override else "",
        )
        (links.buy if shop.kind == Shop.Kind.BUY else links.borrow).append(link)
    return links
