"""Sitemap sections for books, authors and reading lists (the sitemap itself: website/sitemaps.py).

At a million books each section's file must cost the same as the first: files are
ranges of primary keys (shared.sitemaps.RangeSitemap), and the index dates each section
by one MAX over an index.
"""

from datetime import datetime

from django.db.models import Count, Max

from shared.sitemaps import RangeSitemap

from .models import Author, Book, Contribution
from .reading_lists import ReadingList


class BookSitemap(RangeSitemap):
    url_name = "catalogue:book-detail"

    def items(self):
        return Book.objects.public().only("slug", "updated_at").order_by("pk")

    def lastmod(self, book):
        return book.updated_at

    def get_latest_lastmod(self):
        """For the index, in one query: Django's own walks every item (a million books
        loaded as models just to find the newest date)."""
        return self.items().aggregate(latest=Max("updated_at"))["latest"]


class AuthorSitemap(RangeSitemap):
    """Authors with a public book. Each file's range holds every author; `rows` keeps
    those with a public book."""

    url_name = "catalogue:author-detail"

    def items(self):
        return Author.objects.only("slug", "updated_at").order_by("pk")

    def lastmod(self, author):
        return author.updated_at

    def rows(self, items) -> list[tuple[str, datetime]]:
        """The page's authors with a public book: those with more credits than credits
        on books that are not public (few, and indexed). Asking for their public books
        instead made PostgreSQL hash every public book: 0.35 s a file at a million."""
        authors = list(items.values_list("pk", "slug", "updated_at"))
        if not authors:
            return []
        in_range = Contribution.objects.filter(
            author_id__gte=authors[0][0], author_id__lte=authors[-1][0]
        ).order_by()
        credits = dict(
            in_range.values("author_id").annotate(n=Count("*")).values_list("author_id", "n")
        )
        hidden = dict(
            in_range.filter(book__in=Book.objects.exclude(status=Book.Status.PUBLISHED))
            .values("author_id")
            .annotate(n=Count("*"))
            .values_list("author_id", "n")
        )
        return [
            (slug, updated)
            for pk, slug, updated in authors
            if credits.get(pk, 0) > hidden.get(pk, 0)
        ]

    def get_latest_lastmod(self):
        """Any author's newest change (one step down an index): asking which authors
        have a public book first read every author at a million books."""
        return Author.objects.aggregate(latest=Max("updated_at"))["latest"]


class ReadingListSitemap(RangeSitemap):
    """Published reading lists, in files of primary-key ranges as the books'."""

    url_name = "catalogue:list-detail"

    def items(self):
        # Read at each request: published() compares with the clock (scheduled lists).
        return ReadingList.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, reading_list):
        return reading_list.updated_at

    def get_latest_lastmod(self):
        """One MAX, as the books' section."""
        return self.items().aggregate(latest=Max("updated_at"))["latest"]
