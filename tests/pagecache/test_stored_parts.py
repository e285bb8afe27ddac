"""Parts of pages stored in the database (pagecache.stored_parts): with no shared cache
at all, an article page rendered again reads its cards back instead of its books, in
the same queries whatever their number, and never shows a card older than its book."""

import logging
import time

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import DatabaseError
from django.db.models.query import QuerySet
from django.test.utils import CaptureQueriesContext

from articles.models import Article
from catalogue.models import Book
from catalogue.ratings import Reader, rate
from pagecache import stored_parts
from pagecache.models import StoredPart, TagChange
from pagecache.tags import SITE, tag_for
from tests.factories import make_article, make_author, make_book
from tests.helpers import text_of

pytestmark = pytest.mark.stored_parts


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """Every reading of the clock two seconds after the one before: each change and each
    render a while apart, as on a live site (a part made within CLOCK_MARGIN of a change
    to what it shows is made again, in case clocks disagree)."""
    now = [time.time_ns()]

    def time_ns() -> int:
        now[0] += 2 * stored_parts.CLOCK_MARGIN
        return now[0]

    monkeypatch.setattr(time, "time_ns", time_ns)
    return now


@pytest.fixture
def site(db, django_capture_on_commit_callbacks, settings):
    assert not settings.PAGE_CACHE_SECONDS  # no shared cache: the database alone
    with django_capture_on_commit_callbacks(execute=True):
        author = make_author(name="Stephen Harding")
        books = [
            make_book(title=f"Battle {number}", slug=f"battle-{number}", authors=[author])
            for number in range(12)
        ]
        few = make_article(title="Three Cards", body=cards_of(books[:3]))
        many = make_article(title="Twelve Cards", body=cards_of(books))
    return {"books": books, "few": few, "many": many}


def cards_of(books) -> str:
    return "Text\n\n" + "\n\n".join(f"[[book:{book.slug}]]" for book in books)


def get(client, article):
    """The page, and the SQL its render ran."""
    from django.db import connection

    with CaptureQueriesContext(connection) as queries:
        response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response, [query["sql"] for query in queries.captured_queries]


def reads_books(queries: list[str]) -> bool:
    return any('FROM "catalogue_book"' in sql for sql in queries)


def test_a_page_rendered_again_reads_its_cards_not_its_books(client, site):
    first, queries = get(client, site["many"])
    assert reads_books(queries)
    again, queries_again = get(client, site["many"])
    assert not reads_books(queries_again)
    assert len(queries_again) < len(queries)
    assert text_of(again.content, ".book-card__title") == text_of(
        first.content, ".book-card__title"
    )
    assert again.content == first.content


def test_twelve_stored_cards_cost_the_queries_of_three(client, site):
    get(client, site["few"])
    get(client, site["many"])
    _, few = get(client, site["few"])
    _, many = get(client, site["many"])
    assert len(many) == len(few)


def test_a_retitled_book_shows_at_once_and_the_other_cards_stay_stored(
    client, site, django_capture_on_commit_callbacks
):
    get(client, site["few"])
    with django_capture_on_commit_callbacks(execute=True):
        book = Book.objects.get(pk=site["books"][1].pk)
        book.title = "The Last Battle"
        book.save()
    response, queries = get(client, site["few"])
    assert text_of(response.content, ".book-card__title") == [
        "Battle 0",
        "The Last Battle",
        "Battle 2",
    ]
    # Only the retitled book was read again.
    book_reads = [sql for sql in queries if 'FROM "catalogue_book"' in sql]
    assert len(book_reads) == 1 and f"{site['books'][1].pk}" in book_reads[0]
    _, queries = get(client, site["few"])
    assert not reads_books(queries)


def test_a_rating_shows_on_the_stored_card_at_once(
    client, site, django_capture_on_commit_callbacks
):
    get(client, site["few"])
    with django_capture_on_commit_callbacks(execute=True):
        rate(book=site["books"][0], reader=Reader(visitor="v1"), score=5)
    response, _ = get(client, site["few"])
    assert "5.0 out of 5" in response.content.decode()


