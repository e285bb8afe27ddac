"""Every public page is accessible and valid, in the light and the dark colour scheme, and
articles print well.

axe-core (bundled by axe-playwright-python) runs in Debian's Chromium on each page as the
reader's system would show it (`prefers-color-scheme` light, then dark): 0 violations,
colour contrast included. The Nu HTML checker (vnu.jar from the `vnu-jar` npm package,
`npm ci`; it needs Java) reads the HTML each page is served as: 0 errors.
"""

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
}
SCHEMES = ["light", "dark"]
VNU_JAR = Path(
    os.environ.get("VNU_JAR", Path(__file__).parents[2] / "node_modules/vnu-jar/build/dist/vnu.jar")
)


@pytest.fixture
def public_site(demo_site):
    """The demo, with its seed article under a topic so the topic page lists something."""
    from articles.models import Article, Topic

    topic = Topic.objects.create(name="Second World War", slug="second-world-war")
    Article.objects.get(slug="unlikely-allies").topics.add(topic)
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
        assert response is not None and response.status == 200, path
        if name in {"article", "book"}:
            screenshot(f"{name}-{scheme}")
        violations = axe_violations(page)
        if violations:
            found[path] = violations
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
    by_file = {str(path.resolve().as_uri()): name for name, path in files.items()}
    errors: dict[str, list[str]] = {}
    for message in json.loads(completed.stdout)["messages"]:
        if message["type"] == "info":
            continue  # warnings and notes; errors are "error" (and "non-document-error")
        name = by_file.get(message.get("url", ""), message.get("url", "?"))
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
        assert response.ok, path
        documents[name] = response.text()
    assert "Unlikely Allies" in documents["article"]
    assert nu_errors(documents, tmp_path) == {}
