"""Book imports from CSV: the format is recognised by its header.

Streaming: rows are read one at a time and written in batches, each batch in its own
transaction, so memory does not grow with the file and a crash loses nothing already
committed. A file that is empty, binary or has an unknown header stops before anything
is written. A dry run goes through the same reading, checks and matching, and writes
nothing: its report says what the import would do.

The parts: formats.py (what every source shares) with one small subclass per source
(goodbooks.py, goodreads.py) turns rows into records.py's BookRecords; run.py's ImportRun
reads the file and fills report.py's ImportReport; writer.py plans and writes each batch;
cells.py keeps the rejects file safe to open in a spreadsheet.
"""

from pathlib import Path

from catalogue.models import Book

from .report import BookChange, ImportReport, RowIssue
from .run import SNIFF_BYTES, ImportFileError, ImportRun, Progress, recognise_source

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "BookChange",
    "ImportFileError",
    "ImportReport",
    "RowIssue",
    "SNIFF_BYTES",
    "import_books",
    "recognise_source",
]

DEFAULT_BATCH_SIZE = 500


def import_books(
    path: str | Path,
    *,
    rejects: str | Path | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
    dry_run: bool = False,
    new_book_status: str = Book.Status.PUBLISHED,
) -> ImportReport:
    """Import the CSV at `path`; rows that are not imported go to `rejects` as CSV.

    `progress(rows, bytes_read, total_bytes)` is called after each batch. A dry run
    writes nothing and reports what the import would do; books the import creates get
    `new_book_status` (published, or draft to hold them back for review).
    """
    run = ImportRun(
        path,
        rejects=rejects,
        batch_size=batch_size,
        progress=progress,
        dry_run=dry_run,
        new_book_status=new_book_status,
    )
    return run.run()
