"""An ISBN a book had stays that book's: `[[book:old ISBN]]` shows it, so neither the desk
nor an import may give it to another book."""

from pathlib import Path

import pytest

from catalogue.importers import import_books
from catalogue.models import Book
from tests.catalogue.test_import_matching import export_file
from tests.factories import make_article, make_book
from tests.helpers import form_values, text_of

pytestmark = pytest.mark.django_db

OLD_ISBN, NEW_ISBN = "9781451673319", "9780345342966"
EXPORT_HEADER = (
    (Path(__file__).parent / "data" / "goodreads_export.csv")
    .read_text(encoding="utf-8")
    .splitlines()[0]
    .split(",")
)


def change(client, book, **changes):
    url = f"/admin/catalogue/book/{book.pk}/change/"
    data = {**form_values(client.get(url)), **changes, "_save": "Save"}
    return client.post(url, data)


@pytest.fixture
def fahrenheit(admin_client):
    """Fahrenheit 451, whose ISBN an editor corrected: OLD_ISBN is now an old one."""
    book = make_book(title="Fahrenheit 451", slug="fahrenheit-451", isbn13=OLD_ISBN)
    assert change(admin_client, book, isbn13=NEW_ISBN).status_code == 302
    return book


@pytest.fixture
def by_old_isbn(fahrenheit):
    return make_article(title="By number", body="[[book:978-1-4516-7331-9]]\n")


def card_link(client, article) -> list[str]:
    page = client.get(article.get_absolute_url()).content.decode()
    return [line for line in page.split('"') if line.startswith("/books/")]


@pytest.mark.parametrize("typed", [OLD_ISBN, "978-1-4516-7331-9", "1451673310"])
def test_the_desk_refuses_another_books_old_isbn(admin_client, client, by_old_isbn, typed):
    other = make_book(title="Another book", slug="another-book")
    refused = change(admin_client, other, isbn13=typed)
    assert refused.status_code == 200
    errors = text_of(refused.content, ".errorlist li")
    assert any(f"“{OLD_ISBN}” is an old ISBN of “Fahrenheit 451”" in e for e in errors), errors
    assert Book.objects.get(pk=other.pk).isbn13 == ""
    assert "/books/fahrenheit-451/" in card_link(client, by_old_isbn)
    assert "/books/another-book/" not in card_link(client, by_old_isbn)


def test_a_new_book_in_the_desk_cannot_take_an_old_isbn_either(admin_client, fahrenheit):
    from tests.factories import book_form

    refused = admin_client.post(
        "/admin/catalogue/book/add/", book_form(title="Usurper", isbn13=OLD_ISBN)
    )
    assert refused.status_code == 200
    assert not Book.objects.filter(title="Usurper").exists()


def test_a_book_may_take_back_its_own_old_isbn(admin_client, client, fahrenheit, by_old_isbn):
    assert change(admin_client, fahrenheit, isbn13=OLD_ISBN).status_code == 302
    assert Book.objects.get(pk=fahrenheit.pk).isbn13 == OLD_ISBN
    assert "/books/fahrenheit-451/" in card_link(client, by_old_isbn)


def row(book_id: str, title: str, isbn13: str) -> dict:
    return {"Book Id": book_id, "Title": title, "Author": "Ray Bradbury", "ISBN13": isbn13}


@pytest.mark.parametrize("dry_run", [True, False])
@pytest.mark.parametrize("book_id", ["", "4381"])
def test_an_import_row_with_an_old_isbn_is_the_book_that_had_it(
    client, tmp_path, by_old_isbn, book_id, dry_run
):
    path = export_file(tmp_path, row(book_id, "Fahrenheit 451", f'="{OLD_ISBN}"'))
    report = import_books(path, dry_run=dry_run)
    assert (report.created, report.skipped) == (0, 0)
    assert Book.objects.count() == 1
    book = Book.objects.get()
    assert (book.title, book.isbn13) == ("Fahrenheit 451", NEW_ISBN)
    assert [str(issue) for issue in report.warnings] == [
        f"line 2: warning: ISBN {OLD_ISBN} is an old ISBN of “Fahrenheit 451”: the row is "
        "that book, which keeps its ISBN"
    ]
    assert "/books/fahrenheit-451/" in card_link(client, by_old_isbn)


def test_an_import_never_gives_an_old_isbn_to_another_known_book(client, tmp_path, by_old_isbn):
    make_book(title="The Martian Chronicles", slug="martian-chronicles", goodreads_id=76778)
    path = export_file(tmp_path, row("76778", "The Martian Chronicles", f'="{OLD_ISBN}"'))
    report = import_books(path)
    assert report.created == 0
    assert Book.objects.get(goodreads_id=76778).isbn13 == ""
    assert any(
        f"ISBN {OLD_ISBN} is an old ISBN of “Fahrenheit 451”" in issue.message
        for issue in report.warnings
    )
    assert "/books/fahrenheit-451/" in card_link(client, by_old_isbn)


# --- Slugs that would read as another address -------------------------------------------


def test_a_slug_in_capitals_is_saved_in_lower_case_and_cannot_shadow_another(admin_client):
    harry = make_book(title="Harry Potter", slug="harry-potter")
    twilight = make_book(title="Twilight", slug="twilight")
    response = change(admin_client, twilight, slug="Harry-Potter")
    assert response.status_code == 200  # refused: the lower-case spelling is Harry's
    assert "already exists" in response.content.decode()
    assert change(admin_client, twilight, slug="New-Moon").status_code == 302
    assert Book.objects.get(pk=twilight.pk).slug == "new-moon"
    assert Book.objects.get(pk=harry.pk).slug == "harry-potter"


@pytest.mark.parametrize("slug", ["978-0-316-01584-4", "9780316015844", "0316015849"])
def test_a_slug_that_reads_as_an_isbn_is_refused(admin_client, slug):
    make_book(title="Twilight", slug="twilight", isbn13="9780316015844")
    gatsby = make_book(title="The Great Gatsby", slug="the-great-gatsby")
    response = change(admin_client, gatsby, slug=slug)
    assert response.status_code == 200
    assert f"“{slug}” reads as an ISBN; choose a slug made of words." in text_of(
        response.content, ".errorlist"
    )
    assert Book.objects.get(pk=gatsby.pk).slug == "the-great-gatsby"
