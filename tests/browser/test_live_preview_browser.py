"""The live preview beside an article's body, and the preview link an editor sends to a
reviewer, in a real browser under the production Content-Security-Policy."""

import pytest
from django.db import connection

from articles.models import Article
from tests.browser.conftest import problems_on
from tests.factories import make_article

pytestmark = [
    # The page, its scripts and the preview's requests come at once; the live server's
    # in-memory SQLite database refuses concurrent readers, so this runs in the
    # PostgreSQL pass of CI.
    pytest.mark.skipif(
        connection.vendor == "sqlite", reason="needs concurrent requests: PostgreSQL pass"
    ),
]


def test_an_editor_sees_the_preview_as_they_type_and_sends_a_link_to_a_reviewer(
    page, demo_site, browser, screenshot
):
    draft = make_article(
        title="Torgau, April 1945",
        body="The first words.",
        byline="Colophon",
        status=Article.Status.DRAFT,
    )
    problems = problems_on(page)
    previews = []
    page.on("request", lambda r: previews.append(r) if "/live-preview/" in r.url else None)
    change = f"/admin/articles/article/{draft.pk}/change/"
    page.goto(f"{demo_site.url}/admin/login/?next={change}")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "colophon-demo-editor")
    page.click("input[type=submit]")
    page.wait_for_url(f"**{change}")

    # At desktop width the preview sits beside the body, and shows the saved text first.
    pane = page.frame_locator(".live-preview__frame")
    assert page.get_by_role("button", name="Hide preview").is_visible()
    pane.locator("h1", has_text="Torgau, April 1945").wait_for()
    pane.locator("p", has_text="The first words.").wait_for()
    body_box = page.locator("#id_body").bounding_box()
    pane_box = page.locator(".live-preview").bounding_box()
    assert pane_box["x"] > body_box["x"] + body_box["width"] - 1  # to its right
    assert abs(pane_box["y"] - body_box["y"]) < 2  # on the same line

    # Typing, then embedding a book with the picker: the card appears in the preview.
    body = page.locator("#id_body")
    body.click()
    page.keyboard.press("Control+End")
    before = len(previews)
    page.keyboard.type("\n\nThey met at the Elbe, and fought side by side.\n\n", delay=15)
    page.keyboard.type("[[")
    page.keyboard.type("Last Battle")
    page.locator(".book-picker__option", has_text="The Last Battle").wait_for()
    page.keyboard.press("Enter")
    pane.locator(".book-card__title", has_text="The Last Battle").wait_for()
    pane.locator("p", has_text="They met at the Elbe, and fought side by side.").wait_for()
    # One request per pause, not per key (~50 keys typed).
    assert 1 <= len(previews) - before <= 6

    # A reference to no book is flagged where it stands, and said beside the heading.
    saved_text = body.input_value()
    page.keyboard.press("Control+Home")
    page.keyboard.insert_text("[[book:no-such-book]]\n\n")
    flag = pane.locator(".preview-missing", has_text="No book matches [[book:no-such-book]]")
    flag.wait_for()
    status = page.locator(".live-preview__status")
    assert status.inner_text() == "1 book reference matches no book."
    screenshot("desk-live-preview")

    # Fixed, then saved: the flag goes.
    body.fill(saved_text)
    flag.wait_for(state="detached")
    assert status.inner_text() == "Up to date."
    page.click("input[name=_continue]")
    page.wait_for_url(f"**{change}")
    assert "was changed successfully" in page.locator(".messagelist").inner_text()

    # A preview link, copied for the reviewer.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=demo_site.url)
    page.get_by_role("button", name="Copy a preview link").click()
    page.locator("#preview-link-status", has_text="Link copied.").wait_for()
    link = page.locator("#preview-link-url").input_value()
    assert link.startswith(f"{demo_site.url}/articles/preview/")
    assert page.evaluate("navigator.clipboard.readText()") == link
    assert problems == []

    # The reviewer has no account: a fresh browser, never signed in.
    reviewer_context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        reviewer = reviewer_context.new_page()
        response = reviewer.goto(link)
        assert response.status == 200
        assert response.headers["x-robots-tag"] == "noindex"
        assert (
            reviewer.locator(".preview-banner").inner_text().startswith("Preview: not published.")
        )
        assert reviewer.locator("h1").inner_text() == "Torgau, April 1945"
        assert reviewer.locator(".book-card__title").inner_text().startswith("The Last Battle")
        assert reviewer.locator("meta[name=robots]").get_attribute("content") == "noindex"
        # The article itself is still not public.
        assert reviewer.goto(f"{demo_site.url}{draft.get_absolute_url()}").status == 404
    finally:
        reviewer_context.close()


def test_the_preview_can_be_hidden_and_stays_hidden(page, demo_site):
    problems = problems_on(page)
    page.goto(f"{demo_site.url}/admin/login/?next=/admin/articles/article/add/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "colophon-demo-editor")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/articles/article/add/")
    page.frame_locator(".live-preview__frame").locator("h1", has_text="Untitled").wait_for()

    page.get_by_role("button", name="Hide preview").click()
    assert not page.locator(".live-preview").is_visible()
    toggle = page.get_by_role("button", name="Show preview")
    assert toggle.get_attribute("aria-expanded") == "false"
    page.reload()  # nothing typed: the form lets the page go
    assert page.get_by_role("button", name="Show preview").is_visible()
    assert not page.locator(".live-preview").is_visible()
    page.get_by_role("button", name="Show preview").click()
    page.fill("#id_title", "A piece not saved yet")
    page.frame_locator(".live-preview__frame").locator(
        "h1", has_text="A piece not saved yet"
    ).wait_for()
    assert problems == []
