"""What every request meets first: a body refused by its declared size before anything
reads it, no NUL byte let through to a query, cookies that are always Secure and
HttpOnly, and logs that never hold a preview link's secret."""

import io
import json
import logging
from http.cookies import SimpleCookie

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_started
from django.db import close_old_connections
from django.urls import reverse

from articles.previews import make_preview_link
from tests.factories import make_article, make_book
from tests.helpers import form_values, text_of
from website.middleware import JsonLogFormatter, RequestIdFilter

MB = 1024 * 1024


class UnreadableInput(io.RawIOBase):
    """A request body that must never be read: reading it fails the test."""

    def readable(self):
        return True

    def read(self, *args):
        raise AssertionError("the body was read")

    readinto = readline = read


def send(path: str, *, length: int, method: str = "POST", cookies: str = "", **headers):
    """Through the whole middleware chain, as gunicorn would hand it over: a request
    declaring `length` bytes whose body cannot be read. Returns (status, headers, body)."""
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "REMOTE_ADDR": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": UnreadableInput(),
        "wsgi.errors": io.StringIO(),
        "CONTENT_TYPE": "multipart/form-data; boundary=x",
        "CONTENT_LENGTH": str(length),
        "HTTP_COOKIE": cookies,
    }
    environ |= headers
    answer = {}

    def start_response(status, response_headers, exc_info=None):
        answer["status"] = int(status.split()[0])
        answer["headers"] = dict(response_headers)

    # As Django's test client does: the test's transaction keeps its connection (a
    # new request would close it, the session lookup's query then failing on PostgreSQL).
    request_started.disconnect(close_old_connections)
    try:
        body = b"".join(WSGIHandler()(environ, start_response))
    finally:
        request_started.connect(close_old_connections)
    return answer["status"], answer["headers"], body.decode()


def said(page: str) -> str:
    return " ".join(text_of(page, ".error-page"))


@pytest.fixture
def book(db):
    return make_book(title="Weighed")


def test_a_300_mb_rating_is_refused_unread_with_the_styled_page(book):
    status, headers, page = send(f"/books/{book.slug}/rate/", length=300 * MB)
    assert status == 413
    assert headers["Connection"] == "close"
    assert "That was too much to send at once" in page
    assert "16.0 KB a rating may carry" in said(page)


def test_a_rating_of_a_few_kb_goes_on_to_the_view(book):
    status, _, _ = send(f"/books/{book.slug}/rate/", length=4 * 1024)
    assert status == 403  # the CSRF check's answer: this request sends no token


def test_a_large_post_to_a_public_page_is_refused_unread(db):
    status, _, page = send("/search/", length=2 * MB)
    assert status == 413
    assert "64.0 KB a form may carry" in said(page)


def session_of(client, user) -> str:
    """The Cookie header of `user` signed in at the desk."""
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


@pytest.fixture
def contributor(db, django_user_model):
    return django_user_model.objects.create_user("weigher", password="x", is_staff=True)


IMPORTING = "/" + settings.ADMIN_URL + "catalogue/book/import/"


def test_the_desk_takes_an_import_of_50_mb_but_not_60(client, contributor):
    cookies = session_of(client, contributor)
    status, _, page = send(IMPORTING, length=60 * MB, cookies=cookies)
    assert status == 413
    assert "51.0 MB an import may carry" in said(page)
    status, _, _ = send(IMPORTING, length=50 * MB, cookies=cookies)
    assert status == 403  # the CSRF check's answer: this request sends no token


def test_a_60_mb_post_to_the_desk_is_refused_before_its_403(client, contributor):
    adding = "/" + settings.ADMIN_URL + "articles/article/add/"
    status, _, page = send(adding, length=60 * MB, cookies=session_of(client, contributor))
    assert status == 413
    assert "11.0 MB a desk form may carry" in said(page)


def test_a_stranger_without_a_session_posts_the_desk_no_more_than_a_public_form(db):
    status, _, _ = send("/" + settings.ADMIN_URL + "login/", length=1 * MB)
    assert status == 413


@pytest.mark.parametrize("path", [IMPORTING, "/" + settings.ADMIN_URL + "login/"])
def test_a_made_up_session_cookie_gets_no_more_than_a_public_form(db, path):
    made_up = f"{settings.SESSION_COOKIE_NAME}=a-contributors; csrftoken={'a' * 32}"
    status, headers, page = send(path, length=1 * MB, cookies=made_up)
    assert status == 413
    assert headers["Connection"] == "close"
    assert "64.0 KB a form may carry" in said(page)


@pytest.mark.parametrize(
    "change", [{"is_active": False}, {"is_staff": False}, {"password": "changed since"}]
)
def test_a_session_of_no_active_staff_gets_no_more_than_a_public_form(client, contributor, change):
    cookies = session_of(client, contributor)
    if "password" in change:
        contributor.set_password(change.pop("password"))
    for field, value in change.items():
        setattr(contributor, field, value)
    contributor.save()
    status, _, page = send(IMPORTING, length=1 * MB, cookies=cookies)
    assert status == 413
    assert "64.0 KB a form may carry" in said(page)


def test_a_get_with_a_transfer_encoding_is_answered(book):
    status, _, _ = send(
        f"/books/{book.slug}/", method="GET", length=0, HTTP_TRANSFER_ENCODING="chunked"
    )
    assert status == 200


def test_a_body_of_unknown_length_is_refused_not_dropped(book):
    status, _, page = send(f"/books/{book.slug}/rate/", length=0, HTTP_TRANSFER_ENCODING="chunked")
    assert status == 411
    assert "Content-Length" in page


