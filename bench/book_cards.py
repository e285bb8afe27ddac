"""Benchmark: what one book card costs when rendered uncached (issue 23: an article of 30
cards spends most of its render on them), and a check that the cards still read the same.

    .venv/bin/python bench/book_cards.py time [DATABASE_URL]
    .venv/bin/python bench/book_cards.py snapshot PATH [DATABASE_URL]
    .venv/bin/python bench/book_cards.py compare PATH [DATABASE_URL]

Against a database holding goodbooks-10k (`import_books`) and the demo (`load_demo`),
read only. `time` prints the median of RUNS calls of each step of a 30-card article's
cards (the 30 most rated books): `Book.objects.for_cards().in_bulk()`, then per card
`book_card_context` and the render of includes/book_card.html, in CPU time, and the Python
calls each makes (cProfile), which the machine's noise does not move. `snapshot` writes every
book's card as each page shows it (plain and prominent, with and without the seed article
as the page its links count against, with and without affiliate codes) and its entry at
an article's foot; `compare` renders them again and names the books whose HTML differs.
"""

import gzip
import json
import os
import statistics
import sys
import time
from pathlib import Path

RUNS = 200
CARDS = 30
CHUNK = 500
# Codes for the shops with affiliate patterns in the demo: sponsored links and their
# disclosure, in the snapshot's second half.
AFFILIATE_CODES = {"bookshop-org": "colophon-21", "amazon": "colophon-20"}


def setup(database_url: str | None) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DEBUG"] = "false"
    # Fixed: the shop links carry the page signed with it, and snapshots compare them.
    os.environ["SECRET_KEY"] = "colophon-bench-only-secret-key"
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()


def median_ms(call, runs: int = RUNS) -> float:
    """The median of the CPU time `call` takes: on a shared machine, the time the process
    waits for a core swings its wall time twofold from one minute to the next."""
    timings = []
    for _ in range(runs):
        start = time.process_time()
        call()
        timings.append((time.process_time() - start) * 1000)
    return statistics.median(timings)


def python_calls(call) -> int:
    """The function calls `call` makes (cProfile's total, primitive and recursive)."""
    import cProfile
    import pstats

    profile = cProfile.Profile()
    profile.runcall(call)
    return pstats.Stats(profile).total_calls


def bench_cards(runs: int = RUNS) -> None:
    from django.db import connection
    from django.template.loader import get_template
    from django.test.utils import CaptureQueriesContext

    from articles.models import Article
    from catalogue.cards import book_card_context
    from catalogue.models import Book
    from catalogue.shops import enabled_shops, request_begins

    pks = list(
        Book.objects.public().order_by("-rating_total_count", "pk").values_list("pk", flat=True)
    )[:CARDS]
    source = Article.objects.published().first()
    template = get_template("includes/book_card.html")
    request_begins()  # as in a request: the shops are read once, by the first card
    enabled_shops()

    def fetch():
        return Book.objects.for_cards().in_bulk(pks)

    books = list(fetch().values())
    with CaptureQueriesContext(connection) as queries:
        fetch()
    contexts = [book_card_context(book, source=source) for book in books]

    def all_contexts():
        for book in books:
            book_card_context(book, source=source)

    def all_renders():
        for context in contexts:
            template.render(context)

    for _ in range(5):  # warm-up
        fetch(), all_contexts(), all_renders()
    print(
        f"in_bulk of {CARDS} books for_cards(): median {median_ms(fetch, runs):.2f} ms of CPU, "
        f"{len(queries)} queries, {python_calls(fetch):,} Python calls",
        flush=True,
    )
    for label, call in [
        ("book_card_context", all_contexts),
        ("book_card.html render", all_renders),
    ]:
        print(
            f"{label} per card: median {median_ms(call, runs) / CARDS:.3f} ms of CPU, "
            f"{python_calls(call) / CARDS:,.0f} Python calls ({runs} runs of {CARDS} cards)",
            flush=True,
        )
    whole = lambda: [template.render(book_card_context(b, source=source)) for b in fetch().values()]  # noqa: E731
    print(
        f"all {CARDS} cards, fetched and rendered: median {median_ms(whole, runs):.2f} ms of CPU, "
        f"{python_calls(whole):,} Python calls",
        flush=True,
    )


def every_card() -> dict[str, list[str]]:
    """Each book's cards, by "<book pk>:<variant>", in every way a page shows them."""
    from django.template.loader import get_template
    from django.test.utils import override_settings

    from articles.models import Article
    from catalogue.cards import book_card_context
    from catalogue.models import Book

    card, foot = (
        get_template("includes/book_card.html"),
        get_template("includes/book_in_article.html"),
    )
    article = Article.objects.published().first()
    pks = list(Book.objects.order_by("pk").values_list("pk", flat=True))
    cards = {}
    for codes in ({}, AFFILIATE_CODES):
        with override_settings(AFFILIATE_CODES=codes):
            for start in range(0, len(pks), CHUNK):
                books = Book.objects.for_cards().in_bulk(pks[start : start + CHUNK])
                for pk, book in books.items():
                    for source in (None, article):
                        for prominent in (False, True):
                            lazy = not prominent
                            context = book_card_context(
                                book, lazy=lazy, source=source, prominent=prominent
                            )
                            variant = f"{pk}:{bool(codes)}:{source is not None}:{prominent}"
                            cards[variant] = [card.render(context)]
                            if not prominent:
                                cards[variant].append(foot.render({"card": context}))
    return cards


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else "time"
    path = sys.argv[2] if command in ("snapshot", "compare") else None
    rest = sys.argv[3:] if path else sys.argv[2:]
    setup(rest[0] if rest else None)
    if command == "time":
        bench_cards()
    elif command == "snapshot":
        cards = every_card()
        with gzip.open(path, "wt") as file:
            json.dump(cards, file)
        print(f"{len(cards):,} cards written to {path}")
    elif command == "compare":
        with gzip.open(path, "rt") as file:
            before = json.load(file)
        now = every_card()
        differ = [key for key in before if before[key] != now.get(key)]
        differ += [key for key in now if key not in before]
        print(f"{len(now):,} cards rendered, {len(differ):,} differ from {path}")
        for key in differ[:10]:
            print(f"--- {key}\n{before.get(key)}\n+++\n{now.get(key)}")
        sys.exit(1 if differ else 0)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
