"""`[[list:SLUG]]` in an article's body: the reading list in place, as `[[book:…]]` puts
a card; recorded on every save for where-used; refused by the form when no list has the
slug; flagged in the desk's previews when readers would see nothing."""

import io
import logging

import pytest
import reversion
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from reversion.models import Version

from articles import rendering
from articles.forms import ArticleAdminForm
from articles.models import Article
from catalogue.models import Book, ReadingList, ReadingListItem
from catalogue.where_used import where_used
from tests.factories import article_form, make_article, make_author, make_book
from tests.helpers import text_of

pytestmark = pytest.mark.django_db


def make_list(*books, notes=(), **fields) -> ReadingList:
    fields.setdefault("title", "Ten books on the last days of the war")
    fields.setdefault("slug", "war-ends")
    fields.setdefault("status", ReadingList.Status.PUBLISHED)
    reading_list = ReadingList.objects.create(**fields)
    notes = [*notes, *[""] * len(books)]
    for position, (book, note) in enumerate(zip(books, notes, strict=False)):
        ReadingListItem.objects.create(
            reading_list=reading_list, book=book, position=position, note=note
        )
    return reading_list


@pytest.fixture
def war():
    end = make_book(title="The End", authors=[make_author(name="Ian Kershaw")])
    berlin = make_book(title="Berlin")
    hidden = make_book(title="Unfinished", status=Book.Status.DRAFT)
    return make_list(
        end, hidden, berlin, notes=["Why they fought on.", "", "The <b>city</b> falls."]
    )


BODY = "Before the list.\n\n[[list:war-ends]]\n\nAfter the list.\n"


def test_a_list_line_shows_the_list_in_place_with_its_cards_and_notes(client, war):
    article = make_article(title="How wars end", body=BODY)
    page = client.get(article.get_absolute_url()).content
    assert text_of(page, ".article__body > p, .article__body .reading-list-embed__title") == [
        "Before the list.",
        "Reading list: Ten books on the last days of the war",
        "After the list.",
    ]
    assert text_of(page, ".reading-list-embed__title a") == [
        "Ten books on the last days of the war"
    ]
    assert "/lists/war-ends/" in _hrefs(page)
    assert text_of(page, ".reading-list-embed .book-card__title") == ["The End", "Berlin"]
    assert text_of(page, ".reading-list-embed .reading-list__note") == [
        "Why they fought on.",
        "The <b>city</b> falls.",  # the note is text, never markup
    ]


def _hrefs(html: bytes) -> list[str]:
    from bs4 import BeautifulSoup

    return [a["href"] for a in BeautifulSoup(html, "html.parser").select("a[href]")]


def test_a_list_placeholder_typed_by_an_editor_shows_nothing(war):
    body = '<div data-embed="0123456789abcdef:list:0"></div>\n\n[[list:war-ends]]\n'
    rendered = rendering.render_body(body)
    assert rendered.html.count("reading-list-embed__title") == 1


def test_an_unknown_or_unpublished_list_shows_nothing_and_is_logged(war, caplog):
    make_list(title="Not yet", slug="not-yet", status=ReadingList.Status.DRAFT)
    body = "Words.\n\n[[list:not-yet]]\n\n[[list:no-such-list]]\n"
    with caplog.at_level(logging.WARNING, logger="articles.rendering"):
        rendered = rendering.render_body(body, context_label="article “x”")
    assert "reading-list" not in rendered.html
    assert rendered.hidden_lists == ["not-yet", "no-such-list"]
    assert [record.getMessage() for record in caplog.records] == [
        "Embedded list [[list:not-yet]] in article “x” matches no public reading list; not shown.",
        "Embedded list [[list:no-such-list]] in article “x” matches no public reading "
        "list; not shown.",
    ]


def test_the_preview_says_what_readers_would_not_see(war):
    make_list(title="Not yet", slug="not-yet", status=ReadingList.Status.DRAFT)
    body = "[[list:not-yet]]\n\n[[list:no-such-list]]\n"
    rendered = rendering.render_body(body, show_hidden=lambda refs: {})
    notes = text_of(rendered.html, ".preview-missing")
    assert notes[0].startswith("Readers see no list here: [[list:not-yet]] is “Not yet”")
    assert notes[1].startswith("No reading list matches [[list:no-such-list]].")


def test_a_renamed_lists_old_slug_still_embeds_it(war):
    war.slug = "how-wars-end"
    war.save()
    rendered = rendering.render_body(BODY)
    assert rendered.lists == [war]
    assert "/lists/how-wars-end/" in rendered.html


