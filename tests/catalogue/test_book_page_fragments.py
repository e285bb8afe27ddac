"""The book page's parts, kept across requests (catalogue.book_page): whatever changes
what they show shows on the page at once; a page-cache miss that changed nothing reads
the book's row alone, and a rating of the book renders only the book's own parts again."""

import json
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.test import Client

from catalogue.models import Book, Contribution, ReadingList, ReadingListItem, Subject
from catalogue.ratings import Reader, rate
from catalogue.related import refresh_also_liked
from catalogue.shops import BookShopLink, Shop
from pagecache import store
from tests.factories import make_article, make_author, make_book
from tests.helpers import text_of

pytestmark = [pytest.mark.page_cache, pytest.mark.django_db]


@pytest.fixture
def page(django_capture_on_commit_callbacks):
    """A book with every list on its page: a series, other books by its author, a
    related book (a shared subject) and an article about it; its page seen once."""
    with django_capture_on_commit_callbacks(execute=True):
        collins, war = make_author(name="Suzanne Collins"), Subject.objects.create(name="War")
        book = make_book(
            title="The Hunger Games", series="The Hunger Games", series_number=Decimal(1),
            source_ratings_4=10, authors=[collins],
        )  # fmt: skip
        sequel = make_book(
            title="Catching Fire", series="The Hunger Games", series_number=Decimal(2),
            authors=[collins],
        )  # fmt: skip
        other = make_book(
            title="Gregor the Overlander", publication_year=2003, source_ratings_5=4,
            authors=[collins],
        )  # fmt: skip
        related = make_book(title="Divergent", source_ratings_3=2)
        book.subjects.add(war)
        related.subjects.add(war)
        make_article(title="Reading the Games", body=f"[[book:{book.slug}]]")
    parts = {"book": book, "sequel": sequel, "other": other, "related": related}
    html = seen(book)
    assert lists_of(html) == {
        "series": ["Catching Fire #2"],
        "others": ["Gregor the Overlander"],
        "similar": ["Divergent"],
        "articles": ["Reading the Games"],
    }
    return parts


