"""Labels: a short name with its own page address (subjects of books, topics of
articles). Abstract: each app keeps its own table."""

from django.db import models

from .slugs import FillsSlug


class Label(FillsSlug, models.Model):
    """A short name with its own page address: subjects of books, topics of articles."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=120, unique=True, blank=True, allow_unicode=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
