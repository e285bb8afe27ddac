"""Paging of a filtered book list, in bounded time at any size.

A filtered list serves FILTERED_PAGES pages, not the whole list's thousand: past them,
the next page of a filter that no index orders (4.5 stars and up, in title order) read
up to a million rows (0.7 s for page 1,000).

A list filtered by words of the title or of the author names (a trigram index finds the
books holding a word) is made from the first matches added (the lowest ids), at most
FILTERED_PAGES pages of them, then sorted: asked for them in title order, PostgreSQL
walked the title index testing every book it met, 0.2 s for the first page of
"marquez" (2,154 books of a million), 0.8 to 1.3 s for the 50th page of "love" or
"lee". When more match, the list says that it shows some of them (`sampled`), and that
words narrow it.
"""

from functools import cached_property

from django.core.paginator import Page
from django.db.models import F, Value
from django.db.models.functions import Concat

from shared.paging import CappedPaginator, MoreThan

from .models import Book

FILTERED_PAGES = 50
# The title as an expression no index holds: ordered by the column, PostgreSQL walked
# the title index through the catalogue to meet the 1,200 ids (40 to 100 ms), where
# looking them up by key and sorting them takes 2 ms.
UNINDEXED_TITLE = Concat(F("title"), Value(""))


class FilteredPaginator(CappedPaginator):
    max_pages = FILTERED_PAGES
    sampled = False


class WordsFilteredPaginator(FilteredPaginator):
    def __init__(self, *args, order: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.order = order

    @cached_property
    def found_ids(self) -> list[int]:
        """The ids of the first matches added to the catalogue, the lowest (one more
        than are listed, to know whether there are more): the same books on every page
        and at every visit. Taken in the order the database met them, they were
        whichever the plan of the moment found first (a walk of the year index, or of
        the rows as last written), so two pages could be cut from two samples."""
        matches = self.object_list.order_by().values_list("pk", flat=True)
        wanted = self.cap + 1
        # Twice as many as wanted, as they are met (a lookup in the words' index, or a
        # scan that stops early): every match, when fewer than that match.
        found = sorted(matches[: 2 * wanted])
        if len(found) < 2 * wanted:
            return found[:wanted]
        # The lowest ids are at or below the wanted-th found: bounded so, PostgreSQL
        # looks them up among the matches; asked in id order alone, it walked every id
        # from the first (0.2 to 0.4 s for "war", "love" or "night" at a million books,
        # where this takes 30 ms: bench/filtered_sample.py).
        return list(matches.filter(pk__lte=found[wanted - 1]).order_by("pk")[:wanted])

    @cached_property
    def count(self) -> int:
        found = len(self.found_ids)
        return MoreThan(self.cap + 1) if found > self.cap else found

    @property
    def sampled(self) -> bool:
        """More books match than are listed: those listed are the first added."""
        return self.capped

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.shown_count)
        # Sorted among the ids found, which match every filter already: a lookup of each
        # by its key, never a walk of the whole order nor the word tests again.
        order = [UNINDEXED_TITLE if term == F("title") else term for term in self.order]
        listed = Book.objects.filter(pk__in=self.found_ids[: self.cap]).order_by(*order)
        ids = list(listed.values_list("pk", flat=True)[bottom:top])
        found = Book.objects.filter(pk__in=ids).for_cards().in_bulk() if ids else {}
        return self._get_page([found[pk] for pk in ids if pk in found], number, self)
