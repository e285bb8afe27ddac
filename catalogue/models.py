"""The catalogue: authors, books and readers' ratings of them."""

import operator
from decimal import ROUND_HALF_UP, Decimal
from functools import reduce

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Case, F, FloatField, Q, Value, When
from django.db.models.functions import Cast
from django.urls import reverse

from shared.aliases import KeepsOldAddresses, OldAddress, refuse_old_address
from shared.labels import Label
from shared.loaded_values import RemembersLoadedValues
from shared.slugs import FillsSlug

from .fields import ISBN13Field, LanguageCodeField
from .isbn import isbn10_from_isbn13, looks_like_isbn, normalise_isbn13
from .languages import language_name
from .querysets import CREDITS_ATTRIBUTE, BookQuerySet

STARS = (1, 2, 3, 4, 5)


def _star_counts(weighted: bool = False):
    """Ratings per star, this site's readers' plus the source's, summed (times the star)."""
    terms = []
    for star in STARS:
        count = F(f"ratings_{star}") + F(f"source_ratings_{star}")
        terms.append(count * star if weighted and star > 1 else count)
    return reduce(operator.add, terms)


def average(histogram: list[int]) -> Decimal | None:
    """Mean stars of a 1-to-5 histogram to one decimal, rounded half up; None if empty."""
    count = sum(histogram)
    if not count:
        return None
    total = sum(star * n for star, n in zip(STARS, histogram, strict=True))
    return (Decimal(total) / Decimal(count)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


class Author(FillsSlug, models.Model):
    # Indexed for imports, which look authors up by exact name: without it PostgreSQL
    # answers "name IN (…)" through the trigram index, seconds per batch.
    name = models.CharField(max_length=255, db_index=True)
    slug = models.SlugField(
        max_length=200,
        unique=True,
        blank=True,
        allow_unicode=True,
        help_text="Used in the author's address; filled from the name when left blank.",
    )
    bio = models.TextField("short bio", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        # The sitemap index dates the authors' section by the newest change.
        indexes = [models.Index(fields=["updated_at"], name="author_updated")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalogue:author-detail", kwargs={"slug": self.slug})


class Subject(Label):
    """What a book is about (history, voice, war): editors tag books with subjects."""


PUBLIC = Q(status="published")
# The book list's orders (catalogue.forms.SORTS uses them): the pk last makes each total.
LIST_ORDERS = {
    "title": (F("title"), F("id")),
    "rating": (
        F("rating_mean").desc(nulls_last=True),
        F("rating_total_count").desc(),
        F("id"),
    ),
    "ratings": (F("rating_total_count").desc(), F("id")),
    "newest": (F("publication_year").desc(nulls_last=True), F("id")),
    "oldest": (F("publication_year").asc(nulls_last=True), F("id")),
}


class Book(KeepsOldAddresses, RemembersLoadedValues, FillsSlug, models.Model):
    slug_source = "title"
    # A changed slug or ISBN is kept as an alias: old addresses and embeds still work; a
    # changed status shows or hides the book on its authors' and subjects' other pages.
    remembered_fields = ("slug", "isbn13", "title", "status")

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft (not public yet)"
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Enabled(models.TextChoices):
        UNKNOWN = "", "Unknown"
        ENABLED = "enabled", "Enabled"
        NOT_ENABLED = "not_enabled", "Not enabled"

    class Supported(models.TextChoices):
        UNKNOWN = "", "Unknown"
        SUPPORTED = "supported", "Supported"
        NOT_SUPPORTED = "not_supported", "Not supported"

    title = models.CharField(max_length=500)
    subtitle = models.CharField(max_length=500, blank=True)
    slug = models.SlugField(
        max_length=200,
        unique=True,
        blank=True,
        allow_unicode=True,
        help_text="Used in the book's address; filled from the title when left blank.",
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.PUBLISHED)
    authors = models.ManyToManyField(Author, through="Contribution", related_name="books")
    # The credited authors' names in credit order, for the search document: written only
    # by catalogue.search.refresh_author_names, in the transaction that changes the credits.
    author_names = models.TextField(blank=True, default="", editable=False)
    subjects = models.ManyToManyField(Subject, blank=True, related_name="books")
    description = models.TextField(blank=True)
    cover = models.ImageField(
        upload_to="covers/", blank=True, width_field="cover_width", height_field="cover_height"
    )
    cover_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    cover_height = models.PositiveIntegerField(null=True, blank=True, editable=False)

    cover_url = models.URLField(
        "cover image URL",
        max_length=500,
        blank=True,
        help_text="An image elsewhere (from an import); an uploaded cover takes precedence.",
    )
    # Widths -> {"webp": name, "jpeg": name, "height": px}, made once when a cover is saved.
    cover_renditions = models.JSONField(default=dict, blank=True, editable=False)

    series = models.CharField(max_length=255, blank=True)
    series_number = models.DecimalField(
        max_digits=7, decimal_places=2, null=True, blank=True, help_text="Place in the series."
    )

    isbn13 = ISBN13Field(help_text="Hyphens and ISBN-10s are accepted and converted.")
    goodreads_id = models.PositiveBigIntegerField(
        "Goodreads id",
        null=True,
        blank=True,
        unique=True,
        help_text="The book's id at Goodreads; imports recognise the book by it.",
    )
    asin = models.CharField("ASIN", max_length=10, blank=True)
    publisher = models.CharField(max_length=255, blank=True)
    publication_year = models.SmallIntegerField(
        null=True,
        blank=True,
        help_text="Negative for years before the common era (-750 is 750 BC).",
    )
    publication_date = models.DateField(
        null=True, blank=True, help_text="The exact date, where known; sets the year."
    )
    language = LanguageCodeField(help_text="ISO 639 code, for example en, fr, de.")
    print_length = models.PositiveIntegerField(
        "print length", null=True, blank=True, help_text="In pages."
    )
    file_size_kb = models.PositiveIntegerField(
        "file size", null=True, blank=True, help_text="In KB."
    )

    text_to_speech = models.CharField(
        "Text-to-Speech", max_length=13, choices=Enabled, default=Enabled.UNKNOWN, blank=True
    )
    screen_reader = models.CharField(
        "Screen Reader", max_length=13, choices=Supported, default=Supported.UNKNOWN, blank=True
    )
    enhanced_typesetting = models.CharField(
        "Enhanced typesetting", max_length=13, choices=Enabled, default=Enabled.UNKNOWN, blank=True
    )
    x_ray = models.CharField(
        "X-Ray", max_length=13, choices=Enabled, default=Enabled.UNKNOWN, blank=True
    )
    word_wise = models.CharField(
        "Word Wise", max_length=13, choices=Enabled, default=Enabled.UNKNOWN, blank=True
    )

    # Readers' ratings on this site, per star; kept in step with Rating rows by the code
    # that records a rating (see catalogue.ratings), in the same transaction.
    ratings_1 = models.PositiveIntegerField(default=0, editable=False)
    ratings_2 = models.PositiveIntegerField(default=0, editable=False)
    ratings_3 = models.PositiveIntegerField(default=0, editable=False)
    ratings_4 = models.PositiveIntegerField(default=0, editable=False)
    ratings_5 = models.PositiveIntegerField(default=0, editable=False)
    # A histogram published by the book's source (an import, a retailer), shown with its name.
    source_ratings_1 = models.PositiveIntegerField("1-star ratings", default=0)
    source_ratings_2 = models.PositiveIntegerField("2-star ratings", default=0)
    source_ratings_3 = models.PositiveIntegerField("3-star ratings", default=0)
    source_ratings_4 = models.PositiveIntegerField("4-star ratings", default=0)
    source_ratings_5 = models.PositiveIntegerField("5-star ratings", default=0)
    rating_source = models.CharField(
        max_length=100, blank=True, help_text="Where the published histogram comes from."
    )
    # A figure the editor states without counts (as the seed article does): shown only
    # while nobody has rated the book, here or at its source, and never claimed as readers'.
    editor_rating = models.DecimalField(
        "editor’s rating",
        max_digits=2,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("1.0")), MaxValueValidator(Decimal("5.0"))],
        help_text="A rating out of 5 that the editor states, such as 4.4. Cards show it, "
        "labelled as the editor’s, only until readers’ ratings (here or from a published "
        "source) exist; those then take its place.",
    )

    # Stored by the database from the counts above, so lists sort by them through an
    # index (an expression computed per row cannot be; at a million books it sorted all).
    rating_total_count = models.GeneratedField(
        expression=_star_counts(),
        output_field=models.IntegerField(),
        db_persist=True,
        verbose_name="ratings",
    )
    rating_mean = models.GeneratedField(
        expression=Case(
            When(
                Q(
                    **{
                        f"{kind}_{star}": 0
                        for kind in ("ratings", "source_ratings")
                        for star in STARS
                    }
                ),
                then=Value(None),
            ),
            default=Cast(_star_counts(weighted=True), FloatField())
            / Cast(_star_counts(), FloatField()),
            output_field=FloatField(),
        ),
        output_field=FloatField(),
        db_persist=True,
        verbose_name="mean rating",
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Counts the saves of the row through the model (the desk, a restore, a merge): the
    # desk's forms compare it to tell a colleague's save from their own (desk/forms.py).
    # Counters updated in bulk (ratings) are not new versions.
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = BookQuerySet.as_manager()

    class Meta:
        ordering = ["title", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["isbn13"],
                condition=~Q(isbn13=""),
                name="book_isbn13_unique_when_present",
                violation_error_message="Another book already has this ISBN-13.",
            ),
            models.CheckConstraint(
                condition=Q(editor_rating__isnull=True) | Q(editor_rating__range=(1, 5)),
                name="book_editor_rating_1_to_5",
                violation_error_message="The editor’s rating is 1.0 to 5.0.",
            ),
        ]
        indexes = [
            models.Index(fields=["language"]),
            models.Index(fields=["publication_year"]),
            models.Index(fields=["series", "series_number"]),
            # One per sort the book list offers (catalogue.forms.SORTS), over public
            # books, in the sort's own order: a page is read off the index, never sorted.
            # Orders with NULLS LAST are indexed on PostgreSQL only (SQLite refuses it in
            # an index): migration 0012.
            # The title order serves the desk's list too (books of every status).
            models.Index(*LIST_ORDERS["title"], name="book_by_title"),
            models.Index(*LIST_ORDERS["ratings"], name="book_public_by_ratings", condition=PUBLIC),
            # The few books readers cannot see (the authors' sitemap leaves out authors
            # with no other books).
            models.Index(fields=["id"], name="book_not_public", condition=~PUBLIC),
            # The sitemap index dates the books' section by the newest change.
            models.Index(fields=["updated_at"], name="book_public_updated", condition=PUBLIC),
        ]
        # PostgreSQL also stores and indexes a search document, and SQLite an FTS5 table
        # (migration 0014, catalogue.fulltext).

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        old_slug, old_isbn13 = self.changed_from("slug"), self.changed_from("isbn13")
        if self.pk is not None and not kwargs.get("update_fields"):
            self.version += 1
        with transaction.atomic():
            super().save(*args, **kwargs)
            if old_slug or old_isbn13:
                self.keep_old_addresses(old_slug or "", old_isbn13 or "")
        self.remember_values()

    def get_absolute_url(self) -> str:
        return reverse("catalogue:book-detail", kwargs={"slug": self.slug})

    @property
    def is_public(self) -> bool:
        """Readers see it (PUBLIC, as one row): the desk's history marks it *Live*."""
        return self.status == self.Status.PUBLISHED

    @classmethod
    def old_isbns(cls, other_than=None):
        """ISBNs books had, but `other_than`'s: `[[book:old ISBN]]` embeds the book that
        had it, so no other book may take one."""
        aliases = BookAlias.objects.exclude(isbn13="")
        return aliases.exclude(book=other_than.pk) if other_than and other_than.pk else aliases

    def old_address_details(self, old_isbn13: str = "") -> dict:
        """A renamed book's alias also keeps the title it had and its old ISBN, so
        `[[book:old-slug]]` or the old ISBN still embeds this book (KeepsOldAddresses)."""
        return {
            "title": getattr(self, "_loaded_values", {}).get("title") or self.title,
            "isbn13": old_isbn13,
            "reason": BookAlias.Reason.RENAMED,
        }

    def addresses_taken_back(self) -> Q:
        return Q(slug=self.slug) | (Q(isbn13=self.isbn13) if self.isbn13 else Q())

    def clean(self):
        refuse_old_address(self)
        if looks_like_isbn(self.slug) and normalise_isbn13(self.slug) != self.isbn13:
            # [[book:…]] and search read it as an ISBN: its embeds would show another book.
            raise ValidationError(
                {"slug": f"“{self.slug}” reads as an ISBN; choose a slug made of words."}
            )
        if self.publication_date:
            if self.publication_year is None:
                self.publication_year = self.publication_date.year
            elif self.publication_year != self.publication_date.year:
                raise ValidationError(
                    {"publication_year": "The year does not match the publication date."}
                )

    def validate_unique(self, exclude=None):
        """An old ISBN is as taken as a live one. Checked here rather than in clean():
        imports settle ISBNs for a whole batch at once and skip this per row."""
        super().validate_unique(exclude)
        if self.isbn13 and "isbn13" not in (exclude or ()):
            self.refuse_old_isbn()

    def refuse_old_isbn(self) -> None:
        """Model validation: an ISBN another book had cannot be given to this one."""
        spellings = {self.isbn13, self.isbn10} - {""}  # aliases hold ISBN-13s; ISBN-10s too
        aliases = Book.old_isbns(other_than=self).filter(isbn13__in=spellings)
        alias = aliases.select_related("book").order_by("-created_at", "-pk").first()
        if alias is not None:
            raise ValidationError(
                {
                    "isbn13": f"“{self.isbn13}” is an old ISBN of “{alias.book}”: embeds by "
                    "it show that book. Check the ISBN, or merge the two books."
                }
            )

    @property
    def publication_label(self) -> str:
        """ "1997", "750 BC"; the date itself is shown where it is known."""
        if self.publication_year is None:
            return ""
        if self.publication_year < 0:
            return f"{-self.publication_year} BC"
        return str(self.publication_year)

    @property
    def series_label(self) -> str:
        """ "The Hunger Games #1" (a whole number without its decimals)."""
        if not self.series:
            return ""
        if self.series_number is None:
            return self.series
        return f"{self.series} #{self.series_number.normalize():f}"

    @property
    def full_title(self) -> str:
        return f"{self.title}: {self.subtitle}" if self.subtitle else self.title

    @property
    def isbn10(self) -> str:
        return isbn10_from_isbn13(self.isbn13)

    isbn10.fget.short_description = "ISBN-10"

    @property
    def language_name(self) -> str:
        return language_name(self.language)

    @property
    def credits(self) -> list["Contribution"]:
        """Contributions in order: those `with_credits()` or `for_cards()` read, if they
        did, else read now."""
        prefetched = getattr(self, CREDITS_ATTRIBUTE, None)
        if prefetched is not None:
            return list(prefetched)
        return list(self.contributions.all())

    @property
    def site_histogram(self) -> list[int]:
        return [getattr(self, f"ratings_{star}") for star in STARS]

    @property
    def source_histogram(self) -> list[int]:
        return [getattr(self, f"source_ratings_{star}") for star in STARS]

    @property
    def rating_histogram(self) -> list[int]:
        """Ratings per star, 1 to 5: this site's readers plus any published source."""
        pairs = zip(self.site_histogram, self.source_histogram, strict=True)
        return [site + source for site, source in pairs]

    @property
    def rating_count(self) -> int:
        return sum(self.rating_histogram)

    @property
    def rating_average(self) -> Decimal | None:
        """The average to one decimal, rounded half up; None when nobody has rated."""
        return average(self.rating_histogram)

    @property
    def site_rating_average(self) -> Decimal | None:
        """The average of this site's readers alone (what structured data may claim)."""
        return average(self.site_histogram)

    def reading_features(self) -> list[tuple[str, str]]:
        """(label, value) of the Kindle-style features that are known, in card order."""
        names = ["text_to_speech", "screen_reader", "enhanced_typesetting", "x_ray", "word_wise"]
        return [
            (self._meta.get_field(name).verbose_name, getattr(self, f"get_{name}_display")())
            for name in names
            if getattr(self, name)
        ]


class BookAlias(OldAddress):
    """What a book was known by before it was renamed or merged into another: its old
    slug (whose address redirects, in one hop), its ISBN and Goodreads id (which still
    embed and import to the book). Made by `Book.save` and catalogue/merging.py."""

    class Reason(models.TextChoices):
        MERGED = "merged", "Merged into it"
        RENAMED = "renamed", "Renamed"

    owner_field = "book"

    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="aliases")
    title = models.CharField("title it had", max_length=500)
    # Not unique, and blank for an alias that keeps only an old ISBN or Goodreads id.
    slug = models.SlugField(max_length=255, allow_unicode=True, db_index=True, blank=True)
    isbn13 = models.CharField("ISBN-13", max_length=13, blank=True, db_index=True)
    goodreads_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    reason = models.CharField(max_length=10, choices=Reason, default=Reason.MERGED)

    class Meta(OldAddress.Meta):
        verbose_name_plural = "book aliases"

    def __str__(self) -> str:
        return f"{self.title} → {self.book}"


