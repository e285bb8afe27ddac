"""Each source's column mapping, and the rows where the two sources read differently."""

import csv
from dataclasses import fields
from pathlib import Path

import pytest

from catalogue.importers import import_books
from catalogue.importers.records import BookRecord
from catalogue.importers.run import SOURCE_FORMATS
from catalogue.models import Book

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize("source", SOURCE_FORMATS, ids=lambda source: source.name)
def test_every_mapped_field_has_a_reader_and_its_columns_are_required(source):
    record_fields = {field.name for field in fields(BookRecord)}
    for field_name, columns in source.column_mapping.items():
        assert field_name in record_fields
        assert callable(getattr(source, f"read_{field_name}", None)), field_name
        # A file is recognised only with these, so no reader meets a missing column.
        assert set(columns) <= set(source.required_columns), field_name
    assert source.goodreads_id_column in source.required_columns


def rewrite(tmp_path, name: str, row_number: int, cells: dict[str, str]) -> Path:
    """A copy of the data file's header and one row, with some cells changed."""
    with (DATA / name).open(encoding="utf-8", newline="") as file:
        rows = list(csv.reader(file))
    header, row = rows[0], rows[row_number]
    for column, value in cells.items():
        row[header.index(column)] = value
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([header, row])
    return path


def test_goodreads_falls_back_to_the_edition_year_and_says_the_original_is_nonsense(db, tmp_path):
    cells = {"Original Publication Year": "soon", "Year Published": "2009"}
    path = rewrite(tmp_path, "goodreads_export.csv", 1, cells)
    report = import_books(path)
    assert Book.objects.get(goodreads_id=2767052).publication_year == 2009
    assert [str(issue) for issue in report.issues] == [
        "line 2: warning: publication year “soon” is not a year; left blank"
    ]


def test_goodreads_credits_additional_authors_once_each(db, tmp_path):
    path = rewrite(
        tmp_path, "goodreads_export.csv", 2, {"Additional Authors": "Robert Fagles, Homer"}
    )
    import_books(path)
    odyssey = Book.objects.get(goodreads_id=1381)
    assert [(c.author.name, c.role) for c in odyssey.credits] == [
        ("Homer", "author"),
        ("Robert Fagles", "contributor"),
    ]


def test_a_goodreads_row_without_book_id_is_imported(db, tmp_path):
    report = import_books(rewrite(tmp_path, "goodreads_export.csv", 1, {"Book Id": ""}))
    assert (report.created, report.skipped) == (1, 0)
    assert Book.objects.get().goodreads_id is None


def test_a_goodbooks_row_without_goodreads_book_id_is_skipped(db, tmp_path):
    report = import_books(rewrite(tmp_path, "goodbooks_sample.csv", 1, {"goodreads_book_id": ""}))
    assert [str(issue) for issue in report.issues] == [
        "line 2: skipped: the row has no goodreads_book_id"
    ]


def test_a_goodbooks_row_with_an_empty_title_takes_the_original_title(db, tmp_path):
    import_books(rewrite(tmp_path, "goodbooks_sample.csv", 1, {"title": ""}))
    assert Book.objects.get(goodreads_id=2767052).title == "The Hunger Games"
