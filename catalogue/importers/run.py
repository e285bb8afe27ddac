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
from catalogue.signals import books_imported
from pagecache.tags import SITE
from pagecache.versions import invalidate
from shared.text import without_control_characters

from .cells import escape_formula, unescape_formula
from .formats import SourceFormat
from .goodbooks import GoodbooksFormat
from .goodreads import GoodreadsExportFormat
from .records import BookRecord, RowRejected
from .report import BookChange, ImportReport
from .writer import BatchWriter

SOURCE_FORMATS: list[SourceFormat] = [GoodbooksFormat(), GoodreadsExportFormat()]
SNIFF_BYTES = 64 * 1024
# What one row (a record, with the line breaks inside its quoted cells) may hold, checked
# as its lines are read and before the csv module splits it: one line of 20 million
# commas made 20 million strings, a gigabyte, before the row could be refused. A
# goodbooks row is about 500 characters; a long review in a Goodreads export, a few
# thousand (a cell holds at most csv.field_size_limit(), 131,072).
MAX_ROW_CHARS = 1_000_000
# Commas in one row, quoted or not, so at most this many + 1 fields: the formats have
# about 25 columns, and prose has far fewer commas than this in a cell's worth of text.
MAX_ROW_COMMAS = 10_000

# progress(rows, bytes_read, total_bytes), called after each batch.
Progress = Callable[[int, int, int], None]


class ImportFileError(Exception):
    """The file as a whole cannot be imported; nothing was written."""


class RowRefused(Exception):
    """A row no book list has (BoundedLines): too long, or holding a NUL; the file is
    refused, naming the line."""

    def __init__(self, first_line: int, line: int, why: str) -> None:
        self.first_line, self.line, self.why = first_line, line, why
        super().__init__(why)

    def __str__(self) -> str:
        where = f"line {self.line}"
        if self.first_line != self.line:
            where = f"the row of lines {self.first_line} to {self.line}"
        return f"{where[0].upper()}{where[1:]} {self.why}"


class BoundedLines:
    """The file's lines for the csv reader, each row's read no further than its bounds
    (MAX_ROW_CHARS, MAX_ROW_COMMAS): memory stays small whatever one line holds.

    The reader pulls lines until a row is complete; `next_row()` starts the count again.
    Lines that are only a line break are not counted: between rows they are skipped, and
    inside a quoted cell the csv module's own cell limit bounds them.
    """

    def __init__(self, text: io.TextIOBase) -> None:
        self.text = text
        self.lines = 0  # read so far, as csv.reader.line_num counts them
        self.next_row()

    def next_row(self) -> None:
        self.row_chars = self.row_commas = 0
        self.row_first_line = self.lines + 1

    def __iter__(self) -> "BoundedLines":
        return self

    def __next__(self) -> str:
        line = self.text.readline(MAX_ROW_CHARS - self.row_chars + 1)
        if not line:
            raise StopIteration
        self.lines += 1
        if line in ("\n", "\r\n", "\r"):
            if not self.row_chars:
                self.row_first_line = self.lines + 1
            return line
        if "\x00" in line:
            # Past the first bytes (recognise_source): a damaged file, whose NUL no
            # database text column, report or rejects file could hold.
            why = "holds a NUL character: the file is damaged or not text"
            raise RowRefused(self.row_first_line, self.lines, why)
        self.row_chars += len(line)
        self.row_commas += line.count(",")
        if self.row_chars > MAX_ROW_CHARS:
            why = f"is longer than a row may be ({MAX_ROW_CHARS:,} characters)"
            raise RowRefused(self.row_first_line, self.lines, why)
        if self.row_commas > MAX_ROW_COMMAS:
            why = f"has more than {MAX_ROW_COMMAS:,} commas, far more fields than a book list has"
            raise RowRefused(self.row_first_line, self.lines, why)
        return line


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
        """Import every row, then finish; ImportFileError when the file cannot be read
        (the books of the rows before it are told of as at the end: they stay)."""
        try:
            self.read_and_write()
        except ImportFileError:
            self.tell_books_written()
            raise
        self.finish()
        return self.report

    def read_and_write(self) -> None:
        self.total_bytes = self.path.stat().st_size
        with self.open_files:
            self.file = self.open_files.enter_context(self.path.open("rb"))
            check_file(self.file)
            try:
                self.read_header()
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
            except RowRefused as error:
                raise ImportFileError(f"{error}; {self.rows_before}") from None

    @property
    def rows_before(self) -> str:
        if self.dry_run:
            return "nothing would be imported until it is fixed."
        return "the rows before it were imported."

    def read_header(self) -> None:
        """Read the header and recognise the source by it."""
        text = io.TextIOWrapper(self.file, encoding="utf-8-sig", newline="")
        self.lines = BoundedLines(text)
        self.reader = csv.DictReader(self.lines)
        self.header = [name.strip() for name in self.reader.fieldnames or []]
        self.reader.fieldnames = self.header  # "Title, Author" with spaces still names "Author"
        self.source = detect_format(self.header)
        self.report.format_name = self.source.name

    def read_rows(self) -> Iterator[tuple[int, dict]]:
        """(first line of the record, row) for each record, blank lines skipped."""
        self.lines.next_row()
        line = self.reader.line_num + 1
        for row in self.reader:
            self.lines.next_row()
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
        self.tell_books_written()

    def tell_books_written(self) -> None:
        """The books written, committed batch by batch, told of once (books_imported): the
        receivers look them up in one pass rather than a save's work for each."""
        book_ids = [change.book_id for change in self.report.changes if change.book_id]
        if book_ids and not self.dry_run:
            books_imported.send(sender=Book, book_ids=book_ids)

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
