"""The /go/ addresses on a page's cards: the same addresses and signatures reverse() and
the signer give, worked out once per page rather than once per link (a page of thirty
cards has a hundred and twenty links, all from one source)."""

from urllib.parse import urlencode

import pytest
from django.core import signing
from django.urls import clear_script_prefix, reverse, set_script_prefix
from stdnum import ean

from catalogue import shop_clicks
from catalogue.shop_clicks import SOURCE_SALT, click_url
from catalogue.shops import Shop, links_for
from tests.factories import make_article, make_book

pytestmark = pytest.mark.django_db


@pytest.fixture
def shops():
    for default in Shop.objects.filter(enabled=True):  # the migration's, when it ran
        default.enabled = False
        default.save()
    return [
        Shop.objects.create(
            name=f"Shop {number}", slug=f"shop-{number}", url_pattern="https://s.example/{isbn13}"
        )
        for number in range(4)
    ]


def with_check_digit(digits: str) -> str:
    return digits + ean.calc_check_digit(digits)


def counted(calls: list, function):
    """`function`, noting each call in `calls`."""

    def noted(*args, **kwargs):
        calls.append(args)
        return function(*args, **kwargs)

    return noted


def expected(book, shop, source=None) -> str:
    """The address as reverse() and a fresh signer make it."""
    url = reverse("catalogue:shop-click", kwargs={"book_id": book.pk, "shop": shop.slug})
    if source is None:
        return url
    signer = signing.Signer(salt=SOURCE_SALT, sep=".")
    return f"{url}?{urlencode({'from': signer.sign(f'{source._meta.label_lower}-{source.pk}')})}"


def test_links_carry_the_addresses_and_signatures_reverse_and_the_signer_give(shops):
    book = make_book(title="Beloved", isbn13="9781400033416")
    article = make_article(title="On Beloved", body="Words.")
    assert [link.url for link in links_for(book, source=article)] == [
        expected(book, shop, article) for shop in shops
    ]
    assert [link.url for link in links_for(book)] == [expected(book, shop) for shop in shops]
    assert click_url(book, shops[0], book) == expected(book, shops[0], book)


def test_a_page_of_many_cards_signs_its_source_once_and_reverses_no_link(shops, monkeypatch):
    books = [
        make_book(title=f"Volume {n}", isbn13=with_check_digit(f"978000000{n:03d}"))
        for n in range(30)
    ]
    article = make_article(title="Thirty volumes", body="Words.")
    reversed_, signed, prefixes = [], [], []
    monkeypatch.setattr(shop_clicks, "reverse", counted(reversed_, shop_clicks.reverse))
    # The script prefix is a context-local read: once a card, not once a link.
    monkeypatch.setattr(
        shop_clicks, "get_script_prefix", counted(prefixes, shop_clicks.get_script_prefix)
    )
    signer = shop_clicks._source_signer
    monkeypatch.setattr(signer, "sign", counted(signed, signer.sign))
    urls = [link.url for book in books for link in links_for(book, source=article)]
    assert len(urls) == 120
    assert len(reversed_) <= 1 and len(signed) <= 1
    assert len(prefixes) == len(books)
    assert urls[-1] == expected(books[-1], shops[-1], article)


def test_addresses_follow_the_script_prefix_the_site_is_served_under(shops):
    book = make_book(title="Beloved", isbn13="9781400033416")
    assert click_url(book, shops[0]) == f"/go/{book.pk}/shop-0/"
    set_script_prefix("/colophon/")
    try:
        assert click_url(book, shops[0]) == f"/colophon/go/{book.pk}/shop-0/"
        assert click_url(book, shops[0]) == expected(book, shops[0])
    finally:
        clear_script_prefix()
    assert click_url(book, shops[0]) == f"/go/{book.pk}/shop-0/"
