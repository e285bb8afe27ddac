"""A stored page is only ever served for the host spelling its links name, and however
its host is spelled, a page leaves one entry per name the site lists (and port it
really answers on)."""

import socket

import pytest
from bs4 import BeautifulSoup

from tests.pagecache.test_page_cache import stored_page_keys

pytestmark = [pytest.mark.page_cache, pytest.mark.django_db]

SPELLINGS = [
    "localhost", "LOCALHOST", "localhost.", "LocalHost.", "localhost:80", "LOCALHOST.:80",
    *(f"localhost:{port}" for port in range(8000, 8039)),
    *(f"LocalHost.:{port}" for port in (1, 443, 8080, 65535, 9)),
]  # fmt: skip


def canonical(response) -> str:
    return BeautifulSoup(response.content, "html.parser").find("link", rel="canonical")["href"]


def test_fifty_spellings_of_a_host_leave_one_page(client):
    assert len(SPELLINGS) == 50
    for host in SPELLINGS:
        response = client.get("/books/", HTTP_HOST=host)
        port = host.rpartition(":")[2] if ":" in host else "80"
        expected = "http://localhost" + ("" if port == "80" else f":{port}") + "/books/"
        assert canonical(response) == expected, host

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
    port_one = client.get("/books/", HTTP_HOST="example.com:1")
    assert "X-Page-Cache" not in port_one
    assert canonical(port_one) == "http://example.com:1/books/"


def test_behind_a_proxy_a_forged_port_is_never_served_to_others(client, settings):
    settings.TRUSTED_PROXIES = 1  # a proxy that passes Host through (Varnish does)
    client.get("/books/", HTTP_HOST="localhost:6666")

    served = client.get("/books/", HTTP_HOST="localhost:8000")
    assert "X-Page-Cache" not in served
    assert canonical(served) == "http://localhost:8000/books/"
    assert "6666" not in served.content.decode()
    assert stored_page_keys() == []


def test_behind_a_proxy_the_port_it_forwards_is_stored_once(client, settings):
    settings.TRUSTED_PROXIES = 1  # `make serve-edge`: Varnish on 8000, the app on 8001
    through_proxy = {"HTTP_HOST": "localhost:8000", "HTTP_X_FORWARDED_PORT": "8000"}
    client.get("/books/", SERVER_PORT="8001", **through_proxy)
    served = client.get("/books/", SERVER_PORT="8001", **through_proxy)

    assert served["X-Page-Cache"] == "hit"
    assert canonical(served) == "http://localhost:8000/books/"
    assert len(stored_page_keys()) == 1


def test_without_a_trusted_proxy_its_port_header_is_not_believed(client):
    forged = {"HTTP_HOST": "localhost:6666", "HTTP_X_FORWARDED_PORT": "6666"}
    client.get("/books/", **forged)
    assert "X-Page-Cache" not in client.get("/books/", **forged)
    assert stored_page_keys() == []


def test_the_port_the_server_listens_on_is_stored(client):
    direct = {"HTTP_HOST": "localhost:8000", "SERVER_PORT": "8000"}  # `make serve`
    client.get("/books/", **direct)
    served = client.get("/books/", **direct)
    assert served["X-Page-Cache"] == "hit"
    assert canonical(served) == "http://localhost:8000/books/"


def test_on_a_unix_socket_the_port_the_host_names_is_not_the_servers(client):
    # gunicorn bound to a unix socket makes SERVER_PORT up from the Host.
    with socket.socket(socket.AF_UNIX) as unix:
        made_up = {"HTTP_HOST": "localhost:6666", "SERVER_PORT": "6666", "gunicorn.socket": unix}
        client.get("/books/", **made_up)
        assert "X-Page-Cache" not in client.get("/books/", **made_up)
    assert stored_page_keys() == []


def test_a_host_only_a_pattern_allows_is_served_but_not_stored(client, settings):
    settings.ALLOWED_HOSTS = [".example.com"]
    for name in ("www.example.com", "a.example.com", "www.example.com"):
        response = client.get("/books/", HTTP_HOST=name)
        assert response.status_code == 200
        assert "X-Page-Cache" not in response
        assert canonical(response) == f"http://{name}/books/"
    assert stored_page_keys() == []

    client.get("/books/", HTTP_HOST="example.com")  # the name the pattern spells out
    assert client.get("/books/", HTTP_HOST="example.com")["X-Page-Cache"] == "hit"
