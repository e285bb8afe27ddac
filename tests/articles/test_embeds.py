"""Whatever saves an article's body keeps its embeds true: code, commands, restores."""

import io

import pytest
import reversion
from django.core.management import call_command
from reversion.models import Version

from articles.models import Article
from catalogue.where_used import where_used
from tests.factories import make_book
from tests.helpers import text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def book():
    return make_book(title="Fahrenheit 451", slug="fahrenheit-451")


def test_an_article_saved_by_code_shows_where_its_book_is_used(client, book):
    article = Article.objects.create(
        title="Burning books", body="[[book:fahrenheit-451]]\n", status=Article.Status.PUBLISHED
    )

    assert where_used(book).live == [article]
    page = client.get(book.get_absolute_url())
    assert "Burning books" in text_of(page.content, "a")


def test_a_body_changed_by_code_moves_its_embeds(book):
    other = make_book(title="Dune", slug="dune")
    article = Article.objects.create(title="Burning books", body="[[book:fahrenheit-451]]\n")

    article.body = "[[book:dune]]\n"
    article.save()

    assert not where_used(book)
    assert where_used(other).drafts == [article]


def test_restoring_an_older_body_records_its_embeds(book):
    with reversion.create_revision():  # a version kept before the book was in the catalogue
        article = Article.objects.create(title="Fire", body="[[book:dune]]\n")
    dune = make_book(title="Dune", slug="dune")
    article.body = "[[book:fahrenheit-451]]\n"
    article.save()

    Version.objects.get_for_object(article).get().revert()

    assert Article.objects.get(pk=article.pk).body == "[[book:dune]]\n"
    assert list(article.embedded_books.all()) == [dune]
    assert not where_used(book)


def test_an_old_slug_of_a_renamed_book_still_embeds_it(book):
    book.slug = "fahrenheit-451-1953"
    book.save()

    article = Article.objects.create(title="Burning books", body="[[book:fahrenheit-451]]\n")

    assert list(article.embedded_books.all()) == [book]


def test_refresh_embeds_repairs_embeds_changed_outside_django(book):
    article = Article.objects.create(
        title="Burning books", body="[[book:fahrenheit-451]]\n", status=Article.Status.PUBLISHED
    )
    Article.embedded_books.through.objects.all().delete()  # as raw SQL would, no signals
    assert not where_used(book)

    out = io.StringIO()
    call_command("refresh_embeds", stdout=out)

    assert where_used(book).live == [article]
    assert "Articles whose embeds changed: 1." in out.getvalue()
