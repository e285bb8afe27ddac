"""ISBN normalisation on top of python-stdnum: one canonical form, ISBN-13 digits."""

from django.core.exceptions import ValidationError
from stdnum import isbn
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength


def normalise_isbn13(value: str) -> str:
    """Return the ISBN-13 (digits only) for a hyphenated, spaced, ISBN-10 or ISBN-13 input.

    Raises ValidationError with a message an editor can act on.
    """
    compact = isbn.compact(value or "")
    if not compact:
        raise ValidationError("Enter an ISBN.", code="isbn_empty")
    try:
        isbn.validate(compact)
    except InvalidLength:
        raise ValidationError(
            "“%(value)s” is not an ISBN: an ISBN has 10 or 13 digits.",
            code="isbn_length",
            params={"value": value},
        ) from None
    except InvalidChecksum:
        raise ValidationError(
            "“%(value)s” has a wrong check digit: check the ISBN for a typo.",
            code="isbn_checksum",
            params={"value": value},
        ) from None
    except InvalidComponent:
        raise ValidationError(
            "“%(value)s” is not an ISBN: an ISBN-13 starts with 978 or 979.",
            code="isbn_prefix",
            params={"value": value},
        ) from None
    except InvalidFormat:
        raise ValidationError(
            "“%(value)s” is not an ISBN: only digits, hyphens, spaces and a final X are allowed.",
            code="isbn_format",
            params={"value": value},
        ) from None
    return isbn.to_isbn13(compact)


def isbn10_from_isbn13(isbn13: str) -> str:
    """The ISBN-10 of a 978 ISBN-13; 979 ISBNs have none, so ""."""
    if not isbn13 or not isbn13.startswith("978"):
        return ""
    return isbn.to_isbn10(isbn13)


def looks_like_isbn(value: str) -> bool:
    """True when the value is a valid ISBN-10 or ISBN-13 (hyphens allowed)."""
    return isbn.is_valid(value or "")
