"""/search/: books by title, author and ISBN; articles by title and body. Runs on SQLite
and PostgreSQL (CI runs the suite on both); typos on both (issue 25: see also
test_search_relevance.py)."""

from pathlib import Path

import pytest
from django.db import connection

from catalogue.fulltext import BOOK_INDEX
from catalogue.importers import import_books
from catalogue.merging import merge_books
from catalogue.models import Author, Book, Contribution
from tests.factories import make_article, make_author, make_book
from tests.helpers import text_of

SAMPLE = Path(__file__).parent / "data" / "goodbooks_sample.csv"


@pytest.fixture
def library(db):
    king = make_author(name="Stephen King")
    orange = make_author(name="Tommy Orange")
    peele = make_author(name="Jordan Peele")
    books = {
        "it": make_book(title="It", authors=[king], source_ratings_5=100),
        "shining": make_book(title="The Shining", authors=[king], source_ratings_4=50),
        "there": make_book(title="There There", authors=[orange], isbn13="9780525520375"),
        "us": make_book(title="Us", authors=[peele]),
        "then": make_book(title="And Then There Were None", source_ratings_5=400),
        "little": make_book(title="Little Women", source_ratings_5=300),
        "arabic": make_book(title="الفيل الأزرق", authors=[make_author(name="أحمد مراد")]),
        "potter": make_book(title="Harry Potter and the Sorcerer's Stone",
                            isbn13="9780439554930", source_ratings_5=1000),
    }  # fmt: skip
    return books


def search(client, query: str) -> tuple[list[str], list[str]]:
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    html = response.content
    return text_of(html, ".book-card__title"), text_of(html, ".teaser__title")


@pytest.mark.parametrize(
    ("query", "first"),
    [("It", "It"), ("Us", "Us"), ("There There", "There There"), ("the shining", "The Shining")],
)
def test_titles_made_of_common_words_are_found_first(client, library, query, first):
    books, _ = search(client, query)
    assert books[0] == first


def test_arabic_titles_are_found(client, library):
    assert search(client, "الفيل")[0] == ["الفيل الأزرق"]
    assert search(client, "أحمد مراد")[0] == ["الفيل الأزرق"]


def test_books_are_found_by_author(client, library):
    books, _ = search(client, "Stephen King")
    assert set(books[:2]) == {"It", "The Shining"}


@pytest.mark.parametrize(
    "query", ["9780439554930", "978-0-439-55493-0", "0439554934", "0-439-55493-4"]
)
def test_books_are_found_by_isbn_in_any_form(client, library, query):
    assert search(client, query)[0] == ["Harry Potter and the Sorcerer's Stone"]


def test_a_typo_still_finds_the_book(client, library):
    assert search(client, "Hary Poter")[0][0] == "Harry Potter and the Sorcerer's Stone"


def test_articles_are_found_by_title_and_body(client, library):
    make_article(title="Reading Stephen King at night", body="Fear, done well.")
    make_article(title="On translation", body="The Elbe river and its bridges at Torgau.")
    make_article(title="A draft about Torgau", body="Torgau", status="draft")
    assert search(client, "Torgau")[1] == ["On translation"]
    assert search(client, "Stephen King")[1] == ["Reading Stephen King at night"]


def test_an_empty_or_blank_query_shows_the_search_page(client, library):
    response = client.get("/search/", {"q": "   "})
    assert response.status_code == 200
    assert text_of(response.content, ".book-card") == []
    assert "Search books by title" in response.content.decode()


def test_nothing_found_says_so(client, library):
    books, articles = search(client, "zzyzx quux")
    assert books == [] and articles == []


def test_search_runs_a_fixed_number_of_queries(client, library, django_assert_max_num_queries):
    for number in range(15):
        make_book(
            title=f"The Shining Path {number}", authors=[make_author(name=f"Writer {number}")]
        )
    client.get("/search/", {"q": "Little Women"})  # the cards' shops: read once, then cached
    with django_assert_max_num_queries(50) as few:
        client.get("/search/", {"q": "Little Women"})
    with django_assert_max_num_queries(50) as many:
        client.get("/search/", {"q": "shining"})
    assert len(few) == len(many)


# --- One stored search document per book ------------------------------------------------


