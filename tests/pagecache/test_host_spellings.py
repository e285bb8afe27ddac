"""One page is one entry in the page cache however its host is spelled, and a page
rendered for an odd spelling is never what another reader gets."""

import pytest
from bs4 import BeautifulSoup

from tests.pagecache.test_page_cache import stored_page_keys

pytestmark = [pytest.mark.page_cache, pytest.mark.django_db]

SPELLINGS = [
    "LOCALHOST", "localhost.", "LocalHost.", "localhost:80", "LOCALHOST.:80",
    *(f"localhost:{port}" for port in range(8000, 8040)),
    *(f"LocalHost.:{port}" for port in (1, 443, 8080, 65535, 9)),
]  # fmt: skip


def canonical(response) -> str:
    return BeautifulSoup(response.content, "html.parser").find("link", rel="canonical")["href"]


def test_fifty_spellings_of_a_host_leave_one_page(client):
    assert len(SPELLINGS) == 50
    for host in SPELLINGS:
        assert client.get("/books/", HTTP_HOST=host).status_code == 200

    assert len(stored_page_keys()) == 1
    served = client.get("/books/", HTTP_HOST="localhost")
    assert served["X-Page-Cache"] == "hit"
    assert canonical(served) == "http://localhost/books/"


def test_a_page_rendered_for_an_odd_host_is_not_served_to_others(client, settings):
    settings.ALLOWED_HOSTS = ["example.com"]
    odd = client.get("/books/", HTTP_HOST="EXAMPLE.COM.:1")
    assert canonical(odd) == "http://example.com:1/books/"

    normal = client.get("/books/", HTTP_HOST="example.com")
    assert "X-Page-Cache" not in normal
    assert canonical(normal) == "http://example.com/books/"
    assert client.get("/books/", HTTP_HOST="Example.com.")["X-Page-Cache"] == "hit"
    assert "example.com:1" not in client.get("/books/", HTTP_HOST="example.com:1").content.decode()


def test_behind_a_proxy_the_host_it_forwards_is_kept_with_its_port(client, settings):
    settings.TRUSTED_PROXIES = 1  # `make serve-edge`: Varnish on one port, the app on another
    client.get("/books/", HTTP_HOST="localhost:8000")
    served = client.get("/books/", HTTP_HOST="localhost:8000")
    assert served["X-Page-Cache"] == "hit"
    assert canonical(served) == "http://localhost:8000/books/"
