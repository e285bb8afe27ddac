"""A row is read no further than a row can be: one line of millions of fields is refused
with its line number before it is split, so it cannot take the worker's memory."""

import tracemalloc
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalogue.importers import ImportFileError, import_books
from catalogue.importers.run import MAX_ROW_CHARS, MAX_ROW_COMMAS
from catalogue.models import Book, ImportJob
from tests.helpers import text_of

SAMPLE = Path(__file__).parent / "data" / "goodbooks_sample.csv"
HEADER, FIRST_ROW = SAMPLE.read_text(encoding="utf-8").splitlines()[:2]


def csv_file(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "books.csv"
    path.write_text("\n".join([HEADER, FIRST_ROW, *lines]) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("dry_run", [True, False])
def test_a_line_of_too_many_fields_is_refused_with_its_line_number(db, tmp_path, dry_run):
    path = csv_file(tmp_path, "," * (MAX_ROW_COMMAS + 1))
    with pytest.raises(ImportFileError) as refused:
        import_books(path, dry_run=dry_run)
    assert str(refused.value).startswith(
        f"Line 3 has more than {MAX_ROW_COMMAS:,} commas, far more fields than a book list has;"
    )


def test_a_line_just_within_the_bounds_is_an_ordinary_bad_row(db, tmp_path):
    report = import_books(csv_file(tmp_path, "," * MAX_ROW_COMMAS))
    assert report.created == 1
    assert [str(issue) for issue in report.issues] == [
        f"line 3: skipped: expected 23 fields, found {MAX_ROW_COMMAS + 1}"
    ]


def long_line(chars: int) -> str:
    """A line of `chars` characters (its line break included) in ten fields: each under
    the csv module's own limit for one cell."""
    cell = (chars - 10) // 10
    return ",".join(["x" * cell] * 9 + ["x" * (chars - 10 - 9 * cell)])


def test_a_line_longer_than_a_row_may_be_is_refused(db, tmp_path):
    path = csv_file(tmp_path, long_line(MAX_ROW_CHARS + 1))
    with pytest.raises(ImportFileError, match="^Line 3 is longer than a row may be"):
        import_books(path, dry_run=True)
    report = import_books(csv_file(tmp_path, long_line(MAX_ROW_CHARS)), dry_run=True)
    assert [str(issue) for issue in report.issues] == [
        "line 3: skipped: expected 23 fields, found 10"
    ]


def test_fields_spread_over_quoted_line_breaks_are_counted_too(db, tmp_path):
    path = csv_file(tmp_path, '"\n",' * (MAX_ROW_COMMAS + 1))
    with pytest.raises(ImportFileError, match="^The row of lines 3 to 10004 has more than"):
        import_books(path, dry_run=True)


def test_blank_lines_between_rows_count_for_no_row(db, tmp_path):
    report = import_books(csv_file(tmp_path, *[""] * (MAX_ROW_CHARS // 10), FIRST_ROW))
    assert report.rows == 2 and report.created == 1  # the second row repeats the first's id


def test_a_huge_line_is_refused_without_reading_it_whole(db, tmp_path):
    path = csv_file(tmp_path, "," * (8 * MAX_ROW_CHARS))  # 8 MB of empty fields
    tracemalloc.start()
    try:
        with pytest.raises(ImportFileError, match="^Line 3 "):
            import_books(path, dry_run=True)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * MAX_ROW_CHARS  # split whole, it took hundreds of MB


def test_the_desk_check_fails_with_the_line_number(admin_client):
    content = (HEADER + "\n" + FIRST_ROW + "\n" + "," * (MAX_ROW_COMMAS * 3) + "\n").encode()
    file = SimpleUploadedFile("books.csv", content, content_type="text/csv")
    page = admin_client.post(
        "/admin/catalogue/book/import/",
        {"file": file, "new_book_status": "published"},
        follow=True,
    )
    job = ImportJob.objects.get()
    assert (job.step, job.state, job.contents) == ("check", "failed", b"")
    assert text_of(page.content, ".import-failed .errornote") == [
        f"Line 3 has more than {MAX_ROW_COMMAS:,} commas, far more fields than a book list "
        "has; nothing would be imported until it is fixed."
    ]
    assert not Book.objects.exists()


@pytest.mark.parametrize("dry_run", [True, False])
def test_a_nul_past_the_files_first_bytes_is_refused_with_its_line_number(db, tmp_path, dry_run):
    """The first 64 KB are sniffed for NUL (a binary file); one further on reached the
    database's text columns (the report, the rejects) and failed the whole import."""
    filler = [FIRST_ROW.replace(FIRST_ROW.split(",")[0], str(n), 1) for n in range(2, 700)]
    damaged = FIRST_ROW[:-1] + "\x00" + FIRST_ROW[-1]
    path = csv_file(tmp_path, *filler, damaged)
    assert path.stat().st_size > 64 * 1024
    with pytest.raises(ImportFileError) as refused:
        import_books(path, dry_run=dry_run)
    assert str(refused.value).startswith(
        f"Line {3 + len(filler)} holds a NUL character: the file is damaged or not text"
    )
