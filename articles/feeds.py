"""The Atom feed of the latest articles, at /articles/feed/."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from .models import Article

FEED_LENGTH = 20


class LatestArticlesFeed(Feed):
    feed_type = Atom1Feed
    title = "Colophon: articles"
    subtitle = "Long-form articles about books and history."

    def link(self):
        return reverse("articles:article-list")

    def items(self):
        return Article.objects.published().order_by("-published_at")[:FEED_LENGTH]

    def item_title(self, article):
        return article.title

    def item_description(self, article):
        return article.teaser

    def item_pubdate(self, article):
        return article.published_at

    def item_updateddate(self, article):
        return article.updated_at

    def item_author_name(self, article):
        return article.byline or None
