"""With an edge configured (pagecache/edge.py), a page stored for everyone tells shared
caches to keep it, with its tags; what is one visitor's (the rating form) becomes an
Edge Side Include filled per request; purges name the same tags the headers carried.
Without an edge nothing changes (tests/website/test_cache_headers.py)."""

import http.server
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone

from catalogue.models import Book, Rating
from pagecache import edge
from pagecache.tags import group_of, tag_for
from tests.factories import make_article, make_author, make_book
from tests.helpers import text_of

from .conftest import PurgeRecorder

pytestmark = pytest.mark.page_cache

ESI = {"HTTP_SURROGATE_CAPABILITY": 'varnish="ESI/1.0"'}


@pytest.fixture
def site(db, django_capture_on_commit_callbacks, settings):
    settings.EDGE = "varnish"
    with django_capture_on_commit_callbacks(execute=True):
        author = make_author(name="Stephen Harding")
        book = make_book(title="The Last Battle", slug="the-last-battle", authors=[author])
        article = make_article(title="Unlikely Allies", body="Text\n\n[[book:the-last-battle]]")
    return {"book": book, "article": article}


def xkeys(response) -> set[str]:
    return set(response["xkey"].split())


def directives(response) -> dict[str, int]:
    """The Cache-Control directives that carry seconds: s-maxage, stale-if-error."""
    pairs = (part.strip().partition("=") for part in response["Cache-Control"].split(","))
    return {name: int(value) for name, _, value in pairs if value}


def test_a_page_for_everyone_says_shared_caches_may_keep_it_with_its_tags(client, site):
    url = site["article"].get_absolute_url()
    first, second = client.get(url), Client().get(url)
    assert second["X-Page-Cache"] == "hit"  # the fast path says the same
    for response in (first, second):
        assert response["Cache-Control"].startswith("public, max-age=0, s-maxage=")
        assert directives(response)["s-maxage"] <= django_settings.EDGE_MAX_AGE
        assert {tag_for(site["article"]), tag_for(site["book"]), "site"} <= xkeys(response)
        assert response["Surrogate-Key"] == response["xkey"]
        assert not response.cookies
    assert text_of(second.content, "h1") == ["Unlikely Allies"]


def test_without_an_edge_pages_say_no_cache_and_name_no_tags(client, site, settings):
    settings.EDGE = ""
    url = site["article"].get_absolute_url()
    for response in (client.get(url), client.get(url)):
        assert response["Cache-Control"] == "no-cache"
        assert "xkey" not in response and "Surrogate-Key" not in response


@pytest.mark.parametrize("cookie", ["sessionid", "messages"])
def test_a_visitor_with_a_session_or_messages_is_never_offered_to_shared_caches(site, cookie):
    url = site["article"].get_absolute_url()
    Client().get(url)
    visitor = Client()
    visitor.cookies[cookie] = "x"
    response = visitor.get(url)
    assert response.status_code == 200
    assert "public" not in response["Cache-Control"] and "xkey" not in response


def test_through_an_esi_edge_the_rating_form_is_an_include_and_the_page_is_shared(site):
    url = site["book"].get_absolute_url()
    for response in (Client().get(url, **ESI), Client().get(url, **ESI)):
        page = response.content.decode()
        assert f'<esi:include src="/_visitor/rating-form/{site["book"].pk}/"/>' in page
        assert "csrfmiddlewaretoken" not in page  # nothing of one visitor's
        assert response["Cache-Control"].startswith("public, max-age=0, s-maxage=")
        assert response["Surrogate-Control"] == 'content="ESI/1.0"'
        assert tag_for(site["book"]) in xkeys(response)
        assert not response.cookies


def test_without_the_edge_saying_so_the_rating_form_is_filled_and_the_page_is_private(
    site, settings
):
    url = site["book"].get_absolute_url()
    # Directly (no Surrogate-Capability), or claimed by a reader elsewhere: filled in.
    elsewhere = Client(REMOTE_ADDR="203.0.113.9")
    for response in (Client().get(url), elsewhere.get(url, secure=True, **ESI)):
        page = response.content.decode()
        assert "<esi:include" not in page and "csrfmiddlewaretoken" in page
        assert response["Cache-Control"] == "no-cache" and "xkey" not in response


