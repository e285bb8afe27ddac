"""No page's query count grows with the catalogue (issue 13).

Each public page is read over a small catalogue, then again after many more books,
ratings, articles and authors have joined the very things it shows (the book's series,
subjects, authors and fans; the author's list; the search's matches; the sitemap's
sections): the number of SQL queries must be the same. A page whose count grows makes
a query per row somewhere, and at a million books that is the page that times out.
"""

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Topic
from catalogue.models import Book, ReadingList, ReadingListItem, Subject
from catalogue.ratings import Reader, rate
from catalogue.shops import BookShopLink, Shop
from tests.factories import make_article, make_author, make_book

MORE = 30  # of each thing the pages show, added between the two counts
BOOKS_PER_PAGE = 24


@pytest.fixture
def catalogue(db):
    """A book with everything a book page shows, every list on it already non-empty:
    authors with other books (more than a page of them), a series, subjects, readers'
    ratings (who liked other books too), an article that embeds it, under a topic."""
    collins = make_author(name="Suzanne Collins")
    translator = make_author(name="Ana Martínez")
    fiction, young_adult = (Subject.objects.create(name=n) for n in ("Fiction", "Young Adult"))
    topic = Topic.objects.create(name="Dystopia")
    book = make_book(
        title="The Hunger Games", isbn13="9780439023481", language="en", publication_year=2008,
        series="The Hunger Games", series_number=Decimal(1), source_ratings_5=40,
        source_ratings_4=20, authors=[collins, translator],
    )  # fmt: skip
    book.subjects.set([fiction, young_adult])
    sequel = make_book(
        title="Catching Fire", language="en", series="The Hunger Games",
        series_number=Decimal(2), authors=[collins],
    )  # fmt: skip
    sequel.subjects.set([fiction])
    neighbour = make_book(
        title="Divergent", language="en", authors=[make_author(name="Veronica Roth")]
    )
    neighbour.subjects.set([young_adult])
    for number in range(3):
        reader = Reader(visitor=f"first-reader-{number}")
        rate(book=book, reader=reader, score=5)
        rate(book=sequel, reader=reader, score=4)
        rate(book=neighbour, reader=reader, score=5)
    for number in range(BOOKS_PER_PAGE + 1):  # a second page of the author's books
        make_book(title=f"Collected Work {number}", language="en", authors=[collins])
    reading_list = ReadingList.objects.create(
        title="Games people survive", status=ReadingList.Status.PUBLISHED
    )
    for position, listed in enumerate([book, sequel, neighbour]):
        ReadingListItem.objects.create(reading_list=reading_list, book=listed, position=position)
    article = make_article(
        title="Why The Hunger Games lasts",
        body=embed_body(book, sequel) + f"\n\n[[list:{reading_list.slug}]]\n",
    )
    article.topics.add(topic)
    return {
        "book": book, "author": collins, "article": article, "topic": topic,
        "subjects": [fiction, young_adult], "reading_list": reading_list,
    }  # fmt: skip


def embed_body(*books: Book) -> str:
    lines = ["A reading of the games."]
    for book in books:
        lines += ["", f"[[book:{book.slug}]]"]
    return "\n".join(lines)


def grow(catalogue: dict) -> None:
    """MORE of everything the pages show, tied to the same book, author and topic."""
    book, author, topic = catalogue["book"], catalogue["author"], catalogue["topic"]
    others = [make_author(name=f"Writer {n}") for n in range(MORE)]
    # A shop, and each new book's own address there: links are on every card, read with
    # the cards (for_cards) and the shops once a page, never a query per card.
    shop = Shop.objects.create(
        name="Grown Books", slug="grown-books", url_pattern="https://grown.example/{isbn13}"
    )
    for number in range(MORE):
        # In the same series, by the same author, on the same subjects, found by the
        # same searches.
        sibling = make_book(
            title=f"The Hunger Games: Tribute {number}", language="en",
            publication_year=1990 + number, series="The Hunger Games",
            series_number=Decimal(3 + number), source_ratings_4=number + 1,
            authors=[author, others[number]],
        )  # fmt: skip
        sibling.subjects.set(catalogue["subjects"])
        BookShopLink.objects.create(
            book=sibling, shop=shop, url=f"https://grown.example/tribute-{number}"
        )
        stranger = make_book(
            title=f"War and Games {number}", language="en", authors=[others[number]]
        )
        # New readers who liked the book and its siblings: co-raters for "also liked".
        reader = Reader(visitor=f"reader-{number}")
        rate(book=book, reader=reader, score=5)
        rate(book=sibling, reader=reader, score=5)
        rate(book=stranger, reader=reader, score=4)
        article = make_article(
            title=f"The games, again ({number})", body=embed_body(book, sibling, stranger)
        )
        article.topics.add(topic)
        # On the same reading list, and more lists (the book is on them all).
        ReadingListItem.objects.create(
            reading_list=catalogue["reading_list"], book=sibling, position=10 + number
        )
        more = ReadingList.objects.create(
            title=f"Games, again ({number})", status=ReadingList.Status.PUBLISHED
        )
        ReadingListItem.objects.create(reading_list=more, book=book)


