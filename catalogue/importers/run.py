"""One import of one CSV file, from its first byte to its report (or, in a dry run, to
the report of what it would do, having written nothing)."""

import codecs
import csv
import io
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from functools import cached_property
from pathlib import Path

from django.db import connection

from catalogue.models import Author, Book, Contribution
from desk.text import without_control_characters
from pagecache.tags import SITE
from pagecache.versions import invalidate

from .cells import escape_formula, unescape_formula
from .formats import SourceFormat
from .goodbooks import GoodbooksFormat
from .goodreads import GoodreadsExportFormat
from .records import BookRecord, RowRejected
from .report import BookChange, ImportReport
from .writer import BatchWriter

SOURCE_FORMATS: list[SourceFormat] = [GoodbooksFormat(), GoodreadsExportFormat()]
SNIFF_BYTES = 64 * 1024

# progress(rows, bytes_read, total_bytes), called after each batch.
Progress = Callable[[int, int, int], None]


class ImportFileError(Exception):
    """The file as a whole cannot be imported; nothing was written."""


class ImportRun:
    """Reads the file's rows, writes them in batches and fills its report as it goes.

    Rows that are not imported are copied, as they were, to the rejects file when one is
    given. The run is also what the BatchWriter tells what became of each record.

    A dry run reads, parses and plans every batch as the import does, and writes no
    book, author or credit and drops no cached page.
    """

    # Known once run() has opened the file and read its header.
    file: io.BufferedReader
    total_bytes: int
    reader: csv.DictReader
    source: SourceFormat

    def __init__(
        self,
        path: str | Path,
        *,
        rejects: str | Path | None,
        batch_size: int,
        progress: Progress | None,
        dry_run: bool = False,
        new_book_status: str = Book.Status.PUBLISHED,
    ) -> None:
        self.path = Path(path)
        self.rejects_path = Path(rejects) if rejects is not None else None
        self.batch_size = batch_size
        self.progress = progress
        self.dry_run = dry_run
        self.report = ImportReport(dry_run=dry_run)
        self.writer = BatchWriter(outcomes=self, dry_run=dry_run, new_book_status=new_book_status)
        self.open_files = ExitStack()  # the CSV, and the rejects file once a row is rejected
        self.header: list[str] = []
        self.batch: list[BookRecord] = []
        self.rows_in_batch: dict[int, dict] = {}  # line -> row, to copy one the writer rejects

    def run(self) -> ImportReport:
        """Import every row, then finish; ImportFileError when the file cannot be read."""
        self.total_bytes = self.path.stat().st_size
        with self.open_files:
            self.file = self.open_files.enter_context(self.path.open("rb"))
            check_file(self.file)
            self.read_header()
            try:
                for line, row in self.read_rows():
                    self.add_row(line, row)
                self.flush()
            except UnicodeDecodeError as error:
                raise ImportFileError(
                    f"The file stops being UTF-8 text after row {self.report.rows} "
                    f"({error.reason}); {self.rows_before}"
                ) from None
            except csv.Error as error:
                raise ImportFileError(
                    f"The CSV is malformed at line {self.reader.line_num}: {error}; "
                    f"{self.rows_before}"
                ) from None
        self.finish()
        return self.report

    @property
    def rows_before(self) -> str:
        if self.dry_run:
            return "nothing would be imported until it is fixed."
        return "the rows before it were imported."

    def read_header(self) -> None:
        """Read the header and recognise the source by it."""
        self.reader = csv.DictReader(io.TextIOWrapper(self.file, encoding="utf-8-sig", newline=""))
        self.header = [name.strip() for name in self.reader.fieldnames or []]
        self.reader.fieldnames = self.header  # "Title, Author" with spaces still names "Author"
        self.source = detect_format(self.header)
        self.report.format_name = self.source.name

    def read_rows(self) -> Iterator[tuple[int, dict]]:
        """(first line of the record, row) for each record, blank lines skipped."""
        line = self.reader.line_num + 1
        for row in self.reader:
            yield line, row
            line = self.reader.line_num + 1

    def add_row(self, line: int, row: dict) -> None:
        """Parse the row into the batch, or reject it; write the batch once it is full."""
        self.report.rows += 1
        if None in row or None in row.values():
            found = len(fields_as_read(row, self.header, pad=False))
            self.reject(line, row, f"expected {len(self.header)} fields, found {found}")
            return
        row = {name: unescape_formula(value) for name, value in row.items()}
        cleaned = {name: without_control_characters(value) for name, value in row.items()}
        if cleaned != row:
            changed = ", ".join(name for name in row if cleaned[name] != row[name])
            self.report.warn(line, f"invisible control characters removed from {changed}")
            row = cleaned
        try:
            record = self.source.parse(row, line)
        except RowRejected as error:
            self.reject(line, row, str(error))
            return
        for warning in record.warnings:
            self.report.warn(line, warning)
        self.rows_in_batch[line] = row
        self.batch.append(record)
        if len(self.batch) >= self.batch_size:
            self.flush()

    def reject(self, line: int, row: dict, reason: str) -> None:
        """Count and report the row, and copy it as it was to the rejects file, where
        no cell can run as a spreadsheet formula."""
        self.report.skip(line, reason)
        if self.rejects_path is not None:
            fields = fields_as_read(row, self.header)
            self._rejects_csv.writerow([escape_formula(value) for value in fields])

    @cached_property
    def _rejects_csv(self):
        """Created at the first rejected row, so an import that rejects none leaves no file."""
        file = self.open_files.enter_context(
            self.rejects_path.open("w", encoding="utf-8", newline="")
        )
        rejects_csv = csv.writer(file)
        rejects_csv.writerow(self.header)
        return rejects_csv

    def flush(self) -> None:
        """Write the batch (one transaction) and tell how far into the file the run is."""
        if self.batch:
            written_before = self.report.created + self.report.updated
            self.writer.write(self.batch)
            self.batch.clear()
            self.rows_in_batch.clear()
            if not self.dry_run and self.report.created + self.report.updated > written_before:
                # Bulk writes send no signals: drop every cached page after each committed
                # batch, so an import stopped halfway leaves no page hiding its books.
                invalidate(SITE)
        if self.progress:
            self.progress(self.report.rows, self.file.tell(), self.total_bytes)

    def finish(self) -> None:
        """Issues and changes in line order; database statistics and cached pages
        brought up to date."""
        self.report.issues.sort(key=lambda issue: issue.line)
        self.report.changes.sort(key=lambda change: change.line)
        if self.dry_run:
            return
        _refresh_statistics()

    # What the BatchWriter tells of each record (writer.BatchOutcomes).

    def book_created(self, record: BookRecord, book: Book | None) -> None:
        self.report.created += 1
        book_id = book.pk if book is not None else None
        self.report.changes.append(BookChange(record.line, "created", record.title, book_id))

    def book_updated(self, record: BookRecord, book: Book, fields: list[str]) -> None:
        self.report.updated += 1
        change = BookChange(record.line, "updated", book.title, book.pk, fields)
        self.report.changes.append(change)

    def book_unchanged(self, record: BookRecord) -> None:
        self.report.unchanged += 1

    def row_rejected(self, record: BookRecord, reason: str) -> None:
        self.reject(record.line, self.rows_in_batch[record.line], reason)

    def row_warned(self, record: BookRecord, message: str) -> None:
        self.report.warn(record.line, message)


