"""Language codes: ISO 639-1, ISO 639-2 (B and T) and BCP 47 tags, stored in one form.

The stored form is the shortest ISO 639 code: the two-letter 639-1 code where the
language has one ("en"), else the three-letter 639-3 code ("grc").
"""

from functools import lru_cache

import pycountry
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