class Contribution(RemembersLoadedValues, models.Model):
    """An author's part in a book, in the order the cover names them."""

    # A credit given to another author (or moved to another book) changes the pages
    # and search documents of both (catalogue.signals).
    remembered_fields = ("book_id", "author_id")

    class Role(models.TextChoices):
        AUTHOR = "author", "Author"
        TRANSLATOR = "translator", "Translator"
        ILLUSTRATOR = "illustrator", "Illustrator"
        EDITOR = "editor", "Editor"
        INTRODUCTION = "introduction", "Introduction"
        NARRATOR = "narrator", "Narrator"
        CONTRIBUTOR = "contributor", "Contributor"

    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="contributions")
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="contributions")
    role = models.CharField(max_length=20, choices=Role, default=Role.AUTHOR)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["book", "author", "role"], name="contribution_unique_role"
            ),
        ]

    def __str__(self) -> str:
        if self.role == self.Role.AUTHOR:
            return self.author.name
        return f"{self.author.name} ({self.get_role_display().lower()})"


# A rating that says "I liked it" (held ones say nothing until approved).
LIKED = Q(score__gte=4, status="counted")


class Rating(models.Model):
    """One reader's 1-5 star rating of one book: a signed-in user or an anonymous visitor."""

    class Status(models.TextChoices):
        COUNTED = "counted", "counted"
        # One of a burst of newcomers' ratings from one address: kept, but in no figure
        # until an editor approves it (catalogue.ratings.approve_ratings).
        HELD = "held", "held for moderation"

    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="ratings")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="book_ratings",
    )
    visitor = models.CharField(
        max_length=64, blank=True, help_text="Anonymous visitor id from a signed cookie."
    )
    ip_hash = models.CharField(
        "address hash",
        max_length=64,
        blank=True,
        help_text="Keyed hash of the address the rating came from; the address is not kept.",
    )
    score = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=8, choices=Status, default=Status.COUNTED)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["counted", "held"]), name="rating_status_known"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5),
                name="rating_score_1_to_5",
                violation_error_message="A rating is 1 to 5 stars.",
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(visitor=""), name="rating_has_reader"
            ),
            models.UniqueConstraint(
                fields=["book", "user"],
                condition=Q(user__isnull=False),
                name="rating_one_per_user",
            ),
            models.UniqueConstraint(
                fields=["book", "visitor"],
                condition=~Q(visitor=""),
                name="rating_one_per_visitor",
            ),
        ]
        indexes = [
            models.Index(fields=["ip_hash", "created_at"]),
            # The desk's moderation list, newest first (the pk makes the order total).
            models.Index(fields=["-updated_at", "-id"], name="rating_newest_first"),
            # The held ones, newest first: a few among millions, found without a scan.
            models.Index(
                fields=["-updated_at", "-id"], condition=Q(status="held"), name="rating_held"
            ),
            # "Readers who liked it also liked" (catalogue.related): a book's fans, the
            # newest first, then what each of them liked; bounded, whatever the table's size.
            models.Index(fields=["book", "-updated_at"], condition=LIKED, name="rating_fans"),
            models.Index(
                fields=["visitor", "book"],
                condition=LIKED & ~Q(visitor=""),
                name="rating_liked_by_visitor",
            ),
            models.Index(
                fields=["user", "book"],
                condition=LIKED & Q(user__isnull=False),
                name="rating_liked_by_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.score}★ for {self.book}"

    @property
    def reader(self) -> str:
        return str(self.user) if self.user_id else f"visitor {self.visitor[:8]}"


class RateLimitCounter(models.Model):
    """How many times one client did one kind of thing in one window of time.

    Kept in the database, not the cache: every app server shares it, and no flood of
    cached pages can evict it (a cache under memory pressure drops keys it chose to
    keep). Counted by catalogue.readers.over_limit; windows that have ended are deleted
    a bounded batch at a time as new ones open.
    """

    scope = models.CharField(max_length=32)
    key = models.CharField(max_length=128)
    window_ends_at = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "key", "window_ends_at"], name="rate_limit_one_per_window"
            )
        ]
        indexes = [models.Index(fields=["window_ends_at"], name="rate_limit_window_ends")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}: {self.count} until {self.window_ends_at:%H:%M:%S}"


# The desk's imports (a dry run, then the import, in the background) have a module of
# their own; importing it here makes ImportJob one of this app's models.
from .import_jobs import ImportJob  # noqa: E402, F401
from .reading_lists import ReadingList, ReadingListAlias, ReadingListItem  # noqa: E402, F401
from .related import AlsoLiked  # noqa: E402, F401
from .shops import BookShopLink, Shop, ShopClick  # noqa: E402, F401
