"""Rows of a desk form's inline that trade places under a rule of one row each (a book
credits an author once per role, a list holds a book once, a book has one link per shop):
what the editor asked for is saved, never a server error; a form that really breaks the
rule is refused in words."""

import pytest
from django.test import Client
from reversion.models import Version

from catalogue.models import Contribution, ReadingList, ReadingListItem
from catalogue.shops import BookShopLink, Shop
from tests.factories import make_book
from tests.helpers import form_values, text_of


@pytest.fixture
def editor(demo_editor) -> Client:
    return demo_editor


def book_url(book) -> str:
    return f"/admin/catalogue/book/{book.pk}/change/"


def credits_of(book) -> list[str]:
    """The book's credits as its card names them, in order."""
    return [str(credit) for credit in book.contributions.order_by("position", "pk")]


def test_two_authors_swapped_are_saved_in_their_new_places(editor, ann, ben):
    book = make_book(title="Two Hands", authors=[ann, ben])
    form = form_values(editor.get(book_url(book)))
    form.update({"contributions-0-author": ben.pk, "contributions-1-author": ann.pk})
    response = editor.post(book_url(book), form)
    assert response.status_code == 302, text_of(response.content, ".errorlist")
    assert credits_of(book) == ["Ben Bow", "Ann Arbor"]


def test_two_roles_swapped_are_saved(editor, ann):
    book = make_book(title="Two Hands")
    Contribution.objects.create(book=book, author=ann, role="author", position=0)
    Contribution.objects.create(book=book, author=ann, role="translator", position=1)
    form = form_values(editor.get(book_url(book)))
    form.update({"contributions-0-role": "translator", "contributions-1-role": "author"})
    response = editor.post(book_url(book), form)
    assert response.status_code == 302, text_of(response.content, ".errorlist")
    assert credits_of(book) == ["Ann Arbor (translator)", "Ann Arbor"]


def test_an_author_moved_onto_a_row_deleted_below_it_is_saved(editor, ann, ben):
    # Django saves rows top down: the first row took Ann's credit before the second
    # row, Ann's, was deleted.
    book = make_book(title="Two Hands", authors=[ben, ann])
    form = form_values(editor.get(book_url(book)))
    form.update({"contributions-0-author": ann.pk, "contributions-1-DELETE": "on"})
    response = editor.post(book_url(book), form)
    assert response.status_code == 302, text_of(response.content, ".errorlist")
    assert credits_of(book) == ["Ann Arbor"]


def test_the_same_author_twice_in_one_role_is_refused_in_words(editor, ann, ben):
    book = make_book(title="Two Hands", authors=[ann, ben])
    form = form_values(editor.get(book_url(book)))
    form["contributions-1-author"] = ann.pk
    response = editor.post(book_url(book), form)
    assert response.status_code == 200
    errors = " ".join(text_of(response.content, ".errorlist"))
    assert "An author is credited once in each role" in errors
    assert credits_of(book) == ["Ann Arbor", "Ben Bow"]


def test_two_books_swapped_on_a_reading_list_are_saved(editor):
    first, second = make_book(title="The End"), make_book(title="Berlin")
    reading_list = ReadingList.objects.create(title="How wars end", slug="war-ends")
    for position, (book, note) in enumerate([(first, "Kershaw."), (second, "Beevor.")]):
        ReadingListItem.objects.create(
            reading_list=reading_list, book=book, position=position, note=note
        )
    url = f"/admin/catalogue/readinglist/{reading_list.pk}/change/"
    form = form_values(editor.get(url))
    form.update({"items-0-book": second.pk, "items-1-book": first.pk})
    response = editor.post(url, form)
    assert response.status_code == 302, text_of(response.content, ".errorlist")
    assert [(item.book.title, item.note) for item in reading_list.items.all()] == [
        ("Berlin", "Kershaw."),
        ("The End", "Beevor."),
    ]


def test_two_shops_swapped_on_a_books_links_are_saved(editor):
    book = make_book(title="Two Hands")
    amazon, worldcat = Shop.objects.get(slug="amazon"), Shop.objects.get(slug="worldcat")
    BookShopLink.objects.create(book=book, shop=amazon, url="https://a.example/1")
    BookShopLink.objects.create(book=book, shop=worldcat, url="https://w.example/1")
    form = form_values(editor.get(book_url(book)))
    rows = {form[f"shop_links-{index}-shop"]: index for index in (0, 1)}
    form[f"shop_links-{rows[str(amazon.pk)]}-shop"] = worldcat.pk
    form[f"shop_links-{rows[str(worldcat.pk)]}-shop"] = amazon.pk
    response = editor.post(book_url(book), form)
    assert response.status_code == 302, text_of(response.content, ".errorlist")
    assert {link.shop.slug: link.url for link in book.shop_links.all()} == {
        "worldcat": "https://a.example/1",
        "amazon": "https://w.example/1",
    }


def test_two_links_to_one_shop_are_refused_in_words(editor):
    book = make_book(title="Two Hands")
    amazon, worldcat = Shop.objects.get(slug="amazon"), Shop.objects.get(slug="worldcat")
    BookShopLink.objects.create(book=book, shop=amazon, url="https://a.example/1")
    BookShopLink.objects.create(book=book, shop=worldcat, url="https://w.example/1")
    form = form_values(editor.get(book_url(book)))
    form["shop_links-0-shop"] = form["shop_links-1-shop"]
    response = editor.post(book_url(book), form)
    assert response.status_code == 200
    errors = " ".join(text_of(response.content, ".errorlist"))
    assert "A book has one link to each shop" in errors
    assert {link.shop.slug for link in book.shop_links.all()} == {"amazon", "worldcat"}


def test_the_version_before_a_swap_is_restored(editor, ann, ben):
    book = make_book(title="Two Hands", authors=[ann, ben])
    form = form_values(editor.get(book_url(book)))
    form.update({"contributions-0-author": ben.pk, "contributions-1-author": ann.pk})
    assert editor.post(book_url(book), form).status_code == 302
    before = Version.objects.get_for_object(book).order_by("pk").first()  # before any save

    url = f"/admin/catalogue/book/{book.pk}/history/{before.pk}/"
    page = editor.get(url, follow=True)
    assert page.redirect_chain == [], text_of(page.content, ".messagelist li")
    response = editor.post(url, {**form_values(page), "_save": "Save"})
    assert response.status_code == 302, text_of(response.content, ".errorlist")
    assert credits_of(book) == ["Ann Arbor", "Ben Bow"]
