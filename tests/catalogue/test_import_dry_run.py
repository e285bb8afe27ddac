"""Imports you can check first: a dry run that writes and sends nothing, then the import
the editor confirms, both as background tasks, with progress and a summary in the desk."""

import csv
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from catalogue.admin import importing
from catalogue.importers import import_books
from catalogue.importers.cells import escape_formula, looks_like_formula, unescape_formula
from catalogue.merging import merge_books
from catalogue.models import Author, Book, Contribution, ImportJob
from pagecache.versions import change_count
from tests.factories import make_book
from tests.helpers import text_of

DATA = Path(__file__).parent / "data"
SAMPLE = DATA / "goodbooks_sample.csv"
EXPORT = DATA / "goodreads_export.csv"
IMPORT_URL = "/admin/catalogue/book/import/"


def catalogue_counts() -> tuple[int, int, int]:
    return Book.objects.count(), Author.objects.count(), Contribution.objects.count()


def changed_copy(tmp_path: Path) -> Path:
    """The sample with the first book's title and rating figures changed at the source."""
    rows = list(csv.DictReader(SAMPLE.open(encoding="utf-8")))
    rows[0]["title"] = "The Hunger Games, Revised"
    rows[0]["ratings_5"] = "3000000"
    path = tmp_path / "changed.csv"
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


# --- The dry run -------------------------------------------------------------------------


def test_a_dry_run_writes_nothing_and_drops_no_cached_page(db, django_capture_on_commit_callbacks):
    before_counts, before_changes = catalogue_counts(), change_count()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report = import_books(SAMPLE, dry_run=True)
    assert report.created == 16
    assert catalogue_counts() == before_counts == (0, 0, 0)
    assert callbacks == [] and change_count() == before_changes
    # The same file imported for real does write, and drop every cached page.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        import_books(SAMPLE)
    assert Book.objects.count() == 16 and callbacks and change_count() != before_changes


def test_a_dry_run_over_a_catalogue_changes_none_of_it(db, tmp_path):
    import_books(SAMPLE)
    titles = sorted(Book.objects.values_list("title", "source_ratings_5", "updated_at"))
    counts = catalogue_counts()
    report = import_books(changed_copy(tmp_path), dry_run=True)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 15)
    assert str(report.changes[0]) == (
        "line 2: updated: The Hunger Games, Revised (title, published ratings)"
    )
    assert sorted(Book.objects.values_list("title", "source_ratings_5", "updated_at")) == titles
    assert catalogue_counts() == counts


def test_a_dry_run_says_what_the_import_then_does(db, tmp_path):
    make_book(title="An editor's Odyssey", isbn13="9780143039952")  # matched by its ISBN
    dry = import_books(EXPORT, dry_run=True)
    real = import_books(EXPORT)
    assert dry.summary().startswith("Dry run, nothing written: 4 rows read")
    assert (dry.created, dry.updated, dry.unchanged, dry.skipped, dry.warned) == (
        real.created, real.updated, real.unchanged, real.skipped, real.warned,
    ) == (2, 1, 0, 1, 2)  # fmt: skip
    assert [str(row) for row in dry.rows_of()] == [str(row) for row in real.rows_of()]
    assert [(c.line, c.kind, c.book_id) for c in dry.changes] == [
        (2, "created", None), (3, "updated", Book.objects.get(goodreads_id=1381).pk),
        (4, "created", None),
    ]  # fmt: skip


def test_a_dry_run_knows_merged_books_stay_merged(db):
    import_books(SAMPLE)
    kept, duplicate = Book.objects.get(goodreads_id=2767052), Book.objects.get(goodreads_id=3)
    merge_books(kept, [duplicate])
    report = import_books(SAMPLE, dry_run=True)
    assert (report.created, report.updated) == (0, 0)


def test_a_file_with_a_goodreads_id_twice_imports_its_first_row(db, tmp_path):
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "twice.csv"
    path.write_text("\n".join([lines[0], lines[1], lines[1].replace("1,", "99,", 1)]) + "\n")
    for dry_run in (True, False):
        report = import_books(path, dry_run=dry_run)
        assert (report.created, report.skipped) == (1, 1)
        assert [str(issue) for issue in report.issues if issue.kind == "skipped"] == [
            "line 3: skipped: Goodreads id 2767052 is already on line 2"
        ]


