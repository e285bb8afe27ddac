"""The catalogue's background work (django-tasks), run by `manage.py db_worker` and never
inside a request: the desk's imports, checked by a dry run and then imported, and the
renditions of an uploaded cover."""

import logging
import tempfile
from pathlib import Path

from django.db import transaction
from django_tasks import task

from .covers import (
    delete_cover_file_if_unused,
    delete_replaced_originals,
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
    """Make a book's new cover fit to serve: its upload (`uploaded`) stored again without
    its metadata, its web sizes, and the files of the covers it replaced deleted (seconds
    and about 100 MB for the largest image). Until then, pages show the upload itself."""
    # An upload replaced or cleared before this ran is used by no book: nothing to clean;
    # the cover it replaced (stored before originals were cleaned) goes too.
    delete_cover_file_if_unused(Book, uploaded)
    delete_cover_file_if_unused(Book, replaced)
    book = Book.objects.filter(pk=book_id).first()
    if book is not None:
        store_clean_original(book)
        make_renditions(book)
        delete_replaced_originals(book)


def make_cover_renditions_after_commit(book: Book, replaced: str = "") -> None:
    uploaded = book.cover.name or ""
    transaction.on_commit(lambda: make_cover_renditions.enqueue(book.pk, uploaded, replaced))


@task()
def refresh_also_liked_task(book_id: int) -> None:
    """What the readers who liked the book also liked (catalogue.related), after its
    ratings changed."""
    from .related import refresh_queued

    refresh_queued(book_id)
