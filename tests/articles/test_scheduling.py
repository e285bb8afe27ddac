"""Scheduling you can see: states in the list, times with their zone, a past time asked
about, publishing a draft taking "now", and a scheduled article going live by itself."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from tests.factories import article_form, make_article
from tests.helpers import form_values, text_of

pytestmark = pytest.mark.django_db


def test_the_list_shows_each_state_and_filters_by_it(admin_client):
    make_article(title="Live")
    make_article(title="Soon", published_at=timezone.now() + timedelta(days=2))
    make_article(title="Unfinished", status=Article.Status.DRAFT)
    make_article(title="Checking", status=Article.Status.REVIEW)
    make_article(title="Gone", status=Article.Status.WITHDRAWN)
    page = admin_client.get("/admin/articles/article/")
    rows = dict(
        zip(
            text_of(page.content, "#result_list th.field-title"),
            text_of(page.content, "#result_list td.field-state"),
            strict=True,
        )
    )
    assert rows == {
        "Soon": "Scheduled", "Live": "Published", "Unfinished": "Draft", "Checking": "In review",
        "Gone": "Withdrawn",
    }  # fmt: skip
    scheduled = admin_client.get("/admin/articles/article/?state=scheduled")
    assert text_of(scheduled.content, "#result_list th.field-title") == ["Soon"]
    live = admin_client.get("/admin/articles/article/?state=published")
    assert text_of(live.content, "#result_list th.field-title") == ["Live"]
    assert "Publication (UTC)" in text_of(page.content, "#result_list thead th")


def test_the_form_names_the_time_zone_and_the_date_format(admin_client):
    page = admin_client.get("/admin/articles/article/add/")
    help_text = " ".join(text_of(page.content, ".field-published_at .help"))
    assert "In UTC time. Date as DD/MM/YYYY" in help_text


def test_publishing_an_old_draft_takes_now_unless_a_time_was_chosen(admin_client):
    draft = make_article(title="Old draft", status=Article.Status.DRAFT)
    Article.objects.filter(pk=draft.pk).update(created_at=timezone.now() - timedelta(days=90))
    data = form_values(admin_client.get(f"/admin/articles/article/{draft.pk}/change/"))
    assert data["published_at_0"] == ""  # a draft has no publication time yet
    data.update(status="published", _save="Save")
    before = timezone.now()
    assert admin_client.post(f"/admin/articles/article/{draft.pk}/change/", data).status_code == 302
    assert Article.objects.get(pk=draft.pk).published_at >= before


def test_a_past_time_on_a_new_publication_asks_first(admin_client):
    data = article_form(title="Back-dated", published_at_0="01/03/2025", published_at_1="10:00")
    asked = admin_client.post("/admin/articles/article/add/", data)
    assert asked.status_code == 200
    error = " ".join(text_of(asked.content, ".field-published_at .errorlist li"))
    assert "1 Mar 2025, 10:00 UTC has passed" in error
    assert not Article.objects.exists()

    confirmed = admin_client.post(
        "/admin/articles/article/add/", {**data, "confirm_past_time": "on"}
    )
    assert confirmed.status_code == 302
    assert Article.objects.get().published_at.date().isoformat() == "2025-03-01"


def test_resaving_a_published_article_asks_nothing(admin_client):
    article = make_article(title="Long live", published_at=timezone.now() - timedelta(days=400))
    data = form_values(admin_client.get(f"/admin/articles/article/{article.pk}/change/"))
    data.update(title="Long live, edited", _save="Save")
    assert (
        admin_client.post(f"/admin/articles/article/{article.pk}/change/", data).status_code == 302
    )


def test_a_scheduled_article_goes_live_by_itself(admin_client, client, monkeypatch):
    when = timezone.now() + timedelta(hours=3)
    saved = admin_client.post(
        "/admin/articles/article/add/",
        article_form(
            title="Tomorrow's piece",
            published_at_0=timezone.localtime(when).strftime("%d/%m/%Y"),
            published_at_1=timezone.localtime(when).strftime("%H:%M"),
        ),
        follow=True,
    )
    assert "is scheduled: it goes live by itself at" in " ".join(
        text_of(saved.content, ".messagelist li")
    )
    article = Article.objects.get()
    assert client.get(article.get_absolute_url()).status_code == 404

    later = timezone.now() + timedelta(hours=4)
    monkeypatch.setattr("articles.models.timezone.now", lambda: later)
    assert client.get(article.get_absolute_url()).status_code == 200
