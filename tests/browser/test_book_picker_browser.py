"""The book picker in a real browser, under the production Content-Security-Policy:
typing [[ in an article's body finds a book and inserts its [[book:slug]] line, by
keyboard alone or with the mouse, announced as a combobox and its listbox."""

import pytest
from django.db import connection

from articles.demo import EDITOR_PASSWORD, EDITOR_USERNAME
from catalogue.models import Book
from tests.factories import make_author, make_book

pytestmark = [
    # The page, its scripts and the picker's searches ask at once; the live server's
    # in-memory SQLite database refuses concurrent readers, so this runs in the
    # PostgreSQL pass of CI (as test_desk_browser.py does).
    pytest.mark.skipif(
        connection.vendor == "sqlite", reason="needs concurrent requests: PostgreSQL pass"
    ),
]


@pytest.fixture
def desk(page, demo_site):
    """A new article in the desk, the editor signed in; what goes wrong is collected in
    the list returned (console errors, CSP refusals among them, and failed requests)."""
    collins = make_author(name="Suzanne Collins")
    make_book(
        title="The Hunger Games", slug="the-hunger-games", isbn13="9780439023481", authors=[collins]
    )
    make_book(
        title="Catching Fire", slug="catching-fire", authors=[collins], status=Book.Status.DRAFT
    )
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None
    )
    page.goto(demo_site.url + "/admin/login/?next=/admin/articles/article/add/")
    page.fill("#id_username", EDITOR_USERNAME)
    page.fill("#id_password", EDITOR_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/articles/article/add/")
    return problems


def caret(page) -> list:
    """Which element has the focus, and where its caret is."""
    return page.evaluate("[document.activeElement.id, document.activeElement.selectionStart]")


def watch_input_events(page) -> None:
    """Keep the body's text as each input event finds it, as other scripts would see it."""
    page.evaluate(
        "window.seenByInputEvents = [];"
        "document.getElementById('id_body').addEventListener("
        "'input', (event) => window.seenByInputEvents.push(event.target.value))"
    )


def test_picking_a_book_by_keyboard_alone(page, desk, screenshot):
    page.focus("#id_body")
    page.keyboard.type("A book I loved:")
    page.keyboard.type("[[collins")
    combobox = page.get_by_role("combobox", name="Find a book to embed")
    listbox = page.get_by_role("listbox", name="Books")
    options = listbox.get_by_role("option")
    options.nth(1).wait_for()
    assert caret(page)[0] == combobox.get_attribute("id")
    assert combobox.get_attribute("aria-expanded") == "true"
    assert combobox.get_attribute("aria-controls") == listbox.get_attribute("id")
    assert page.get_by_role("status").inner_text() == "2 books found."
    assert options.all_inner_texts() == [
        "Catching Fire\nSuzanne Collins\nDraft (not public yet)\ncatching-fire",
        "The Hunger Games\nSuzanne Collins\nthe-hunger-games",
    ]

    # The best match is active at once (Enter takes it); the arrows move round and back.
    assert combobox.get_attribute("aria-activedescendant") == options.nth(0).get_attribute("id")
    for key, active in [("ArrowDown", 1), ("ArrowDown", 0), ("ArrowUp", 1)]:
        page.keyboard.press(key)
        assert combobox.get_attribute("aria-activedescendant") == options.nth(active).get_attribute(
            "id"
        )
        assert options.nth(active).get_attribute("aria-selected") == "true"
        assert options.nth(1 - active).get_attribute("aria-selected") == "false"
    screenshot("desk-book-picker")

    watch_input_events(page)
    page.keyboard.press("Enter")
    body = page.locator("#id_body")
    assert body.input_value() == "A book I loved:\n[[book:the-hunger-games]]\n"
    assert listbox.is_hidden() and combobox.is_hidden()
    # Back in the text, after the line inserted, and other scripts were told.
    assert caret(page) == ["id_body", len(body.input_value())]
    assert page.evaluate("window.seenByInputEvents.at(-1)") == body.input_value()
    page.keyboard.type("And more words.")
    assert body.input_value().endswith("[[book:the-hunger-games]]\nAnd more words.")
    assert desk == []


def test_picking_a_book_with_the_mouse_between_two_lines(page, desk):
    body = page.locator("#id_body")
    body.fill("First paragraph.\nSecond paragraph.")
    page.evaluate("document.getElementById('id_body').setSelectionRange(16, 16)")
    page.keyboard.type("[[fire")
    option = page.get_by_role("option", name="Catching Fire")
    option.wait_for()
    assert "Draft (not public yet)" in option.inner_text()
    option.click()
    assert body.input_value() == "First paragraph.\n[[book:catching-fire]]\nSecond paragraph."
    assert page.get_by_role("listbox").is_hidden()
    assert caret(page) == ["id_body", len("First paragraph.\n[[book:catching-fire]]\n")]
    page.keyboard.press("Control+Z")  # inserted as if typed, so undone in one step
    assert body.input_value() == "First paragraph.[[\nSecond paragraph."
    assert desk == []


def test_an_isbn_then_enter_inserts_its_one_book(page, desk):
    page.focus("#id_body")
    page.keyboard.type("[[0-439-02348-3")
    page.get_by_role("option", name="The Hunger Games").wait_for()
    page.keyboard.press("Enter")  # no option chosen, but only one found
    assert page.locator("#id_body").input_value() == "[[book:the-hunger-games]]\n"
    assert desk == []


def test_escape_puts_back_what_was_typed(page, desk):
    page.focus("#id_body")
    page.keyboard.type("See [[hunger")
    page.get_by_role("option", name="The Hunger Games").wait_for()
    page.keyboard.press("Escape")
    assert page.get_by_role("combobox", name="Find a book to embed").is_hidden()
    assert page.locator("#id_body").input_value() == "See [[hunger"
    assert caret(page) == ["id_body", len("See [[hunger")]
    assert desk == []


def test_the_embed_typed_by_hand_goes_into_the_text(page, desk):
    """As the help text under the body says: [[book:slug]] typed out is kept as typed."""
    page.focus("#id_body")
    page.keyboard.type("See [[book:the-hunger-games]] and more.")
    assert page.locator("#id_body").input_value() == "See [[book:the-hunger-games]] and more."
    assert page.get_by_role("combobox", name="Find a book to embed").is_hidden()
    assert desk == []
