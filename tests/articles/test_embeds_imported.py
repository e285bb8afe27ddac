"""A book an article names before it is in the catalogue shows on the article as soon as
an import brings it: from the command line or the desk's import job, with nothing else to
run (no `manage.py refresh_embeds`). Imports write books in bulk, without signals; the
articles are found at the end of the import by the references kept at save that found no
book (UnresolvedBookReference), a batch of books at a time, never by reading bodies."""

from pathlib import Path

import pytest

from articles.models import Article
from catalogue.importers import ImportFileError, import_books
from catalogue.models import Author, Book, ImportJob
from catalogue.tasks import run_import_job
from tests.factories import make_article, make_book

from .test_embeds_recovered import cards_on, waiting_for

pytestmark = [pytest.mark.django_db, pytest.mark.page_cache]

SAMPLE = Path(__file__).parents[1] / "catalogue" / "data" / "goodbooks_sample.csv"
HEADER, HUNGER_GAMES = SAMPLE.read_text(encoding="utf-8").splitlines()[:2]
# The first two rows' books, as an editor names them: The Hunger Games by its ISBN-10
# as printed on the book, Harry Potter by its ISBN-13.
BY_ISBN10 = "0-439-02348-3"
BY_ISBN13 = "9780439554930"


@pytest.fixture
def waiting_article(client, commits):
    """An article naming two books the catalogue lacks, and one it has; its page cached."""
    with commits():
        make_book(title="Already Here", slug="already-here")
        article = make_article(
            title="Books for the holidays",
            body=f"[[book:{BY_ISBN10}]]\n\n[[book:already-here]]\n\n[[book:{BY_ISBN13}]]\n",
        )
    assert cards_on(client, article) == ["Already Here"]
    assert client.get(article.get_absolute_url())["X-Page-Cache"] == "hit"
    assert waiting_for(article) == ["9780439023481", "9780439554930"]
    return article


def shows_the_imported_books(client, article) -> None:
    hunger_games = Book.objects.get(isbn13="9780439023481")
    harry_potter = Book.objects.get(isbn13="9780439554930")
    assert cards_on(client, article) == [
        hunger_games.title,
        "Already Here",
        harry_potter.title,
    ]
    embedded = set(Article.objects.get(pk=article.pk).embedded_books.all())
    assert {hunger_games, harry_potter} <= embedded
    assert waiting_for(article) == []
    # The books' own pages list the article about them.
    assert "Books for the holidays" in client.get(hunger_games.get_absolute_url()).content.decode()


def test_books_imported_from_the_command_line_show_on_the_article_naming_them(
    client, commits, waiting_article
):
    with commits():
        report = import_books(SAMPLE, batch_size=5)
    assert report.created == 16
    shows_the_imported_books(client, waiting_article)


def test_books_imported_in_the_desk_show_on_the_article_naming_them(
    client, commits, waiting_article
):
    job = ImportJob.objects.create(
        file_name="books.csv",
        contents=SAMPLE.read_bytes(),
        step=ImportJob.Step.IMPORT,
        state=ImportJob.State.WAITING,
    )
    with commits():
        run_import_job.call(job.pk)
    assert ImportJob.objects.get(pk=job.pk).state == ImportJob.State.DONE
    shows_the_imported_books(client, waiting_article)


def test_a_dry_run_fills_nothing(client, commits, waiting_article):
    with commits():
        import_books(SAMPLE, dry_run=True)
    assert cards_on(client, waiting_article) == ["Already Here"]
    assert waiting_for(waiting_article) == ["9780439023481", "9780439554930"]


def test_the_books_of_an_import_stopped_by_a_bad_row_show_too(
    client, commits, waiting_article, tmp_path
):
    # The second row holds a cell longer than a CSV cell may be: the import stops there,
    # the first row's book written and kept.
    too_long = '"' + "x" * 200_000 + '"'
    csv = tmp_path / "books.csv"
    csv.write_text(f"{HEADER}\n{HUNGER_GAMES}\n2,3,3,1,1,1,1,{too_long}\n", encoding="utf-8")
    with commits(), pytest.raises(ImportFileError, match="the rows before it were imported"):
        import_books(csv, batch_size=1)
    hunger_games = Book.objects.get(isbn13="9780439023481")
    assert cards_on(client, waiting_article) == [hunger_games.title, "Already Here"]
    assert waiting_for(waiting_article) == ["9780439554930"]


def test_finding_the_articles_reads_no_body_and_costs_the_same_for_few_or_many(
    commits, django_assert_max_num_queries
):
    """However many articles wait for the imported books, and however many wait for
    others, they are found by one look-up of the kept references per batch of books."""
    counts = []
    for many in (1, 8):
        Book.objects.all().delete()
        Author.objects.all().delete()  # the import makes the same ones each time
        with commits():
            for number in range(many):
                make_article(body=f"[[book:{BY_ISBN10}]]\n\n[[book:other-{many}-{number}]]\n")
            for number in range(3 * many):
                make_article(body=f"Elsewhere.\n\n[[book:elsewhere-{many}-{number}]]\n")
        with commits(), django_assert_max_num_queries(400) as captured:
            import_books(SAMPLE, batch_size=8)
        counts.append(len(captured))
        assert not [query for query in captured if '"articles_article"."body"' in query["sql"]]
        named = Article.objects.filter(embedded_books__isbn13="9780439023481")
        assert named.count() == many
        assert {tuple(waiting_for(article)) for article in named} == {
            (f"other-{many}-{number}",) for number in range(many)
        }
    assert counts[0] == counts[1]


def new_isbn(row: str) -> str:
    """The Hunger Games row with another edition's ISBN (ISBN-10 0316040002)."""
    return row.replace("9.78043902348e+12", "9.78031604000e+12").replace(
        ",439023483,", ",316040002,"
    )


def test_a_book_an_import_gives_another_isbn_still_shows_where_its_old_one_is_named(
    client, commits, tmp_path
):
    csv = tmp_path / "books.csv"
    csv.write_text(f"{HEADER}\n{HUNGER_GAMES}\n", encoding="utf-8")
    with commits():
        import_books(csv)
        article = make_article(body="[[book:9780439023481]]\n")
    book = Book.objects.get()
    csv.write_text(f"{HEADER}\n{new_isbn(HUNGER_GAMES)}\n", encoding="utf-8")
    with commits():
        assert import_books(csv).updated == 1
    assert Book.objects.get().isbn13 == "9780316040006"
    with commits():  # the article saved again: its body rendered anew
        Article.objects.get(pk=article.pk).save()
    assert cards_on(client, article) == [book.title]
    # And no other book may take the old ISBN.
    assert list(Book.old_isbns().values_list("isbn13", flat=True)) == ["9780439023481"]


def test_a_book_an_import_gives_the_isbn_an_article_names_shows_on_it(client, commits, tmp_path):
    csv = tmp_path / "books.csv"
    csv.write_text(f"{HEADER}\n{HUNGER_GAMES}\n", encoding="utf-8")
    with commits():
        import_books(csv)
        article = make_article(body="[[book:0-316-04000-2]]\n")
    assert cards_on(client, article) == []
    csv.write_text(f"{HEADER}\n{new_isbn(HUNGER_GAMES)}\n", encoding="utf-8")
    with commits():
        import_books(csv)
    assert cards_on(client, article) == [Book.objects.get().title]
