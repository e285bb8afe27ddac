"""/search/: books by title, author and ISBN; articles by title and body. Runs on SQLite
and PostgreSQL (CI runs the suite on both), with the typo test on PostgreSQL only."""

import pytest
from django.db import connection

from tests.factories import make_article, make_author, make_book
from tests.helpers import text_of


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


@pytest.mark.skipif(connection.vendor != "postgresql", reason="typo tolerance needs pg_trgm")
def test_a_typo_still_finds_the_book_on_postgresql(client, library):
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
    with django_assert_max_num_queries(50) as few:
        client.get("/search/", {"q": "Little Women"})
    with django_assert_max_num_queries(50) as many:
        client.get("/search/", {"q": "shining"})
    assert len(few) == len(many)