def fragment_form(client, book) -> dict[str, str]:
    response = client.get(f"/_visitor/rating-form/{book.pk}/")
    assert response["Cache-Control"] == "private, no-store"
    soup = BeautifulSoup(response.content, "html.parser")
    fields = {field["name"]: field["value"] for field in soup.select("input[type=hidden]")}
    fields["status"] = soup.select_one("[data-rating-status]").get_text(strip=True)
    return fields


def test_a_reader_without_a_csrf_cookie_rates_through_the_fragments_form(
    site, django_capture_on_commit_callbacks
):
    reader = Client(enforce_csrf_checks=True)
    fields = fragment_form(reader, site["book"])
    assert edge.SIGNED_SECRET_FIELD in fields
    reader.cookies.clear()  # the edge drops the fragment's Set-Cookie
    with django_capture_on_commit_callbacks(execute=True):
        posted = reader.post(
            f"{site['book'].get_absolute_url()}rate/",
            {"score": "4", **{k: v for k, v in fields.items() if k != "status"}},
        )
    assert posted.status_code == 302
    assert Rating.objects.get(book=site["book"]).score == 4
    assert fragment_form(reader, site["book"])["status"] == "You rated this book 4 stars."
    assert fragment_form(Client(), site["book"])["status"] == ""  # another reader's own


@pytest.mark.parametrize("signed", ["missing", "forged"])
def test_a_post_without_the_cookie_or_a_good_signature_is_refused(site, signed):
    reader = Client(enforce_csrf_checks=True)
    fields = fragment_form(reader, site["book"])
    reader.cookies.clear()
    del fields["status"]
    if signed == "missing":
        del fields[edge.SIGNED_SECRET_FIELD]
    else:
        fields[edge.SIGNED_SECRET_FIELD] = "a" * 32 + ":1wHoXx:forged"
    posted = reader.post(f"{site['book'].get_absolute_url()}rate/", {"score": "4", **fields})
    assert posted.status_code == 403
    assert not Rating.objects.exists()


def test_a_visitor_part_that_does_not_exist_is_a_404(client, db):
    assert client.get("/_visitor/no-such-part/1/").status_code == 404
    assert client.get("/_visitor/messages//").status_code == 404


def test_long_or_odd_tags_travel_as_digests_named_alike_in_headers_and_purges():
    odd = group_of(Book, "series", "Chronicles of Narnia")
    assert edge.edge_tag("catalogue.book:7") == "catalogue.book:7"
    for tag in ("x" * 65, "has space", odd + " "):
        assert edge.HEADER_SAFE_TAG.fullmatch(edge.edge_tag(tag))
        assert edge.edge_tag(tag) == edge.edge_tag(tag) != tag


def test_a_change_purges_its_tags_at_every_edge_as_the_headers_named_them(
    client, site, settings, edge_server, django_capture_on_commit_callbacks
):
    settings.EDGE_PURGE_URLS = [edge_server]
    named = xkeys(client.get(site["article"].get_absolute_url()))
    with django_capture_on_commit_callbacks(execute=True):
        site["article"].title = "Unlikely Allies, revised"
        site["article"].save()
    assert edge.wait_for_purges(5)
    purged = [header for method, header in PurgeRecorder.purges]
    assert all(method == "PURGE" for method, _ in PurgeRecorder.purges)
    assert tag_for(site["article"]) in named
    assert tag_for(site["article"]) in purged[0].split()
    # Each purge twice: at once, and again for a page on its way to the edge.
    assert all(purged.count(header) == 2 for header in purged)


