"""The book card and the rating stars: one template each, used wherever a book appears."""

import json
import zlib
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from catalogue.models import Book, Contribution
from config.pagecache import placeholder

register = template.Library()


def star_shapes(average: Decimal | None) -> list[str]:
    """Five shapes, "full", "half" or "empty", for an average rounded to the nearest half."""
    if average is None:
        return []
    halves = int((average * 2).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    full, half = divmod(halves, 2)
    return ["full"] * full + ["half"] * half + ["empty"] * (5 - full - half)


def rating_context(book: Book) -> dict:
    average = book.rating_average
    site_count = sum(book.site_histogram)
    source_count = sum(book.source_histogram)
    return {
        "average": average,
        "count": site_count + source_count,
        "stars": star_shapes(average),
        "site_count": site_count,
        "source_count": source_count,
        "source": book.rating_source if source_count else "",
    }


COVER_HUES = 8


def cover_hue(title: str) -> int:
    """A stable colour (one of COVER_HUES) for a generated cover, derived from the title."""
    return zlib.crc32(title.encode()) % COVER_HUES


# How wide the card shows a cover (see .book-card in site.css), for choosing a rendition.
COVER_SIZES = "(max-width: 32rem) 5rem, 7.5rem"
# The rendition an <img> falls back to where srcset is not understood.
FALLBACK_RENDITION_WIDTH = 320
# Imported cover URLs (Goodreads' "m" images) are about this size; we never fetch them.
IMPORTED_COVER_SIZE = (98, 148)


@dataclass(frozen=True)
class CoverImage:
    """What the cover's <img> (and <picture>, with renditions) needs; no lookups in templates."""

    src: str
    width: int | None
    height: int | None
    srcset: str = ""
    webp_srcset: str = ""
    sizes: str = ""
    imported: bool = False


def cover_image(book: Book) -> CoverImage | None:
    """The book's cover: renditions, else the upload, else an imported URL; None to draw one."""
    if book.cover and book.cover_renditions:
        storage = book.cover.storage
        renditions = sorted((int(width), files) for width, files in book.cover_renditions.items())
        width, files = next(
            (item for item in renditions if item[0] == FALLBACK_RENDITION_WIDTH), renditions[-1]
        )
        return CoverImage(
            src=storage.url(files["jpeg"]),
            width=width,
            height=files["height"],
            srcset=", ".join(f"{storage.url(f['jpeg'])} {w}w" for w, f in renditions),
            webp_srcset=", ".join(f"{storage.url(f['webp'])} {w}w" for w, f in renditions),
            sizes=COVER_SIZES,
        )
    if book.cover:
        return CoverImage(src=book.cover.url, width=book.cover_width, height=book.cover_height)
    if book.cover_url.startswith(("https://", "http://")):
        width, height = IMPORTED_COVER_SIZE
        return CoverImage(src=book.cover_url, width=width, height=height, imported=True)
    return None


def split_credits(book: Book) -> dict:
    """Authors ("by …") apart from translators, illustrators and other contributors ("with …")."""
    credits = book.credits
    return {
        "authors": [c for c in credits if c.role == Contribution.Role.AUTHOR],
        "others": [c for c in credits if c.role != Contribution.Role.AUTHOR],
    }


def book_card_context(book: Book, *, lazy: bool = True) -> dict:
    return {
        "book": book,
        "credits": split_credits(book),
        "rating": rating_context(book),
        "lazy": lazy,
        "cover": cover_image(book),
        "cover_hue": cover_hue(book.title),
    }


@register.inclusion_tag("includes/book_card.html")
def book_card(book: Book, lazy: bool = True) -> dict:
    """`{% book_card book %}`: the card; pass lazy=False for a card above the fold."""
    return book_card_context(book, lazy=lazy)


JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.simple_tag(takes_context=True)
def book_json_ld(context, book: Book) -> str:
    """schema.org Book as JSON-LD; AggregateRating only from ratings given on this site.

    Imported or editor-entered figures are shown on the page with their source, but
    never marked up: search engines treat copied ratings as spam.
    """
    request = context["request"]
    data = {
        "@context": "https://schema.org",
        "@type": "Book",
        "name": book.full_title,
        "url": request.build_absolute_uri(book.get_absolute_url()),
        "author": [
            {"@type": "Person", "name": credit.author.name}
            for credit in book.credits
            if credit.role == Contribution.Role.AUTHOR
        ],
    }
    if book.isbn13:
        data["isbn"] = book.isbn13
    if book.language:
        data["inLanguage"] = book.language
    if book.print_length:
        data["numberOfPages"] = book.print_length
    if book.publisher:
        data["publisher"] = {"@type": "Organization", "name": book.publisher}
    if book.publication_year and book.publication_year > 0:
        data["datePublished"] = str(book.publication_year)
    cover = cover_image(book)
    if cover:
        data["image"] = request.build_absolute_uri(cover.src)
    site_count = sum(book.site_histogram)
    if site_count:
        data["aggregateRating"] = {
            "@type": "AggregateRating",
            "ratingValue": str(book.site_rating_average),
            "ratingCount": site_count,
            "bestRating": 5,
            "worstRating": 1,
        }
    payload = json.dumps(data, ensure_ascii=False).translate(JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))


@register.simple_tag
def visitor_part(name: str, argument: object = "") -> str:
    """A placeholder filled per request (config.pagecache): the page around it is shared."""
    return placeholder(name, argument)