def seen(book: Book) -> str:
    """The page as a reader sees it now: rendered anew when the page cache misses."""
    response = Client().get(book.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def lists_of(html: str) -> dict[str, list[str]]:
    return {
        "series": text_of(html, "#book-series + ol li"),
        "others": text_of(html, "#book-others + ul .book-card__title"),
        "similar": text_of(html, "#book-similar + ul .book-card__title"),
        "articles": text_of(html, "#book-articles + ul .teaser__title"),
    }


def card_rating(html: str, section: str) -> list[str]:
    return text_of(html, f"#{section} + ul .rating__count")


def test_a_rating_of_a_listed_book_shows_at_once(page, django_capture_on_commit_callbacks):
    assert card_rating(seen(page["book"]), "book-others") == ["(4 ratings)"]
    with django_capture_on_commit_callbacks(execute=True):
        rate(book=page["other"], reader=Reader(visitor="a-reader"), score=5)
    assert card_rating(seen(page["book"]), "book-others") == ["(5 ratings)"]


def test_an_edit_of_a_listed_book_shows_at_once(page, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sequel = Book.objects.get(pk=page["sequel"].pk)
        sequel.title = "Catching Fire (revised)"
        sequel.save()
        related = Book.objects.get(pk=page["related"].pk)
        related.title = "Divergent: A Novel"
        related.save()
    html = seen(page["book"])
    assert lists_of(html)["series"] == ["Catching Fire (revised) #2"]
    assert lists_of(html)["similar"] == ["Divergent: A Novel"]


def test_a_listed_book_withdrawn_leaves_the_lists(page, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        other = Book.objects.get(pk=page["other"].pk)
        other.status = Book.Status.WITHDRAWN
        other.save()
    assert lists_of(seen(page["book"]))["others"] == []


def test_a_new_book_by_the_author_joins_the_list(page, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        make_book(
            title="The Year of the Jungle", publication_year=2013,
            authors=list(page["book"].authors.all()),
        )  # fmt: skip
    assert lists_of(seen(page["book"]))["others"] == [
        "The Year of the Jungle", "Gregor the Overlander",
    ]  # fmt: skip


def test_the_book_gaining_an_author_lists_their_books(page, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        roth = make_author(name="Veronica Roth")
        make_book(title="Insurgent", publication_year=2012, authors=[roth])
    assert lists_of(seen(page["book"]))["others"] == ["Gregor the Overlander"]
    with django_capture_on_commit_callbacks(execute=True):
        Contribution.objects.create(book=page["book"], author=roth, position=1)
    assert lists_of(seen(page["book"]))["others"] == ["Insurgent", "Gregor the Overlander"]


def test_a_listed_book_leaving_the_series_leaves_the_list(page, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sequel = Book.objects.get(pk=page["sequel"].pk)
        sequel.series = "Catching Fire Companions"
        sequel.save()
    assert lists_of(seen(page["book"]))["series"] == []


def test_the_book_renamed_or_moved_to_another_series(page, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        make_book(title="Catching Fire: Illustrated", series="Fire Series", series_number=3)
        book = Book.objects.get(pk=page["book"].pk)
        book.series = "Fire Series"
        book.save()
    html = seen(page["book"])
    assert text_of(html, "#book-series") == ["More in Fire Series"]
    assert lists_of(html)["series"] == ["Catching Fire: Illustrated #3"]


def test_an_article_retitled_shows(page, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        article = page["book"].articles.get()
        article.title = "Reading the Games again"
        article.save()
    assert lists_of(seen(page["book"]))["articles"] == ["Reading the Games again"]


def test_a_new_article_shows(page, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        make_article(title="Why the Games", body=f"[[book:{page['book'].slug}]]")
    titles = lists_of(seen(page["book"]))["articles"]
    assert sorted(titles) == ["Reading the Games", "Why the Games"]


def test_what_readers_also_liked_shows_once_refreshed(page, django_capture_on_commit_callbacks):
    liked = make_book(title="The Giver")
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(3):
            reader = Reader(visitor=f"fan-{number}")
            rate(book=page["book"], reader=reader, score=5)
            rate(book=liked, reader=reader, score=5)
        refresh_also_liked(page["book"].pk)
    assert lists_of(seen(page["book"]))["similar"] == ["Divergent", "The Giver"]


def test_a_rating_of_the_book_renders_only_its_own_parts(
    page, django_capture_on_commit_callbacks, django_assert_num_queries
):
    book = page["book"]
    with django_capture_on_commit_callbacks(execute=True):
        rate(book=book, reader=Reader(visitor="a-reader"), score=5)
    store.next_change()  # the clock's next change, worked out once for all pages
    # The book's row; once its kept parts are found dropped, what names it (its subjects,
    # authors, articles and lists: one statement), the book again (read after the
    # parts' versions, as what is kept must be), then its card's credits and shop links
    # (one statement: other_books.read_for_cards). The other lists are kept.
    with django_assert_num_queries(4):
        html = seen(book)
    assert text_of(html, ".book-card .rating__count")[0] == "(11 ratings)"
    assert lists_of(html)["others"] == ["Gregor the Overlander"]


# --- The book's own parts, kept under its tag: a miss that changed nothing reads the row ---


def test_a_miss_that_changed_nothing_reads_only_the_book(page, django_assert_num_queries):
    book = page["book"]
    before = seen(book)
    cache.delete(store.page_key(f"http://testserver{book.get_absolute_url()}"))
    store.next_change()  # the clock's next change, worked out once for all pages
    with django_assert_num_queries(1):  # the book's row: is it there, and public?
        after = seen(book)
    assert lists_of(after) == lists_of(before)
    for shown in ("h1", ".book > .book-card", ".histogram", ".book__facts", "#book-others"):
        assert text_of(after, shown) == text_of(before, shown)
    assert json_ld_of(after) == json_ld_of(before)
    assert "<!--visitor:" not in after  # the rating form is filled in, as on every page
    assert text_of(after, ".histogram form button") == text_of(before, ".histogram form button")


def test_the_book_edited_shows_at_once(page, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        book = Book.objects.get(pk=page["book"].pk)
        book.title, book.description, book.publisher = "The Hunger Games (2nd ed.)", "New.", "Q"
        book.save()
    html = seen(book)
    assert text_of(html, "h1") == ["The Hunger Games (2nd ed.)"]
    assert text_of(html, ".book > .book-card .book-card__title") == ["The Hunger Games (2nd ed.)"]
    assert text_of(html, ".book__description p") == ["New."]
    assert "Publisher Q" in text_of(html, ".book__facts", " ")[0]
    assert json_ld_of(html)["name"] == "The Hunger Games (2nd ed.)"
    assert meta_of(html, "og:title") == "The Hunger Games (2nd ed.)"


def test_an_author_renamed_shows_on_the_card_and_above_their_books(
    page, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        author = page["book"].authors.get()
        author.name = "S. Collins"
        author.save()
    html = seen(page["book"])
    assert text_of(html, ".book > .book-card .book-card__authors a") == ["S. Collins"]
    assert text_of(html, "#book-others") == ["More by S. Collins"]
    assert [person["name"] for person in json_ld_of(html)["author"]] == ["S. Collins"]


def test_a_shop_link_hidden_leaves_the_card(page, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        shop = Shop.objects.create(
            name="Grown Books", slug="grown-books", url_pattern="https://grown.example/{isbn13}"
        )
        book = Book.objects.get(pk=page["book"].pk)
        book.isbn13 = "9780439023481"
        book.save()
    assert shop_links(seen(book))[0] == "Buy The Hunger Games at Grown Books"
    with django_capture_on_commit_callbacks(execute=True):
        BookShopLink.objects.create(book=book, shop=shop, hidden=True)
    assert "Buy The Hunger Games at Grown Books" not in shop_links(seen(book))


def test_in_these_lists_follows_the_lists(page, django_capture_on_commit_callbacks):
    book = page["book"]
    with django_capture_on_commit_callbacks(execute=True):
        shelf = ReadingList.objects.create(title="Dystopias", status=ReadingList.Status.PUBLISHED)
        place = ReadingListItem.objects.create(reading_list=shelf, book=book, position=0)
    assert text_of(seen(book), ".book__lists a") == ["Dystopias"]
    with django_capture_on_commit_callbacks(execute=True):
        shelf.title = "Dystopias for the young"
        shelf.save()
    assert text_of(seen(book), ".book__lists a") == ["Dystopias for the young"]
    with django_capture_on_commit_callbacks(execute=True):
        place.delete()
    assert text_of(seen(book), ".book__lists a") == []
    with django_capture_on_commit_callbacks(execute=True):
        ReadingListItem.objects.create(reading_list=shelf, book=book, position=0)
    assert text_of(seen(book), ".book__lists a") == ["Dystopias for the young"]
    with django_capture_on_commit_callbacks(execute=True):
        shelf.delete()
    assert text_of(seen(book), ".book__lists a") == []


def test_an_article_withdrawn_or_deleted_leaves_the_page(page, django_capture_on_commit_callbacks):
    book = page["book"]
    with django_capture_on_commit_callbacks(execute=True):
        article = book.articles.get()
        article.status = article.Status.DRAFT
        article.save()
    assert lists_of(seen(book))["articles"] == []
    with django_capture_on_commit_callbacks(execute=True):
        article.status = article.Status.PUBLISHED
        article.save()
    assert lists_of(seen(book))["articles"] == ["Reading the Games"]
    with django_capture_on_commit_callbacks(execute=True):
        article.delete()
    assert lists_of(seen(book))["articles"] == []


def test_the_book_withdrawn_is_gone_though_its_parts_were_kept(
    page, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        book = Book.objects.get(pk=page["book"].pk)
        book.status = Book.Status.WITHDRAWN
        book.save()
    assert Client().get(book.get_absolute_url()).status_code in (404, 410)


def test_the_head_names_the_host_each_reader_asked(page, settings):
    """The own parts are kept once for every host the site answers to: the addresses in
    the head are each request's own."""
    settings.ALLOWED_HOSTS = ["one.example", "two.example"]
    book, path = page["book"], page["book"].get_absolute_url()
    Client(HTTP_HOST="one.example").get(path)  # keeps the parts, made for one.example
    html = Client(HTTP_HOST="two.example").get(path).content.decode()
    assert meta_of(html, "og:url") == f"http://two.example{path}"
    assert meta_of(html, "og:image").startswith(f"http://two.example/books/{book.slug}/")
    assert json_ld_of(html)["url"] == f"http://two.example{path}"
    assert "one.example" not in html and "origin-" not in html


def shop_links(html: str) -> list[str]:
    return text_of(html, ".book > .book-card .shop-link")


def json_ld_of(html: str) -> dict:
    script = BeautifulSoup(html, "html.parser").select_one('script[type="application/ld+json"]')
    return json.loads(script.string)


def meta_of(html: str, name: str) -> str:
    return BeautifulSoup(html, "html.parser").select_one(f'meta[property="{name}"]')["content"]


def test_affiliate_codes_set_at_a_restart_show_at_the_next_miss(
    page, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        book = Book.objects.get(pk=page["book"].pk)
        book.isbn13 = "9780439023481"
        book.save()
    assert text_of(seen(book), ".book > .book-card .shop-links__disclosure") == [
        "Colophon is paid nothing for these links; it counts clicks on them, never who clicked."
    ]
    settings.AFFILIATE_CODES = {"amazon": "colophon-21"}  # the server restarted with them
    cache.delete(store.page_key(f"http://testserver{book.get_absolute_url()}"))  # expired
    assert text_of(seen(book), ".book > .book-card .shop-links__disclosure") == [
        "Colophon earns a commission on purchases made through the Amazon link."
    ]
