"""Articles: long-form pieces whose bodies embed book cards."""

import logging
import re
from dataclasses import dataclass
from typing import ClassVar

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connection, models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from catalogue.models import Book
from catalogue.reading_lists import ReadingList
from images.models import Image
from shared.aliases import KeepsOldAddresses, OldAddress, refuse_old_address
from shared.fulltext import FTS5Index, StoredColumn, fts5_query
from shared.labels import Label
from shared.loaded_values import RemembersLoadedValues
from shared.slugs import FillsSlug

from . import references, rendering
from .words import profile_of

logger = logging.getLogger(__name__)

TEASER_LENGTH = 160
# Reading time: 230 words a minute, a little under the 238 that Brysbaert's review of
# adult silent reading (2019) found for non-fiction, as the cards and headings slow a
# reader; the time is rounded to the nearest minute, and is never under one.
WORDS_PER_MINUTE = 230
WORD = re.compile(r"\w+(?:['’-]\w+)*")  # "side-by-side" and "soldiers’" are one word each
RANKED_MATCHES = 200  # matches of an article search ranked by relevance (the newest)
# SQLite's full-text index of articles (migration 0006); PostgreSQL stores a tsvector.
ARTICLE_INDEX = FTS5Index(
    "articles_article",
    ("title", "standfirst", "body"),
    weights=(10.0, 4.0, 4.0),  # as PostgreSQL's A (title) and B (the text)
    tokenize="porter unicode61 remove_diacritics 2",  # stems as the `english` configuration
)


def excerpt_of(body: str) -> str:
    """The start of a body's words, without Markdown, HTML or embeds, cut at a word
    (TEASER_LENGTH characters at most, with "…" when cut): the teaser of an article
    without a standfirst."""
    return rendering.cut_at_word(rendering.plain_text(body), TEASER_LENGTH)


def word_count_of(title: str, plain_body: str) -> int:
    """The words a reader reads: the title's and the body's plain text (no Markdown, HTML
    or embeds; a card's words are not counted)."""
    return len(WORD.findall(title)) + len(WORD.findall(plain_body))


