"""Articles: long-form pieces whose bodies embed book cards."""

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection, models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from catalogue.models import Book
from catalogue.slugs import unique_slug

from . import rendering

TEASER_LENGTH = 160


class ArticleQuerySet(models.QuerySet):
    def published(self) -> "ArticleQuerySet":
        """Articles readers may see: published, and their publication time has come.

        A read-time filter, so a scheduled article appears by itself when its time comes.
        """
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())

    def search(self, query: str) -> "ArticleQuerySet":
        """Articles whose title or body match, best first (full text on PostgreSQL)."""
        query = query.strip()
        if not query:
            return self.none()
        if connection.vendor == "postgresql":
            document = SearchVector("title", weight="A", config="english") + SearchVector(
                "standfirst", "body", weight="B", config="english"
            )
            text_query = SearchQuery(query, config="english", search_type="websearch")
            return (
                self.annotate(document=document, rank=SearchRank(document, text_query))
                .filter(Q(document=text_query) | Q(title__icontains=query))
                .order_by("-rank", "-published_at")
            )
        words = query.split()
        matches = Q()
        for word in words:
            matches &= Q(title__icontains=word) | Q(body__icontains=word)
        return (
            self.filter(matches)
            .annotate(in_title=Count("pk", filter=Q(title__icontains=query)))
            .order_by("-in_title", "-published_at")
        )

    def embedding(self, book: Book) -> "ArticleQuerySet":
        return self.filter(embedded_books=book)

    def recommended_for(self, article: "Article", book_ids: list[int]) -> "ArticleQuerySet":
        """Other public articles, those sharing the most embedded books first, then newest."""
        return (
            self.published()
            .exclude(pk=article.pk)
            .annotate(
                shared_books=Count(
                    "embedded_books", filter=Q(embedded_books__in=book_ids), distinct=True
                )
            )
            .order_by("-shared_books", "-published_at", "-pk")
        )


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=300)
    slug = models.SlugField(
        max_length=200,
        unique=True,
        blank=True,
        allow_unicode=True,
        help_text="Used in the article's address; filled from the title when left blank.",
    )
    standfirst = models.TextField(
        blank=True,
        help_text="The teaser under the title and in lists. Left blank, the start of the body "
        "is used, cut at a word.",
    )
    body = models.TextField(
        blank=True,
        help_text="Markdown. Embed a book with a line of its own: [[book:slug]] or "
        "[[book:ISBN-13]].",
    )
    byline = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField(
        "publication time",
        default=timezone.now,
        db_index=True,
        help_text="A published article is public from this time on: set it in the future "
        "to schedule.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Which books the body embeds, kept by `refresh_embedded_books()` whenever the body is
    # saved through the admin or the demo; it lets a book page list its articles.
    embedded_books = models.ManyToManyField(
        Book, blank=True, related_name="articles", editable=False
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["status", "published_at"])]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self, self.title)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("articles:article-detail", kwargs={"slug": self.slug})

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.published_at <= timezone.now()

    @cached_property
    def teaser(self) -> str:
        """The standfirst, or the start of the body cut at a word boundary with “…”."""
        if self.standfirst.strip():
            return self.standfirst.strip()
        return rendering.cut_at_word(rendering.plain_text(self.body), TEASER_LENGTH)

    def render_body(self) -> rendering.RenderedBody:
        return rendering.render_body(self.body, context_label=f"article “{self.slug}”")

    def refresh_embedded_books(self) -> None:
        """Record which existing books the body embeds (after the article is saved)."""
        found = rendering.find_books(rendering.embed_refs(self.body), Book.objects.all())
        self.embedded_books.set({book.pk for book in found.values()})

    refresh_embedded_books.alters_data = True

    def recommendations(self, book_ids: list[int]) -> list["Article"]:
        return list(
            Article.objects.recommended_for(self, book_ids)[: settings.RECOMMENDATION_COUNT]
        )
