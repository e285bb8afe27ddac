"""Search that forgives (issue 25), on SQLite and PostgreSQL alike: the exact title
first, typos in any word by the length rule, a place in a series, and a floor per class
of the relevance benchmark (bench/relevance.py) on a fixed sample of the real books, so
a change cannot quietly make search worse."""

import importlib.util
from pathlib import Path

import pytest

from catalogue import typos
from catalogue.importers import import_books
from catalogue.merging import merge_books
from catalogue.models import Book
from catalogue.search import search_books, suggest
from tests.factories import make_author, make_book
from tests.helpers import text_of

BENCH = Path(__file__).resolve().parents[2] / "bench" / "relevance.py"
_spec = importlib.util.spec_from_file_location("relevance_bench", BENCH)
relevance = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(relevance)


def titles(query: str) -> list[str]:
    return [book.title for book in search_books(query)]


@pytest.fixture
def shelf(db):
    collins = make_author(name="Suzanne Collins")
    books = {
        "hunger": make_book(title="The Hunger Games", authors=[collins], source_ratings_5=900,
                            series="The Hunger Games", series_number=1),
        "fire": make_book(title="Catching Fire", authors=[collins], source_ratings_5=800,
                          series="The Hunger Games", series_number=2),
        "mockingjay": make_book(title="Mockingjay", authors=[collins], source_ratings_5=700,
                                series="The Hunger Games", series_number=3),
        "cien": make_book(title="Cien años de soledad",
                          authors=[make_author(name="Gabriel García Márquez")]),
        "wuthering": make_book(title="Wuthering Heights",
                               authors=[make_author(name="Emily Brontë")]),
        "heretic": make_book(title="The Heretic's Daughter",
                             authors=[make_author(name="Kathleen Kent")]),
        "road": make_book(title="The Road", authors=[make_author(name="Cormac McCarthy")],
                          source_ratings_5=10),
        "love": make_book(title="Love", source_ratings_5=3),
        "dune": make_book(title="Dune", source_ratings_5=50),
        "dune_again": make_book(title="Dune", source_ratings_5=5000),
    }  # fmt: skip
    # Better read books that merely hold the words.
    for number, title in enumerate(["Love in the Time of Cholera", "Love, Rosie", "P.S. I Love"]):
        make_book(title=title, source_ratings_5=4000 + number)
    for number, title in enumerate(["Road to Ruin", "The Road Home", "Roadside Picnic"]):
        make_book(title=title, source_ratings_5=4000 + number)
    return books


# --- The exact title first --------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("love", "Love"),  # a one-word title that is a common word, the least read
        ("LOVE!", "Love"),
        ("cien anos de soledad", "Cien años de soledad"),  # accents folded
        ("the heretics daughter", "The Heretic's Daughter"),  # the apostrophe left out
        ("Wuthering Heights.", "Wuthering Heights"),
    ],
)
def test_a_query_that_is_a_books_title_finds_that_book_first(shelf, query, title):
    assert titles(query)[0] == title


def test_among_books_with_the_same_title_the_most_read_comes_first(shelf):
    assert search_books("dune")[:2] == [shelf["dune_again"], shelf["dune"]]


def test_title_words_without_their_little_words_find_the_book_first(shelf):
    assert titles("road")[0] == "The Road"
    assert titles("heretics daughter")[0] == "The Heretic's Daughter"


def test_a_series_and_a_number_find_that_book_of_the_series(shelf):
    assert titles("hunger games 2")[0] == "Catching Fire"
    assert titles("The Hunger Games #3")[0] == "Mockingjay"


# --- Typos in any word --------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("hungr games", "The Hunger Games"),  # a dropped letter
        ("hunger gamess", "The Hunger Games"),  # a doubled letter
        ("catcihng fire", "Catching Fire"),  # a swap
        ("mockingjat", "Mockingjay"),  # a wrong letter
        ("colins mockingjay", "Mockingjay"),  # a misspelt author with a title word
        ("suzanne colins catching", "Catching Fire"),
        ("wutehrng heights", "Wuthering Heights"),  # two typos in a long word
        ("garcia marquez soledda", "Cien años de soledad"),  # and no accents
    ],
)
def test_typos_in_any_word_still_find_the_book(shelf, query, title):
    assert titles(query)[0] == title


