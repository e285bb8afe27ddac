"""What importers produce: one BookRecord per row, plus the issues found on the way."""

import re
from dataclasses import dataclass, field
from decimal import Decimal

from catalogue.models import STARS, Contribution

SERIES_SUFFIX = re.compile(
    r"^(?P<title>.*?)\s*\((?P<series>[^()]*?),?\s*#\s*(?P<number>\d+(?:\.\d+)?)[^()]*\)\s*$"
)


MAX_COUNT = 2**63 - 1  # the largest id or count the database columns hold
MAX_DIGITS = len(str(MAX_COUNT))
MAX_NAME_LENGTH = 255


class RowRejected(ValueError):
    """The row cannot become a book; the message says why."""


def split_series(title: str) -> tuple[str, str, Decimal | None]:
    """ "The Hunger Games (The Hunger Games, #1)" -> ("The Hunger Games", "The Hunger Games", 1)."""
    match = SERIES_SUFFIX.match(title)
    if not match or not match["title"] or not match["series"].strip():
        return title.strip(), "", None
    return match["title"].strip(), match["series"].strip(), Decimal(match["number"])


def parse_year(value: str) -> int | None:
    """ "2008.0" -> 2008, "-750.0" -> -750 (750 BC); "" or nonsense -> None."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        number = Decimal(value)
    except ArithmeticError:
        raise ValueError(f"publication year “{value}” is not a year") from None
    # Look at the size before int(): "1e9999999" would take minutes to expand.
    if not number.is_finite() or number.adjusted() > 3 or number != number.to_integral_value():
        raise ValueError(f"publication year “{value}” is not a year")
    year = int(number)
    if year == 0 or not -9999 <= year <= 9999:
        raise ValueError(f"publication year “{value}” is out of range")
    return year


def parse_count(value: str, name: str) -> int:
    value = (value or "").strip()
    if not value:
        return 0
    try:
        number = Decimal(value)
    except ArithmeticError:
        raise ValueError(f"{name} “{value}” is not a number") from None
    if not number.is_finite() or number < 0 or number.adjusted() > MAX_DIGITS - 1:
        raise ValueError(f"{name} “{value}” is not a whole number from 0 to {MAX_COUNT:,}")
    if number != number.to_integral_value() or number > MAX_COUNT:
        raise ValueError(f"{name} “{value}” is not a whole number from 0 to {MAX_COUNT:,}")
    return int(number)


def split_names(value: str) -> list[str]:
    return [name.strip() for name in (value or "").split(",") if name.strip()]


@dataclass
class BookRecord:
    line: int
    title: str
    goodreads_id: int | None = None
    isbn13: str = ""
    series: str = ""
    series_number: Decimal | None = None
    # (name, role) in the order the source credits them.
    credits: list[tuple[str, str]] = field(default_factory=list)
    language: str = ""
    publication_year: int | None = None
    publisher: str = ""
    print_length: int | None = None
    cover_url: str = ""
    source_histogram: list[int] | None = None  # ratings per star, 1 to 5
    rating_source: str = ""
    warnings: list[str] = field(default_factory=list)

    def book_values(self, *, updating: bool = False) -> dict:
        """Field values for the Book model: what an import owns, editors' fields untouched.

        When updating a known book, a value the source leaves empty does not blank what
        the catalogue has (a Goodreads export has no language, say, but goodbooks did).
        """
        values = {
            "title": self.title,
            "goodreads_id": self.goodreads_id,
            "isbn13": self.isbn13,
            "series": self.series,
            "series_number": self.series_number,
            "language": self.language,
            "publication_year": self.publication_year,
            "cover_url": self.cover_url,
        }
        if self.publisher:
            values["publisher"] = self.publisher
        if self.print_length:
            values["print_length"] = self.print_length
        if self.source_histogram is not None:
            values["rating_source"] = self.rating_source
            for star, count in zip(STARS, self.source_histogram, strict=True):
                values[f"source_ratings_{star}"] = count
        if updating:
            values = {name: value for name, value in values.items() if value not in ("", None)}
        return values


def credits_from_names(names: list[str]) -> list[tuple[str, str]]:
    """The first name credited is the author; sources give no roles for the others.

    goodbooks and Goodreads exports list translators, illustrators and co-authors in one
    comma-separated field without saying who is which; rather than guess, the others are
    credited as contributors, which editors can refine in the desk.
    """
    unique = list(dict.fromkeys(names))
    for name in unique:
        if len(name) > MAX_NAME_LENGTH:
            raise RowRejected(
                f"an author name is {len(name)} characters long; the limit is {MAX_NAME_LENGTH}"
            )
    return [
        (name, Contribution.Role.AUTHOR if position == 0 else Contribution.Role.CONTRIBUTOR)
        for position, name in enumerate(unique)
    ]
