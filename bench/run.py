"""Colophon benchmarks: `make bench` (or `.venv/bin/python bench/run.py` from the repo root).

Runs with production settings (DEBUG off) against a throwaway SQLite database and media
directory in a temp dir, so the developer's db.sqlite3 and media/ are never touched.
Each benchmark is a function in BENCHMARKS that prints one line of figures.
"""

import os
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(__file__).resolve().parent


def setup_django(tmp: Path) -> None:
    """Point Django at a temp database and media root, then set it up and migrate."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "colophon-bench-only-secret-key")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ["MEDIA_ROOT"] = str(tmp / "media")
    # WhiteNoise warns when STATIC_ROOT is missing; an empty one keeps the output clean.
    os.environ["STATIC_ROOT"] = str(tmp / "staticfiles")
    (tmp / "staticfiles").mkdir()
    for path in (REPO_ROOT, BENCH_DIR):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))

    import django

    django.setup()

    from django.conf import settings

    # {% static %} under the Manifest storage needs collectstatic; plain names will do.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Silence "Not Found"/request warnings and other INFO noise in the figures.
    import logging

    logging.disable(logging.WARNING)

    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="colophon-bench-") as tmp:
        setup_django(Path(tmp))

        from article_render import bench_article_page

        benchmarks = [
            bench_article_page,
        ]
        for benchmark in benchmarks:
            benchmark()
    return 0


if __name__ == "__main__":
    sys.exit(main())
