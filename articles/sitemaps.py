"""Sitemap sections for articles and topics (the sitemap itself: website/sitemaps.py)."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max

from catalogue.sitemaps import RangeSitemap

from .models import Article, Topic


class ArticleSitemap(RangeSitemap):
    """In files of primary-key ranges, as the books' (catalogue/sitemaps.py)."""

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
    def items(self):
        return Topic.objects.filter(articles__in=Article.objects.published()).distinct()