def recognise_source(head: bytes) -> SourceFormat:
    """The source whose CSV starts with `head` (the file's first SNIFF_BYTES), or
    ImportFileError saying why the file cannot be imported: a quick look, before an
    upload is kept."""
    check_head(head)
    text = codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
    header = next(csv.reader(io.StringIO(text, newline="")), [])
    return detect_format([name.strip() for name in header])


def check_file(file: io.BufferedReader) -> None:
    """Refuse a file that is empty, binary or not UTF-8 before anything is written."""
    head = file.read(SNIFF_BYTES)
    file.seek(0)
    check_head(head)


def check_head(head: bytes) -> None:
    if not head.strip():
        raise ImportFileError("The file is empty: there is no header and no row to import.")
    if b"\x00" in head:
        raise ImportFileError("The file is binary, not CSV text (it contains NUL bytes).")
    try:
        # A sequence cut short at the end of the head is complete in the rest of the file.
        codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=len(head) < SNIFF_BYTES)
    except UnicodeDecodeError as error:
        raise ImportFileError(
            f"The file is not UTF-8 text (byte {error.start + 1} cannot be read). "
            "Save it as CSV in UTF-8 and try again."
        ) from None


def detect_format(header: list[str]) -> SourceFormat:
    names = {name.strip() for name in header}
    for source in SOURCE_FORMATS:
        if names.issuperset(source.required_columns):
            return source
    expected = "; ".join(
        f"{source.name}: {', '.join(source.required_columns)}" for source in SOURCE_FORMATS
    )
    raise ImportFileError(
        f"The header is not one Colophon knows. It has: {', '.join(header) or 'nothing'}. "
        f"Expected the columns of one of these formats — {expected}."
    )


def fields_as_read(row: dict, header: list[str], *, pad: bool = True) -> list[str]:
    """The row's fields in file order, extra ones included (csv.DictReader keys them None)."""
    values = [row[name] for name in header if row.get(name) is not None or pad]
    return [value or "" for value in values] + list(row.get(None) or [])


def _refresh_statistics() -> None:
    """After a bulk load PostgreSQL plans with stale statistics (and skips the search
    indexes) until it analyses the tables; do it now rather than at autovacuum's leisure."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Book, Author, Contribution):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