@pytest.fixture
def shelf(db):
    collins = make_author(name="Suzanne Collins")
    books = {
        "hunger": make_book(title="The Hunger Games", authors=[collins], source_ratings_5=900,
                            isbn13="9780439023481"),
        "mockingjay": make_book(title="Mockingjay", authors=[collins], series="The Hunger Games"),
        "cien": make_book(title="Cien años de soledad",
                          authors=[make_author(name="Gabriel García Márquez")]),
        "wuthering": make_book(title="Wuthering Heights",
                               authors=[make_author(name="Emily Brontë")]),
        "hungry": make_book(title="The Very Hungry Caterpillar", source_ratings_5=2000),
        "dune": make_book(title="Dune"),
        "messiah": make_book(title="Dune Messiah", source_ratings_5=5000),
        "children": make_book(title="Children of Dune", source_ratings_5=5000),
    }  # fmt: skip
    return books


def test_an_authors_surname_and_a_word_of_the_title_find_the_book(client, shelf):
    assert search(client, "collins hunger")[0][0] == "The Hunger Games"
    assert search(client, "Collins mockingjay")[0] == ["Mockingjay"]


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("marquez", "Cien años de soledad"),
        ("garcia marquez", "Cien años de soledad"),
        ("anos de soledad", "Cien años de soledad"),
        ("bronte", "Wuthering Heights"),
        ("Emily Bronte wuthering", "Wuthering Heights"),
        ("emily bronté", "Wuthering Heights"),  # the wrong accent
        ("CIEN AÑOS", "Cien años de soledad"),
    ],
)
def test_names_and_titles_typed_without_accents_find_the_book(client, shelf, query, title):
    assert search(client, query)[0] == [title]


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("hungr games", "The Hunger Games"),
        ("Hunger Gmaes", "The Hunger Games"),
        ("wutherng heights", "Wuthering Heights"),
        ("suzanne colins", "The Hunger Games"),  # an author's name misspelt
    ],
)
def test_a_misspelt_title_or_name_finds_the_book(client, shelf, query, title):
    assert search(client, query)[0][0] == title


@pytest.mark.parametrize(
    "query", ["9780439023481", "978-0-439-02348-1", "978 0 439 02348 1", "0439023483",
              "0-439-02348-3", " 0 439 02348 3 "],
)  # fmt: skip
def test_an_isbn_in_any_form_goes_straight_to_its_book(client, shelf, query):
    assert search(client, query)[0] == ["The Hunger Games"]


def test_the_exact_title_comes_first_however_popular_the_others(client, shelf):
    books, _ = search(client, "dune")
    assert books[0] == "Dune"
    assert set(books) == {"Dune", "Dune Messiah", "Children of Dune"}


def test_a_title_match_ranks_above_an_author_or_series_match(client, shelf):
    # "Hunger" is in one title, in a series, and in a far more popular book's title
    # only as "Hungry" (not the same word).
    books, _ = search(client, "hunger games")
    assert books[0] == "The Hunger Games"
    assert books.index("The Hunger Games") < books.index("Mockingjay")


@pytest.mark.parametrize(
    "query",
    ['"', '""', "*", "-", "--", "NEAR(", "NEAR(a b", "(((", ")", "title:dune", "AND", "OR",
     "NOT dune", "dune OR", '"dune', "dune*", "^dune", "d'une", "\\", "'", "'; DROP TABLE x; --",
     "+-*/%", "!@#$%^&*()_+{}|:<>?~`" * 10, "x" * 200, "ü" * 199 + '"', "ـ"],
)  # fmt: skip
def test_search_syntax_typed_by_a_reader_never_fails(client, shelf, query):
    books, articles = search(client, query)
    assert isinstance(books, list) and isinstance(articles, list)
    assert list(Book.objects.desk_search(query)) is not None


def test_punctuation_around_words_is_ignored(client, shelf):
    assert search(client, '"dune" -')[0][0] == "Dune"
    assert search(client, "(mockingjay)")[0] == ["Mockingjay"]


# --- author_names follows the credits -----------------------------------------------------


def names_of(book: Book) -> str:
    book.refresh_from_db(fields=["author_names"])
    return book.author_names


def test_a_new_credit_names_its_author_in_order(client, shelf):
    book = shelf["dune"]
    herbert = make_author(name="Frank Herbert")
    Contribution.objects.create(book=book, author=herbert, position=0)
    Contribution.objects.create(
        book=book, author=make_author(name="Brian Herbert"), position=1,
        role=Contribution.Role.INTRODUCTION,
    )  # fmt: skip
    assert names_of(book) == "Frank Herbert, Brian Herbert"
    assert search(client, "herbert dune")[0][0] == "Dune"
    Contribution.objects.filter(book=book, author=herbert).get().delete()
    assert names_of(book) == "Brian Herbert"


