"""A book an article names but that was not there when the article was rendered (deleted
since, or not made yet) shows on the article as soon as it is: recovered in the desk,
added, or renamed to the slug or ISBN the article names. With the page cache on: the
article's cached page goes too. The articles are found by the references kept at save
that found no book (UnresolvedBookReference), never by reading every body."""

import importlib
from io import StringIO

import pytest
import reversion
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse
from reversion.models import Version

from articles.models import Article, UnresolvedBookReference
from catalogue.merging import merge_books
from catalogue.models import Book
from catalogue.where_used import where_used
from tests.factories import article_form, book_form, make_article, make_book
from tests.helpers import form_values, text_of

pytestmark = [pytest.mark.django_db, pytest.mark.page_cache]

filling = importlib.import_module("articles.migrations.0017_fill_unresolved_book_references")


def cards_on(client, article) -> list[str]:
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return text_of(response.content, ".book-card__title")


def waiting_for(article) -> list[str]:
    """The references of the article's stored render that found no book, as kept."""
    rows = UnresolvedBookReference.objects.filter(article=article)
    return sorted(rows.values_list("reference", flat=True))


def test_a_book_recovered_in_the_desk_shows_again_on_the_articles_naming_it(
    client, editor, commits
):
    with commits(), reversion.create_revision():
        book = make_book(title="Fahrenheit 451", slug="fahrenheit-451")
    with commits():
        article = make_article(title="Burning books", body="[[book:fahrenheit-451]]\n")
    assert cards_on(client, article) == ["Fahrenheit 451"]
    assert client.get(article.get_absolute_url())["X-Page-Cache"] == "hit"

    delete_url = reverse("admin:catalogue_book_delete", args=[book.pk])
    with commits():
        deleted = editor.post(delete_url, {"post": "yes"})
    assert deleted.status_code == 302
    assert cards_on(client, article) == []

    version = Version.objects.get_deleted(Book).get()
    recover_url = reverse("admin:catalogue_book_recover", args=[version.pk])
    with commits():
        recovered = editor.post(recover_url, form_values(editor.get(recover_url)))
    assert recovered.status_code == 302
    assert Book.objects.filter(pk=book.pk).exists()

    assert cards_on(client, article) == ["Fahrenheit 451"]
    assert where_used(Book.objects.get(pk=book.pk)).live == [Article.objects.get(pk=article.pk)]


def test_a_book_added_after_the_article_named_it_shows_at_once(client, commits):
    with commits():
        article = make_article(body="Soon.\n\n[[book:the-dispossessed]]\n")
    assert cards_on(client, article) == []
    assert client.get(article.get_absolute_url())["X-Page-Cache"] == "hit"

    with commits():
        book = make_book(title="The Dispossessed", slug="the-dispossessed")

    assert cards_on(client, article) == ["The Dispossessed"]
    assert list(Article.objects.get(pk=article.pk).embedded_books.all()) == [book]


@pytest.mark.parametrize(
    ("reference", "field", "value"),
    [
        ("the-last-battle", "slug", "the-last-battle"),
        ("0-306-82208-3", "isbn13", "9780306822087"),  # the hyphenated ISBN-10 of it
    ],
    ids=["renamed to the slug", "given the ISBN"],
)
def test_a_book_renamed_to_what_an_article_names_shows_at_once(
    client, commits, reference, field, value
):
    with commits():
        book = make_book(title="The Last Battle", slug="last-battle-1945")
        article = make_article(body=f"[[book:{reference}]]\n")
    assert cards_on(client, article) == []

    with commits():
        setattr(book, field, value)
        book.save()

    assert cards_on(client, article) == ["The Last Battle"]


def test_a_book_merged_away_shows_the_book_kept_on_the_cached_page(client, commits):
    with commits():
        duplicate = make_book(title="Dispossessed", slug="dispossessed")
        kept = make_book(title="The Dispossessed", slug="the-dispossessed")
        article = make_article(body="[[book:dispossessed]]\n")
    assert cards_on(client, article) == ["Dispossessed"]
    assert client.get(article.get_absolute_url())["X-Page-Cache"] == "hit"

    with commits():
        merge_books(kept, [duplicate])

    assert cards_on(client, article) == ["The Dispossessed"]


def test_finding_the_articles_costs_the_same_for_one_or_many(
    commits, django_assert_max_num_queries
):
    """The articles naming a new book are found and written a batch at a time."""
    counts = []
    for many in (1, 6):
        slug = f"book-named-by-{many}"
        with commits():
            for _ in range(many):
                make_article(body=f"[[book:{slug}]]\n")
        with commits(), django_assert_max_num_queries(50) as captured:
            make_book(title=f"Named by {many}", slug=slug)
        counts.append(len(captured))
        named = Article.objects.filter(embedded_books__slug=slug)
        assert named.count() == many
    assert counts[0] == counts[1]


def test_an_article_saved_naming_a_book_not_made_yet_shows_it_once_made(client, commits):
    # Named by its hyphenated ISBN-10, and by a slug no book will take.
    with commits():
        article = make_article(body="Soon.\n\n[[book:0-306-82208-3]]\n\n[[book:not-a-book]]\n")
    assert cards_on(client, article) == []
    assert client.get(article.get_absolute_url())["X-Page-Cache"] == "hit"
    assert waiting_for(article) == ["9780306822087", "not-a-book"]

    with commits():
        make_book(title="The Last Battle", slug="the-last-battle", isbn13="9780306822087")

    assert cards_on(client, article) == ["The Last Battle"]
    assert waiting_for(article) == ["not-a-book"]


