"""Varnish with the site's VCL (deploy/varnish/colophon.vcl) in front of two real app
servers (gunicorn, production settings, the demo, Redis), as `make serve-edge` runs them
but with two apps behind one Varnish, round robin: pages are kept at the edge, every
change shows through it at once (the app purges by tag), nothing one reader sends
changes what others get, nothing of one reader's reaches another, and a reader without
JavaScript rates through it.

Skipped only without varnishd (CI installs it) or without Redis (the page cache, which
decides what is stored for everyone, needs a shared cache).
"""

import http.client
import os
import re
import shutil
import subprocess
import time
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.servers import PYTHON, REPO, free_port, redis_answers, scratch_database, server_env
from tests.test_slow_clients import stop_group

pytestmark = pytest.mark.skipif(
    not shutil.which("varnishd") or not redis_answers(), reason="needs Varnish and Redis"
)

ARTICLE = "/articles/unlikely-allies/"
DRAFT = "/articles/oxford-handbook-voice-perception/"
# As `make serve-edge` writes it, with two app servers behind, round robin.
WRAPPER = """vcl 4.1;
import directors;
include "{health}";
backend app1 {{ .host = "127.0.0.1"; .port = "{app1}"; .probe = colophon_health; }}
backend app2 {{ .host = "127.0.0.1"; .port = "{app2}"; .probe = colophon_health; }}
sub vcl_init {{
    new apps = directors.round_robin();
    apps.add_backend(app1);
    apps.add_backend(app2);
}}
sub vcl_recv {{
    set req.backend_hint = apps.backend();
}}
include "{vcl}";
"""


class Edge:
    def __init__(self, port: int, env: dict, work: Path):
        self.port, self.env, self.work = port, env, work

    def get(self, path: str, headers: dict | None = None, method: str = "GET", body: str = ""):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        headers = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body or None, headers=headers)
        response = conn.getresponse()
        response.text = response.read().decode()
        conn.close()
        return response

    def change(self, code: str, **env: str) -> subprocess.CompletedProcess:
        """Run `code` as the desk would change data: model saves, signals, on_commit."""
        return subprocess.run(
            [PYTHON, "manage.py", "shell", "-c", code], cwd=REPO, env={**self.env, **env},
            capture_output=True, text=True, check=True, timeout=60,
        )  # fmt: skip

    def apps_healthy(self) -> bool:
        """Whether this Varnish's probe (deploy/varnish/health.vcl) finds every app up."""
        listed = subprocess.run(
            ["varnishadm", "-n", str(self.work), "backend.list"],
            capture_output=True, text=True, check=False,
        ).stdout  # fmt: skip
        return "healthy" in listed and "sick" not in listed


class Reader:
    """A browser without JavaScript: keeps its cookies, posts forms."""

    def __init__(self, edge: Edge):
        self.edge, self.cookies = edge, {}

    def get(self, path: str, method: str = "GET", body: str = ""):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        response = self.edge.get(path, headers if self.cookies else {}, method, body)
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return response


