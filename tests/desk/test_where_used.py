"""A book's form says where it is used, and the desk asks before a card disappears."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from catalogue.models import Book
from tests.factories import make_article, make_book
from tests.helpers import form_values, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def book():
    return make_book(title="Fahrenheit 451", slug="fahrenheit-451")


@pytest.fixture
def articles(book):
    embed = "[[book:fahrenheit-451]]\n"
    return {
        "live": make_article(title="Burning books", body=embed),
        "scheduled": make_article(
            title="Coming soon", body=embed, published_at=timezone.now() + timedelta(days=3)
        ),
        "draft": make_article(title="Half written", body=embed, status=Article.Status.DRAFT),
    }


def change_url(book) -> str:
    return f"/admin/catalogue/book/{book.pk}/change/"


def test_the_book_form_lists_live_scheduled_and_draft_articles_apart(admin_client, book, articles):
    page = admin_client.get(change_url(book))
    assert text_of(page.content, ".where-used dt, .where-used dd > a:first-child") == [
        "Live (1)", "Burning books", "Scheduled (1)", "Coming soon",
        "Not public (1)", "Half written",
    ]  # fmt: skip
    html = page.content.decode()
    for article in articles.values():
        assert f'href="/admin/articles/article/{article.pk}/change/"' in html


def test_withdrawing_a_book_live_articles_show_asks_first(admin_client, client, book, articles):
    data = form_values(admin_client.get(change_url(book)))
    data.update(status="withdrawn", _save="Save")
    asked = admin_client.post(change_url(book), data)
    assert asked.status_code == 200
    error = " ".join(text_of(asked.content, ".field-status .errorlist li"))
    assert "“Burning books” and “Coming soon”" in error
    assert "Half written" not in error
    assert Book.objects.get(pk=book.pk).status == "published"
    assert "Fahrenheit 451" in client.get(articles["live"].get_absolute_url()).content.decode()

    confirmed = form_values(asked)
    assert "confirm_hiding" not in confirmed  # a checkbox now, unticked
    confirmed.update(confirm_hiding="on", _save="Save")
    assert admin_client.post(change_url(book), confirmed).status_code == 302
    assert Book.objects.get(pk=book.pk).status == "withdrawn"


def test_withdrawing_a_book_only_drafts_embed_asks_nothing(admin_client, book):
    make_article(title="Half written", body="[[book:fahrenheit-451]]\n", status="draft")
    data = form_values(admin_client.get(change_url(book)))
    data.update(status="withdrawn", _save="Save")
    assert admin_client.post(change_url(book), data).status_code == 302


def test_the_delete_page_names_the_articles_that_lose_the_card(admin_client, book, articles):
    page = admin_client.get(f"/admin/catalogue/book/{book.pk}/delete/")
    listed = " ".join(text_of(page.content, "#content ul li"))
    assert "Its card in “Burning books” (live)" in listed
    assert "Its card in “Coming soon” (scheduled)" in listed
    assert "Its card in “Half written” (draft)" in listed
    assert "object (" not in page.content.decode()

    chosen = admin_client.post(
        "/admin/catalogue/book/",
        {"action": "delete_selected", "_selected_action": [book.pk]},
    )
    assert "Its card in “Burning books” (live)" in chosen.content.decode()
    assert "object (" not in chosen.content.decode()


def test_books_lists_and_pictures_name_articles_one_way(book, articles):
    """One `state_of` and one `titles` (desk/deleting.py) for the three apps' warnings and
    delete pages, rather than a copy in each app's where_used.py."""
    from catalogue import where_used as catalogue_where_used
    from desk.deleting import state_of, titles
    from images import where_used as images_where_used

    assert catalogue_where_used.state_of is images_where_used.state_of is state_of
    assert [state_of(article) for article in articles.values()] == ["live", "scheduled", "draft"]
    assert titles(list(articles.values())) == "“Burning books”, “Coming soon” and “Half written”"
    assert titles(articles["live"] for _ in range(1)) == "“Burning books”"
