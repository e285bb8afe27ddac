from decimal import Decimal

import pytest
from django.template import Context, Template, loader_tags
from django.template import base as template_base

from catalogue.cards import star_shapes
from catalogue.models import Book
from catalogue.shops import Shop
from tests.factories import make_author, make_book
from tests.helpers import text_of


def render_card(book) -> str:
    return Template("{% load catalogue_tags %}{% book_card book %}").render(Context({"book": book}))


@pytest.mark.parametrize(
    ("average", "glyphs"),
    [
        ("4.4", ["full"] * 4 + ["half"]),
        ("4.2", ["full"] * 4 + ["empty"]),
        ("4.8", ["full"] * 5),
        ("1.0", ["full"] + ["empty"] * 4),
        ("2.7", ["full"] * 2 + ["half"] + ["empty"] * 2),
    ],
)
def test_stars_have_half_star_precision(average, glyphs):
    assert star_shapes(Decimal(average)) == glyphs


@pytest.mark.django_db
def test_card_shows_rating_text_count_and_source():
    book = make_book(
        source_ratings_5=760,
        source_ratings_4=280,
        source_ratings_3=90,
        source_ratings_2=30,
        source_ratings_1=27,
        rating_source="Goodreads",
    )
    html = render_card(book)
    assert text_of(html, ".rating [aria-hidden]") == [
        "★★★★☆ 4.4 out of 5 (1,187 ratings on Goodreads)"
    ]
    assert text_of(html, ".rating .visually-hidden") == [
        "Rated 4.4 out of 5 by 1,187 readers on Goodreads"
    ]


@pytest.mark.django_db
def test_the_editors_rating_shows_as_theirs_with_no_count_or_source():
    html = render_card(make_book(editor_rating=Decimal("4.4")))
    assert text_of(html, ".rating [aria-hidden]") == ["★★★★☆ 4.4 out of 5 (the editor’s rating)"]
    assert text_of(html, ".rating .visually-hidden") == ["Rated 4.4 out of 5 by the editor"]


@pytest.mark.django_db
def test_readers_ratings_take_the_place_of_the_editors():
    book = make_book(editor_rating=Decimal("4.4"), ratings_2=1, ratings_3=1)
    assert text_of(render_card(book), ".rating [aria-hidden]") == ["★★☆☆☆ 2.5 out of 5 (2 ratings)"]
    published = make_book(
        editor_rating=Decimal("4.4"), source_ratings_5=3, rating_source="Goodreads"
    )
    assert "5.0 out of 5 (3 ratings on Goodreads)" in text_of(render_card(published), ".rating")[0]


@pytest.mark.django_db
def test_card_says_where_mixed_figures_come_from():
    book = make_book(source_ratings_4=10, rating_source="Goodreads", ratings_5=2)
    assert "12 ratings: 10 on Goodreads, 2 on Colophon" in text_of(render_card(book), ".rating")[0]


@pytest.mark.django_db
def test_a_book_nobody_rated_says_so_instead_of_showing_stars():
    html = render_card(make_book())
    assert text_of(html, ".rating") == ["No ratings yet"]
    assert "★" not in html and "☆" not in html


@pytest.mark.django_db
def test_card_details_show_only_known_fields():
    book = make_book(language="en", print_length=258, word_wise=Book.Enabled.NOT_ENABLED)
    details = text_of(render_card(book), ".book-card__details div", " ")
    assert details == ["Language English", "Word Wise Not enabled", "Print length 258 pages"]


@pytest.mark.django_db
def test_card_names_authors_with_roles_and_links_the_title():
    author = make_author(name="Homer")
    book = make_book(title="The Odyssey", authors=[author])
    translator = make_author(name="Emily Wilson")
    book.contributions.create(author=translator, role="translator", position=1)
    html = render_card(Book.objects.for_cards().get(pk=book.pk))
    assert text_of(html, ".book-card__authors") == ["by Homer; with Emily Wilson (translator)"]
    assert f'href="{book.get_absolute_url()}"' in html


