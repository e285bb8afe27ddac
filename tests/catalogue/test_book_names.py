"""What names a book, read in one statement (catalogue.book_names), is what the ORM's
queries read: the queries below are what the statement's parts replace."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Count, Window
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalogue.book_names import (
    ARTICLES_LIMIT,
    PAGE_FIELDS,
    TEASER_UNREAD,
    names_of,
    public_book_at,
    teasers_of,
)
from catalogue.models import Book, Contribution, ReadingList, ReadingListItem, Subject
from tests.factories import make_article, make_author, make_book
from tests.helpers import text_of
from tests.pictures import make_ready_image

pytestmark = pytest.mark.django_db


def names_by_the_orm(book: Book) -> dict:
    rows = (
        Book.objects.filter(pk=book.pk)
        .order_by("subjects__name", "subjects__pk")
        .values_list("subjects__pk", "contributions__author_id")
    )
    articles = list(
        book.articles.published()
        .annotate(of_all=Window(Count("pk")))
        .values_list("pk", "of_all")[:ARTICLES_LIMIT]
    )
    reading_lists = (
        ReadingList.objects.published()
        .containing(book)
        .only("title", "slug")
        .order_by("-published_at", "-pk")
    )
    return {
        "subject_ids": list(dict.fromkeys(pk for pk, _ in rows if pk is not None)),
        "author_ids": sorted({pk for _, pk in rows if pk is not None}),
        "article_ids": [pk for pk, _ in articles],
        "articles_total": articles[0][1] if articles else 0,
        "reading_lists": [
            {"pk": shown.pk, "title": shown.title, "url": shown.get_absolute_url()}
            for shown in reading_lists
        ],
    }


@pytest.fixture
def named():
    """A book with subjects named out of their ids' order, authors in several roles, more
    articles than are named (drafts, scheduled and withdrawn ones too), and lists."""
    now = timezone.now()
    book = make_book(title="Named", authors=[make_author(name=f"Author {n}") for n in range(3)])
    Contribution.objects.create(
        book=book, author=make_author(name="Translator"), role="translator", position=3
    )
    for name in ["Zebras", "Apples", "Mangoes", "apples"]:
        book.subjects.add(Subject.objects.create(name=name))
    for number in range(ARTICLES_LIMIT + 3):
        make_article(
            title=f"Essay {number}",
            body=f"[[book:{book.slug}]]",
            published_at=now - timedelta(days=number % 4),  # ties: the id decides
        )
    make_article(title="Draft", body=f"[[book:{book.slug}]]", status="draft")
    make_article(title="Later", body=f"[[book:{book.slug}]]", published_at=now + timedelta(days=1))
    make_article(title="Gone", body=f"[[book:{book.slug}]]", withdraw_at=now - timedelta(hours=1))
    for number, status in enumerate(["published", "published", "draft", "published"]):
        shelf = ReadingList.objects.create(
            title=f"List {number}", status=status, published_at=now - timedelta(days=number % 2)
        )
        ReadingListItem.objects.create(reading_list=shelf, book=book, position=0)
    return book


def test_the_statement_reads_what_the_orm_read(named):
    names = names_of(named.pk)
    assert names == names_by_the_orm(named)
    assert names["articles_total"] == ARTICLES_LIMIT + 3
    assert len(names["subject_ids"]) == 4 and len(names["author_ids"]) == 4
    assert [shown["title"] for shown in names["reading_lists"]] == ["List 0", "List 3", "List 1"]


def test_a_book_named_by_nothing(db):
    book = make_book(title="Alone")
    assert names_of(book.pk) == names_by_the_orm(book) == {
        "subject_ids": [], "author_ids": [], "article_ids": [], "articles_total": 0,
        "reading_lists": [],
    }  # fmt: skip


def test_what_names_the_book_is_one_query(named, client):
    with CaptureQueriesContext(connection) as queries:
        names_of(named.pk)
    assert len(queries) == 1
    html = client.get(named.get_absolute_url()).content.decode()
    assert f"The {ARTICLES_LIMIT} newest of {ARTICLES_LIMIT + 3} articles about it." in html


def test_the_page_finds_its_book_as_the_orm_would(client, django_assert_num_queries):
    """The book page's lookup (book_names.public_book_at) reads what
    `Book.objects.public().only(...)` reads: the public book of that address, its other
    fields left unread; a draft and an unknown address find nothing (the page is a 404)."""
    book = make_book(title="The Shown", series="Saga", description="Read when asked.")
    draft = make_book(title="The Held", status=Book.Status.DRAFT)
    with django_assert_num_queries(1):
        found = public_book_at("the-shown")
    expected = Book.objects.public().only(*PAGE_FIELDS).get(slug="the-shown")
    assert found.get_deferred_fields() == expected.get_deferred_fields()
    assert {name: getattr(found, name) for name in PAGE_FIELDS} == {
        "id": book.pk, "slug": "the-shown", "status": "published", "title": "The Shown",
        "series": "Saga",
    }  # fmt: skip
    assert found._state.db == "default" and not found._state.adding
    assert public_book_at(draft.slug) is None and public_book_at("nowhere") is None
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(book.get_absolute_url()).status_code == 200


def test_the_pages_teasers_are_read_as_for_teasers_reads_them(django_assert_num_queries):
    """Its articles read for their teasers (book_names.teasers_of): the published ones
    alone, every field for_teasers() reads and its featured picture with them (none for
    an article without one), the fields it leaves unread left unread."""
    book = make_book(title="Told About")
    pictured = make_article(
        title="With a picture", body=f"[[book:{book.slug}]]",
        featured_image=make_ready_image(size=(800, 500)),
    )  # fmt: skip
    plain = make_article(title="Without", body=f"[[book:{book.slug}]]")
    draft = make_article(title="Held", status="draft", body=f"[[book:{book.slug}]]")
    ids = [pictured.pk, plain.pk, draft.pk]
    Article = type(pictured)
    expected = Article.objects.published().for_teasers().in_bulk(ids)
    with django_assert_num_queries(1):
        found = teasers_of([*ids, plain.pk])
    assert set(found) == set(expected) == {pictured.pk, plain.pk}
    read = [f.attname for f in Article._meta.concrete_fields if f.name not in TEASER_UNREAD]
    with django_assert_num_queries(0):
        for pk, teaser in found.items():
            assert teaser.get_deferred_fields() == expected[pk].get_deferred_fields()
            assert [getattr(teaser, name) for name in read] == [
                getattr(expected[pk], name) for name in read
            ]
            picture, picture_expected = teaser.featured_image, expected[pk].featured_image
            assert (picture and picture.__dict__.keys()) == (
                picture_expected and picture_expected.__dict__.keys()
            )
            assert (picture and picture.renditions) == (
                picture_expected and picture_expected.renditions
            )
    assert found[plain.pk].featured_image is None
    assert teasers_of([]) == {}


def test_the_book_page_shows_its_articles_teasers_with_their_thumbnails(client):
    book = make_book(title="Told About")
    image = make_ready_image(size=(800, 500))
    make_article(title="With a picture", body=f"[[book:{book.slug}]]", featured_image=image)
    html = client.get(book.get_absolute_url()).content
    assert text_of(html, "#book-articles + ul .teaser__title") == ["With a picture"]
    assert len(text_of(html, "#book-articles + ul img.teaser__thumbnail")) == 1
