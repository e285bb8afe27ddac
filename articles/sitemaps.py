"""Sitemap sections for articles and topics (the sitemap itself: website/sitemaps.py)."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, Max, OuterRef

from shared.paging import KeyRangePaginator
from shared.sitemaps import RangeSitemap

from .models import Article, Topic


class ArticleSitemap(RangeSitemap):
    """In files of primary-key ranges, as the books' (shared/sitemaps.py)."""

    url_name = "articles:article-detail"

    def items(self):
        # Read at each request: published() filters on the clock (scheduled articles).
        return Article.objects.published().only("slug", "updated_at").order_by("-published_at")

    def lastmod(self, article):
        return article.updated_at

    def get_latest_lastmod(self):
        """One MAX: Django's own loads every article to find the newest date."""
        return self.items().aggregate(latest=Max("updated_at"))["latest"]


class TopicSitemap(Sitemap):
    """Topics with a published article: a few dozen, each asked by EXISTS (a DISTINCT
    join read every article's topics to count them, 0.1 s at 100,000 articles)."""

    @property
    def paginator(self):
        # Django's own paginator would add each language when `i18n` is set; no
        # section here is translated, so it pages items() as they are.
        return KeyRangePaginator(self.items(), self.limit)

    def items(self):
        published = Article.objects.published().filter(topics=OuterRef("pk"))
        return Topic.objects.filter(Exists(published)).order_by("pk")
