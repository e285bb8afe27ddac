"""Reading lists: ordered, annotated lists of books that editors curate ("Ten books on
the last days of the war"), each with a public page, embeddable in an article."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from shared.aliases import KeepsOldAddresses, OldAddress
from shared.loaded_values import RemembersLoadedValues
from shared.slugs import FillsSlug


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

    class Meta:
        ordering = ["title", "pk"]
        indexes = [models.Index(fields=["status", "published_at"], name="reading_list_public")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("catalogue:list-detail", kwargs={"slug": self.slug})


class ReadingListItem(models.Model):
    """A book's place in a list, with the editor's note on why it is there."""

    reading_list = models.ForeignKey(ReadingList, on_delete=models.CASCADE, related_name="items")
    book = models.ForeignKey("catalogue.Book", on_delete=models.CASCADE, related_name="list_items")
    position = models.PositiveSmallIntegerField(default=0)
    note = models.TextField(blank=True, help_text="Why this book is on the list.")

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
        return f"{self.book} in {self.reading_list}"


class ReadingListAlias(OldAddress):
    """An address a list had before its slug changed; it redirects there (301)."""

    owner_field = "reading_list"

    reading_list = models.ForeignKey(ReadingList, on_delete=models.CASCADE, related_name="aliases")

    class Meta(OldAddress.Meta):
        verbose_name_plural = "reading list aliases"
