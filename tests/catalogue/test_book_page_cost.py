"""What the book page costs when nothing is kept (issue 23): each book it lists is read
for what it shows there, and no query reads the whole catalogue when an index will do."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalogue.book_page import choose_other_books, rating_histogram, series_entries
from catalogue.models import Book
from tests.factories import make_author, make_book
from tests.helpers import text_of

pytestmark = pytest.mark.django_db


def ids_read_by(queries, table: str) -> set[int]:
    """The book ids named by the queries on `table` (a prefetch's `book_id IN (…)`)."""
    named = set()
    for query in queries:
        if f'FROM "{table}"' in query["sql"]:
            for ids in re.findall(r'"book_id" IN \(([^)]*)\)', query["sql"]):
                named.update(int(pk) for pk in ids.split(","))
    return named


def test_a_series_volumes_are_listed_without_being_read_as_cards(client):
    """The series list shows a volume's title and number: its credits and shop links,
    read for a card, were read for nothing (30 volumes, 60 rows and more)."""
    author = make_author(name="Prolific")
    book = make_book(title="Volume 1", series="Saga", series_number=Decimal(1), authors=[author])
    volumes = [
        make_book(
            title=f"Volume {number}",
            series="Saga",
            series_number=Decimal(number),
            authors=[author],
        )  # fmt: skip
        for number in range(2, 6)
    ]
    other = make_book(title="Standalone", publication_year=2001, authors=[author])
    with CaptureQueriesContext(connection) as queries:
        html = client.get(book.get_absolute_url()).content
    assert text_of(html, "#book-series + ol li") == [f"Volume {n} #{n}" for n in range(2, 6)]
    assert text_of(html, "#book-others + ul .book-card__title") == ["Standalone"]
    # The cards' credits and shop links: the book's own and the other book's alone.
    assert ids_read_by(queries, "catalogue_contribution") == {book.pk, other.pk}
    assert ids_read_by(queries, "catalogue_bookshoplink") == {book.pk, other.pk}
    assert not {volume.pk for volume in volumes} & ids_read_by(queries, "catalogue_bookshoplink")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan")
def test_alike_titles_are_found_on_the_title_index_not_the_whole_table():
    """SQLite has no index for a word inside titles: the match reads the narrow (title,
    id) index, never every book's row whole (the page's costliest query: 2 ms at 10,000
    books, and the rows only grow)."""
    book = make_book(title="The Oxford Handbook of Voice Perception")
    make_book(title="Handbook of Speech Perception")
    with CaptureQueriesContext(connection) as queries:
        chosen = choose_other_books(book, author_ids=[], subject_ids=[], article_ids=[])
    related = chosen.ids["similar"]
    assert len(related) == 1
    (alike,) = [query["sql"] for query in queries if "LIKE" in query["sql"]]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {alike}")
        plan = [row[-1] for row in cursor.fetchall()]
    assert "SCAN catalogue_book" not in plan
    assert any("COVERING INDEX book_by_title" in step for step in plan)


def test_the_histogram_rows_come_with_their_words(client):
    """Made once in Python: the template's pluralize and intcomma cost as much as the
    book's whole card."""
    book = make_book(title="Counted", source_ratings_5=1234, source_ratings_1=1)
    assert [(row["label"], row["count_text"]) for row in rating_histogram(book)] == [
        ("5 stars", "1,234"), ("4 stars", "0"), ("3 stars", "0"), ("2 stars", "0"), ("1 star", "1"),
    ]  # fmt: skip
    html = client.get(book.get_absolute_url()).content
    assert text_of(html, ".histogram__table th") == [
        "5 stars", "4 stars", "3 stars", "2 stars", "1 star",
    ]  # fmt: skip
    assert text_of(html, ".histogram__count") == ["1,234", "0", "0", "0", "1"]
    assert text_of(html, ".histogram__table progress")[0] == "100%"


def test_books_by_the_same_authors_are_found_by_the_authors_read_already(client):
    """Their ids come with the book's subjects (one query): the list of their other books
    does not read the book's credits again in a subquery of its own."""
    author, coauthor = make_author(name="First"), make_author(name="Second")
    book = make_book(title="Together", authors=[author, coauthor])
    make_book(title="Alone", publication_year=1990, authors=[author])
    make_book(title="With someone else", publication_year=2000, authors=[coauthor])
    with CaptureQueriesContext(connection) as queries:
        html = client.get(book.get_absolute_url()).content
    assert text_of(html, "#book-others + ul .book-card__title") == ["With someone else", "Alone"]
    credits_again = re.compile(
        rf'FROM "catalogue_contribution" \w* ?WHERE \w*\.?"book_id" = {book.pk}\b'
    )
    assert not [query for query in queries if credits_again.search(query["sql"])]


def test_the_series_list_is_made_in_python_as_the_template_wrote_it(client):
    """Each volume's address put together as the cards' are (no reverse() per volume)
    and its number as the template wrote it: "#10", never "#1E+1"."""
    book = make_book(title="Volume 1", series="Saga", series_number=Decimal(1))
    for title, number in [("Half", "2.5"), ("Tenth", "10"), ("Extra", None)]:
        make_book(title=title, series="Saga", series_number=number and Decimal(number))
    volumes = list(Book.objects.public().exclude(pk=book.pk).in_series("Saga"))
    entries = {entry["title"]: entry for entry in series_entries(volumes)}
    assert {title: (entry["url"], entry["number"]) for title, entry in entries.items()} == {
        "Extra": ("/books/extra/", None), "Half": ("/books/half/", "2.5"),
        "Tenth": ("/books/tenth/", "10"),
    }  # fmt: skip
    html = client.get(book.get_absolute_url()).content
    shown = {"Extra": "Extra", "Half": "Half #2.5", "Tenth": "Tenth #10"}
    # In the series' order, unnumbered first or last as the database sorts them.
    assert text_of(html, "#book-series + ol li") == [shown[volume.title] for volume in volumes]
