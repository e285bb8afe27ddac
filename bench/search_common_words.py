"""Search for common words on SQLite: the full-text relevance asked once per statement
(shared/fulltext.py) against the old way, once per book found (audit: 6.5 s for
"the" on goodbooks-10k, 35 s for "the" eight times).

    DATABASE_URL=sqlite:////path/to/db.sqlite3 .venv/bin/python bench/search_common_words.py

Reads only. Needs a SQLite database with a catalogue (goodbooks-10k imported); prints,
per query, the median of `search_books()` over --runs runs each way, with how many
books the query finds, then the load average.
"""

import argparse
import os
import statistics
import sys
from pathlib import Path
from time import perf_counter

REPO_ROOT = Path(__file__).resolve().parent.parent
QUERIES = ["the", "the the", "the the the the the the the the", "of", "a a a a", "love"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--old-runs", type=int, default=1, help="the old way is slow")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO_ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "bench")
    import django

    django.setup()
    from django.db import connection

    from catalogue.search import search_books
    from shared import fulltext

    if connection.vendor != "sqlite":
        sys.exit("SQLite only: set DATABASE_URL=sqlite:///…")

    once = fulltext.FTS5Relevance.as_sql

    def per_row(self, compiler, connection):
        row_sql, row_params = compiler.compile(self.row)
        name = self.index.name
        weights = ", ".join(str(float(weight)) for weight in self.index.weights)
        sql = (
            f"COALESCE((SELECT -bm25({name}, {weights}) FROM {name} "
            f"WHERE {name} MATCH %s AND {name}.rowid = {row_sql}), 0.0)"
        )
        return sql, [self.match, *row_params]

    def median_ms(query: str, runs: int) -> float:
        times = []
        for _ in range(runs):
            started = perf_counter()
            search_books(query)
            times.append((perf_counter() - started) * 1000)
        return statistics.median(times)

    print(f"{'query':40} {'found':>6} {'once (ms)':>10} {'per row (ms)':>13}")
    for query in QUERIES:
        fulltext.FTS5Relevance.as_sql = once
        found = len(search_books(query, limit=100_000, for_cards=False))
        now = median_ms(query, args.runs)
        fulltext.FTS5Relevance.as_sql = per_row
        before = median_ms(query, args.old_runs)
        fulltext.FTS5Relevance.as_sql = once
        print(f"{query!r:40} {found:>6} {now:>10.1f} {before:>13.1f}")
    print("load average:", " ".join(f"{load:.2f}" for load in os.getloadavg()))


if __name__ == "__main__":
    main()
