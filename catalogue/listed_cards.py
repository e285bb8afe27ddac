"""Book cards for a list chosen anew at each request (the search page's results), each
kept across requests (pagecache.fragments) under its book's tag.

A search page is dropped from the page cache by any change to any book (its results may
change), so its misses are frequent; the books it lists mostly did not change. Their
cards are read back in the round trip that reads their tags' versions; only the others
are read (their credits and shop links, in two queries whatever their number) and
rendered. Off where the page cache is off: then every card is rendered, as before.
"""

from django.db.models import prefetch_related_objects
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe

from pagecache import fragments
from pagecache.tags import SITE, tag_for_id

from .cards import book_card_context
from .models import Book
from .querysets import card_lookups

# Kept cards are told apart by this (and by store.page_variant: a deploy, the affiliate codes).
CARD_VERSION = "listed-card-1"


def listed_cards(books: list[Book]) -> list[SafeString]:
    """Each book's card as a list shows it (`{% book_card book %}`: its cover loaded
    lazily, its shop links counted against no page), in order. `books` are rows read
    without their credits and shop links: those are read for the cards not kept."""
    keys = {book.pk: f"card:{book.pk}" for book in books}
    wanted = {key: [tag_for_id(Book, pk), SITE] for pk, key in keys.items()}
    with fragments.batch(wanted, version=CARD_VERSION) as kept:
        html = {pk: kept.get(key) for pk, key in keys.items()}
        missing = [book for book in books if html[book.pk] is None]
        if missing:
            prefetch_related_objects(missing, *card_lookups())
            template = get_template("includes/book_card.html")
            for book in missing:
                html[book.pk] = template.render(book_card_context(book))
                kept.put(keys[book.pk], html[book.pk])
    # Our own render, kept as a string.
    return [mark_safe(html[book.pk]) for book in books]
