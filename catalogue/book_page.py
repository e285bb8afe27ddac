"""What a book's page shows, kept across requests: the book's own parts, and its series,
other books by its authors, related books and the articles about it.

A page missing from the page cache (an edge that has not seen it, an entry expired) is
rendered again; the parts of it that did not change need not be. So its parts are kept
as fragments (pagecache.fragments) under the tags of what they show:

- *own*: the book's card, description, ratings and facts, its structured data and share
  tags, and what it is named by (the ids of its subjects, authors and articles, the lists
  it is on). Kept under the book's own tag: a rating, an edit, a credit, a shop link, an
  article or reading list that names it or no more drops it (catalogue.signals,
  catalogue.list_signals, articles.signals);
- *chosen*: the ids of each list of other books, keyed by what the book itself gives the
  choice (its title, series, authors, subjects and articles) and kept under the tags of
  those authors, subjects and articles, its series and its "also liked" rows;
- *listed*: the lists' HTML, keyed by those ids and kept under the listed books' tags.
  When a listed book changed, the lists are chosen again too (it may have left them);
- *teasers*: the articles' teasers, keyed by the articles' ids, under their tags.

So a page-cache miss that changed nothing reads the book's row and nothing else, and one
after a rating of the book renders only its own parts again.

Addresses in the head are absolute, and a site answers to more than one host: the own
parts are made with a mark standing for the scheme and host, replaced at each request.
"""

import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from urllib.parse import urlsplit

from django.http import Http404, HttpRequest
from django.template.loader import render_to_string
from django.utils.formats import localize
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from pagecache import fragments
from pagecache.tags import SITE, group_of, tag_for, tags_for_ids

from . import structured_data
from .book_names import names_of, teasers_of
from .card_shapes import card_html, rendered_by_shape
from .cards import BOOK_ROUTE, card_addresses, histogram_rows
from .models import Author, Book, Subject
from .other_books import Volume, candidates, read_for_cards
from .querysets import distinctive_words
from .reading_lists import ReadingList
from .related import also_liked_tag, ranked
from .share_cards import DESCRIPTION_LENGTH

SERIES_LIMIT = 30
RELATED_LIMIT = 8
FRAGMENTS_VERSION = "book-page-2"
LISTS = ("series", "by_same_authors", "similar")
CARD_LISTS = ("by_same_authors", "similar")


@dataclass
class BookPage:
    """The page's parts, ready: `own` (own_parts and book_names.names_of) and the lists' HTML
    (`html`, the articles' teasers under "articles"), with the ids of the books each list
    shows."""

    book: Book
    own: dict
    chosen: dict[str, list[int]]
    html: dict[str, str] = field(default_factory=dict)

    @property
    def book_ids(self) -> list[int]:
        return [pk for name in LISTS for pk in self.chosen[name]]

    def tags(self) -> list[str]:
        """What the page shows, as the page cache's tags."""
        own = self.own
        Article = self.book.articles.model  # the catalogue does not import articles
        return [
            *tags_for_ids(Book, [self.book.pk, *self.book_ids]),
            *tags_for_ids(Author, own["author_ids"]),
            # A book joining its series or one of its subjects may join its lists.
            *([group_of(Book, "series", self.book.series)] if self.book.series else []),
            *tags_for_ids(Subject, own["subject_ids"]),
            also_liked_tag(self.book.pk),
            *tags_for_ids(Article, own["article_ids"]),
            # A list taking the book on, or published, drops the page (list_signals.py).
            *tags_for_ids(ReadingList, [shown["pk"] for shown in own["reading_lists"]]),
        ]


def book_page(book: Book, request: HttpRequest) -> BookPage:
    """The page's parts from the fragments kept while they still hold, else read and
    rendered (and kept). `book` is the row the view found; the page shows the copy read
    after the fragments' versions when its own parts are made anew."""
    own_key = f"own:{book.pk}"
    with fragments.batch({own_key: [SITE, tag_for(book)]}, version=FRAGMENTS_VERSION) as kept:
        own = kept.get(own_key)
        named = names_of(book.pk) if own is None else own
        page = other_parts(
            book,
            subject_ids=named["subject_ids"],
            author_ids=named["author_ids"],
            article_ids=named["article_ids"],
            card_wanted=own is None,
        )
        if own is None:
            own = {**named, **own_parts(page.book, request)}
            kept.put(own_key, own)
    page.own = with_origin(own, request)
    return page


