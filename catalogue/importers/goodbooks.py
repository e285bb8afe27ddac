"""The goodbooks-10k data set's books.csv (CC BY-SA 4.0, Zygmunt Zając)."""

from django.core.exceptions import ValidationError

from catalogue.isbn import isbn13_float_candidates, recover_isbn10
from catalogue.languages import normalise_language

from .records import (
    BookRecord,
    RowRejected,
    credits_from_names,
    parse_count,
    parse_year,
    split_names,
    split_series,
)

NAME = "goodbooks-10k"
COLUMNS = (
    "book_id", "goodreads_book_id", "isbn", "isbn13", "authors", "original_publication_year",
    "title", "language_code", "ratings_1", "ratings_2", "ratings_3", "ratings_4", "ratings_5",
    "image_url",
)  # fmt: skip
NO_PHOTO = "/nophoto/"


def recover_isbn13(isbn10_column: str, isbn13_column: str, warnings: list[str]) -> str:
    """The ISBN the row really carries, or "" with a warning saying why none is stored.

    A valid ISBN-10 is the truth (spreadsheets dropped its leading zeros); the ISBN-13
    column is a float rounded to 12 digits, usable only where one ISBN fits the rounding.
    """
    from_isbn10 = recover_isbn10(isbn10_column)
    if from_isbn10:
        return from_isbn10
    candidates = isbn13_float_candidates(isbn13_column)
    if len(candidates) == 1:
        return candidates[0]
    if len(candidates) > 1:
        warnings.append(
            f"ISBN-13 “{isbn13_column}” was rounded and fits both {' and '.join(candidates)}; "
            "no ISBN stored"
        )
    elif isbn10_column.strip() or isbn13_column.strip():
        warnings.append(
            f"no valid ISBN in isbn “{isbn10_column}” or isbn13 “{isbn13_column}”; no ISBN stored"
        )
    else:
        warnings.append("the row has no ISBN")
    return ""


def parse(row: dict, line: int) -> BookRecord:
    warnings: list[str] = []
    raw_title = (row.get("title") or row.get("original_title") or "").strip()
    if not raw_title:
        raise RowRejected("the row has no title")
    try:
        goodreads_id = parse_count(row["goodreads_book_id"], "goodreads_book_id") or None
    except ValueError as error:
        raise RowRejected(str(error)) from None
    if goodreads_id is None:
        raise RowRejected("the row has no goodreads_book_id")
    title, series, number = split_series(raw_title)
    names = split_names(row["authors"])
    if not names:
        warnings.append("the row names no author")

    try:
        language = normalise_language(row["language_code"])
    except ValidationError:
        warnings.append(f"language “{row['language_code']}” is not an ISO 639 code; left blank")
        language = ""
    try:
        year = parse_year(row["original_publication_year"])
    except ValueError as error:
        warnings.append(f"{error}; left blank")
        year = None
    try:
        histogram = [parse_count(row[f"ratings_{star}"], f"ratings_{star}") for star in range(1, 6)]
    except ValueError as error:
        warnings.append(f"{error}; rating counts not imported")
        histogram = None
    cover_url = (row.get("image_url") or "").strip()
    if NO_PHOTO in cover_url or not cover_url.startswith("https://"):
        cover_url = ""

    return BookRecord(
        line=line,
        title=title,
        goodreads_id=goodreads_id,
        isbn13=recover_isbn13(row["isbn"], row["isbn13"], warnings),
        series=series,
        series_number=number,
        credits=credits_from_names(names),
        language=language,
        publication_year=year,
        cover_url=cover_url,
        source_histogram=histogram,
        rating_source="Goodreads",
        warnings=warnings,
    )
