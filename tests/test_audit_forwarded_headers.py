"""Audit: what a stranger's headers may tell gunicorn about their own request.

`make serve` (and the edge's app servers) run gunicorn with `--forwarded-allow-ips '*'`,
so that the proxy in front is believed. gunicorn then also believed any client's
`SCRIPT_NAME` header (a header with an underscore, which nothing but gunicorn reads):
`GET /about/` with `SCRIPT_NAME: /about` was answered with the home page (its path to
the app "/"), stored in the page cache, and at the edge, for /about/, its links all
under /about/, for every reader until the next change. And `X-Forwarded-Ssl: on` or
`X-Forwarded-Protocol: ssl` made the request https to gunicorn, where the edge takes
care that the reader's own X-Forwarded-Proto says nothing (deploy/varnish/colophon.vcl).
The proxy in front says the scheme in X-Forwarded-Proto alone (Django's
SECURE_PROXY_SSL_HEADER) and never a script name.
"""

import http.client
import subprocess

import pytest

from tests.servers import REPO, free_port, manage, scratch_database, server_env, stop, wait_for


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """gunicorn as `make serve` starts it, over a migrated database."""
    files = tmp_path_factory.mktemp("forwarded")
    for database_url in scratch_database(files, "colophon_audit_forwarded_test"):
        port = free_port()
        env = server_env(database_url, files, port, WEB_CONCURRENCY="1")
        manage(env, "migrate", "-v0")
        server = subprocess.Popen(
            [str(REPO / ".venv/bin/gunicorn"), "-c", "deploy/gunicorn.conf.py",
             "--bind", f"127.0.0.1:{port}", "--forwarded-allow-ips", "*"],
            cwd=REPO, env=env, stdout=(files / "gunicorn.log").open("w"),
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            wait_for(port, server)
            yield port
        finally:
            stop(server)


def get(port: int, path: str, headers: dict) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read().decode()
    conn.close()
    return response.status, body


def test_a_stranger_cannot_name_the_script_to_answer_one_page_with_another(app):
    status, body = get(app, "/about/robots.txt", {"SCRIPT_NAME": "/about"})
    assert "Sitemap:" not in body  # not robots.txt, under /about/'s address
    status, body = get(app, "/robots.txt", {})
    assert status == 200
    assert f"Sitemap: http://127.0.0.1:{app}/sitemap.xml" in body


@pytest.mark.parametrize(
    "header", [{"X-Forwarded-Ssl": "on"}, {"X-Forwarded-Protocol": "ssl"}], ids=str
)
def test_only_x_forwarded_proto_says_the_request_was_https(app, header):
    status, body = get(app, "/robots.txt", header)
    assert status == 200
    assert f"Sitemap: http://127.0.0.1:{app}/sitemap.xml" in body
    _, proxied = get(app, "/robots.txt", {"X-Forwarded-Proto": "https"})
    assert f"Sitemap: https://127.0.0.1:{app}/sitemap.xml" in proxied
