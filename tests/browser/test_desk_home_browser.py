"""The desk's first page in a real browser: a contributor submits, and the editor's desk
home lists it with who and when; a preview link the editor revokes from the article's form
answers 410 with a page that says so."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from articles.models import Article
from tests.helpers import sign_in_page

pytestmark = [
    # Two people's pages and their static files load at once; the live server's
    # in-memory SQLite database refuses concurrent readers: the PostgreSQL pass of CI.
    pytest.mark.skipif(
        connection.vendor == "sqlite", reason="needs concurrent requests: PostgreSQL pass"
    ),
]
CONTRIBUTOR = ("casey", "contrib-pass-2026x")
EDITOR = ("editor", "colophon-demo-editor")


@pytest.fixture
def contributor(demo_site, monkeypatch):
    monkeypatch.setenv("COLOPHON_PASSWORD", CONTRIBUTOR[1])
    call_command("createeditor", CONTRIBUTOR[0], role="contributor", stdout=io.StringIO())


def new_page(browser):
    return browser.new_context(viewport={"width": 1280, "height": 900}).new_page()


def test_a_submission_appears_on_the_editors_desk_home(browser, demo_site, contributor, screenshot):
    site = demo_site.url
    writer = new_page(browser)
    sign_in_page(writer, site, *CONTRIBUTOR)
    writer.goto(f"{site}/admin/articles/article/add/")
    writer.fill("#id_title", "Letters from Torgau")
    writer.fill("#id_body", "Words worth reading.\n")
    writer.fill("#id_review_note", "Ready when you are.")
    writer.click("input[name=_submit_review]")
    writer.wait_for_url("**/admin/articles/article/")

    editor = new_page(browser)
    sign_in_page(editor, site, *EDITOR)  # lands on the desk home
    waiting = editor.locator("#panel-waiting-for-review")
    assert waiting.get_by_role("heading", name="Waiting for review").is_visible()
    row = waiting.locator(".desk-panel__row", has_text="Letters from Torgau")
    assert "Submitted by casey, " in row.inner_text()
    screenshot("desk-home", of=editor)
    row.get_by_role("link", name="Letters from Torgau").click()
    editor.wait_for_url("**/change/")
    assert "Ready when you are." in editor.locator(".field-review_log").inner_text()

    # The contributor's own home has no review queue, and shows the piece nowhere else yet.
    writer.goto(f"{site}/admin/")
    assert writer.locator("#panel-waiting-for-review").count() == 0
    assert "You have no drafts." in writer.locator("#panel-my-drafts").inner_text()
    for page in (writer, editor):
        page.context.close()


def test_a_revoked_preview_link_answers_410(browser, demo_site):
    site = demo_site.url
    article = Article.objects.get(slug="unlikely-allies")
    editor = new_page(browser)
    editor.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in_page(editor, site, *EDITOR)
    editor.goto(f"{site}/admin/articles/article/{article.pk}/change/")
    editor.click("#preview-link-button")
    editor.locator("#preview-link-url").wait_for(state="visible")  # the link, once made
    link = editor.locator("#preview-link-url").input_value()
    assert "/articles/preview/" in link

    reviewer = browser.new_context().new_page()
    assert reviewer.goto(link).status == 200

    editor.reload()
    links = editor.locator(".field-preview_link_list .desk-preview-link")
    assert links.count() == 1
    assert "by editor: works until " in links.first.inner_text()
    links.first.get_by_role("link", name="Revoke").click()
    editor.wait_for_url("**/revoke/")
    editor.get_by_role("button", name="Yes, revoke this link").click()
    editor.wait_for_url("**/change/")
    assert "is revoked" in editor.locator(".messagelist").inner_text()
    assert " revoked " in editor.locator(".field-preview_link_list").inner_text()

    answer = reviewer.goto(link)
    assert answer.status == 410
    assert reviewer.locator("h1").inner_text() == "This preview link has been revoked"
    assert "Unlikely Allies" not in reviewer.locator("main, body").first.inner_text()
    for page in (reviewer, editor):
        page.context.close()
