"""A reading list's books as the readers see them: each public book's card with the
editor's note, in the list's order. The list's page and an article embedding the list
(articles.rendering) show the same entries."""

from dataclasses import dataclass

from django.db.models import Model
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from .cards import book_card_context
from .models import Book
from .reading_lists import ReadingList, ReadingListItem


@dataclass(frozen=True)
class ListEntry:
    position: int  # 1, 2, 3 … among the books shown (a hidden book leaves no gap)
    book: Book
    note: str
    card: SafeString  # the standard book card (includes/book_card.html)


def list_entries(
    reading_list: ReadingList,
    places: list[ReadingListItem] | None = None,
    *,
    source: Model | None = None,
) -> list[ListEntry]:
    """The entries of the list's public books (`places`, from `reading_list.places()`,
    read here if not given). Each card's buy links count clicks against `source`: the
    list on its own page, the article that embeds it."""
    places = reading_list.places() if places is None else places
    return [
        ListEntry(
            position=number,
            book=place.book,
            note=place.note,
            card=mark_safe(
                render_to_string(
                    "includes/book_card.html", book_card_context(place.book, source=source)
                )
            ),
        )
        for number, place in enumerate(places, start=1)
    ]
