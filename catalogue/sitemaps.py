"""Sitemap sections for books and authors (the sitemap itself: website/sitemaps.py)."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, Max, OuterRef

from .models import Author, Book, Contribution


class BookSitemap(Sitemap):
    limit = 10_000  # entries per sitemap file (the protocol allows 50,000)

    def items(self):
        return Book.objects.public().only("slug", "updated_at").order_by("pk")

    def lastmod(self, book):
        return book.updated_at

    def get_latest_lastmod(self):
        """For the index, in one query: Django's own walks every item (a million books
        loaded as models just to find the newest date)."""
        return self.items().aggregate(latest=Max("updated_at"))["latest"]


class AuthorSitemap(Sitemap):
    limit = 10_000

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
