"""The other books a book's page lists, read in one statement (catalogue.other_books):
its series' volumes, the newest by its authors and the related-books signals' rows are
the books the ORM's queries found, in the same order: the queries below are what the
statement's parts replace."""

import itertools

import pytest
from django.db import connection
from django.db.models import Count, F, Q
from django.test.utils import CaptureQueriesContext

from catalogue.book_page import choose_other_books
from catalogue.models import Book, Contribution, Subject
from catalogue.other_books import CANDIDATES, MAX_SUBJECTS, candidates
from catalogue.related import AlsoLiked
from tests.factories import make_article, make_author, make_book

pytestmark = pytest.mark.django_db


def embedded_together(book, article_ids):
    if not article_ids:
        return []
    embeds = Book.articles.through.objects.filter(
        article_id__in=article_ids[:100], book__status=Book.Status.PUBLISHED
    )
    rows = (
        embeds.exclude(book_id=book.pk)
        .values("book_id")
        .annotate(together=Count("pk"))
        .order_by("-together", "book_id")[:CANDIDATES]
    )
    return [(row["book_id"], row["together"]) for row in rows]


def sharing_subjects(book, subject_ids):
    subject_ids = subject_ids[:MAX_SUBJECTS]
    found: dict[int, None] = {}
    for subject_id in subject_ids:
        members = (
            Book.objects.public()
            .filter(subjects=subject_id)
            .exclude(pk=book.pk)
            .order_by("-rating_total_count", "pk")
            .values_list("pk", flat=True)[:CANDIDATES]
        )
        found.update(dict.fromkeys(members))
    if len(subject_ids) == 1:
        return [(pk, 1) for pk in found]
    shared = dict(
        Book.subjects.through.objects.filter(book_id__in=found, subject_id__in=subject_ids)
        .values("book_id")
        .annotate(shared=Count("pk"))
        .values_list("book_id", "shared")
    )
    return [(pk, shared.get(pk, 1)) for pk in found]


def also_liked(book):
    rows = AlsoLiked.objects.filter(book=book, liked__status=Book.Status.PUBLISHED)
    return list(rows.order_by("-readers", "liked_id").values_list("liked_id", "readers"))


def alike_titles(book, words):
    if not words:
        return []
    every_word = Q()
    for word in words:
        every_word &= Q(title__icontains=word)
    alike = (
        Book.objects.public()
        .filter(every_word)
        .exclude(pk=book.pk)
        .order_by((F("rating_total_count") + 0).desc(), "pk")
        .values_list("pk", flat=True)[:CANDIDATES]
    )
    return [(pk, 1) for pk in alike]


@pytest.fixture
def shelf():
    """Forty books with ties in their ratings, drafts among them, six subjects, articles
    pairing them, readers' likes and titles sharing words (a '%' and a '_' too)."""
    words = ["Harbour", "Lantern", "Harbour_Lantern", "100%"]
    books = []
    for number in range(40):
        books.append(
            make_book(
                title=f"The {words[number % 4]} {'Lantern' if number % 3 else 'Tides'} {number}",
                source_ratings_4=number % 5,  # ties: the id decides among equals
                status=Book.Status.DRAFT if number % 7 == 3 else Book.Status.PUBLISHED,
            )
        )
    subjects = [Subject.objects.create(name=f"Subject {number}") for number in range(6)]
    for number, book in enumerate(books):
        book.subjects.set(subjects[number % 6 : number % 6 + 1 + number % 3])
    for number in range(5):
        picked = books[number * 3 : number * 3 + 12 : 2]
        make_article(
            title=f"Essay {number}", body="\n\n".join(f"[[book:{b.slug}]]" for b in picked)
        )
    for book, liked in itertools.islice(itertools.product(books[:6], books), 0, 200, 7):
        if book != liked:
            AlsoLiked.objects.get_or_create(
                book=book, liked=liked, defaults={"readers": liked.pk % 4 + 3}
            )
    return books


def test_each_signal_finds_the_books_the_orm_found_in_its_order(shelf):
    for book in shelf:
        article_ids = list(book.articles.published().values_list("pk", flat=True))
        subject_ids = list(book.subjects.order_by("name", "pk").values_list("pk", flat=True))
        words = ["Harbour", "Lantern"] if book.pk % 2 else ["Harbour_Lantern", "100%"]
        found = candidates(
            book.pk, article_ids=article_ids, subject_ids=subject_ids, title_words=words
        ).signals
        assert found == [
            embedded_together(book, article_ids),
            sharing_subjects(book, subject_ids),
            also_liked(book),
            alike_titles(book, words),
        ], book.title


