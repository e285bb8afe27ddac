"""A book given an ISBN another book has is refused naming that book, with a link to it:
the desk said only "Another book already has this ISBN-13." and the editor had to search
10,000 books for it."""

import pytest
from bs4 import BeautifulSoup

from catalogue.models import Book
from tests.factories import book_form, make_book

pytestmark = pytest.mark.django_db


def test_the_book_with_the_isbn_is_named_and_linked(editor):
    holder = make_book(title="The Hunger Games", slug="the-hunger-games", isbn13="9780439023481")
    posted = editor.post(
        "/admin/catalogue/book/add/",
        book_form(title="The Hunger Games (another edition)", isbn13="978-0-439-02348-1"),
    )
    assert posted.status_code == 200
    errors = BeautifulSoup(posted.content, "html.parser").select(".field-isbn13 .errorlist li")
    assert [error.get_text() for error in errors] == [
        "Another book already has this ISBN-13: “The Hunger Games”. Open it to check, or "
        "merge the two books from the book list."
    ]
    assert errors[0].a["href"] == f"/admin/catalogue/book/{holder.pk}/change/"
    assert Book.objects.count() == 1


def test_a_book_keeps_its_own_isbn_when_saved_again(editor):
    book = make_book(title="Mockingjay", slug="mockingjay", isbn13="9780439023511")
    posted = editor.post(
        f"/admin/catalogue/book/{book.pk}/change/",
        book_form(
            title="Mockingjay", slug="mockingjay", isbn13="9780439023511", loaded_version="1"
        ),
    )
    assert posted.status_code == 302
