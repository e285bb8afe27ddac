"""A 60,000-row CSV imported through the desk, as an editor would: the upload must
answer at once and the work happen in the background worker (issue: long work held
the request until gunicorn killed it, at 31 s).

The file is the goodbooks-10k books.csv and five shifted copies of it (new Goodreads
ids, no ISBNs, "(copy n)" titles), 60,000 rows, about 20 MB.
"""

import csv
import io
import time
import tracemalloc

from catalogue_pages import BOOKS_CSV

COPIES = 6


def sixty_thousand_rows() -> bytes:
    with BOOKS_CSV.open(encoding="utf-8", newline="") as source:
        rows = list(csv.DictReader(source))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    for copy in range(COPIES):
        for row in rows:
            if copy:
                row = {
                    **row,
                    "goodreads_book_id": str(int(row["goodreads_book_id"]) + copy * 10**8),
                    "isbn": "",
                    "isbn13": "",
                    "title": f"{row['title']} (copy {copy})",
                    "original_title": f"{row['original_title']} (copy {copy})",
                }
            writer.writerow(row)
    return out.getvalue().encode()


def run_worker() -> None:
    """What `manage.py db_worker` does: every waiting task, then stop."""
    from django_tasks_db.management.commands.db_worker import Worker

    Worker(
        queue_names=["default"], interval=0, batch=True, backend_name="default",
        startup_delay=False, max_tasks=None, worker_id="bench", excluded_queue_names=[],
    ).run()  # fmt: skip


def bench_import_job() -> None:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test import Client

    from catalogue.models import ImportJob

    if not BOOKS_CSV.exists():
        print(f"import job: skipped, {BOOKS_CSV} not found")
        return
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.ALLOWED_HOSTS = ["testserver"]
    content = sixty_thousand_rows()
    user, _ = get_user_model().objects.get_or_create(
        username="bench-editor", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)

    upload = SimpleUploadedFile("sixty-thousand.csv", content, content_type="text/csv")
    start = time.perf_counter()
    response = client.post(
        "/admin/catalogue/book/import/", {"file": upload, "new_book_status": "published"}
    )
    answered = time.perf_counter() - start
    job = ImportJob.objects.latest("pk")

    start = time.perf_counter()
    run_worker()  # the dry run
    checked = time.perf_counter() - start
    client.post(job.get_absolute_url(), {"action": "confirm"})
    tracemalloc.start()
    start = time.perf_counter()
    run_worker()  # the import
    imported = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    job.refresh_from_db()
    report = job.report or {}
    print(
        f"import job, {len(content) / 2**20:.1f} MB, {COPIES * 10_000:,} rows "
        f"({connection.vendor}): upload answered {response.status_code} in {answered:.2f} s; "
        f"dry run {checked:.1f} s; import {imported:.1f} s "
        f"({COPIES * 10_000 / imported:,.0f} rows/s, peak traced memory {peak / 2**20:.0f} MiB, "
        f"traced so slower than untraced); state {job.state}, "
        f"{report.get('created', '?')} created"
    )
