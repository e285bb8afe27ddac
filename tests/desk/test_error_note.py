"""A desk form refused for errors says at its top where they are: the fields, and the
inline sections with the fields refused in their rows, each a link to it. “Please
correct the errors below.” alone left the editor to find the Authors section, 2,500
pixels further down."""

import pytest
from django.test import Client

from catalogue.models import ReadingList, ReadingListItem
from tests.factories import make_book
from tests.helpers import form_values, text_of


@pytest.fixture
def editor(demo_editor) -> Client:
    return demo_editor


def book_url(book) -> str:
    return f"/admin/catalogue/book/{book.pk}/change/"


def error_note(response) -> list[str]:
    assert response.status_code == 200
    return text_of(response.content, "#content .errornote")


def test_a_duplicate_author_is_named_at_the_top(editor, ann, ben):
    book = make_book(title="Good Omens", authors=[ann, ben])
    form = form_values(editor.get(book_url(book)))
    form["contributions-1-author"] = ann.pk
    response = editor.post(book_url(book), form)
    assert error_note(response) == ["Please correct the errors below: Authors."]
    links = text_of(response.content, "#content .errornote a[href='#contributions-group']")
    assert links == ["Authors"]
    assert text_of(response.content, "#contributions-group h2") == ["Authors"]


def test_fields_refused_are_named_with_their_section(editor, ann, ben):
    book = make_book(title="Good Omens", authors=[ann, ben])
    form = form_values(editor.get(book_url(book)))
    form.update({"title": "", "contributions-1-position": "-1"})
    response = editor.post(book_url(book), form)
    assert error_note(response) == [
        "Please correct the errors below: Title and Authors (Position)."
    ]
    assert text_of(response.content, "#content .errornote a[href='#id_title']") == ["Title"]


def test_one_error_is_named_alone(editor, ann):
    book = make_book(title="Good Omens", authors=[ann])
    form = form_values(editor.get(book_url(book)))
    form["title"] = ""
    assert error_note(editor.post(book_url(book), form)) == [
        "Please correct the error below: Title."
    ]


def test_a_reading_lists_duplicate_book_is_named(editor):
    first = make_book(title="The End")
    reading_list = ReadingList.objects.create(title="How wars end", slug="war-ends")
    ReadingListItem.objects.create(reading_list=reading_list, book=first, position=0)
    ReadingListItem.objects.create(reading_list=reading_list, book=make_book(), position=1)
    url = f"/admin/catalogue/readinglist/{reading_list.pk}/change/"
    form = form_values(editor.get(url))
    form["items-1-book"] = first.pk
    assert error_note(editor.post(url, form)) == [
        "Please correct the errors below: Books on the list, in order (lowest position first)."
    ]
