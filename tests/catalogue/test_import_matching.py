"""Which book a row is: its Goodreads id, else its ISBN, as the import page says."""

import csv
from pathlib import Path

import pytest

from catalogue.importers import import_books
from catalogue.models import Book
from tests.factories import make_book

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
EXPORT = DATA / "goodreads_export.csv"
EXPORT_HEADER = EXPORT.read_text(encoding="utf-8").splitlines()[0].split(",")
CATCHER_ISBN = "9780316769488"


def export_file(tmp_path: Path, *rows: dict) -> Path:
    """A Goodreads library export holding `rows` (the columns not given are blank)."""
    path = tmp_path / "export.csv"
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=EXPORT_HEADER, restval="")
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def catcher():
    return make_book(
        title="The Catcher in the Rye",
        goodreads_id=5107,
        isbn13=CATCHER_ISBN,
        source_ratings_5=1000,
        rating_source="Goodreads",
    )


@pytest.mark.parametrize("dry_run", [True, False])
def test_a_row_with_a_known_isbn_but_another_goodreads_id_is_that_book(catcher, tmp_path, dry_run):
    another_edition = {
        "Book Id": "333538",
        "Title": "The Catcher in the Rye (Mass Market)",
        "Author": "J.D. Salinger",
        "ISBN13": f'="{CATCHER_ISBN}"',
        "Publisher": "Little, Brown",
        "Number of Pages": "277",
    }
    report = import_books(export_file(tmp_path, another_edition), dry_run=dry_run)
    assert (report.created, report.updated, report.skipped) == (0, 1, 0)
    assert [str(issue) for issue in report.warnings] == [
        f"line 2: warning: ISBN {CATCHER_ISBN} is “The Catcher in the Rye”'s, which the "
        "catalogue knows by Goodreads id 5107: the row is that book, and only fills what it lacks"
    ]
    assert [change.message for change in report.changes] == [
        "The Catcher in the Rye (publisher, print length)"
    ]
    assert Book.objects.count() == 1
    if not dry_run:
        book = Book.objects.get()
        assert (book.slug, book.title, book.goodreads_id, book.isbn13) == (
            "the-catcher-in-the-rye", "The Catcher in the Rye", 5107, CATCHER_ISBN,
        )  # fmt: skip
        assert (book.publisher, book.print_length, book.source_ratings_5) == (
            "Little, Brown", 277, 1000,
        )  # fmt: skip
        again = import_books(export_file(tmp_path, another_edition))
        assert (again.created, again.unchanged, Book.objects.count()) == (0, 1, 1)


def test_a_row_without_goodreads_id_is_the_book_its_isbn_names(catcher, tmp_path):
    row = {"Title": "Catcher", "Author": "J.D. Salinger", "ISBN13": f'="{CATCHER_ISBN}"'}
    report = import_books(export_file(tmp_path, row))
    assert (report.created, Book.objects.count()) == (0, 1)
    assert Book.objects.get().title == "The Catcher in the Rye"


def test_a_row_whose_goodreads_id_is_known_keeps_to_it(catcher, tmp_path):
    """The Goodreads id decides first: another book's row that repeats the ISBN is its own
    book, without the ISBN (two editions)."""
    make_book(title="Franny and Zooey", goodreads_id=5113)
    row = {"Book Id": "5113", "Title": "Franny and Zooey", "ISBN13": f'="{CATCHER_ISBN}"'}
    report = import_books(export_file(tmp_path, row))
    assert Book.objects.get(goodreads_id=5113).isbn13 == ""
    assert Book.objects.get(goodreads_id=5107).isbn13 == CATCHER_ISBN
    assert any("already carried by “The Catcher in the Rye”" in w.message for w in report.warnings)


def test_a_row_matched_by_isbn_leaves_another_editions_rating_figures(db, tmp_path):
    """The goodbooks row of The Hunger Games (Goodreads id 2767052) meets a book the
    catalogue has under another id with the same ISBN: its figures are not the book's."""
    make_book(
        title="The Hunger Games",
        goodreads_id=1,
        isbn13="9780439023481",
        source_ratings_5=10,
        rating_source="Goodreads",
    )
    header, hunger_games = (
        (DATA / "goodbooks_sample.csv").read_text(encoding="utf-8").splitlines()[:2]
    )
    path = tmp_path / "books.csv"
    path.write_text(f"{header}\n{hunger_games}\n", encoding="utf-8")
    report = import_books(path)
    assert (report.created, Book.objects.count()) == (0, 1)
    book = Book.objects.get()
    assert (book.goodreads_id, book.source_histogram) == (1, [0, 0, 0, 0, 10])
    assert book.language == "en"  # a blank filled
    assert "which the catalogue knows by Goodreads id 1" in report.warnings[0].message
