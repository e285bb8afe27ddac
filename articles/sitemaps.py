"""Sitemap sections for articles, topics and the site's fixed pages (see config/urls.py)."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

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


class PageSitemap(Sitemap):
    """The fixed pages: home, the article archive, the catalogue, about."""

    def items(self):
        return ["articles:home", "articles:article-list", "catalogue:book-list", "articles:about"]

    def location(self, name):
        return reverse(name)