def own_parts(book: Book, request: HttpRequest) -> dict:
    """The book's own parts as strings (quick to keep and read back), the head's
    addresses starting with `origin_mark` (see with_origin)."""
    mark = f"origin-{secrets.token_hex(8)}"
    marked = OriginMarked(request, mark)
    credits = book.credits
    more_by = credits[0].author.name if credits else ""
    return {
        "about": render_to_string(
            "catalogue/book_about.html", {"book": book, "rating_rows": rating_histogram(book)}
        ),
        "share": render_to_string(
            "catalogue/book_share.html",
            {"book": book, "request": marked, "canonical_url": marked.canonical()},
        ),
        "json_ld": structured_data.book_json_ld(book, marked),
        "meta_description": Truncator(book.description or book.full_title).chars(
            DESCRIPTION_LENGTH
        ),
        "origin_mark": mark,
        "more_by": f"{more_by} and others" if len(credits) > 1 else more_by,
    }


def rating_histogram(book: Book) -> list[dict]:
    """The histogram's rows (cards.histogram_rows) with their words made here ("5 stars",
    "1,234" as `intcomma` writes it in English), for includes/rating_histogram.html: made
    when the book's own parts are kept anew and after a rating, not at every page."""
    return [
        {
            **row,
            "label": f"{row['stars']} star{'' if row['stars'] == 1 else 's'}",
            "count_text": f"{row['count']:,}",
        }
        for row in histogram_rows(book)
    ]


class OriginMarked:
    """Stands for the request while own parts are made: an address on this site comes
    out as the mark and its path (the request's own for any other), so the parts serve
    every host the site answers to."""

    def __init__(self, request: HttpRequest, mark: str):
        self.request, self.mark = request, mark
        self.origin = origin_of(request)
        self.path, self.GET = request.path, request.GET

    def build_absolute_uri(self, location: str | None = None) -> str:
        absolute = self.request.build_absolute_uri(location)
        parts = urlsplit(location or "")
        if parts.scheme or parts.netloc or not absolute.startswith(self.origin):
            return absolute
        return self.mark + absolute[len(self.origin) :]

    def canonical(self) -> str:
        """As website.context_processors.canonical_url."""
        query = self.GET.urlencode()
        return self.build_absolute_uri(self.path) + (f"?{query}" if query else "")


