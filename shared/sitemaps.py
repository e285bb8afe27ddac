"""Sitemap sections that cost the same at any size: files are ranges of primary keys
(shared.paging.KeyRangePaginator: one range scan each, no COUNT, no OFFSET) of at most
LIMIT entries, written from (slug, updated_at) pairs. Books', authors' and articles'
sections are RangeSitemaps; website.views.sitemap_section writes them.
"""

from datetime import datetime
from urllib.parse import quote

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .paging import KeyRangePaginator

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
