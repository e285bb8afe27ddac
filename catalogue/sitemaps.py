"""Sitemap sections for books and authors (the sitemap itself: website/sitemaps.py)."""

from django.contrib.sitemaps import Sitemap

from .models import Author, Book


class BookSitemap(Sitemap):
    limit = 10_000  # entries per sitemap file (the protocol allows 50,000)

    def items(self):
        return Book.objects.public().only("slug", "updated_at").order_by("pk")

    def lastmod(self, book):
        return book.updated_at


class AuthorSitemap(Sitemap):
    limit = 10_000

    def items(self):
        return (
            Author.objects.filter(contributions__book__in=Book.objects.public())
            .distinct()
            .only("slug", "updated_at")
            .order_by("pk")
        )

    def lastmod(self, author):
        return author.updated_at