def test_a_credit_moved_to_another_book_leaves_the_first(client, shelf):
    herbert = make_author(name="Frank Herbert")
    credit = Contribution.objects.create(book=shelf["dune"], author=herbert)
    credit = Contribution.objects.get(pk=credit.pk)  # read back, as a form would
    credit.book = shelf["hunger"]
    credit.save()
    assert names_of(shelf["dune"]) == ""
    assert "Frank Herbert" in names_of(shelf["hunger"])
    assert search(client, "herbert")[0] == ["The Hunger Games"]


def test_renaming_an_author_renames_them_in_every_book(client, shelf):
    collins = Author.objects.get(name="Suzanne Collins")
    collins.name = "S. M. Collins-Hale"
    collins.save()
    assert names_of(shelf["hunger"]) == "S. M. Collins-Hale"
    assert "Mockingjay" in search(client, "hale")[0]
    assert "Mockingjay" not in search(client, "suzanne")[0]


def test_a_stale_copy_of_a_book_saved_whole_keeps_the_names(shelf):
    stale = Book.objects.get(pk=shelf["dune"].pk)
    Contribution.objects.create(book=shelf["dune"], author=make_author(name="Frank Herbert"))
    stale.subtitle = "Book One"
    stale.save()
    assert names_of(stale) == "Frank Herbert"


def test_merging_names_the_authors_the_duplicate_brought(client, shelf):
    duplicate = make_book(title="Dune (paperback)", authors=[make_author(name="Frank Herbert")])
    merge_books(shelf["dune"], [duplicate])
    assert names_of(shelf["dune"]) == "Frank Herbert"
    assert search(client, "herbert")[0] == ["Dune"]


def test_an_import_names_each_books_authors(client, db, django_assert_max_num_queries):
    import_books(SAMPLE)
    potter = Book.objects.get(goodreads_id=3)
    assert potter.author_names == "J.K. Rowling, Mary GrandPré"
    assert Book.objects.filter(author_names="").count() == 0
    books, _ = search(client, "rowling grandpre azkaban")
    assert len(books) == 1 and "Azkaban" in books[0]


def test_a_reimport_that_recredits_a_book_renames_it(db):
    import_books(SAMPLE)
    potter = Book.objects.get(goodreads_id=3)
    potter.contributions.all().delete()
    assert names_of(potter) == ""
    import_books(SAMPLE)  # a book without credits gets the source's again
    assert names_of(potter) == "J.K. Rowling, Mary GrandPré"


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 table is SQLite's")
def test_the_full_text_table_follows_a_table_rebuilt_by_a_migration(client, shelf):
    with connection.cursor() as cursor:
        # What Django's SQLite schema editor does to alter a column: the triggers go.
        cursor.execute("DROP TRIGGER catalogue_book_search_update")
        Book.objects.filter(pk=shelf["dune"].pk).update(title="Arrakis")
        assert BOOK_INDEX.repair(cursor) is True
        assert BOOK_INDEX.repair(cursor) is False
    assert search(client, "arrakis")[0] == ["Arrakis"]
    Book.objects.filter(pk=shelf["dune"].pk).update(title="Dune")
    assert search(client, "arrakis")[0] == []


# --- The desk's search reads the same document ----------------------------------------------


def test_the_desk_finds_books_from_the_starts_of_words_as_they_are_typed(shelf):
    assert [book.title for book in Book.objects.desk_search("hung colli")] == [
        "The Hunger Games",  # the most rated first
        "Mockingjay",  # in the series The Hunger Games
    ]
    assert [book.title for book in Book.objects.desk_search("garc marq")] == [
        "Cien años de soledad"
    ]
    assert "Wuthering Heights" in [book.title for book in Book.objects.desk_search("ering")]


def test_a_common_word_in_the_desk_offers_the_most_rated_books_first(db, monkeypatch):
    from catalogue import querysets

    monkeypatch.setattr(querysets, "DESK_MATCHES", 3)
    for number in range(6):
        make_book(title=f"A tale of war {number}", source_ratings_5=number)
    make_book(title="War", source_ratings_5=0)
    found = [book.title for book in Book.objects.desk_search("war")]
    # The exact title first, then the three most rated of the rest.
    assert found[0] == "War"
    assert found[1:4] == ["A tale of war 5", "A tale of war 4", "A tale of war 3"]


def test_an_authors_name_finds_their_best_known_books_first(client, db):
    marquez = make_author(name="Gabriel García Márquez")
    namesake = make_author(name="Russell Márquez")
    make_book(title="Club", authors=[namesake], source_ratings_4=200)
    make_book(
        title="One Hundred Years of Solitude",
        authors=[marquez, make_author(name="Gregory Rabassa")],
        source_ratings_4=500_000,
    )
    titles = text_of(client.get("/search/?q=marquez").content, ".book-card__title")
    assert titles[0] == "One Hundred Years of Solitude"
