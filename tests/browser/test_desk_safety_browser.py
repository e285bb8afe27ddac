"""The desk in a real browser: renames keep cards and addresses, a card is never taken
away unasked, and nothing typed is lost by leaving the page or pasting too much."""

import pytest
from django.db import connection

from articles.forms import MAX_BODY_LENGTH
from catalogue.models import Book
from tests.factories import make_article, make_book

pytestmark = [
    # The page and its static files load at once; the live server's in-memory SQLite
    # database refuses concurrent readers, so this runs in the PostgreSQL pass of CI.
    pytest.mark.skipif(
        connection.vendor == "sqlite", reason="needs concurrent requests: PostgreSQL pass"
    ),
]


@pytest.fixture
def embedded_book(demo_site):
    book = make_book(title="Fahrenheit 451", slug="fahrenheit-451")
    article = make_article(title="Burning books", body="Read it.\n\n[[book:fahrenheit-451]]\n")
    return book, article


def test_a_renamed_book_keeps_its_card_and_its_old_address(page, desk, embedded_book, screenshot):
    book, article = embedded_book
    page.goto(f"{desk}/admin/catalogue/book/{book.pk}/change/")
    assert "Burning books" in page.locator(".where-used").inner_text()
    page.fill("#id_slug", "fahrenheit-451-bradbury")
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/catalogue/book/")

    old = page.request.get(f"{desk}/books/fahrenheit-451/", max_redirects=0)
    assert (old.status, old.headers["location"]) == (301, "/books/fahrenheit-451-bradbury/")
    page.goto(f"{desk}{article.get_absolute_url()}")
    card = page.locator(".book-card a[href='/books/fahrenheit-451-bradbury/']").first
    assert card.is_visible()
    page.goto(f"{desk}/admin/catalogue/book/{book.pk}/change/")
    assert "/books/fahrenheit-451/" in page.locator(".field-where_used").inner_text()
    screenshot("desk-book-where-used")


def test_withdrawing_a_book_in_a_live_article_asks_first(page, desk, embedded_book, screenshot):
    book, _article = embedded_book
    page.goto(f"{desk}/admin/catalogue/book/{book.pk}/change/")
    page.select_option("#id_status", "withdrawn")
    page.click("input[name=_save]")
    error = page.locator(".field-status .errorlist")
    assert "“Burning books”" in error.inner_text()
    screenshot("desk-withdraw-confirmation")
    assert Book.objects.get(pk=book.pk).status == "published"

    page.check("#id_confirm_hiding")
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/catalogue/book/")
    assert Book.objects.get(pk=book.pk).status == "withdrawn"


def test_leaving_a_changed_form_asks_first(page, desk):
    page.goto(f"{desk}/admin/articles/article/add/")
    page.wait_for_load_state("load")
    page.fill("#id_title", "Words I must not lose")
    page.locator("#id_body").press_sequentially("The first sentence.")
    asked = []

    def answer(dialog, accept):
        asked.append(dialog.type)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, accept=False))
    page.click("#site-name a")
    assert asked == ["beforeunload"]
    assert page.url.endswith("/admin/articles/article/add/")
    assert page.input_value("#id_body") == "The first sentence."

    page.once("dialog", lambda dialog: answer(dialog, accept=True))
    page.click("#site-name a")
    page.wait_for_url("**/admin/")
    assert asked == ["beforeunload", "beforeunload"]


def test_an_unchanged_form_is_left_without_a_question(page, desk):
    page.goto(f"{desk}/admin/articles/article/add/")
    page.wait_for_load_state("load")
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    page.click("#site-name a")
    page.wait_for_url("**/admin/")
    assert asked == []
    assert page.locator("#content h1").count() == 1  # the desk's home, not the form
    assert page.locator("#id_body").count() == 0


def test_a_body_too_long_is_refused_before_sending_and_kept(page, desk, screenshot):
    page.goto(f"{desk}/admin/articles/article/add/")
    page.wait_for_load_state("load")
    page.fill("#id_title", "A very long piece")
    body = "word " * (MAX_BODY_LENGTH // 5 + 1)
    page.fill("#id_body", body)
    page.click("input[name=_save]")
    note = page.locator("#id_body-too-long")
    assert "Your text is still here" in note.inner_text()
    assert page.locator("ul[role=alert] #id_body-too-long").count() == 1
    assert page.url.endswith("/admin/articles/article/add/")
    assert len(page.input_value("#id_body")) == len(body)
    # Where the editor is looking: in the window, under the text box, and focused (so a
    # screen reader reads it out).
    assert in_window(page, "#id_body-too-long")
    box, note = page.locator("#id_body").bounding_box(), note.bounding_box()
    assert note["y"] >= box["y"] + box["height"] - 1
    assert page.evaluate(
        "document.activeElement.contains(document.getElementById('id_body-too-long'))"
    )
    screenshot("desk-body-too-long")


def in_window(page, selector: str) -> bool:
    """The element is wholly inside the browser's window as it is scrolled now."""
    return page.evaluate(
        """(selector) => {
            const box = document.querySelector(selector).getBoundingClientRect();
            return box.top >= 0 && box.bottom <= window.innerHeight && box.height > 0;
        }""",
        selector,
    )


def test_typed_words_are_kept_and_offered_back(page, desk, embedded_book, screenshot):
    _book, article = embedded_book
    url = f"{desk}/admin/articles/article/{article.pk}/change/"
    page.goto(url)
    page.wait_for_load_state("load")
    page.locator("#id_body").press_sequentially(" A sentence I have not saved.")
    page.locator(".desk-autosave-status", has_text="Changes kept").wait_for()

    page.once("dialog", lambda dialog: dialog.accept())  # leave without saving
    page.click("#site-name a")
    page.wait_for_url("**/admin/")

    page.goto(url)
    offer = page.locator(".desk-autosave-offer")
    assert "kept at" in offer.inner_text()
    screenshot("desk-autosave-offer")
    offer.get_by_role("button", name="Restore them").click()
    offer.get_by_text("Restored the changes").wait_for()
    assert "A sentence I have not saved." in page.input_value("#id_body")
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/articles/article/")
    page.goto(url)
    assert page.locator(".desk-autosave-offer").count() == 0
