"""Reading aids: an article's reading time, on its page, in every list of teasers and in
its structured data, from a word count kept with every write of its body."""

import importlib
import io
import json

import pytest
import reversion
from bs4 import BeautifulSoup
from django.apps import apps as installed_apps
from django.core.management import call_command
from django.utils import timezone
from reversion.models import Version

from articles.models import Article, Topic, word_count_of
from articles.recommendations import refresh_all
from tests.factories import make_article, make_book
from tests.helpers import text_of

fill_word_counts = importlib.import_module(
    "articles.migrations.0012_fill_word_counts"
).fill_word_counts


def words(count: int, word: str = "lorem") -> str:
    return " ".join([word] * count)


def test_the_article_page_says_how_long_it_takes_to_read(client, db):
    # 1,380 words of body and 2 of title: 1,382 / 230 a minute = 6.0 minutes.
    article = make_article(title="Long read", body=words(1380))

    html = client.get(article.get_absolute_url()).content

    assert article.word_count == 1382
    assert "6 min read" in text_of(html, ".article__meta")[0]


@pytest.mark.parametrize(
    ("count", "shown"),
    [(1, "1 min read"), (344, "1 min read"), (345, "2 min read"), (2300, "10 min read")],
)
def test_reading_time_is_rounded_to_the_minute_and_never_under_one(client, db, count, shown):
    # The title ("Piece") is one more word: 345 words are 1.5 minutes, shown as 2.
    article = make_article(title="Piece", body=words(count - 1))

    assert shown in text_of(client.get(article.get_absolute_url()).content, ".reading-time")


def test_the_word_count_is_of_what_readers_read_not_the_markdown():
    book_line = "[[book:9780306822087]]"
    body = f"## Two words\n\n**Three** *more* [words](https://example.com).\n\n{book_line}\n"

    assert word_count_of("A side-by-side title", "") == 3
    from articles.rendering import plain_text

    assert word_count_of("Title", plain_text(body)) == 6
    assert word_count_of("", "The soldiers’ war — 1945!") == 4  # a dash is no word


def test_the_word_count_follows_every_save_of_the_body(db):
    article = make_article(title="One", body=words(10))
    assert Article.objects.get(pk=article.pk).word_count == 11

    article.body = words(500)
    article.save(update_fields=["body"])
    assert Article.objects.get(pk=article.pk).word_count == 501

    article.title = "Now three words"
    article.save()
    assert Article.objects.get(pk=article.pk).word_count == 503


def test_an_unsaved_body_shows_its_own_reading_time(db):
    article = make_article(title="Short", body="Few words.")
    article.body = words(2300)  # a preview of the desk's unsaved changes

    assert article.reading_minutes == 10


@pytest.fixture
def long_read(db):
    """A public article of about 6 minutes, embedding a book, under a topic, with another
    article that recommends it."""
    book = make_book(title="Torgau", slug="torgau")
    topic = Topic.objects.create(name="War")
    article = make_article(
        title="Rivers and armies", body=f"{words(690, 'elbe')}\n\n[[book:torgau]]\n\n{words(690)}"
    )
    article.topics.add(topic)
    other = make_article(title="Another piece", body="Elbe rivers and armies, briefly.")
    refresh_all()
    return {"article": article, "other": other, "book": book, "topic": topic}


@pytest.mark.parametrize(
    ("page", "path"),
    [
        ("home", lambda c: "/"),
        ("archive", lambda c: "/articles/"),
        ("topic", lambda c: c["topic"].get_absolute_url()),
        ("search results", lambda c: "/search/?q=elbe"),
        ("read next", lambda c: c["other"].get_absolute_url()),
        ("book page", lambda c: c["book"].get_absolute_url()),
    ],
)
def test_every_list_of_teasers_shows_each_articles_reading_time(client, long_read, page, path):
    html = client.get(path(long_read)).content
    soup = BeautifulSoup(html, "html.parser")

    teaser = next(
        teaser
        for teaser in soup.select(".teaser")
        if teaser.select_one(".teaser__title").get_text(strip=True) == "Rivers and armies"
    )

    assert teaser.select_one(".reading-time").get_text(strip=True) == "6 min read"


def test_the_archive_shows_the_date_and_the_reading_time_together(client, long_read):
    meta = text_of(client.get("/articles/").content, ".teaser__meta", " ")

    assert any(line.endswith("· 6 min read") and "20" in line for line in meta)


def test_structured_data_gives_the_reading_time_and_word_count(client, long_read):
    article = long_read["article"]
    soup = BeautifulSoup(client.get(article.get_absolute_url()).content, "html.parser")
    data = [
        json.loads(script.string) for script in soup.find_all("script", type="application/ld+json")
    ]
    described = next(item for item in data if item.get("@type") == "Article")

    assert described["timeRequired"] == "PT6M"  # ISO 8601: six minutes
    assert described["wordCount"] == article.word_count == 1383


def test_the_migration_fills_the_word_count_of_existing_articles(db):
    article = make_article(title="Old piece", body=words(99))
    Article.objects.filter(pk=article.pk).update(word_count=0)  # as before migration 0011

    fill_word_counts(installed_apps, None)

    assert Article.objects.get(pk=article.pk).word_count == 101


def test_refresh_embeds_repairs_word_counts_written_around_save(db):
    (article,) = Article.objects.bulk_create(
        [Article(title="Bulk", slug="bulk", body=words(459), published_at=timezone.now())]
    )
    assert Article.objects.get(pk=article.pk).word_count == 0  # bulk_create skips save()

    out = io.StringIO()
    call_command("refresh_embeds", stdout=out)

    refreshed = Article.objects.get(pk=article.pk)
    assert refreshed.word_count == 460
    assert refreshed.reading_minutes == 2
    assert "Articles whose excerpt or word counts changed: 1." in out.getvalue()

    call_command("refresh_embeds", stdout=out)  # nothing left to write
    assert out.getvalue().endswith("changed: 0.\n")


def test_restoring_a_version_kept_before_word_counts_counts_its_words(db):
    with reversion.create_revision():
        article = Article.objects.create(title="Restored", body=words(229))
    version = Version.objects.get_for_object(article).get()
    data = json.loads(version.serialized_data)
    del data[0]["fields"]["word_count"]  # as a version kept before word counts were
    version.serialized_data = json.dumps(data)
    version.save()
    article.body = words(1000)
    article.save()

    version.revert()

    assert Article.objects.get(pk=article.pk).word_count == 230


def test_refresh_recommendations_counts_the_words_of_articles_written_in_bulk(db):
    (article,) = Article.objects.bulk_create(
        [Article(title="Bulk", slug="bulk", body=words(689), published_at=timezone.now())]
    )

    call_command("refresh_recommendations", stdout=io.StringIO())

    assert Article.objects.get(pk=article.pk).word_count == 690
    assert Article.objects.get(pk=article.pk).reading_minutes == 3
