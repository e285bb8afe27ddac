"""The sample a words filter lists when more books match than its pages hold, at a
million books: `/books/` rendered cold with the sample as it was (the first matches the
database met, in no order), as the one-line fix would take it (the lowest ids, asked
in id order) and as `catalogue.filtered_paging` takes it now (the lowest ids, looked
up below the lowest met), in turn, so load moves all three alike.

    .venv/bin/python bench/filtered_sample.py            # colophon_scale_1m (bench/scale.py)
    .venv/bin/python bench/filtered_sample.py --runs 9 --database colophon_scale_100k

Reads only, as bench/book_filters.py does (production settings, page cache off,
local-memory cache). Per address the median page in ms for each way, and whether the
lowest-ids ways list the same books. The load average is printed before and after.
"""

import argparse
import os
import statistics
import sys
from functools import cached_property
from pathlib import Path
from time import perf_counter

sys.path.insert(0, str(Path(__file__).resolve().parent))

from book_filters import setup  # noqa: E402

QUERIES = [
    "q=que", "q=war", "q=love", "q=night", "q=the", "q=of+the", "q=ing+the",
    "q=lord+of+the+rings", "author=marquez", "author=lee", "author=son", "author=king",
    "author=john&q=the", "q=love&page=50", "q=night&sort=rating&page=50",
]  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="colophon_scale_1m")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    setup(args.database)
    from django.test import Client

    from catalogue.filtered_paging import WordsFilteredPaginator

    def first_met(self) -> list[int]:
        return list(self.object_list.order_by().values_list("pk", flat=True)[: self.cap + 1])

    def in_id_order(self) -> list[int]:
        return list(self.object_list.order_by("pk").values_list("pk", flat=True)[: self.cap + 1])

    ways = {
        "first met": first_met,
        "in id order": in_id_order,
        "lowest below those met": WordsFilteredPaginator.__dict__["found_ids"].func,
    }

    def take(function) -> None:
        found_ids = cached_property(function)
        found_ids.__set_name__(WordsFilteredPaginator, "found_ids")
        WordsFilteredPaginator.found_ids = found_ids

    client = Client(HTTP_HOST="localhost")
    client.get("/books/")  # the cached language list
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    print(f"| /books/? | {' ms | '.join(ways)} ms | same books |")
    print("|---|---:|---:|---:|---|")
    for query in QUERIES:
        times: dict[str, list[float]] = {name: [] for name in ways}
        listed: dict[str, bytes] = {}
        for run in range(args.runs + 1):
            for name, function in ways.items():
                take(function)
                started = perf_counter()
                response = client.get(f"/books/?{query}")
                if run:  # the first is a warm-up
                    times[name].append((perf_counter() - started) * 1000)
                assert response.status_code == 200, (query, response.status_code)
                listed[name] = response.content
        medians = " | ".join(f"{statistics.median(times[name]):.0f}" for name in ways)
        same = listed["in id order"] == listed["lowest below those met"]
        print(f"| `{query}` | {medians} | {'yes' if same else 'NO'} |", flush=True)
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
