"""Whole files: the Goodreads export, and files that must be refused whole."""

import csv
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from catalogue.importers import ImportFileError, import_books
from catalogue.models import Author, Book
from tests.helpers import form_values, text_of

DATA = Path(__file__).parent / "data"


def test_goodreads_export_is_recognised_and_imported(db):
    report = import_books(DATA / "goodreads_export.csv")
    assert report.format_name == "Goodreads library export"
    assert (report.created, report.skipped) == (3, 1)
    hunger_games = Book.objects.get(goodreads_id=2767052)
    assert (hunger_games.title, hunger_games.series) == ("The Hunger Games", "The Hunger Games")
    assert (hunger_games.isbn13, hunger_games.publisher, hunger_games.print_length) == (
        "9780439023481", "Scholastic Press", 374,
    )  # fmt: skip
    odyssey = Book.objects.get(goodreads_id=1381)
    assert odyssey.publication_label == "720 BC"
    assert [c.author.name for c in odyssey.credits] == ["Homer", "Robert Fagles"]


def test_goodreads_export_bad_values_are_reported_not_stored(db):
    report = import_books(DATA / "goodreads_export.csv")
    bad = Book.objects.get(goodreads_id=9999901)
    assert bad.isbn13 == "" and bad.print_length is None
    messages = [str(issue) for issue in report.issues]
    assert any("line 4: warning:" in m and "wrong check digit" in m for m in messages)
    assert any("line 4: warning:" in m and "Number of Pages “many”" in m for m in messages)
    assert any(m.startswith("line 5: skipped: the row has no title") for m in messages)


def test_the_goodbooks_and_goodreads_files_meet_on_the_goodreads_id(db):
    import_books(DATA / "goodbooks_sample.csv")
    report = import_books(DATA / "goodreads_export.csv")
    assert report.created == 1  # only the made-up row; the others are known books
    assert Book.objects.filter(goodreads_id=2767052).count() == 1


def test_rejected_rows_are_written_out_to_be_fixed_and_imported_again(db, tmp_path):
    rejects = tmp_path / "rejects.csv"
    import_books(DATA / "goodreads_export.csv", rejects=rejects)
    lines = rejects.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("Book Id,Title,Author")
    assert len(lines) == 2 and lines[1].startswith("9999902,,Nobody")
    fixed = tmp_path / "fixed.csv"
    fixed.write_text(lines[0] + "\n" + lines[1].replace("9999902,,", "9999902,Found,") + "\n")
    assert import_books(fixed).created == 1


def test_a_row_with_the_wrong_number_of_fields_is_skipped_with_its_line(db, tmp_path):
    header = (DATA / "goodbooks_sample.csv").read_text(encoding="utf-8").splitlines()[:2]
    path = tmp_path / "short.csv"
    path.write_text(header[0] + "\n" + header[1] + "\n1,2,3\n", encoding="utf-8")
    report = import_books(path)
    assert report.created == 1
    assert [str(issue) for issue in report.issues if issue.kind == "skipped"] == [
        "line 3: skipped: expected 23 fields, found 3"
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (b"title,author\nDune,Frank Herbert\n", "header is not one Colophon knows"),
        ("book_id,title\n".encode("utf-16"), "binary"),
        (b"book_id,title\n\xff\xfe caf\xe9\n", "not UTF-8"),
    ],
    ids=["empty", "binary", "wrong header", "utf-16", "latin-1"],
)
def test_a_malformed_file_stops_with_a_clear_message_and_changes_nothing(
    db, tmp_path, content, message
):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(ImportFileError, match=message):
        import_books(path)
    with pytest.raises(CommandError, match=message):
        call_command("import_books", str(path))
    assert Book.objects.count() == Author.objects.count() == 0