def test_a_purge_that_cannot_land_is_retried_then_logged_and_the_page_still_changes(
    client, site, settings, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    settings.EDGE_PURGE_URLS = ["http://127.0.0.1:9"]  # nothing listens there
    monkeypatch.setattr(edge, "RETRY_WAITS", (0.01, 0.01))
    monkeypatch.setattr(edge, "REPEAT_AFTER", 0.01)
    url = site["article"].get_absolute_url()
    client.get(url)
    with caplog.at_level(logging.ERROR, logger="pagecache.edge"):
        with django_capture_on_commit_callbacks(execute=True):
            site["article"].title = "Unlikely Allies, revised"
            site["article"].save()
        response = client.get(url)  # answered at once, fresh from the origin
        assert text_of(response.content, "h1") == ["Unlikely Allies, revised"]
        assert edge.wait_for_purges(5)
    failures = [r.getMessage() for r in caplog.records if "not purged" in r.getMessage()]
    assert failures and all("after 3 attempts" in failure for failure in failures)
    assert tag_for(site["article"]) in failures[0]


def test_with_no_edge_to_purge_nothing_is_sent(site, settings, monkeypatch):
    sent = []
    monkeypatch.setattr(edge, "send_purge", lambda base, names: sent.append(names))
    settings.EDGE_PURGE_URLS = []
    edge.purge(["catalogue.book:1"])
    assert edge.wait_for_purges(1) and sent == []


@pytest.mark.parametrize("cookie", ["sessionid", "messages"])
def test_a_page_the_edge_passes_still_asks_it_to_fill_its_includes(site, cookie):
    # The edge says it fills includes on every request, also one it passes (a session,
    # messages): unless the response says it has some, the reader gets the bare tag
    # and no rating form.
    url = site["book"].get_absolute_url()
    Client().get(url, **ESI)
    visitor = Client()
    visitor.cookies[cookie] = "x"
    response = visitor.get(url, **ESI)
    page = response.content.decode()
    assert f'<esi:include src="/_visitor/rating-form/{site["book"].pk}/"/>' in page
    assert response["Surrogate-Control"] == 'content="ESI/1.0"'
    assert "public" not in response["Cache-Control"] and "xkey" not in response


def test_a_signed_secret_stands_for_the_cookie_on_its_own_form_alone(
    site, django_capture_on_commit_callbacks
):
    # Anyone may fetch a fragment: its signed secret must not open every other form of
    # the site (another book's rating, or any form added later).
    other = make_book(title="Prince Caspian", slug="prince-caspian")
    reader = Client(enforce_csrf_checks=True)
    fields = fragment_form(reader, site["book"])
    reader.cookies.clear()
    del fields["status"]
    posted = reader.post(f"{other.get_absolute_url()}rate/", {"score": "4", **fields})
    assert posted.status_code == 403
    assert not Rating.objects.exists()


def test_the_rating_fragment_of_a_book_readers_cannot_see_names_nothing(client, site):
    # Anyone may ask /_visitor/ for any number: a draft's form would give its address.
    assert (
        b"the-last-battle/rate/" in client.get(f"/_visitor/rating-form/{site['book'].pk}/").content
    )
    draft = make_book(title="Secret Sequel", slug="secret-sequel", status=Book.Status.DRAFT)
    response = client.get(f"/_visitor/rating-form/{draft.pk}/")
    assert b"secret-sequel" not in response.content
    assert response.status_code == 200 and b"rate/" not in response.content


def test_a_fragment_is_served_by_a_process_whose_first_request_it_is():
    # A worker that has served only cached pages (the fast path resolves no address)
    # has not loaded the views that register the parts: the fragment must still be
    # found, not a 404 page the edge would put inside the book's page.
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "print(Client().get('/_visitor/rating-form/x/', HTTP_HOST='localhost').status_code)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "EDGE": "varnish"}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.stdout.strip().splitlines()[-1] == "200", done.stderr[-2000:]


def test_a_change_with_many_tags_is_purged_in_headers_varnish_takes(settings, edge_server):
    # Varnish refuses a header line over 8 KB with a 400: one purge naming a bulk
    # change's hundreds of tags would never land, and every page would stay stale.
    settings.EDGE_PURGE_URLS = [edge_server]
    tags = [f"catalogue.book:{number}" for number in range(1, 801)]
    edge.purge(tags)
    assert edge.wait_for_purges(5)
    headers = [header for _, header in PurgeRecorder.purges]
    assert all(len(header) <= 4000 for header in headers)
    assert {name for header in headers for name in header.split()} == set(tags)


@pytest.fixture
def silent_edge():
    """An edge that takes the connection and never answers (hung, or its network gone)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    yield listener
    listener.close()


def test_an_edge_that_never_answers_holds_up_no_other_edges_purge(
    settings, monkeypatch, edge_server, silent_edge, caplog
):
    monkeypatch.setattr(edge, "PURGE_TIMEOUT", 30.0)
    monkeypatch.setattr(edge, "RETRY_WAITS", (0.01,))
    monkeypatch.setattr(edge, "REPEAT_AFTER", 0.01)
    silent = f"http://127.0.0.1:{silent_edge.getsockname()[1]}"
    settings.EDGE_PURGE_URLS = [silent, edge_server]  # the silent one first
    edge.purge(["catalogue.book:7"])
    deadline = time.monotonic() + 10  # a third of the silent edge's timeout
    while not PurgeRecorder.purges and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [header for _, header in PurgeRecorder.purges][:1] == ["catalogue.book:7"]
    with caplog.at_level(logging.ERROR, logger="pagecache.edge"):
        silent_edge.close()  # the purge waiting on it fails now, and is given up
        assert edge.wait_for_purges(5)
    assert any(silent in record.getMessage() for record in caplog.records)


def test_a_page_may_be_served_stale_an_hour_at_most_and_never_past_its_withdrawal(
    site, settings, django_capture_on_commit_callbacks
):
    settings.EDGE_MAX_AGE = 30
    url = site["article"].get_absolute_url()
    assert directives(Client().get(url))["stale-if-error"] == edge.EDGE_GRACE
    # Withdrawn by its time in 100 s: no write then, so no purge; the edge's copy (kept
    # 30 s) may stand in for a failing app until then, never after.
    with django_capture_on_commit_callbacks(execute=True):
        site["article"].withdraw_at = timezone.now() + timedelta(seconds=100)
        site["article"].save()
    for response in (Client().get(url), Client().get(url)):  # rendered, then the fast path
        said = directives(response)
        assert said["s-maxage"] == 30
        assert 65 <= said["stale-if-error"] <= 70


class KindRecorder(PurgeRecorder):
    """Records each purge's tags and whether it says they are gone."""

    kinds: list[tuple[str, str | None]] = []

    def do_PURGE(self):  # noqa: N802 - the method's name
        self.kinds.append((self.headers["xkey-purge"], self.headers["xkey-purge-gone"]))
        super().do_PURGE()


@pytest.fixture
def kind_recorder():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), KindRecorder)
    KindRecorder.kinds = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def purges_of(tag: str) -> set[str | None]:
    assert edge.wait_for_purges(5)
    return {gone for names, gone in KindRecorder.kinds if tag in names.split()}