# Fifty words a reader never typed, four to nine letters, none in the catalogue.
NONSENSE = [f"xq{chr(97 + n % 26)}{chr(97 + n // 26)}" + "z" * (n % 6) for n in range(50)]


def test_a_long_query_looks_for_typos_in_its_four_longest_unknown_words(shelf, monkeypatch):
    """Fifty words with a changed letter kept the database busy for a second: the
    neighbours of every word were looked up."""
    asked = []
    every_neighbour = typos.one_typo_away
    monkeypatch.setattr(
        typos, "one_typo_away", lambda word: asked.append(word) or every_neighbour(word)
    )
    assert titles(" ".join(NONSENSE)) == []
    longest_of_first_sixteen = sorted(NONSENSE[:16], key=len, reverse=True)[:4]
    assert sorted(asked) == sorted(longest_of_first_sixteen)


def test_a_long_query_still_finds_the_book_its_first_words_name(shelf):
    assert titles("wutehrng heights " + " ".join(NONSENSE))[0] == "Wuthering Heights"
    # The words past the sixteenth are not read.
    assert titles(" ".join(NONSENSE[:16]) + " wuthering heights") == []


def test_a_short_word_is_taken_as_typed(shelf):
    """No typo under five letters: "dume" is not Dune (Typesense's and Meilisearch's rule)."""
    assert titles("dume") == []


def test_a_word_with_three_typos_finds_nothing(shelf):
    assert titles("wtuehrgn") == []  # Wuthering


def test_a_new_or_renamed_book_is_forgiven_its_typos_at_once(db):
    book = make_book(title="Quixotic Voyages")
    assert titles("quixotik voyages") == ["Quixotic Voyages"]
    book.title = "Labyrinthine Journeys"
    book.save()
    assert titles("labyrinthin journeys") == ["Labyrinthine Journeys"]
    book.delete()
    assert titles("labyrinthin journeys") == []


def test_an_imported_book_and_a_merged_authors_name_are_forgiven_typos(db):
    sample = Path(__file__).parent / "data" / "goodbooks_sample.csv"
    import_books(sample)
    first = Book.objects.order_by("pk").first()
    surname = first.author_names.split(", ")[0].split()[-1]
    typed = surname[:2] + surname[3:] if len(surname) >= 5 else surname
    assert first in search_books(typed)
    kept = make_book(title="Zanzibar Chronicles")
    duplicate = make_book(title="Zanzibar Chronicles", authors=[make_author(name="Ottoline Vesk")])
    merge_books(kept, [duplicate])
    assert titles("ottolina zanzibar") == ["Zanzibar Chronicles"]


# --- Nothing found is never a dead end ---------------------------------------------------


def test_nothing_found_offers_the_closest_titles_and_names(shelf):
    # No book has both words; each is in one: its title, or its author's name.
    assert "Wuthering Heights" in suggest("wuthering mccarthy")
    assert "Suzanne Collins" in suggest("colins marquez")


def test_the_search_page_offers_what_was_meant_when_nothing_matches(client, shelf):
    html = client.get("/search/", {"q": "wuthering mccarthy"}).content
    assert "No books match." in html.decode()
    links = text_of(html, ".search-suggestions a")
    assert "Wuthering Heights" in links


# --- A title with its author's name; more typos than a search forgives -------------------


@pytest.fixture
def tolkien(db):
    """The Hobbit and the books whose titles hold its word, read as goodbooks-10k has them."""
    tolkien = make_author(name="J.R.R. Tolkien")
    return {
        "hobbit": make_book(title="The Hobbit", authors=[tolkien], source_ratings_5=2000),
        "box": make_book(
            title="J.R.R. Tolkien 4-Book Boxed Set: The Hobbit and The Lord of the Rings",
            authors=[tolkien], source_ratings_5=94,
        ),
        "graphic": make_book(
            title="The Hobbit: Graphic Novel",
            authors=[make_author(name="Chuck Dixon"), tolkien], source_ratings_5=155,
        ),
        "rings": make_book(title="The Lord of the Rings", authors=[tolkien], source_ratings_5=500),
    }  # fmt: skip


