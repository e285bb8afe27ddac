"""A burst of ratings of one book from new visitors at one address (a client dropping
its cookie and rotating its User-Agent looks like that, and so does one using cookies it
collected just before) is kept but held for moderation: nothing a reader gave is lost,
and no burst moves a book's rating until an editor approves it."""

import json
import time

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from django.core.signing import TimestampSigner, b62_encode
from django.db import connection
from django.test import Client

from catalogue.merging import merge_books
from catalogue.models import Book, Rating
from catalogue.ratings import Reader, find_drift, rate, repair, unrate
from tests.catalogue.test_rating_moderation import run_action
from tests.catalogue.test_ratings import browser, card_rating, post_rating
from tests.factories import make_book
from tests.helpers import text_of

# Windows of an hour: a test taking a few seconds does not straddle two.
LIMITS = {"visitor": (10, 3600), "address": (120, 3600)}


@pytest.fixture
def book(db, settings):
    settings.RATING_RATE_LIMITS = LIMITS
    settings.RATING_HOLD_AFTER = 3
    settings.RATING_HOLD_WINDOW = 3600
    return make_book(title="The Rated Book", slug="rated")


def cookieless(n: int) -> Client:
    """A client without the visitor cookie and with a User-Agent of its own."""
    return Client(enforce_csrf_checks=True, headers={"User-Agent": f"Agent/{n}"})


def stuff(book: Book, times: int, score: str = "1") -> list[int]:
    """`times` ratings from one address, each from a client without the visitor cookie."""
    return [post_rating(cookieless(n), book, score=score).status_code for n in range(times)]


def json_ld(client, book: Book) -> dict:
    tag = BeautifulSoup(client.get(book.get_absolute_url()).content, "html.parser").find(
        "script", type="application/ld+json"
    )
    return json.loads(tag.string)


def test_past_the_first_few_new_visitors_ratings_are_kept_but_not_counted(book, client):
    assert stuff(book, 30) == [302] * 30  # nobody is refused
    assert Rating.objects.count() == 30  # nothing is lost
    assert Rating.objects.filter(status="held").count() == 27
    assert card_rating(client, book).startswith("★☆☆☆☆ 1.0 out of 5 (3 ratings)")
    assert json_ld(client, book)["aggregateRating"]["ratingCount"] == 3
    assert Book.objects.get(pk=book.pk).site_histogram == [3, 0, 0, 0, 0]


def test_past_a_days_share_of_held_ratings_one_address_is_refused_not_stored(book, settings):
    """Each held rating is a row for editors to check: a client dropping its cookie at
    every post is a newcomer each time, and was held without end (172,800 rows a day)."""
    settings.RATING_RATE_LIMITS = {**LIMITS, "held": (5, 86400)}
    answers = stuff(book, 12)
    assert answers == [302] * 8 + [429] * 4  # 3 counted, 5 held, then refused
    assert Rating.objects.filter(status="held").count() == 5
    refused = post_rating(cookieless(99), book, score="1")
    assert "waiting for an editor already" in refused.content.decode()
    assert int(refused["Retry-After"]) > 3600


def test_a_held_reader_is_told_politely_and_sees_their_rating(book):
    stuff(book, 3)
    client = browser()
    response = post_rating(client, book, score="2")
    page = client.get(response["Location"]).content
    assert text_of(page, ".message") == [
        "Thank you: your rating of 2 stars was received. Many ratings of this book came "
        "from your network just now, so it will count once an editor has checked it."
    ]
    assert text_of(page, "[data-rating-status]") == [
        "You rated this book 2 stars; it will count once an editor has checked it."
    ]
    assert BeautifulSoup(page, "html.parser").select_one("#rate-2").has_attr("checked")
    # Changing their mind changes the held rating, and still no figure.
    post_rating(client, book, score="5")
    assert list(Rating.objects.filter(status="held").values_list("score", flat=True)) == [5]
    assert Book.objects.get(pk=book.pk).site_histogram == [3, 0, 0, 0, 0]


def test_the_answer_for_the_script_says_the_rating_is_held(book):
    stuff(book, 3)
    body = post_rating(browser(), book, score="4", json_api=True).json()
    assert "it will count once an editor has checked it" in body["message"]
    assert body["your_rating"] == 4
    assert "(3 ratings)" in " ".join(
        BeautifulSoup(body["rating_html"], "html.parser").stripped_strings
    )


