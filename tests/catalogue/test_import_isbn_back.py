"""A source that changes a book's ISBN and then changes it back (A, then B, then A): an
import never gives a book back an ISBN it had (only an editor does, in the desk), and
its report says so on the row's line, where it used to say nothing at all."""

import pytest

from catalogue.importers import import_books
from catalogue.models import Book
from tests.catalogue.test_import_matching import export_file

pytestmark = pytest.mark.django_db

FIRST, SECOND = "9781451673319", "9780345342966"


def row(isbn13: str) -> dict:
    return {"Book Id": "4381", "Title": "Fahrenheit 451", "Author": "Ray Bradbury",
            "ISBN13": f'="{isbn13}"'}  # fmt: skip


def imported(tmp_path, isbn13: str, *, dry_run: bool = False):
    return import_books(export_file(tmp_path, row(isbn13)), dry_run=dry_run)


@pytest.mark.parametrize("dry_run", [True, False])
def test_an_isbn_the_source_changes_back_is_reported_and_nothing_is_lost(client, tmp_path, dry_run):
    imported(tmp_path, FIRST)
    changed = imported(tmp_path, SECOND)
    assert [str(change) for change in changed.changes] == [
        "line 2: updated: Fahrenheit 451 (ISBN-13)"
    ]
    back = imported(tmp_path, FIRST, dry_run=dry_run)
    assert (back.updated, back.unchanged) == (0, 1)
    assert [str(issue) for issue in back.warnings] == [
        f"line 2: warning: ISBN {FIRST} is an old ISBN of “Fahrenheit 451”, which keeps ISBN "
        f"{SECOND}: an import never gives a book back an ISBN it had; an editor can, in the desk"
    ]
    book = Book.objects.get()
    assert book.isbn13 == SECOND
    # Both ISBNs still lead to the book: the desk's search finds it by either.
    for isbn13 in (FIRST, SECOND):
        assert list(Book.objects.desk_search(isbn13)) == [book]


def test_the_same_isbn_again_says_nothing(tmp_path):
    imported(tmp_path, FIRST)
    again = imported(tmp_path, FIRST)
    assert (again.unchanged, again.warnings) == (1, [])
