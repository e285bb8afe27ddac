"""The Atom feed of the latest articles, at /articles/feed.xml."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from shared.text import without_control_characters

from .models import Article

FEED_LENGTH = 20


def xml_text(text: str | None) -> str | None:
    """Text XML 1.0 can carry: one control character would make the feed unwritable."""
    return without_control_characters(text) if text is not None else None


class PlainTextSummaryFeed(Atom1Feed):
    """Atom with the summary declared as text, which it is (the teaser: plain words).
    Django declares it HTML, so `<img onerror=…>` quoted in an article's inline code
    became live markup in every feed reader."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, {**item, "description": None})
        if item["description"] is not None:
            handler.addQuickElement("summary", item["description"], {"type": "text"})


class LatestArticlesFeed(Feed):
    feed_type = PlainTextSummaryFeed
    title = "Colophon: articles"
    subtitle = "Long-form articles about books and history."

    def link(self):
        return reverse("articles:article-list")

    def items(self):
        return Article.objects.published().for_teasers().order_by("-published_at")[:FEED_LENGTH]

    def item_title(self, article):
        return xml_text(article.title)

    def item_description(self, article):
        return xml_text(article.teaser)

    def item_pubdate(self, article):
        return article.published_at

    def item_updateddate(self, article):
        return article.updated_at

    def item_author_name(self, article):
        return xml_text(article.byline) or None