def test_a_counted_rating_changed_stays_counted_and_each_book_has_its_own_count(book):
    regular = browser()
    assert post_rating(regular, book, score="5").status_code == 302  # a newcomer, counted
    stuff(book, 5)
    assert post_rating(regular, book, score="4").status_code == 302  # theirs, still counted
    other = make_book(title="Another book", slug="another")
    stuff(other, 1)
    assert Book.objects.get(pk=book.pk).site_histogram == [2, 0, 0, 1, 0]
    assert Book.objects.get(pk=other.pk).site_histogram == [1, 0, 0, 0, 0]


def test_newcomers_are_never_refused_for_being_new(book):
    assert stuff(book, 40) == [302] * 40
    assert Rating.objects.count() == 40
    assert Rating.objects.filter(status="held").count() == 37


def test_removals_do_not_count_towards_the_hold(book):
    assert [post_rating(cookieless(n), book, action="remove").status_code for n in range(5)] == [
        302
    ] * 5
    stuff(book, 3)
    assert Book.objects.get(pk=book.pk).site_histogram == [3, 0, 0, 0, 0]


def test_only_a_stored_rating_gives_the_visitor_cookie(book):
    removing = post_rating(browser(), book, action="remove")
    assert removing.status_code == 302 and "colophon_visitor" not in removing.cookies
    refused = post_rating(browser(), book, score="9")
    assert refused.status_code == 400 and "colophon_visitor" not in refused.cookies
    stuff(book, 3)
    held = post_rating(browser(), book, score="2")
    assert "colophon_visitor" in held.cookies  # held, but stored: its reader is known


def test_cookies_collected_by_removing_nothing_do_not_make_a_burst_count(book):
    decoy = make_book(title="A decoy", slug="decoy")
    clients = [cookieless(n) for n in range(20)]
    for client in clients:
        post_rating(client, decoy, action="remove")
    assert [post_rating(client, book, score="5").status_code for client in clients] == [302] * 20
    assert Book.objects.get(pk=book.pk).site_histogram == [0, 0, 0, 0, 3]
    assert Rating.objects.filter(book=book, status="held").count() == 17


def test_cookies_collected_by_rating_another_book_are_new_for_the_window(book):
    decoy = make_book(title="A decoy", slug="decoy")
    clients = [cookieless(n) for n in range(20)]
    for client in clients:
        post_rating(client, decoy, score="3")
    assert all(client.cookies.get("colophon_visitor") for client in clients)
    assert [post_rating(client, book, score="5").status_code for client in clients] == [302] * 20
    assert Book.objects.get(pk=book.pk).site_histogram == [0, 0, 0, 0, 3]
    assert Rating.objects.filter(book=book, status="held").count() == 17


def test_a_reader_whose_cookie_is_older_than_the_window_is_counted(book, monkeypatch):
    regular = browser()
    two_hours_ago = b62_encode(int(time.time()) - 7200)
    with monkeypatch.context() as patch:
        patch.setattr(TimestampSigner, "timestamp", lambda signer: two_hours_ago)
        post_rating(regular, make_book(title="Read long ago", slug="long-ago"), score="4")
    stuff(book, 5)
    assert post_rating(regular, book, score="5").status_code == 302
    assert Book.objects.get(pk=book.pk).site_histogram == [3, 0, 0, 0, 1]
    assert not Rating.objects.filter(book=book, status="held", score=5).exists()


