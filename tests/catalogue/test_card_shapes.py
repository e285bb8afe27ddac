"""A book's card rendered once per shape and filled with its own texts
(catalogue.card_shapes) reads as the card's partial renders it, whatever the book:
its cover (drawn, imported, uploaded, with renditions), credits, facts, ratings, links,
and texts that HTML or the stand-ins' own character would break; and a series' list."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.template.loader import get_template, render_to_string

from catalogue import card_shapes
from catalogue.book_page import series_entries, series_list
from catalogue.card_shapes import card_html
from catalogue.cards import book_card_context
from catalogue.models import Book, Contribution
from catalogue.other_books import Volume
from catalogue.shops import BookShopLink, Shop
from tests.factories import make_author, make_book
from tests.helpers import text_of

default_shops = importlib.import_module("catalogue.migrations.0018_default_shops")


def as_the_partial_renders_it(book: Book) -> str:
    return get_template("includes/book_card.html").render(book_card_context(book))


@pytest.fixture
def books(db):
    default_shops.add_default_shops(apps)
    amazon = Shop.objects.get(slug="amazon")
    made = [
        make_book(title="Drawn, nobody credited"),
        make_book(title='Tom & Jerry\'s "Best" <Stories>', authors=[make_author(name="A & B")]),
        make_book(title="\ue000 made to look like a stand-in \ue0000\ue000", language="fr"),
        make_book(
            title="Imported",
            subtitle="With a subtitle",
            cover_url="https://images.example.com/m/1.jpg",
            isbn13="9780393089059",
            source_ratings_4=1500,
            rating_source="Goodreads",
            language="en",
            file_size_kb=2048,
            print_length=1,
            text_to_speech=Book.Enabled.ENABLED,
        ),
        make_book(title="Rated by the editor", editor_rating=Decimal("4.0"), print_length=320),
        make_book(
            title="Renditions",
            cover_renditions={
                str(width): {
                    "webp": f"covers/renditions/9-{width}.webp",
                    "jpeg": f"covers/renditions/9-{width}.jpg",
                    "height": width * 3 // 2,
                }
                for width in (160, 320, 1200)
            },
            ratings_5=3,
            source_ratings_1=2,
            rating_source="Goodreads",
        ),
        make_book(title="Uploaded, no renditions yet"),
    ]
    # Cleaned covers' names, as the worker leaves them (no file read: no upload here).
    for book, width in [(made[5], 1200), (made[6], 800)]:
        Book.objects.filter(pk=book.pk).update(
            cover=f"covers/{book.pk}.jpg", cover_width=width, cover_height=width * 3 // 2
        )
    translated = made[2]
    for position, (name, role) in enumerate(
        [("René", "author"), ("Anthea", "translator"), ("Jo", "contributor"), ("Al", "author")]
    ):
        Contribution.objects.create(
            book=translated, author=make_author(name=name), role=role, position=position
        )
    BookShopLink.objects.create(book=made[3], shop=amazon, hidden=True)
    return list(Book.objects.for_cards().in_bulk([book.pk for book in made]).values())


def test_each_card_reads_as_the_partial_renders_it(books):
    for book in [*books, *books]:  # the second time, their shapes are rendered already
        assert card_html(book) == as_the_partial_renders_it(book), book.title
    titles = [text_of(card_html(book), ".book-card__title")[0] for book in books]
    assert "Imported: With a subtitle" in titles
    assert 'Tom & Jerry\'s "Best" <Stories>' in titles


def test_the_demos_cards_read_as_the_partial_renders_them(demo):
    for book in Book.objects.for_cards():
        assert card_html(book) == as_the_partial_renders_it(book), book.title


def test_a_value_it_cannot_take_apart_fails_loudly(books, monkeypatch):
    """A context given something the card's partial might read, but no text nor list:
    never a card silently missing it."""
    real = card_shapes.book_card_context

    def with_an_object(book):
        return {**real(book), "publisher": object()}

    monkeypatch.setattr(card_shapes, "book_card_context", with_an_object)
    with pytest.raises(TypeError, match="object"):
        card_html(books[0])


def test_a_series_list_reads_as_its_partial_renders_it(db):
    volumes = [
        Volume(1, "first", "First <& last>", Decimal("1")),
        Volume(2, "half", "Half", Decimal("2.5")),
        Volume(3, "extra", "Extra", None),
        Volume(4, "tenth", "Tenth", Decimal("10")),
    ]
    for shown in (volumes, volumes[1:], volumes):
        expected = render_to_string("includes/series_list.html", {"books": series_entries(shown)})
        assert series_list(shown) == expected
    assert text_of(series_list(volumes), "li") == [
        "First <& last> #1", "Half #2.5", "Extra", "Tenth #10",
    ]  # fmt: skip
