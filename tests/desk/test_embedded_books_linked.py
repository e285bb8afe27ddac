"""The article form's "Books this article embeds" opens each book at the desk: a wrong
title or cover seen in the preview is one click from being fixed (the list was plain
text, and the book had to be searched for among 10,000)."""

import pytest
from bs4 import BeautifulSoup

from tests.factories import make_article, make_book

pytestmark = pytest.mark.django_db


def test_each_embedded_book_links_to_its_desk_page(editor):
    kindred = make_book(title="Kindred", slug="kindred")
    dawn = make_book(title="Dawn", slug="dawn")
    article = make_article(title="Octavia Butler", body="[[book:kindred]]\n\n[[book:dawn]]")
    page = editor.get(f"/admin/articles/article/{article.pk}/change/")
    shown = BeautifulSoup(page.content, "html.parser").select_one(
        ".field-embedded_book_list .readonly"
    )
    links = {a.get_text(): a["href"] for a in shown.select("a")}
    assert links == {
        "Dawn": f"/admin/catalogue/book/{dawn.pk}/change/",
        "Kindred": f"/admin/catalogue/book/{kindred.pk}/change/",
    }


def test_an_article_without_books_says_none(editor):
    article = make_article(title="No books here", body="Just words.")
    page = editor.get(f"/admin/articles/article/{article.pk}/change/")
    shown = BeautifulSoup(page.content, "html.parser").select_one(
        ".field-embedded_book_list .readonly"
    )
    assert shown.get_text(strip=True) == "None"