def test_a_subject_of_more_books_than_its_cap_offers_its_most_rated(shelf):
    subject = Subject.objects.create(name="Everything")
    for book in shelf:
        book.subjects.add(subject)
    found = candidates(
        shelf[0].pk, article_ids=[], subject_ids=[subject.pk], title_words=[]
    ).signals
    assert found[1] == sharing_subjects(shelf[0], [subject.pk])
    assert len(found[1]) == CANDIDATES


def test_the_signals_are_one_query(shelf):
    book = shelf[2]
    subject_ids = list(book.subjects.values_list("pk", flat=True))
    assert len(subject_ids) > 1
    article_ids = list(book.articles.values_list("pk", flat=True))
    assert article_ids
    with CaptureQueriesContext(connection) as queries:
        chosen = choose_other_books(
            book, author_ids=[], subject_ids=subject_ids, article_ids=article_ids
        )
    related = chosen.ids["similar"]
    assert len(queries) == 1
    assert related and book.pk not in related


def test_the_series_and_the_authors_other_books_are_the_orms(db):
    """In the series' order (numbers, none first or last as the database puts them, then
    titles), capped; then the newest by any of the authors, none of the series' list."""
    first, second = make_author(name="First"), make_author(name="Second")
    book = make_book(title="Middle", series="Saga", series_number=5, authors=[first, second])
    for number, title, year in [
        (1, "Zeta", 1990), (1, "Alpha", 1991), (None, "Unnumbered", None), (9, "Late", 2020),
        (2.5, "Between", 1995), (3, "Drafted", 2000),
    ]:  # fmt: skip
        status = Book.Status.DRAFT if title == "Drafted" else Book.Status.PUBLISHED
        make_book(
            title=title, series="Saga", series_number=number, publication_year=year,
            status=status, authors=[first],
        )  # fmt: skip
    for year in [None, 1980, 2001, 2010, 2015]:
        make_book(title=f"Apart {year}", publication_year=year, authors=[second])
    Contribution.objects.create(
        book=make_book(title="Translated", publication_year=2005),
        author=second, role="translator", position=0,
    )  # fmt: skip
    author_ids = [first.pk, second.pk]
    for series_limit, authors_limit in [(30, 8), (3, 2)]:
        found = candidates(
            book.pk, series="Saga", author_ids=author_ids, article_ids=[], subject_ids=[],
            title_words=[], series_limit=series_limit, authors_limit=authors_limit,
        )  # fmt: skip
        others = Book.objects.public().exclude(pk=book.pk)
        series = list(
            others.in_series("Saga").only("pk", "slug", "title", "series_number")[:series_limit]
        )
        assert [(v.pk, v.slug, v.title, v.series_number) for v in found.volumes] == [
            (v.pk, v.slug, v.title, v.series_number) for v in series
        ]
        assert found.by_same_authors == list(
            others.by_authors_of(book)
            .exclude(pk__in=[v.pk for v in series])
            .values_list("pk", flat=True)[:authors_limit]
        )
    alone = candidates(
        book.pk, author_ids=author_ids, article_ids=[], subject_ids=[], title_words=[]
    )
    assert alone.volumes == [] and len(alone.by_same_authors) == 8


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan")
def test_the_authors_other_books_are_fetched_by_their_ids_not_a_scan(db):
    """A book in a series with two authors: their few other books are read by their ids,
    not every book of the catalogue checked against the series' list (2 ms at 10,000)."""
    first, second = make_author(name="First"), make_author(name="Second")
    Book.objects.bulk_create(
        Book(title=f"Filler {number}", slug=f"filler-{number}", series=f"Saga {number % 50}")
        for number in range(3000)
    )
    book = make_book(title="Volume 1", series="Saga", authors=[first, second])
    for number in range(2, 6):
        make_book(title=f"Volume {number}", series="Saga", authors=[first])
    for number in range(6):
        make_book(title=f"Apart {number}", authors=[second])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE catalogue_book")
        cursor.execute("ANALYZE catalogue_contribution")
    with CaptureQueriesContext(connection) as queries:
        found = candidates(
            book.pk, series="Saga", author_ids=[first.pk, second.pk], article_ids=[],
            subject_ids=[], title_words=[],
        )  # fmt: skip
    assert len(found.volumes) == 4 and len(found.by_same_authors) == 6
    (statement,) = [query["sql"] for query in queries]
    by_authors = next(part for part in statement.split("UNION ALL") if "author_id" in part)
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {by_authors}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Seq Scan on catalogue_book b " not in plan, plan
