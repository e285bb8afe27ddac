"""The catalogue as a reader browses it: list, filters, book and author pages."""

from decimal import Decimal

import pytest

from catalogue.models import Book
from tests.factories import make_article, make_author, make_book
from tests.helpers import text_of


@pytest.fixture
def shelf(db):
    tolkien = make_author(name="J.R.R. Tolkien")
    homer = make_author(name="Homer")
    return {
        "hobbit": make_book(title="The Hobbit", language="en", publication_year=1937,
                            source_ratings_5=8, source_ratings_4=2, authors=[tolkien]),
        "fellowship": make_book(title="The Fellowship of the Ring", language="en",
                                publication_year=1954, series="The Lord of the Rings",
                                series_number=Decimal(1), source_ratings_4=10, authors=[tolkien]),
        "towers": make_book(title="The Two Towers", language="en", publication_year=1954,
                            series="The Lord of the Rings", series_number=Decimal(2),
                            source_ratings_3=5, authors=[tolkien]),
        "iliad": make_book(title="The Iliad", language="grc", publication_year=-750,
                           source_ratings_2=3, authors=[homer]),
        "unrated": make_book(title="Unrated Notes", language="fr", publication_year=2001),
    }  # fmt: skip


def titles(client, query: str = "") -> list[str]:
    response = client.get(f"/books/{query}")
    assert response.status_code == 200
    return text_of(response.content, ".book-card__title")


def test_books_are_listed_by_title(client, shelf):
    assert titles(client) == [
        "The Fellowship of the Ring", "The Hobbit", "The Iliad", "The Two Towers", "Unrated Notes",
    ]  # fmt: skip


def test_filter_by_language_author_year_and_rating(client, shelf):
    assert titles(client, "?language=grc") == ["The Iliad"]
    assert titles(client, "?author=tolkien&sort=oldest") == [
        "The Hobbit", "The Fellowship of the Ring", "The Two Towers",
    ]  # fmt: skip
    assert titles(client, "?year_min=-800&year_max=1940&sort=oldest") == ["The Iliad", "The Hobbit"]
    assert titles(client, "?min_rating=4") == ["The Fellowship of the Ring", "The Hobbit"]


def test_sort_by_rating_and_by_number_of_ratings(client, shelf):
    assert titles(client, "?sort=rating")[:4] == [
        "The Hobbit", "The Fellowship of the Ring", "The Two Towers", "The Iliad",
    ]  # fmt: skip
    assert titles(client, "?sort=ratings")[:2] == ["The Hobbit", "The Fellowship of the Ring"]


def test_the_language_filter_offers_languages_by_name(client, shelf):
    options = text_of(client.get("/books/").content, "#id_language option")
    assert options == ["Any language", "Ancient Greek (to 1453)", "English", "French"]


@pytest.mark.parametrize(
    "query", ["?year_min=x", "?min_rating=banana", "?sort=drop+table", "?language=zz"]
)
def test_a_bad_parameter_is_ignored_with_a_note(client, shelf, query):
    response = client.get(f"/books/{query}")
    assert response.status_code == 200
    assert len(text_of(response.content, ".book-card")) == 5
    assert "This filter was ignored." in text_of(response.content, ".notice")[0]


@pytest.mark.parametrize("page", ["abc", "999999", "-1", "0"])
def test_a_page_that_does_not_exist_is_a_404(client, shelf, page):
    assert client.get(f"/books/?page={page}").status_code == 404


def test_pages_keep_the_filters(client, db):
    for number in range(30):
        make_book(title=f"Volume {number:02d}", language="en")
    html = client.get("/books/?language=en&page=2").content
    assert len(text_of(html, ".book-card")) == 6
    assert 'href="?language=en&amp;page=1"' in html.decode()