@pytest.mark.parametrize("query", ["tolkein hobbit", "tolkien hobbit", "hobbit tolkien"])
def test_a_title_typed_with_its_authors_name_comes_before_a_box_set_holding_both(tolkien, query):
    """The box set's title has both words, the author's name among them, and ranked
    first: the novel whose every title word was typed is the book meant."""
    assert titles(query)[0] == "The Hobbit"


def test_a_word_with_more_typos_than_the_search_forgives_is_offered_what_it_meant(tolkien):
    """Two typos in an eight-letter word: the search forgives one, as Typesense does; the
    "did you mean" is not so strict."""
    assert titles("hobbbbit") == []
    assert suggest("hobbbbit")[0] == "The Hobbit"


def test_the_search_page_offers_the_hobbit_for_hobbbbit(client, tolkien):
    html = client.get("/search/", {"q": "hobbbbit"}).content
    assert "No books match." in html.decode()
    assert "The Hobbit" in text_of(html, ".search-suggestions a")


# --- A word in more books than are ranked -------------------------------------------------


def test_a_word_in_more_books_than_are_ranked_still_lists_its_most_read_first(db, monkeypatch):
    """At a million books a common word's matches are ranked from a bounded read (the
    first the index gives and those among the most read books, catalogue.search), never
    all of them: its best known books must still come first, after the exact title."""
    from catalogue import search

    monkeypatch.setattr(search, "RANKED_AT_MOST", 3)
    monkeypatch.setattr(search, "FOUND_AT_MOST", 3)
    monkeypatch.setattr(search, "MOST_READ", 4)
    for number in range(12):
        make_book(title=f"Tales of Winter {number}", source_ratings_5=1 + number)
    make_book(title="Winter", source_ratings_5=1)
    make_book(title="Summer Reading", source_ratings_5=9000)  # no "winter": not listed
    make_book(title="The Winter of Our Discontent", source_ratings_5=5000)
    make_book(title="Winter's Tale", source_ratings_5=4000)
    found = titles("winter")
    assert found[0] == "Winter"
    assert set(found[1:3]) == {"The Winter of Our Discontent", "Winter's Tale"}


# --- Floors of the relevance benchmark, on a fixed sample --------------------------------

# Per class, on the sample below: recall at 3 (the right book among the first three).
# Measured with some room (one query more may miss); the exact title must always be first.
FLOORS = {kind: 0.8 for kind in relevance.CLASSES}
SAMPLE_PER_CLASS = 12
CATALOGUE_ROWS = 1500  # the most read books of goodbooks-10k, as the others to rank against


@pytest.fixture
def real_books(db, tmp_path):
    """The first CATALOGUE_ROWS rows of goodbooks-10k imported, and their queries."""
    if not relevance.BOOKS_CSV.exists():
        pytest.skip(f"{relevance.BOOKS_CSV} is not here")
    path = tmp_path / "books.csv"
    with open(relevance.BOOKS_CSV, newline="", encoding="utf-8") as source:
        lines = source.readlines()[: CATALOGUE_ROWS + 1]
    path.write_text("".join(lines), encoding="utf-8")
    import_books(path)
    return relevance.make_queries(relevance.read_rows(path), SAMPLE_PER_CLASS)


def test_every_class_of_query_finds_its_book_above_a_floor(real_books):
    figures, misses = relevance.measure(real_books)
    below = {
        kind: (round(figures[kind].recall_at_3, 3), FLOORS[kind])
        for kind in relevance.CLASSES
        if kind in figures and figures[kind].recall_at_3 < FLOORS[kind]
    }
    assert not below, f"recall at 3 below its floor: {below}; missed: {misses}"
    assert figures["exact title"].recall_at_1 == 1.0, misses
    assert {query.kind for query in real_books} == set(relevance.CLASSES)
