"""Every public page is accessible and valid, in the light and the dark colour scheme, and
articles print well.

axe-core (bundled by axe-playwright-python) runs in Debian's Chromium on each page as the
reader's system would show it (`prefers-color-scheme` light, then dark): 0 violations,
colour contrast included. The Nu HTML checker (vnu.jar from the `vnu-jar` npm package,
`npm ci`; it needs Java) reads the HTML each page is served as: 0 errors.
"""

import importlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ARTICLE_PATH = "/articles/unlikely-allies/"
# The public pages a reader reaches, each with what it shows of the demo.
PAGES = {
    "home": "/",
    "about": "/about/",
    "article": ARTICLE_PATH,
    "articles": "/articles/",
    "book": "/books/the-last-battle/",
    "books": "/books/",
    "author": "/authors/stephen-harding/",
    "topic": "/topics/second-world-war/",
    "search": "/search/?q=battle",
    "search-nothing-found": "/search/?q=zzyzx",
    "books-page-2": "/books/?page=2",
    "reading-list": "/lists/the-last-days-of-the-war/",
    "reading-lists": "/lists/",
    "books-refused-filter": "/books/?year_min=abc",
    "article-with-list": "/articles/reading-for-the-spring-of-1945/",
    "not-found": "/books/no-such-book/",
}
STATUS = {"not-found": 404}
# An article with what the seed lacks: an embedded list, a quotation, code, a table, a link
# to another site.
ARTICLE_WITH_LIST = """Three books, as [the archive](https://example.org/archive) lists them.

[[list:the-last-days-of-the-war]]

> The war in Europe ended on `8 May 1945`.

    Torgau, 25 April 1945

<table>
  <caption>Where the armies met</caption>
  <thead><tr><th scope="col">Place</th><th scope="col">Date</th></tr></thead>
  <tbody><tr><td>Torgau</td><td>25 April 1945</td></tr></tbody>
</table>

And more to come."""
# What each page must show, so an empty page never passes for an accessible one.
SHOWS = {
    "article": "Open Library",  # the buy and borrow links of the "Buy the Book" card
    "book": "Bookshop.org",
    "author": "The Last Battle",
    "topic": "Unlikely Allies",
    "search": "The Last Battle",
    "books-page-2": "Volume",
    "books-refused-filter": "This filter was ignored.",
    "reading-list": "Note 0.",
    "reading-lists": "The last days of the war",
    "article-with-list": "A History of the War, Volume 2",
}
SCHEMES = ["light", "dark"]
VNU_JAR = Path(
    os.environ.get("VNU_JAR", Path(__file__).parents[2] / "node_modules/vnu-jar/build/dist/vnu.jar")
)