def count_queries(client, django_assert_max_num_queries, url: str) -> int:
    client.get(url)  # warm the cached language list
    with django_assert_max_num_queries(50) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        # capped count, the page's ids (off the index), those books, their credits, their
        # own shop links (one query for all the cards' buy and borrow links)
        ("/books/?language=en&sort=rating", 5),
        # the book, what names it (its subjects and authors, the newest articles about
        # it with their count, the published reading lists it is on: one statement),
        # the other books it lists (its series' volumes, the newest by its authors, the
        # related books' signals: one statement), then every card on the page (the
        # book's own too), then their credits and their shop links (one statement; the
        # shops themselves come from the cache); the per-visitor rating form takes the
        # book the view read
        ("/books/the-fellowship-of-the-ring/", 5),
        # author, the ids of their books, count, page of books, their credits, their shop links
        ("/authors/jrr-tolkien/", 5),
    ],
)
def test_pages_run_a_known_number_of_queries(
    client, shelf, django_assert_num_queries, url, queries
):
    client.get(url)
    with django_assert_num_queries(queries):
        client.get(url)


def test_list_query_count_does_not_grow_with_the_page(client, db, django_assert_max_num_queries):
    author = make_author(name="Prolific")
    make_book(title="Alone", authors=[author])
    one = count_queries(client, django_assert_max_num_queries, "/books/")
    for number in range(30):
        make_book(title=f"Another {number}", authors=[author])
    assert count_queries(client, django_assert_max_num_queries, "/books/") == one


def test_book_page_query_count_does_not_grow(client, db, django_assert_max_num_queries):
    author = make_author(name="Prolific")
    book = make_book(title="Main", series="Saga", series_number=1, authors=[author])
    make_book(title="Saga 0", series="Saga", series_number=0, authors=[author])
    make_book(title="Other", authors=[author])
    make_article(title="About it", body="[[book:main]]")
    one = count_queries(client, django_assert_max_num_queries, book.get_absolute_url())
    for number in range(12):
        make_book(title=f"Saga {number}", series="Saga", series_number=number + 2, authors=[author])
        make_book(title=f"Other {number}", authors=[author])
        make_article(title=f"Also about it {number}", body="[[book:main]]")
    assert count_queries(client, django_assert_max_num_queries, book.get_absolute_url()) == one


def test_author_page_query_count_does_not_grow(client, db, django_assert_max_num_queries):
    author = make_author(name="Prolific")
    make_book(title="First", authors=[author])
    one = count_queries(client, django_assert_max_num_queries, author.get_absolute_url())
    for number in range(20):
        make_book(title=f"Next {number}", authors=[author])
    assert count_queries(client, django_assert_max_num_queries, author.get_absolute_url()) == one


def test_book_page_shows_histogram_series_other_books_and_articles(client, shelf):
    make_article(title="Reading Tolkien", body="[[book:the-fellowship-of-the-ring]]")
    html = client.get(shelf["fellowship"].get_absolute_url()).content
    assert text_of(html, "#book-series + ol li") == ["The Two Towers #2"]
    assert text_of(html, "#book-others + ul .book-card__title") == ["The Hobbit"]
    assert text_of(html, "#book-articles + ul .teaser__title") == ["Reading Tolkien"]
    assert text_of(html, ".histogram__table th") == [
        "5 stars", "4 stars", "3 stars", "2 stars", "1 star",
    ]  # fmt: skip
    assert text_of(html, ".histogram__count") == ["0", "10", "0", "0", "0"]
    assert "The Lord of the Rings #1" in text_of(html, ".book__facts", " ")[0]


def test_author_page_lists_the_authors_books(client, shelf):
    html = client.get("/authors/jrr-tolkien/").content
    assert text_of(html, "h1") == ["J.R.R. Tolkien"]
    assert sorted(text_of(html, ".book-card__title")) == [
        "The Fellowship of the Ring", "The Hobbit", "The Two Towers",
    ]  # fmt: skip


def test_an_author_of_drafts_alone_has_no_page_yet(client, db):
    """Their name would announce a book the desk holds back; the sitemap names them not."""
    author = make_author(name="Embargoed Novelist")
    book = make_book(title="Not Yet Announced", authors=[author], status=Book.Status.DRAFT)
    page = client.get(f"/authors/{author.slug}/")
    assert page.status_code == 404
    assert "Embargoed Novelist" not in page.content.decode()
    Book.objects.filter(pk=book.pk).update(status=Book.Status.PUBLISHED)
    assert text_of(client.get(f"/authors/{author.slug}/").content, "h1") == ["Embargoed Novelist"]


