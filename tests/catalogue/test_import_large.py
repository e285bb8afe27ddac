"""A 60,000-row CSV through the desk: the upload answers with the work only queued,
and the worker finishes it with its report (it used to run inside the request until
gunicorn killed the worker at 30 s, half committed, with no report)."""

import csv
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalogue.models import Book, ImportJob
from tests.helpers import run_worker

pytestmark = pytest.mark.django_db(transaction=True)  # the worker commits as it goes
SAMPLE = Path(__file__).parent / "data" / "goodbooks_sample.csv"
ROWS = 60_000


def sixty_thousand_rows() -> bytes:
    """The sample's rows again and again, each copy with its own Goodreads ids."""
    with SAMPLE.open(encoding="utf-8", newline="") as source:
        rows = list(csv.DictReader(source))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    for number in range(ROWS):
        row = rows[number % len(rows)]
        copy = number // len(rows)
        writer.writerow(
            {
                **row,
                "goodreads_book_id": str(int(row["goodreads_book_id"]) + copy * 10**7),
                "isbn": "",
                "isbn13": "",
                "title": f"{row['title']} {copy}",
                "original_title": f"{row['original_title']} {copy}",
            }
        )
    return out.getvalue().encode()


def test_sixty_thousand_rows_answer_at_once_and_finish_in_the_background(admin_client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    upload = SimpleUploadedFile("big.csv", sixty_thousand_rows(), content_type="text/csv")
    response = admin_client.post(
        "/admin/catalogue/book/import/", {"file": upload, "new_book_status": "published"}
    )
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.WAITING  # queued, not run in the request
    assert not Book.objects.exists()

    run_worker()  # the dry run
    job.refresh_from_db()
    assert job.report["created"] == ROWS and not Book.objects.exists()
    admin_client.post(job.get_absolute_url(), {"action": "confirm"})
    run_worker()  # the import
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE
    assert job.report["created"] == ROWS
    assert Book.objects.count() == ROWS
    assert f"{ROWS} rows read" in admin_client.get(job.get_absolute_url()).content.decode()
