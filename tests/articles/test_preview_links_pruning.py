"""Preview links do not pile up: making a link forgets the article's links whose time ran
out over 30 days ago (expired, or revoked before that), never the withdrawal's record that
keeps old tokens dead; whoever holds a forgotten link still reads that it expired. The
form lists the links still working first, ten at most, and says how many more there are."""

import json
import time
from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from articles.models import Article, PreviewLink
from articles.previews import LINK_SALT, PREVIEW_LINKS_SHOWN, links_listed, revoke_all_links
from tests.factories import make_article
from tests.helpers import text_of

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


@pytest.fixture
def article(db) -> Article:
    return make_article(title="Torgau", status=Article.Status.DRAFT)


def change_url(article) -> str:
    return f"/admin/articles/article/{article.pk}/change/"


def made_link(client, article) -> str:
    response = client.post(f"/admin/articles/article/{article.pk}/preview-link/")
    assert response.status_code == 200
    return json.loads(response.content)["url"].removeprefix("http://testserver")


def link_ran_out(article, days_ago: float, *, revoked: bool = False) -> PreviewLink:
    """A link of `article` whose time ran out `days_ago` (revoked a day after it was made)."""
    ran_out = timezone.now() - timedelta(days=days_ago)
    made = ran_out - timedelta(days=7)
    link = PreviewLink.objects.create(article=article, expires_at=ran_out)
    PreviewLink.objects.filter(pk=link.pk).update(
        created_at=made, revoked_at=made + DAY if revoked else None
    )
    return link


def kept(article) -> set[int]:
    return set(PreviewLink.objects.filter(article=article).values_list("pk", flat=True))


def test_a_new_link_forgets_the_articles_links_stopped_over_30_days_ago(editor, article):
    long_expired = link_ran_out(article, 31)
    long_revoked = link_ran_out(article, 31, revoked=True)
    lately_expired = link_ran_out(article, 29)
    lately_revoked = link_ran_out(article, 29, revoked=True)
    other = make_article(title="Another")
    others_old = link_ran_out(other, 90)
    working = made_link(editor, article)
    before = kept(article)
    assert {long_expired.pk, long_revoked.pk} & before == set()
    assert {lately_expired.pk, lately_revoked.pk} < before and len(before) == 3
    assert kept(other) == {others_old.pk}  # forgotten when a link of its own is made
    assert Client().get(working).status_code == 200


def test_the_withdrawal_record_is_never_forgotten_and_old_tokens_stay_dead(editor, article):
    old_token = f"/articles/preview/{signing.dumps(article.pk, salt=LINK_SALT)}/"
    revoke_all_links(article=article)  # withdrawn, two months ago
    then = timezone.now() - 60 * DAY
    PreviewLink.objects.filter(article=article).update(
        created_at=then, expires_at=then, revoked_at=then
    )
    mark = PreviewLink.objects.get(article=article)
    made_link(editor, article)
    assert mark.pk in kept(article)
    refused = Client().get(old_token)
    assert refused.status_code == 410
    assert text_of(refused.content, "h1") == ["This article has been withdrawn"]


def test_whoever_holds_a_forgotten_link_reads_that_it_expired(editor, article, monkeypatch):
    # Made 40 days ago: its token was signed then.
    with monkeypatch.context() as then:
        then.setattr(
            signing.TimestampSigner,
            "timestamp",
            lambda self: signing.b62_encode(int(time.time() - 40 * 86400)),
        )
        forgotten = made_link(editor, article)
    PreviewLink.objects.filter(article=article).update(
        created_at=timezone.now() - 40 * DAY, expires_at=timezone.now() - 33 * DAY
    )
    made_link(editor, article)
    assert PreviewLink.objects.filter(article=article).count() == 1
    refused = Client().get(forgotten)
    assert refused.status_code == 410
    assert text_of(refused.content, "h1") == ["This preview link has expired"]


def made_days_ago(editor, article, monkeypatch, days: int, *, lifetime: int) -> str:
    """A link made `days` ago, when links worked for `lifetime` days: its address."""
    with monkeypatch.context() as then:
        then.setattr(
            signing.TimestampSigner,
            "timestamp",
            lambda self: signing.b62_encode(int(time.time() - days * 86400)),
        )
        address = made_link(editor, article)
    made = timezone.now() - days * DAY
    PreviewLink.objects.filter(pk=PreviewLink.objects.latest("pk").pk).update(
        created_at=made, expires_at=made + lifetime * DAY
    )
    return address


def test_a_link_of_a_shorter_lifetime_reads_expired_after_the_lifetime_grew(
    editor, article, monkeypatch, settings
):
    # Made under a 7-day lifetime, 100 and 40 days ago; links work 60 days now.
    old = made_days_ago(editor, article, monkeypatch, 100, lifetime=7)
    recent = made_days_ago(editor, article, monkeypatch, 40, lifetime=7)
    settings.PREVIEW_LINK_DAYS = 60
    made_link(editor, article)
    for address in (recent, old):
        refused = Client().get(address)
        assert refused.status_code == 410
        assert text_of(refused.content, "h1") == ["This preview link has expired"]
    # The recent one's token is within today's 60 days: its row, kept, tells it expired.
    assert PreviewLink.objects.filter(article=article).count() == 2


def listed(editor, article) -> tuple[list[str], list[str]]:
    page = editor.get(change_url(article)).content
    return text_of(page, ".desk-preview-link"), text_of(page, ".desk-preview-links__more")


def test_the_form_lists_working_links_first_ten_at_most_and_counts_the_rest(editor, article):
    for days in range(1, 13):  # twelve that stopped lately, all newer than the working ones
        link_ran_out(article, days / 10, revoked=days % 2 == 0)
    made_link(editor, article)
    PreviewLink.objects.filter(revoked_at=None, expires_at__gt=timezone.now()).update(
        created_at=timezone.now() - 3 * DAY
    )
    made_link(editor, article)  # the newest of all
    rows, more = listed(editor, article)
    assert len(rows) == PREVIEW_LINKS_SHOWN
    assert [row.endswith("Revoke") for row in rows] == [True, True] + [False] * 8
    assert "works until" in rows[0] and "works until" in rows[1]
    assert more == [
        "4 older links, expired or revoked, not listed (each is forgotten 30 days after its "
        "time ran out)."
    ]


def test_working_links_past_ten_are_counted_as_still_working(editor, article):
    for _ in range(PREVIEW_LINKS_SHOWN + 2):
        made_link(editor, article)
    link_ran_out(article, 1)
    rows, more = listed(editor, article)
    assert len(rows) == PREVIEW_LINKS_SHOWN and all(row.endswith("Revoke") for row in rows)
    assert more == [
        "3 more links not listed, 2 of them still working: withdrawing the article stops "
        "every link."
    ]


def test_a_short_list_says_nothing_more_and_costs_one_query(
    editor, article, django_assert_num_queries
):
    made_link(editor, article)
    link_ran_out(article, 2)
    rows, more = listed(editor, article)
    assert len(rows) == 2 and more == []
    with django_assert_num_queries(1):
        assert len(links_listed(article, now=timezone.now()).links) == 2
    for _ in range(PREVIEW_LINKS_SHOWN):
        link_ran_out(article, 3)
    with django_assert_num_queries(2):  # the list, and the count of the rest
        assert links_listed(article, now=timezone.now()).stopped_not_listed == 2
