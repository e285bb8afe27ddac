"""Production behaviour: security headers, HTTPS behind the proxy, health checks,
faults answered calmly, logs a machine can read, static files cached for a year."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import OperationalError

from articles.models import Article
from tests.factories import make_article

REPO = Path(__file__).resolve().parents[2]


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DEBUG", "DATABASE_URL")},
        "DEBUG": "false",
        "SECRET_KEY": "k3y-" + "x9Q2!vL7#pZ4" * 6,
        "ALLOWED_HOSTS": "colophon.example",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        # Production shares its counters between workers (the check warns otherwise).
        "CACHE_URL": "redis://127.0.0.1:6379/0",
        "WEB_CONCURRENCY": "2",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.fixture
def article(db):
    return make_article(title="Headers", body="Text")


def test_public_pages_carry_the_security_headers(client, article):
    for path in ["/", article.get_absolute_url(), "/books/", "/search/?q=x", "/no-such-page/"]:
        response = client.get(path, secure=True)
        csp = response["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
        assert directives["script-src"] == "'self'"
        assert directives["object-src"] == "'none'"
        assert directives["frame-ancestors"] == "'none'"
        assert "unsafe" not in directives["script-src"]
        assert response["Strict-Transport-Security"].startswith("max-age=31536000")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"


def test_cookies_are_secure_and_httponly(settings):
    assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE
    assert settings.SESSION_COOKIE_HTTPONLY


def test_plain_http_from_outside_is_sent_to_https(client, article):
    response = client.get(article.get_absolute_url(), REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 301
    assert response["Location"] == f"https://testserver{article.get_absolute_url()}"


def test_the_proxy_saying_http_is_sent_to_https_and_https_is_served(client, article):
    url = article.get_absolute_url()
    assert client.get(url, HTTP_X_FORWARDED_PROTO="http").status_code == 301
    response = client.get(url, HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    assert "Strict-Transport-Security" in response


def test_plain_http_on_loopback_is_answered(client, article):
    assert client.get(article.get_absolute_url(), REMOTE_ADDR="127.0.0.1").status_code == 200
    assert client.get("/", REMOTE_ADDR="::1").status_code == 200


def test_healthz_answers_whatever_the_host(client):
    response = client.get("/healthz", HTTP_HOST="10.0.0.7:8000", REMOTE_ADDR="10.0.0.2")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_checks_database_and_cache(client, db):
    response = client.get("/readyz", HTTP_HOST="10.0.0.7")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}


def test_readyz_is_503_when_the_cache_is_down(client, db, monkeypatch):
    from django.core.cache import cache

    def refuse(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "set", refuse)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == "error: ConnectionError"


def test_database_down_is_a_styled_503_with_retry_after(client, article, monkeypatch):
    def unavailable(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(Article.objects, "published", unavailable)
    client.raise_request_exception = False
    response = client.get(article.get_absolute_url())
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    body = response.content.decode()
    assert "Colophon is back in a moment" in body and "Traceback" not in body


def test_each_request_has_an_id_in_the_response_and_the_log(client, article, caplog):
    with caplog.at_level(logging.INFO, logger="colophon.access"):
        response = client.get(article.get_absolute_url(), HTTP_X_REQUEST_ID="abc-123")
    assert response["X-Request-ID"] == "abc-123"
    record = next(r for r in caplog.records if r.name == "colophon.access")
    assert record.request_id == "abc-123" and record.status == 200
    generated = client.get("/")["X-Request-ID"]
    assert len(generated) == 32 and generated != "abc-123"


def test_logs_are_json_lines_with_the_request_id(settings):
    formatter = logging.config.DictConfigurator(settings.LOGGING).configure_formatter(
        settings.LOGGING["formatters"]["json"]
    )
    record = logging.LogRecord("colophon.access", logging.INFO, __file__, 1, "GET / 200", (), None)
    record.request_id, record.status = "abc-123", 200
    line = json.loads(formatter.format(record))
    assert line["request_id"] == "abc-123" and line["status"] == 200
    assert line["level"] == "INFO" and line["message"] == "GET / 200"


def test_static_files_have_hashed_names_and_a_years_immutable_caching(settings, tmp_path):
    from django.test import Client

    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    hashed = next((tmp_path / "static" / "css").glob("site.*.css")).name
    response = Client().get(f"/static/css/{hashed}", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=315360000, public, immutable"
    assert response["Content-Encoding"] == "gzip"


def settings_under(**env) -> dict:
    """The settings Django would load with this environment (in a fresh process)."""
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'storage': s.STORAGES['default'], 'serve_media': s.SERVE_MEDIA, "
        "'img': s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'], "
        "'routers': s.DATABASE_ROUTERS, 'databases': sorted(s.DATABASES)}))"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MEDIA_"))}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True,
        env={**base, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "false",
             "SECRET_KEY": "x", **env},
    )  # fmt: skip
    return json.loads(result.stdout)


def test_covers_can_live_in_an_s3_compatible_store():
    loaded = settings_under(
        MEDIA_STORAGE="s3", AWS_STORAGE_BUCKET_NAME="covers",
        AWS_S3_ENDPOINT_URL="https://s3.example.net", AWS_S3_CUSTOM_DOMAIN="media.example.net",
    )  # fmt: skip
    assert loaded["storage"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert loaded["storage"]["OPTIONS"]["bucket_name"] == "covers"
    assert loaded["storage"]["OPTIONS"]["endpoint_url"] == "https://s3.example.net"
    assert loaded["serve_media"] is False
    assert "https://media.example.net" in loaded["img"]


def test_a_read_replica_is_used_only_when_configured():
    assert settings_under()["routers"] == []
    replica = settings_under(DATABASE_REPLICA_URL="postgres://reader@replica:5432/colophon")
    assert replica["databases"] == ["default", "replica"]
    assert replica["routers"] == ["config.routers.PrimaryReplicaRouter"]


def test_the_router_keeps_what_must_be_read_back_at_once_on_the_primary():
    from django.contrib.sessions.models import Session

    from catalogue.models import Book, Rating
    from config.routers import PrimaryReplicaRouter

    router = PrimaryReplicaRouter()
    assert router.db_for_read(Book) == "replica"
    assert router.db_for_read(Article) == "replica"
    assert router.db_for_read(Rating) == "default"
    assert router.db_for_read(Session) == "default"
    assert router.db_for_write(Book) == "default"