def reading_minutes_for(word_count: int) -> int:
    """Minutes to read `word_count` words at WORDS_PER_MINUTE, to the nearest, at least 1."""
    return max(1, (word_count + WORDS_PER_MINUTE // 2) // WORDS_PER_MINUTE)


@dataclass(frozen=True)
class DerivedFromText:
    """What an article keeps from its title and body on every save, so that lists and
    "Read next" need not parse Markdown: the values of the fields named in FIELDS."""

    FIELDS: ClassVar[tuple[str, ...]] = ("excerpt", "text_profile", "word_count")

    excerpt: str  # the teaser of an article without a standfirst (`excerpt_of`)
    text_profile: dict[str, int]  # its most frequent words (articles.words)
    word_count: int  # its title's and body's words, for the reading time (`word_count_of`)


def derived_from_text(title: str, body: str) -> DerivedFromText:
    """The stored values derived from a title and body, from one reading of the
    Markdown: what `Article.save` writes, and what a refresh of them compares with."""
    plain = rendering.plain_text(body)
    return DerivedFromText(
        excerpt=rendering.cut_at_word(plain, TEASER_LENGTH),
        text_profile=profile_of(title, plain),
        word_count=word_count_of(title, plain),
    )


class Topic(Label):
    """What articles are about; each topic lists its articles at /topics/<slug>/."""

    description = models.TextField(blank=True)

    def get_absolute_url(self) -> str:
        return reverse("articles:topic-detail", kwargs={"slug": self.slug})


class ArticleQuerySet(models.QuerySet):
    def published(self) -> "ArticleQuerySet":
        """Articles readers may see: published, and their publication time has come.

        A read-time filter, so a scheduled article appears by itself when its time comes.
        """
        now = timezone.now()
        return self.filter(
            Q(withdraw_at__isnull=True) | Q(withdraw_at__gt=now),
            status=Article.Status.PUBLISHED,
            published_at__lte=now,
        )

    def for_teasers(self) -> "ArticleQuerySet":
        """Articles shown as teasers in a list: everything but the body and its render
        (the teaser is the stored excerpt) and the recommendation engine's word counts;
        with the featured picture each shows as its thumbnail, read in the same query."""
        return self.defer("body", "rendered_body", "text_profile").select_related("featured_image")

    def refresh_derived_text(self, *, batch_size: int = 500) -> list[int]:
        """Bring what these articles keep from their title and body (DerivedFromText:
        excerpt, word counts) up to date, after rows were written around `Article.save`
        (SQL, bulk_create, a data migration): the ids of the articles whose values
        changed. Reads a batch at a time; an article already right costs no write."""
        changed, after = [], 0
        fields = DerivedFromText.FIELDS
        while batch := list(
            self.filter(pk__gt=after)
            .order_by("pk")
            .only("pk", "title", "body", *fields)[:batch_size]
        ):
            after = batch[-1].pk
            stale = []
            for article in batch:
                kept = derived_from_text(article.title, article.body)
                if any(getattr(article, name) != getattr(kept, name) for name in fields):
                    for name in fields:
                        setattr(article, name, getattr(kept, name))
                    stale.append(article)
            Article.objects.bulk_update(stale, fields)
            changed += [article.pk for article in stale]
        return changed

    refresh_derived_text.alters_data = True

    def refresh_embedded_books(self, *, batch_size: int = 500) -> list[int]:
        """Bring these articles' recorded embeds up to date with their bodies, after bodies
        or books changed outside Django (SQL, a data migration): the ids of the articles
        whose embeds changed. Reads a batch of bodies at a time; an article whose embeds
        are already right costs no write. Embedded reading lists and pictures are kept
        alike."""
        through = Article.embedded_books.through
        lists_through = Article.embedded_lists.through
        changed, after = [], 0
        while batch := list(
            self.filter(pk__gt=after).order_by("pk").only("pk", "slug", "body")[:batch_size]
        ):
            after = batch[-1].pk
            refs = {article.pk: rendering.embed_refs(article.body) for article in batch}
            found = rendering.find_books(
                {ref for article_refs in refs.values() for ref in article_refs},
                Book.objects.only("pk", "slug", "isbn13"),
            )
            list_refs = {article.pk: rendering.list_refs(article.body) for article in batch}
            found_lists = rendering.find_lists(
                {ref for article_refs in list_refs.values() for ref in article_refs},
                ReadingList.objects.only("pk", "slug"),
            )
            recorded = {article.pk: set() for article in batch}
            for article_id, book_id in through.objects.filter(article__in=batch).values_list(
                "article_id", "book_id"
            ):
                recorded[article_id].add(book_id)
            image_ids = {
                article.pk: {rendering.image_id(ref) for ref in rendering.image_refs(article.body)}
                for article in batch
            }
            images = set(
                Image.objects.filter(pk__in=set().union(*image_ids.values()) - {None}).values_list(
                    "pk", flat=True
                )
            )
            recorded_images = {article.pk: set() for article in batch}
            images_through = Article.embedded_images.through
            for article_id, image in images_through.objects.filter(article__in=batch).values_list(
                "article_id", "image_id"
            ):
                recorded_images[article_id].add(image)
            recorded_lists = {article.pk: set() for article in batch}
            lists_recorded = lists_through.objects.filter(article__in=batch)
            for article_id, list_id in lists_recorded.values_list("article_id", "readinglist_id"):
                recorded_lists[article_id].add(list_id)
            for article in batch:
                embedded = {found[ref].pk for ref in refs[article.pk] if ref in found}
                if embedded != recorded[article.pk]:
                    article.embedded_books.set(embedded)  # its pages' cached copies go too
                    changed.append(article.pk)
                lists = {found_lists[ref].pk for ref in list_refs[article.pk] if ref in found_lists}
                if lists != recorded_lists[article.pk]:
                    article.embedded_lists.set(lists)
                    if article.pk not in changed:
                        changed.append(article.pk)
                pictures = image_ids[article.pk] & images
                if pictures != recorded_images[article.pk]:
                    article.embedded_images.set(pictures)
                    if article.pk not in changed:
                        changed.append(article.pk)
        return changed

    refresh_embedded_books.alters_data = True

    def refresh_rendered_bodies(self, *, batch_size: int = 200) -> list[int]:
        """Render these articles' bodies again and store each render that changed (after
        bodies, books or pictures changed outside Django, or a new renderer): the ids of
        the articles whose stored render changed. Reads a batch of bodies at a time; the
        references that found no book are recorded for every render (rows lost come back)."""
        changed, after = [], 0
        while batch := list(
            self.filter(pk__gt=after)
            .order_by("pk")
            .only("pk", "body", "rendered_body")[:batch_size]
        ):
            after = batch[-1].pk
            stale = []
            for article in batch:
                fresh = rendering.prepare_body(article.body)
                if not fresh.shows_as(article.rendered_body):
                    article.rendered_body = fresh.as_json()
                    stale.append(article)
            with transaction.atomic():
                Article.objects.bulk_update(stale, ["rendered_body"])
                # Every render of the batch, changed or not: rows lost are made again.
                UnresolvedBookReference.objects.record_for(batch)
            changed += [article.pk for article in stale]
        return changed

    refresh_rendered_bodies.alters_data = True

    def search(self, query: str) -> "ArticleQuerySet":
        """Articles whose title, standfirst or body match, best first, through the stored,
        indexed document (migration 0006): a title match counts more than the text's.

        PostgreSQL: the `search_document` column, `websearch_to_tsquery` in the `english`
        configuration, ranked by ts_rank. SQLite: the FTS5 table `articles_article_search`
        (Porter stemming, every word required, the last also as a prefix), ranked by
        bm25 with the same weights."""
        query = query.strip()
        if not query:
            return self.none()
        if connection.vendor == "postgresql":
            document = StoredColumn("search_document", SearchVectorField())
            text_query = SearchQuery(query, config="english", search_type="websearch")
            # A common word matches tens of thousands of articles: rank the newest
            # RANKED_MATCHES of them (ts_rank reads each match's whole document).
            newest = (
                self.alias(document=document)
                .filter(document=text_query)
                .order_by("-published_at", "-pk")
                .values("pk")[:RANKED_MATCHES]
            )
            return (
                self.filter(pk__in=newest)
                .alias(document=document)
                .annotate(rank=SearchRank(document, text_query))
                .order_by("-rank", "-published_at")
            )
        match = fts5_query(query)
        if not match:
            return self.none()
        return (
            self.filter(pk__in=ARTICLE_INDEX.matching(match))
            .annotate(rank=ARTICLE_INDEX.relevance(match))
            .order_by("-rank", "-published_at")
        )


class Article(KeepsOldAddresses, RemembersLoadedValues, FillsSlug, models.Model):
    slug_source = "title"

    # A changed slug is kept as an alias, so the old address redirects; a body edited
    # but not saved (a preview) has a teaser of its own, not the stored excerpt.
    remembered_fields = ("slug", "body")

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        REVIEW = "review", "In review"
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class State(models.TextChoices):
        """What the desk lists: the status, with "published" split by the clock."""

        DRAFT = "draft", "Draft"
        REVIEW = "review", "In review"
        SCHEDULED = "scheduled", "Scheduled"
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn"

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
        help_text="Markdown. Type [[ to find a book, an article or a picture. "
        "Each embed is a line of its own: [[book:slug]] or [[book:ISBN-13]], "
        "[[list:slug]], [[image:ID]].",
    )
    byline = models.CharField(max_length=200, blank=True)
    meta_description = models.CharField(
        max_length=300,
        blank=True,
        help_text="What search engines and shares show under the title; the standfirst when blank.",
    )
    social_title = models.CharField(
        max_length=200, blank=True, help_text="The title when shared; the title when blank."
    )
    featured_image = models.ForeignKey(
        "images.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="featured_in",
        help_text="Shown with the article in lists, when it is shared, and to search engines.",
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    # Blank until the article is published: publishing takes the moment it happens
    # unless the editor chose a time (articles/forms.py). No job publishes a scheduled
    # article: public queries compare this time with the clock.
    published_at = models.DateTimeField(
        "publication time",
        null=True,
        blank=True,
        db_index=True,
        help_text="A published article is public from this time on: set it in the future "
        "to schedule, or leave it blank to publish at once.",
    )
    # A published article stops being public at this time (articles/forms.py refuses one
    # before the publication time); blank: public until withdrawn by hand.
    withdraw_at = models.DateTimeField(
        "withdrawal time",
        null=True,
        blank=True,
        db_index=True,
        help_text="Set to take the article off the site at that time; blank keeps it public.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    # Counts the saves of the row through the model (the desk, a restore, code): the
    # desk's forms compare it to tell a colleague's save from their own (desk/forms.py).
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Who made the article at the desk: a contributor sees and changes only their own
    # (ArticleAdmin). None for articles made before owners were kept, or by code; only
    # editors change those.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="articles_created",
    )
    # Which books the body embeds, kept by `refresh_embedded_books()` whenever the body is
    # saved (`save()`; a restore or a fixture: articles/signals.py); it lets a book page
    # list its articles and the desk say where a book is used.
    embedded_books = models.ManyToManyField(
        Book, blank=True, related_name="articles", editable=False
    )
    # Which reading lists the body embeds (`[[list:slug]]`), kept like embedded_books.
    embedded_lists = models.ManyToManyField(
        "catalogue.ReadingList", blank=True, related_name="articles", editable=False
    )
    # Which pictures the body embeds (`[[image:ID]]`), kept like embedded_books.
    embedded_images = models.ManyToManyField(
        "images.Image", blank=True, related_name="articles", editable=False
    )
    # The body rendered when it is saved (articles/rendering.py): the sanitised HTML with
    # a placeholder for each live part (book cards, lists), filled at each request.
    rendered_body = models.JSONField(default=dict, blank=True, editable=False)
    topics = models.ManyToManyField(Topic, blank=True, related_name="articles")
    # Editors steer "Read next": pinned articles lead the list, excluded ones never appear.
    pinned_recommendations = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="+",
        help_text="Shown first under this article, in the order of their publication.",
    )
    excluded_recommendations = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="+",
        help_text="Never recommended under this article.",
    )
    # The article's most frequent words (articles.words), kept on every save for the
    # recommendation engine's text similarity: a refresh does not re-read every body.
    text_profile = models.JSONField(default=dict, blank=True, editable=False)
    # The body's opening words as plain text (`excerpt_of`), kept on every save and by
    # migration 0008: a list of teasers is shown without parsing each body's Markdown.
    excerpt = models.TextField(blank=True, editable=False)
    # The body's words, counted on every save: the reading time on the page and in lists.
    word_count = models.PositiveIntegerField(default=0, editable=False)
    # The picture shown when the article is shared (1200x630, its first book's cover and
    # its title), made in the background and named by its content; blank until made.
    share_image = models.ImageField(upload_to="share/", blank=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "published_at"]),
            # The sitemap index dates the articles' section by the newest change.
            models.Index(fields=["updated_at"], name="article_updated"),
        ]
        permissions = [
            ("publish_article", "Can publish, schedule and withdraw articles"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="published_article_has_time",
                violation_error_message="A published article needs a publication time.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()  # published now, unless a time was chosen
        old_slug = self.changed_from("slug")
        if self.pk is not None and not kwargs.get("update_fields"):
            self.version += 1
        # What is derived from the words: the teaser's excerpt, the recommendation
        # engine's word counts and the reading time's word count.
        kept = derived_from_text(self.title, self.body)
        for name in DerivedFromText.FIELDS:
            setattr(self, name, getattr(kept, name))
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"title", "body"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, *DerivedFromText.FIELDS}
        # The body rendered once, here, rather than at every request (the cards and lists
        # in it are filled per request: rendering.render_prepared).
        if update_fields is None or "body" in update_fields:
            self.rendered_body = rendering.prepare_body(self.body).as_json()
            if update_fields is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "rendered_body"}
        with transaction.atomic():
            super().save(*args, **kwargs)
            if old_slug:
                self.keep_old_addresses(old_slug)
            # Whoever saves the body (the desk, code, a command) keeps its embeds true,
            # and the references that found no book, which a book that comes looks up.
            if update_fields is None or "body" in update_fields:
                self.refresh_embedded_books()
                UnresolvedBookReference.objects.record_for([self])
        self.remember_values()

    def get_absolute_url(self) -> str:
        return reverse("articles:article-detail", kwargs={"slug": self.slug})

    def clean(self):
        refuse_old_address(self)

    @property
    def is_public(self) -> bool:
        return self.state == self.State.PUBLISHED

    @property
    def state(self) -> "Article.State":
        """The status, with "published" split by the clock: scheduled before its
        publication time, withdrawn once its withdrawal time has passed."""
        if self.status != self.Status.PUBLISHED:
            return self.State(self.status)
        now = timezone.now()
        if self.withdraw_at is not None and self.withdraw_at <= now:
            return self.State.WITHDRAWN
        if self.published_at is not None and self.published_at > now:
            return self.State.SCHEDULED
        return self.State.PUBLISHED

    @property
    def withdrawal_scheduled(self) -> bool:
        """Live or scheduled, and set to be taken off the site at a time to come."""
        return self.state in (self.State.PUBLISHED, self.State.SCHEDULED) and (
            self.withdraw_at is not None
        )

    @cached_property
    def teaser(self) -> str:
        """The standfirst, or the start of the body cut at a word boundary with “…”:
        the stored excerpt, unless the body was changed since it was read (a preview)."""
        standfirst = self.standfirst.strip()
        if standfirst:
            return standfirst
        loaded = getattr(self, "_loaded_values", {})
        if self._state.adding or ("body" in loaded and loaded["body"] != self.body):
            return excerpt_of(self.body)
        return self.excerpt

    @property
    def shared_title(self) -> str:
        """The title shares show (Open Graph, X): the social title, else the title."""
        return self.social_title.strip() or self.title

    @property
    def description(self) -> str:
        """What search engines and shares show under the title: the meta description,
        else the teaser (the standfirst, or the body's opening words)."""
        return self.meta_description.strip() or self.teaser

    @property
    def reading_minutes(self) -> int:
        """About how long the article takes to read (WORDS_PER_MINUTE), from the stored
        word count, or from the body itself when it was changed since (a preview)."""
        loaded = getattr(self, "_loaded_values", {})
        if self._state.adding or ("body" in loaded and loaded["body"] != self.body):
            return reading_minutes_for(derived_from_text(self.title, self.body).word_count)
        return reading_minutes_for(self.word_count)

    def render_body(self) -> rendering.RenderedBody:
        """The body as readers see it: from the render stored at save, or, when that is
        missing or stale (rows written around `save()`, a renderer changed since), from
        the Markdown in memory: a read never writes it (only the cards it renders are
        stored, pagecache.stored_parts). The body changed since it was read
        (a preview of unsaved text) is rendered in memory too."""
        # The cards' shop links count their clicks against this article.
        label = f"article “{self.slug}”"
        prepared = self.stored_render()
        if prepared is not None:
            return rendering.render_prepared(prepared, source=self, context_label=label)
        loaded = getattr(self, "_loaded_values", {})
        if not self._state.adding and loaded.get("body") == self.body:
            _stale_render_seen(self)
        return rendering.render_body(self.body, source=self, context_label=label)

    def stored_render(self) -> rendering.PreparedBody | None:
        """The render kept at save, if it was made from this body by this renderer."""
        return rendering.PreparedBody.from_json(self.rendered_body, self.body)

    def refresh_rendered_body(self, *, again: bool = False) -> bool:
        """Store the body's render if the stored one is missing or stale (or, `again`,
        in any case: a picture or a book it shows changed), without `save()`: no new
        version, no signals. True if it wrote."""
        if not again and self.stored_render() is not None:
            return False
        self.rendered_body = rendering.prepare_body(self.body).as_json()
        with transaction.atomic():
            Article.objects.filter(pk=self.pk).update(rendered_body=self.rendered_body)
            UnresolvedBookReference.objects.record_for([self])
        return True

    refresh_rendered_body.alters_data = True

    def follow_merged_book(self, *, duplicate_id: int, kept_id: int) -> None:
        """Its stored render names the book kept where it named the duplicate merged into
        it (the references stay: the duplicate's slug and ISBN now lead to the book kept)."""
        stored = self.rendered_body or {}
        book_ids = stored.get("book_ids") or {}
        if duplicate_id in book_ids.values():
            stored["book_ids"] = {
                ref: kept_id if pk == duplicate_id else pk for ref, pk in book_ids.items()
            }
            Article.objects.filter(pk=self.pk).update(rendered_body=stored)

    follow_merged_book.alters_data = True

    def refresh_derived_text(self) -> None:
        """Write what is derived from the title and body if the row holds other values
        (a restore or a fixture wrote it without `save()`)."""
        kept = derived_from_text(self.title, self.body)
        stale = {
            name: getattr(kept, name)
            for name in DerivedFromText.FIELDS
            if getattr(self, name) != getattr(kept, name)
        }
        if stale:
            Article.objects.filter(pk=self.pk).update(**stale)
            for name, value in stale.items():
                setattr(self, name, value)

    refresh_derived_text.alters_data = True

    def refresh_embedded_books(self) -> None:
        """Record which existing books, reading lists and pictures the body embeds (after
        the article is saved): where-used, a book's articles and the page cache read them."""
        # The references resolved when the body was rendered at save.
        prepared = self.stored_render() or rendering.prepare_body(self.body)
        lists = rendering.find_lists(prepared.list_refs)
        # Marks the change as derived from the body (articles.signals.embeds_changed).
        self._refreshing_embeds = True
        try:
            self.embedded_books.set(set(prepared.book_ids.values()))
            self.embedded_lists.set({reading_list.pk for reading_list in lists.values()})
            self.embedded_images.set(prepared.image_ids)
        finally:
            self._refreshing_embeds = False

    refresh_embedded_books.alters_data = True

    def recommendations(self, limit: int | None = None) -> list["Article"]:
        """What to read next: the precomputed list, topped up with the latest public
        articles when it is short (a loner, or recommended articles withdrawn), in one
        query: the article page's count stays the same whichever it takes. The query is
        written once per connection (articles.read_next), not built at each request."""
        from .read_next import read_next  # it imports this module's models

        return read_next(self.pk, limit or settings.RECOMMENDATION_COUNT)


