"""The book list's title and author filters as a reader sees them, on either database:
words of 3 letters or more are looked for inside titles and names (case and accents
aside, any order), shorter ones are left out and said to be, a filter with none is
refused with the list still shown; and a filtered list is paged in bounded time."""

import pytest

from catalogue import filtered_paging
from tests.factories import make_author, make_book
from tests.helpers import text_of


@pytest.fixture
def shelf(db):
    tolkien = make_author(name="J.R.R. Tolkien")
    garcia = make_author(name="Gabriel García Márquez")
    for title, authors in [
        ("The Hobbit", [tolkien]),
        ("The Lord of the Rings", [tolkien]),
        ("Cien años de soledad", [garcia]),
        ("100% Pure", []),
        ("1000 Reasons", []),
        ("Snake_case Guide", []),
    ]:
        make_book(title=title, authors=authors)


def listed(client, query: str) -> tuple[list[str], list[str]]:
    """The titles listed and the notes above them."""
    response = client.get(f"/books/?{query}")
    assert response.status_code == 200
    return text_of(response.content, ".book-card__title"), text_of(response.content, ".notice li")


EVERY_BOOK = [
    "100% Pure", "1000 Reasons", "Cien años de soledad", "Snake_case Guide", "The Hobbit",
    "The Lord of the Rings",
]  # fmt: skip


@pytest.mark.parametrize(
    ("query", "typed"),
    [("q=z", "z"), ("q=zq", "zq"), ("q=of+it", "of it"), ("q=%25", "%"), ("q=__", "__"),
     ("q=%5C", "\\"), ("q=%25%25%25", "%%%"), ("q=___", "___"), ("q=50%25", "50%")],
)  # fmt: skip
def test_a_title_filter_without_a_word_of_3_letters_is_refused_and_the_list_shown(
    client, shelf, query, typed
):
    titles, notes = listed(client, query)
    assert titles == EVERY_BOOK
    assert notes == [
        f"Title contains: “{typed}” is too short to look for: type a word of at least 3 "
        "letters. This filter was ignored."
    ]


def test_the_refused_filter_stays_in_its_box(client, shelf):
    html = client.get("/books/?author=q&q=z").content.decode()
    assert 'name="q" value="z"' in html and 'name="author" value="q"' in html
    assert text_of(html, ".notice li") == [
        "Title contains: “z” is too short to look for: type a word of at least 3 letters. "
        "This filter was ignored.",
        "Author: “q” is too short to look for: type a word of at least 3 letters. "
        "This filter was ignored.",
    ]


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("q=obb", ["The Hobbit"]),  # 3 letters, inside a word
        ("q=HOBBIT", ["The Hobbit"]),
        ("q=años", ["Cien años de soledad"]),
        ("q=anos", ["Cien años de soledad"]),  # accents aside
        ("q=AÑOS", ["Cien años de soledad"]),
        ("author=tolkien", ["The Hobbit", "The Lord of the Rings"]),
        ("author=marquez", ["Cien años de soledad"]),
        ("author=Márquez&q=soledad", ["Cien años de soledad"]),
    ],
)
def test_a_word_of_3_letters_or_more_is_looked_for_as_typed(client, shelf, query, titles):
    assert listed(client, query) == (titles, [])


def test_words_are_looked_for_in_any_order_and_short_ones_left_out_said_so(client, shelf):
    assert listed(client, "q=lord+of+the+rings") == (
        ["The Lord of the Rings"],
        ["Title contains “lord of the rings”: showing titles that contain “lord”, “the” "
         "and “rings”, in any order. “of” was left out: a word needs at least 3 letters."],
    )  # fmt: skip
    assert listed(client, "q=rings+lord") == (
        ["The Lord of the Rings"],
        ["Title contains “rings lord”: showing titles that contain “rings” and “lord”, "
         "in any order."],
    )  # fmt: skip
    assert listed(client, "author=j+r+r+tolkien") == (
        ["The Hobbit", "The Lord of the Rings"],
        ["Author “j r r tolkien”: showing books whose authors’ names contain “tolkien”. "
         "“j” and “r” were left out: a word needs at least 3 letters."],
    )  # fmt: skip


def test_wildcards_and_punctuation_are_no_part_of_a_word(client, shelf):
    # "%", "_" and "\\" part words, as spaces do: "100%" is the word "100".
    assert listed(client, "q=100%25") == (
        ["100% Pure", "1000 Reasons"],
        ["Title contains “100%”: showing titles that contain “100”."],
    )
    assert listed(client, "q=snake_case")[0] == ["Snake_case Guide"]
    # As LIKE patterns, "h_bb_t" and "ho%it" would have found The Hobbit alone: here
    # they hold no word of 3 letters, and are refused.
    assert listed(client, "q=h_bb_t")[0] == EVERY_BOOK
    assert listed(client, "q=ho%25it")[0] == EVERY_BOOK
    assert listed(client, "q=%5Cobbit")[0] == ["The Hobbit"]  # "obbit"


def test_a_list_of_more_matches_than_its_pages_hold_says_it_shows_those_found_first(
    client, db, monkeypatch
):
    monkeypatch.setattr(filtered_paging.FilteredPaginator, "max_pages", 1)
    for number in range(30):
        make_book(title=f"Volume {number:02d}", language="en")
    html = client.get("/books/?q=volume&sort=title").content
    assert text_of(html, ".page-summary") == [
        "More than 24 books match: the first 24 found are listed here, sorted as chosen; "
        "add a word or another filter to narrow them."
    ]
    titles = text_of(html, ".book-card__title")
    assert len(titles) == 24 and titles == sorted(titles)
    assert client.get("/books/?q=volume&page=2").status_code == 404
    # Other filters page in the list's true order, as far as their pages go.
    html = client.get("/books/?language=en&sort=title").content
    assert text_of(html, ".book-card__title")[:2] == ["Volume 00", "Volume 01"]
    assert client.get("/books/?language=en&page=2").status_code == 404
    assert client.get("/books/?page=2").status_code == 200  # the whole list goes on


@pytest.mark.parametrize(
    "query", ["q=hobbit", "author=tolkien&sort=newest", "q=the&author=tolkien&sort=rating"]
)
def test_word_filters_run_as_many_queries_as_the_other_filters(
    client, shelf, django_assert_num_queries, query
):
    client.get(f"/books/?{query}")  # the cached language list and shops
    # the matches found (their count), the page's ids, those books, their credits and
    # their shop links
    with django_assert_num_queries(5):
        assert client.get(f"/books/?{query}").status_code == 200
