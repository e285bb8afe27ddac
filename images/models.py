"""Pictures for articles: a library of images, each with its words (alt text, caption,
credit and licence), served as renditions the background worker makes once the upload has
been stored again without its metadata."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse


class ImageQuerySet(models.QuerySet):
    def ready(self) -> "ImageQuerySet":
        """Pictures readers may see: cleaned and rendered by the worker."""
        return self.filter(status=Image.Status.READY)

    def unused(self) -> "ImageQuerySet":
        """Pictures no article embeds or features (drafts count as using them)."""
        return self.filter(articles__isnull=True, featured_in__isnull=True)

    def used(self) -> "ImageQuerySet":
        return self.exclude(pk__in=self.model.objects.unused().values("pk"))


class Image(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", "Being prepared"
        READY = "ready", "Ready"
        FAILED = "failed", "Could not be prepared"

    # The upload as sent waits outside the public media folders until the worker has
    # stored it again without its metadata; then this names the cleaned original.
    file = models.ImageField(
        "picture", upload_to="private/image-uploads/", width_field="width", height_field="height"
    )
    width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    alt = models.TextField(
        "alt text",
        blank=True,
        help_text="What the picture shows, for readers who cannot see it. Required unless "
        "the picture is marked decorative.",
    )
    decorative = models.BooleanField(
        default=False,
        help_text="Adds nothing the text does not say: screen readers skip it.",
    )
    caption = models.TextField(blank=True, help_text="Shown under the picture.")
    credit = models.CharField(
        max_length=300, blank=True, help_text="Who made it or holds it: “Photo: Jane Doe”."
    )
    licence = models.CharField(
        max_length=200, blank=True, help_text="“Public domain”, “CC BY-SA 4.0”, …"
    )
    source_url = models.URLField(
        "source address", max_length=500, blank=True, help_text="Where the picture came from."
    )
    # Widths -> {"webp": name, "jpeg": name, "height": px}, made by the worker, never
    # wider than the original.
    renditions = models.JSONField(default=dict, blank=True, editable=False)
    # The cleaned original's SHA-256: renditions are named by content.
    content_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.WAITING, editable=False)
    failure = models.TextField(
        blank=True, editable=False, help_text="Why the worker could not prepare the picture."
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="images_uploaded",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Counts the saves through the model: the desk's conflict check compares it.
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ImageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decorative=True) | ~Q(alt=""),
                name="image_alt_or_decorative",
                violation_error_message="Describe the picture in its alt text, or mark it "
                "decorative.",
            ),
        ]

    def __str__(self) -> str:
        words = self.alt or self.caption or "Decorative picture"
        return f"{words[:80]} (#{self.pk})" if self.pk else words[:80]

    def save(self, *args, **kwargs):
        # The worker's saves name their fields and are not new versions (desk/forms.py).
        if self.pk is not None and not kwargs.get("update_fields"):
            self.version += 1
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("admin:images_image_change", args=[self.pk])
