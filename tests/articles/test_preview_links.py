"""Preview links as rows: each link is listed on its article's form (who made it, when,
until when) and can be revoked on its own; a revoked link answers 410 with a page in
words; withdrawing the article revokes every link for good, and moving it back to draft
does not bring them back. Links made before links were rows keep working."""

import json
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import signing
from django.utils import timezone

from articles.models import Article, PreviewLink
from articles.previews import LINK_SALT, WORKING_LINKS_MAX
from tests.factories import make_article
from tests.helpers import form_values, text_of

pytestmark = pytest.mark.django_db


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