def test_the_form_refuses_a_list_no_one_made(war):
    form = ArticleAdminForm(data=article_form(body="[[list:war-ends]]\n\n[[list:nowhere]]\n"))
    assert not form.is_valid()
    assert form.errors["body"] == [
        "No reading list matches [[list:nowhere]]. Use a list's slug, or make the list in "
        "the desk first."
    ]


def test_the_form_accepts_a_draft_list(war):
    make_list(title="Not yet", slug="not-yet", status=ReadingList.Status.DRAFT)
    form = ArticleAdminForm(data=article_form(body="[[list:not-yet]]\n"))
    assert form.is_valid(), form.errors


def test_every_save_records_the_lists_a_body_embeds(war):
    other = make_list(title="Cities", slug="cities")
    article = Article.objects.create(title="How wars end", body=BODY)
    assert list(article.embedded_lists.all()) == [war]
    assert where_used(war).drafts == [article]

    article.body = "[[list:cities]]\n"
    article.save()
    assert list(article.embedded_lists.all()) == [other]
    assert not where_used(war)


def test_restoring_an_older_body_records_its_lists(war):
    other = make_list(title="Cities", slug="cities")
    with reversion.create_revision():
        article = Article.objects.create(title="Fire", body="[[list:cities]]\n")
    article.body = BODY
    article.save()
    assert list(article.embedded_lists.all()) == [war]
    other.slug = "cities-at-war"  # renamed since: the restored body names its old slug
    other.save()

    Version.objects.get_for_object(article).get().revert()

    assert list(Article.objects.get(pk=article.pk).embedded_lists.all()) == [other]


def test_an_article_asks_the_same_queries_for_one_list_or_three(war):
    article = make_article(title="How wars end", body=BODY)
    cache.clear()  # what the cards cache (the shops) would hide the second time
    with CaptureQueriesContext(connection) as one_list:
        assert Client().get(article.get_absolute_url()).status_code == 200
    for slug in ("cities", "rivers"):
        make_list(make_book(), make_book(), title=slug, slug=slug)
    article.body = BODY + "\n[[list:cities]]\n\n[[list:rivers]]\n"
    article.save()
    cache.clear()
    with CaptureQueriesContext(connection) as three_lists:
        page = Client().get(article.get_absolute_url())
    assert len(text_of(page.content, ".reading-list-embed")) == 3
    assert len(three_lists) == len(one_list)


@pytest.fixture
def cached_article(war, django_capture_on_commit_callbacks) -> str:
    """The address of an article embedding the list, its page in the page cache."""
    with django_capture_on_commit_callbacks(execute=True):
        article = make_article(title="How wars end", body=BODY)
    url = article.get_absolute_url()
    Client().get(url)
    assert Client().get(url)["X-Page-Cache"] == "hit"
    return url


@pytest.mark.page_cache
def test_a_list_changing_drops_the_cached_articles_that_embed_it(
    war, cached_article, django_capture_on_commit_callbacks
):
    url = cached_article
    with django_capture_on_commit_callbacks(execute=True):
        ReadingListItem.objects.filter(reading_list=war, book__title="Berlin").update(note="")
        war.title = "How wars end, in ten books"
        war.save()
    response = Client().get(url)
    assert "X-Page-Cache" not in response
    assert text_of(response.content, ".reading-list-embed__title a") == [
        "How wars end, in ten books"
    ]


@pytest.mark.page_cache
def test_a_book_in_an_embedded_list_retitled_shows_on_the_cached_article(
    cached_article, django_capture_on_commit_callbacks
):
    url = cached_article
    with django_capture_on_commit_callbacks(execute=True):
        berlin = Book.objects.get(title="Berlin")
        berlin.title = "Berlin: The Downfall"
        berlin.save()
    response = Client().get(url)
    assert "X-Page-Cache" not in response
    assert "Berlin: The Downfall" in response.content.decode()


def test_refresh_embeds_repairs_list_embeds_changed_outside_django(war):
    article = make_article(title="How wars end", body=BODY)
    Article.embedded_lists.through.objects.all().delete()  # as raw SQL would, no signals
    assert not where_used(war)

    out = io.StringIO()
    call_command("refresh_embeds", stdout=out)

    assert where_used(war).live == [article]
    assert "Articles whose embeds changed: 1." in out.getvalue()
