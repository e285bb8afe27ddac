"""The [[ picker in a real browser finds articles and pictures beside books, in groups of
a listbox: an article goes in as a Markdown link where [[ was typed, a picture as an
[[image:ID]] line of its own."""

import pytest
from django.core.files.base import ContentFile
from django.db import connection

from articles.demo import EDITOR_PASSWORD, EDITOR_USERNAME
from images.models import Image
from tests.factories import make_article, make_book
from tests.helpers import sign_in_page

pytestmark = [
    pytest.mark.skipif(
        connection.vendor == "sqlite", reason="needs concurrent requests: PostgreSQL pass"
    ),
]
PICKER = "Find a book to embed, an article to link or a picture"


@pytest.fixture
def desk(page, demo_site):
    make_article(title="Torgau [1945]", slug="torgau-1945")
    make_book(title="Torgau Bridge", slug="torgau-bridge")
    picture = Image(alt="The bridge at Torgau", credit="Photo: US Army")
    picture.file.save("bridge.png", ContentFile(b"not read here"), save=False)
    picture.save()
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    sign_in_page(page, demo_site.url, EDITOR_USERNAME, EDITOR_PASSWORD)
    page.goto(demo_site.url + "/admin/articles/article/add/")
    page.wait_for_load_state("load")
    return picture, problems


def test_books_articles_and_pictures_are_found_in_groups(page, desk, screenshot):
    picture, problems = desk
    page.focus("#id_body")
    page.keyboard.type("See [[torgau")
    listbox = page.get_by_role("listbox", name="Books, Articles, Pictures")
    listbox.get_by_role("option").nth(2).wait_for()
    groups = listbox.get_by_role("group")
    assert groups.count() == 3
    assert [groups.nth(n).get_attribute("aria-labelledby") for n in range(3)] == [
        page.locator(".book-picker__group-name").nth(n).get_attribute("id") for n in range(3)
    ]
    assert page.locator(".book-picker__group-name").all_inner_texts() == [
        "BOOKS", "ARTICLES", "PICTURES",
    ]  # fmt: skip
    assert page.locator(".book-picker__status").inner_text() == (
        "1 book, 2 articles, 1 picture found."  # the demo's article tells of Torgau too
    )
    assert "Being prepared" in groups.nth(2).inner_text()
    screenshot("desk-picker-groups")
    page.keyboard.press("ArrowDown")  # from the book to the article
    page.keyboard.press("Enter")
    assert page.input_value("#id_body") == r"See [Torgau \[1945\]](/articles/torgau-1945/)"
    page.keyboard.type(" and this:")
    page.keyboard.type("[[bridge at")
    page.get_by_role("option", name="The bridge at Torgau").click()
    assert page.input_value("#id_body") == (
        r"See [Torgau \[1945\]](/articles/torgau-1945/) and this:" + f"\n[[image:{picture.pk}]]\n"
    )
    assert problems == []
