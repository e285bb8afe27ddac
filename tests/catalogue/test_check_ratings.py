"""`check_ratings` recounts the catalogue a chunk of books at a time (one grouped query
over the ratings per chunk), so drift must be found wherever it lies among the chunks."""

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F

from catalogue import ratings
from catalogue.models import Book
from catalogue.ratings import Reader, find_drift, rate
from tests.factories import make_book


@pytest.fixture
def shelf(db, monkeypatch):
    """Seven rated books, checked three at a time: chunks of 3, 3 and 1."""
    monkeypatch.setattr(ratings, "DRIFT_CHUNK", 3)
    books = [make_book(title=f"Shelf book {n}", slug=f"shelf-{n}") for n in range(7)]
    for n, book in enumerate(books):
        rate(book=book, reader=Reader(visitor=f"v{n}"), score=n % 5 + 1)
        rate(book=book, reader=Reader(visitor=f"w{n}"), score=5)
    return books


def test_drift_on_either_side_of_a_chunk_boundary_is_found(shelf):
    last_of_first, first_of_second, alone = shelf[2], shelf[3], shelf[6]
    Book.objects.filter(pk=last_of_first.pk).update(ratings_5=F("ratings_5") + 1)
    Book.objects.filter(pk=first_of_second.pk).update(ratings_4=0)  # its one 4★ lost
    Book.objects.filter(pk=alone.pk).update(ratings_1=3)
    drift = find_drift()
    assert [item.book_id for item in drift] == [last_of_first.pk, first_of_second.pk, alone.pk]
    assert drift[1].stored == [0, 0, 0, 0, 1] and drift[1].actual == [0, 0, 0, 1, 1]


def test_counts_without_ratings_are_drift_in_any_chunk(shelf):
    unrated = [make_book(title=f"Unrated {n}", slug=f"unrated-{n}") for n in range(4)]
    Book.objects.filter(pk=unrated[-1].pk).update(ratings_3=2)
    assert [(item.book_id, item.actual) for item in find_drift()] == [
        (unrated[-1].pk, [0, 0, 0, 0, 0])
    ]


def test_each_chunk_is_two_queries(shelf, django_assert_num_queries):
    with django_assert_num_queries(3 * 2 + 1):  # the books, then their ratings; one past the end
        assert find_drift() == []


def test_a_chosen_few_are_recounted_without_their_neighbours(shelf):
    Book.objects.filter(pk__in=[shelf[1].pk, shelf[2].pk]).update(ratings_2=9)
    chosen = Book.objects.filter(pk__in=[shelf[0].pk, shelf[2].pk, shelf[5].pk])
    assert [item.book_id for item in find_drift(chosen)] == [shelf[2].pk]


def test_command_reports_and_repairs_drift_across_chunks(shelf, capsys):
    for book in (shelf[2], shelf[3]):
        Book.objects.filter(pk=book.pk).update(ratings_5=0)
    with pytest.raises(CommandError, match="2 books have drifted"):
        call_command("check_ratings")
    out = capsys.readouterr().out
    assert "“Shelf book 2”" in out and "“Shelf book 3”" in out
    call_command("check_ratings", "--fix")
    assert "Repaired 2 books." in capsys.readouterr().out
    call_command("check_ratings")
    assert "All 7 books' counts match their ratings." in capsys.readouterr().out
