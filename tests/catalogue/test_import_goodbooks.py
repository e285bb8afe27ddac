"""goodbooks-10k rows copied from the real books.csv, one per kind of dirt."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from catalogue.importers import import_books
from catalogue.models import Book

SAMPLE = Path(__file__).parent / "data" / "goodbooks_sample.csv"


@pytest.fixture
def report(db):
    return import_books(SAMPLE)


def book(goodreads_id: int) -> Book:
    return Book.objects.for_cards().get(goodreads_id=goodreads_id)


def warnings_for(report, line: int) -> list[str]:
    return [issue.message for issue in report.issues if issue.line == line]


def test_every_row_becomes_a_book(report):
    assert (report.rows, report.created, report.skipped) == (16, 16, 0)
    assert Book.objects.count() == 16


def test_isbn10_that_lost_its_leading_zeros_is_the_truth(report):
    assert book(11735983).isbn13 == "9780007442911"  # isbn "7442912" is 0007442912


def test_isbn10_ending_in_x_is_recovered(report):
    assert book(5).isbn13 == "9780439655484"  # 043965548X


def test_a_float_isbn13_that_one_isbn_fits_is_recovered(report):
    # isbn "140169300" is invalid even padded; 9.7801401693e+12 fits only 9780140169300.
    assert book(292408).isbn13 == "9780140169300"


def test_a_float_that_two_isbns_fit_stores_none_and_says_so(report):
    assert book(7603).isbn13 == ""  # Reading Lolita in Tehran, line 12
    assert any("fits both" in warning for warning in warnings_for(report, 12))


def test_an_ean_that_is_not_an_isbn_is_not_stored(report):
    assert book(17314430).isbn13 == ""  # 2.94001623192e+12, line 13
    assert any("no valid ISBN" in warning for warning in warnings_for(report, 13))


def test_a_row_without_isbn_is_imported_with_a_warning(report):
    assert book(9418327).title == "Bossypants"
    assert warnings_for(report, 9) == ["the row has no ISBN"]


def test_two_rows_with_one_isbn_are_two_books_and_one_keeps_it(report):
    first, second = book(8962), book(8965)
    assert first.isbn13 == "9780316905718" and second.isbn13 == ""
    assert any("already carried by line 16" in w for w in warnings_for(report, 17))


def test_no_stored_isbn_fails_its_check_digit(report):
    from stdnum import isbn

    stored = Book.objects.exclude(isbn13="").values_list("isbn13", flat=True)
    assert all(isbn.is_valid(value) for value in stored)


def test_series_is_taken_out_of_the_title(report):
    hunger_games = book(2767052)
    assert hunger_games.title == "The Hunger Games"
    assert (hunger_games.series, hunger_games.series_number) == ("The Hunger Games", Decimal(1))
    assert hunger_games.series_label == "The Hunger Games #1"


def test_years_before_the_common_era_are_shown_bc(report, client):
    iliad = book(1371)
    assert iliad.publication_year == -750
    assert "750 BC" in client.get(iliad.get_absolute_url()).content.decode()


def test_language_codes_are_normalised_or_left_blank(report):
    assert book(2767052).language == "en"
    assert book(16031620).language == "ar"
    assert book(4214).language == ""  # empty in the source


def test_arabic_titles_keep_their_script(report):
    arabic = book(16031620)
    assert arabic.title == "الفيل الأزرق"
    assert arabic.slug == "الفيل-الأزرق"


def test_first_name_is_the_author_and_the_rest_contributors(report):
    credits = [(c.author.name, c.role) for c in book(3).credits]
    assert credits == [("J.K. Rowling", "author"), ("Mary GrandPré", "contributor")]


def test_nophoto_cover_urls_are_not_stored(report):
    assert book(930).cover_url == ""  # Memoirs of a Geisha has the nophoto placeholder
    assert book(2767052).cover_url.startswith("https://images.gr-assets.com/")


def test_per_star_counts_become_the_published_histogram(report):
    hunger_games = book(2767052)
    assert hunger_games.source_histogram == [66715, 127936, 560092, 1481305, 2706317]
    assert hunger_games.rating_source == "Goodreads"
    assert str(hunger_games.rating_average) == "4.3"


def test_second_import_creates_nothing(report):
    again = import_books(SAMPLE)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 16)
    assert Book.objects.count() == 16


def test_second_import_updates_what_changed_in_the_source(report, tmp_path):
    changed = tmp_path / "changed.csv"
    changed.write_text(
        SAMPLE.read_text(encoding="utf-8").replace("Bossypants,Bossypants", "Bossypants,Bossy"),
        encoding="utf-8",
    )
    again = import_books(changed)
    assert (again.created, again.updated) == (0, 1)
    assert book(9418327).title == "Bossy"


def test_small_batches_give_the_same_result(db):
    report = import_books(SAMPLE, batch_size=3)
    assert report.created == 16
    # 16 rows less Bossypants (no ISBN), three floats that two ISBNs fit (one is the
    # Arabic row's), an EAN, and the second of two rows sharing an ISBN.
    assert Book.objects.exclude(isbn13="").count() == 10
    assert Book.objects.get(goodreads_id=8962).isbn13 == "9780316905718"


def test_command_prints_each_warning_with_its_line_and_a_summary(db, capsys):
    call_command("import_books", str(SAMPLE))
    out = capsys.readouterr().out
    assert "line 9: warning: the row has no ISBN" in out
    assert "16 rows read (goodbooks-10k): 16 created, 0 updated, 0 unchanged, 0 skipped" in out