def test_cookies_whose_ratings_were_all_held_stay_new_past_the_window(book, monkeypatch):
    farmed = []
    two_hours_ago = b62_encode(int(time.time()) - 7200)
    with monkeypatch.context() as patch:
        patch.setattr(TimestampSigner, "timestamp", lambda signer: two_hours_ago)
        decoy = make_book(title="Decoy", slug="decoy")
        for _ in range(10):
            farmed.append(browser())
            post_rating(farmed[-1], decoy, score="5")
    held_on_decoy = Rating.objects.filter(book=decoy, status="held").count()
    assert held_on_decoy == 7  # the first 3 counted (RATING_HOLD_AFTER, as set by `book`)
    for client in farmed:
        assert post_rating(client, book, score="5").status_code == 302
    # The 3 whose decoy rating counted are regulars now; of the 7 still new, 3 count.
    assert Rating.objects.filter(book=book, status="counted").count() == 6
    assert Rating.objects.filter(book=book, status="held").count() == 4


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the locks are PostgreSQL's")
def test_the_held_status_migration_never_locks_the_ratings_table_for_long(db, capsys):
    """A ratings table of millions of rows stays readable and writable while 0016 runs:
    no transaction around it all, no index built or dropped under a write lock, and the
    check validated apart from the exclusive lock that adds it."""
    call_command("sqlmigrate", "catalogue", "0016")
    sql = [line for line in capsys.readouterr().out.splitlines() if not line.startswith("--")]
    assert "BEGIN;" not in sql
    indexes = [line for line in sql if line.startswith(("CREATE INDEX", "DROP INDEX"))]
    assert len(indexes) == 7 and all("CONCURRENTLY" in line for line in indexes)
    check = next(n for n, line in enumerate(sql) if "ADD CONSTRAINT" in line)
    assert sql[check].endswith("NOT VALID;") and "VALIDATE CONSTRAINT" in sql[check + 1]
    assert sql.index("SET LOCAL lock_timeout = '10s';") < sql.index(
        next(line for line in sql if "ADD COLUMN" in line)
    )


# --- In the desk ---------------------------------------------------------------------


@pytest.fixture
def burst(book):
    rate(book=book, reader=Reader(visitor="honest"), score=2, ip_hash="a" * 64)
    for n in range(4):
        rate(book=book, reader=Reader(visitor=f"sock-{n}"), score=5, ip_hash="f" * 64, hold=True)
    return book


def test_the_desk_lists_the_held_ratings(moderator, burst):
    html = moderator.get("/admin/catalogue/rating/?status__exact=held").content
    rows = text_of(html, "#result_list tbody tr", " ")
    assert len(rows) == 4 and all("held for moderation" in row for row in rows)
    assert "held for moderation" in text_of(html, "#changelist-filter")[0]


def test_approving_held_ratings_counts_them(moderator, burst, client):
    messages = run_action(moderator, "approve_selected", Rating.objects.filter(visitor="sock-0"))
    assert messages == ["Approved 1 held rating; the books' figures follow."]
    assert Book.objects.get(pk=burst.pk).site_histogram == [0, 1, 0, 0, 1]
    # Approving what is counted already changes nothing.
    run_action(moderator, "approve_selected", Rating.objects.all())
    assert Book.objects.get(pk=burst.pk).site_histogram == [0, 1, 0, 0, 4]
    run_action(moderator, "approve_selected", Rating.objects.all())
    assert Book.objects.get(pk=burst.pk).site_histogram == [0, 1, 0, 0, 4]
    assert find_drift() == []


def test_removing_held_ratings_leaves_the_figures_alone(moderator, burst):
    run_action(moderator, "remove_from_same_addresses", Rating.objects.filter(visitor="sock-1"))
    assert list(Rating.objects.values_list("visitor", flat=True)) == ["honest"]
    assert Book.objects.get(pk=burst.pk).site_histogram == [0, 1, 0, 0, 0]


def test_a_held_reader_removing_their_rating_leaves_the_figures_alone(burst):
    unrate(book=burst, reader=Reader(visitor="sock-0"))
    assert Book.objects.get(pk=burst.pk).site_histogram == [0, 1, 0, 0, 0]
    assert Rating.objects.count() == 4


def test_check_ratings_counts_only_counted_ratings(burst):
    assert find_drift() == []
    Book.objects.filter(pk=burst.pk).update(ratings_5=9)
    drift = find_drift()
    assert [item.actual for item in drift] == [[0, 1, 0, 0, 0]]
    repair(drift)
    assert Book.objects.get(pk=burst.pk).site_histogram == [0, 1, 0, 0, 0]


def test_merging_keeps_held_ratings_held_and_out_of_the_figures(burst):
    duplicate = make_book(title="The Rated Book (again)", slug="rated-again")
    rate(book=duplicate, reader=Reader(visitor="sock-0"), score=3)  # rated both: keeps ours
    rate(book=duplicate, reader=Reader(visitor="late"), score=4, hold=True)
    rate(book=duplicate, reader=Reader(visitor="other"), score=1)
    merge_books(kept=burst, duplicates=[duplicate])
    kept = Book.objects.get(pk=burst.pk)
    assert kept.site_histogram == [1, 1, 0, 0, 0]
    assert Rating.objects.get(book=kept, visitor="sock-0").status == "held"
    assert Rating.objects.get(book=kept, visitor="late").status == "held"
    assert find_drift() == []
