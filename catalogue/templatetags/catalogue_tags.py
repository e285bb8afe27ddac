"""The book card and the rating stars: one template each, used wherever a book appears."""

import zlib
from decimal import ROUND_HALF_UP, Decimal

from django import template

from catalogue.models import Book

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


def book_card_context(book: Book, *, lazy: bool = True) -> dict:
    return {
        "book": book,
        "rating": rating_context(book),
        "lazy": lazy,
        "cover_hue": cover_hue(book.title),
    }


@register.inclusion_tag("includes/book_card.html")
def book_card(book: Book, lazy: bool = True) -> dict:
    """`{% book_card book %}`: the card; pass lazy=False for a card above the fold."""
    return book_card_context(book, lazy=lazy)


@register.inclusion_tag("includes/rating_stars.html")
def rating_stars(book: Book) -> dict:
    return {"rating": rating_context(book)}