def query_count(client, url: str) -> int:
    cache.clear()  # cached lists (the languages filter) would hide a query the second time
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return len(queries)


PAGES: list[tuple[str, Callable[[dict], str]]] = [
    ("home", lambda c: "/"),
    ("book list", lambda c: "/books/"),
    ("book list by rating", lambda c: "/books/?sort=rating"),
    ("book list by title, page 2", lambda c: "/books/?sort=title&page=2"),
    ("book list filtered", lambda c: "/books/?language=en&min_rating=4&sort=rating"),
    ("book list by author", lambda c: "/books/?author=collins&sort=newest"),
    ("book page", lambda c: c["book"].get_absolute_url()),
    ("author page", lambda c: c["author"].get_absolute_url()),
    ("author page 2", lambda c: c["author"].get_absolute_url() + "?page=2"),
    ("search by words", lambda c: "/search/?q=hunger+games"),
    ("search by author", lambda c: "/search/?q=collins"),
    ("search by ISBN", lambda c: "/search/?q=978-0-439-02348-1"),
    ("article page", lambda c: c["article"].get_absolute_url()),
    ("topic page", lambda c: c["topic"].get_absolute_url()),
    ("article archive", lambda c: "/articles/"),
    ("article feed", lambda c: "/articles/feed.xml"),
    ("reading list", lambda c: c["reading_list"].get_absolute_url()),
    ("reading lists", lambda c: "/lists/"),
    ("article feed, RSS", lambda c: "/articles/feed.rss"),
    ("topic feed", lambda c: reverse("articles:topic-feed", args=[c["topic"].slug])),
    ("topic feed, RSS", lambda c: reverse("articles:topic-feed-rss", args=[c["topic"].slug])),
    ("author feed", lambda c: reverse("articles:author-feed", args=[c["author"].slug])),
    ("author feed, RSS", lambda c: reverse("articles:author-feed-rss", args=[c["author"].slug])),
    ("sitemap index", lambda c: "/sitemap.xml"),
    *(
        (f"sitemap section {section}", lambda c, s=section: f"/sitemap-{s}.xml")
        for section in ("pages", "articles", "topics", "books", "authors", "lists")
    ),
]


def test_no_page_makes_more_queries_over_a_larger_catalogue(client, catalogue):
    # One catalogue grown once for every page (growing it per page took minutes).
    before = {name: query_count(client, url_of(catalogue)) for name, url_of in PAGES}
    grow(catalogue)
    after = {name: query_count(client, url_of(catalogue)) for name, url_of in PAGES}
    grew = {name: (before[name], after[name]) for name in before if after[name] != before[name]}
    assert grew == {}, f"queries over the small catalogue, then the larger: {grew}"


@pytest.mark.page_cache
def test_the_book_page_with_its_kept_parts_makes_no_more_queries_over_a_larger_catalogue(
    client, catalogue, django_capture_on_commit_callbacks
):
    """A page-cache miss (at an edge that has not seen the page) with the lists of other
    books and the teasers kept (catalogue.book_page): as few queries, however long they."""
    from pagecache import store

    url = catalogue["book"].get_absolute_url()

    def queries_with_parts_kept() -> int:
        client.get(url)  # renders the page and keeps its parts
        cache.delete(store.page_key(f"http://testserver{url}"))
        store.next_change()  # worked out once for all pages, not by this one
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200 and "X-Page-Cache" not in response
        return len(queries)

    before = queries_with_parts_kept()
    with django_capture_on_commit_callbacks(execute=True):
        grow(catalogue)
    assert queries_with_parts_kept() == before
    # The book's row alone: its own parts (card, ratings, what names it), the lists of
    # other books and the teasers are kept (catalogue.book_page), and the rating form
    # takes the book the view read.
    assert before == 1
