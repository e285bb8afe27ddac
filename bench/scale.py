"""The scale benchmark (issue 13): every page's cold render at 10,000 to 1,000,000 books.

    .venv/bin/python bench/scale.py --books 100000
    .venv/bin/python bench/scale.py --sizes 10000,100000,1000000
    .venv/bin/python bench/scale.py --books 1000000 --only search --explain

PostgreSQL only (SCALE_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/): one
database per size, `colophon_scale_10k`, `colophon_scale_100k`, `colophon_scale_1m`,
kept between runs. Each records what made it (size and bench/synthetic.py's
GENERATOR_VERSION) and is reused unless `--regenerate` (or the generator changed);
migrations run first either way, and derived data (authors' names on books, the app's
search documents) is refreshed when they changed the schema.

Pages are rendered through Django's test client with production settings (DEBUG off),
the page cache off (PAGE_CACHE_SECONDS=0) and a local-memory cache: the median and 95th
percentile of RUNS renders after WARMUPS, and the SQL queries of one more. The search
pages also as page-cache misses with their parts kept (the page cache on over the
local-memory cache, the page dropped before each render): any change to a book drops
every search page, so most readers who wait for one wait for that. Each size runs in a
child process (Django is set up once per process). `--only TEXT` measures the
pages whose label or address contains TEXT; `--explain` prints EXPLAIN (ANALYZE,
BUFFERS) of each measured page's three slowest queries.

Search is also measured by the classes of queries readers type (issue 25): from a
fixed sample of the catalogue's books, bench/relevance.py's rules make up to
SEARCH_CLASS_QUERIES queries a class (exact title, one-word title, title words, surname
and a title word, one typo, two typos, series and number, ISBN, a name without
accents), and each is searched once with `search_books()`: the median and 95th
percentile per class and overall, and whether the book it was made from came first
(`--only search` runs them; `--explain` shows the plans of each class's slowest).
"""

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
sys.path[:0] = [str(REPO_ROOT), str(BENCH_DIR)]

from relevance import Catalogue, Row  # noqa: E402
from synthetic import GENERATOR_VERSION, log, size_label  # noqa: E402

SERVER_URL = os.environ.get("SCALE_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/")
DEFAULT_SIZES = "10000,100000,1000000"
RUNS = 20
WARMUPS = 2
PAGE_BUDGET_SECONDS = 60  # time given to a slow page's runs
SLOW_PAGE_MS = 5_000  # a page slower than this: no more warm-ups, as few as one run
STATEMENT_TIMEOUT = "120s"  # a query slower than this fails its page (a 500)
RECOMMENDATIONS_TIMEOUT = 900
CATALOGUE_TABLE = "bench_scale_catalogue"
# Goals from issue 13, by kind of page (median, ms); and the growth allowed 10k -> largest.
GOALS = {"public": 50, "book": 30, "search": 50, "sitemap": 200, "desk": 300}
GROWTH_GOAL = 3.0
# Issue 25: search_books() by relevance class (bench/relevance.py's rules, applied to
# this catalogue's books): queries a class at most, and the goals, median and 95th
# percentile in ms, whatever the class.
SEARCH_CLASS_QUERIES = 100
SEARCH_CLASS_GOALS = (30, 100)
SEARCH_CLASS_LABEL = "search by relevance class"


def database_name(size: int) -> str:
    return f"colophon_scale_{size_label(size)}"


# --- The parent: databases, child processes, the combined table ------------------------


