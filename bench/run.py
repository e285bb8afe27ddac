"""Colophon benchmarks: `make bench` (or `.venv/bin/python bench/run.py` from the repo root).

Runs with production settings (DEBUG off) against throwaway databases: a temp SQLite
file, and a scratch PostgreSQL database when one answers at BENCH_POSTGRES_URL (default
postgres://postgres@127.0.0.1:5432/colophon_bench, created and dropped here). The
developer's db.sqlite3 and media/ are never touched. Each benchmark prints its figures.
Django can be set up once per process, so each database gets a child process.
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(__file__).resolve().parent
POSTGRES_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/colophon_bench"
)


def setup_django(tmp: Path, database_url: str) -> None:
    """Point Django at the given database and a temp media root, set it up and migrate."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "colophon-bench-only-secret-key")
    os.environ["DATABASE_URL"] = database_url
    os.environ["MEDIA_ROOT"] = str(tmp / "media")
    # WhiteNoise warns when STATIC_ROOT is missing; an empty one keeps the output clean.
    os.environ["STATIC_ROOT"] = str(tmp / "staticfiles")
    (tmp / "staticfiles").mkdir(exist_ok=True)
    for path in (REPO_ROOT, BENCH_DIR):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))

    import django

    django.setup()

    import logging

    from django.conf import settings
    from django.core.management import call_command

    # {% static %} under the Manifest storage needs collectstatic; plain names will do.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    logging.disable(logging.WARNING)  # "Not Found" and import warnings are not figures
    call_command("migrate", verbosity=0)


def run_benchmarks(database_url: str) -> None:
    with tempfile.TemporaryDirectory(prefix="colophon-bench-") as tmp:
        setup_django(Path(tmp), database_url)

        from article_render import bench_article_page
        from catalogue_pages import bench_catalogue_pages, bench_import
        from cover_memory import bench_cover_memory
        from import_job import bench_import_job
        from recommendations import bench_recommendations
        from shop_clicks import bench_shop_clicks

        # The import first, so the article page is measured with 10,000 books around it.
        for benchmark in (
            bench_import, bench_article_page, bench_catalogue_pages, bench_recommendations,
            bench_import_job, bench_cover_memory, bench_shop_clicks,
        ):  # fmt: skip
            benchmark()


def postgres_available() -> bool:
    try:
        import psycopg
    except ImportError:
        return False
    admin_url = POSTGRES_URL.rsplit("/", 1)[0] + "/postgres"
    name = POSTGRES_URL.rsplit("/", 1)[1]
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=3) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as error:
        print(f"(PostgreSQL benchmarks skipped: {str(error).strip().splitlines()[0]})")
        return False
    return True


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--database":
        run_benchmarks(sys.argv[2])
        return 0
    targets = [("SQLite", None)]
    if postgres_available():
        targets.append(("PostgreSQL", POSTGRES_URL))
    status = 0
    for label, url in targets:
        print(f"== {label}", flush=True)
        with tempfile.TemporaryDirectory(prefix="colophon-bench-db-") as tmp:
            url = url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
            child = subprocess.run([sys.executable, __file__, "--database", url], check=False)
            status = status or child.returncode
    print("== Load (make serve and a hello-world floor under gunicorn, wrk)", flush=True)
    from load import main as load

    load()
    print("== Edge (make serve-edge: Varnish before gunicorn, against the same floor, wrk)")
    from edge import main as edge

    edge()
    return status


if __name__ == "__main__":
    sys.exit(main())
