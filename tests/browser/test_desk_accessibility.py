"""The desk's own pages are accessible: axe-core finds no violation on the article form
(new and saved), its history, a comparison of two versions, a kept version's preview, and
the book import's upload form and dry-run report, as an editor opens them (the scripts
have run: the date and time fields, the autocompletes' search fields, the live preview,
the word count).

axe runs as tests/browser/test_accessibility.py runs it on the public pages.
"""

import json
from pathlib import Path

import pytest
from django.db import connection

from tests.browser.test_accessibility import axe_violations
from tests.factories import make_article
from tests.helpers import run_worker

pytestmark = [
    # The form's scripts ask the desk while the page loads (preview, autosave); the live
    # server's in-memory SQLite database refuses concurrent readers: PostgreSQL pass.
    pytest.mark.skipif(
        connection.vendor == "sqlite", reason="needs concurrent requests: PostgreSQL pass"
    ),
]

EXPORT = Path(__file__).parent.parent / "catalogue" / "data" / "goodreads_export.csv"


@pytest.fixture(autouse=True)
def tasks_in_the_queue(settings):
    """The real queue: the import's dry run waits for the worker (run_worker)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def violations_on(page, url: str) -> list[str]:
    response = page.goto(url, wait_until="load")
    assert response is not None and response.status == 200, url
    return axe_violations(page)


def test_axe_finds_no_violation_on_the_desks_article_pages(page, desk):
    article = make_article(title="Torgau, April 1945", body="The first words.\n\nThe end.")
    change = f"{desk}/admin/articles/article/{article.pk}/change/"
    found = {}
    found["add"] = violations_on(page, f"{desk}/admin/articles/article/add/")
    for title in ("Torgau, 25 April", "Torgau, the meeting on the Elbe"):
        page.goto(change)
        page.fill("#id_title", title)
        page.click("input[name=_save]")
        page.wait_for_url("**/admin/articles/article/")
    found["change"] = violations_on(page, change)
    # The calendar and the clock open: their links and tables are read too.
    page.locator(".datetimeshortcuts a").first.click()
    found["change, calendar open"] = axe_violations(page)

    found["history"] = violations_on(page, f"{desk}/admin/articles/article/{article.pk}/history/")
    page.get_by_label("Compare from version 1", exact=False).check()
    page.click("input[value='Compare the two chosen']")
    page.wait_for_url("**/history/compare/**")
    found["compare"] = axe_violations(page)

    page.goto(f"{desk}/admin/articles/article/{article.pk}/history/")
    page.locator(".desk-history__actions").first.get_by_role("link", name="Preview").click()
    page.wait_for_url("**/history/preview/**")
    found["version preview"] = axe_violations(page)
    assert {name: rows for name, rows in found.items() if rows} == {}, json.dumps(found, indent=2)


def test_axe_finds_no_violation_on_the_import_pages(page, desk):
    found = {"upload": violations_on(page, f"{desk}/admin/catalogue/book/import/")}
    page.set_input_files(
        "#id_file",
        files=[{"name": "export.csv", "mimeType": "text/csv", "buffer": EXPORT.read_bytes()}],
    )
    page.click("input[value='Check the file']")
    page.wait_for_url("**/admin/catalogue/book/import/*/")
    found["progress"] = axe_violations(page)
    run_worker()
    page.wait_for_selector(".import-report")
    found["dry-run report"] = axe_violations(page)
    page.click("text=Import these books")
    page.wait_for_selector(".import-progress")
    run_worker()
    page.reload()
    page.wait_for_selector(".import-report")
    found["summary"] = axe_violations(page)
    assert {name: rows for name, rows in found.items() if rows} == {}, json.dumps(found, indent=2)