def server_available() -> str | None:
    """Why the benchmark cannot run here, or None."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed"
    try:
        with psycopg.connect(SERVER_URL + "postgres", connect_timeout=3):
            return None
    except psycopg.Error as error:
        return str(error).strip().splitlines()[0]


def prepare_database(size: int, regenerate: bool) -> bool:
    """Make sure the size's database exists; True if it holds a finished catalogue of
    this size made by this generator version (else it is empty, made anew)."""
    import psycopg

    name = database_name(size)
    with psycopg.connect(SERVER_URL + "postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not regenerate:
            with psycopg.connect(SERVER_URL + name) as connection:
                made = (
                    connection.execute(
                        "SELECT to_regclass(%s) IS NOT NULL", [CATALOGUE_TABLE]
                    ).fetchone()[0]
                    and connection.execute(
                        f"SELECT size, generator_version FROM {CATALOGUE_TABLE} WHERE finished"
                    ).fetchone()
                )
            if made == (size, GENERATOR_VERSION):
                return True
            print(f"{name}: made by another generator version or unfinished; made anew")
        if exists:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--books", type=int, help="one size, in books")
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help="comma-separated sizes")
    parser.add_argument("--regenerate", action="store_true", help="make the catalogues anew")
    parser.add_argument("--only", help="measure only pages whose label or URL contains this")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN the slowest queries")
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--generate-only", action="store_true", help="make, do not measure")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--results", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)

    why_not = server_available()
    if why_not:
        print(f"Scale benchmark skipped: it needs PostgreSQL at {SERVER_URL} ({why_not}).")
        return 0
    sizes = [args.books] if args.books else [int(s) for s in args.sizes.split(",") if s.strip()]
    results = []
    for size in sizes:
        print(f"\n== {size:,} books ({database_name(size)})", flush=True)
        prepare_database(size, args.regenerate)
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
            results_path = out.name
        command = [sys.executable, __file__, "--child", str(size), "--results", results_path]
        command += ["--runs", str(args.runs)]
        command += ["--only", args.only] if args.only else []
        command += ["--explain"] if args.explain else []
        command += ["--generate-only"] if args.generate_only else []
        finished = subprocess.run(command, check=False)
        if finished.returncode:
            print(f"{size:,} books: the run failed (exit {finished.returncode})")
            continue
        results.append(json.loads(Path(results_path).read_text()))
        os.unlink(results_path)
    if len(results) > 1 or (results and not args.generate_only):
        print_combined(results)
    return 0


def print_combined(results: list[dict]) -> None:
    measured = [r for r in results if r["pages"]]
    if not measured:
        return
    labels = list(dict.fromkeys(p["label"] for r in measured for p in r["pages"]))
    heads = [size_label(r["size"]) for r in measured]
    print(f"\n## Page × catalogue size: median ms (queries); growth {heads[0]} → {heads[-1]}")
    print(f"| page | {' | '.join(heads)} | growth | goal |")
    print(f"|---|{'---:|' * len(heads)}---:|---|")
    for label in labels:
        rows = [next((p for p in r["pages"] if p["label"] == label), None) for r in measured]
        cells = [cell(row) for row in rows]
        medians = [row["median"] if row and row.get("median") is not None else None for row in rows]
        growth = (
            medians[-1] / medians[0] if len(medians) > 1 and medians[0] and medians[-1] else None
        )
        # A page that lists more at the larger size (a short last page, a sitemap file
        # that fills up) is also compared by its cost per item listed, and judged by it.
        items = [row.get("items") if row else None for row in rows]
        per_item = None
        if growth is not None and items[0] and items[-1] and items[-1] > items[0]:
            per_item = growth * items[0] / items[-1]
        kind = next(row["kind"] for row in rows if row)
        misses = []
        goal = GOALS.get(kind)
        failed = any(row and row.get("median") is None for row in rows)
        if goal and (failed or any(m is not None and m > goal for m in medians)):
            misses.append(f"✗ {goal} ms")
        judged = per_item if per_item is not None else growth
        if judged is not None and judged > GROWTH_GOAL:
            misses.append(f"✗ growth {judged:.1f}×")
        verdict = " ".join(misses) or ("(no goal)" if goal is None else "✓")
        shown = f"{growth:.1f}×" if growth is not None else "–"
        if per_item is not None:
            shown += f" ({per_item:.1f}× per item: {items[0]:,} → {items[-1]:,})"
        print(f"| {label} | {' | '.join(cells)} | {shown} | {verdict} |")
    print(
        f"\nGoals (issue 13): public page ≤ {GOALS['public']} ms, book page ≤ {GOALS['book']} "
        f"ms, search ≤ {GOALS['search']} ms, sitemap section ≤ {GOALS['sitemap']} ms, desk "
        f"list and search ≤ {GOALS['desk']} ms (medians); growth ≤ {GROWTH_GOAL:g}× for every "
        "page (✗ marks a miss)."
    )


def cell(row: dict | None) -> str:
    if row is None:
        return "–"
    if row.get("median") is None:
        return row.get("status_text", "failed")
    if row["kind"] == "import":
        return f"{row['median'] / 1000:.1f} s"
    return f"{row['median']:.1f} ({row['queries']})"


# --- The child: one size, one database --------------------------------------------------


@dataclass
class Page:
    label: str
    url: str
    kind: str  # a key of GOALS
    desk: bool = False


@dataclass
class Figure:
    label: str
    url: str
    kind: str
    status: int | None = None
    status_text: str = ""
    median: float | None = None
    p95: float | None = None
    queries: int | None = None
    runs: int = 0
    items: int | None = None  # the books, articles or addresses the page lists
    slowest: list = field(default_factory=list)  # [(ms, sql)] of the slowest queries


def child(args) -> int:
    size = args.child
    os.environ["PAGE_CACHE_SECONDS"] = "0"
    os.environ["CACHE_URL"] = "locmemcache://colophon-scale"
    tmp = Path(tempfile.mkdtemp(prefix="colophon-scale-"))
    from run import setup_django

    started = time.perf_counter()
    setup_django(tmp, SERVER_URL + database_name(size))
    log(f"migrated in {time.perf_counter() - started:.0f} s")
    from django.db import connection
    from django.db.backends.signals import connection_created

    def limit_statements(sender, connection, **kwargs):
        # On the driver's connection: not a query of the page being counted.
        connection.connection.execute(f"SET statement_timeout = '{STATEMENT_TIMEOUT}'")

    details = catalogue_details()
    if details is None:
        details = make_catalogue(size, tmp)
    else:
        if details.get("schema") != schema_signature():
            log("the schema changed since the catalogue was made: derived data refreshed")
            details.update(refresh_derived(), schema=schema_signature())
        if details.get("recommendations", "").startswith("failed"):
            details["recommendations"] = refresh_recommendations(size)  # the app was broken
        save_details(size, details)
    result = {"size": size, "label": size_label(size), "details": details, "pages": []}
    if not args.generate_only:
        vacuum()
        connection.close()
        connection_created.connect(limit_statements)
        result["pages"] = measure_all(details, args)
        print_size_table(size, details, result["pages"])
        if (args.only or "").lower() in SEARCH_CLASS_LABEL:
            result["search_classes"] = measure_search_classes(args.explain)
            print_search_classes(size, result["search_classes"])
    Path(args.results).write_text(json.dumps(result))
    return 0


def vacuum() -> None:
    """VACUUM ANALYZE before measuring: a refresh of derived data, or an earlier run's
    import (rolled back), leaves dead rows that made the same pages up to 1.8× slower,
    so the figures depended on what ran before."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    log(f"VACUUM ANALYZE in {time.perf_counter() - started:.0f} s")


