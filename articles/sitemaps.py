"""Sitemap sections for articles and topics (the sitemap itself: website/sitemaps.py)."""

from django.contrib.sitemaps import Sitemap

from .models import Article, Topic


class ArticleSitemap(Sitemap):
    def items(self):
        # Read at each request: published() filters on the clock (scheduled articles).
        return Article.objects.published().only("slug", "updated_at").order_by("-published_at")

    def lastmod(self, article):
        return article.updated_at


class TopicSitemap(Sitemap):
    def items(self):
        return Topic.objects.filter(articles__in=Article.objects.published()).distinct()