@pytest.mark.parametrize(
    "url",
    [
        "/search/?q=Du%00ne",
        "/books/?q=%00",
        "/articles/%00/",
        "/" + settings.ADMIN_URL + "catalogue/book/?q=%00",
        "/" + settings.ADMIN_URL + "catalogue/book/?status__exact=%00",
        "/" + settings.ADMIN_URL + "articles/article/?q=a%00",
    ],
)
def test_no_nul_byte_reaches_a_query(admin_client, url):
    response = admin_client.get(url)
    assert response.status_code == 400
    assert "NUL character (%00)" in response.content.decode()


def test_the_deletion_cookie_of_logout_is_secure_and_httponly(admin_client):
    response = admin_client.post(reverse("admin:logout"), secure=True)
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session.value == ""  # the deletion
    assert session["secure"] and session["httponly"]


def test_a_flash_messages_deletion_cookie_is_secure_and_httponly(admin_client, book):
    change = reverse("admin:catalogue_book_change", args=[book.pk])
    data = {**form_values(admin_client.get(change, secure=True)), "_save": "Save"}
    saved = admin_client.post(change, data, secure=True)
    assert saved.status_code == 302
    shown = admin_client.get(saved.url, secure=True)
    assert "was changed successfully" in shown.content.decode()
    messages = shown.cookies["messages"]
    assert messages.value == ""  # shown once, then deleted
    assert messages["secure"] and messages["httponly"]


def test_every_cookie_of_a_visit_is_secure_and_httponly(client, book):
    page = client.get(f"/books/{book.slug}/", secure=True)
    for morsel in SimpleCookie(page.cookies.output(header="")).values():
        assert morsel["secure"] and morsel["httponly"], morsel.key


def test_a_preview_links_token_is_never_written_in_the_log(client, db, caplog):
    article = make_article(title="Not Yet", body="Draft", status="draft")
    path, _ = make_preview_link(article)
    token = path.rstrip("/").rsplit("/", 1)[1]
    with caplog.at_level(logging.INFO, logger="colophon.access"):
        assert client.get(path + "?utm_source=mail").status_code == 200
    lines = [record for record in caplog.records if record.name == "colophon.access"]
    assert lines
    for record in lines:
        assert token not in record.getMessage()
        assert token not in json.dumps(record.__dict__, default=str)
        assert "/articles/preview/…/" in record.getMessage()


@pytest.mark.parametrize(
    "spelling",
    [
        "/articles//preview/", "/Articles/preview/", "/x/PREVIEW/",
        # Percent-encoded: a dotless ı, a dotted İ, an encoded p.
        "/x/prev%C4%B1ew/", "/x/PREV%C4%B0EW/", "/x/%70review/",
    ],
)  # fmt: skip
def test_a_preview_token_is_cut_from_the_log_however_the_path_is_spelled(
    client, db, caplog, spelling
):
    article = make_article(title="Not Yet", body="Draft", status="draft")
    path, _ = make_preview_link(article)
    token = path.rstrip("/").rsplit("/", 1)[1]
    with caplog.at_level(logging.INFO, logger="colophon.access"):
        assert client.get(f"{spelling}{token}/").status_code == 404
    lines = [record for record in caplog.records if record.name == "colophon.access"]
    assert lines
    for record in lines:
        assert token not in json.dumps(record.__dict__, default=str)


def test_a_preview_links_token_is_cut_from_djangos_own_error_lines(rf, db):
    article = make_article(title="Not Yet", body="Draft", status="draft")
    path, _ = make_preview_link(article)
    token = path.rstrip("/").rsplit("/", 1)[1]
    request = rf.get(path)
    record = logging.LogRecord(
        "django.request", logging.ERROR, __file__, 1, "Internal Server Error: %s", (path,), None
    )
    record.request = request
    RequestIdFilter().filter(record)
    assert record.getMessage() == "Internal Server Error: /articles/preview/…/"
    # The line written: the path, cut; never the request's own text.
    written = JsonLogFormatter(settings.LOGGING["formatters"]["json"]["fmt"]).format(record)
    line = json.loads(written)
    assert token not in written
    assert line["request_path"] == "/articles/preview/…/"
    # What other handlers read (AdminEmailHandler, error trackers) is still the request.
    assert record.request is request


def test_a_page_refused_for_its_size_keeps_the_readers_text_in_words(book):
    _, _, page = send(f"/books/{book.slug}/rate/", length=300 * MB)
    assert "Your text is not lost" in said(page)


@pytest.mark.parametrize(
    "post",
    [
        {"key": "articles.article:new", "fields": json.dumps({"body": "a\x00b"})},
        {"key": "articles.article:new", "fields": json.dumps({"bo\x00dy": "text"})},
        {"key": "articles.article:new", "fields": json.dumps({"loaded_version": "1\x00"})},
        {"key": "articles.\x00article:new", "fields": json.dumps({"body": "text"})},
    ],
)
def test_a_nul_typed_into_the_desk_is_refused_by_autosave_in_words(admin_client, post):
    from desk.models import AutosavedForm

    response = admin_client.post("/" + settings.ADMIN_URL + "desk/autosave/", post)
    assert response.status_code == 400
    assert "NUL" in response.json()["error"]
    assert not AutosavedForm.objects.exists()


class CutOffInput(UnreadableInput):
    """A body whose client was too slow: the server cut the connection (deploy/gunicorn.conf.py)."""

    def read(self, *args):
        raise ConnectionResetError("the client sent too slowly")

    readinto = readline = read


def test_a_form_whose_body_never_arrives_is_answered_as_such(book):
    status, _, text = send(
        f"/books/{book.slug}/rate/",
        length=1000,
        CONTENT_TYPE="application/x-www-form-urlencoded",
        HTTP_COOKIE="csrftoken=" + "a" * 32,
        **{"wsgi.input": CutOffInput()},
    )
    assert status == 408
    assert "did not arrive in time" in text