def schema_signature() -> str:
    """The migrations applied: when it changes, derived data is refreshed."""
    from django.db.migrations.recorder import MigrationRecorder

    applied = MigrationRecorder.Migration.objects.values_list("app", "name").order_by("app", "name")
    # Not hash(): Python salts string hashes per process, so every run looked changed.
    digest = hashlib.sha256(repr(list(applied)).encode()).hexdigest()[:16]
    return f"{digest}-{len(applied)}"


def catalogue_details() -> dict | None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"""CREATE TABLE IF NOT EXISTS {CATALOGUE_TABLE} (
                size integer NOT NULL, generator_version integer NOT NULL,
                generated_at timestamptz NOT NULL DEFAULT now(), finished boolean NOT NULL,
                details jsonb NOT NULL)"""
        )
        cursor.execute(f"SELECT details FROM {CATALOGUE_TABLE} WHERE finished")
        row = cursor.fetchone()
    return (json.loads(row[0]) if isinstance(row[0], str) else row[0]) if row else None


def save_details(size: int, details: dict) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {CATALOGUE_TABLE}")
        cursor.execute(
            f"INSERT INTO {CATALOGUE_TABLE} (size, generator_version, finished, details) "
            "VALUES (%s, %s, true, %s)",
            [size, GENERATOR_VERSION, json.dumps(details)],
        )


def make_catalogue(size: int, tmp: Path) -> dict:
    from synthetic import generate

    started = time.perf_counter()
    details = generate(size, tmp)
    details.update(refresh_derived())
    details["recommendations"] = refresh_recommendations(size)
    details["schema"] = schema_signature()
    details["generation_seconds"] = round(time.perf_counter() - started)
    save_details(size, details)
    log(f"{size:,} books made in {details['generation_seconds']:,} s")
    return details


def app_function(module_name: str, names: list[str]):
    """The app's function of one of `names` in `module_name`, if the module has one yet."""
    import importlib

    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    return next((getattr(module, n) for n in names if callable(getattr(module, n, None))), None)


