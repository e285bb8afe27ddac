"""The body is rendered when the article is saved (Article.rendered_body), not at every
request: a request fetches the books by key and puts the cards in (issue 23)."""

import importlib
import io
import logging

import pytest
from django.apps import apps
from django.core.management import call_command

from articles import rendering
from articles.models import Article
from catalogue.merging import merge_books
from catalogue.models import Book
from catalogue.shops import enabled_shops
from tests.factories import make_article, make_author, make_book
from tests.helpers import text_of


@pytest.fixture
def book(db):
    return make_book(
        title="The Last Battle",
        slug="the-last-battle",
        isbn13="9780306822087",
        authors=[make_author(name="Stephen Harding")],
    )


@pytest.fixture
def no_markdown(monkeypatch):
    """Parsing Markdown fails from here on: what the page shows must come from the save."""

    def refuse(*args, **kwargs):
        raise AssertionError("Markdown parsed during the request")

    monkeypatch.setattr(rendering.markdown, "render", refuse)
    monkeypatch.setattr(rendering.markdown, "parse", refuse)


def cards_on(client, article) -> list[str]:
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return text_of(response.content, ".book-card__title")


def test_the_page_is_shown_without_parsing_markdown(client, book, no_markdown_later):
    article = make_article(body="Some *words*.\n\n[[book:the-last-battle]]\n")
    no_markdown_later()
    response = client.get(article.get_absolute_url())
    assert text_of(response.content, ".article__body em") == ["words"]
    assert text_of(response.content, ".book-card__title") == ["The Last Battle"]


@pytest.fixture
def no_markdown_later(request):
    return lambda: request.getfixturevalue("no_markdown")


def article_with_cards(count: int) -> Article:
    books = [make_book(title=f"Card {count}-{n}", slug=f"card-{count}-{n}") for n in range(count)]
    body = "A few books.\n\n" + "\n\n".join(f"[[book:{book.slug}]]" for book in books)
    return make_article(title=f"{count} cards", body=body)


def test_the_page_makes_as_many_queries_for_1_10_and_30_cards(
    client, db, django_assert_max_num_queries
):
    enabled_shops()  # read once into the cache, as by any earlier page
    for other in range(3):  # a full "Read next": no topping up with the latest
        make_article(title=f"Other {other}")
    counts = []
    for count in (1, 10, 30):
        article = article_with_cards(count)
        with django_assert_max_num_queries(6) as captured:
            assert len(cards_on(client, article)) == count
        counts.append(len(captured))
    assert counts[0] == counts[1] == counts[2]


def test_a_renamed_book_still_shows_its_card(client, book, no_markdown_later):
    article = make_article(body="[[book:the-last-battle]]\n")
    book.slug, book.title = "last-battle-1945", "The Last Battle (1945)"
    book.save()
    no_markdown_later()
    assert cards_on(client, article) == ["The Last Battle (1945)"]


def test_a_book_merged_away_shows_the_book_kept(client, book):
    kept = make_book(title="The Last Battle: When U.S. and German Soldiers Joined Forces")
    article = make_article(body="[[book:the-last-battle]]\n\n[[book:9780306822087]]\n")
    merge_books(kept, [book])
    assert cards_on(client, Article.objects.get(pk=article.pk)) == [kept.title] * 2
    # The stored render names the book kept: no request looks for the duplicate again.
    stored = Article.objects.get(pk=article.pk).stored_render()
    assert set(stored.book_ids.values()) == {kept.pk}


def test_a_book_missing_at_a_request_is_looked_for_by_its_reference(client, book):
    article = make_article(body="[[book:the-last-battle]]\n")
    # As after a deletion in SQL: the stored render names a book that is not there.
    stored = {**article.rendered_body, "book_ids": {"the-last-battle": book.pk + 1000}}
    Article.objects.filter(pk=article.pk).update(rendered_body=stored)
    assert cards_on(client, article) == ["The Last Battle"]