@pytest.mark.django_db
def test_contributors_without_a_known_role_are_credited_after_the_authors():
    book = make_book(title="Harry Potter", authors=[make_author(name="J.K. Rowling")])
    book.contributions.create(
        author=make_author(name="Mary GrandPré"), role="contributor", position=1
    )
    html = render_card(Book.objects.for_cards().get(pk=book.pk))
    assert text_of(html, ".book-card__authors") == ["by J.K. Rowling; with Mary GrandPré"]


@pytest.mark.django_db
def test_a_book_without_cover_gets_a_generated_one_with_its_title():
    html = render_card(make_book(title="Untitled Journeys"))
    assert text_of(html, ".cover--generated .cover__title") == ["Untitled Journeys"]
    assert 'role="img"' in html and 'aria-label="Cover of Untitled Journeys"' in html


@pytest.mark.django_db
def test_a_drawn_cover_cuts_a_long_title_and_names_the_first_credit():
    title = "A Very Long Title " * 5
    book = make_book(title=title.strip())
    book.contributions.create(author=make_author(name="Emily Wilson"), role="translator")
    html = render_card(Book.objects.for_cards().get(pk=book.pk))
    assert text_of(html, ".cover__title") == [title[:59].strip() + "…"]
    assert text_of(html, ".cover__author") == ["Emily Wilson"]


@pytest.mark.django_db
def test_one_page_and_a_file_size_are_written_out():
    book = make_book(language="fr", print_length=1, file_size_kb=2048)
    details = text_of(render_card(book), ".book-card__details div", " ")
    assert details == ["Language French", "File size 2048 KB", "Print length 1 page"]


@pytest.fixture
def two_shops(db):
    """One shop to buy from and one to borrow through, whatever the migration made."""
    for default in Shop.objects.filter(enabled=True):
        default.enabled = False
        default.save()
    pattern = "https://shop.example/{isbn13}"
    Shop.objects.create(name="Buy here", slug="buy-here", url_pattern=pattern)
    Shop.objects.create(name="Borrow here", slug="borrow-here", kind="borrow", url_pattern=pattern)


def test_a_card_lays_out_ready_words_with_no_filter_method_or_cover_partial(two_shops, monkeypatch):
    # A page shows dozens of cards, and each lookup, filter and include in their
    # templates is paid on each: book_card_context makes the words once, in Python.
    book = make_book(
        title="The Odyssey", isbn13="9780393089059", language="en", print_length=600,
        source_ratings_5=10, rating_source="Goodreads", ratings_4=2,
    )  # fmt: skip
    book.contributions.create(author=make_author(name="Homer"), position=0)
    book.contributions.create(author=make_author(name="Emily Wilson"), role="translator")
    book = Book.objects.for_cards().get(pk=book.pk)
    lookups, filtered, includes = [], [], []
    watch(monkeypatch, template_base.Variable, "_resolve_lookup", lookups, lambda v: v.var)
    watch(monkeypatch, template_base.FilterExpression, "resolve", filtered,
          lambda expression: expression.token if expression.filters else None)  # fmt: skip
    watch(monkeypatch, loader_tags.IncludeNode, "render", includes, lambda n: n.template.var)
    html = render_card(book)
    assert text_of(html, ".book-card__authors") == ["by Homer; with Emily Wilson (translator)"]
    assert len(lookups) <= 60  # 74 when the templates worked the words out
    # Of the book itself, only its title, in the shop links' spoken names (a partial
    # the foot of an article shares, rendered once for links of the same shape); no
    # method of a book, credit or author is called.
    assert {name for name in lookups if name.startswith("book.")} <= {"book.title"}
    assert [token for token in filtered if token] == []
    assert includes == []
    assert text_of(html, ".shop-link") == ["Buy The Odyssey at Buy here",
                                           "Borrow The Odyssey at Borrow here"]  # fmt: skip


def watch(monkeypatch, cls, name: str, calls: list, what) -> None:
    """`cls.name` notes `what(node)` in `calls` each time, then does its work."""
    method = getattr(cls, name)

    def noted(node, *args, **kwargs):
        calls.append(what(node))
        return method(node, *args, **kwargs)

    monkeypatch.setattr(cls, name, noted)