def refresh_derived() -> dict:
    """What the app keeps beside the rows: authors' names on books, search documents."""
    import inspect

    from django.db import connection

    from catalogue.models import Book

    figures = {}
    if any(f.name == "author_names" for f in Book._meta.concrete_fields):
        started = time.perf_counter()
        app_refresh = app_function("catalogue.search", ["refresh_author_names"])
        if app_refresh is not None:  # the app's own, a range of ids at a time
            last = Book.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            for low in range(0, last + 1, 10_000):
                app_refresh(Book.objects.filter(pk__gte=low, pk__lt=low + 10_000).values("pk"))
            how = "catalogue.search.refresh_author_names"
        else:
            table = Book._meta.db_table
            with connection.cursor() as cursor:
                cursor.execute(
                    f"""UPDATE "{table}" AS b SET author_names = names.joined
                        FROM (SELECT c.book_id,
                                     string_agg(a.name, ', ' ORDER BY c.position, c.id) AS joined
                              FROM catalogue_contribution c
                              JOIN catalogue_author a ON a.id = c.author_id
                              GROUP BY c.book_id) AS names
                        WHERE b.id = names.book_id AND b.author_names = ''"""
                )
            how = "SQL over the credits"
        figures["author_names"] = f"{how}: {time.perf_counter() - started:.0f} s"
        log(f"author_names by {figures['author_names']}")
    refresh = app_function(
        "catalogue.search",
        ["refresh_search_documents", "refresh_documents", "refresh_search_document",
         "update_search_documents", "refresh_all"],
    )  # fmt: skip
    if refresh is not None:
        started = time.perf_counter()
        required = [
            p for p in inspect.signature(refresh).parameters.values()
            if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]  # fmt: skip
        if not required:
            refresh()
        else:
            ids = list(Book.objects.order_by("pk").values_list("pk", flat=True))
            for start in range(0, len(ids), 10_000):
                batch = ids[start : start + 10_000]
                refresh(Book.objects.filter(pk__gte=batch[0], pk__lte=batch[-1]))
        seconds = time.perf_counter() - started
        figures["search_refresh"] = f"catalogue.search.{refresh.__name__}: {seconds:.0f} s"
        log(figures["search_refresh"])
    return figures


