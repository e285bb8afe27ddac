""" "Read next" as an article's page reads it (Article.recommendations): the rows the
worker keeps, pinned first and then by score, topped up with the latest public articles
when short, never an article readers may not see, as teasers with their pictures."""

import datetime as dt
from unittest import mock

import pytest
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import override_settings
from django.utils import timezone

from articles.models import Article, Recommendation
from tests.factories import make_article
from tests.helpers import text_of
from tests.pictures import make_ready_image


def days_ago(days: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def keep(article: Article, recommended: Article, score: float, *, pinned: bool = False) -> None:
    """A row as the worker writes it (articles.recommendations)."""
    Recommendation.objects.create(
        article=article, recommended=recommended, score=score, pinned=pinned
    )


def values_of(instance) -> dict:
    """The fields an instance was read with, as Python values."""
    deferred = instance.get_deferred_fields()
    return {
        field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if field.attname not in deferred
    }


def titles(articles: list[Article]) -> list[str]:
    return [article.title for article in articles]


@pytest.fixture
def reader(db) -> Article:
    """The article being read: the newest, so it would top its own list up."""
    return make_article(title="Being read", published_at=days_ago(0.01))


def test_pinned_rows_lead_then_the_others_by_score_cut_at_the_count(reader):
    low, high, pinned, lowest = (
        make_article(title=title, published_at=days_ago(30 + n))
        for n, title in enumerate(["Low", "High", "Pinned", "Lowest"])
    )
    keep(reader, low, 0.3)
    keep(reader, high, 0.9)
    keep(reader, pinned, 0.1, pinned=True)
    keep(reader, lowest, 0.05)
    assert titles(reader.recommendations()) == ["Pinned", "High", "Low"]
    assert titles(reader.recommendations(4)) == ["Pinned", "High", "Low", "Lowest"]


def test_equal_scores_show_the_newer_first(reader):
    older = make_article(title="Older", published_at=days_ago(20))
    newer = make_article(title="Newer", published_at=days_ago(10))
    keep(reader, older, 0.5)
    keep(reader, newer, 0.5)
    assert titles(reader.recommendations(2)) == ["Newer", "Older"]


def test_a_short_list_is_topped_up_with_the_latest_that_readers_may_see(reader):
    kept = make_article(title="Kept", published_at=days_ago(100))
    keep(reader, kept, 0.4)
    make_article(title="Second newest", published_at=days_ago(2))
    make_article(title="Newest", published_at=days_ago(1))
    make_article(title="Third newest", published_at=days_ago(3))
    make_article(title="A draft", status=Article.Status.DRAFT)
    make_article(title="Scheduled", published_at=timezone.now() + dt.timedelta(hours=1))
    make_article(title="Withdrawn by its time", published_at=days_ago(1),
                 withdraw_at=timezone.now() - dt.timedelta(minutes=1))  # fmt: skip
    make_article(title="Withdrawn", status=Article.Status.WITHDRAWN, published_at=days_ago(1))
    assert titles(reader.recommendations()) == ["Kept", "Newest", "Second newest"]


def test_a_kept_article_that_is_also_among_the_latest_shows_once(reader):
    newest = make_article(title="Newest", published_at=days_ago(1))
    make_article(title="Second newest", published_at=days_ago(2))
    make_article(title="Third newest", published_at=days_ago(3))
    keep(reader, newest, 0.2)
    assert titles(reader.recommendations()) == ["Newest", "Second newest", "Third newest"]


def test_an_excluded_article_never_tops_the_list_up(reader):
    newest = make_article(title="Newest", published_at=days_ago(1))
    for days in (2, 3, 4):
        make_article(title=f"{days} days old", published_at=days_ago(days))
    reader.excluded_recommendations.add(newest)
    assert titles(reader.recommendations()) == ["2 days old", "3 days old", "4 days old"]


def test_kept_rows_of_articles_readers_may_not_see_are_passed_over(reader):
    hidden = [
        make_article(title="A draft", status=Article.Status.DRAFT),
        make_article(title="In review", status=Article.Status.REVIEW),
        make_article(title="Scheduled", published_at=timezone.now() + dt.timedelta(hours=1)),
        make_article(title="Withdrawn", status=Article.Status.WITHDRAWN, published_at=days_ago(1)),
        make_article(title="Withdrawn by its time", published_at=days_ago(5),
                     withdraw_at=timezone.now() - dt.timedelta(minutes=1)),
    ]  # fmt: skip
    for article in hidden:
        keep(reader, article, 0.9)
    keep(reader, make_article(title="Live", published_at=days_ago(50)), 0.1)
    make_article(title="Latest", published_at=days_ago(6))
    make_article(title="Before it", published_at=days_ago(7))
    assert titles(reader.recommendations()) == ["Live", "Latest", "Before it"]


@override_settings(RECOMMENDATION_COUNT=2)
def test_the_list_is_as_long_as_the_settings_say(reader):
    for days in (1, 2, 3):
        make_article(title=f"{days} days old", published_at=days_ago(days))
    assert titles(reader.recommendations()) == ["1 days old", "2 days old"]
    assert len(reader.recommendations(3)) == 3


def test_teasers_are_what_for_teasers_reads_with_their_picture(reader, django_assert_num_queries):
    picture = make_ready_image(alt="A harbour at dawn")
    with_picture = make_article(title="Harbour", standfirst="Ships.", featured_image=picture,
                                published_at=days_ago(1), withdraw_at=days_ago(-30))  # fmt: skip
    without = make_article(title="Inland", body="Fields and hedges.", published_at=days_ago(2))
    keep(reader, without, 0.7)
    with django_assert_num_queries(1):
        shown = reader.recommendations(2)
        # The picture came with its article: showing it reads nothing more.
        assert [article.featured_image for article in shown] == [None, picture]
    expected = Article.objects.for_teasers().in_bulk([with_picture.pk, without.pk])
    for article in shown:
        read = expected[article.pk]
        assert article.get_deferred_fields() == read.get_deferred_fields()
        assert values_of(article) == values_of(read)  # dates, booleans and JSON as read
    picture.refresh_from_db()
    assert values_of(shown[1].featured_image) == values_of(picture)
    assert (shown[0].teaser, shown[1].teaser) == ("Fields and hedges.", "Ships.")
    assert shown[0].body == without.body  # a deferred field is still read when asked


def test_the_page_shows_read_next_in_its_order_with_teasers(client, reader):
    keep(reader, make_article(title="Kept", standfirst="Why it follows.",
                              published_at=days_ago(40)), 0.5)  # fmt: skip
    make_article(title="Newest", standfirst="Fresh.", published_at=days_ago(1))
    make_article(title="Next", standfirst="Also fresh.", published_at=days_ago(2))
    html = client.get(reader.get_absolute_url()).content
    assert text_of(html, "#recommendations .teaser__title") == ["Kept", "Newest", "Next"]
    assert text_of(html, "#recommendations .teaser__text") == [
        "Why it follows.", "Fresh.", "Also fresh."
    ]  # fmt: skip
    assert text_of(html, "#recommendations .reading-time") == ["1 min read"] * 3


def test_after_the_first_reading_no_query_is_built_again(reader):
    """The statement is written once per connection and list length: the ORM building
    the same query at every request cost ten times what the database took to answer."""
    make_article(title="Other", published_at=days_ago(1))
    reader.recommendations()
    with mock.patch.object(SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql):
        assert titles(reader.recommendations()) == ["Other"]
        assert SQLCompiler.as_sql.call_count == 0
