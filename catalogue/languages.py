"""Language codes: ISO 639-1, ISO 639-2 (B and T) and BCP 47 tags, stored in one form.

The stored form is the shortest ISO 639 code: the two-letter 639-1 code where the
language has one ("en"), else the three-letter 639-3 code ("grc").
"""

from functools import lru_cache

import pycountry
from django.core.cache import cache
from django.core.exceptions import ValidationError


@lru_cache(maxsize=1024)
def _lookup(code: str):
    code = code.strip().lower()
    if not code:
        return None
    primary = code.replace("_", "-").split("-")[0]  # BCP 47: "en-US" -> "en"
    for key in ("alpha_2", "alpha_3", "bibliographic"):
        try:
            language = pycountry.languages.get(**{key: primary})
        except (KeyError, LookupError):
            language = None
        if language is not None:
            return language
    return None


def normalise_language(code: str) -> str:
    """Canonical ISO 639 code for `code`; "" for blank; ValidationError when unknown."""
    if not (code or "").strip():
        return ""
    language = _lookup(code)
    if language is None:
        raise ValidationError(
            "“%(code)s” is not an ISO 639 language code (for example en, fr, de, grc).",
            code="language_unknown",
            params={"code": code},
        )
    return getattr(language, "alpha_2", None) or language.alpha_3


def language_name(code: str) -> str:
    """English name of a stored language code: "en" -> "English"; the code itself if unknown."""
    language = _lookup(code) if code else None
    if language is None:
        return code
    return getattr(language, "common_name", None) or language.name


LANGUAGES_CACHE_SECONDS = 600


def languages_in_use(*, public_only: bool) -> list[str]:
    """The language codes the catalogue's books (or its public books) have, for filters;
    cached, as they rarely change and finding them reads every book."""
    from .models import Book

    def distinct_languages() -> list[str]:
        books = Book.objects.public() if public_only else Book.objects.all()
        books = books.exclude(language="").order_by()
        return sorted(books.values_list("language", flat=True).distinct())

    key = f"catalogue:languages:{'public' if public_only else 'all'}"
    try:
        return cache.get_or_set(key, distinct_languages, LANGUAGES_CACHE_SECONDS)
    except Exception:  # noqa: BLE001 - cache down: ask the database
        return distinct_languages()
