"""The book's Authors inline: an author added in the blank row, position left as offered,
goes after those already credited (as a book added to a reading list does); a row refused
keeps its label, the author it holds until it is saved."""

import pytest
from django.test import Client

from tests.factories import make_author, make_book
from tests.helpers import form_values, text_of


@pytest.fixture
def editor(demo_editor) -> Client:
    return demo_editor


def book_url(book) -> str:
    return f"/admin/catalogue/book/{book.pk}/change/"


def authors_on_the_public_page(client, book) -> list[str]:
    """The authors the book's public page names, in the order it names them."""
    names = text_of(client.get(book.get_absolute_url()).content, "main a[href^='/authors/']")
    return list(dict.fromkeys(names))


def test_an_author_added_in_the_blank_row_comes_last(editor, ann, ben, client):
    book = make_book(title="Good Omens", status="published", authors=[ann, ben])
    king = make_author(name="Stephen King")
    page = editor.get(book_url(book))
    form = form_values(page)
    assert form["contributions-2-position"] == ""  # offered blank, not 0
    assert 'title="Left blank, the author goes at the end."' in page.content.decode()
    form["contributions-2-author"] = king.pk
    response = editor.post(book_url(book), form)
    assert response.status_code == 302, text_of(response.content, ".errorlist")
    assert authors_on_the_public_page(client, book) == ["Ann Arbor", "Ben Bow", "Stephen King"]


def test_a_position_typed_is_kept(editor, ann, ben, client):
    book = make_book(title="Good Omens", status="published", authors=[ann, ben])
    form = form_values(editor.get(book_url(book)))
    form.update({"contributions-2-author": make_author(name="Stephen King").pk})
    form["contributions-2-position"] = "0"
    response = editor.post(book_url(book), form)
    assert response.status_code == 302, text_of(response.content, ".errorlist")
    assert authors_on_the_public_page(client, book) == ["Ann Arbor", "Stephen King", "Ben Bow"]


def test_a_refused_row_is_labelled_by_the_author_it_holds(editor, ann, ben):
    book = make_book(title="Good Omens", authors=[ann, ben])
    form = form_values(editor.get(book_url(book)))
    form["contributions-1-author"] = ann.pk  # Ann twice: refused
    response = editor.post(book_url(book), form)
    assert response.status_code == 200
    labels = text_of(response.content, "#contributions-group tr.has_original td.original p")
    assert labels == ["Ann Arbor", "Ben Bow"]
