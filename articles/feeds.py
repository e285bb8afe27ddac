"""The article feeds, each in Atom and in RSS 2.0: the latest articles
(/articles/feed.xml, /articles/feed.rss), a topic's (/topics/<slug>/feed.xml, .rss) and
the articles about an author's books (/authors/<slug>/feed.xml, .rss)."""

from collections.abc import Iterable
from dataclasses import replace
from html import escape

from django.contrib.sites.shortcuts import get_current_site
from django.contrib.syndication.views import Feed, add_domain
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.http import http_date

from catalogue.models import Author, Book
from images.responsive import Rendition, rendition_for
from pagecache.tags import list_of, tag_for, tags_for_ids
from shared.text import without_control_characters

from .models import Article, Topic
from .share_cards import FEATURED_SHARE_WIDTH

FEED_LENGTH = 20
MEDIA_RSS = "http://search.yahoo.com/mrss/"


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
        picture: Rendition | None = item["picture"]
        if picture is not None:
            # Not Django's enclosures: they must give a length in bytes, which no picture
            # records (reading it would cost a storage request per entry); Atom's is optional.
            handler.addQuickElement(
                "link", None, {"rel": "enclosure", "href": picture.jpeg_url, "type": "image/jpeg"}
            )


class PlainTextDescriptionRss(Rss201rev2Feed):
    """RSS 2.0 whose descriptions are plain text. RSS has no way to say so: readers take
    a description as HTML, so the text is escaped as HTML before XML escapes it again,
    and `<img onerror=…>` quoted in an article reaches the reader as those characters."""

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:media": MEDIA_RSS}

    def add_root_elements(self, handler):
        self.feed = {**self.feed, "description": escape(self.feed["description"], quote=False)}
        super().add_root_elements(handler)

    def add_item_elements(self, handler, item):
        description = item["description"]
        if description is not None:
            item = {**item, "description": escape(description, quote=False)}
        super().add_item_elements(handler, item)
        picture: Rendition | None = item["picture"]
        if picture is not None:
            # Media RSS rather than <enclosure>, whose length in bytes no picture records.
            attributes = {"url": picture.jpeg_url, "type": "image/jpeg", "medium": "image"}
            size = {"width": str(picture.width), "height": str(picture.height)}
            handler.addQuickElement("media:content", None, {**attributes, **size})


class ArticlesFeed(Feed):
    """Articles as feed entries: the title, the description (the meta description, else
    the teaser) as a plain-text summary, the featured picture, the byline, the topics as
    categories. Subclasses say which articles (`articles(obj)`), what the feed is called,
    and what its page shows (`cache_tags(obj)`)."""

    feed_type = PlainTextSummaryFeed

    def __call__(self, request, *args, **kwargs) -> HttpResponse:
        """Django 5.2's Feed.__call__, with the response saying what it shows for the
        page cache (pagecache.decorators.shared_page), which depends on the object."""
        try:
            obj = self.get_object(request, *args, **kwargs)
        except ObjectDoesNotExist as missing:
            raise Http404("Feed object does not exist.") from missing
        feed = self.get_feed(obj, request)
        response = HttpResponse(content_type=feed.content_type)
        response.headers["Last-Modified"] = http_date(feed.latest_post_date().timestamp())
        feed.write(response, "utf-8")
        shown = [item["article_id"] for item in feed.items]
        response.cache_tags = (*self.cache_tags(obj), *tags_for_ids(Article, shown))
        return response

    def cache_tags(self, obj) -> Iterable[str]:
        # Any article published, changed or withdrawn may join or leave the feed (each
        # one shown is tagged too: its topics, the categories, change by its tag).
        return [list_of(Article)]

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        # A picture's address made absolute the way Django makes the entries' links.
        domain, secure = get_current_site(request).domain, request.is_secure()
        for item in feed.items:
            if item["picture"] is not None:
                absolute = add_domain(domain, item["picture"].jpeg_url, secure)
                item["picture"] = replace(item["picture"], jpeg_url=absolute)
        return feed

    def item_extra_kwargs(self, article) -> dict:
        # Kept with the entry (the feed formats write only what they know): the article
        # for the tags; its featured picture's JPEG at the width shares show, if readers
        # may see it (the query read the picture with the article: for_teasers).
        image = article.featured_image if article.featured_image_id else None
        picture = rendition_for(image, width=FEATURED_SHARE_WIDTH)
        return {"article_id": article.pk, "picture": picture}

    def articles(self, obj):
        raise NotImplementedError

    def items(self, obj):
        # The topics' names in one query for the whole feed, not one per entry.
        topics = Prefetch("topics", queryset=Topic.objects.only("pk", "name"))
        newest = self.articles(obj).order_by("-published_at", "-pk")
        return newest.for_teasers().prefetch_related(topics)[:FEED_LENGTH]

    def description(self, obj):
        return self.subtitle(obj)

    def item_title(self, article):
        return xml_text(article.title)

    def item_description(self, article):
        return xml_text(article.description)

    def item_pubdate(self, article):
        return article.published_at

    def item_updateddate(self, article):
        return article.updated_at

    def item_author_name(self, article):
        return xml_text(article.byline) or None

    def item_categories(self, article):
        return [xml_text(topic.name) for topic in article.topics.all()]


class LatestArticlesFeed(ArticlesFeed):
    def articles(self, obj):
        return Article.objects.published()

    def title(self, obj):
        return "Colophon: articles"

    def subtitle(self, obj):
        return "Long-form articles about books and history."

    def link(self, obj):
        return reverse("articles:article-list")


class TopicFeed(ArticlesFeed):
    """A topic's articles. Topics keep no old addresses: a slug not in use is a 404."""

    def get_object(self, request, slug):
        return get_object_or_404(Topic, slug=slug)

    def articles(self, topic):
        return Article.objects.published().filter(topics=topic)

    def cache_tags(self, topic):
        return [tag_for(topic), *super().cache_tags(topic)]

    def title(self, topic):
        return xml_text(f"Colophon: articles on {topic.name}")

    def subtitle(self, topic):
        return xml_text(f"Colophon’s articles on {topic.name}, newest first.")

    def link(self, topic):
        return topic.get_absolute_url()


class AuthorFeed(ArticlesFeed):
    """The published articles that embed any public book the author is credited on.
    Authors keep no old addresses: a slug not in use is a 404."""

    def get_object(self, request, slug):
        return get_object_or_404(Author, slug=slug)

    def articles(self, author):
        embeds = Article.embedded_books.through.objects.filter(
            book__status=Book.Status.PUBLISHED, book__contributions__author=author
        )
        return Article.objects.published().filter(pk__in=embeds.values("article_id"))

    def cache_tags(self, author):
        # Their credits (the author's tag) and their books' status (list_of(Book)) decide
        # which articles are about their books.
        return [tag_for(author), list_of(Book), *super().cache_tags(author)]

    def title(self, author):
        return xml_text(f"Colophon: articles about books by {author.name}")

    def subtitle(self, author):
        return xml_text(f"Colophon’s articles about books by {author.name}, newest first.")

    def link(self, author):
        return author.get_absolute_url()


class AsRss:
    """The same feed in RSS 2.0."""

    feed_type = PlainTextDescriptionRss


class LatestArticlesRss(AsRss, LatestArticlesFeed):
    pass


class TopicRss(AsRss, TopicFeed):
    pass


class AuthorRss(AsRss, AuthorFeed):
    pass
