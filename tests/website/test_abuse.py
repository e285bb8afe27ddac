"""What strangers can do to the site and its desk, and cannot."""

import pytest
from django.test import Client

from articles.demo import EDITOR_PASSWORD, EDITOR_USERNAME
from catalogue.models import Author, Book

pytestmark = pytest.mark.django_db
PROXY = "127.0.0.1"


def sign_in_from(client, address: str, password: str, **headers):
    """A sign-in through the proxy, which appends the client's address."""
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": EDITOR_USERNAME, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=address,
        **headers,
    )


def test_behind_a_proxy_a_stranger_cannot_lock_an_editor_out(demo, settings):
    settings.TRUSTED_PROXIES = 1
    stranger = Client()
    for _ in range(5):
        sign_in_from(stranger, "203.0.113.5", "wrong")
    assert sign_in_from(stranger, "203.0.113.5", EDITOR_PASSWORD).status_code == 429
    # The editor, signing in from elsewhere through the same proxy, is let in.
    assert sign_in_from(Client(), "198.51.100.7", EDITOR_PASSWORD).status_code == 302


def test_behind_a_proxy_a_forged_address_in_front_changes_nothing(demo, settings):
    """The client may send X-Forwarded-For itself; only what the proxy appended counts."""
    settings.TRUSTED_PROXIES = 1
    stranger = Client()
    for forged in ("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5"):
        sign_in_from(stranger, f"{forged}, 203.0.113.5", "wrong")
    assert sign_in_from(stranger, "10.0.0.6, 203.0.113.5", EDITOR_PASSWORD).status_code == 429


def test_with_no_proxy_trusted_rotating_the_header_does_not_escape(demo, settings):
    settings.TRUSTED_PROXIES = 0
    stranger = Client()
    for n in range(5):
        sign_in_from(stranger, f"192.0.2.{n}", "wrong")
    assert sign_in_from(stranger, "192.0.2.99", EDITOR_PASSWORD).status_code == 429


def test_a_cookieless_visitor_gets_no_cookie_on_public_pages(client, demo):
    author = Author.objects.first()
    for url in [
        "/", "/articles/unlikely-allies/", "/articles/", "/books/", f"/authors/{author.slug}/",
        "/search/?q=battle", "/no-such-page/", "/articles/feed.xml", "/about/",
    ]:  # fmt: skip
        response = client.get(url)
        assert response.status_code in (200, 404), url
        assert not response.cookies, (url, response.cookies.output())
        client.cookies.clear()


def test_the_book_page_sets_only_the_csrf_cookie_its_rating_form_needs(client, demo):
    response = client.get(Book.objects.first().get_absolute_url())
    assert set(response.cookies) <= {"csrftoken"}


@pytest.mark.parametrize("method", ["options", "trace", "delete", "put", "patch"])
def test_pages_to_read_are_not_rendered_for_other_methods(client, demo, method):
    for url in [
        "/", "/articles/unlikely-allies/", "/books/", "/search/?q=battle", "/articles/feed.xml",
        "/sitemap.xml", "/robots.txt", "/healthz", "/readyz", "/media/covers/none.jpg",
    ]:  # fmt: skip
        response = getattr(client, method)(url)
        assert response.status_code == 405, (method, url, response.status_code)
        assert response.content == b"", (method, url)
        assert "GET" in response["Allow"]


def test_signing_in_with_an_unsafe_next_lands_in_the_desk(client, demo):
    for unsafe in ["https://evil.example/", "//evil.example/", "javascript:alert(1)"]:
        response = client.post(
            f"/admin/login/?next={unsafe}",
            {"username": EDITOR_USERNAME, "password": EDITOR_PASSWORD},
        )
        assert (response.status_code, response["Location"]) == (302, "/admin/"), unsafe
        client.cookies.clear()
