"""The article list's bulk actions for editors: publish now, schedule (a page asks the
time) and withdraw now. Each article gets a version of its own in its history, readers'
pages follow at once, and the message says what was done and what was left, and why.
Contributors have none of them."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from reversion.models import Version

from articles.models import Article, PreviewLink
from articles.previews import make_preview_link, withdrawal_marks
from tests.factories import make_article
from tests.helpers import text_of

pytestmark = pytest.mark.django_db
LIST = "/admin/articles/article/"


def act(client, action: str, articles, **data):
    return client.post(
        LIST,
        {"action": action, "_selected_action": [str(a.pk) for a in articles], **data},
        follow=True,
    )


def messages_of(response) -> list[str]:
    return text_of(response.content, ".messagelist li")


def state_of(article) -> Article.State:
    return Article.objects.get(pk=article.pk).state


def versions_of(article) -> list[str]:
    return [
        version.revision.comment
        for version in Version.objects.get_for_object(article).select_related("revision")
    ]


def test_publish_now_publishes_drafts_and_leaves_live_ones_saying_why(editor, client):
    draft = make_article(title="Unfinished", status=Article.Status.DRAFT)
    review = make_article(title="Checked", status=Article.Status.REVIEW)
    live = make_article(title="Already out")
    done = act(editor, "publish_now_selected", [draft, review, live])
    said = messages_of(done)
    assert "Published 2 articles: “Unfinished”, “Checked”." in said
    assert "Left as it was (1): “Already out”: it is already live." in said
    assert state_of(draft) == state_of(review) == Article.State.PUBLISHED
    assert client.get(Article.objects.get(pk=draft.pk).get_absolute_url()).status_code == 200
    # A version of its own for each article, in its history, by the editor.
    assert versions_of(draft) == ["Published now, from the list."]
    assert versions_of(review) == ["Published now, from the list."]
    assert versions_of(live) == []
    revision = Version.objects.get_for_object(draft).get().revision
    assert revision.user.username == "erin"
    assert revision.pk != Version.objects.get_for_object(review).get().revision.pk


def test_schedule_asks_the_time_then_schedules(editor, client):
    drafts = [make_article(title=f"Part {n}", status=Article.Status.DRAFT) for n in (1, 2)]
    live = make_article(title="Out now")
    asked = act(editor, "schedule_selected", [*drafts, live])
    assert text_of(asked.content, "h1") == ["Schedule articles"]
    assert text_of(asked.content, "#content-main li") == [
        "Part 1 (Draft)", "Part 2 (Draft)", "Out now (Published)",
    ]  # fmt: skip
    assert state_of(drafts[0]) == Article.State.DRAFT  # nothing changed yet

    when = timezone.localtime(timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    done = act(editor, "schedule_selected", [*drafts, live],
               when_0=when.strftime("%d/%m/%Y"), when_1=when.strftime("%H:%M"))  # fmt: skip
    said = " ".join(messages_of(done))
    assert f"Scheduled for {when:%-d %b %Y, %H:%M} UTC 2 articles: “Part 1”, “Part 2”." in said
    assert "“Out now”: it is already live: withdraw it first" in said
    for draft in drafts:
        article = Article.objects.get(pk=draft.pk)
        assert article.state == Article.State.SCHEDULED and article.published_at == when
        assert client.get(article.get_absolute_url()).status_code == 404


def test_a_past_time_is_refused_in_words_and_nothing_is_scheduled(editor):
    draft = make_article(title="Back-dated", status=Article.Status.DRAFT)
    then = timezone.localtime(timezone.now() - timedelta(days=1))
    refused = act(editor, "schedule_selected", [draft],
                  when_0=then.strftime("%d/%m/%Y"), when_1=then.strftime("%H:%M"))  # fmt: skip
    error = " ".join(text_of(refused.content, ".field-when .errorlist li"))
    assert "has passed: choose a time to come" in error
    assert state_of(draft) == Article.State.DRAFT
    bad = act(editor, "schedule_selected", [draft], when_0="31/02/2027", when_1="10:00")
    assert text_of(bad.content, ".field-when .errorlist li")
    assert state_of(draft) == Article.State.DRAFT


def test_withdraw_now_takes_articles_off_and_stops_their_links(editor, client):
    live = make_article(title="Out")
    soon = make_article(title="Soon", published_at=timezone.now() + timedelta(days=1))
    draft = make_article(title="Never out", status=Article.Status.DRAFT)
    link, _ = make_preview_link(live)
    assert client.get(live.get_absolute_url()).status_code == 200
    done = act(editor, "withdraw_now_selected", [live, soon, draft])
    said = messages_of(done)
    assert "Withdrew 2 articles: “Out”, “Soon”." in said
    assert "Left as it was (1): “Never out”: it is not published (it is draft)." in said
    assert state_of(live) == state_of(soon) == Article.State.WITHDRAWN
    assert client.get(live.get_absolute_url()).status_code == 404
    assert client.get(link).status_code == 410
    handed_out = PreviewLink.objects.exclude(pk__in=withdrawal_marks())
    assert handed_out.get().revoked_by.username == "erin"
    assert versions_of(live) == ["Withdrawn, from the list."]


@pytest.mark.page_cache
def test_readers_pages_follow_a_bulk_action_at_once(editor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        live = make_article(title="Cached then pulled")
    reader = Client()
    assert reader.get(live.get_absolute_url()).status_code == 200
    assert "Cached then pulled" in reader.get("/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        act(editor, "withdraw_now_selected", [live])
    assert reader.get(live.get_absolute_url()).status_code == 404
    assert "Cached then pulled" not in reader.get("/").content.decode()


def test_contributors_have_no_publishing_actions(contributor, editor):
    casey = get_user_model().objects.get(username="casey")
    own = make_article(title="Mine", status=Article.Status.DRAFT, created_by=casey)
    offered = text_of(contributor.get(LIST).content, "select[name=action] option")
    assert not any("Publish" in o or "Schedule" in o or "Withdraw" in o for o in offered)
    editor_offers = text_of(editor.get(LIST).content, "select[name=action] option")
    assert {"Publish selected articles now", "Schedule selected articles…",
            "Withdraw selected articles now"} <= set(editor_offers)  # fmt: skip
    posted = act(contributor, "publish_now_selected", [own])
    assert posted.status_code == 200
    assert state_of(own) == Article.State.DRAFT
    assert versions_of(own) == []
