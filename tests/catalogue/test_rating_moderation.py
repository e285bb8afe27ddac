"""Moderating ratings in the desk: the figures always follow what is removed."""

import pytest
from bs4 import BeautifulSoup

from catalogue.models import Book, Rating
from catalogue.ratings import Reader, rate
from tests.factories import make_book
from tests.helpers import text_of


@pytest.fixture
def flooded(db):
    """One book rated by two honest readers and a flood of 5-star ratings from one address."""
    book = make_book(title="Target")
    rate(book=book, reader=Reader(visitor="honest-1"), score=2, ip_hash="a" * 64)
    rate(book=book, reader=Reader(visitor="honest-2"), score=3, ip_hash="b" * 64)
    for n in range(5):
        rate(book=book, reader=Reader(visitor=f"sock-{n}"), score=5, ip_hash="f" * 64)
    return book


def run_action(client, action: str, ratings) -> list[str]:
    """Runs a bulk action of the ratings list; the messages it answers with."""
    response = client.post(
        "/admin/catalogue/rating/",
        {"action": action, "_selected_action": [r.pk for r in ratings]},
        follow=True,
    )
    assert response.status_code == 200
    return text_of(response.content, ".messagelist li")


def test_removing_everything_from_one_address_recounts_the_book(moderator, flooded):
    sock = Rating.objects.filter(visitor="sock-0")
    messages = run_action(moderator, "remove_from_same_addresses", sock)
    assert messages == ["Removed 5 ratings from those addresses; the books' figures follow."]
    book = Book.objects.get(pk=flooded.pk)
    assert book.site_histogram == [0, 1, 1, 0, 0]
    assert str(book.rating_average) == "2.5"


def test_removing_everything_by_one_reader(moderator, flooded):
    rate(book=make_book(title="Other"), reader=Reader(visitor="honest-1"), score=4)
    run_action(moderator, "remove_by_same_readers", Rating.objects.filter(visitor="honest-1")[:1])
    assert not Rating.objects.filter(visitor="honest-1").exists()
    assert Book.objects.get(title="Other").site_histogram == [0] * 5


def test_removing_selected_ratings(moderator, flooded):
    run_action(moderator, "remove_selected", Rating.objects.filter(score=5)[:2])
    assert Book.objects.get(pk=flooded.pk).site_histogram == [0, 1, 1, 0, 3]


def test_deleting_one_rating_from_its_page_recounts(moderator, flooded):
    rating = Rating.objects.filter(visitor="honest-1").get()
    response = moderator.post(f"/admin/catalogue/rating/{rating.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert Book.objects.get(pk=flooded.pk).site_histogram == [0, 0, 1, 0, 5]


@pytest.mark.parametrize(
    "query",
    [
        "?visitor=sock-1",
        f"?ip_hash={'f' * 64}",
        "?score__exact=5",
        "?q=Target",
        "?book__id__exact=1",
    ],
)
def test_ratings_can_be_listed_by_reader_address_score_and_book(moderator, flooded, query):
    query = query.replace("book__id__exact=1", f"book__id__exact={flooded.pk}")
    response = moderator.get(f"/admin/catalogue/rating/{query}")
    assert response.status_code == 200
    assert len(text_of(response.content, "#result_list tbody tr")) >= 1


def test_each_rating_links_to_all_by_its_reader_and_from_its_address(moderator, flooded):
    html = moderator.get("/admin/catalogue/rating/?visitor=sock-0").content
    page = BeautifulSoup(html, "html.parser")
    reader = page.select_one("td.field-reader_link a")
    address = page.select_one("td.field-address_link a")
    assert (reader["href"], reader.get_text()) == ("?visitor=sock-0", "visitor sock-0")
    assert (address["href"], address.get_text()) == (f"?ip_hash={'f' * 64}", "ffffffffff…")


def test_book_admin_page_shows_both_histograms(moderator, flooded):
    Book.objects.filter(pk=flooded.pk).update(source_ratings_4=40, rating_source="Goodreads")
    html = moderator.get(f"/admin/catalogue/book/{flooded.pk}/change/").content
    rows = text_of(html, ".field-site_rating_counts tbody tr", " ")
    assert rows[0] == "5★ 5 0" and rows[1] == "4★ 0 40"
    assert (
        "Average shown to readers: 4.0 from 47 ratings"
        in text_of(html, ".field-site_rating_counts")[0]
    )


def test_ratings_cannot_be_added_or_edited_in_the_desk(moderator, flooded):
    assert moderator.get("/admin/catalogue/rating/add/").status_code == 403
    rating = Rating.objects.first()
    response = moderator.post(f"/admin/catalogue/rating/{rating.pk}/change/", {"score": "1"})
    assert response.status_code == 403


def test_removing_ratings_found_by_a_search_works(moderator, flooded):
    response = moderator.post(
        "/admin/catalogue/rating/?q=Target",
        {"action": "remove_selected", "_selected_action": [r.pk for r in Rating.objects.all()]},
        follow=True,
    )
    assert response.status_code == 200
    assert Book.objects.get(pk=flooded.pk).site_histogram == [0, 0, 0, 0, 0]


def test_deleting_a_reader_account_takes_their_ratings_off_the_counts(flooded, django_user_model):
    user = django_user_model.objects.create_user("reader", password="a-long-pass-1")
    rate(book=flooded, reader=Reader(user_id=user.pk), score=1)
    assert Book.objects.get(pk=flooded.pk).site_histogram[0] == 1
    user.delete()
    assert Book.objects.get(pk=flooded.pk).site_histogram == [0, 1, 1, 0, 5]
