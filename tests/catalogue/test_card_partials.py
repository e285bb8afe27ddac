"""A card's stars, shop links and addresses, put together rather than rendered and
reversed for each card (catalogue.cards.rating_html, shop_links_html, card_addresses):
what a reader gets is what the partials and get_absolute_url() give."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.template import Context
from django.template.loader import get_template
from django.urls import set_script_prefix
from stdnum import ean

from catalogue.cards import book_card_context, rating_context, rating_html, shop_links_html
from catalogue.models import Book
from catalogue.shops import BookShopLink, Shop, links_for
from tests.factories import make_article, make_author, make_book
from tests.helpers import text_of

default_shops = importlib.import_module("catalogue.migrations.0018_default_shops")

TITLES = [
    "The Odyssey",
    'Tom & Jerry\'s "Best" <Stories>',
    "Le Petit Prince: l’édition & co",
    "\ue000 made to look like a stand-in \ue0010\ue001",
]


@pytest.fixture
def shops(db):
    default_shops.add_default_shops(apps)
    return {shop.slug: shop for shop in Shop.objects.all()}


def rendered_partial(links, *, title: str, prominent: bool) -> str:
    """The partial rendered for one card, as the card included it before."""
    context = {"shop_links": links, "book": {"title": title}, "prominent": prominent}
    return get_template("includes/shop_links.html").template.render(Context(context))


@pytest.mark.parametrize("title", TITLES)
@pytest.mark.parametrize("prominent", [False, True])
@pytest.mark.parametrize("codes", [{}, {"amazon": "colophon-20"}])
def test_the_links_put_together_read_as_the_partial_renders_them(
    shops, settings, title, prominent, codes
):
    settings.AFFILIATE_CODES = codes
    article = make_article()
    book = make_book(title=title, isbn13="9780393089059")
    BookShopLink.objects.create(book=book, shop=shops["worldcat"], hidden=True)
    book = Book.objects.for_cards().get(pk=book.pk)
    for source in (None, article):
        links = links_for(book, source=source)
        html = shop_links_html(links, title=title, prominent=prominent)
        assert html == rendered_partial(links, title=title, prominent=prominent)
    names = text_of(html, ".shop-link")
    assert names == [
        f"Buy {title} at Bookshop.org",
        f"Buy {title} at Amazon",
        f"Borrow {title} at Open Library",
    ]
    assert (codes != {}) == ("Colophon earns a commission" in html)


def test_books_whose_links_differ_each_get_their_own(shops):
    with_isbn = Book.objects.for_cards().get(pk=make_book(isbn13="9780393089059").pk)
    without = Book.objects.for_cards().get(pk=make_book(isbn13="").pk)
    for book in (with_isbn, without, with_isbn):
        links = links_for(book)
        html = shop_links_html(links, title=book.title, prominent=False)
        assert html == rendered_partial(links, title=book.title, prominent=False)
        assert (f"/go/{book.pk}/" in html) == (book is with_isbn)
    # No identifier a shop's address needs: no links, and nothing said of them.
    assert shop_links_html(links_for(without), title=without.title, prominent=True).strip() == ""


def test_a_renamed_shop_is_named_on_the_next_card(shops):
    book = Book.objects.for_cards().get(pk=make_book(isbn13="9780393089059").pk)
    shop_links_html(links_for(book), title=book.title, prominent=False)
    shops["amazon"].name = "Amazon Books"
    shops["amazon"].save()
    book = Book.objects.for_cards().get(pk=book.pk)
    html = shop_links_html(links_for(book), title=book.title, prominent=False)
    assert f"Buy {book.title} at Amazon Books" in text_of(html, ".shop-link")


@pytest.mark.parametrize("prefix", ["/", "/colophon/"])
def test_a_card_links_its_book_and_authors_where_their_pages_are(db, prefix):
    author = make_author(name="Homer")
    other_script = make_author(name="Νίκος Καζαντζάκης")
    book = make_book(title="Οδύσσεια", authors=[author, other_script])
    plain = make_book(title="The Odyssey", authors=[author])
    set_script_prefix(prefix)
    try:
        for shown in Book.objects.for_cards().filter(pk__in=[book.pk, plain.pk]):
            context = book_card_context(shown)
            assert context["url"] == shown.get_absolute_url()
            assert [credit["url"] for credit in context["authors"]] == [
                credit.author.get_absolute_url() for credit in shown.credits
            ]
            assert context["url"].startswith(f"{prefix}books/")
    finally:
        set_script_prefix("/")


def test_a_card_names_each_role_but_an_authors_and_a_contributors(db):
    book = make_book(authors=[make_author(name="Homer")])
    for position, role in enumerate(["translator", "introduction", "contributor"], start=1):
        book.contributions.create(author=make_author(name=role.title()), role=role,
                                  position=position)  # fmt: skip
    context = book_card_context(Book.objects.for_cards().get(pk=book.pk))
    assert [(credit["name"], credit["role"]) for credit in context["others"]] == [
        ("Translator", "translator"),
        ("Introduction", "introduction"),
        ("Contributor", ""),
    ]
    assert [credit["role"] for credit in context["authors"]] == [""]


def test_a_page_of_cards_renders_the_shop_links_loop_once_for_links_of_one_shape(
    shops, monkeypatch
):
    from django.template import base as template_base

    isbns = [f"9780393089{n:02}" for n in range(6)]
    books = [make_book(isbn13=isbn + ean.calc_check_digit(isbn)) for isbn in isbns]
    lookups = []
    resolve = template_base.Variable._resolve_lookup

    def noted(variable, context):
        lookups.append(variable.var)
        return resolve(variable, context)

    monkeypatch.setattr(template_base.Variable, "_resolve_lookup", noted)
    card = get_template("includes/book_card.html")
    for book in Book.objects.for_cards().filter(pk__in=[book.pk for book in books]):
        html = card.render(book_card_context(book))
        assert f"Buy {book.title} at Amazon" in text_of(html, ".shop-link")
    # Four links a card, six cards: the partial's loop ran for one card at most.
    assert lookups.count("link.url") <= 4


def test_a_shop_named_with_a_stand_ins_character_is_named_as_it_is(shops):
    shops["amazon"].name = "Amazon \ue0010\ue001 \ue000"
    shops["amazon"].save()
    book = Book.objects.for_cards().get(pk=make_book(isbn13="9780393089059").pk)
    links = links_for(book)
    html = shop_links_html(links, title=book.title, prominent=False)
    assert html == rendered_partial(links, title=book.title, prominent=False)


@pytest.mark.parametrize(
    "figures",
    [
        {},
        {"editor_rating": Decimal("4.4")},
        {"source_ratings_5": 760, "source_ratings_1": 27, "rating_source": "Goodreads"},
        {"source_ratings_4": 10, "rating_source": "Goodreads & <Co>", "ratings_5": 1},
        {"source_ratings_3": 1, "rating_source": "\ue0000\ue000 made to look like a stand-in"},
    ],
)
def test_the_stars_put_together_read_as_the_partial_renders_them(db, figures):
    rating = rating_context(make_book(**figures))
    html = rating_html(rating)
    assert html == get_template("includes/rating_stars.html").render({"rating": rating})
    assert text_of(html, ".visually-hidden, .rating__none") == [
        rating["spoken"] if rating["shown"] else "No ratings yet"
    ]


def test_a_text_that_is_html_already_is_put_in_as_the_template_would(db):
    from django.utils.safestring import mark_safe

    rating = rating_context(make_book(source_ratings_4=3, rating_source="Goodreads"))
    rating["summary"] = mark_safe("3 ratings on <abbr>GR</abbr> &amp; more")
    html = rating_html(rating)
    assert html == get_template("includes/rating_stars.html").render({"rating": rating})
    assert "<abbr>GR</abbr> &amp; more" in html
