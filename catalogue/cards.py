"""What a book card shows, ready for its templates: cover, credits, stars, histogram,
buy and borrow links.

One function per thing on the card, used wherever a book appears (lists, articles,
the book page, the rating script's JSON), so templates only lay it out.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache, lru_cache
from html import escape

from django.conf import settings
from django.db.models import Model
from django.template import Context
from django.template.loader import get_template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from .covers import cover_hue, is_held, pick_rendition, renditions_of
from .models import STARS, Book, Contribution
from .shops import ShopLink, ShopLinks, links_for


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
    else the editor's stated rating, labelled as such; `by_editor` tells which.

    Its words are made here, not in the template: on a page of cards, the template's
    conditions and filters for them cost more than the rest of the card."""
    site_count = sum(book.site_histogram)
    source_count = sum(book.source_histogram)
    average = book.rating_average
    by_editor = average is None and book.editor_rating is not None
    if by_editor:
        average = Decimal(book.editor_rating).quantize(Decimal("0.1"))
    count = site_count + source_count
    source = book.rating_source if source_count else ""
    # A Decimal as templates write it ("4.0", never "4"); counts with thousands
    # separated, as `intcomma` writes them in English.
    average_text = f"{average:f}" if average is not None else ""
    if by_editor:
        # A figure the editor states, before anyone rates: no count, no retailer, only whose.
        summary = "the editor’s rating"
        spoken = f"Rated {average_text} out of 5 by the editor"
    else:
        plural = "" if count == 1 else "s"
        if source and site_count:
            split = f"{source_count:,} on {source}, {site_count:,} on Colophon"
            where, spoken_where = f": {split}", f" ({split})"
        elif source:
            where = spoken_where = f" on {source}"
        else:
            where = spoken_where = ""
        summary = f"{count:,} rating{plural}{where}"
        spoken = f"Rated {average_text} out of 5 by {count:,} reader{plural}{spoken_where}"
    return {
        "average": average,
        "count": count,
        "by_editor": by_editor,
        "shown": bool(count or by_editor),
        "stars_html": stars_html(average),
        "average_text": average_text,
        "summary": summary,  # beside the stars: "1,187 ratings on Goodreads"
        "spoken": spoken,  # what a screen reader reads instead of the stars
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
        "first": credits[0] if credits else None,  # named on a drawn cover
    }


def credit_links(
    credits: list[Contribution], address: Callable[[str, str], str] | None = None
) -> list[dict]:
    """Each credit as the card links it: the author's page, their name, and their role
    in lower case ("translator"), none for a plain contributor. `address`: the card's
    card_addresses()."""
    address = address or card_addresses()
    return [
        {
            "url": address(AUTHOR_ROUTE, credit.author.slug),
            "name": credit.author.name,
            "role": ROLE_NAMES.get(credit.role, credit.role.lower()),
        }
        for credit in credits
    ]


# Each role as a card names it, in lower case; an author's is "by", a contributor's
# says nothing. (get_role_display() builds the choices' dict on each call.)
ROLE_NAMES = {
    **{role.value: role.label.lower() for role in Contribution.Role},
    Contribution.Role.AUTHOR.value: "",
    Contribution.Role.CONTRIBUTOR.value: "",
}

# The routes of Book.get_absolute_url and Author.get_absolute_url.
BOOK_ROUTE, AUTHOR_ROUTE = "catalogue:book-detail", "catalogue:author-detail"
# What reverse() leaves as it is in a path; any other slug (another script) goes through it.
PLAIN_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
_SLUG_STAND_IN = "slug-stand-in-0"


def card_addresses() -> Callable[[str, str], str]:
    """`address(route, slug)`: the book's or author's page, as their get_absolute_url()
    gives it, put together from the route's shape reversed once, not with a reverse()
    per link: a card links its book and each credit, and a page shows dozens of cards."""
    shapes = _slug_path_shapes(get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)

    def address(route: str, slug: str) -> str:
        if not PLAIN_SLUG.fullmatch(slug):
            return reverse(route, kwargs={"slug": slug})
        before, after = shapes[route]
        return f"{before}{slug}{after}"

    return address


@lru_cache(maxsize=16)
def _slug_path_shapes(script_prefix: str, urlconf: str) -> dict[str, tuple[str, str]]:
    """The book's and the author's page around their slug, under this script prefix and
    URL configuration (both are keys: a request or a test may change either)."""
    shapes = {}
    for route in (BOOK_ROUTE, AUTHOR_ROUTE):
        path = reverse(route, urlconf=urlconf, kwargs={"slug": _SLUG_STAND_IN})
        before, _, after = path.rpartition(_SLUG_STAND_IN)
        shapes[route] = (before, after)
    return shapes


def book_details(book: Book) -> list[tuple[str, str]]:
    """The card's facts, (label, value), those that are known, in the card's order."""
    details = []
    if book.language:
        details.append(("Language", book.language_name))
    if book.file_size_kb:
        details.append(("File size", f"{book.file_size_kb} KB"))
    details += book.reading_features()
    if book.print_length:
        pages = "page" if book.print_length == 1 else "pages"
        details.append(("Print length", f"{book.print_length} {pages}"))
    return details


# The drawn cover's title is cut to this many characters (with an ellipsis).
DRAWN_COVER_TITLE = 60


