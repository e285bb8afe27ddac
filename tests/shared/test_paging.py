"""Lists whose cost does not grow with the catalogue: counts stop at a cap, pages beyond
it are not served, sitemap files are ranges of keys. The caps are lowered here so that a
few books stand for a million."""

import xml.etree.ElementTree as ET

import pytest
from django.core.paginator import EmptyPage

from catalogue.models import Book, Rating
from shared.paging import CappedPaginator, KeyRangePaginator
from tests.factories import make_book
from tests.helpers import text_of

pytestmark = pytest.mark.django_db
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("chief", password="a-long-pass-7")


@pytest.fixture
def one_page_counted(monkeypatch):
    monkeypatch.setattr(CappedPaginator, "max_pages", 1)


def test_a_long_list_says_more_than_what_it_counted(client, one_page_counted):
    for number in range(25):
        make_book(title=f"Volume {number:02d}")
    html = client.get("/books/").content
    assert text_of(html, ".page-summary") == [
        "More than 24 books in the catalogue: the first page of them is here; "
        "filter or sort to reach the others."
    ]
    assert len(text_of(html, ".book-card")) == 24
    assert client.get("/books/?page=2").status_code == 404
    # Filtered, the list counts exactly again (its own cap is 1,200 books found; "1" is
    # too short a word to look for, and is left out with a note).
    html = client.get("/books/?q=Volume+1").content
    assert text_of(html, ".page-summary") == ["25 books match."]


def test_a_page_holds_the_books_of_its_place_in_the_order(client):
    for number in range(30):
        make_book(title=f"Volume {number:02d}")
    html = client.get("/books/?page=2").content
    assert text_of(html, ".book-card__title") == [f"Volume {n}" for n in range(24, 30)]
    html = client.get("/books/?sort=title&page=1").content
    assert text_of(html, ".book-card__title")[:2] == ["Volume 00", "Volume 01"]


def test_the_desk_says_how_many_books_it_counted(client, superuser, one_page_counted, monkeypatch):
    from catalogue.admin.books import BookAdmin

    monkeypatch.setattr(BookAdmin, "list_per_page", 10)
    for number in range(12):
        make_book(title=f"Volume {number:02d}")
    client.force_login(superuser)
    html = client.get("/admin/catalogue/book/").content.decode()
    assert "10+ books" in " ".join(text_of(html, ".paginator"))
    assert len(text_of(html, "#result_list tbody tr")) == 10


def test_rating_moderation_pages_without_counting_every_rating(client, superuser, one_page_counted):
    from catalogue.admin.ratings import RatingAdmin

    book = make_book(title="Popular")
    Rating.objects.bulk_create(
        Rating(book=book, visitor=f"reader{n}", score=5)
        for n in range(RatingAdmin.list_per_page + 1)
    )
    client.force_login(superuser)
    html = client.get("/admin/catalogue/rating/").content.decode()
    assert f"{RatingAdmin.list_per_page}+ ratings" in " ".join(text_of(html, ".paginator"))


def test_sitemap_files_are_ranges_of_keys(client, monkeypatch):
    from catalogue import sitemaps

    monkeypatch.setattr(sitemaps.BookSitemap, "limit", 2)
    books = [make_book(title=f"Book {n}") for n in range(5)]
    Book.objects.filter(pk=books[1].pk).update(status=Book.Status.WITHDRAWN)
    index = ET.fromstring(client.get("/sitemap.xml").content)
    files = [loc.text for loc in index.iter(f"{SITEMAP}loc") if "sitemap-books" in loc.text]
    highest = max(book.pk for book in books)
    assert len(files) == -(-highest // 2)
    found = []
    for url in files:
        response = client.get(url.removeprefix("http://testserver"))
        assert response.status_code == 200
        urls = [loc.text for loc in ET.fromstring(response.content).iter(f"{SITEMAP}loc")]
        assert len(urls) <= 2
        found += urls
    assert sorted(found) == sorted(
        f"http://testserver{book.get_absolute_url()}" for book in books if book != books[1]
    )
    assert client.get(f"/sitemap-books.xml?p={len(files) + 1}").status_code == 404


def test_a_key_range_page_beyond_the_last_is_refused():
    make_book(title="Only")
    pages = KeyRangePaginator(Book.objects.all(), 10_000)
    assert pages.num_pages == 1
    with pytest.raises(EmptyPage):
        pages.page(2)


def test_the_desk_filters_by_score_and_language_without_asking_the_table(client, superuser):
    from catalogue.ratings import Reader, rate

    english, french = (
        make_book(title="English", language="en"),
        make_book(title="Français", language="fr"),
    )
    rate(book=english, reader=Reader(visitor="a"), score=5)
    rate(book=french, reader=Reader(visitor="b"), score=2)
    client.force_login(superuser)
    html = client.get("/admin/catalogue/rating/?score__exact=2").content
    assert text_of(html, "#result_list tbody .field-book") == ["Français"]
    assert "2 stars" in text_of(html, "#changelist-filter")[0]
    html = client.get("/admin/catalogue/book/?language__exact=fr").content
    assert text_of(html, "#result_list tbody .field-title") == ["Français"]
    assert "French" in text_of(html, "#changelist-filter")[0]


def test_the_authors_sitemap_leaves_out_authors_without_a_public_book(client):
    from tests.factories import make_author

    public, hidden, both = (make_author(name=n) for n in ("Public", "Hidden", "Both"))
    make_book(title="Out", authors=[public, both])
    make_book(title="Draft", authors=[hidden, both], status=Book.Status.DRAFT)
    make_book(title="Gone", authors=[hidden], status=Book.Status.WITHDRAWN)
    response = client.get("/sitemap-authors.xml")
    urls = [loc.text for loc in ET.fromstring(response.content).iter(f"{SITEMAP}loc")]
    assert urls == [f"http://testserver{a.get_absolute_url()}" for a in (public, both)]
