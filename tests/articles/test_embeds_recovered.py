"""A book an article names but that was not there when the article was rendered (deleted
since, or not made yet) shows on the article as soon as it is: recovered in the desk,
added, or renamed to the slug or ISBN the article names. With the page cache on: the
article's cached page goes too."""

import pytest
import reversion
from django.urls import reverse
from reversion.models import Version

from articles.models import Article
from catalogue.merging import merge_books
from catalogue.models import Book
from catalogue.where_used import where_used
from tests.factories import make_article, make_book
from tests.helpers import form_values, text_of

pytestmark = [pytest.mark.django_db, pytest.mark.page_cache]


@pytest.fixture
def commits(django_capture_on_commit_callbacks):
    """Writes made inside it commit (the page cache's invalidations run)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def cards_on(client, article) -> list[str]:
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return text_of(response.content, ".book-card__title")


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