def test_withdrawn_books_are_neither_listed_nor_shown(client, shelf):
    Book.objects.filter(pk=shelf["hobbit"].pk).update(status=Book.Status.WITHDRAWN)
    assert "The Hobbit" not in titles(client)
    assert client.get(shelf["hobbit"].get_absolute_url()).status_code == 404


def test_books_without_rating_or_year_sort_last_both_ways(client, shelf):
    make_book(title="Undated")
    assert set(titles(client, "?sort=rating")[-2:]) == {"Undated", "Unrated Notes"}
    assert titles(client, "?sort=newest")[-1] == "Undated"
    assert titles(client, "?sort=oldest")[-1] == "Undated"


def test_related_books_come_from_shared_articles_subjects_and_readers(
    client, db, django_capture_on_commit_callbacks
):
    from catalogue.models import Subject
    from catalogue.ratings import Reader, rate

    main = make_book(title="Main")
    make_book(title="Discussed together")
    same_subject = make_book(title="Same subject")
    liked = make_book(title="Liked by the same readers")
    make_book(title="Unrelated")
    make_article(title="Both", body="[[book:main]]\n\n[[book:discussed-together]]")
    war = Subject.objects.create(name="War")
    main.subjects.add(war)
    same_subject.subjects.add(war)
    for n in range(3):
        rate(book=liked, reader=Reader(visitor=f"fan{n}"), score=4)
    # The rating refreshes what the book's readers also liked, in the background.
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            rate(book=main, reader=Reader(visitor=f"fan{n}"), score=5)
    html = client.get(main.get_absolute_url()).content
    assert text_of(html, "#book-similar + ul .book-card__title") == [
        "Discussed together", "Same subject", "Liked by the same readers",
    ]  # fmt: skip


def test_two_fans_in_common_are_not_enough(client, db):
    from catalogue.ratings import Reader, rate

    main, other = make_book(title="Main"), make_book(title="Other")
    for n in range(2):
        rate(book=main, reader=Reader(visitor=f"fan{n}"), score=5)
        rate(book=other, reader=Reader(visitor=f"fan{n}"), score=5)
    assert text_of(client.get(main.get_absolute_url()).content, "#book-similar") == []


def test_sorting_alone_is_not_filtering(client, shelf):
    summary = text_of(client.get("/books/?sort=rating").content, ".page-summary")[0]
    assert summary == "5 books in the catalogue."


def test_books_with_alike_titles_are_related_last(client, db):
    main = make_book(title="The Oxford Handbook of Voice Perception")
    make_book(title="Handbook of Speech Perception")  # its two longest words, Perception
    make_book(title="A Handbook of Knots")  # and Handbook; this one shares only one
    html = client.get(main.get_absolute_url()).content
    assert text_of(html, "#book-similar + ul .book-card__title") == [
        "Handbook of Speech Perception"
    ]


def test_a_draft_does_not_reveal_which_books_it_pairs(client, db):
    main = make_book(title="Main")
    make_book(title="Other")
    make_article(title="Unpublished", body="[[book:main]]\n\n[[book:other]]", status="draft")
    assert text_of(client.get(main.get_absolute_url()).content, "#book-similar") == []


def test_an_authors_books_come_series_together_in_order(client, db):
    author = make_author(name="Prolific")
    for title, series, number in [
        ("Zebra", "", None),
        ("Second", "Saga", 2),
        ("Tenth", "Saga", 10),
        ("First", "Saga", 1),
        ("apple", "", None),
        ("Unnumbered", "Saga", None),
    ]:
        make_book(title=title, series=series, series_number=number, authors=[author])
    make_book(title="Hidden", authors=[author], status="draft")
    html = client.get(author.get_absolute_url()).content
    assert text_of(html, ".book-card__title") == [
        "apple", "Zebra", "First", "Second", "Tenth", "Unnumbered",
    ]  # fmt: skip
