"""Preview links as rows: each link is listed on its article's form (who made it, when,
until when) and can be revoked on its own; a revoked link answers 410 with a page in
words; withdrawing the article revokes every link for good, and moving it back to draft
does not bring them back. Links made before links were rows keep working.

They do not pile up: an article has 20 working at most; making a link forgets the
article's links whose time ran out over 30 days ago (expired, or revoked before that),
never the withdrawal's record that keeps old tokens dead; whoever holds a forgotten link
still reads that it expired. The form lists the links still working first, ten at most,
and says how many more there are."""

import json
import time
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import signing
from django.test import Client
from django.utils import timezone

from articles.models import Article, PreviewLink
from articles.previews import (
    LINK_SALT,
    PREVIEW_LINKS_SHOWN,
    WORKING_LINKS_MAX,
    links_listed,
    revoke_all_links,
)
from tests.factories import make_article
from tests.helpers import form_values, text_of

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


@pytest.fixture
def draft(contributor):
    casey = get_user_model().objects.get(username="casey")
    return make_article(title="Torgau", status=Article.Status.DRAFT, created_by=casey)


def change_url(article) -> str:
    return f"/admin/articles/article/{article.pk}/change/"


def made_link(client, article) -> str:
    response = client.post(f"/admin/articles/article/{article.pk}/preview-link/")
    assert response.status_code == 200
    return json.loads(response.content)["url"].removeprefix("http://testserver")


def revoke_url(link: PreviewLink) -> str:
    return f"/admin/articles/article/{link.article_id}/preview-links/{link.pk}/revoke/"


def test_each_link_is_a_row_listed_on_the_form(editor, draft, client):
    first = made_link(editor, draft)
    second = made_link(editor, draft)
    assert first != second
    links = list(PreviewLink.objects.filter(article=draft))
    assert len(links) == 2
    assert {link.created_by.username for link in links} == {"erin"}
    assert all(link.expires_at > timezone.now() + timedelta(days=6) for link in links)
    listed = text_of(editor.get(change_url(draft)).content, ".desk-preview-link")
    assert len(listed) == 2
    assert listed[0].startswith("Made ") and " by erin: works until " in listed[0]
    assert listed[0].endswith("Revoke")
    assert client.get(first).status_code == 200 and client.get(second).status_code == 200


def test_a_revoked_link_answers_410_in_words_and_the_others_keep_working(editor, draft, client):
    kept, revoked = made_link(editor, draft), made_link(editor, draft)
    link = PreviewLink.objects.order_by("-pk").first()
    asked = editor.get(revoke_url(link))
    assert asked.status_code == 200
    assert "will stop working for good" in " ".join(text_of(asked.content, "#content-main p"))
    assert PreviewLink.objects.get(pk=link.pk).revoked_at is None  # asking changes nothing
    done = editor.post(revoke_url(link), follow=True)
    assert "is revoked" in " ".join(text_of(done.content, ".messagelist li"))
    assert PreviewLink.objects.get(pk=link.pk).revoked_by.username == "erin"

    gone = client.get(revoked)
    assert gone.status_code == 410
    assert text_of(gone.content, "h1") == ["This preview link has been revoked"]
    assert "has stopped it" in gone.content.decode()
    assert text_of(gone.content, ".article__title, .book-card") == []
    assert client.get(kept).status_code == 200
    listed = text_of(editor.get(change_url(draft)).content, ".desk-preview-link")
    assert any(" revoked " in row and row.endswith("by erin.") for row in listed)


def test_the_writer_revokes_their_own_links_and_no_other_contributor_can(
    contributor, colleague, draft, client
):
    url = made_link(contributor, draft)
    link = PreviewLink.objects.get()
    assert colleague.get(revoke_url(link)).status_code == 403
    assert colleague.post(revoke_url(link)).status_code == 403
    assert client.get(url).status_code == 200
    # Submitted, the writer may no longer change it, and may still stop its links.
    Article.objects.filter(pk=draft.pk).update(status=Article.Status.REVIEW)
    assert contributor.post(revoke_url(link)).status_code == 302
    assert client.get(url).status_code == 410


def test_a_link_of_another_article_is_not_found_there(editor, draft):
    made_link(editor, draft)
    other = make_article(title="Other", status=Article.Status.DRAFT)
    link = PreviewLink.objects.get()
    url = f"/admin/articles/article/{other.pk}/preview-links/{link.pk}/revoke/"
    assert editor.post(url).status_code == 404
    assert PreviewLink.objects.get().revoked_at is None


def withdraw_in_the_form(client, article) -> None:
    data = form_values(client.get(change_url(article)))
    data.update(status="withdrawn", _save="Save")
    assert client.post(change_url(article), data).status_code == 302