def test_a_skipped_row_creates_no_author(db, tmp_path):
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    # A cover address too long for the field: the row fails validation in the writer.
    long_cover = "https://images.gr-assets.com/" + "x" * 600 + ".jpg"
    row = lines[1].replace(lines[1].split(",")[-2], long_cover)
    path = tmp_path / "bad.csv"
    path.write_text(f"{lines[0]}\n{row}\n", encoding="utf-8")
    report = import_books(path)
    assert report.skipped == 1 and "cover_url" in report.issues[-1].message
    assert catalogue_counts() == (0, 0, 0)


def test_new_books_can_be_held_as_drafts(db):
    make_book(title="Already here", goodreads_id=2767052)
    import_books(SAMPLE, new_book_status=Book.Status.DRAFT)
    assert Book.objects.get(goodreads_id=2767052).status == Book.Status.PUBLISHED
    assert set(Book.objects.exclude(goodreads_id=2767052).values_list("status", flat=True)) == {
        Book.Status.DRAFT
    }


def test_the_command_checks_first_and_holds_drafts(db, capsys):
    call_command("import_books", str(SAMPLE), "--dry-run", "-v2")
    out = capsys.readouterr().out
    assert "line 2: created: The Hunger Games" in out
    assert "Dry run, nothing written: 16 rows read (goodbooks-10k): 16 to create" in out
    assert Book.objects.count() == 0
    call_command("import_books", str(SAMPLE), "--drafts", "-v0")
    assert Book.objects.filter(status=Book.Status.DRAFT).count() == 16


# --- Rejected rows are safe to open in a spreadsheet -----------------------------------


@pytest.mark.parametrize("cell", ['=HYPERLINK("http://x")', "+1", "-750.0", "@SUM(A1)", "\tx"])
def test_formulas_are_escaped_and_read_back(cell):
    assert escape_formula(cell) == "'" + cell
    assert unescape_formula(escape_formula(cell)) == cell
    assert escape_formula("The Odyssey") == "The Odyssey"


def test_the_rejects_file_runs_no_formula_and_imports_again_once_fixed(db, tmp_path):
    header = EXPORT.read_text(encoding="utf-8").splitlines()[0]
    row = '=1+1,,=cmd|"/c calc"!A1,,,"=""0439023483""",,,,,,,,-720'
    path, rejects = tmp_path / "in.csv", tmp_path / "rejects.csv"
    path.write_text(f"{header}\n{row}{',' * 10}\n", encoding="utf-8")
    report = import_books(path, rejects=rejects)
    assert report.skipped == 1  # "=1+1" is no Goodreads id
    written = list(csv.reader(rejects.open(encoding="utf-8")))[1]
    assert written[:6] == ["'=1+1", "", '\'=cmd|"/c calc"!A1', "", "", '\'="0439023483"']
    assert written[13] == "'-720"
    # Fixed in a spreadsheet (the id typed in), the row imports with its ISBN and year.
    written[0], written[1] = "777", "A Fixed Row"
    fixed = tmp_path / "fixed.csv"
    with fixed.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file).writerows([header.split(","), written])
    assert import_books(fixed).created == 1
    book = Book.objects.get(goodreads_id=777)
    assert (book.isbn13, book.publication_year) == ("9780439023481", -720)


@pytest.mark.parametrize(
    ("text", "formula"),
    [
        ('=HYPERLINK("http://evil.example","Click")', True),
        ("=1+1", True),
        ("+cmd|' /C calc'!A0", True),
        ("@SUM(1+1)", True),
        ("-2+3", True),
        ("@Home", False),
        ("-ism: A History", False),
        ("+1", False),
        ("The Odyssey", False),
    ],
)
def test_a_cell_that_a_spreadsheet_would_run_is_told_apart(text, formula):
    assert looks_like_formula(text) is formula