def test_a_book_deleted_then_added_again_in_the_desk_shows_on_the_article(client, editor, commits):
    with commits():
        book = make_book(title="Beloved", slug="beloved")
    with commits():
        added = editor.post(
            "/admin/articles/article/add/", article_form(body="Read it.\n\n[[book:beloved]]\n")
        )
    assert added.status_code == 302
    article = Article.objects.get(title="A new piece")
    assert cards_on(client, article) == ["Beloved"]
    assert waiting_for(article) == []

    with commits():
        deleted = editor.post(
            reverse("admin:catalogue_book_delete", args=[book.pk]), {"post": "yes"}
        )
    assert deleted.status_code == 302
    assert cards_on(client, article) == []
    assert waiting_for(article) == ["beloved"]

    with commits():
        made = editor.post("/admin/catalogue/book/add/", book_form(title="Beloved"))
    assert made.status_code == 302

    assert cards_on(client, article) == ["Beloved"]
    assert waiting_for(article) == []


def test_an_article_edited_to_stop_naming_a_book_is_left_alone_when_it_is_made(client, commits):
    with commits():
        article = make_article(body="[[book:the-dispossessed]]\n")
    assert waiting_for(article) == ["the-dispossessed"]
    with commits():
        article.body = "Another book, after all.\n"
        article.save()
    assert waiting_for(article) == []
    assert cards_on(client, article) == []
    render = Article.objects.get(pk=article.pk).rendered_body

    with commits():
        make_book(title="The Dispossessed", slug="the-dispossessed")

    # Its cached page kept (nothing on it changed), its render and embeds as they were.
    assert client.get(article.get_absolute_url())["X-Page-Cache"] == "hit"
    assert Article.objects.get(pk=article.pk).rendered_body == render
    assert not Article.objects.get(pk=article.pk).embedded_books.exists()


def test_finding_the_articles_reads_no_body_and_costs_the_same_for_few_or_many(
    commits, django_assert_max_num_queries
):
    """However many articles there are, and however many of them wait for other books,
    the new book's articles come from one look-up of the references kept at save."""
    counts = []
    for many in (1, 8):
        slug = f"book-named-by-{many}"
        with commits():
            for number in range(many):
                make_article(body=f"[[book:{slug}]]\n\n[[book:other-{many}-{number}]]\n")
            for number in range(3 * many):
                make_article(body=f"Elsewhere.\n\n[[book:elsewhere-{many}-{number}]]\n")
        with commits(), django_assert_max_num_queries(50) as captured:
            make_book(title=f"Named by {many}", slug=slug)
        counts.append(len(captured))
        assert not [query for query in captured if '"articles_article"."body"' in query["sql"]]
        assert Article.objects.filter(embedded_books__slug=slug).count() == many
        named = Article.objects.filter(embedded_books__slug=slug)
        assert {tuple(waiting_for(article)) for article in named} == {
            (f"other-{many}-{number}",) for number in range(many)
        }
    assert counts[0] == counts[1]


def test_refresh_embeds_records_the_references_a_render_kept_without_them(client, commits):
    """Rows lost (written around Django) come back with `manage.py refresh_embeds`."""
    with commits():
        article = make_article(body="[[book:the-left-hand-of-darkness]]\n")
    UnresolvedBookReference.objects.all().delete()

    call_command("refresh_embeds", stdout=StringIO())
    assert waiting_for(article) == ["the-left-hand-of-darkness"]
    with commits():
        make_book(title="The Left Hand of Darkness", slug="the-left-hand-of-darkness")
    assert cards_on(client, article) == ["The Left Hand of Darkness"]


def test_the_migration_records_what_the_renders_stored_before_it_found_no_book(
    client, commits, monkeypatch
):
    with commits():
        make_book(title="Kindred", slug="kindred")
        article = make_article(
            body="[[book:kindred]]\n\n[[book:978-0-306-82208-7]]\n\n[[book:dawn]]\n"
        )
        without_books = make_article(body="No books.\n")
    UnresolvedBookReference.objects.all().delete()  # as stored before migration 0016
    monkeypatch.setattr(filling, "BATCH", 1)

    filling.fill_unresolved_references(apps, None)
    filling.fill_unresolved_references(apps, None)  # run again, it adds nothing
    assert waiting_for(article) == ["9780306822087", "dawn"]
    assert waiting_for(without_books) == []
    with commits():
        make_book(title="Dawn", slug="dawn")
    assert cards_on(client, article) == ["Kindred", "Dawn"]

    filling.forget_unresolved_references(apps, None)
    assert not UnresolvedBookReference.objects.exists()


def test_a_reference_longer_than_any_slug_is_saved_and_not_kept(client):
    """No book's slug is that long: nothing to wait for (and no row too long to store)."""
    article = make_article(body=f"[[book:{'a' * 250}]]\n\n[[book:dawn]]\n")
    assert waiting_for(article) == ["dawn"]
    assert cards_on(client, article) == []
