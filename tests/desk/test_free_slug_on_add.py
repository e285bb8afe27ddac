"""Adding a second book (or article, reading list, author) with a title another one has.

The slug's help says "filled from the title when left blank", and a blank one is filled
with a free slug ("the-hunger-games-2"); but the desk's browser fills the field from the
title as the editor types, so the form posted "the-hunger-games" and was refused with
"Book with this Slug already exists." A slug the title gives is now treated as the blank
one it stands for; a slug typed otherwise that another row has is still refused.
"""

import pytest

from articles.models import Article
from catalogue.models import Author, Book
from tests.factories import article_form, book_form, make_article, make_author, make_book
from tests.helpers import text_of

pytestmark = pytest.mark.django_db


def test_a_second_book_with_the_same_title_gets_a_free_address(editor):
    make_book(title="The Hunger Games", slug="the-hunger-games")
    posted = editor.post(
        "/admin/catalogue/book/add/", book_form(title="The Hunger Games", slug="the-hunger-games")
    )
    assert posted.status_code == 302, text_of(posted.content, ".errorlist li")
    assert Book.objects.filter(title="The Hunger Games").count() == 2
    assert Book.objects.latest("pk").slug == "the-hunger-games-2"


def test_a_taken_slug_typed_by_the_editor_is_still_refused(editor):
    make_book(title="Catching Fire", slug="catching-fire")
    posted = editor.post(
        "/admin/catalogue/book/add/", book_form(title="The Hunger Games", slug="catching-fire")
    )
    assert posted.status_code == 200
    assert "Book with this Slug already exists." in text_of(posted.content, ".errorlist li")
    assert not Book.objects.filter(title="The Hunger Games").exists()


def test_a_second_article_with_the_same_title_gets_a_free_address(editor):
    make_article(title="Winter reading", slug="winter-reading")
    posted = editor.post(
        "/admin/articles/article/add/", article_form(title="Winter reading", slug="winter-reading")
    )
    assert posted.status_code == 302, text_of(posted.content, ".errorlist li")
    slugs = Article.objects.filter(title="Winter reading").values_list("slug", flat=True)
    assert sorted(slugs) == ["winter-reading", "winter-reading-2"]


def test_a_namesake_author_gets_a_free_address(editor):
    make_author(name="John Smith", slug="john-smith")
    posted = editor.post(
        "/admin/catalogue/author/add/", {"name": "John Smith", "slug": "john-smith"}
    )
    assert posted.status_code == 302, text_of(posted.content, ".errorlist li")
    assert sorted(Author.objects.values_list("slug", flat=True)) == ["john-smith", "john-smith-2"]
