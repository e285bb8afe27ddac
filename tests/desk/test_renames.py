"""Renaming a book or an article in the desk breaks no link and no embed."""

import pytest

from articles.models import Article
from catalogue.models import Book
from tests.factories import make_article, make_book
from tests.helpers import form_values, text_of

pytestmark = pytest.mark.django_db


def book_url(book) -> str:
    return f"/admin/catalogue/book/{book.pk}/change/"


def article_url(article) -> str:
    return f"/admin/articles/article/{article.pk}/change/"


def rename(client, url, **changes):
    data = form_values(client.get(url))
    data.update(changes)
    data["_save"] = "Save"
    return client.post(url, data)


@pytest.fixture
def fahrenheit():
    return make_book(title="Fahrenheit 451", slug="fahrenheit-451", isbn13="9781451673319")


@pytest.fixture
def live_article(fahrenheit):
    return make_article(title="Burning books", body="Read this.\n\n[[book:fahrenheit-451]]\n")


def test_a_renamed_book_keeps_its_cards_and_its_old_address(admin_client, client, live_article):
    book = Book.objects.get(slug="fahrenheit-451")
    assert "Fahrenheit 451" in client.get(live_article.get_absolute_url()).content.decode()

    assert rename(admin_client, book_url(book), slug="fahrenheit-451-bradbury").status_code == 302

    old = client.get("/books/fahrenheit-451/")
    assert old.status_code == 301
    assert old["Location"] == "/books/fahrenheit-451-bradbury/"
    assert client.get(old["Location"]).status_code == 200
    # The article still embeds [[book:fahrenheit-451]] and still shows its card …
    page = client.get(live_article.get_absolute_url()).content.decode()
    assert 'href="/books/fahrenheit-451-bradbury/"' in page
    # … and can still be saved as it is.
    saved = rename(admin_client, article_url(live_article), title="Burning books, again")
    assert saved.status_code == 302, text_of(saved.content, ".errorlist")
    assert list(live_article.embedded_books.all()) == [book]


def test_renaming_twice_redirects_every_old_address_in_one_hop(admin_client, client, fahrenheit):
    rename(admin_client, book_url(fahrenheit), slug="second-name")
    rename(admin_client, book_url(fahrenheit), slug="third-name")
    for old in ("fahrenheit-451", "second-name"):
        response = client.get(f"/books/{old}/")
        assert (response.status_code, response["Location"]) == (301, "/books/third-name/")


def test_taking_an_old_name_back_makes_it_live_again(admin_client, client, fahrenheit):
    rename(admin_client, book_url(fahrenheit), slug="a-passing-name")
    rename(admin_client, book_url(fahrenheit), slug="fahrenheit-451")
    assert client.get("/books/fahrenheit-451/").status_code == 200
    assert client.get("/books/a-passing-name/")["Location"] == "/books/fahrenheit-451/"
    assert not fahrenheit.aliases.filter(slug="fahrenheit-451").exists()


def test_an_old_address_of_another_book_cannot_be_taken(admin_client, client, fahrenheit):
    rename(admin_client, book_url(fahrenheit), slug="fahrenheit-451-bradbury")
    other = make_book(title="Another book", slug="another-book")
    refused = rename(admin_client, book_url(other), slug="fahrenheit-451")
    assert refused.status_code == 200
    assert any(
        "old address of “Fahrenheit 451”" in error
        for error in text_of(refused.content, ".errorlist li")
    )
    assert Book.objects.get(pk=other.pk).slug == "another-book"
    assert client.get("/books/fahrenheit-451/")["Location"] == "/books/fahrenheit-451-bradbury/"


def test_an_embed_by_an_old_isbn_follows_a_corrected_isbn(admin_client, client, fahrenheit):
    article = make_article(title="By number", body="[[book:978-1-4516-7331-9]]\n")
    rename(admin_client, book_url(fahrenheit), isbn13="9780345342966")
    page = client.get(article.get_absolute_url()).content.decode()
    assert 'href="/books/fahrenheit-451/"' in page
    saved = rename(admin_client, article_url(article), title="By number, again")
    assert saved.status_code == 302


def test_a_renamed_article_redirects_from_every_old_address(admin_client, client, live_article):
    first = live_article.get_absolute_url()
    rename(admin_client, article_url(live_article), slug="on-burning-books")
    rename(admin_client, article_url(live_article), slug="fire")
    for old in (first, "/articles/on-burning-books/"):
        response = client.get(old)
        assert (response.status_code, response["Location"]) == (301, "/articles/fire/")
    assert client.get("/articles/fire/").status_code == 200


def test_an_old_article_address_cannot_be_given_to_another(admin_client, live_article):
    rename(admin_client, article_url(live_article), slug="fire")
    other = make_article(title="Water", slug="water")
    refused = rename(admin_client, article_url(other), slug="burning-books")
    assert refused.status_code == 200
    assert Article.objects.get(pk=other.pk).slug == "water"


def test_a_draft_articles_old_address_does_not_reveal_it(admin_client, client):
    draft = make_article(title="Secret plans", status=Article.Status.DRAFT)
    rename(admin_client, article_url(draft), slug="still-secret")
    assert client.get("/articles/secret-plans/").status_code == 404


def test_a_new_book_never_takes_an_old_address_of_another(admin_client, client, fahrenheit):
    rename(admin_client, book_url(fahrenheit), slug="fahrenheit-451-bradbury")
    newcomer = make_book(title="Fahrenheit 451")  # a second edition, slug filled in
    assert newcomer.slug != "fahrenheit-451"
    assert client.get("/books/fahrenheit-451/")["Location"] == "/books/fahrenheit-451-bradbury/"


def test_an_import_never_takes_an_old_address_either(admin_client, fahrenheit, tmp_path):
    from shared.slugs import allocate_slugs

    rename(admin_client, book_url(fahrenheit), slug="fahrenheit-451-bradbury")
    assert allocate_slugs(Book, ["Fahrenheit 451"]) == ["fahrenheit-451-2"]


def test_a_new_article_never_takes_an_old_address_of_another(admin_client, live_article):
    rename(admin_client, article_url(live_article), slug="fire")
    assert make_article(title="Burning books").slug == "burning-books-2"
