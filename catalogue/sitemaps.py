"""Sitemap sections for books and authors (the sitemap itself: website/sitemaps.py).

At a million books each section's file must cost the same as the first: files are
ranges of primary keys (desk.paging.KeyRangePaginator: one range scan each, no COUNT,
no OFFSET) of at most LIMIT entries, and the index dates each section by one MAX over
an index.
"""

from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, Max, OuterRef

from desk.paging import KeyRangePaginator

from .models import Author, Book, Contribution

LIMIT = 5_000  # entries per file at most (the protocol allows 50,000): quick to render


class RangeSitemap(Sitemap):
    """A sitemap section in files of primary-key ranges."""

    limit = LIMIT

    @property
    def paginator(self):
        return KeyRangePaginator(self._items(), self.limit)


class BookSitemap(RangeSitemap):
    def items(self):
        return Book.objects.public().only("slug", "updated_at").order_by("pk")

    def lastmod(self, book):
        return book.updated_at

    def get_latest_lastmod(self):
        """For the index, in one query: Django's own walks every item (a million books
        loaded as models just to find the newest date)."""
        return self.items().aggregate(latest=Max("updated_at"))["latest"]


class AuthorSitemap(RangeSitemap):
    def items(self):
        # Authors with a public book: EXISTS, not a join made DISTINCT again.
        has_public_book = Contribution.objects.filter(
            author=OuterRef("pk"), book__status=Book.Status.PUBLISHED
        )
        return (
            Author.objects.filter(Exists(has_public_book)).only("slug", "updated_at").order_by("pk")
        )

    def lastmod(self, author):
        return author.updated_at

    def get_latest_lastmod(self):
        return self.items().aggregate(latest=Max("updated_at"))["latest"]