@pytest.fixture
def public_site(demo_site, settings):
    """The demo, with its seed article under a topic so the topic page lists something,
    enough books without covers (drawn ones, in every hue) for the book list to have pages,
    a published reading list of three of them with notes, and the default shops (their
    migration's rows are gone in a live server's test), one earning, so the buy and
    borrow links and the disclosure are on the cards."""
    from django.utils import timezone

    from articles.models import Article, Topic
    from catalogue.models import Book, Shop
    from catalogue.reading_lists import ReadingList, ReadingListItem
    from catalogue.shops import shops_changed

    default_shops = importlib.import_module("catalogue.migrations.0018_default_shops")
    for shop in default_shops.DEFAULT_SHOPS:
        Shop.objects.get_or_create(slug=shop["slug"], defaults=shop)
    shops_changed()
    settings.AFFILIATE_CODES = {"bookshop-org": "colophon-test"}

    topic = Topic.objects.create(name="Second World War", slug="second-world-war")
    Article.objects.get(slug="unlikely-allies").topics.add(topic)
    books = [
        Book.objects.create(title=f"A History of the War, Volume {number}")
        for number in range(1, 30)
    ]
    reading_list = ReadingList.objects.create(
        title="The last days of the war",
        slug="the-last-days-of-the-war",
        introduction="Three books on the spring of 1945.",
        status=ReadingList.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    for position, book in enumerate([Book.objects.get(slug="the-last-battle"), *books[:2]]):
        ReadingListItem.objects.create(
            reading_list=reading_list, book=book, position=position, note=f"Note {position}."
        )
    Article.objects.create(
        title="Reading for the spring of 1945",
        slug="reading-for-the-spring-of-1945",
        body=ARTICLE_WITH_LIST,
        status=Article.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    return demo_site


def axe_violations(page) -> list[str]:
    """axe-core's violations on the page as it stands, one line per element."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {' '.join(node['target'])}: "
        f"{node.get('failureSummary', '').splitlines()[-1].strip()}"
        for violation in results.response["violations"]
        for node in violation["nodes"]
    ]


@pytest.mark.parametrize("scheme", SCHEMES)
def test_axe_finds_no_violation_on_any_public_page(public_site, page, screenshot, scheme):
    page.emulate_media(color_scheme=scheme)
    found = {}
    for name, path in PAGES.items():
        response = page.goto(public_site.url + path, wait_until="load")
        assert response is not None and response.status == STATUS.get(name, 200), path
        assert SHOWS.get(name, "") in page.locator("main").inner_text(), path
        if name in {"article", "book", "reading-list", "article-with-list"}:
            screenshot(f"{name}-{scheme}")
        violations = axe_violations(page)
        if violations:
            found[path] = violations
    # The book page once rated: the histogram, the status line, "Remove my rating".
    page.goto(public_site.url + PAGES["book"])
    page.locator("label[for=rate-4]").click()
    page.get_by_role("button", name="Rate").click()
    page.locator("[data-rating-status]").filter(has_text="you rated this book 4 stars").wait_for()
    screenshot(f"book-rated-{scheme}")
    violations = axe_violations(page)
    if violations:
        found["book, rated"] = violations
    assert found == {}, json.dumps(found, indent=2)


def nu_errors(documents: dict[str, str], folder: Path) -> dict[str, list[str]]:
    """The Nu HTML checker's errors for each named document, by name (one run of Java)."""
    files = {}
    for name, html in documents.items():
        files[name] = folder / f"{name}.html"
        files[name].write_text(html, encoding="utf-8")
    completed = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--format", "json", "--stdout", "--exit-zero-always"]
        + [str(path) for path in files.values()],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    by_file = {path.name: name for name, path in files.items()}
    errors: dict[str, list[str]] = {}
    for message in json.loads(completed.stdout)["messages"]:
        if message["type"] == "info":
            continue  # warnings and notes; errors are "error" (and "non-document-error")
        url = message.get("url", "?")
        name = by_file.get(url.rsplit("/", 1)[-1], url)
        errors.setdefault(name, []).append(
            f"line {message.get('lastLine', '?')}: {message['message']}"
            f" [{message.get('extract', '').strip()}]"
        )
    return errors


def test_nu_checker_finds_no_error_in_any_public_page(public_site, page, tmp_path):
    if not VNU_JAR.exists() or shutil.which("java") is None:
        reason = f"the Nu checker needs Java and {VNU_JAR} (npm ci)"
        if os.environ.get("CI"):
            pytest.fail(reason)  # CI installs both (.ci/run): never skip there
        pytest.skip(reason)
    documents = {}
    for name, path in PAGES.items():
        response = page.request.get(public_site.url + path)
        assert response.status == STATUS.get(name, 200), path
        documents[name] = response.text()
    assert "Unlikely Allies" in documents["article"]
    assert nu_errors(documents, tmp_path) == {}


def computed(page, selector: str, prop: str, pseudo: str | None = None) -> str:
    return page.eval_on_selector(
        selector,
        "(element, [prop, pseudo]) => getComputedStyle(element, pseudo).getPropertyValue(prop)",
        [prop, pseudo],
    )


def test_colour_scheme_follows_the_readers_system_and_covers_keep_theirs(public_site, page):
    colours = {}
    for scheme in SCHEMES:
        page.emulate_media(color_scheme=scheme)
        page.goto(public_site.url + "/books/")
        colours[scheme] = {
            "page": computed(page, "body", "background-color"),
            "text": computed(page, "body", "color"),
            "card": computed(page, ".book-card", "background-color"),
            "drawn cover": computed(page, ".cover--generated", "background-color"),
        }
    assert colours["light"]["page"] == "rgb(251, 248, 243)"  # warm paper
    assert colours["light"]["text"] == "rgb(29, 27, 24)"
    assert colours["dark"]["page"] == "rgb(26, 24, 22)"  # warm charcoal
    assert colours["dark"]["text"] == "rgb(236, 230, 221)"
    assert colours["dark"]["card"] != colours["light"]["card"]
    assert colours["dark"]["drawn cover"] == colours["light"]["drawn cover"]


def test_article_prints_black_on_white_without_controls(public_site, page, screenshot):
    # Even a reader whose system is dark gets black on white on paper.
    page.emulate_media(media="print", color_scheme="dark")
    response = page.goto(public_site.url + ARTICLE_PATH)
    assert response is not None and response.status == 200
    assert computed(page, "body", "color") == "rgb(0, 0, 0)"
    assert computed(page, "body", "background-color") == "rgb(255, 255, 255)"
    controls = [".skip-link", ".site-nav", ".site-search", "#recommendations", ".shop-links"]
    for control in controls:
        assert computed(page, control, "display") == "none", control
    assert page.get_by_role("heading", name="The Legacy of Torgau").is_visible()

    # A link to another site prints its address; a link within Colophon does not.
    outside = 'a[href^="https://github.com/"]'
    assert computed(page, outside, "content", "::after") == (
        '" (https://github.com/zygmuntz/goodbooks-10k)"'
    )
    assert computed(page, ".book-card__title a", "content", "::after") == "none"

    # Cards are compact and never split over two pages; headings stay with their text.
    card = page.locator(".book-card").first
    assert computed(page, ".book-card", "break-inside") == "avoid"
    assert card.bounding_box()["height"] < 200
    assert computed(page, ".prose h2", "break-after") == "avoid"

    path = screenshot("article-print")
    content = page.pdf(path=path.with_suffix(".pdf"), format="A4")  # kept beside it, to read
    assert content.startswith(b"%PDF-") and len(content) > 10_000
    assert b"/Type /Page" in content