def origin_of(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


def with_origin(own: dict, request: HttpRequest) -> dict:
    """The own parts for this request: the head's mark replaced by its scheme and host."""
    origin, mark = origin_of(request), own["origin_mark"]
    return {
        **own,
        "about": mark_safe(own["about"]),  # our own renders, kept as strings
        "share": mark_safe(own["share"].replace(mark, origin)),
        "json_ld": mark_safe(own["json_ld"].replace(mark, origin)),
    }


@dataclass
class OtherBooks:
    """The books each list shows, chosen now: their ids (what is kept), and the series'
    volumes read as its list shows them (title, number, address), never as cards."""

    ids: dict[str, list[int]]
    volumes: list[Volume]


def choose_other_books(
    book: Book, *, author_ids: list[int], subject_ids: list[int], article_ids: list[int]
) -> OtherBooks:
    """The books each list shows: the series in its order, the newest by its authors
    (`author_ids`, all its credits'), then related books (catalogue.related) not listed
    already; all read in one statement (catalogue.other_books)."""
    found = candidates(
        book.pk,
        series=book.series,
        author_ids=author_ids,
        article_ids=article_ids,
        subject_ids=subject_ids,
        title_words=distinctive_words(book.title),
        series_limit=SERIES_LIMIT,
        authors_limit=RELATED_LIMIT,
    )
    series = [volume.pk for volume in found.volumes]
    shown = {*series, *found.by_same_authors}
    ids = {
        "series": series,
        "by_same_authors": found.by_same_authors,
        "similar": ranked(book.pk, found.signals, shown=shown, limit=RELATED_LIMIT),
    }
    return OtherBooks(ids, found.volumes)


def other_parts(
    book: Book,
    *,
    subject_ids: list[int],
    author_ids: list[int],
    article_ids: list[int],
    card_wanted: bool,
) -> BookPage:
    """The lists of other books and the articles' teasers, from the fragments kept when
    they still hold, else read and rendered (and kept); with `card_wanted`, the book
    read again ready for its card."""
    Article = book.articles.model  # the catalogue does not import articles
    chosen_key = "chosen:" + _digest(
        book.pk, book.title, book.series, author_ids, subject_ids, article_ids
    )
    teasers_key = "teasers:" + _digest(article_ids)
    wanted = {
        chosen_key: [
            SITE,
            also_liked_tag(book.pk),
            *([group_of(Book, "series", book.series)] if book.series else []),
            *tags_for_ids(Author, author_ids),
            *tags_for_ids(Subject, subject_ids),
            *tags_for_ids(Article, article_ids),
        ],
        teasers_key: [SITE, *tags_for_ids(Article, article_ids)],
    }
    with fragments.batch(wanted, version=FRAGMENTS_VERSION) as kept:
        kept_ids = kept.get(chosen_key)
        chosen = None
        choose = partial(
            choose_other_books,
            book,
            author_ids=author_ids,
            subject_ids=subject_ids,
            article_ids=article_ids,
        )
        if kept_ids is None:
            chosen = choose()
        ids = kept_ids if kept_ids is not None else chosen.ids
        page = _listed(book, ids, chosen, choose, card_wanted)
        if page.chosen != kept_ids:
            kept.put(chosen_key, page.chosen)
        teasers = kept.get(teasers_key)
        page.html["articles"] = mark_safe(teasers) if teasers is not None else ""
        if teasers is None and article_ids:
            found = teasers_of(article_ids)
            articles = [found[pk] for pk in article_ids if pk in found]
            page.html["articles"] = render_to_string(
                "includes/teaser_list.html", {"articles": articles}
            )
            kept.put(teasers_key, page.html["articles"])
    return page


def _listed(
    book: Book,
    ids: dict[str, list[int]],
    chosen: OtherBooks | None,
    choose: Callable[[], OtherBooks],
    card_wanted: bool,
) -> BookPage:
    """The lists' HTML for the books of `ids`, as kept; else rendered from the books
    `chosen` now (chosen again if they were kept: one of them changed since, and may
    have left the lists, or another taken its place)."""
    listed_key = "listed:" + _digest(ids)
    with fragments.batch(
        {listed_key: [SITE, *tags_for_ids(Book, [pk for name in LISTS for pk in ids[name]])]},
        version=FRAGMENTS_VERSION,
    ) as kept:
        html = kept.get(listed_key)
        if html is not None:
            if card_wanted:
                book = read_again(read_for_cards([book.pk]).get(book.pk))
            # Our own render, kept as a string.
            return BookPage(book, {}, ids, {name: mark_safe(part) for name, part in html.items()})
        if chosen is None:
            chosen = choose()
        # Every card on the page (the book's own too) in the same queries.
        carded = [pk for name in CARD_LISTS for pk in chosen.ids[name]]
        cards = read_for_cards([book.pk, *carded] if card_wanted else carded)
        if card_wanted:
            book = read_again(cards.pop(book.pk, None))
        public = {pk for pk, card in cards.items() if card.status == Book.Status.PUBLISHED}
        ids = {
            "series": chosen.ids["series"],
            **{name: [pk for pk in chosen.ids[name] if pk in public] for name in CARD_LISTS},
        }
        html = {
            "series": series_list(chosen.volumes) if ids["series"] else "",
            **{name: card_list([cards[pk] for pk in ids[name]]) for name in CARD_LISTS},
        }
        # Kept only under the key read: lists chosen anew are kept at the next request.
        kept.put("listed:" + _digest(ids), html)
    return BookPage(book, {}, ids, html)


def card_list(books: list[Book]) -> SafeString | str:
    """The books' cards as includes/card_list.html lays them out, each rendered once per
    shape (catalogue.card_shapes), not by `{% book_card %}` in the list's loop."""
    if not books:
        return ""
    cards = [card_html(book) for book in books]
    return render_to_string("includes/rendered_card_list.html", {"cards": cards})


def series_list(volumes: list[Volume]) -> SafeString:
    """The series' volumes as includes/series_list.html lists them, rendered once per
    shape (how many, which numbered: catalogue.card_shapes)."""
    return rendered_by_shape("includes/series_list.html", {"books": series_entries(volumes)})


def series_entries(volumes: list[Volume]) -> list[dict]:
    """What the series list shows of each volume, made here: its address (put together
    as the cards' are, not reversed each), title, and number as the template wrote it."""
    address = card_addresses()
    return [
        {
            "url": address(BOOK_ROUTE, volume.slug),
            "title": volume.title,
            "number": None
            if volume.series_number is None
            else localize(volume.series_number.normalize()),
        }
        for volume in volumes
    ]


def read_again(book: Book | None) -> Book:
    """The book as read after the fragments' versions, as what is kept must be: the view
    read only what the page shows beside its kept parts (BookDetailView.get_object, by
    book_names.public_book_at)."""
    if book is None:
        raise Http404("No such book.")  # deleted since the view found it
    return book


def _digest(*inputs) -> str:
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()[:20]