_stale_renders_logged: set[int] = set()


def _stale_render_seen(article: Article) -> None:
    """Log once per article and process that its stored render is missing or stale (a
    busy page would log it at every request): `manage.py refresh_embeds` stores it."""
    if article.pk not in _stale_renders_logged:
        _stale_renders_logged.add(article.pk)
        logger.warning(
            "Article “%s” has no current stored render; rendering it at each request "
            "until it is saved or `manage.py refresh_embeds` runs.",
            article.slug,
        )


class UnresolvedBookReferenceQuerySet(models.QuerySet):
    def record_for(self, articles: list[Article], *, batch_size: int = 500) -> None:
        """Make these articles' rows those of their stored renders' references that
        found no book (`rendered_body` as they hold it): wherever a render is stored.
        An article whose rows are right already costs no write."""
        for start in range(0, len(articles), batch_size):
            batch = articles[start : start + batch_size]
            wanted = {
                article.pk: references.unresolved_keys(article.rendered_body) for article in batch
            }
            kept = {pk: set() for pk in wanted}
            rows = self.filter(article__in=list(wanted)).values_list("article_id", "reference")
            for article_id, reference in rows:
                kept[article_id].add(reference)
            stale = [pk for pk, keys in wanted.items() if keys != kept[pk]]
            if not stale:
                continue
            self.filter(article__in=stale).delete()
            self.bulk_create(
                (
                    UnresolvedBookReference(article_id=pk, reference=key)
                    for pk in stale
                    for key in sorted(wanted[pk])
                ),
                ignore_conflicts=True,  # the same article saved at once elsewhere
            )

    record_for.alters_data = True


