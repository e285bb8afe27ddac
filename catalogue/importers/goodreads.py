"""The library export Goodreads gives its users (goodreads_library_export.csv)."""

from django.core.exceptions import ValidationError

from catalogue.isbn import normalise_isbn13

from .records import (
    BookRecord,
    RowRejected,
    credits_from_names,
    parse_count,
    parse_year,
    split_names,
    split_series,
)

NAME = "Goodreads library export"
COLUMNS = (
    "Book Id", "Title", "Author", "Additional Authors", "ISBN", "ISBN13", "Publisher",
    "Number of Pages", "Year Published", "Original Publication Year",
)  # fmt: skip


def unwrap(value: str) -> str:
    """Goodreads writes ISBNs as spreadsheet formulas: ="0439023483", and ="" for none."""
    value = (value or "").strip()
    if value.startswith('="') and value.endswith('"'):
        value = value[2:-1]
    return value.strip()


def parse(row: dict, line: int) -> BookRecord:
    warnings: list[str] = []
    raw_title = (row.get("Title") or "").strip()
    if not raw_title:
        raise RowRejected("the row has no title")
    try:
        goodreads_id = parse_count(row["Book Id"], "Book Id") or None
    except ValueError as error:
        raise RowRejected(str(error)) from None
    title, series, number = split_series(raw_title)

    isbn13 = ""
    typed = [unwrap(row["ISBN13"]), unwrap(row["ISBN"])]
    for value in typed:
        if not value:
            continue
        try:
            isbn13 = normalise_isbn13(value)
            break
        except ValidationError as error:
            warnings.append(f"{error.messages[0]} Not stored.")
    if not any(typed):
        warnings.append("the row has no ISBN")

    year = None
    for column in ("Original Publication Year", "Year Published"):
        try:
            year = parse_year(row[column])
        except ValueError as error:
            warnings.append(f"{error}; left blank")
        if year is not None:
            break
    try:
        pages = parse_count(row["Number of Pages"], "Number of Pages") or None
    except ValueError as error:
        warnings.append(f"{error}; left blank")
        pages = None

    return BookRecord(
        line=line,
        title=title,
        goodreads_id=goodreads_id,
        isbn13=isbn13,
        series=series,
        series_number=number,
        credits=credits_from_names(
            split_names(row["Author"]) + split_names(row["Additional Authors"])
        ),
        publication_year=year,
        publisher=(row.get("Publisher") or "").strip(),
        print_length=pages,
        warnings=warnings,
    )