class Stack:
    """Two app servers (gunicorn, as `make serve` runs it) and two Varnishes in front of
    both, each of which the apps purge (EDGE_PURGE_URLS); parts can be stopped and
    started again."""

    def __init__(self, files: Path, env: dict, app_ports, edges: list[Edge]):
        self.files, self.env, self.app_ports, self.edges = files, env, app_ports, edges
        self.log = (files / "servers.log").open("a")
        self.apps: list[subprocess.Popen] = []
        self.varnishes: dict[int, subprocess.Popen] = {}

    def start_apps(self) -> None:
        self.apps = [
            subprocess.Popen(
                [
                    str(REPO / ".venv/bin/gunicorn"),
                    "-c",
                    "deploy/gunicorn.conf.py",
                    "--bind",
                    f"127.0.0.1:{app_port}",
                    "--forwarded-allow-ips",
                    "*",
                    "config.wsgi",
                ],
                cwd=REPO,
                env=self.env,
                stdout=self.log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
            for app_port in self.app_ports
        ]

    def stop_apps(self) -> None:
        for app in self.apps:
            stop_group(app)
        self.apps = []

    def start_varnish(self, edge: Edge) -> None:
        # Where Varnish's own user can read (as `make serve-edge` does).
        folder = edge.work.parent
        folder.mkdir(mode=0o755, exist_ok=True)
        for name in ("colophon.vcl", "health.vcl"):
            shutil.copy(REPO / "deploy/varnish" / name, folder / name)
        vcl = folder / "edge.vcl"
        vcl.write_text(
            WRAPPER.format(
                app1=self.app_ports[0], app2=self.app_ports[1],
                health=folder / "health.vcl", vcl=folder / "colophon.vcl",
            )
        )  # fmt: skip
        for path in folder.glob("*.vcl"):
            path.chmod(0o644)
        self.varnishes[edge.port] = subprocess.Popen(
            ["varnishd", "-F", "-n", str(edge.work), "-a", f"127.0.0.1:{edge.port}", "-f",
             str(vcl), "-s", "malloc,64m"],
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

    def stop_varnish(self, edge: Edge) -> None:
        stop_group(self.varnishes.pop(edge.port))

    def wait_until_ready(self, seconds: float = 90) -> None:
        deadline = time.monotonic() + seconds
        while not (
            ready([*self.app_ports, *(edge.port for edge in self.edges)])
            and all(edge.apps_healthy() for edge in self.edges)
        ):
            assert time.monotonic() < deadline, (self.files / "servers.log").read_text()[-3000:]
            time.sleep(0.3)

    def stop(self) -> None:
        self.stop_apps()
        for varnish in self.varnishes.values():
            stop_group(varnish)
        self.log.close()
        for edge in self.edges:
            shutil.rmtree(edge.work.parent, ignore_errors=True)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    files = tmp_path_factory.mktemp("edge")
    for database_url in scratch_database(files, "colophon_edge_test"):
        ports, app_ports = (free_port(), free_port()), (free_port(), free_port())
        cache = os.environ.get("CACHE_URL", "")
        env = server_env(
            database_url, files, ports[0], DEMO="1", WEB_CONCURRENCY="1", TRUSTED_PROXIES="1",
            CACHE_URL=cache if cache.startswith("redis") else "redis://127.0.0.1:6379/10",
            EDGE_PURGE_URLS=",".join(f"http://127.0.0.1:{port}" for port in ports),
            TASKS_QUEUE="immediate",
        )  # fmt: skip
        for command in (["migrate", "-v0"], ["load_demo"], ["collectstatic", "--no-input", "-v0"]):
            subprocess.run([PYTHON, "manage.py", *command], cwd=REPO, env=env, check=True)
        edges = [Edge(port, env, Path(f"/tmp/colophon-edge-test-{port}/work")) for port in ports]
        stack = Stack(files, env, app_ports, edges)
        try:
            stack.start_apps()
            for edge in edges:
                stack.start_varnish(edge)
            stack.wait_until_ready()
            yield stack
        finally:
            stack.stop()


@pytest.fixture
def edge(stack):
    """The first Varnish, every part of the stack up (a test before may have stopped
    some)."""
    if not stack.apps:
        stack.start_apps()
    for other in stack.edges:
        if other.port not in stack.varnishes:
            stack.start_varnish(other)
    stack.wait_until_ready()
    return stack.edges[0]


def ready(ports) -> bool:
    for port in ports:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/readyz")
            if conn.getresponse().status != 200:
                return False
        except OSError:
            return False
    return True


def h1(response) -> str:
    return BeautifulSoup(response.text, "html.parser").h1.get_text(" ", strip=True)


def first_book(edge: Edge) -> str:
    page = BeautifulSoup(edge.get(ARTICLE).text, "html.parser")
    return next(a["href"] for a in page.select("a[href^='/books/']") if a["href"].count("/") == 3)


def test_a_second_anonymous_request_is_a_hit(edge):
    edge.change("from pagecache.versions import invalidate; invalidate('site')")
    first, second = edge.get(ARTICLE), edge.get(ARTICLE)
    assert first.getheader("X-Cache") == "miss" and second.getheader("X-Cache") == "hit"
    assert len(second.getheader("X-Varnish").split()) == 2  # this request's and the copy's
    assert h1(second) == h1(first) and "Unlikely Allies" in h1(second)
    assert second.getheader("xkey") is None  # the tags are the edge's business


def test_an_editors_changes_show_through_the_edge_at_once(edge):
    edge.get(ARTICLE)
    assert edge.get(ARTICLE).getheader("X-Cache") == "hit"
    edge.change(
        "from articles.models import Article; a = Article.objects.get(slug='unlikely-allies');"
        "a.title = 'Unlikely Allies, revised'; a.save()"
    )
    assert h1(edge.get(ARTICLE)) == "Unlikely Allies, revised"

    book = first_book(edge)
    edge.get(book)
    assert edge.get(book).getheader("X-Cache") == "hit"
    slug = book.split("/")[2]
    edge.change(
        f"from catalogue.models import Book; b = Book.objects.get(slug='{slug}');"
        "b.title = 'A Title Changed at the Desk'; b.save()"
    )
    assert "A Title Changed at the Desk" in h1(edge.get(book))
    # Two app servers in turn: whichever answers, the page is the new one.
    assert all("A Title Changed" in h1(edge.get(book)) for _ in range(4))


def test_a_publication_after_a_404_shows_at_once(edge):
    code = (
        "from articles.models import Article; a = Article.objects.get(slug="
        "'oxford-handbook-voice-perception'); a.status = Article.Status.%s; a.save()"
    )
    edge.change(code % "DRAFT")
    assert edge.get(DRAFT).status == 404
    assert edge.get(DRAFT).status == 404
    edge.change(code % "PUBLISHED")
    published = edge.get(DRAFT)
    assert published.status == 200 and "Voice" in h1(published)


def test_a_reader_without_javascript_rates_through_the_edge_and_keeps_their_rating(edge):
    book = first_book(edge)
    rater, other = Reader(edge), Reader(edge)
    page = rater.get(book)
    assert "<esi:include" not in page.text  # filled in by Varnish
    assert page.getheader("Cache-Control") == "private, no-cache"  # filled for this reader
    form = BeautifulSoup(page.text, "html.parser").select_one("form[data-rating-form]")
    fields = {field["name"]: field["value"] for field in form.select("input[type=hidden]")}
    assert "csrftoken" not in rater.cookies  # an include cannot set it
    before = rater.get(book)
    count = re.search(r"by (\d+) readers?", before.text)
    posted = rater.get(
        form["action"], "POST", "&".join(f"{k}={v}" for k, v in {**fields, "score": "4"}.items())
    )
    assert posted.status == 302, posted.text[:500]
    thanked = rater.get(book)  # with the flash message: passed, the rater's own
    assert "Thank you: you rated this book 4 stars." in thanked.text
    theirs = other.get(book)
    assert "You rated this book" not in theirs.text
    mine = rater.get(book)
    assert "You rated this book 4 stars." in mine.text
    assert mine.getheader("X-Cache") == "hit"  # the shared page, with the rater's part
    assert fields["csrfmiddlewaretoken"] not in theirs.text
    readers = int(count[1]) + 1 if count else 1
    assert f"by {readers} reader" in theirs.text  # the new rating, through the purge


def test_a_part_the_app_cannot_give_is_left_out_never_an_error_page_inside_a_page(edge):
    # What Varnish would include for a part the app answers with an error (here a 404:
    # no such part): nothing; the app's 404 page would be a whole page inside the page.
    part = edge.get("/_visitor/no-such-part/1/")
    assert part.text == "" and part.getheader("Cache-Control") == "no-store"


def test_what_one_reader_sends_cannot_change_what_others_get(edge):
    edge.change("from pagecache.versions import invalidate; invalidate('site')")
    odd = edge.get(
        ARTICLE,
        {
            "Host": f"127.0.0.1.:{edge.port}",
            "X-Forwarded-Proto": "https",
            "Cookie": "csrftoken=" + "a" * 32 + "; colophon_visitor=someone; _ga=1",
        },
    )
    assert odd.status == 200
    plain = edge.get(ARTICLE)
    assert plain.getheader("X-Cache") == "hit"  # one copy for every spelling and cookie
    canonical = BeautifulSoup(plain.text, "html.parser").select_one("link[rel=canonical]")
    assert canonical["href"] == f"http://127.0.0.1:{edge.port}{ARTICLE}"
    assert plain.getheader("Set-Cookie") is None and "a" * 32 not in plain.text


def editor_session(edge: Edge, username: str) -> str:
    """The session key of a new signed-in editor."""
    return edge.change(
        "from django.contrib.auth import get_user_model, SESSION_KEY, BACKEND_SESSION_KEY,"
        " HASH_SESSION_KEY\n"
        "from django.contrib.sessions.backends.db import SessionStore\n"
        f"u = get_user_model().objects.create_user({username!r}, password='x' * 20,"
        " is_staff=True, is_superuser=True)\n"
        "s = SessionStore(); s[SESSION_KEY] = str(u.pk);"
        " s[BACKEND_SESSION_KEY] = 'django.contrib.auth.backends.ModelBackend';"
        " s[HASH_SESSION_KEY] = u.get_session_auth_hash(); s.create(); print(s.session_key)"
    ).stdout.split()[-1]


def test_an_editors_session_is_never_kept_for_anyone_else(edge):
    session = editor_session(edge, "edge-editor")
    signed_in = {"Cookie": f"sessionid={session}"}
    for _ in range(2):
        desk = edge.get("/admin/", signed_in)
        assert desk.status == 200 and "edge-editor" in desk.text
        assert len(desk.getheader("X-Varnish").split()) == 1  # passed, never a hit
        page = edge.get(ARTICLE, signed_in)
        assert len(page.getheader("X-Varnish").split()) == 1
    anonymous = edge.get("/admin/")
    assert anonymous.status == 302 and "edge-editor" not in anonymous.text


def retitle(title: str) -> str:
    return (
        "from articles.models import Article; a = Article.objects.get(slug='unlikely-allies');"
        f"a.title = {title!r}; a.save()"
    )


def test_an_edit_is_purged_at_both_edges(stack, edge):
    first, second = stack.edges
    for each in (first, second):
        each.get(ARTICLE)
        assert each.get(ARTICLE).getheader("X-Cache") == "hit"
    edge.change(retitle("Unlikely Allies, seen at both edges"))
    assert (
        h1(first.get(ARTICLE)) == h1(second.get(ARTICLE)) == ("Unlikely Allies, seen at both edges")
    )


def test_an_edge_that_is_down_stops_neither_the_save_nor_the_other_edges_purge(stack, edge):
    first, second = stack.edges
    first.get(ARTICLE)
    assert first.get(ARTICLE).getheader("X-Cache") == "hit"
    stack.stop_varnish(second)
    dead = f"http://127.0.0.1:{free_port()}"  # and one nothing ever listened on
    done = edge.change(
        retitle("Unlikely Allies, one edge down"),
        EDGE_PURGE_URLS=f"{dead},http://127.0.0.1:{second.port},http://127.0.0.1:{first.port}",
    )
    assert h1(first.get(ARTICLE)) == "Unlikely Allies, one edge down"
    logged = [line for line in done.stderr.splitlines() if "not purged" in line]
    assert any(dead in line for line in logged)
    assert any(f"127.0.0.1:{second.port}" in line for line in logged)
    assert not any(f"127.0.0.1:{first.port}" in line for line in logged)


def test_a_purge_that_cannot_reach_its_edge_is_logged_and_nothing_fails(edge):
    dead = f"http://127.0.0.1:{free_port()}"
    started = time.monotonic()
    done = edge.change(retitle("Unlikely Allies"), EDGE_PURGE_URLS=dead)
    assert time.monotonic() - started < 30
    assert "not purged" in done.stderr and dead in done.stderr
    assert edge.get(ARTICLE).status == 200


def test_with_the_app_down_readers_get_the_last_good_page_and_nothing_personal(stack, edge):
    book = first_book(edge)
    edge.change(retitle("Unlikely Allies, as last seen"))
    for path in (ARTICLE, book):
        edge.get(path)
        assert edge.get(path).getheader("X-Cache") == "hit"
    session = editor_session(edge, "edge-editor-down")
    stack.stop_apps()
    # Dropped from the edge while the app is down (as an edit just before would): the
    # request finds no app, and is given the copy kept from before.
    purged = edge.get("/", method="PURGE", headers={"xkey-purge": "site"})
    assert purged.status == 200
    page = edge.get(ARTICLE)
    assert page.status == 200 and page.getheader("X-Cache") == "stale"
    assert h1(page) == "Unlikely Allies, as last seen"
    # The book page's rating form is each reader's own: left out, never an old one.
    kept = edge.get(book)
    assert kept.status == 200 and h1(kept)
    assert BeautifulSoup(kept.text, "html.parser").select_one("form[data-rating-form]") is None
    # A page never fetched before has no copy: a clear page says so, kept by no one.
    never = edge.get("/about/")
    assert never.status == 503 and "Colophon is unavailable for a moment" in never.text
    assert never.getheader("Cache-Control") == "no-store"
    # The desk and a reader's own pages are never answered from a copy.
    desk = edge.get("/admin/", {"Cookie": f"sessionid={session}"})
    assert desk.status == 503 and "edge-editor-down" not in desk.text
    assert edge.get(ARTICLE, {"Cookie": f"sessionid={session}"}).status == 503
    # Once the probe has found the app gone, the copy is served without asking it.
    deadline = time.monotonic() + 15
    while edge.apps_healthy():
        assert time.monotonic() < deadline, "the probe never found the app down"
        time.sleep(0.3)
    assert h1(edge.get(ARTICLE)) == "Unlikely Allies, as last seen"

    stack.start_apps()
    stack.wait_until_ready()
    fresh = edge.get(ARTICLE)
    assert fresh.status == 200 and fresh.getheader("X-Cache") == "miss"


OTHER_ARTICLE = "/articles/republic-of-laws-leopold-von-ranke/"


def set_other_article(**values: str) -> str:
    """Code for `Edge.change` saving the second demo article with `values` (Python)."""
    sets = "".join(f"a.{name} = {value};" for name, value in values.items())
    return (
        "from datetime import timedelta; from django.utils import timezone;"
        "from articles.models import Article;"
        f"a = Article.objects.get(slug='republic-of-laws-leopold-von-ranke'); {sets} a.save()"
    )


def test_an_article_withdrawn_by_hand_is_not_served_stale_with_the_app_down(stack, edge):
    edge.get(OTHER_ARTICLE)
    assert edge.get(OTHER_ARTICLE).getheader("X-Cache") == "hit"
    edge.change(set_other_article(status="Article.Status.WITHDRAWN"))
    stack.stop_apps()
    try:
        # The withdrawal purged it hard: no copy kept to stand in for the failing app.
        gone = edge.get(OTHER_ARTICLE)
        assert gone.status == 503 and "Colophon is unavailable" in gone.text
    finally:
        stack.start_apps()
        stack.wait_until_ready()
        edge.change(set_other_article(status="Article.Status.PUBLISHED"))


def test_an_article_withdrawn_by_its_time_is_not_served_stale_with_the_app_down(stack, edge):
    edge.change(set_other_article(withdraw_at="timezone.now() + timedelta(seconds=12)"))
    try:
        first = edge.get(OTHER_ARTICLE)
        assert first.status == 200 and "stale-if-error=0" in first.getheader("Cache-Control")
        assert edge.get(OTHER_ARTICLE).getheader("X-Cache") == "hit"
        time.sleep(13)  # past its withdrawal time: no write, so no purge
        stack.stop_apps()
        gone = edge.get(OTHER_ARTICLE)
        assert gone.status == 503 and "Colophon is unavailable" in gone.text
    finally:
        if not stack.apps:
            stack.start_apps()
            stack.wait_until_ready()
        edge.change(set_other_article(withdraw_at="None"))
