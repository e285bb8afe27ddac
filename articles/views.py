"""The articles' pages: an article, the archive, a topic."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.views.generic import DetailView, ListView

from catalogue.models import Book
from catalogue.reading_lists import ReadingList
from images.models import Image
from pagecache import fragments
from pagecache.tags import SITE, list_of, tag_for, tag_for_id, tags_for_ids
from pagecache.views import CachedPageMixin
from shared.paging import CappedPaginator
from shared.redirects import redirect_from_old_address

from .models import Article, ArticleAlias, Topic

ARCHIVE_PAGE_SIZE = 20


class PublishedArticlesMixin(CachedPageMixin):
    """Over the articles readers may see; a page listing them changes with any of them."""

    def get_queryset(self):
        # Not a class attribute: published() reads the clock, and must at each request.
        return Article.objects.published()

    def cache_tags(self):
        return [list_of(Article)]


class ArticleArchiveView(PublishedArticlesMixin, ListView):
    """Every public article, newest first."""

    context_object_name = "articles"
    paginate_by = ARCHIVE_PAGE_SIZE
    paginator_class = CappedPaginator  # 100,000 articles are not counted on every page
    template_name = "articles/article_list.html"

    def get_queryset(self):
        return super().get_queryset().for_teasers()


class TopicDetailView(ArticleArchiveView):
    """The archive of one topic."""

    template_name = "articles/topic_detail.html"

    def get_queryset(self):
        self.topic = get_object_or_404(Topic, slug=self.kwargs["slug"])
        return super().get_queryset().filter(topics=self.topic)

    def get_context_data(self, **kwargs):
        return super().get_context_data(topic=self.topic, **kwargs)

    def cache_tags(self):
        return [tag_for(self.topic), *super().cache_tags()]


def read_next_and_topics(article: Article) -> tuple[list[int], SafeString, list[Topic]]:
    """The ids of the article's "Read next" (Article.recommendations) and its aside
    rendered, and its topics, kept across requests (pagecache.fragments) until the
    article, any article listed anywhere (which the recommendations may be topped up
    with, or show as teasers) or a topic changes, or the next article goes live or is
    withdrawn by the clock: its page dropped for a new rating of a book it shows need
    not make them again."""
    key = f"read-next:{article.pk}"
    with fragments.batch({key: [tag_for(article), list_of(Article), SITE]}) as kept:
        found = kept.get(key)
        if found is None:
            recommendations = article.recommendations()
            aside = render_to_string(
                "includes/read_next.html", {"recommendations": recommendations}
            )
            found = ([other.pk for other in recommendations], aside, list(article.topics.all()))
            kept.put(key, found)
    return found


# Which article (and featured picture) each address showed when last read here: the tags
# its kept row is under, known before the row is read (a guess, checked).
ROWS_SEEN: dict[str, tuple[int, int | None]] = {}
ROWS_SEEN_LIMIT = 10_000


def published_article(slug: str, *, read) -> Article:
    """The published article at `slug`, as `read()` gives it, kept across requests
    (pagecache.fragments) under its own tag and its featured picture's: a page dropped
    for a rating of a book it shows, or for another article's change, need not read it.
    Kept no longer than its withdrawal or any other change by the clock (fragments'
    lifetime), so a kept row is always one readers may still see."""
    seen = ROWS_SEEN.get(slug)
    if seen is None:
        article = read()
    else:
        key = f"article:{slug}"
        pk, picture_pk = seen
        tags = [tag_for_id(Article, pk), SITE]
        if picture_pk is not None:
            tags.append(tag_for_id(Image, picture_pk))
        with fragments.batch({key: tags}) as kept:
            article = kept.get(key)
            if article is None:
                article = read()
                if (article.pk, article.featured_image_id) == seen:
                    kept.put(key, article)
    if len(ROWS_SEEN) >= ROWS_SEEN_LIMIT:
        ROWS_SEEN.clear()
    ROWS_SEEN[slug] = (article.pk, article.featured_image_id)
    return article


class ArticleDetailView(PublishedArticlesMixin, DetailView):
    """An article with its book cards, and what to read next."""

    context_object_name = "article"
    template_name = "articles/article_detail.html"

    def get_queryset(self):
        # The featured picture at its top comes with the article, in the same query.
        return super().get_queryset().select_related("featured_image")

    def get_object(self, queryset=None):
        if queryset is not None:
            return super().get_object(queryset)
        return published_article(self.kwargs["slug"], read=super().get_object)

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            # An article whose slug changed: its old address leads to the new one, in one hop.
            aliases = ArticleAlias.objects.filter(article__in=Article.objects.published())
            moved = redirect_from_old_address(aliases.select_related("article"), kwargs["slug"])
            if moved is None:
                raise
            return moved

    def get_context_data(self, **kwargs):
        article = self.object
        self.body = article.render_body()
        self.recommended_ids, read_next, self.topics = read_next_and_topics(article)
        return super().get_context_data(
            body=self.body,
            read_next=read_next,
            topics=self.topics,
            **kwargs,
        )

    def cache_tags(self):
        return [
            tag_for(self.object),
            # Read next may be topped up with the latest articles.
            *super().cache_tags(),
            *tags_for_ids(Book, [book.pk for book in self.body.books]),
            *tags_for_ids(Article, self.recommended_ids),
            *tags_for_ids(Topic, [topic.pk for topic in self.topics]),
            # A list it embeds changing (its books, their notes, withdrawn) drops the page.
            *tags_for_ids(ReadingList, [shown.pk for shown in self.body.lists]),
            # And the books they show: one retitled or rated changes the list's cards.
            *tags_for_ids(Book, self.body.list_book_ids),
            # Its figures: a picture's new words or renditions drop the page.
            *tags_for_ids(Image, self.body.image_ids),
        ]
