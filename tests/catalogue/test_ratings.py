"""Readers' ratings through /books/<slug>/rate/, as a browser without JavaScript sends
them (form POST with the CSRF token, then a redirect) and as the page's script does."""

import json
import threading

import pytest
from bs4 import BeautifulSoup
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from catalogue.models import Book, Rating
from catalogue.ratings import Reader, rate
from tests.factories import make_author, make_book
from tests.helpers import text_of


@pytest.fixture
def book(db):
    return make_book(title="The Rated Book", slug="rated", authors=[make_author(name="A. Writer")])


def browser() -> Client:
    """A client that, like a browser, must send the CSRF token it was given."""
    return Client(enforce_csrf_checks=True)


def post_rating(
    client: Client, book: Book, json_api: bool = False, remote_addr: str = "127.0.0.1", **data
):
    """Open the book page, then post its rating form with `data` from `remote_addr`."""
    page = client.get(book.get_absolute_url())
    token = BeautifulSoup(page.content, "html.parser").select_one(
        "[data-rating-form] input[name=csrfmiddlewaretoken]"
    )["value"]
    headers = {"HTTP_ACCEPT": "application/json"} if json_api else {}
    headers["REMOTE_ADDR"] = remote_addr
    if remote_addr != "127.0.0.1":  # from outside, as through the TLS proxy
        headers.update(secure=True, HTTP_REFERER=f"https://testserver{book.get_absolute_url()}")
    return client.post(
        f"/books/{book.slug}/rate/", {"csrfmiddlewaretoken": token, **data}, **headers
    )


def card_rating(client: Client, book: Book) -> str:
    return text_of(client.get(book.get_absolute_url()).content, ".book > .book-card .rating")[0]


def test_rating_without_javascript_redirects_back_with_a_message(book):
    client = browser()
    response = post_rating(client, book, score="4")
    assert response.status_code == 302
    assert response["Location"] == "/books/rated/#your-rating"
    page = client.get(response["Location"]).content
    assert text_of(page, ".message") == ["Thank you: you rated this book 4 stars."]
    assert text_of(page, "[data-rating-status]") == ["You rated this book 4 stars."]
    assert card_rating(client, book).startswith("★★★★☆ 4.0 out of 5 (1 rating)")
    assert BeautifulSoup(page, "html.parser").select_one("#rate-4").has_attr("checked")


def test_the_visitor_cookie_is_signed_httponly_secure_and_long_lived(book):
    response = post_rating(browser(), book, score="5")
    cookie = response.cookies["colophon_visitor"]
    assert cookie["httponly"] and cookie["secure"]
    assert int(cookie["max-age"]) >= 365 * 24 * 3600
    assert ":" in cookie.value  # signed: value and signature


def test_a_forged_visitor_cookie_is_not_trusted(book):
    client = browser()
    client.cookies["colophon_visitor"] = "someone-else"
    post_rating(client, book, score="5")
    assert not Rating.objects.filter(visitor="someone-else").exists()


def test_rating_again_replaces_the_earlier_score(book):
    client = browser()
    post_rating(client, book, score="5")
    post_rating(client, book, score="2")
    assert list(Rating.objects.values_list("score", flat=True)) == [2]
    assert card_rating(client, book).startswith("★★☆☆☆ 2.0 out of 5 (1 rating)")


def test_a_reader_can_remove_their_rating(book):
    client = browser()
    post_rating(client, book, score="3")
    response = post_rating(client, book, action="remove")
    assert response.status_code == 302
    assert Rating.objects.count() == 0
    assert card_rating(client, book) == "No ratings yet"
    assert Book.objects.get(pk=book.pk).site_histogram == [0, 0, 0, 0, 0]


def test_with_javascript_the_answer_is_json_with_the_new_figures(book):
    client = browser()
    response = post_rating(client, book, json_api=True, score="5")
    assert response.status_code == 200
    body = response.json()
    assert body["your_rating"] == 5
    assert text_of(body["rating_html"], ".rating__average") == ["5.0 out of 5"]
    assert text_of(body["histogram_html"], ".histogram__count") == ["1", "0", "0", "0", "0"]


def test_two_readers_are_two_ratings(book):
    post_rating(browser(), book, score="5")
    post_rating(browser(), book, score="4")
    assert card_rating(browser(), book).startswith("★★★★☆ 4.5 out of 5 (2 ratings)")


