"""What a book card shows, ready for its templates: cover, credits, stars, histogram,
buy and borrow links.

One function per thing on the card, used wherever a book appears (lists, articles,
the book page, the rating script's JSON), so templates only lay it out.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from django.db.models import Model
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from .covers import cover_hue, is_held, pick_rendition, renditions_of
from .models import STARS, Book, Contribution
from .shops import links_for


def star_shapes(average: Decimal | None) -> list[str]:
    """Five shapes, "full", "half" or "empty", for an average rounded to the nearest half."""
    if average is None:
        return []
    halves = int((average * 2).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    full, half = divmod(halves, 2)
    return ["full"] * full + ["half"] * half + ["empty"] * (5 - full - half)


GLYPHS = {"full": "★", "half": "☆", "empty": "☆"}


def stars_html(average: Decimal | None) -> SafeString:
    """The five star spans of an average, in one line (spaces between them would show)."""
    return _stars_html(tuple(star_shapes(average)))


@cache  # eleven lines of stars exist (none to five, by halves)
def _stars_html(shapes: tuple[str, ...]) -> SafeString:
    return format_html_join(
        "", '<span class="star star--{}">{}</span>', ((shape, GLYPHS[shape]) for shape in shapes)
    )


def rating_context(book: Book) -> dict:
    """The card's figure: readers' ratings (here and at the source) when there are any,
    else the editor's stated rating, labelled as such; `by_editor` tells which."""
    site_count = sum(book.site_histogram)
    source_count = sum(book.source_histogram)
    average = book.rating_average
    by_editor = average is None and book.editor_rating is not None
    if by_editor:
        average = Decimal(book.editor_rating).quantize(Decimal("0.1"))
    count = site_count + source_count
    return {
        "average": average,
        "count": count,
        "stars_html": stars_html(average),
        "site_count": site_count,
        "source_count": source_count,
        # With thousands separators, as `intcomma` writes them in English: a card has
        # up to five, and the filter costs more than the rest of the stars.
        "count_text": f"{count:,}",
        "site_count_text": f"{site_count:,}",
        "source_count_text": f"{source_count:,}",
        "source": book.rating_source if source_count else "",
        "by_editor": by_editor,
    }


# How wide the card shows a cover (see .book-card in site.css), for choosing a rendition.
COVER_SIZES = "(max-width: 32rem) 5rem, 7.5rem"
# The <img>'s own src, where srcset is not understood: the rendition picked for this width.
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
    """The book's cover: renditions, else the cleaned upload, else an imported URL; None to
    draw one. An upload not cleaned yet is never shown (its EXIF may say where it was
    taken): until the worker has made its renditions, the previous cover's are."""
    renditions = renditions_of(book)
    if renditions:
        url = book.cover.storage.url
        fallback = pick_rendition(renditions, width=FALLBACK_RENDITION_WIDTH)
        return CoverImage(
            src=url(fallback.jpeg),
            width=fallback.width,
            height=fallback.height,
            srcset=", ".join(
                f"{url(rendition.jpeg)} {rendition.width}w" for rendition in renditions
            ),
            webp_srcset=", ".join(
                f"{url(rendition.webp)} {rendition.width}w" for rendition in renditions
            ),
            sizes=COVER_SIZES,
        )
    if book.cover and not is_held(book.cover.name):
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


def book_card_context(
    book: Book, *, lazy: bool = True, source: Model | None = None, prominent: bool = False
) -> dict:
    """What the card shows. `source` is the page the card is on (an article, a book, a
    reading list), which its shop links' clicks count against; `prominent` shows those
    links first, as buttons (the book's own page, a "Buy the Book" card)."""
    return {
        "book": book,
        "credits": split_credits(book),
        "rating": rating_context(book),
        "lazy": lazy,
        "cover": cover_image(book),
        "cover_hue": cover_hue(book.title),
        "shop_links": links_for(book, source=source),
        "prominent": prominent,
    }


def histogram_rows(book: Book) -> list[dict]:
    """Rows of the rating histogram, 5 stars first; empty when nobody has rated."""
    histogram = book.rating_histogram
    total = sum(histogram)
    if not total:
        return []
    return [
        {"stars": star, "count": count, "total": total, "percent": round(100 * count / total)}
        for star, count in reversed(list(zip(STARS, histogram, strict=True)))
    ]