def test_withdrawing_revokes_every_link_for_good(editor, client):
    article = make_article(title="Pulled later")
    url = made_link(editor, article)
    assert client.get(url).status_code == 200
    withdraw_in_the_form(editor, article)
    assert client.get(url).status_code == 410
    assert PreviewLink.objects.get(pk=PreviewLink.objects.earliest("pk").pk).revoked_at

    # Back to draft (and published again): the links stay dead; a new one works.
    data = form_values(editor.get(change_url(article)))
    data.update(status="draft", _save="Save")
    assert editor.post(change_url(article), data).status_code == 302
    refused = client.get(url)
    assert refused.status_code == 410
    assert text_of(refused.content, "h1") == ["This preview link has been revoked"]
    assert client.get(made_link(editor, article)).status_code == 200


def test_a_withdrawal_by_its_time_stops_the_links_and_they_stay_stopped(editor, client):
    article = make_article(title="Seasonal", published_at=timezone.now() - timedelta(days=2),
                           withdraw_at=timezone.now() + timedelta(days=1))  # fmt: skip
    url = made_link(editor, article)
    Article.objects.filter(pk=article.pk).update(withdraw_at=timezone.now() - timedelta(hours=1))
    gone = client.get(url)
    assert gone.status_code == 410
    assert text_of(gone.content, "h1") == ["This article has been withdrawn"]
    # The editor brings it back as a draft: the links made before stay stopped.
    data = form_values(editor.get(change_url(article)))
    data.update(status="draft", withdraw_at_0="", withdraw_at_1="", _save="Save")
    assert editor.post(change_url(article), data).status_code == 302
    assert client.get(url).status_code == 410


def test_a_link_made_before_links_were_rows_works_until_it_expires(editor, draft, client):
    old = f"/articles/preview/{signing.dumps(draft.pk, salt=LINK_SALT)}/"
    assert client.get(old).status_code == 200
    Article.objects.filter(pk=draft.pk).update(status=Article.Status.WITHDRAWN)
    assert client.get(old).status_code == 410


def test_an_expired_row_says_so(editor, draft, client):
    url = made_link(editor, draft)
    PreviewLink.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    expired = client.get(url)
    assert expired.status_code == 410
    assert text_of(expired.content, "h1") == ["This preview link has expired"]


def test_a_link_made_before_links_were_rows_stays_stopped_once_withdrawn(editor, client):
    article = make_article(title="Pulled, then a draft again")
    old = f"/articles/preview/{signing.dumps(article.pk, salt=LINK_SALT)}/"
    assert client.get(old).status_code == 200
    withdraw_in_the_form(editor, article)
    assert client.get(old).status_code == 410
    # Back to draft: the old address has no row of its own, and stays stopped all the same.
    data = form_values(editor.get(change_url(article)))
    data.update(status="draft", _save="Save")
    assert editor.post(change_url(article), data).status_code == 302
    refused = client.get(old)
    assert refused.status_code == 410
    assert text_of(refused.content, "h1") == ["This article has been withdrawn"]
    # The withdrawal's record is no link the form lists; a new link works.
    assert text_of(editor.get(change_url(article)).content, ".desk-preview-link") == []
    assert client.get(made_link(editor, article)).status_code == 200


def test_an_article_has_twenty_links_working_at_most_and_the_form_says_so(editor, draft, client):
    working = [made_link(editor, draft) for _ in range(WORKING_LINKS_MAX)]
    refused = editor.post(f"/admin/articles/article/{draft.pk}/preview-link/")
    assert refused.status_code == 409
    assert json.loads(refused.content)["error"] == (
        "20 links to this article still work, the most it may have: revoke one under "
        "“Preview links” first"
    )
    assert PreviewLink.objects.filter(article=draft).count() == WORKING_LINKS_MAX
    form = editor.get(change_url(draft)).content
    assert text_of(form, ".desk-preview-links__limit") == [
        "20 links work, the most an article may have: revoke one to make another."
    ]
    # Nothing lost: every link still works; one revoked (or expired) makes room.
    assert all(client.get(url).status_code == 200 for url in working)
    editor.post(revoke_url(PreviewLink.objects.filter(article=draft).earliest("pk")))
    assert client.get(made_link(editor, draft)).status_code == 200
    assert text_of(editor.get(change_url(draft)).content, ".desk-preview-links__limit") == [
        "20 links work, the most an article may have: revoke one to make another."
    ]


def test_the_form_says_how_many_links_may_work(editor, draft):
    made_link(editor, draft)
    form = editor.get(change_url(draft)).content
    assert text_of(form, ".desk-preview-links__limit") == [
        "1 link works; an article may have 20 working at once."
    ]


# --- Not piling up: old links forgotten, the form's list -------------------------------


@pytest.fixture
def article(db) -> Article:
    return make_article(title="Torgau", status=Article.Status.DRAFT)


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
