"""What every CSV source has in common; each source is a small subclass of SourceFormat."""

from typing import ClassVar

from django.core.exceptions import ValidationError
from django.utils.text import Truncator

from catalogue.languages import normalise_language

from .cells import looks_like_formula
from .records import (
    BookRecord,
    RowRejected,
    credits_from_names,
    parse_count,
    parse_year,
    split_names,
    split_series,
)

Row = dict[str, str]


class SourceFormat:
    """One source's CSV: the header that recognises it and how its rows become BookRecords.

    `column_mapping` says which columns each BookRecord field is read from. The method
    `read_<field>(row, columns, warnings)` reads it, as Django forms call `clean_<field>`:
    the plain readings are here, and a source overrides those its data needs more from.
    """

    name: ClassVar[str]
    required_columns: ClassVar[tuple[str, ...]]  # a header with all of these is this source's
    title_columns: ClassVar[tuple[str, ...]]  # the first that is not empty holds the title
    goodreads_id_column: ClassVar[str]
    goodreads_id_required: ClassVar[bool] = False
    # BookRecord field -> its columns, in the order the fields' warnings are reported.
    column_mapping: ClassVar[dict[str, tuple[str, ...]]]
    rating_source: ClassVar[str] = ""  # whose readers gave the ratings the source counts

    def parse(self, row: Row, line: int) -> BookRecord:
        """The row as a BookRecord with its warnings; RowRejected when it cannot be a book,
        naming every problem the row has (the editor fixes them all in one pass)."""
        rejected: list[str] = []

        def read_or_reject(read, *args, default=None):
            try:
                return read(*args)
            except RowRejected as error:
                rejected.append(str(error))
                return default

        full_title = read_or_reject(self.read_title, row, default="")
        title, series, series_number = split_series(full_title)
        record = BookRecord(
            line=line,
            title=title,
            goodreads_id=read_or_reject(self.read_goodreads_id, row),
            series=series,
            series_number=series_number,
            rating_source=self.rating_source,
        )
        for field_name, columns in self.column_mapping.items():
            read = getattr(self, f"read_{field_name}")
            setattr(record, field_name, read_or_reject(read, row, columns, record.warnings))
        if rejected:
            also = [warning.removesuffix("; left blank") for warning in record.warnings]
            reason = "; ".join(rejected)
            raise RowRejected(f"{reason} (also: {'; '.join(also)})" if also else reason)
        names = [("title", full_title)] + [("author", name) for name, _ in record.credits]
        for what, text in names:
            if looks_like_formula(text):
                record.warnings.append(
                    f"the {what} “{Truncator(text).chars(80)}” starts like a spreadsheet "
                    "formula; imported as text, check the source"
                )
        return record

    def read_title(self, row: Row) -> str:
        title = next((row[column] for column in self.title_columns if row.get(column)), "")
        if not title.strip():
            raise RowRejected("the row has no title")
        return title.strip()

    def read_goodreads_id(self, row: Row) -> int | None:
        column = self.goodreads_id_column
        try:
            goodreads_id = parse_count(row[column], column) or None
        except ValueError as error:
            raise RowRejected(str(error)) from None
        if goodreads_id is None and self.goodreads_id_required:
            raise RowRejected(f"the row has no {column}")
        return goodreads_id

    def read_credits(
        self, row: Row, columns: tuple[str, ...], warnings: list[str]
    ) -> list[tuple[str, str]]:
        return credits_from_names([name for column in columns for name in split_names(row[column])])

    def read_publication_year(
        self, row: Row, columns: tuple[str, ...], warnings: list[str]
    ) -> int | None:
        """The year in the first column that has one; each column holding nonsense is reported."""
        for column in columns:
            try:
                year = parse_year(row[column])
            except ValueError as error:
                warnings.append(f"{error}; left blank")
                continue
            if year is not None:
                return year
        return None

    def read_print_length(
        self, row: Row, columns: tuple[str, ...], warnings: list[str]
    ) -> int | None:
        (column,) = columns
        try:
            return parse_count(row[column], column) or None
        except ValueError as error:
            warnings.append(f"{error}; left blank")
            return None

    def read_publisher(self, row: Row, columns: tuple[str, ...], warnings: list[str]) -> str:
        (column,) = columns
        return (row.get(column) or "").strip()

    def read_language(self, row: Row, columns: tuple[str, ...], warnings: list[str]) -> str:
        (column,) = columns
        try:
            return normalise_language(row[column])
        except ValidationError:
            warnings.append(f"language “{row[column]}” is not an ISO 639 code; left blank")
            return ""

    def read_cover_url(self, row: Row, columns: tuple[str, ...], warnings: list[str]) -> str:
        (column,) = columns
        url = (row.get(column) or "").strip()
        # An http:// image would be mixed content on our pages.
        return url if url.startswith("https://") else ""