def export_with_formulas() -> bytes:
    """The Goodreads export, its first book's title and author made spreadsheet formulas."""
    rows = list(csv.reader(io.StringIO(EXPORT.read_text(encoding="utf-8"))))
    rows[1][1], rows[1][2] = '=HYPERLINK("http://evil.example","Click")', "@SUM(1+1)"
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


# --- In the desk -------------------------------------------------------------------------


@pytest.fixture
def desk(admin_client):
    return admin_client


def upload(client, content: bytes, *, name: str = "books.csv", status: str = "published"):
    file = SimpleUploadedFile(name, content, content_type="text/csv")
    return client.post(IMPORT_URL, {"file": file, "new_book_status": status}, follow=True)


def confirm(client, job: ImportJob):
    return client.post(job.get_absolute_url(), {"action": "confirm"}, follow=True)


def test_an_upload_is_checked_first_and_nothing_is_written(
    desk, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        page = upload(desk, EXPORT.read_bytes(), name="export.csv")
    job = ImportJob.objects.get()
    assert page.redirect_chain == [(job.get_absolute_url(), 302)]
    assert (job.step, job.state, job.file_name) == ("check", "done", "export.csv")
    assert catalogue_counts() == (0, 0, 0) and callbacks == []
    assert text_of(page.content, ".import-report h2") == [
        "Dry run, nothing written: 4 rows read (Goodreads library export): 3 to create, "
        "0 to update, 0 unchanged, 1 to skip, 2 warnings"
    ]
    assert text_of(page.content, ".import-rows tbody tr", " ") == [
        "2 to create The Hunger Games",
        "3 to create The Odyssey",
        "4 to create A Book With Bad Numbers",
        "4 warning “0439023484” has a wrong check digit: check the ISBN for a typo. Not stored.",
        "4 warning Number of Pages “many” is not a number; left blank",
        "5 to skip the row has no title (also: the row has no ISBN)",
    ]
    assert text_of(page.content, ".import-confirm button") == [
        "Import these books",
        "Cancel, and delete the file",
    ]


def test_the_report_lists_each_kind_of_row_apart(desk):
    job_page = upload(desk, EXPORT.read_bytes())
    url = ImportJob.objects.get().get_absolute_url()
    assert text_of(job_page.content, ".import-kinds a") == [
        "All", "3 to create", "0 to update", "1 to skip", "2 warnings",
    ]  # fmt: skip
    warnings = desk.get(url, {"show": "warning"})
    rows = text_of(warnings.content, ".import-rows tbody tr", " ")
    assert [row.split(" ")[:2] for row in rows] == [["4", "warning"], ["4", "warning"]]
    nonsense = desk.get(url, {"show": "nonsense"})
    assert len(text_of(nonsense.content, ".import-rows tbody tr")) == 6


def test_confirming_imports_and_links_every_book_created(desk):
    upload(desk, EXPORT.read_bytes())
    job = ImportJob.objects.get()
    page = confirm(desk, job)
    job.refresh_from_db()
    assert (job.step, job.state, job.contents) == ("import", "done", b"")  # the file is gone
    assert text_of(page.content, ".import-report h2") == [
        "4 rows read (Goodreads library export): 3 created, 0 updated, 0 unchanged, "
        "1 skipped, 2 warnings"
    ]
    created = Book.objects.order_by("pk")
    assert sorted(job.created_book_ids) == [book.pk for book in created]
    links = [a["href"] for a in soup(page).select(".import-created a")]
    for book in created:
        assert f"/admin/catalogue/book/{book.pk}/change/" in links
        assert book.get_absolute_url() in links
    # A second click on the same confirm imports nothing more.
    again = confirm(desk, job)
    assert again.status_code == 200 and Book.objects.count() == 3


def test_new_books_are_held_as_drafts_when_the_editor_says_so(desk):
    page = upload(desk, EXPORT.read_bytes(), status="draft")
    assert "New books: held as drafts." in text_of(page.content, ".import-meta")[0]
    page = confirm(desk, ImportJob.objects.get())
    assert set(Book.objects.values_list("status", flat=True)) == {Book.Status.DRAFT}
    # Drafts have no page on the site yet: the summary links them in the desk only.
    assert [a["href"] for a in soup(page).select(".import-created a")] == [
        f"/admin/catalogue/book/{pk}/change/" for pk in ImportJob.objects.get().created_book_ids
    ]


def test_many_books_created_are_listed_page_by_page(desk, monkeypatch):
    monkeypatch.setattr(importing, "BOOKS_PER_PAGE", 5)
    upload(desk, SAMPLE.read_bytes())
    job = ImportJob.objects.get()
    confirm(desk, job)
    job.refresh_from_db()
    seen = []
    for number in (1, 2, 3, 4):
        page = desk.get(job.get_absolute_url(), {"page": number})
        seen += [a["href"] for a in soup(page).select(".import-created td:first-child a")]
    assert seen == [f"/admin/catalogue/book/{pk}/change/" for pk in job.created_book_ids]
    assert "Page 4 of 4" in text_of(page.content, ".import-pages")[0]


def test_the_summary_costs_the_same_queries_however_many_books(desk, django_assert_num_queries):
    upload(desk, SAMPLE.read_bytes())
    big = ImportJob.objects.get()
    confirm(desk, big)
    upload(desk, EXPORT.read_bytes())
    small = ImportJob.objects.filter(step="check").get()
    confirm(desk, small)
    desk.get(small.get_absolute_url())  # the session is warm
    # Session and user, the job, the page of books.
    for job in (big, small):
        with django_assert_num_queries(4):
            desk.get(job.get_absolute_url())


def test_a_waiting_job_shows_a_progress_bar_and_its_progress_as_json(
    desk, settings, django_assert_num_queries
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    page = upload(desk, SAMPLE.read_bytes())
    job = ImportJob.objects.get()
    assert job.state == "waiting" and Book.objects.count() == 0
    box = soup(page).select_one("[data-import-progress]")
    assert box.select_one("progress")["value"] == "0"
    assert box.select_one("a.import-reload")["href"] == job.get_absolute_url()
    assert "background worker" in box.text
    assert 'src="/static/desk/import_progress.js"' in page.content.decode()
    with django_assert_num_queries(3):  # the session, the user, the job
        progress = desk.get(box["data-import-progress"]).json()
    assert progress == {
        "step": "check",
        "state": "waiting",
        "finished": False,
        "percent": 0,
        "text": "Waiting for the background worker to start it.",
    }
    ImportJob.objects.filter(pk=job.pk).update(state="running")
    job.record_progress(8, 3000, 6000)
    assert desk.get(box["data-import-progress"]).json()["text"] == "8 rows read (50%)"


def test_the_import_counts_rows_up_to_what_the_check_found(desk, settings):
    upload(desk, SAMPLE.read_bytes())
    job = ImportJob.objects.get()
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    confirm(desk, job)
    job.refresh_from_db()
    job.record_progress(4, 100, 6000)
    progress = desk.get(f"{job.get_absolute_url()}progress/").json()
    assert (progress["state"], progress["percent"]) == ("waiting", 25)
    job.refresh_from_db()
    assert job.progress_text() == "Waiting for the background worker to start it."
    job.state = "running"
    assert job.progress_text() == "4 of 16 rows (25%)"


def test_a_file_that_is_no_book_list_is_refused_at_once_and_not_kept(desk):
    header = EXPORT.read_text(encoding="utf-8").splitlines()[0]
    for content, reason in [
        (b"\x89PNG\r\n\x1a\n" + bytes(200), "The file is binary, not CSV text"),
        (b"", "The submitted file is empty."),
        (b"name,colour\nrose,red\n", "The header is not one Colophon knows."),
        (f"{header}\n".encode() + "caf\xe9".encode("latin-1"), "The file is not UTF-8 text"),
    ]:
        page = upload(desk, content)
        assert page.redirect_chain == []
        assert text_of(page.content, ".errorlist li")[0].startswith(reason)
    assert not ImportJob.objects.exists()


def test_a_file_that_breaks_further_on_fails_with_its_reason(desk):
    padding = b"0," * 40_000  # past the look the upload takes at the file's start
    page = upload(desk, SAMPLE.read_bytes() + padding + b"\n\xff\xfe\n")
    job = ImportJob.objects.get()
    assert (job.state, job.contents) == ("failed", b"")
    assert text_of(page.content, ".import-failed .errornote") == [
        "The file stops being UTF-8 text after row 16 (invalid start byte); nothing would "
        "be imported until it is fixed."
    ]


def test_a_crash_in_the_task_is_shown_on_the_job_page_not_a_500(desk, monkeypatch):
    upload(desk, EXPORT.read_bytes())

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("catalogue.tasks.import_books", broken)
    page = confirm(desk, ImportJob.objects.get())
    assert page.status_code == 200
    assert text_of(page.content, ".import-failed .errornote") == [
        "It stopped on an error (RuntimeError: the database went away). "
        "The batches before it were imported."
    ]


def test_cancelling_a_checked_import_deletes_it(desk):
    upload(desk, EXPORT.read_bytes())
    job = ImportJob.objects.get()
    page = desk.post(job.get_absolute_url(), {"action": "cancel"}, follow=True)
    assert page.redirect_chain == [(IMPORT_URL, 302)]
    assert "was cancelled; nothing was written" in text_of(page.content, ".messagelist")[0]
    assert not ImportJob.objects.exists() and Book.objects.count() == 0


def test_skipped_rows_download_as_csv_with_formulas_escaped(desk):
    header = EXPORT.read_text(encoding="utf-8").splitlines()[0]
    upload(desk, f"{header}\n=1+1,x{',' * 22}\n".encode())
    job = ImportJob.objects.get()
    response = desk.get(f"{job.get_absolute_url()}rejects.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="books-skipped-rows.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][:2] == ["'=1+1", "x"]


def test_recent_imports_are_listed_on_the_upload_page(desk):
    upload(desk, EXPORT.read_bytes(), name="export.csv")
    page = desk.get(IMPORT_URL)
    assert text_of(page.content, ".import-jobs tbody tr", " ") == [
        f"export.csv admin {ImportJob.objects.get().created_at:%-d %b %Y %H:%M} "
        "Check (dry run): done"
    ]


def test_only_editors_who_may_add_books_may_import(desk, client, django_user_model):
    upload(desk, EXPORT.read_bytes())
    job = ImportJob.objects.get()
    staff = django_user_model.objects.create_user("staff", password="pw-long-1", is_staff=True)
    client.force_login(staff)
    for url in (IMPORT_URL, job.get_absolute_url(), f"{job.get_absolute_url()}progress/",
                f"{job.get_absolute_url()}rejects.csv"):  # fmt: skip
        assert client.get(url).status_code == 403
    assert client.post(job.get_absolute_url(), {"action": "confirm"}).status_code == 403
    assert upload(client, EXPORT.read_bytes()).status_code == 403
    assert Book.objects.count() == 0 and ImportJob.objects.get().step == "check"


def soup(response):
    from bs4 import BeautifulSoup

    return BeautifulSoup(response.content, "html.parser")


def test_a_title_like_a_formula_is_warned_about_and_imported_as_text(desk, client):
    formula_title = '=HYPERLINK("http://evil.example","Click")'
    warnings = [
        f"2 warning the title “{formula_title}” starts like a spreadsheet formula; imported "
        "as text, check the source",
        "2 warning the author “@SUM(1+1)” starts like a spreadsheet formula; imported as "
        "text, check the source",
    ]
    checked = upload(desk, export_with_formulas())
    assert text_of(checked.content, ".import-rows tbody tr", " ")[1:3] == warnings
    imported = confirm(desk, ImportJob.objects.get())
    assert text_of(imported.content, ".import-rows tbody tr", " ")[1:3] == warnings
    book = Book.objects.get(goodreads_id=2767052)
    assert (book.title, book.credits[0].author.name) == (formula_title, "@SUM(1+1)")
    page = client.get(book.get_absolute_url())
    assert text_of(page.content, "h1") == [formula_title]
    assert b'<a href="http://evil.example"' not in page.content
