"""Book imports from CSV: the format is recognised by its header.

Streaming: rows are read one at a time and written in batches, each batch in its own
transaction, so memory does not grow with the file and a crash loses nothing already
committed. A file that is empty, binary or has an unknown header stops before anything
is written.

The parts: formats.py (what every source shares) with one small subclass per source
(goodbooks.py, goodreads.py) turns rows into records.py's BookRecords; run.py's ImportRun
reads the file and fills report.py's ImportReport; writer.py writes each batch.
"""

from pathlib import Path

from .report import ImportReport, RowIssue
from .run import ImportFileError, ImportRun, Progress

__all__ = ["DEFAULT_BATCH_SIZE", "ImportFileError", "ImportReport", "RowIssue", "import_books"]

DEFAULT_BATCH_SIZE = 500


def import_books(
    path: str | Path,
    *,
    rejects: str | Path | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
) -> ImportReport:
    """Import the CSV at `path`; rows that are not imported go to `rejects` as CSV.

    `progress(rows, bytes_read, total_bytes)` is called after each batch.
    """
    run = ImportRun(path, rejects=rejects, batch_size=batch_size, progress=progress)
    return run.run()
