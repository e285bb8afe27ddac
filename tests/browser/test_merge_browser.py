"""Two editors on one article in real browsers: changes to different paragraphs are
merged and both go live; changes to the same paragraph open a merged draft with both
versions marked, which the editor finishes and saves. The conflict page passes axe."""

import json

import pytest
from django.db import connection

from articles.models import Article
from tests.browser.test_accessibility import axe_violations
from tests.factories import make_article

pytestmark = [
    # Two editors' pages and their static files load at once; the live server's
    # in-memory SQLite database refuses concurrent readers (as in
    # test_desk_history_browser.py), so this runs in the PostgreSQL pass.
    pytest.mark.skipif(
        connection.vendor == "sqlite", reason="needs concurrent requests: PostgreSQL pass"
    ),
]

BODY = "The armies met at Torgau.\n\nThey shook hands.\n\nThe war went on."


@pytest.fixture
def article(demo_site):
    return make_article(title="Torgau, April 1945", slug="torgau-april-1945", body=BODY)


def both_edit(page, colleague, url, mine: str, theirs: str) -> None:
    """Both open the article; the colleague saves first, then I save."""
    page.goto(url)
    colleague.goto(url)
    colleague.fill("#id_body", theirs)
    colleague.click("input[name=_save]")
    colleague.wait_for_url("**/admin/articles/article/")
    page.fill("#id_body", mine)
    page.click("input[name=_save]")


def test_changes_to_different_paragraphs_both_go_live(page, desk, colleague, article, screenshot):
    url = f"{desk}/admin/articles/article/{article.pk}/change/"
    both_edit(
        page,
        colleague,
        url,
        mine=BODY.replace("The war went on.", "The war went on for two weeks."),
        theirs=BODY.replace("They shook hands.", "They shook hands on the broken bridge."),
    )
    page.wait_for_url("**/admin/articles/article/")
    told = page.locator(".messagelist").inner_text()
    assert (
        "your change to paragraph 3 of the body and second-editor’s change to paragraph 2" in told
    )
    screenshot("desk-merged")

    page.goto(f"{desk}/articles/torgau-april-1945/")
    text = page.locator("main").inner_text()
    assert "on the broken bridge" in text and "for two weeks" in text

    page.goto(f"{desk}/admin/articles/article/{article.pk}/history/")
    rows = page.locator(".desk-history__version")
    assert rows.count() == 3  # as it was, the colleague's, the merge
    assert "Merged editor’s changes with second-editor’s version 2" in rows.nth(0).inner_text()
    assert "second-editor" in rows.nth(1).inner_text() and "Version 2" in rows.nth(1).inner_text()
    screenshot("desk-history-merged")


def test_a_clash_is_finished_in_the_merged_draft(page, desk, colleague, article, screenshot):
    url = f"{desk}/admin/articles/article/{article.pk}/change/"
    both_edit(
        page,
        colleague,
        url,
        mine=BODY.replace("They shook hands.", "They embraced."),
        theirs=BODY.replace("shook hands.", "shook hands, it is said.").replace(
            "went on.", "went on, Sam adds."
        ),
    )
    page.locator(".desk-conflict").wait_for()
    draft = page.input_value("#id_body")
    assert draft == (
        "The armies met at Torgau.\n\n<<<<<<< Yours\nThey embraced.\n=======\n"
        "They shook hands, it is said.\n>>>>>>> second-editor’s (version 2)\n\n"
        "The war went on, Sam adds."
    )
    screenshot("desk-merge-draft")
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        # The admin's links fade to a scheme's colours: axe reads them once they have.
        page.evaluate("Promise.all(document.getAnimations().map((each) => each.finished))")
        violations = axe_violations(page)
        assert violations == [], json.dumps(violations, indent=2)

    # Saved as it is, the marks are refused in words, and the draft stays.
    page.click("input[name=_save]")
    error = page.locator(".field-body .errorlist")
    assert "still holds a clash’s marks" in error.inner_text()
    assert page.input_value("#id_body") == draft

    page.fill(
        "#id_body",
        "The armies met at Torgau.\n\nThey embraced, it is said.\n\nThe war went on, Sam adds.",
    )
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/articles/article/")
    stored = Article.objects.get(pk=article.pk)
    assert stored.body.replace("\r\n", "\n") == (
        "The armies met at Torgau.\n\nThey embraced, it is said.\n\nThe war went on, Sam adds."
    )
    page.goto(f"{desk}/admin/articles/article/{article.pk}/history/")
    newest = page.locator(".desk-history__version").first
    assert "Merged my version with second-editor’s version 2" in newest.inner_text()