def test_a_missing_file_is_a_clear_command_error(db, tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_books", str(tmp_path / "nope.csv"))


def test_a_crash_keeps_the_batches_already_committed(db, monkeypatch):
    from catalogue.importers import writer

    calls = {"n": 0}
    original = writer.BatchWriter.write

    def failing_second_batch(self, records):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("power cut")
        return original(self, records)

    monkeypatch.setattr(writer.BatchWriter, "write", failing_second_batch)
    with pytest.raises(RuntimeError):
        import_books(DATA / "goodbooks_sample.csv", batch_size=5)
    assert Book.objects.count() == 5
    assert all(book.contributions.exists() for book in Book.objects.all())


def test_reimport_keeps_an_editors_roles_and_values_the_source_lacks(db):
    import_books(DATA / "goodbooks_sample.csv")
    potter = Book.objects.get(goodreads_id=3)
    potter.contributions.filter(author__name="Mary GrandPré").update(role="illustrator")
    import_books(DATA / "goodbooks_sample.csv")
    import_books(DATA / "goodreads_export.csv")  # no language, no cover URL in this format
    assert potter.contributions.get(author__name="Mary GrandPré").role == "illustrator"
    hunger_games = Book.objects.get(goodreads_id=2767052)
    assert hunger_games.language == "en" and hunger_games.cover_url.startswith("https://")
    assert hunger_games.publisher == "Scholastic Press"  # what the export adds is kept


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("authors", "A" * 300, "the limit is 255"),
        ("goodreads_book_id", "9" * 25, "not a whole number from 0 to"),
        ("goodreads_book_id", "1e9999999", "not a whole number from 0 to"),
    ],
)
def test_absurd_cells_skip_the_row_with_a_reason(db, tmp_path, field, value, reason):
    lines = (DATA / "goodbooks_sample.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    row = next(csv.reader([lines[1]]))
    row[header.index(field)] = value
    path = tmp_path / "absurd.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([header, row])
    report = import_books(path)
    assert report.skipped == 1 and reason in report.issues[0].message


def test_control_characters_are_removed_from_cells_with_a_warning(db, tmp_path):
    lines = (DATA / "goodbooks_sample.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    row = next(csv.reader([lines[1]]))
    row[header.index("original_title")] = "The Hunger\x07 Games"
    row[header.index("title")] = "The Hunger\x07 Games (The Hunger Games, #1)"
    path = tmp_path / "bell.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([header, row])
    report = import_books(path)
    assert report.created == 1
    assert "\x07" not in Book.objects.get().title
    assert "invisible control characters removed" in report.issues[0].message


def test_a_huge_year_is_refused_quickly_not_expanded(db, tmp_path):
    lines = (DATA / "goodbooks_sample.csv").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "year.csv"
    path.write_text(lines[0] + "\n" + lines[1].replace(",2008.0,", ",1e9999999,") + "\n")
    report = import_books(path)
    assert report.created == 1
    assert "publication year “1e9999999” is not a year" in report.issues[0].message


def test_a_header_with_spaces_after_the_commas_is_understood(db, tmp_path):
    text = (DATA / "goodreads_export.csv").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "spaced.csv"
    path.write_text("\n".join([text[0].replace(",", ", "), *text[1:3]]) + "\n")
    assert import_books(path).created == 2


# --- From the desk ----------------------------------------------------------------------


@pytest.fixture
def desk(admin_client):
    # The import's background tasks run at once (tests/conftest.py;
    # tests/catalogue/test_import_dry_run.py covers the dry run, progress and job pages).
    return admin_client


def upload(client, name: str, content: bytes):
    """Upload, and confirm the dry run when there is one: the import's summary page."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    file = SimpleUploadedFile(name, content, content_type="text/csv")
    checked = client.post(
        "/admin/catalogue/book/import/", {"file": file, "new_book_status": "published"}
    )
    if checked.status_code != 302:
        return checked
    return client.post(checked["Location"], {"action": "confirm"}, follow=True)


def test_editors_import_a_file_from_the_book_list_and_see_what_happened(desk):
    page = desk.get("/admin/catalogue/book/").content.decode()
    assert 'href="/admin/catalogue/book/import/"' in page
    response = upload(desk, "export.csv", (DATA / "goodreads_export.csv").read_bytes())
    assert response.status_code == 200
    assert text_of(response.content, "h1") == ["Import of export.csv"]
    assert text_of(response.content, ".import-report h2") == [
        "4 rows read (Goodreads library export): 3 created, 0 updated, 0 unchanged, "
        "1 skipped, 2 warnings"
    ]
    assert Book.objects.filter(title__startswith="The Hunger Games").exists()
    again = upload(desk, "export.csv", (DATA / "goodreads_export.csv").read_bytes())
    assert ": 0 created, 0 updated, 3 unchanged," in text_of(again.content, ".import-report h2")[0]


def test_the_desk_shows_skipped_rows_with_their_line_and_gives_them_back(desk):
    header = (DATA / "goodbooks_sample.csv").read_text(encoding="utf-8").splitlines()[0]
    broken = f"{header}\nnot,enough,fields\n".encode()
    response = upload(desk, "broken.csv", broken)
    cells = text_of(response.content, ".import-report tbody td")
    assert cells[:2] == ["2", "skipped"] and cells[2].startswith("expected 23 fields, found 3")
    assert "not,enough,fields" in text_of(response.content, "textarea#rejects")[0]


def test_a_file_that_is_not_a_book_list_is_refused_with_a_reason(desk):
    response = upload(desk, "cover.png", b"\x89PNG\r\n\x1a\n" + bytes(200))
    assert response.status_code == 200
    errors = text_of(response.content, ".errorlist li")
    assert errors and "import-report" not in response.content.decode()
    assert Book.objects.count() == 0


def test_only_editors_who_may_add_books_may_import(client, django_user_model):
    reader = django_user_model.objects.create_user(
        "staff", password="pw-long-enough-1", is_staff=True
    )
    client.force_login(reader)
    response = upload(client, "export.csv", (DATA / "goodreads_export.csv").read_bytes())
    assert response.status_code == 403
    assert Book.objects.count() == 0


def test_a_reimport_never_undoes_what_an_editor_changed_in_the_desk(desk):
    export = (DATA / "goodreads_export.csv").read_bytes()
    upload(desk, "export.csv", export)
    book = Book.objects.get(title__startswith="The Hunger Games")
    url = f"/admin/catalogue/book/{book.pk}/change/"
    form = form_values(desk.get(url))
    form.update(title="The Hunger Games (corrected)", publisher="")
    saved = desk.post(url, form)
    assert saved.status_code == 302, text_of(saved.content, ".errorlist li")

    upload(desk, "export.csv", export)
    book.refresh_from_db()
    assert book.title == "The Hunger Games (corrected)"  # the editor's word stands
    assert book.publisher == "Scholastic Press"  # a blank they left is filled


def test_a_reimport_that_changes_a_book_makes_a_new_version(db, tmp_path):
    """An editor who had the book open is then told of it, not written over."""
    import_books(DATA / "goodbooks_sample.csv")
    book = Book.objects.order_by("pk").first()
    before = book.version
    Book.objects.filter(pk=book.pk).update(source_ratings_5=0)  # the source's count moved on
    import_books(DATA / "goodbooks_sample.csv")
    book.refresh_from_db()
    assert book.source_ratings_5 > 0 and book.version == before + 1


def test_a_skipped_row_names_every_problem_it_has_at_once(db, tmp_path):
    """The editor fixes the row in one pass, not one problem per import."""
    header = (DATA / "goodbooks_sample.csv").read_text(encoding="utf-8").splitlines()[0]
    columns = header.split(",")
    row = dict.fromkeys(columns, "")
    row.update(goodreads_book_id="abc", authors="Someone", original_publication_year="someday",
               language_code="xx-bad")  # fmt: skip
    path = tmp_path / "bad.csv"
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=columns)
        writer.writeheader()
        writer.writerow(row)
    report = import_books(path)
    (message,) = [str(issue) for issue in report.issues]
    assert message.startswith("line 2: skipped: the row has no title; ")
    for problem in ("“abc” is not a number", "“xx-bad” is not an ISO 639 code", "“someday”"):
        assert problem in message
    assert not Book.objects.exists()