class UnresolvedBookReference(models.Model):
    """A `[[book:…]]` reference of an article's stored render that found no book (not
    made yet, deleted since, or mistyped), kept by `references.reference_key`: a book
    made, recovered or renamed finds the articles that name it by an index, not by
    reading every body (articles.signals.renders_find_book)."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="unresolved_references"
    )
    # A slug as typed, or an ISBN-13 for any form of an ISBN.
    reference = models.CharField(max_length=references.KEY_LENGTH)

    objects = UnresolvedBookReferenceQuerySet.as_manager()

    class Meta:
        default_permissions = ()  # derived from the renders: no one edits them in the desk
        constraints = [
            # Its index serves the look-up by reference.
            models.UniqueConstraint(
                fields=["reference", "article"], name="unresolved_book_reference_once"
            ),
        ]

    def __str__(self) -> str:
        return f"[[book:{self.reference}]] in article {self.article_id}"


class ArticleAlias(OldAddress):
    """An address an article had before its slug changed; it redirects there (301)."""

    owner_field = "article"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="aliases")

    class Meta(OldAddress.Meta):
        verbose_name_plural = "article aliases"


class Recommendation(models.Model):
    """One precomputed "read next" entry, refreshed by articles.recommendations."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="recommendation_rows"
    )
    recommended = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    reasons = models.CharField(max_length=255, blank=True)
    pinned = models.BooleanField(default=False)

    class Meta:
        ordering = ["-pinned", "-score"]
        constraints = [
            models.UniqueConstraint(fields=["article", "recommended"], name="recommendation_once"),
            models.CheckConstraint(
                condition=~Q(article=F("recommended")), name="recommendation_not_self"
            ),
        ]
        indexes = [models.Index(fields=["article", "-pinned", "-score"])]

    def __str__(self) -> str:
        return f"{self.recommended} under {self.article} ({self.reasons})"


class PreviewLink(models.Model):
    """A preview address given out for one article: it shows the latest saved text to
    whoever holds it until it expires or is revoked (one link alone, or all of them when
    the article is withdrawn: revoked for good)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="preview_links")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Preview link {self.pk} of {self.article}"