def refresh_recommendations(size: int) -> str:
    """`manage.py refresh_recommendations`, given RECOMMENDATIONS_TIMEOUT to finish."""
    started = time.perf_counter()
    command = [sys.executable, str(REPO_ROOT / "manage.py"), "refresh_recommendations"]
    environment = {**os.environ, "DATABASE_URL": SERVER_URL + database_name(size)}
    try:
        subprocess.run(
            command, check=True, cwd=REPO_ROOT, timeout=RECOMMENDATIONS_TIMEOUT,
            capture_output=True, env=environment,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        outcome = f"not finished in {RECOMMENDATIONS_TIMEOUT} s (stopped; articles top up)"
    except subprocess.CalledProcessError as error:
        outcome = f"failed: {error.stderr.decode()[-300:]}"
    else:
        outcome = f"{time.perf_counter() - started:.0f} s"
    log(f"refresh_recommendations: {outcome}")
    return outcome


# --- Measuring -----------------------------------------------------------------------


def pages_to_measure(details: dict) -> list[Page]:
    from django.db.models import Count
    from django.urls import reverse
    from stdnum import isbn

    from articles.models import Article
    from catalogue.models import Book, Contribution
    from website.sitemaps import SITEMAPS

    per_page = 24
    popular = Book.objects.get(pk=details["popular_book"])
    ordinary = Book.objects.get(pk=details["ordinary_book"])
    public = Book.objects.public().count()
    last_title_page = min(500, max(1, -(-public // per_page)))
    prolific = (
        Contribution.objects.values("author_id")
        .annotate(books=Count("pk"))
        .order_by("-books", "author_id")
        .first()
    )
    from catalogue.models import Author

    author = Author.objects.get(pk=prolific["author_id"])
    author_pages = max(1, -(-prolific["books"] // per_page))
    articles = Article.objects.published().order_by("pk")
    article = articles[articles.count() // 2]
    pages = [
        Page("home", "/", "public"),
        Page("book list", "/books/", "public"),
        Page("book list by title, page 500 (or last)",
             f"/books/?sort=title&page={last_title_page}", "public"),
        Page("book list by rating", "/books/?sort=rating", "public"),
        Page("book list: en, 4+ stars, by rating",
             "/books/?language=en&min_rating=4&sort=rating", "public"),
        Page("book page: The Hunger Games", popular.get_absolute_url(), "book"),
        Page("book page: an ordinary book", ordinary.get_absolute_url(), "book"),
        Page("author with most books", author.get_absolute_url(), "public"),
        Page("author with most books, page 50 (or last)",
             f"{author.get_absolute_url()}?page={min(50, author_pages)}", "public"),
        Page("search 'war'", "/search/?q=war", "search"),
        Page("search 'collins hunger'", "/search/?q=collins+hunger", "search"),
        Page("search 'marquez'", "/search/?q=marquez", "search"),
        Page("search 'hungr games'", "/search/?q=hungr+games", "search"),
        Page("search by ISBN", f"/search/?q={isbn.format(popular.isbn13)}", "search"),
        # Issue 25's classes: exact titles, a series' place, typos, nothing found.
        Page("search 'it' (a one-word title)", "/search/?q=it", "search"),
        Page("search 'the hunger games'", "/search/?q=the+hunger+games", "search"),
        Page("search 'hunger games 2'", "/search/?q=hunger+games+2", "search"),
        Page("search 'colins mockingjay'", "/search/?q=colins+mockingjay", "search"),
        Page("search 'wutehrng heights'", "/search/?q=wutehrng+heights", "search"),
        Page("search 'wuthering dickens' (none)", "/search/?q=wuthering+dickens", "search"),
        Page("article page", article.get_absolute_url(), "public"),
        Page("article feed", reverse("articles:feed"), "public"),
        Page("sitemap index", reverse("website:sitemap"), "public"),
    ]  # fmt: skip
    for section, sitemap in SITEMAPS.items():
        url = reverse("website:sitemap-section", kwargs={"section": section})
        pages.append(Page(f"sitemap: {section}", url, "sitemap"))
        last = sitemap().paginator.num_pages
        if last > 1:
            pages.append(Page(f"sitemap: {section}, last page", f"{url}?p={last}", "sitemap"))
    book_list = reverse("admin:catalogue_book_changelist")
    pages += [
        Page("desk: book list", book_list, "desk", desk=True),
        Page("desk: book search 'hunger'", f"{book_list}?q=hunger", "desk", desk=True),
        Page("desk: article list", reverse("admin:articles_article_changelist"), "desk", True),
    ]
    for page in pages[:6]:
        log(f"{page.label}: {page.url}")
    return pages


def render(client, url: str) -> tuple[int | None, str, float]:
    started = time.perf_counter()
    try:
        response = client.get(url)
    except Exception as error:  # noqa: BLE001 - a failing page is a figure too
        return None, f"{type(error).__name__}: {str(error).splitlines()[0][:80]}", 0.0
    return response.status_code, "", (time.perf_counter() - started) * 1000


def measure(client, page: Page, runs: int, explain: bool, missed: bool = False) -> Figure:
    """Warm-ups, then timed renders, then one render whose queries are counted. A page
    slower than SLOW_PAGE_MS on its first render gets no other warm-up, the runs that fit
    in PAGE_BUDGET_SECONDS (one at least) and its queries counted on its last run.

    `missed`: the page as a page-cache miss with its parts kept (pagecache.fragments):
    the page cache on (over this process's local-memory cache), the page dropped before
    each render as a change elsewhere drops it, its parts kept by the warm-ups."""
    from article_render import percentile
    from django.db import connection
    from django.test import RequestFactory, override_settings
    from django.test.utils import CaptureQueriesContext

    from pagecache import store

    if missed:
        request = RequestFactory(HTTP_HOST="localhost").get(page.url)
        with override_settings(PAGE_CACHE_SECONDS=600):
            figure = measure(
                PageDropped(client, store.page_key(store.page_address(request, request.GET))),
                page,
                runs,
                explain,
            )
        figure.label = f"{page.label}, page-cache miss (parts kept)"
        return figure
    figure = Figure(page.label, page.url, page.kind)

    def failed(status: int | None, error: str) -> Figure:
        figure.status, figure.status_text = status, error or f"status {status}"
        return figure

    status, error, took = render(client, page.url)
    if status != 200:
        return failed(status, error)
    slow = took > SLOW_PAGE_MS
    for _ in range(WARMUPS - 1 if not slow else 0):
        status, error, took = render(client, page.url)
        if status != 200:
            return failed(status, error)
    runs = max(1 if slow else 3, min(runs, int(PAGE_BUDGET_SECONDS * 1000 / max(took, 1))))
    timings = []
    queries = CaptureQueriesContext(connection)
    for run in range(runs):
        counted = slow and run == runs - 1
        with queries if counted else nullcontext():
            status, error, took = render(client, page.url)
        if status != 200:
            return failed(status, error)
        timings.append(took)
    with queries if not slow else nullcontext():
        figure.items = items_listed(client.get(page.url).content)
    figure.status, figure.runs = 200, runs
    figure.median, figure.p95 = statistics.median(timings), percentile(timings, 0.95)
    figure.queries = len(queries)
    ranked = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))
    figure.slowest = [(float(q["time"]) * 1000, q["sql"]) for q in ranked[:3]]
    if explain:
        print_plans(page, figure)
    return figure


@dataclass
class PageDropped:
    """A client whose page is dropped from the page cache before each request."""

    client: object
    page_key: str

    def get(self, url: str):
        from django.core.cache import cache

        cache.delete(self.page_key)
        return self.client.get(url)


def items_listed(content: bytes) -> int | None:
    """What a page lists, to compare pages of different lengths: a sitemap's addresses,
    else its book cards (None when it lists neither)."""
    return content.count(b"<loc>") or content.count(b'<div class="book-card">') or None


def print_plans(page: Page, figure: Figure) -> None:
    from django.db import connection

    print(f"\n### {page.label} {page.url}: {figure.median:.1f} ms, {figure.queries} queries")
    for ms, sql in figure.slowest:
        print(f"\n-- {ms:.1f} ms: {sql[:3000]}")
        if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            print("\n".join(line for (line,) in cursor.fetchall()))


def measure_all(details: dict, args) -> list[dict]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    pages = pages_to_measure(details)
    refresh_related(details)
    only = (args.only or "").lower()
    chosen = [p for p in pages if only in p.label.lower() or only in p.url.lower()]
    public = Client(HTTP_HOST="localhost")
    desk = Client(HTTP_HOST="localhost")
    user_model = get_user_model()
    editor = user_model.objects.filter(username="scale-editor").first()
    if editor is None:
        editor = user_model.objects.create_superuser("scale-editor", "scale@example.com", None)
    desk.force_login(editor)
    figures = []
    load_before = os.getloadavg()[0]
    for page in chosen:
        client = desk if page.desk else public
        figure = measure(client, page, args.runs, args.explain)
        shown = f"{figure.median:.1f} ms" if figure.median is not None else figure.status_text
        log(f"{page.label}: {shown}")
        figures.append(asdict(figure))
        if page.kind == "search" and not page.desk:
            # Any change to a book or an article drops every search page: its misses
            # are frequent, and what they cost is what readers wait for.
            figure = measure(client, page, args.runs, args.explain, missed=True)
            shown = f"{figure.median:.1f} ms" if figure.median is not None else figure.status_text
            log(f"{figure.label}: {shown}")
            figures.append(asdict(figure))
    if only in "import 10,000 new books":
        figures.append(asdict(bench_import()))
    # Other work on the machine slows every figure: say how busy it was.
    details["load_average"] = f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after"
    return figures


def refresh_related(details: dict) -> None:
    """Precomputed related books (catalogue.related), when the app has them: refreshed
    for the measured books, and one refresh of the most popular book timed."""
    import inspect

    from catalogue.models import Book

    refresh = app_function(
        "catalogue.related",
        ["refresh_also_liked", "refresh_for", "refresh_related", "refresh_book", "refresh"],
    )
    if refresh is None:
        details["related_refresh"] = "catalogue.related has no refresh function (yet)"
        return
    by_id = next(iter(inspect.signature(refresh).parameters)).endswith("_id")
    for pk in (details["ordinary_book"], details["popular_book"]):
        started = time.perf_counter()
        refresh(pk if by_id else Book.objects.get(pk=pk))
        seconds = time.perf_counter() - started
    details["related_refresh"] = (
        f"catalogue.related.{refresh.__name__}(The Hunger Games): {seconds * 1000:,.0f} ms"
    )
    log(details["related_refresh"])


class Rollback(Exception):
    """Undoes the import benchmark's writes: the catalogue stays as generated."""


def bench_import() -> Figure:
    """10,000 new books in goodbooks format into the big catalogue, in a transaction
    rolled back afterwards (so each batch is a savepoint, not a commit): time, then
    peak traced memory on a second pass."""
    from django.db import transaction
    from synthetic import write_new_books_csv

    from catalogue.importers import import_books

    path = write_new_books_csv(Path(tempfile.mkdtemp()) / "new-books.csv")
    figure = Figure("import 10,000 new books", str(path.name), "import")
    seconds = []
    for traced in (False, True):
        if traced:
            tracemalloc.start()
        started = time.perf_counter()
        try:
            with transaction.atomic():
                report = import_books(path)
                seconds.append(time.perf_counter() - started)
                raise Rollback
        except Rollback:
            pass
        if traced:
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
    figure.status, figure.runs, figure.queries = 200, 1, None
    figure.median = figure.p95 = seconds[0] * 1000
    figure.status_text = (
        f"{report.created:,} created in {seconds[0]:.1f} s "
        f"({report.rows / seconds[0]:,.0f} rows/s), peak traced memory {peak / 2**20:.0f} MiB"
    )
    log(f"import: {figure.status_text}")
    return figure


# --- Search by relevance class (issue 25) ------------------------------------------------


def sampled_rows(rng, wanted: int) -> list:
    """`wanted` public books drawn at random (by `rng`), as bench/relevance.py's rows."""
    from django.db.models import Max, Min

    from catalogue.models import Book

    bounds = Book.objects.aggregate(low=Min("pk"), high=Max("pk"))
    ids = rng.sample(range(bounds["low"], bounds["high"] + 1), min(wanted * 2, bounds["high"]))
    books = Book.objects.public().filter(pk__in=ids).order_by("pk")
    fields = ("pk", "title", "series", "series_number", "author_names", "isbn13")
    rows = [
        Row(
            book_id=pk,
            title=title,
            series=series,
            series_number="" if number is None else f"{number.normalize():f}",
            authors=[name for name in names.split(", ") if name],
            isbn13=isbn13 or "",
            readers=0,
        )
        for pk, title, series, number, names, isbn13 in books.values_list(*fields)
    ]
    return rows[:wanted]


class SampledCatalogue(Catalogue):
    """What relevance.py's rules need to know of every book, asked of the database for
    a sample of them: whether a more read book has the same title, or the same place in
    the same series (either would come first by rule: no fair query), and how many
    titles have each word (the rarest word of a title is the one a reader adds)."""

    def __init__(self, rows: list[Row]) -> None:  # not Catalogue(rows): all books, in Python
        from django.db.models import Exists, OuterRef, Q

        from catalogue.fulltext import TitleKey
        from catalogue.models import Book

        ids = [row.book_id for row in rows]
        public = Book.objects.public()
        better_read = Q(rating_total_count__gte=OuterRef("rating_total_count")) & ~Q(
            pk=OuterRef("pk")
        )
        same_title = public.alias(key=TitleKey("title")).filter(
            better_read, key=TitleKey(OuterRef("title"))
        )
        same_place = public.filter(
            better_read, series=OuterRef("series"), series_number=OuterRef("series_number")
        )
        sampled = Book.objects.filter(pk__in=ids)
        self.fair_titles = set(sampled.filter(~Exists(same_title)).values_list("pk", flat=True))
        self.fair_places = set(
            sampled.exclude(series="").filter(~Exists(same_place)).values_list("pk", flat=True)
        )
        self.word_counts = title_word_counts()

    def fair_title(self, row) -> bool:
        return row.book_id in self.fair_titles

    def fair_place(self, row) -> bool:
        return row.book_id in self.fair_places


def title_word_counts() -> dict[str, int]:
    """How many books have each word in their title (as the index folds it): the
    documents' words of weight A, counted by PostgreSQL's ts_stat."""
    from collections import Counter

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT word, ndoc FROM ts_stat('SELECT search_document FROM catalogue_book', 'a')"
        )
        return Counter(dict(cursor.fetchall()))


def search_class_queries(per_class: int) -> list:
    """Up to `per_class` queries of each relevance class, made by relevance.py's rules
    from books drawn at random (fixed seed) from this catalogue: the same every run."""
    import random

    from relevance import CLASSES, SEED, make_queries

    started = time.perf_counter()
    rows = sampled_rows(random.Random(SEED), per_class * 40)
    queries = make_queries(rows, per_class, catalogue=SampledCatalogue(rows))
    made = {kind: sum(q.kind == kind for q in queries) for kind in CLASSES}
    log(f"{len(queries)} search queries from {len(rows):,} books in "
        f"{time.perf_counter() - started:.0f} s: {made}")  # fmt: skip
    return queries


def measure_search_classes(explain: bool) -> dict:
    """search_books() for each query of each class once (after a warm-up of a few): the
    figures per class and overall, the load average around them, the slowest queries."""
    from relevance import figures_of, search_each

    queries = search_class_queries(SEARCH_CLASS_QUERIES)
    search_each(queries[::40], identify=lambda book: book.pk)  # warm the connection
    load_before = os.getloadavg()[0]
    searched = search_each(queries, identify=lambda book: book.pk)
    load = f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after"
    figures = {kind: asdict(f) for kind, f in figures_of(searched).items()}
    slowest = {}
    for one in sorted(searched, key=lambda one: -one.ms):
        slowest.setdefault(one.query.kind, (one.ms, one.query.text, one.rank))
    if explain:
        for kind, (ms, text, _) in slowest.items():
            print_search_plans(kind, text, ms)
    return {"figures": figures, "slowest": slowest, "load_average": load}


def print_search_plans(kind: str, text: str, ms: float) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from catalogue.search import search_books

    with CaptureQueriesContext(connection) as queries:
        search_books(text, limit=20)
    print(f"\n### {kind}: {text!r}, {ms:.1f} ms when measured, {len(queries)} queries")
    for query in sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:2]:
        print(f"\n-- {float(query['time']) * 1000:.1f} ms: {query['sql'][:3000]}")
        if query["sql"].lstrip().upper().startswith(("SELECT", "WITH")):
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query['sql']}")
                print("\n".join(line for (line,) in cursor.fetchall()))


def print_search_classes(size: int, measured: dict) -> None:
    from relevance import CLASSES

    median_goal, p95_goal = SEARCH_CLASS_GOALS
    print(f"\n## {size_label(size)}: search_books() by relevance class (one search each)")
    print("| class | queries | median ms | p95 ms | R@1 | R@3 | slowest | goal |")
    print("|---|---:|---:|---:|---:|---:|---|---|")
    for kind in [*CLASSES, "all"]:
        f = measured["figures"].get(kind)
        if f is None:
            print(f"| {kind} | 0 | | | | | | no query of this class here |")
            continue
        misses = [f"✗ median > {median_goal}"] if f["median_ms"] > median_goal else []
        misses += [f"✗ p95 > {p95_goal}"] if f["p95_ms"] > p95_goal else []
        ms, text, _ = measured["slowest"].get(kind, (0, "", 0))
        slowest = f"{text!r} {ms:.0f} ms" if kind != "all" else ""
        print(
            f"| {kind} | {f['count']} | {f['median_ms']:.1f} | {f['p95_ms']:.1f} | "
            f"{f['recall_at_1']:.2f} | {f['recall_at_3']:.2f} | {slowest} | "
            f"{' '.join(misses) or '✓'} |"
        )
    print(
        f"Goals (issue 25): median ≤ {median_goal} ms and 95th percentile ≤ {p95_goal} ms in "
        f"every class; load average {measured['load_average']} (2 cores)."
    )


def print_size_table(size: int, details: dict, figures: list[dict]) -> None:
    print(
        f"\n## {size_label(size)}: {details['books']:,} books, {details['ratings']:,} ratings, "
        f"{details['articles']:,} articles, {details['authors']:,} authors "
        f"({database_name(size)}; made in {details.get('generation_seconds', '?')} s)"
    )
    print("| page | URL | median ms | p95 ms | queries |")
    print("|---|---|---:|---:|---:|")
    for f in figures:
        if f["kind"] == "import":
            print(f"| {f['label']} | {f['url']} | {f['median']:,.0f} | | | {f['status_text']}")
        elif f["median"] is None:
            print(f"| {f['label']} | {f['url']} | {f['status_text']} | | |")
        else:
            figures_text = f"{f['median']:.1f} | {f['p95']:.1f} | {f['queries']}"
            print(f"| {f['label']} | {f['url']} | {figures_text} |")
    for key in ("recommendations", "related_refresh", "search_refresh", "load_average"):
        if key in details:
            print(f"{key.replace('_', ' ')}: {details[key]}")
    missed = [
        f for f in figures
        if f["median"] is not None and GOALS.get(f["kind"]) and f["median"] > GOALS[f["kind"]]
    ]  # fmt: skip
    if missed:
        print("\nSlowest query of each page over its goal:")
        for f in missed:
            ms, sql = f["slowest"][0] if f["slowest"] else (0, "")
            print(f"- {f['label']} ({f['median']:.0f} ms): {ms:.0f} ms in `{sql[:300]}`")


if __name__ == "__main__":
    sys.exit(main())
