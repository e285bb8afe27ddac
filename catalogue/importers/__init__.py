"""Book imports from CSV: the format is recognised by its header.

Streaming: rows are read one at a time and written in batches, each batch in its own
transaction, so memory does not grow with the file and a crash loses nothing already
committed. A file that is empty, binary or has an unknown header stops before anything
is written.
"""

import codecs
import csv
import io
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from django.db import connection

from catalogue.models import Author, Book, Contribution
from config.pagecache import SITE_TAG, bump

from . import goodbooks, goodreads
from .records import BookRecord, RowRejected
from .writer import BatchWriter

FORMATS: list[ModuleType] = [goodbooks, goodreads]
SNIFF_BYTES = 64 * 1024
DEFAULT_BATCH_SIZE = 500


class ImportFileError(Exception):
    """The file as a whole cannot be imported; nothing was written."""


@dataclass
class RowIssue:
    line: int
    kind: str  # "skipped" or "warning"
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.kind}: {self.message}"


@dataclass
class ImportReport:
    format_name: str = ""
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    issues: list[RowIssue] = field(default_factory=list)

    @property
    def warnings(self) -> list[RowIssue]:
        return [issue for issue in self.issues if issue.kind == "warning"]

    def summary(self) -> str:
        return (
            f"{self.rows} rows read ({self.format_name}): {self.created} created, "
            f"{self.updated} updated, {self.unchanged} unchanged, {self.skipped} skipped, "
            f"{len(self.warnings)} warnings"
        )


def _check_file(raw: io.BufferedReader) -> None:
    head = raw.read(SNIFF_BYTES)
    raw.seek(0)
    if not head.strip():
        raise ImportFileError("The file is empty: there is no header and no row to import.")
    if b"\x00" in head:
        raise ImportFileError("The file is binary, not CSV text (it contains NUL bytes).")
    try:
        codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
    except UnicodeDecodeError as error:
        raise ImportFileError(
            f"The file is not UTF-8 text (byte {error.start + 1} cannot be read). "
            "Save it as CSV in UTF-8 and try again."
        ) from None


def detect_format(header: list[str]) -> ModuleType:
    names = {name.strip() for name in header}
    for module in FORMATS:
        if names.issuperset(module.COLUMNS):
            return module
    expected = "; ".join(f"{m.NAME}: {', '.join(m.COLUMNS)}" for m in FORMATS)
    raise ImportFileError(
        f"The header is not one Colophon knows. It has: {', '.join(header) or 'nothing'}. "
        f"Expected the columns of one of these formats — {expected}."
    )


def _rows(reader: csv.DictReader, header: list[str]) -> Iterator[tuple[int, dict]]:
    """(first line of the record, row) for each record, blank lines skipped."""
    line = reader.line_num + 1
    for row in reader:
        yield line, row
        line = reader.line_num + 1


def _values(row: dict, header: list[str], *, pad: bool = True) -> list[str]:
    """The row's fields in file order, extra ones included (csv.DictReader keys them None)."""
    values = [row[name] for name in header if row.get(name) is not None or pad]
    return [value or "" for value in values] + list(row.get(None) or [])


def import_books(
    path: str | Path,
    *,
    rejects: str | Path | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Callable[[int, int, int], None] | None = None,
) -> ImportReport:
    """Import the CSV at `path`; rows that are not imported go to `rejects` as CSV.

    `progress(rows, bytes_read, total_bytes)` is called after each batch.
    """
    path = Path(path)
    total_bytes = path.stat().st_size
    report = ImportReport()
    with ExitStack() as open_files:
        raw = open_files.enter_context(path.open("rb"))
        _check_file(raw)
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        reader = csv.DictReader(text)
        header = [name.strip() for name in reader.fieldnames or []]
        reader.fieldnames = header  # "Title, Author" with spaces still names "Author"
        module = detect_format(header)
        report.format_name = module.NAME

        rejects_writer = None

        def reject(line: int, row: dict, reason: str) -> None:
            """Count and report the row, and copy it as it was to the rejects file."""
            nonlocal rejects_writer
            report.skipped += 1
            report.issues.append(RowIssue(line, "skipped", reason))
            if rejects is not None:
                if rejects_writer is None:
                    rejects_file = open_files.enter_context(
                        Path(rejects).open("w", encoding="utf-8", newline="")
                    )
                    rejects_writer = csv.writer(rejects_file)
                    rejects_writer.writerow(header)
                rejects_writer.writerow(_values(row, header))

        rows_by_line: dict[int, dict] = {}

        def count(attribute: str) -> Callable[[BookRecord], None]:
            def bump(record: BookRecord) -> None:
                setattr(report, attribute, getattr(report, attribute) + 1)

            return bump

        writer = BatchWriter(
            on_created=count("created"),
            on_updated=count("updated"),
            on_unchanged=count("unchanged"),
            on_rejected=lambda record, reason: reject(
                record.line, rows_by_line.get(record.line), reason
            ),
            on_warning=lambda record, message: report.issues.append(
                RowIssue(record.line, "warning", message)
            ),
        )

        def flush(batch: list[BookRecord]) -> None:
            if batch:
                writer.write(batch)
                batch.clear()
                rows_by_line.clear()
            if progress:
                progress(report.rows, raw.tell(), total_bytes)

        batch: list[BookRecord] = []
        try:
            for line, row in _rows(reader, header):
                report.rows += 1
                if None in row or None in row.values():
                    found = len(_values(row, header, pad=False))
                    reject(line, row, f"expected {len(header)} fields, found {found}")
                    continue
                try:
                    record = module.parse(row, line)
                except RowRejected as error:
                    reject(line, row, str(error))
                    continue
                report.issues.extend(RowIssue(line, "warning", w) for w in record.warnings)
                rows_by_line[line] = row
                batch.append(record)
                if len(batch) >= batch_size:
                    flush(batch)
            flush(batch)
        except UnicodeDecodeError as error:
            raise ImportFileError(
                f"The file stops being UTF-8 text after row {report.rows} "
                f"({error.reason}); the rows before it were imported."
            ) from None
        except csv.Error as error:
            raise ImportFileError(
                f"The CSV is malformed at line {reader.line_num}: {error}; "
                f"the rows before it were imported."
            ) from None
    report.issues.sort(key=lambda issue: issue.line)
    _refresh_statistics()
    if report.created or report.updated:
        bump(SITE_TAG)  # bulk writes send no signals: drop every cached page
    return report


def _refresh_statistics() -> None:
    """After a bulk load PostgreSQL plans with stale statistics (and skips the search
    indexes) until it analyses the tables; do it now rather than at autovacuum's leisure."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Book, Author, Contribution):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
