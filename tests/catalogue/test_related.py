"""Related books: what readers also liked is stored per book, refreshed after ratings."""

import io

import pytest
from django.core.management import call_command

from catalogue.models import Rating
from catalogue.ratings import Reader, rate
from catalogue.related import AlsoLiked, refresh_also_liked
from tests.factories import make_book
from tests.helpers import text_of

pytestmark = pytest.mark.django_db


def similar_titles(client, book) -> list[str]:
    return text_of(
        client.get(book.get_absolute_url()).content, "#book-similar + ul .book-card__title"
    )


def test_a_burst_of_ratings_makes_one_refresh_that_counts_them_all(
    client, django_capture_on_commit_callbacks, monkeypatch
):
    from catalogue import related

    main, other = make_book(title="Main"), make_book(title="Other")
    for n in range(3):
        rate(book=other, reader=Reader(visitor=f"fan{n}"), score=5)
    refreshes = []
    real = related.refresh_also_liked
    monkeypatch.setattr(related, "refresh_also_liked", lambda pk: refreshes.append(pk) or real(pk))
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            rate(book=main, reader=Reader(visitor=f"fan{n}"), score=4)
    assert refreshes.count(main.pk) == 1
    assert similar_titles(client, main) == ["Other"]
    # Once that refresh ran, the next rating queues another.
    with django_capture_on_commit_callbacks(execute=True):
        rate(book=main, reader=Reader(visitor="fan9"), score=5)
    assert refreshes.count(main.pk) == 2


def test_only_the_newest_fans_are_read(monkeypatch):
    from catalogue import related

    main, old_favourite, new_favourite = (
        make_book(title=title) for title in ("Main", "Old favourite", "New favourite")
    )
    for n in range(6):
        rate(book=main, reader=Reader(visitor=f"fan{n}"), score=5)
        liked = old_favourite if n < 3 else new_favourite
        rate(book=liked, reader=Reader(visitor=f"fan{n}"), score=5)
    monkeypatch.setattr(related, "FANS", 3)
    refresh_also_liked(main.pk)
    assert list(AlsoLiked.objects.filter(book=main).values_list("liked__title", "readers")) == [
        ("New favourite", 3)
    ]


def test_ratings_loaded_in_bulk_are_counted_by_the_command(client):
    main, other, disliked = (make_book(title=t) for t in ("Main", "Other", "Disliked"))
    Rating.objects.bulk_create(
        Rating(book=book, visitor=f"reader{n}", score=score)
        for n in range(4)
        for book, score in ((main, 5), (other, 4), (disliked, 2))
    )
    assert similar_titles(client, main) == []
    call_command("refresh_related", stdout=(out := io.StringIO()))
    assert "Refreshed 2 books with fans" in out.getvalue()
    assert similar_titles(client, main) == ["Other"]
    assert similar_titles(client, other) == ["Main"]
    # Nothing new: nothing changes.
    call_command("refresh_related", stdout=(out := io.StringIO()))
    assert "0 lists changed" in out.getvalue()


def test_a_withdrawn_book_is_not_recommended(client):
    main, other = make_book(title="Main"), make_book(title="Other")
    for n in range(3):
        rate(book=main, reader=Reader(visitor=f"fan{n}"), score=5)
        rate(book=other, reader=Reader(visitor=f"fan{n}"), score=5)
    refresh_also_liked(main.pk)
    assert similar_titles(client, main) == ["Other"]
    other.status = other.Status.WITHDRAWN
    other.save()
    assert similar_titles(client, main) == []


def test_a_much_written_about_book_lists_its_newest_articles(client):
    import datetime as dt

    from django.utils import timezone

    from tests.factories import make_article

    book = make_book(title="Main")
    for day in range(14):
        make_article(
            title=f"Piece {day:02d}",
            body="[[book:main]]",
            published_at=timezone.now() - dt.timedelta(days=day + 1),
        )
    html = client.get(book.get_absolute_url()).content
    assert text_of(html, "#book-articles ~ ul .teaser__title") == [
        f"Piece {day:02d}" for day in range(12)
    ]
    assert "The 12 newest of 14 articles about it." in " ".join(text_of(html, ".more-link"))
