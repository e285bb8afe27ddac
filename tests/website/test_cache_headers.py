"""Every response says whether a shared cache (Varnish, a CDN) may keep it: redirects,
errors, health checks and the desk's pages are never kept; pages say `no-cache`, as the
page cache does, even when it is off (website.middleware.CacheControlMiddleware)."""

import pytest
from django.conf import settings
from django.db import OperationalError

from articles.demo import EDITOR_PASSWORD, EDITOR_USERNAME
from articles.models import Article
from tests.factories import make_article
from tests.helpers import sign_in


@pytest.fixture
def article(db):
    return make_article(title="Cached or not", body="Text")


def test_the_redirect_to_https_is_never_kept(client, settings, article):
    settings.HTTPS_REDIRECT = True
    response = client.get(article.get_absolute_url(), HTTP_X_FORWARDED_PROTO="http")
    assert response.status_code == 301
    assert response["Cache-Control"] == "no-store"


def test_other_redirects_are_never_kept(client, article):
    response = client.get(article.get_absolute_url().rstrip("/"))  # APPEND_SLASH
    assert response.status_code == 301
    assert response["Cache-Control"] == "no-store"


def test_a_draft_is_a_404_that_is_never_kept(client, db):
    draft = make_article(title="Not yet", status=Article.Status.DRAFT)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 404
    assert response["Cache-Control"] == "no-store"
    assert client.get("/no-such-page/")["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "failure, status",
    [(OperationalError("could not connect to server"), 503), (RuntimeError("a bug"), 500)],
)
def test_errors_are_never_kept(client, article, monkeypatch, failure, status):
    def failing(*args, **kwargs):
        raise failure

    monkeypatch.setattr(Article.objects, "published", failing)
    client.raise_request_exception = False
    response = client.get(article.get_absolute_url())
    assert response.status_code == status
    assert response["Cache-Control"] == "no-store"


def test_the_body_limits_answers_are_never_kept(client, db):
    response = client.post("/books/x/rate/", data=b"x", content_type="text/plain",
                           CONTENT_LENGTH="100000")  # fmt: skip
    assert response.status_code == 413
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_health_checks_are_never_kept(client, db, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


def test_the_desk_is_the_editors_alone(client, demo):
    desk = "/" + settings.ADMIN_URL
    login = client.get(desk + "login/")
    assert "private" in login["Cache-Control"] and "no-store" in login["Cache-Control"]
    assert sign_in(client, EDITOR_USERNAME, EDITOR_PASSWORD).status_code == 302
    for path in (desk, desk + "articles/article/", desk + "no-such-tool/"):
        value = client.get(path)["Cache-Control"]
        assert "private" in value and "no-store" in value, (path, value)


@pytest.mark.parametrize("page_cache_on", [True, False])
def test_pages_say_no_cache_with_the_page_cache_on_or_off(client, settings, article, page_cache_on):
    settings.PAGE_CACHE_SECONDS = 600 if page_cache_on else 0
    for path in ("/", "/books/", article.get_absolute_url(), "/articles/feed.xml"):
        response = client.get(path)
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-cache", path