def test_an_edit_purges_softly_and_a_withdrawal_or_deletion_purges_hard(
    site, settings, kind_recorder, django_capture_on_commit_callbacks
):
    from articles.models import Article

    settings.EDGE_PURGE_URLS = [kind_recorder]
    article, book = site["article"], site["book"]
    with django_capture_on_commit_callbacks(execute=True):
        article.title = "Unlikely Allies, revised"
        article.save()
    assert purges_of(tag_for(article)) == {None}  # the edge may keep it for a failing app
    KindRecorder.kinds = []
    with django_capture_on_commit_callbacks(execute=True):
        article.status = Article.Status.WITHDRAWN
        article.save()
    assert purges_of(tag_for(article)) == {"1"}
    other, gone_book = make_article(title="Gone Tomorrow"), make_book(title="Pulped")
    tags = tag_for(other), tag_for(gone_book)
    KindRecorder.kinds = []
    with django_capture_on_commit_callbacks(execute=True):
        other.delete()
        gone_book.delete()
    assert purges_of(tags[0]) == {"1"}
    assert purges_of(tags[1]) == {"1"}
    KindRecorder.kinds = []
    with django_capture_on_commit_callbacks(execute=True):
        book.title = "The Last Battle, revised"
        book.save()
    assert purges_of(tag_for(book)) == {None}


@pytest.mark.parametrize(
    ("query", "shared"),
    [
        ("", True),
        ("?page=2", True),
        ("?page=02", False),  # the same page spelled otherwise: one copy at the edge
        ("?utm_source=newsletter", False),
        ("?junk=1", False),
    ],
)
def test_only_a_pages_own_spelling_of_its_address_is_offered_to_the_edge(
    client, site, query, shared
):
    for make in range(25):  # a second page of books
        make_book(title=f"Volume {make}", slug=f"volume-{make}")
    response = client.get(f"/books/{query}")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("public") is shared
    assert ("xkey" in response) is shared
    # Served from the page cache behind the edge all the same.
    assert Client().get(f"/books/{query}")["X-Page-Cache"] == "hit"
