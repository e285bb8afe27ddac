"""Review and scheduling in a real browser: a contributor writes and submits, an editor
approves with a time a few seconds ahead, and the article goes live by itself."""

import io
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

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


@pytest.fixture
def contributor(demo_site, monkeypatch):
    monkeypatch.setenv("COLOPHON_PASSWORD", CONTRIBUTOR[1])
    call_command("createeditor", CONTRIBUTOR[0], role="contributor", stdout=io.StringIO())


def test_a_contributor_submits_an_editor_schedules_it_and_it_goes_live(
    browser, demo_site, contributor, screenshot
):
    site = demo_site.url
    writer = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in_page(writer, site, *CONTRIBUTOR)
    writer.goto(f"{site}/admin/articles/article/add/")
    writer.fill("#id_title", "A piece for review")
    writer.fill("#id_body", "Words worth reading.\n\n[[book:9780306822087]]\n")
    assert [o.get_attribute("value") for o in writer.locator("#id_status option").all()] == [
        "draft", "review",
    ]  # fmt: skip
    writer.fill("#id_review_note", "Ready when you are.")
    writer.click("input[name=_submit_review]")
    writer.wait_for_url("**/admin/articles/article/")
    assert "waiting for an editor’s review" in writer.locator(".messagelist").inner_text()
    article = Article.objects.get(title="A piece for review")
    assert article.status == "review"

    editor = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in_page(editor, site, "editor", "colophon-demo-editor")
    editor.goto(f"{site}/admin/articles/article/?state=review")
    editor.click("text=A piece for review")
    assert "Ready when you are." in editor.locator(".field-review_log").inner_text()
    when = timezone.localtime(timezone.now() + timedelta(seconds=8))
    editor.fill("#id_published_at_0", when.strftime("%d/%m/%Y"))
    editor.fill("#id_published_at_1", when.strftime("%H:%M:%S"))
    editor.fill("#id_review_note", "Lovely.")
    screenshot("desk-review-approve", of=editor)
    editor.click("input[name=_approve]")
    editor.wait_for_url("**/admin/articles/article/?state=review")  # back where they were
    assert "is scheduled: it goes live by itself" in editor.locator(".messagelist").inner_text()
    editor.goto(f"{site}/admin/articles/article/?state=scheduled")
    assert "A piece for review" in editor.locator("#result_list").inner_text()

    public = browser.new_context().new_page()
    url = f"{site}{Article.objects.get(pk=article.pk).get_absolute_url()}"
    assert public.goto(url).status == 404  # not yet
    time.sleep(max(0.0, (when - timezone.now()).total_seconds()) + 1)
    assert public.goto(url).status == 200  # by itself: no job, no save
    assert public.locator("h1").inner_text() == "A piece for review"
    for page in (writer, editor, public):
        page.context.close()