def test_a_signed_in_reader_rates_as_themselves(book, django_user_model):
    user = django_user_model.objects.create_user("reader", password="a-long-password-1")
    client = browser()
    client.force_login(user)
    post_rating(client, book, score="3")
    assert Rating.objects.get().user == user


@pytest.mark.parametrize("score", ["0", "6", "-1", "3.5", "abc", "", "9" * 40, "4\x00", " ", "½"])
def test_bad_scores_are_refused_and_change_nothing(book, score):
    response = post_rating(browser(), book, score=score)
    assert response.status_code == 400
    assert "Choose a rating from 1 to 5 stars." in text_of(response.content, "[role=alert]")[0]
    assert Rating.objects.count() == 0
    assert Book.objects.get(pk=book.pk).site_histogram == [0] * 5


def test_bad_score_refused_as_json_for_the_script(book):
    response = post_rating(browser(), book, json_api=True, score="7")
    assert response.status_code == 400
    assert response.json() == {"error": "Choose a rating from 1 to 5 stars."}


def test_a_missing_score_is_refused(book):
    assert post_rating(browser(), book).status_code == 400


def test_an_unknown_book_is_a_404(book):
    client = browser()
    client.get(book.get_absolute_url())
    token = client.cookies["csrftoken"].value
    response = client.post("/books/no-such-book/rate/", {"score": "4"}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 404


def test_a_withdrawn_book_cannot_be_rated(book):
    client = browser()
    client.get(book.get_absolute_url())
    token = client.cookies["csrftoken"].value
    Book.objects.filter(pk=book.pk).update(status="withdrawn")
    response = client.post("/books/rated/rate/", {"score": "4"}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 410
    assert "has been withdrawn, so it cannot be rated" in response.content.decode()
    assert Rating.objects.count() == 0


def test_a_draft_cannot_be_rated_and_answers_as_no_book_at_all(book):
    """A stranger posting ratings to guessed slugs learns nothing of the drafts."""
    client = browser()
    client.get(book.get_absolute_url())
    token = client.cookies["csrftoken"].value
    missing = client.post("/books/no-such-book/rate/", {"score": "4"}, HTTP_X_CSRFTOKEN=token)
    Book.objects.filter(pk=book.pk).update(status="draft")
    draft = client.post("/books/rated/rate/", {"score": "4"}, HTTP_X_CSRFTOKEN=token)
    assert draft.status_code == missing.status_code == 404
    assert text_of(draft.content, "main") == text_of(missing.content, "main")
    assert "published" not in draft.content.decode()
    assert Rating.objects.count() == 0


def test_without_csrf_token_the_rating_is_forbidden(book):
    response = browser().post("/books/rated/rate/", {"score": "4"})
    assert response.status_code == 403
    assert "That form could not be accepted" in response.content.decode()
    assert Rating.objects.count() == 0


def test_rating_needs_a_post(book):
    assert browser().get("/books/rated/rate/").status_code == 405


def test_too_many_ratings_from_one_visitor_is_a_429(book, settings):
    settings.RATING_RATE_LIMITS = {
        "visitor": (3, 60),
        "address": (100, 60),
    }
    client = browser()
    codes = [post_rating(client, book, score=str(n)).status_code for n in (1, 2, 3, 4)]
    assert codes == [302, 302, 302, 429]
    response = post_rating(client, book, score="5")
    assert 0 < int(response["Retry-After"]) <= 60
    assert "Please wait" in text_of(response.content, "[role=alert]")[0]
    assert Rating.objects.get().score == 3
    # Another visitor at the same address is not limited by the first one's count.
    assert post_rating(browser(), book, score="5").status_code == 302


def test_too_many_ratings_from_one_address_is_a_429(book, settings):
    settings.RATING_RATE_LIMITS = {
        "visitor": (100, 60),
        "address": (2, 60),
    }
    codes = [post_rating(browser(), book, score="4").status_code for _ in range(3)]
    assert codes == [302, 302, 429]
    assert Rating.objects.count() == 2


def test_a_client_dropping_its_visitor_cookie_cannot_stuff_one_book(book, settings):
    settings.RATING_HOLD_AFTER = 2
    first = browser()
    assert post_rating(first, book, score="5").status_code == 302  # keeps its cookie
    codes = [post_rating(browser(), book, score="5").status_code for _ in range(4)]
    assert codes == [302] * 4  # none refused, none lost
    assert Rating.objects.count() == 5
    assert card_rating(browser(), book).startswith("★★★★★ 5.0 out of 5 (2 ratings)")
    # A visitor whose cookie came back is themselves, not one more newcomer.
    assert post_rating(first, book, score="2").status_code == 302
    assert card_rating(browser(), book).startswith("★★★☆☆ 3.5 out of 5 (2 ratings)")
    # And the count is per book.
    other = make_book(title="Another book", slug="another")
    post_rating(browser(), other, score="5")
    assert card_rating(browser(), other).startswith("★★★★★ 5.0 out of 5 (1 rating)")


def test_no_raw_address_is_stored(book):
    post_rating(browser(), book, score="4", remote_addr="203.0.113.7")
    rating = Rating.objects.get()
    assert "203.0.113.7" not in json.dumps(list(Rating.objects.values()), default=str)
    assert len(rating.ip_hash) == 64


def test_check_ratings_reports_drift_and_repairs_it_with_fix(book, capsys):
    rate(book=book, reader=Reader(visitor="v1"), score=5)
    rate(book=book, reader=Reader(visitor="v2"), score=3)
    Book.objects.filter(pk=book.pk).update(ratings_5=7, ratings_1=1)
    with pytest.raises(CommandError, match="1 books have drifted"):
        call_command("check_ratings")
    assert "counts 1★-5★ are [1, 0, 1, 0, 7], the ratings say [0, 0, 1, 0, 1]" in (
        capsys.readouterr().out
    )
    call_command("check_ratings", "--fix")
    assert Book.objects.get(pk=book.pk).site_histogram == [0, 0, 1, 0, 1]
    call_command("check_ratings")
    assert "match their ratings" in capsys.readouterr().out


def test_structured_data_marks_up_only_ratings_given_here(client, book):
    Book.objects.filter(pk=book.pk).update(source_ratings_5=1000, rating_source="Goodreads")

    def json_ld():
        tag = BeautifulSoup(client.get(book.get_absolute_url()).content, "html.parser").find(
            "script", type="application/ld+json"
        )
        return json.loads(tag.string)

    assert "aggregateRating" not in json_ld()
    rate(book=book, reader=Reader(visitor="v1"), score=3)
    rate(book=book, reader=Reader(visitor="v2"), score=4)
    data = json_ld()
    assert data["aggregateRating"] == {
        "@type": "AggregateRating", "ratingValue": "3.5", "ratingCount": 2,
        "bestRating": 5, "worstRating": 1,
    }  # fmt: skip
    assert data["name"] == "The Rated Book" and data["author"][0]["name"] == "A. Writer"


def test_the_card_says_where_mixed_figures_come_from(client, book):
    Book.objects.filter(pk=book.pk).update(source_ratings_4=10, rating_source="Goodreads")
    rate(book=book, reader=Reader(visitor="v1"), score=5)
    assert "11 ratings: 10 on Goodreads, 1 on Colophon" in card_rating(client, book)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="real concurrent writers need PostgreSQL; CI runs the suite on it",
)
def test_concurrent_ratings_lose_nothing_on_postgresql():
    book = make_book(title="Popular")
    threads, per_thread = 8, 50
    errors = []

    def reader_thread(number: int) -> None:
        try:
            for n in range(per_thread):
                rate(book=book, reader=Reader(visitor=f"t{number}-{n}"), score=(number + n) % 5 + 1)
                if n % 10 == 0:  # some readers change their minds at the same time
                    rate(book=book, reader=Reader(visitor=f"t{number}-{n}"), score=1)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=reader_thread, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    book.refresh_from_db()
    stored = [Rating.objects.filter(book=book, score=s).count() for s in range(1, 6)]
    assert sum(stored) == threads * per_thread
    assert book.site_histogram == stored


def test_one_ipv6_network_counts_as_one_address(book, settings):
    settings.RATING_RATE_LIMITS = {
        "visitor": (100, 60),
        "address": (2, 60),
    }
    codes = [
        post_rating(browser(), book, score="4", remote_addr=f"2001:db8:1:2::{n}").status_code
        for n in range(1, 4)
    ]
    assert codes == [302, 302, 429]
    other_network = post_rating(browser(), book, score="4", remote_addr="2001:db8:1:3::1")
    assert other_network.status_code == 302
