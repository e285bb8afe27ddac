"""Importing from the desk in a real browser: upload, read the dry run, confirm, watch the
progress bar, and follow the summary's links, with the background worker doing the work
and no script or style refused by the Content-Security-Policy."""

from pathlib import Path

import pytest
from django.db import connection

from catalogue.models import Book, ImportJob
from tests.helpers import run_worker

pytestmark = [
    # The page polls while the worker writes: the live server's in-memory SQLite
    # database refuses concurrent readers instead of waiting, so this runs in the
    # PostgreSQL pass of CI.
    pytest.mark.skipif(
        connection.vendor == "sqlite", reason="needs concurrent requests: PostgreSQL pass"
    ),
]

EXPORT = Path(__file__).parent.parent / "catalogue" / "data" / "goodreads_export.csv"


@pytest.fixture(autouse=True)
def tasks_in_the_queue(settings):
    """The real queue (tests/conftest.py runs tasks at once elsewhere): the worker runs them."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_import_dry_run_then_confirm(page, demo_site, screenshot):
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None
    )
    page.goto(demo_site.url + "/admin/login/?next=/admin/catalogue/book/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "colophon-demo-editor")
    page.click("input[type=submit]")
    page.click("text=Import books from CSV")
    page.set_input_files(
        "#id_file",
        files=[{"name": "export.csv", "mimeType": "text/csv", "buffer": EXPORT.read_bytes()}],
    )
    page.check("text=Published: readers see them at once")
    screenshot("desk-import-upload")
    page.click("input[value='Check the file']")

    # The check waits for the worker; the page says so, with its progress bar.
    page.wait_for_url("**/admin/catalogue/book/import/*/")
    assert page.locator(".import-progress h2").inner_text().startswith("Checking the file")
    assert page.locator(".import-progress progress").is_visible()
    run_worker()
    # The page notices by itself that the check is done, and shows what would happen.
    page.wait_for_selector(".import-report")
    assert page.locator(".import-report h2").inner_text() == (
        "Dry run, nothing written: 4 rows read (Goodreads library export): 3 to create, "
        "0 to update, 0 unchanged, 1 to skip, 2 warnings"
    )
    assert page.locator(".import-rows tbody tr").first.inner_text().split("\t") == [
        "2",
        "to create",
        "The Hunger Games",
    ]
    assert not Book.objects.filter(title="The Hunger Games").exists()
    screenshot("desk-import-dry-run")

    page.click("text=Import these books")
    page.wait_for_selector(".import-progress")
    assert page.locator(".import-progress h2").inner_text() == "Importing"
    # Half-way through, as the worker reports after each batch: the bar follows without
    # a reload.
    job = ImportJob.objects.get()
    job.record_progress(2, 100, 200)
    ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.RUNNING)
    page.wait_for_selector("text=2 of 4 rows (50%)")
    assert page.locator(".import-progress progress").get_attribute("value") == "50"
    screenshot("desk-import-progress")
    ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.WAITING)
    run_worker()

    page.wait_for_selector(".import-created")
    assert (
        page.locator(".import-report h2")
        .inner_text()
        .startswith("4 rows read (Goodreads library export): 3 created,")
    )
    created = page.locator(".import-created tbody tr")
    assert created.count() == 3
    screenshot("desk-import-summary")
    page.locator(".import-created a", has_text="/books/the-hunger-games/").click()
    page.wait_for_url("**/books/the-hunger-games/")
    assert "The Hunger Games" in page.locator("h1").inner_text()
    assert problems == []
