"""The Book JSON-LD of a book page says what its card says: the accessibility features in
schema.org's vocabulary where a term means the same, the rest in the card's words, and an
offer for each buy link whose price an editor gave (never one invented). Read by extruct,
as search engines' validators read it."""

import importlib
from decimal import Decimal

import extruct
import pytest
from django.apps import apps

from articles.demo import DEMO_ISBN
from catalogue.models import Book
from catalogue.shops import BookShopLink, Shop
from tests.factories import make_book

default_shops = importlib.import_module("catalogue.migrations.0018_default_shops")

KINDLE_FEATURES = {
    "text_to_speech": Book.Enabled.ENABLED,
    "screen_reader": Book.Supported.SUPPORTED,
    "enhanced_typesetting": Book.Enabled.ENABLED,
    "x_ray": Book.Enabled.ENABLED,
    "word_wise": Book.Enabled.NOT_ENABLED,
}


@pytest.fixture
def shops(db):
    default_shops.add_default_shops(apps)
    return {shop.slug: shop for shop in Shop.objects.all()}


def book_data(client, book) -> dict:
    html = client.get(book.get_absolute_url()).content.decode()
    found = extruct.extract(html, base_url="http://testserver/", syntaxes=["json-ld"])
    books = [item for item in found["json-ld"] if item.get("@type") == "Book"]
    assert len(books) == 1
    return books[0]


def test_the_cards_reading_features_are_described_in_the_accessibility_vocabulary(client, shops):
    book = make_book(title="The Last Battle", isbn13=DEMO_ISBN, **KINDLE_FEATURES)
    data = book_data(client, book)
    # "Screen Reader: Supported": the text alone suffices, and it is text.
    assert data["accessMode"] == ["textual"]
    assert data["accessModeSufficient"] == [{"@type": "ItemList", "itemListElement": ["textual"]}]
    # No schema.org term means these: said as the card says them, off ones included.
    assert data["additionalProperty"] == [
        {"@type": "PropertyValue", "name": "Text-to-Speech", "value": "Enabled"},
        {"@type": "PropertyValue", "name": "Enhanced typesetting", "value": "Enabled"},
        {"@type": "PropertyValue", "name": "X-Ray", "value": "Enabled"},
        {"@type": "PropertyValue", "name": "Word Wise", "value": "Not enabled"},
    ]
    assert "accessibilityFeature" not in data  # nothing the card shows is one of them


def test_a_book_without_known_features_claims_none(client, shops):
    data = book_data(client, make_book(title="Plain", isbn13=DEMO_ISBN))
    assert not {"accessMode", "accessModeSufficient", "additionalProperty"} & set(data)


def test_a_screen_reader_that_is_not_supported_is_no_access_mode(client, shops):
    book = make_book(title="Plain", screen_reader=Book.Supported.NOT_SUPPORTED)
    data = book_data(client, book)
    assert "accessModeSufficient" not in data
    assert data["additionalProperty"] == [
        {"@type": "PropertyValue", "name": "Screen Reader", "value": "Not supported"}
    ]


def test_offers_only_for_links_with_a_price_an_editor_gave(client, shops):
    book = make_book(title="The Last Battle", isbn13=DEMO_ISBN)
    assert "offers" not in book_data(client, book)  # links, but no price known: no offer
    BookShopLink.objects.create(
        book=book, shop=shops["bookshop-org"], price=Decimal("18.99"), currency="USD"
    )
    BookShopLink.objects.create(
        book=book, shop=shops["amazon"], hidden=True, price=Decimal(9), currency="USD"
    )
    assert book_data(client, book)["offers"] == [
        {
            "@type": "Offer",
            "price": "18.99",
            "priceCurrency": "USD",
            "url": "https://bookshop.org/book/9780306822087",
            "seller": {"@type": "Organization", "name": "Bookshop.org"},
        }
    ]


def test_a_disabled_shops_price_is_no_offer(client, shops):
    book = make_book(title="The Last Battle", isbn13=DEMO_ISBN)
    BookShopLink.objects.create(
        book=book, shop=shops["amazon"], price=Decimal("9.99"), currency="USD"
    )
    shops["amazon"].enabled = False
    shops["amazon"].save()
    assert "offers" not in book_data(client, book)
