"""Slugs that fill themselves: readable, unique, and never empty."""

from django.db import models
from django.utils.text import slugify


def base_slug(text: str, fallback: str, *, max_length: int = 200) -> str:
    """ASCII where the text allows it; titles in other scripts (Arabic, Greek, …) keep
    their own letters rather than becoming an empty or meaningless slug."""
    ascii_slug = slugify(text)[:max_length].strip("-")
    unicode_slug = slugify(text, allow_unicode=True)[:max_length].strip("-")
    # "1/4 جرام" must not become "14": keep the letters ASCII would drop.
    slug = unicode_slug if len(ascii_slug) * 2 < len(unicode_slug) else ascii_slug
    return slug or fallback


def numbered(base: str, number: int, max_length: int = 200) -> str:
    if number == 1:
        return base
    suffix = f"-{number}"
    return f"{base[: max_length - len(suffix)]}{suffix}"


def unique_slug(instance: models.Model, text: str, *, max_length: int = 200) -> str:
    """A slug for `text` that no other row of the instance's model uses."""
    base = base_slug(text, instance._meta.model_name, max_length=max_length)
    model = type(instance)
    others = model._default_manager.exclude(pk=instance.pk)
    left = old_slugs_of(model, instance)
    number = 1
    while True:
        slug = numbered(base, number, max_length)
        if not others.filter(slug=slug).exists() and not left.filter(slug=slug).exists():
            return slug
        number += 1


def old_slugs_of(model, instance=None):
    """The addresses rows of `model` had before a rename (their aliases, for a model
    that keeps them: `old_slugs()`), which redirect there and must not be given to
    another row; an instance's own old addresses are its to take back."""
    if not hasattr(model, "old_slugs"):
        return model._default_manager.none()
    return model.old_slugs(other_than=instance)


def allocate_slugs(model: type[models.Model], texts: list[str], *, tries: int = 20) -> list[str]:
    """Unique slugs for many new rows at once, in one query (imports).

    Each text gets its base slug or the first free numbered one; the rare text whose
    first `tries` numbers are all taken asks for the next numbers, twice as many each
    time (a query per doubling, not per number).
    """
    bases = [base_slug(text, model._meta.model_name) for text in texts]
    candidates = {numbered(base, n) for base in set(bases) for n in range(1, tries + 1)}
    left = old_slugs_of(model)
    taken = set(model._default_manager.filter(slug__in=candidates).values_list("slug", flat=True))
    taken |= set(left.filter(slug__in=candidates).values_list("slug", flat=True))
    slugs = []
    manager = model._default_manager
    asked = dict.fromkeys(bases, tries)  # numbers up to which `taken` is known, per base

    def ask(base: str, upto: int) -> None:
        """Learn which of the base's numbers up to `upto` are taken, in two queries."""
        more = {numbered(base, n) for n in range(asked[base] + 1, upto + 1)}
        taken.update(manager.filter(slug__in=more).values_list("slug", flat=True))
        taken.update(left.filter(slug__in=more).values_list("slug", flat=True))
        asked[base] = upto

    for base in bases:
        number = 1
        while True:
            slug = numbered(base, number)
            if number > asked[base]:
                # A common name ("John Smith" the 300th): twice as many numbers at a time.
                ask(base, asked[base] * 2)
            if slug not in taken:
                break
            number += 1
        taken.add(slug)
        slugs.append(slug)
    return slugs


class FillsSlug:
    """Model mixin: a blank slug is filled from `slug_source` ("name", "title") on save."""

    slug_source = "name"

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self, getattr(self, self.slug_source))
        super().save(*args, **kwargs)
