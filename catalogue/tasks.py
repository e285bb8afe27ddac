"""The catalogue's background work (django-tasks), run by `manage.py db_worker` and never
inside a request: the desk's imports, checked by a dry run and then imported, and the
cleaning and renditions of an uploaded cover."""

import logging
import tempfile
from collections.abc import Callable
from pathlib import Path

from django.db import transaction
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from .covers import (
    CoverNotCleaned,
    delete_cover_file_if_unused,
    delete_replaced_originals,
    is_held,
    make_renditions,
    store_clean_original,
)
from .importers import ImportFileError, import_books
from .models import Book, ImportJob

logger = logging.getLogger(__name__)


@task()
def run_import_job(job_id: int) -> None:
    """Run the job's waiting step: the dry run, or the import the editor confirmed."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or not job.start():
        return  # cancelled, or taken already: a task enqueued twice runs the step once
    dry_run = job.step == ImportJob.Step.CHECK
    with tempfile.TemporaryDirectory(prefix="colophon-import-") as folder:
        path, rejects = Path(folder) / "books.csv", Path(folder) / "rejects.csv"
        path.write_bytes(job.contents)
        try:
            report = import_books(
                path,
                rejects=rejects,
                progress=job.record_progress,
                dry_run=dry_run,
                new_book_status=job.new_book_status,
            )
        except ImportFileError as error:
            job.fail(str(error))
            return
        except BaseException as error:
            # The worker logs the traceback; the editor sees what happened.
            if isinstance(error, Exception):
                why = f"on an error ({type(error).__name__}: {error})"
            else:
                why = "because its worker was stopped"
            done = "Nothing was written." if dry_run else "The batches before it were imported."
            job.fail(f"It stopped {why}. {done}")
            raise
        rejected_rows = rejects.read_text(encoding="utf-8") if rejects.exists() else ""
    job.finish(
        report=report.as_dict(),
        created_book_ids=report.created_book_ids,
        rejected_rows=rejected_rows,
    )
    logger.info("Import job %s (%s): %s", job.pk, job.file_name, report.summary())


def enqueue_import_job(job: ImportJob) -> None:
    """Queue the job's waiting step for the worker, and remember the task's id."""
    result = run_import_job.enqueue(job.pk)
    ImportJob.objects.filter(pk=job.pk).update(task_id=str(result.id))


@task()
def make_cover_renditions(book_id: int, uploaded: str = "", replaced: str = "") -> None:
    """Make a book's new cover fit to serve: its upload (`uploaded`, held privately: see
    covers.hold_upload) stored again without its metadata, its web sizes, and the files of
    the covers it replaced deleted (seconds and about 100 MB for the largest image). Until
    then pages show the previous cover, and if this fails they go on showing it while the
    upload stays held and the book's form says why (`cover_failure`)."""
    # An upload replaced or cleared before this ran is used by no book: nothing to clean;
    # the cover it replaced (stored before originals were cleaned) goes too.
    delete_cover_file_if_unused(Book, uploaded)
    delete_cover_file_if_unused(Book, replaced)
    book = Book.objects.filter(pk=book_id).first()
    if book is not None:
        store_clean_original(book)
        make_renditions(book)
        delete_replaced_originals(book)


def make_cover_renditions_after_commit(
    book: Book, replaced: str = "", *, on_failure: Callable[[str], None] | None = None
) -> None:
    """Queue the worker's `make_cover_renditions` once the save commits. Where tasks run at
    once (DEBUG), a failure is known at once: `on_failure` gets why, to tell the editor."""
    uploaded = book.cover.name or ""

    def enqueue() -> None:
        result = make_cover_renditions.enqueue(book.pk, uploaded, replaced)
        if on_failure and result.status == TaskResultStatus.FAILED and result.errors:
            on_failure(_why(result.errors[-1].traceback))

    transaction.on_commit(enqueue)


def cover_failure(book: Book) -> str:
    """Why the worker could not clean the book's held upload, for its form; "" while it
    waits (or where tasks run at once and keep no results: see
    `make_cover_renditions_after_commit`)."""
    if not is_held(book.cover.name):
        return ""
    failed = (
        DBTaskResult.objects.failed()
        .filter(task_path=make_cover_renditions.module_path, args_kwargs__args__1=book.cover.name)
        .order_by("-enqueued_at")
        .first()
    )
    return _why(failed.traceback) if failed else ""


def _why(traceback: str) -> str:
    # A traceback's last line is the error: "shared.pictures.NotCleaned: the ...", or
    # "catalogue.covers.CoverNotCleaned: …" in results stored before it moved there.
    lines = [line.strip() for line in traceback.splitlines() if line.strip()]
    kind, _, message = (lines[-1] if lines else "").partition(": ")
    if kind in (
        f"{CoverNotCleaned.__module__}.{CoverNotCleaned.__qualname__}",
        "catalogue.covers.CoverNotCleaned",
    ):
        return message
    error = f"{kind.rsplit('.', 1)[-1]}: {message}" if message else kind.rsplit(".", 1)[-1]
    return f"the worker stopped on an error ({error or 'unknown'})"


@task()
def refresh_also_liked_task(book_id: int) -> None:
    """What the readers who liked the book also liked (catalogue.related), after its
    ratings changed."""
    from .related import refresh_queued

    refresh_queued(book_id)