def book_card_context(
    book: Book, *, lazy: bool = True, source: Model | None = None, prominent: bool = False
) -> dict:
    """What the card shows. `source` is the page the card is on (an article, a book, a
    reading list), which its shop links' clicks count against; `prominent` shows those
    links first, as buttons (the book's own page, a "Buy the Book" card).

    Strings and lists ready to lay out: a page shows dozens of cards, and each lookup,
    condition and filter in their templates is paid on each."""
    credits = split_credits(book)
    cover = cover_image(book)
    shop_links = links_for(book, source=source)
    rating = rating_context(book)
    address = card_addresses()
    return {
        "book": book,
        "credits": credits,
        "url": address(BOOK_ROUTE, book.slug),
        "title": book.title,
        "full_title": book.full_title,
        "language": book.language,
        "authors": credit_links(credits["authors"], address),
        "others": credit_links(credits["others"], address),
        "details": book_details(book),
        "rating": rating,
        "rating_html": rating_html(rating),
        "lazy": lazy,
        "cover": cover,
        "cover_hue": cover_hue(book.title),
        **({} if cover else drawn_cover(book, credits)),
        "shop_links": shop_links,
        "shop_links_html": shop_links_html(shop_links, title=book.title, prominent=prominent),
        "prominent": prominent,
    }


# --- The card's partials, rendered once per shape -----------------------------------------
# The template engine's cost is per node, and a page shows dozens of cards: the stars'
# and the shop links' partials are rendered once for each shape of what they show (how
# many stars; which shops, which of them earn, as buttons or not), with a stand-in for
# each text that differs from card to card (a count, a title, an address); each card's
# texts are then put in, escaped as the template escapes them.

# A character for private use: escaping leaves it as it is, and no title or count has it.
STAND_IN_MARK = "\ue000"
STAND_IN = STAND_IN_MARK + "{}" + STAND_IN_MARK
STAND_IN_PATTERN = re.compile(STAND_IN.format("([0-9]+)"))


def render_shaped(
    template_name: str, context_of: Callable[[tuple, list[str]], dict], shape: tuple, texts: list
) -> SafeString:
    """`template_name` rendered with `context_of(shape, texts)`: all the partial reads,
    so that its render for the shape, stand-ins in place of the texts, is the same but for
    them (tests/catalogue/test_card_partials.py renders both ways). The partial writes
    each text as it is (`{{ text }}`): a filter would work on the stand-in instead."""
    template = get_template(template_name).template  # another once the file changes
    pieces = _rendered_shape(template, context_of, shape, len(texts))
    if pieces is None or any(STAND_IN_MARK in text for text in texts):
        return template.render(Context(context_of(shape, texts)))
    between, numbers = pieces
    escaped = [_escaped(text) for text in texts]
    html = [between[0]]
    for number, text in zip(numbers, between[1:], strict=True):
        html += (escaped[number], text)
    return mark_safe("".join(html))


def _escaped(text: str) -> str:
    """As the template's autoescaping writes a text (django.utils.html.conditional_escape,
    without its wrapper's cost): escaped, unless it is HTML already (a SafeString)."""
    return text.__html__() if hasattr(text, "__html__") else escape(text)


@lru_cache(maxsize=256)
def _rendered_shape(template, context_of, shape: tuple, texts: int) -> tuple | None:
    """The partial for the shape, with a stand-in for each text, as the HTML between the
    stand-ins and their numbers in order; None when the shape itself holds a stand-in's
    character (a shop so named), rendered each time then."""
    if _holds_mark(shape):
        return None
    stand_ins = [STAND_IN.format(number) for number in range(texts)]
    html = template.render(Context(context_of(shape, stand_ins)))
    pieces = STAND_IN_PATTERN.split(html)
    return tuple(pieces[0::2]), tuple(int(number) for number in pieces[1::2])


def _holds_mark(value) -> bool:
    if isinstance(value, str):
        return STAND_IN_MARK in value
    return isinstance(value, tuple) and any(_holds_mark(part) for part in value)


def shop_links_html(links: ShopLinks, *, title: str, prominent: bool) -> SafeString:
    """A card's buy and borrow links (includes/shop_links.html), rendered once for each
    shape of links: rendered for each card, its loop was half the card's cost."""
    shape = (prominent, _shops_of(links.buy), _shops_of(links.borrow))
    texts = [*(link.url for link in links), title]
    return render_shaped("includes/shop_links.html", _shop_links_context, shape, texts)


def _shops_of(links: list[ShopLink]) -> tuple:
    return tuple((link.shop, link.shop.name, link.sponsored) for link in links)


def _shop_links_context(shape: tuple, texts: list[str]) -> dict:
    """Each link's address, then the book's title, in `texts`."""
    prominent, buy, borrow = shape
    addresses = iter(texts)

    def links(shops: tuple) -> list[ShopLink]:
        return [
            ShopLink(shop=shop, url=next(addresses), destination="", sponsored=sponsored)
            for shop, _name, sponsored in shops
        ]

    shop_links = ShopLinks(buy=links(buy), borrow=links(borrow))
    return {"shop_links": shop_links, "book": {"title": texts[-1]}, "prominent": prominent}


def rating_html(rating: dict) -> SafeString:
    """The card's stars and their words (includes/rating_stars.html), from rating_context."""
    texts = [rating["average_text"], rating["summary"], rating["spoken"]]
    shape = (rating["shown"], rating["stars_html"])
    return render_shaped("includes/rating_stars.html", _rating_context, shape, texts)


def _rating_context(shape: tuple, texts: list[str]) -> dict:
    shown, stars_html = shape
    average_text, summary, spoken = texts
    return {
        "rating": {
            "shown": shown,
            "stars_html": stars_html,
            "average_text": average_text,
            "summary": summary,
            "spoken": spoken,
        }
    }


def drawn_cover(book: Book, credits: dict) -> dict:
    """What a cover drawn for a book without one says: its title, cut short, and the
    first name in its credits."""
    first = credits["first"]
    return {
        "cover_title": Truncator(book.title).chars(DRAWN_COVER_TITLE),
        "cover_author": first.author.name if first else "",
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
