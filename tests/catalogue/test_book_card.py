from decimal import Decimal

import pytest
from django.template import Context, Template

from catalogue.cards import star_shapes
from catalogue.models import Book
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
