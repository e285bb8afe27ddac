"""The desk's conflicts and history in a real browser: a colleague's save shown against
mine, to keep mine or take theirs; two versions compared; an old one restored."""

import pytest
from django.db import connection

from articles.models import Article
from tests.browser.conftest import problems_on
from tests.factories import make_article

pytestmark = [
    # Two editors' pages and their static files load at once; the live server's
    # in-memory SQLite database refuses concurrent readers, so this runs in the
    # PostgreSQL pass of CI.
    pytest.mark.skipif(
        connection.vendor == "sqlite", reason="needs concurrent requests: PostgreSQL pass"
    ),
]


@pytest.fixture
def article(demo_site):
    return make_article(title="Torgau, April 1945", body="The first words.\n\nThe end.")


def refused_save(page, colleague, url) -> None:
    """Both open the article; the colleague saves first, then I save."""
    page.goto(url)
    colleague.goto(url)
    colleague.fill("#id_body", "The first words.\n\nTheir ending.")
    colleague.click("input[name=_save]")
    colleague.wait_for_url("**/admin/articles/article/")
    page.fill("#id_body", "The first words.\n\nMy ending.")
    page.click("input[name=_save]")
    page.locator(".desk-conflict").wait_for()


def test_a_conflict_shows_both_versions_and_keeping_mine_is_recorded(
    page, desk, colleague, article, screenshot
):
    problems = problems_on(page)
    url = f"{desk}/admin/articles/article/{article.pk}/change/"
    refused_save(page, colleague, url)

    panel = page.locator(".desk-conflict")
    assert "second-editor saved version 2 while you were editing" in panel.inner_text()
    assert panel.locator(".desk-diff__line--removed del").all_inner_texts() == ["Their"]
    assert panel.locator(".desk-diff__line--added ins").all_inner_texts() == ["My"]
    # Mine is still in the form, beside theirs where both changed the same line; theirs
    # is stored.
    assert page.input_value("#id_body") == (
        "The first words.\n\n<<<<<<< Yours\nMy ending.\n=======\nTheir ending.\n"
        ">>>>>>> second-editor’s (version 2)"
    )
    assert Article.objects.get(pk=article.pk).body.endswith("Their ending.")
    screenshot("desk-conflict")

    panel.get_by_role("button", name="Keep mine").click()
    page.wait_for_url(url)
    assert "was changed successfully" in page.locator(".messagelist").inner_text()
    assert Article.objects.get(pk=article.pk).body.replace("\r\n", "\n").endswith("My ending.")
    page.goto(f"{desk}/admin/articles/article/{article.pk}/history/")
    newest = page.locator(".desk-history__version").first
    assert "Kept my version over second-editor’s version 2." in newest.inner_text()
    assert problems == []


def test_taking_theirs_shows_their_version(page, desk, colleague, article):
    url = f"{desk}/admin/articles/article/{article.pk}/change/"
    refused_save(page, colleague, url)
    page.get_by_role("button", name="Take theirs").click()
    page.wait_for_url(url)
    assert "You took second-editor’s version 2" in page.locator(".messagelist").inner_text()
    assert page.input_value("#id_body").endswith("Their ending.")


def test_two_versions_are_compared_and_an_old_one_restored(page, desk, article, screenshot):
    problems = problems_on(page)
    url = f"{desk}/admin/articles/article/{article.pk}/change/"
    for title in ("Torgau, 25 April", "Torgau, the meeting on the Elbe"):
        page.goto(url)
        page.fill("#id_title", title)
        page.fill("#id_body", f"The first words.\n\n{title}: the end.")
        page.click("input[name=_save]")
        page.wait_for_url("**/admin/articles/article/")

    page.goto(f"{desk}/admin/articles/article/{article.pk}/history/")
    rows = page.locator(".desk-history__version")
    assert rows.count() == 3
    assert rows.first.locator(".desk-live").count() == 1
    screenshot("desk-history")

    # Any two: the oldest against the one before live.
    page.get_by_label("Compare to version 2", exact=False).check()
    page.get_by_label("Compare from version 1", exact=False).check()
    page.click("input[value='Compare the two chosen']")
    page.wait_for_url("**/history/compare/**")
    assert page.locator(".desk-changes tbody th").all_inner_texts() == ["Title"]
    assert page.locator(".desk-diff__line--removed .desk-diff__text").all_inner_texts() == [
        "The end."
    ]
    assert page.locator(".desk-diff__line--added").count() == 1
    screenshot("desk-compare")

    page.get_by_role("link", name="Restore version 1").click()
    page.wait_for_url("**/history/*/")
    assert page.input_value("#id_title") == "Torgau, April 1945"
    assert "You are restoring version 1" in page.locator(".desk-restoring").inner_text()
    screenshot("desk-restore")
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/articles/article/")

    restored = Article.objects.get(pk=article.pk)
    assert (restored.title, restored.version) == ("Torgau, April 1945", 4)
    page.goto(f"{desk}/admin/articles/article/{article.pk}/history/")
    newest = page.locator(".desk-history__version").first
    assert "Version 4" in newest.inner_text() and newest.locator(".desk-live").count() == 1
    assert "Restored version 1 of " in newest.inner_text()
    assert problems == []
