"""A body too long for an article is refused with a message, never a bare error page."""

import pytest

from articles.forms import MAX_BODY_LENGTH
from articles.models import Article
from tests.factories import article_form
from tests.helpers import text_of

pytestmark = pytest.mark.django_db


def test_an_overlong_body_is_refused_by_the_form_and_kept(admin_client):
    body = "A paragraph of words that goes on. " * (MAX_BODY_LENGTH // 35 + 10)
    response = admin_client.post("/admin/articles/article/add/", article_form(body=body))
    assert response.status_code == 200
    errors = " ".join(text_of(response.content, ".field-body .errorlist li"))
    assert f"an article holds up to {MAX_BODY_LENGTH:,}" in errors
    assert "Your text is still here" in errors
    assert text_of(response.content, "textarea[name=body]")[0].startswith("A paragraph of words")
    assert len(text_of(response.content, "textarea[name=body]", "")[0]) > MAX_BODY_LENGTH - 100
    assert not Article.objects.exists()


def test_a_five_megabyte_paste_reaches_the_form(admin_client):
    """The post parser's limit is above what the form refuses, so the editor reads why."""
    body = "x" * (5 * 1024 * 1024)
    response = admin_client.post("/admin/articles/article/add/", article_form(body=body))
    assert response.status_code == 200
    assert "an article holds up to" in response.content.decode()


def test_a_post_too_big_to_read_answers_a_page_that_says_so(admin_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    response = admin_client.post(
        "/admin/articles/article/add/", article_form(body="x" * (2 * 1024 * 1024))
    )
    assert response.status_code == 413
    assert text_of(response.content, "h1") == ["That was too much to send at once"]
    assert "go back with your browser’s Back button" in response.content.decode()


def test_other_bad_requests_still_answer_400(client):
    assert client.get("/", HTTP_HOST="evil.example").status_code == 400


def test_invisible_control_characters_are_dropped_from_what_the_desk_saves(admin_client):
    response = admin_client.post(
        "/admin/articles/article/add/",
        article_form(
            title="Ring the bell\x07 twice", body="A form\x0c feed.\n\nMore.", byline="Ed\x1b"
        ),
    )
    assert response.status_code == 302
    article = Article.objects.get()
    assert (article.title, article.byline) == ("Ring the bell twice", "Ed")
    assert article.body == "A form feed.\n\nMore."
