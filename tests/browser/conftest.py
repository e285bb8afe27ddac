"""Fixtures for the Playwright tests: a headless Debian Chromium and a live server with the demo.

These tests drive a real browser, so they are marked `browser`; run them alone with
`DEBUG=false SECRET_KEY=x .venv/bin/python -m pytest tests/browser -m browser`.
"""

import os
import threading
import time
from pathlib import Path

import pytest
from django.core.signals import request_finished, request_started

CHROMIUM = Path("/usr/bin/chromium")
# Screenshots of the key screens, kept with the test output (CI keeps the folder).
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", "test-artifacts/screenshots"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(config, items):
    """Every test here is a `browser` test; without Chromium or Playwright it is skipped
    with the reason, not failed."""
    missing = None
    if not CHROMIUM.exists():
        missing = f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            missing = "browser tests need Playwright: pip install -e '.[dev]'"
    here = str(Path(__file__).parent)
    for item in items:
        if str(item.path).startswith(here):
            item.add_marker(pytest.mark.browser)
            # The live server serves static files itself; collectstatic is not needed.
            item.add_marker(pytest.mark.filterwarnings("ignore:No directory at:UserWarning"))
            if missing:
                item.add_marker(pytest.mark.skip(reason=missing))


class SharedChromium:
    """One headless Chromium for every browser test of a run: launched at the first (the
    slow part, 2 s and more on CI's two cores), closed after the last, so that the tests
    after them run without it."""

    def __init__(self):
        self.playwright = None
        self.chromium = None
        self.async_unsafe = None

    def get(self):
        if self.chromium is None:
            from playwright.sync_api import sync_playwright

            # Playwright's sync API keeps an asyncio loop running in this thread, and
            # Django refuses ORM calls from a thread with a running loop. The tests touch
            # the ORM only between browser steps, never concurrently, so the check is
            # lifted while Chromium runs (the variable is read at each call).
            self.async_unsafe = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
            self.playwright = sync_playwright().start()
            self.chromium = self.playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
        return self.chromium

    def close(self) -> None:
        if self.chromium is None:
            return
        try:
            self.chromium.close()
            self.playwright.stop()
        finally:
            self.chromium = self.playwright = None
            if self.async_unsafe is None:
                os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
            else:
                os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = self.async_unsafe


shared_chromium = SharedChromium()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """Chromium is closed once the next test is not a browser test (or none is left)."""
    result = yield
    if nextitem is None or not str(nextitem.path).startswith(str(Path(__file__).parent)):
        shared_chromium.close()
    return result


def pytest_sessionfinish(session):
    shared_chromium.close()


@pytest.fixture(scope="module")
def browser():
    """The run's headless Chromium; what a module opened in it is closed after the module
    (as a browser of its own would be)."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    pytest.importorskip("playwright.sync_api")
    chromium = shared_chromium.get()
    yield chromium
    for context in chromium.contexts:
        context.close()


@pytest.fixture
def browser_settings(settings, tmp_path):
    """Media in a temp dir; static files without a manifest (the tests run with DEBUG off)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    # With DEBUG off the Manifest storage needs collectstatic; plain names need nothing.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    return settings


@pytest.fixture
def demo_site(live_server, browser_settings):
    """The live server with the demo loaded (the live server implies transactional_db).

    The live server serves MEDIA_URL itself, from settings.MEDIA_ROOT at request time,
    so the cover load_demo draws into the temp MEDIA_ROOT is what the browser gets.
    """
    from articles.demo import load_demo
    from tests.conftest import add_default_shops

    add_default_shops()  # the demo's buy and borrow links (a flush removed them)
    load_demo(editor=True)  # the browser tests sign in as the demo editor
    return live_server


@pytest.fixture
def desk(page, demo_site):
    """The demo editor, signed in on `page`: the site's address."""
    from articles.demo import EDITOR_PASSWORD, EDITOR_USERNAME
    from tests.helpers import sign_in_page

    sign_in_page(page, demo_site.url, EDITOR_USERNAME, EDITOR_PASSWORD)
    return demo_site.url


SECOND_EDITOR = ("second-editor", "another-long-pass-7")


@pytest.fixture
def colleague(browser, demo_site):
    """A second editor (SECOND_EDITOR), signed in in a browser of their own: a page."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from tests.helpers import sign_in_page

    user = get_user_model().objects.create_user(
        SECOND_EDITOR[0], password=SECOND_EDITOR[1], is_staff=True
    )
    user.groups.add(Group.objects.get(name="Editors"))
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in_page(page, demo_site.url, *SECOND_EDITOR)
    yield page
    context.close()


def problems_on(page) -> list[str]:
    """Console errors (a script or style the policy refused among them), uncaught errors
    and failed requests on `page` from now on, as a list that fills as they come."""
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None
    )
    return problems


class RequestsInFlight:
    """Requests the live server (a thread of this process) is answering. A page's
    timers (the desk's autosave) can have one under way as its test ends; the database
    is emptied after the test, and a request still writing then deadlocks the TRUNCATE
    or runs into the next test."""

    def __init__(self):
        self.count = 0
        self.lock = threading.Lock()

    def started(self, **kwargs):
        with self.lock:
            self.count += 1

    def finished(self, **kwargs):
        with self.lock:
            self.count -= 1

    def wait_until_none(self, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while self.count > 0 and time.monotonic() < deadline:
            time.sleep(0.02)


@pytest.fixture
def page(browser):
    """A fresh page at desktop width; after the test it is left for a blank page (its
    timers stop), the server's answers under way are waited for, and it is closed."""
    in_flight = RequestsInFlight()
    request_started.connect(in_flight.started, weak=False)
    request_finished.connect(in_flight.finished, weak=False)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        yield page
    finally:
        try:
            page.goto("about:blank")
        finally:
            context.close()
            in_flight.wait_until_none()
            request_started.disconnect(in_flight.started)
            request_finished.disconnect(in_flight.finished)


@pytest.fixture
def screenshot(page):
    """`screenshot("desk-where-used")` saves the whole page as SCREENSHOTS/<name>.png
    (another page than the test's own with `of=`)."""

    def take(name: str, of=None) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        (of or page).screenshot(path=path, full_page=True)
        return path

    return take