def test_a_deleted_book_is_resolved_again_once_the_deletion_commits(
    book, django_capture_on_commit_callbacks
):
    article = make_article(body="[[book:the-last-battle]]\n")
    with django_capture_on_commit_callbacks(execute=True):
        book.delete()
    assert Article.objects.get(pk=article.pk).stored_render().book_ids == {}


def test_a_draft_book_embedded_at_save_shows_once_published(client, book):
    Book.objects.filter(pk=book.pk).update(status=Book.Status.DRAFT)
    article = make_article(body="[[book:the-last-battle]]\n")
    assert cards_on(client, article) == []
    Book.objects.filter(pk=book.pk).update(status=Book.Status.PUBLISHED)
    assert cards_on(client, article) == ["The Last Battle"]


def test_a_stale_render_is_rendered_in_memory_and_logged_once(client, book, caplog):
    article = make_article(body="[[book:the-last-battle]]\n")
    old = {**article.rendered_body, "version": rendering.RENDERER_VERSION - 1, "html": "Old"}
    Article.objects.filter(pk=article.pk).update(rendered_body=old)
    with caplog.at_level(logging.WARNING, logger="articles.models"):
        assert cards_on(client, article) == ["The Last Battle"]
        assert cards_on(client, article) == ["The Last Battle"]
    assert caplog.text.count("no current stored render") == 1
    # A read never writes: the stale render stays until a save or refresh_embeds.
    assert Article.objects.get(pk=article.pk).rendered_body == old


def test_a_body_changed_outside_django_is_rendered_from_the_new_body(client, book):
    article = make_article(body="Before.\n")
    Article.objects.filter(pk=article.pk).update(body="After.\n\n[[book:the-last-battle]]\n")
    response = client.get(article.get_absolute_url())
    assert text_of(response.content, ".article__body > p") == ["After."]
    assert text_of(response.content, ".book-card__title") == ["The Last Battle"]


def test_refresh_embeds_renders_every_stale_article_again(book):
    article = make_article(body="[[book:the-last-battle]]\n")
    Article.objects.filter(pk=article.pk).update(rendered_body={})
    out = io.StringIO()
    call_command("refresh_embeds", stdout=out)
    assert "Articles rendered anew: 1." in out.getvalue()
    stored = Article.objects.get(pk=article.pk).stored_render()
    assert stored is not None and stored.book_ids == {"the-last-battle": book.pk}


def test_nothing_typed_poses_as_a_placeholder(client, book):
    article = make_article(body="[[book:the-last-battle]]\n")
    nonce = article.rendered_body["nonce"]
    # An editor who learnt the nonce of the last save types a placeholder: saving makes
    # a new one.
    article.body += f'\n<div data-embed="{nonce}:0"></div>\n'
    article.save()
    assert article.rendered_body["nonce"] != nonce
    assert len(cards_on(client, article)) == 1


def test_the_migration_fills_every_existing_article(book):
    article = make_article(body="Text.\n\n[[book:9780306822087]]\n")
    Article.objects.filter(pk=article.pk).update(rendered_body={})
    migration = importlib.import_module("articles.migrations.0014_fill_rendered_bodies")
    migration.fill_rendered_bodies(apps, None)
    stored = Article.objects.get(pk=article.pk).stored_render()
    assert stored is not None
    assert stored.book_ids == {"9780306822087": book.pk}
    assert "<p>Text.</p>" in stored.html


def test_a_preview_of_unsaved_text_renders_it(book):
    article = make_article(body="Saved.\n")
    article.body = "Unsaved.\n\n[[book:the-last-battle]]\n"
    rendered = article.render_body()
    assert "Unsaved." in rendered.html and [b.pk for b in rendered.books] == [book.pk]


def test_lists_of_teasers_leave_the_stored_render_unread(book):
    make_article(body="[[book:the-last-battle]]\n")
    teaser = Article.objects.published().for_teasers().get()
    # As long as the body: a list of twenty teasers would read twenty of them.
    assert {"body", "rendered_body"} <= teaser.get_deferred_fields()
