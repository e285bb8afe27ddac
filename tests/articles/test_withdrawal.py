"""A withdrawal time: an article leaves the site by itself at that time, its page
included, even one a cache kept; the form refuses one that is not after the publication
time, in words; the list says which articles are set to be withdrawn."""

import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.utils import timezone

from articles.models import Article
from pagecache import store
from tests.factories import article_form, make_article
from tests.helpers import form_values, text_of

pytestmark = pytest.mark.django_db


def day_and_time(moment) -> dict:
    local = timezone.localtime(moment)
    return {"date": local.strftime("%d/%m/%Y"), "time": local.strftime("%H:%M")}


def withdraw_fields(moment) -> dict:
    when = day_and_time(moment)
    return {"withdraw_at_0": when["date"], "withdraw_at_1": when["time"]}


def test_an_article_leaves_the_site_at_its_withdrawal_time(client, monkeypatch):
    article = make_article(title="For a week", withdraw_at=timezone.now() + timedelta(days=7))
    assert article.is_public and article.state == Article.State.PUBLISHED
    assert client.get(article.get_absolute_url()).status_code == 200

    later = timezone.now() + timedelta(days=8)
    monkeypatch.setattr("articles.models.timezone.now", lambda: later)
    assert not article.is_public
    assert article.state == Article.State.WITHDRAWN
    assert client.get(article.get_absolute_url()).status_code == 404
    assert "For a week" not in client.get("/articles/").content.decode()


def test_the_form_takes_a_withdrawal_time_after_the_publication_time(admin_client):
    until = timezone.now() + timedelta(days=30)
    saved = admin_client.post(
        "/admin/articles/article/add/",
        article_form(title="Seasonal", **withdraw_fields(until)),
        follow=True,
    )
    assert "“Seasonal” is taken off the site by itself at" in " ".join(
        text_of(saved.content, ".messagelist li")
    )
    article = Article.objects.get()
    assert article.is_public
    assert abs(article.withdraw_at - until) < timedelta(minutes=1)
    form = admin_client.get(f"/admin/articles/article/{article.pk}/change/")
    help_text = " ".join(text_of(form.content, ".field-withdraw_at .help"))
    assert "Set it to take the article off the site by itself at that time" in help_text


def test_a_withdrawal_time_before_the_publication_time_is_refused_in_words(admin_client):
    since = timezone.now() + timedelta(days=10)
    when = day_and_time(since)
    data = article_form(
        title="Backwards",
        published_at_0=when["date"],
        published_at_1=when["time"],
        **withdraw_fields(since - timedelta(days=1)),
    )
    refused = admin_client.post("/admin/articles/article/add/", data)
    assert refused.status_code == 200
    error = " ".join(text_of(refused.content, ".field-withdraw_at .errorlist li"))
    assert error.startswith("The withdrawal time (")
    assert "must come after the publication time (" in error
    assert "the article would never be on the site" in error
    assert not Article.objects.exists()
    # What was typed is still in the form.
    assert form_values(refused)["title"] == "Backwards"


def test_a_withdrawal_time_already_past_on_a_publication_now_is_refused(admin_client):
    data = article_form(title="Gone at once", **withdraw_fields(timezone.now() - timedelta(days=1)))
    refused = admin_client.post("/admin/articles/article/add/", data)
    assert "must come after the publication time" in " ".join(
        text_of(refused.content, ".field-withdraw_at .errorlist li")
    )
    assert not Article.objects.exists()


def test_a_draft_may_carry_its_withdrawal_time_until_it_is_published(admin_client):
    data = article_form(
        title="Later", status="draft", **withdraw_fields(timezone.now() + timedelta(days=3))
    )
    assert admin_client.post("/admin/articles/article/add/", data).status_code == 302
    assert Article.objects.get().withdraw_at is not None


def test_the_list_says_which_articles_are_set_to_be_withdrawn(admin_client):
    make_article(title="Going", withdraw_at=timezone.now() + timedelta(days=3))
    make_article(title="Staying")
    make_article(title="Gone by its time", withdraw_at=timezone.now() - timedelta(hours=1),
                 published_at=timezone.now() - timedelta(days=2))  # fmt: skip
    page = admin_client.get("/admin/articles/article/")
    rows = dict(
        zip(
            text_of(page.content, "#result_list th.field-title"),
            text_of(page.content, "#result_list td.field-state", " "),
            strict=True,
        )
    )
    assert rows["Staying"] == "Published"
    assert rows["Going"].startswith("Published Scheduled to be withdrawn ")
    assert rows["Gone by its time"] == "Withdrawn"

    def filtered(state):
        listing = admin_client.get(f"/admin/articles/article/?state={state}")
        return sorted(text_of(listing.content, "#result_list th.field-title"))

    assert filtered("ending") == ["Going"]
    assert filtered("published") == ["Going", "Staying"]
    assert filtered("withdrawn") == ["Gone by its time"]


def test_a_contributor_sees_the_withdrawal_time_of_an_article_they_may_not_change(monkeypatch):
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    monkeypatch.setenv("COLOPHON_PASSWORD", "a-long-pass-phrase-9")
    call_command("createeditor", "casey", role="contributor", stdout=None)
    casey = get_user_model().objects.get(username="casey")
    until = timezone.now() + timedelta(days=3)
    live = make_article(title="Live one", created_by=casey, withdraw_at=until)
    client = Client()
    client.force_login(casey)
    page = client.get(f"/admin/articles/article/{live.pk}/change/")
    shown = " ".join(text_of(page.content, ".field-withdrawal_time .readonly"))
    assert shown == f"{timezone.localtime(until):%-d %b %Y, %H:%M} UTC"


def test_read_next_leaves_out_an_article_past_its_withdrawal_time(db):
    from articles.models import Recommendation

    article = make_article(title="Reader's page")
    gone = make_article(title="Withdrawn by its time",
                        withdraw_at=timezone.now() - timedelta(minutes=1),
                        published_at=timezone.now() - timedelta(days=1))  # fmt: skip
    Recommendation.objects.create(article=article, recommended=gone, score=1.0)
    assert gone not in article.recommendations()


@pytest.mark.page_cache
def test_a_page_cached_before_its_withdrawal_time_answers_404_after_it(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        article = make_article(title="Brief", withdraw_at=timezone.now() + timedelta(seconds=2))
    url = article.get_absolute_url()
    assert Client().get(url).status_code == 200
    entry = cache.get(store.page_key(store.page_address(RequestFactory().get(url))))
    assert entry is not None  # kept, but no longer than until the withdrawal time
    assert entry["expires_at"] <= article.withdraw_at.timestamp() + 1
    home = Client().get("/")
    assert "Brief" in home.content.decode()
    time.sleep(max(0.0, article.withdraw_at.timestamp() - time.time()) + 1.2)
    # No write happened at that moment: the cached copies expired by themselves.
    assert Client().get(url).status_code == 404
    assert "Brief" not in Client().get("/").content.decode()