def test_a_book_withdrawn_leaves_the_page_at_once(client, site, django_capture_on_commit_callbacks):
    get(client, site["few"])
    with django_capture_on_commit_callbacks(execute=True):
        book = Book.objects.get(pk=site["books"][2].pk)
        book.status = Book.Status.DRAFT
        book.save()
    response, _ = get(client, site["few"])
    assert text_of(response.content, ".book-card__title") == ["Battle 0", "Battle 1"]


def test_a_card_made_from_data_read_before_a_change_is_never_used_after_it(site):
    wanted = {"card": [tag_for(site["books"][0]), SITE]}
    kept = stored_parts.batch(wanted)  # its time taken, then the book read...
    time.sleep(0.01)
    stored_parts.tags_changed([tag_for(site["books"][0])])  # ...a change committed...
    kept.put("card", "<p>old</p>")
    kept.save()  # ...and the old card stored after it
    assert StoredPart.objects.count() == 1
    assert stored_parts.batch(wanted).get("card") is None


def test_a_card_made_a_while_after_the_last_change_is_used(site):
    book = site["books"][0]
    stored_parts.tags_changed([tag_for(book)])
    with stored_parts.batch({"card": [tag_for(book)]}) as kept:
        kept.put("card", "<p>new</p>")
    assert stored_parts.batch({"card": [tag_for(book)]}).get("card") == "<p>new</p>"
    # Another book's change leaves it; a change of everything does not.
    stored_parts.tags_changed([tag_for(site["books"][1])])
    assert stored_parts.batch({"card": [tag_for(book)]}).get("card") == "<p>new</p>"
    stored_parts.tags_changed([SITE])
    assert stored_parts.batch({"card": [tag_for(book), SITE]}).get("card") is None


def test_parts_past_their_time_are_not_used_and_are_deleted(site, settings, clock):
    with stored_parts.batch({"card": [SITE]}) as kept:
        kept.put("card", "<p>kept</p>")
    assert stored_parts.batch({"card": [SITE]}).get("card") == "<p>kept</p>"
    clock[0] += settings.STORED_PARTS_SECONDS * 1_000_000_000
    assert stored_parts.batch({"card": [SITE]}).get("card") is None
    stored_parts.prune(force=True)
    assert not StoredPart.objects.exists()


def test_nothing_is_stored_when_they_are_off(client, site, settings):
    settings.STORED_PARTS_SECONDS = 0
    get(client, site["few"])
    _, queries = get(client, site["few"])
    assert reads_books(queries)
    assert not StoredPart.objects.exists()
    # Changes are recorded still: turned on again, no part made before them is used.
    stored_parts.tags_changed(["some-tag"])
    assert TagChange.objects.filter(tag="some-tag").exists()


def test_a_database_refusing_to_store_them_costs_the_reader_nothing(
    client, site, monkeypatch, caplog
):
    bulk_create = QuerySet.bulk_create

    def refuse(queryset, *args, **kwargs):
        if queryset.model is StoredPart:
            raise DatabaseError("database is locked")
        return bulk_create(queryset, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "bulk_create", refuse)
    with caplog.at_level(logging.WARNING, logger="pagecache.stored_parts"):
        response, _ = get(client, site["few"])
    assert text_of(response.content, ".book-card__title") == ["Battle 0", "Battle 1", "Battle 2"]
    assert "parts not stored" in caplog.text


