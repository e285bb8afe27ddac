"""Audit of the shop redirect (`/go/<book>/<shop>/`) as a stranger uses it: one address
walking every book's links was counted once per link, so a script from one machine
wrote a row per book, shop and page each day (a million books: a million rows, and
as many keys in the cache) and put a click on every link in the desk's report. Each
reader's clicks now count up to a day's share; every click still lands at the shop."""

import pytest

from catalogue import shop_clicks
from catalogue.shop_clicks import click_url
from catalogue.shops import Shop, ShopClick
from tests.factories import make_book

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


@pytest.fixture
def shop():
    return Shop.objects.create(
        name="Test Books", slug="test-books", url_pattern="https://books.example/isbn/{isbn13}"
    )


def isbn13(number: int) -> str:
    stem = f"978{number:09d}"
    check = -sum(int(digit) * (3 if i % 2 else 1) for i, digit in enumerate(stem)) % 10
    return f"{stem}{check}"


@pytest.fixture
def books():
    return [make_book(title=f"Book {n}", isbn13=isbn13(n)) for n in range(1, 9)]


@pytest.fixture
def share(monkeypatch):
    monkeypatch.setattr(shop_clicks, "READER_CLICKS_A_DAY", 5, raising=False)
    return 5


def click(client, url, address):
    return client.get(url, secure=True, REMOTE_ADDR=address, HTTP_USER_AGENT=BROWSER)


def clicks_in_report() -> int:
    return sum(ShopClick.objects.values_list("count", flat=True))


def test_a_script_walking_every_books_link_from_one_address_counts_a_days_share(
    client, books, shop, share
):
    answers = [click(client, click_url(book, shop), "192.0.2.10") for book in books]
    assert [answer.status_code for answer in answers] == [302] * len(books)
    assert answers[-1]["Location"].startswith("https://books.example/isbn/")
    assert clicks_in_report() == share
    assert ShopClick.objects.count() == share
    # Another reader's click counts as ever.
    click(client, click_url(books[-1], shop), "198.51.100.7")
    assert clicks_in_report() == share + 1


def test_addresses_of_one_ipv6_network_share_one_days_share(client, books, shop, share):
    for host, book in enumerate(books, start=1):
        click(client, click_url(book, shop), f"2001:db8:1:2::{host:x}")
    assert clicks_in_report() == share


def test_clicking_one_link_again_spends_none_of_the_share(client, books, shop, share):
    first = click_url(books[0], shop)
    for _ in range(10):
        click(client, first, "192.0.2.10")
    for book in books[1:share]:
        click(client, click_url(book, shop), "192.0.2.10")
    assert clicks_in_report() == share
