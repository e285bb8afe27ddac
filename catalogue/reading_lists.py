"""Reading lists: ordered, annotated lists of books that editors curate ("Ten books on
the last days of the war"), each with a public page, embeddable in an article."""

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from shared.aliases import KeepsOldAddresses, OldAddress, refuse_old_address
from shared.loaded_values import RemembersLoadedValues
from shared.slugs import FillsSlug


class ReadingListQuerySet(models.QuerySet):
    def published(self) -> "ReadingListQuerySet":
        """Lists readers may see: published, and their publication time has come (a
        read-time filter, as Article's: a scheduled list appears by itself)."""
        return self.filter(status=ReadingList.Status.PUBLISHED, published_at__lte=timezone.now())

    def containing(self, book) -> "ReadingListQuerySet":
        """The lists `book` is on (the book page's "In these lists")."""
        return self.filter(items__book=book)


class ReadingListItemQuerySet(models.QuerySet):
    def with_cards(self) -> list["ReadingListItem"]:
        """These places, of public books only, in order, each book loaded ready for its
        card by the catalogue's own `Book.objects.public().for_cards()`: the places in
        one query, their books in one more (and the cards' own), for any number."""
        from .models import Book  # catalogue.models imports this module

        places = list(self.filter(book__status=Book.Status.PUBLISHED))
        books = Book.objects.public().for_cards().in_bulk({place.book_id for place in places})
        shown = [place for place in places if place.book_id in books]
        for place in shown:
            place.book = books[place.book_id]
        return shown


class ReadingList(KeepsOldAddresses, RemembersLoadedValues, FillsSlug, models.Model):
    slug_source = "title"
    remembered_fields = ("slug",)

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft (not public yet)"
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn"

    title = models.CharField(max_length=300)
    slug = models.SlugField(
        max_length=200,
        unique=True,
        blank=True,
        allow_unicode=True,
        help_text="Used in the list's address; filled from the title when left blank.",
    )
    introduction = models.TextField(blank=True, help_text="Shown above the books.")
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField("publication time", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Counts saves through the model, as Book.version does: the desk's conflict check.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="reading_lists_created",
    )
    books = models.ManyToManyField(
        "catalogue.Book", through="ReadingListItem", related_name="reading_lists"
    )

    objects = ReadingListQuerySet.as_manager()

    class Meta:
        ordering = ["title", "pk"]
        indexes = [models.Index(fields=["status", "published_at"], name="reading_list_public")]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()  # published now, unless a time was chosen
        old_slug = self.changed_from("slug")
        if self.pk is not None and not kwargs.get("update_fields"):
            self.version += 1
        with transaction.atomic():
            super().save(*args, **kwargs)
            if old_slug:
                self.keep_old_addresses(old_slug)  # the old address redirects here
        self.remember_values()

    def get_absolute_url(self) -> str:
        return reverse("catalogue:list-detail", kwargs={"slug": self.slug})

    def clean(self):
        refuse_old_address(self)

    @property
    def is_public(self) -> bool:
        """Readers see it now (the desk's history marks it *Live*)."""
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    def places(self) -> list["ReadingListItem"]:
        """The public books on the list, in order, each place with its book ready for
        a card and the editor's note."""
        return self.items.with_cards()


class ReadingListItem(models.Model):
    """A book's place in a list, with the editor's note on why it is there."""

    reading_list = models.ForeignKey(ReadingList, on_delete=models.CASCADE, related_name="items")
    book = models.ForeignKey("catalogue.Book", on_delete=models.CASCADE, related_name="list_items")
    position = models.PositiveSmallIntegerField(default=0)
    note = models.TextField(blank=True, help_text="Why this book is on the list.")

    objects = ReadingListItemQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["reading_list", "book"],
                name="reading_list_book_once",
                violation_error_message="This book is on the list already.",
            )
        ]

    def __str__(self) -> str:
        try:
            book = self.book
        except ObjectDoesNotExist:  # a version being restored names a book merged away
            book = "A book no longer in the catalogue"
        return f"{book} in {self.reading_list}"


class ReadingListAlias(OldAddress):
    """An address a list had before its slug changed; it redirects there (301)."""

    owner_field = "reading_list"

    reading_list = models.ForeignKey(ReadingList, on_delete=models.CASCADE, related_name="aliases")

    class Meta(OldAddress.Meta):
        verbose_name_plural = "reading list aliases"
