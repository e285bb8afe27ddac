"""Slugs that fill themselves: readable, unique, and never empty."""

from django.db import models
from django.utils.text import slugify


def unique_slug(instance: models.Model, text: str, *, max_length: int = 200) -> str:
    """A slug for `text` that no other row of the instance's model uses.

    ASCII where the text allows it; titles in other scripts (Arabic, Greek, …) keep
    their own letters rather than becoming an empty or meaningless slug.
    """
    base = slugify(text)[:max_length].strip("-") or slugify(text, allow_unicode=True)[
        :max_length
    ].strip("-")
    base = base or instance._meta.model_name
    others = type(instance)._default_manager.exclude(pk=instance.pk)
    slug, number = base, 1
    while others.filter(slug=slug).exists():
        number += 1
        suffix = f"-{number}"
        slug = f"{base[: max_length - len(suffix)]}{suffix}"
    return slug
