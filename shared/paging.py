"""Paging whose cost does not grow with the table: the public book lists and the desk's
changelists use it.

Django's Paginator counts every matching row (a full COUNT at a million books) and reads
a deep page by skipping rows (each skipped row fetched from the table). This one counts
up to `max_pages` pages' worth and no further (`capped` tells the template to say "more
than"), serves no page beyond them (narrowing the list is the way on), and reads a page
in two steps: the ids at that offset, which the list's index answers without touching
the table, then those rows alone.
"""

from functools import cached_property

from django.core.paginator import Page, Paginator
from django.db import models

MAX_PAGES = 1000


class MoreThan(int):
    """A count that stopped counting at `cap` + 1: it prints as "24,000+", so the desk's
    "24,000+ books" and "Select all 24,000+ books" stay true."""

    def __str__(self) -> str:
        return f"{int(self) - 1:,}+"


class CappedPaginator(Paginator):
    max_pages = MAX_PAGES

    @cached_property
    def cap(self) -> int:
        return self.max_pages * self.per_page

    @cached_property
    def count(self) -> int:
        """Matching rows, counted up to `cap` (and one more, to know there are more)."""
        counted = self.object_list.order_by().values_list("pk")[: self.cap + 1].count()
        return MoreThan(self.cap + 1) if counted > self.cap else counted

    @property
    def capped(self) -> bool:
        """More rows match than are counted and paged."""
        return self.count > self.cap

    @property
    def shown_count(self) -> int:
        return min(self.count, self.cap)

    @cached_property
    def num_pages(self) -> int:
        if self.count == 0 and not self.allow_empty_first_page:
            return 0
        return max(1, -(-self.shown_count // self.per_page))

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.shown_count)
        rows = self.object_list  # a queryset: its ids are what is paged
        ids = list(rows.values_list("pk", flat=True)[bottom:top])
        found = rows.filter(pk__in=ids).in_bulk() if ids else {}
        return self._get_page([found[pk] for pk in ids if pk in found], number, self)


class KeyRangePaginator(Paginator):
    """Pages by ranges of primary keys: page n holds the rows whose pk is in
    ((n-1) × per_page, n × per_page]. Each page is one range scan of the pk index and
    the page count one MAX(pk), at any size; a page may hold fewer rows than per_page
    (deleted or hidden rows leave gaps; the last pages may even be empty), never more.
    For lists in no particular order,
    such as sitemaps, where a stable address for each row matters more than full pages.
    """

    @cached_property
    def num_pages(self) -> int:
        # The table's highest key (the end of its pk index), not the list's: a filter
        # would have the database test rows from the end until one passes.
        model = self.object_list.model
        highest = model._base_manager.aggregate(highest=models.Max("pk"))["highest"]
        return max(1, -(-(highest or 0) // self.per_page))

    @cached_property
    def count(self) -> int:
        """An upper bound: the pages' capacity (counting the rows is what this avoids)."""
        return self.num_pages * self.per_page

    def page(self, number) -> Page:
        number = self.validate_number(number)
        rows = self.object_list.filter(
            pk__gt=(number - 1) * self.per_page, pk__lte=number * self.per_page
        ).order_by("pk")
        return self._get_page(rows, number, self)