def test_drop_pages_deletes_them(client, site):
    get(client, site["few"])
    assert StoredPart.objects.exists()
    call_command("drop_pages", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert not StoredPart.objects.exists()
    assert Article.objects.filter(pk=site["few"].pk).exists()


def test_a_card_made_within_the_clock_margin_of_a_change_is_not_written(site, clock):
    book = site["books"][0]
    # A change that, by this process's clock, came less than CLOCK_MARGIN before now.
    TagChange.objects.update_or_create(
        tag=tag_for(book), defaults={"changed_at": clock[0] + stored_parts.CLOCK_MARGIN}
    )
    StoredPart.objects.all().delete()
    with stored_parts.batch({"card": [tag_for(book)], "other": [SITE]}) as kept:
        kept.put("card", "<p>maybe old</p>")
        kept.put("other", "<p>fine</p>")
    assert StoredPart.objects.count() == 1
    assert stored_parts.batch({"other": [SITE]}).get("other") == "<p>fine</p>"


def test_parts_stored_before_a_change_made_with_them_off_are_not_used_after(
    client, site, settings, django_capture_on_commit_callbacks
):
    get(client, site["few"])
    settings.STORED_PARTS_SECONDS = 0  # a process with them off (a worker, DEBUG)
    with django_capture_on_commit_callbacks(execute=True):
        book = Book.objects.get(pk=site["books"][0].pk)
        book.title = "Retitled"
        book.save()
    settings.STORED_PARTS_SECONDS = 3600
    response, _ = get(client, site["few"])
    assert text_of(response.content, ".book-card__title")[0] == "Retitled"


def test_a_change_the_database_refused_to_record_is_recorded_before_a_part_is_used(
    site, monkeypatch, caplog
):
    book = site["books"][0]
    with stored_parts.batch({"card": [tag_for(book)]}) as kept:
        kept.put("card", "<p>old</p>")
    record = stored_parts._record
    monkeypatch.setattr(stored_parts, "_record", lambda tags: False)
    with caplog.at_level(logging.ERROR, logger="pagecache.stored_parts"):
        stored_parts.tags_changed([tag_for(book)])
    assert "could not be recorded" in caplog.text
    # While the database still refuses, this process uses no part at all.
    assert stored_parts.batch({"card": [tag_for(book)]}).get("card") is None
    monkeypatch.setattr(stored_parts, "_record", record)
    assert stored_parts.batch({"card": [tag_for(book)]}).get("card") is None
    assert not stored_parts._pending
    assert TagChange.objects.filter(tag=tag_for(book)).exists()


def test_a_card_made_from_a_lagging_replica_is_not_stored(site, monkeypatch):
    from pagecache import store

    monkeypatch.setattr(store, "replica_caught_up", lambda: False)
    kept = stored_parts.batch({"card": [SITE]})  # behind when the data is read...
    monkeypatch.setattr(store, "replica_caught_up", lambda: True)
    kept.put("card", "<p>maybe old</p>")
    kept.save()  # ...caught up by the time it would be stored
    assert not StoredPart.objects.exists()


def test_a_card_made_from_shops_this_process_read_before_another_changed_them_is_not_stored(
    client, site, settings
):
    """Without a shared cache each process keeps its own copy of the shops, which another
    process's change does not reach: a card made from it is not stored for everyone."""
    settings.CACHES = {  # as with no CACHE_URL (CI's PostgreSQL run shares Redis)
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    from catalogue.models import Shop

    shop = Shop.objects.create(
        name="Paper Lantern", slug="paper-lantern", url_pattern="https://lantern.example/{isbn13}"
    )
    isbns = ["9780000000019", "9780000000026", "9780000000033"]
    for book, isbn in zip(site["books"][:3], isbns, strict=True):
        Book.objects.filter(pk=book.pk).update(isbn13=isbn)
    stored_parts.tags_changed([SITE])
    response, _ = get(client, site["few"])  # this process reads the shops, keeps a copy
    assert "Paper Lantern" in response.content.decode()
    # Another process disables the shop: its change is recorded, this copy not told.
    Shop.objects.filter(pk=shop.pk).update(enabled=False)
    stored_parts.tags_changed([SITE])
    response, _ = get(client, site["few"])  # made again, from the copy: not stored
    assert "Paper Lantern" in response.content.decode()
    cache.clear()  # a third process, with no copy of its own
    response, _ = get(client, site["few"])
    assert "Paper Lantern" not in response.content.decode()


def test_pages_of_any_number_of_cards_share_a_few_statements(site):
    from shared import statements

    for count in range(1, 33):
        wanted = {f"card:{n}": [f"tag:{n}", SITE] for n in range(count)}
        with stored_parts.batch(wanted) as kept:
            for name in wanted:
                kept.put(name, f"<p>{name}</p>")
        again = stored_parts.batch(wanted)
        assert all(again.get(name) == f"<p>{name}</p>" for name in wanted)
    written = [key for key in statements._written.statements if key[0] == "stored-parts"]
    assert len(written) <= 12  # 1, 2, 4, ... 32 parts, with their tags (one more: SITE)


def test_a_part_that_names_no_tag_is_read_back(site):
    with stored_parts.batch({"part": []}) as kept:
        kept.put("part", "<p>kept</p>")
    assert stored_parts.batch({"part": []}).get("part") == "<p>kept</p>"
