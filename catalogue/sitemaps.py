"""Sitemap sections for books and authors (the sitemap itself: website/sitemaps.py).

At a million books each section's file must cost the same as the first: files are
ranges of primary keys (shared.paging.KeyRangePaginator: one range scan each, no COUNT,
no OFFSET) of at most LIMIT entries, and the index dates each section by one MAX over
an index.
"""

from datetime import datetime
from urllib.parse import quote

from django.contrib.sitemaps import Sitemap
from django.db.models import Count, Max
from django.urls import reverse

from shared.paging import KeyRangePaginator

from .models import Author, Book, Contribution

PLACEHOLDER = "sitemap-slug"
LIMIT = 5_000  # entries per file at most (the protocol allows 50,000): quick to render


class RangeSitemap(Sitemap):
    """A sitemap section in files of primary-key ranges, whose entries are read as
    (slug, updated_at) pairs: website.views.sitemap_section writes them without loading
    models or reversing each address (5,000 of each took over half a second)."""

    limit = LIMIT
    url_name = ""  # the detail page's URL name; it takes the slug

    @property
    def paginator(self):
        # Django's own paginator would add each language when `i18n` is set; no
        # section here is translated, so it pages items() as they are.
        return KeyRangePaginator(self.items(), self.limit)

    def entries(self, page) -> list[tuple[str, datetime]]:
        """(path, last modified) of each item on `page`; raises the paginator's
        PageNotAnInteger or EmptyPage for a page that is not there."""
        rows = self.rows(self.paginator.page(page).object_list)
        before, _, after = reverse(self.url_name, kwargs={"slug": PLACEHOLDER}).partition(
            PLACEHOLDER
        )
        return [(f"{before}{quote(slug)}{after}", updated) for slug, updated in rows]

    def rows(self, items) -> list[tuple[str, datetime]]:
        """(slug, updated_at) of a page's items."""
        return list(items.values_list("slug", "updated_at"))


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
