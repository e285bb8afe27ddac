"""ISBN normalisation on top of python-stdnum: one canonical form, ISBN-13 digits."""

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from stdnum import ean, isbn
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
    if len(isbn13) == 13 and isbn13.isdigit():
        # The stored form: its check digit worked out here (a card shows it; stdnum's
        # validation and formatting cost seven times more, on every card of a page).
        body = isbn13[3:12]
        weighted = zip(range(10, 1, -1), body, strict=True)
        check = -sum(weight * int(digit) for weight, digit in weighted) % 11
        return body + ("X" if check == 10 else str(check))
    return isbn.to_isbn10(isbn13)


def looks_like_isbn(value: str) -> bool:
    """True when the value is a valid ISBN-10 or ISBN-13 (hyphens allowed)."""
    return isbn.is_valid(value or "")


def recover_isbn10(value: str) -> str | None:
    """An ISBN-10 column that spreadsheets stored as a number, losing leading zeros.

    Returns the ISBN-13 when the zero-padded value is a valid ISBN-10, else None.
    """
    digits = (value or "").strip().upper()
    if digits.endswith(".0"):
        digits = digits[:-2]
    if not digits or len(digits) > 10 or not re.fullmatch(r"\d+X?", digits):
        return None
    padded = digits.zfill(10)
    return isbn.to_isbn13(padded) if isbn.is_valid(padded) else None


def isbn13_float_candidates(value: str) -> list[str]:
    """Valid ISBN-13s that an ISBN-13 stored as a float (9.78043902348e+12) may stand for.

    Twelve significant digits survive, rounded: where the check digit was 5 or more the
    twelfth digit came out one too high. So the candidates are the twelve digits as
    printed with a check digit under 5, and one less with a check digit of 5 or more.
    An exact 13-digit integer is its own single candidate.
    """
    text = (value or "").strip().lower()
    try:
        number = Decimal(text)
    except InvalidOperation:
        return []
    if not number.is_finite() or number <= 0 or number != number.to_integral_value():
        return []
    number = int(number)
    if "e" not in text:  # written out in full ("9780439023481.0"): nothing was rounded
        candidate = str(number)
        return [candidate] if len(candidate) == 13 and isbn.is_valid(candidate) else []
    if not 10**12 <= number < 10**13:
        return []
    first12 = number // 10
    candidates = []
    for stem, rounded_up in ((first12, False), (first12 - 1, True)):
        candidate = f"{stem:012d}" + ean.calc_check_digit(f"{stem:012d}")
        if (int(candidate[-1]) >= 5) == rounded_up and isbn.is_valid(candidate):
            candidates.append(candidate)
    return candidates
