"""What a book's page shows of other things than the book: its series, other books by its
authors, related books and the articles about it, kept across requests.

A book's own parts (its card, figures, histogram) change with every rating; the lists of
other books change when those books or what chose them change. So the lists are kept as
fragments (pagecache.fragments) under the tags of what they show, and a page missing
from the page cache after a rating renders only the book's own parts again.

Two fragments, because which books are listed is known only once they are chosen:

- *chosen*: the ids of each list, keyed by what the book itself gives the choice (its
  title, series, authors, subjects and articles, which an edit of it changes) and kept
  under the tags of those authors, subjects and articles, its series and its "also
  liked" rows;
- *listed*: the lists' HTML, keyed by those ids and kept under the listed books' tags.
  When a listed book changed, the lists are chosen again too (it may have left them).

The articles' teasers are a third, keyed by the articles' ids, under their tags.
"""

import hashlib
import json
from dataclasses import dataclass, field

from django.db.models import prefetch_related_objects
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from pagecache import fragments
from pagecache.tags import SITE, group_of, tags_for_ids

from .models import Author, Book, Subject
from .querysets import card_lookups
from .related import also_liked_tag, related_book_ids

SERIES_LIMIT = 30
RELATED_LIMIT = 8
ARTICLES_LIMIT = 12
FRAGMENTS_VERSION = "book-page-1"
LISTS = ("series", "by_same_authors", "similar")


@dataclass
class OtherParts:
    """The page's parts beside the book: each list's book ids and HTML, the articles'."""

    book: Book  # ready for its own card (credits, shop links)
    chosen: dict[str, list[int]]
    html: dict[str, str] = field(default_factory=dict)

    @property
    def book_ids(self) -> list[int]:
        return [pk for name in LISTS for pk in self.chosen[name]]


def subjects_and_authors(book: Book) -> tuple[list[int], list[int]]:
    """The ids of the book's subjects (by name: related books look into the first few)
    and of its credited authors, in one query (each subject beside each credit)."""
    rows = (
        Book.objects.filter(pk=book.pk)
        .order_by("subjects__name", "subjects__pk")
        .values_list("subjects__pk", "contributions__author_id")
    )
    subject_ids = list(dict.fromkeys(pk for pk, _ in rows if pk is not None))
    author_ids = sorted({pk for _, pk in rows if pk is not None})
    return subject_ids, author_ids


def choose_other_books(
    book: Book, *, subject_ids: list[int], article_ids: list[int]
) -> dict[str, list[int]]:
    """The ids of the books each list shows: the series in its order, the newest by its
    authors, then related books (catalogue.related) not listed already."""
    others = Book.objects.public().exclude(pk=book.pk).values_list("pk", flat=True)
    series = list(others.in_series(book.series)[:SERIES_LIMIT]) if book.series else []
    by_same_authors = list(others.by_authors_of(book).exclude(pk__in=series)[:RELATED_LIMIT])
    similar = related_book_ids(
        book,
        article_ids=article_ids,
        subject_ids=subject_ids,
        shown={*series, *by_same_authors},
        limit=RELATED_LIMIT,
    )
    return {"series": series, "by_same_authors": by_same_authors, "similar": similar}


def other_parts(
    book: Book, *, subject_ids: list[int], author_ids: list[int], articles: list
) -> OtherParts:
    """The lists of other books and the articles' teasers, from the fragments kept when
    they still hold, else read and rendered (and kept); and the book ready for its card."""
    article_ids = [article.pk for article in articles]
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
        chosen = kept.get(chosen_key)
        chosen_now = chosen is None
        if chosen_now:
            chosen = choose_other_books(book, subject_ids=subject_ids, article_ids=article_ids)
        parts = _listed(book, chosen, chosen_now, subject_ids, article_ids)
        if parts.chosen != chosen or chosen_now:
            kept.put(chosen_key, parts.chosen)
        teasers = kept.get(teasers_key)
        parts.html["articles"] = mark_safe(teasers) if teasers is not None else None
        if teasers is None and articles:
            parts.html["articles"] = render_to_string(
                "includes/teaser_list.html", {"articles": articles}
            )
            kept.put(teasers_key, parts.html["articles"])
    return parts


def _listed(
    book: Book, chosen: dict, chosen_now: bool, subject_ids: list[int], article_ids: list[int]
) -> OtherParts:
    """The lists' HTML for the books `chosen` (chosen again if one of them changed since)."""
    ids = [pk for name in LISTS for pk in chosen[name]]
    listed_key = "listed:" + _digest(chosen)
    with fragments.batch(
        {listed_key: [SITE, *tags_for_ids(Book, ids)]}, version=FRAGMENTS_VERSION
    ) as kept:
        html = kept.get(listed_key)
        if html is not None:
            prefetch_related_objects([book], *card_lookups())
            # Our own render, kept as a string.
            return OtherParts(book, chosen, {name: mark_safe(part) for name, part in html.items()})
        if not chosen_now:
            # A book listed changed since the lists were chosen: it may have left them,
            # or another taken its place.
            chosen = choose_other_books(book, subject_ids=subject_ids, article_ids=article_ids)
        # Every card on the page (the book's own too) in the same queries.
        cards = (
            Book.objects.public()
            .for_cards()
            .in_bulk([book.pk, *(pk for name in LISTS for pk in chosen[name])])
        )
        # The page shows that copy of the book (the row alone if it was withdrawn since).
        book = cards.pop(book.pk, book)
        chosen = {name: [pk for pk in chosen[name] if pk in cards] for name in LISTS}
        html = {
            "series": _render_if(
                chosen["series"],
                "includes/series_list.html",
                [cards[pk] for pk in chosen["series"]],
            ),
            **{
                name: _render_if(
                    chosen[name], "includes/card_list.html", [cards[pk] for pk in chosen[name]]
                )
                for name in ("by_same_authors", "similar")
            },
        }
        # Kept only under the key read: lists chosen anew are kept at the next request.
        kept.put("listed:" + _digest(chosen), html)
    return OtherParts(book, chosen, html)


def _render_if(ids: list[int], template: str, books: list[Book]) -> str:
    return render_to_string(template, {"books": books}) if ids else ""


def _digest(*inputs) -> str:
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()[:20]
