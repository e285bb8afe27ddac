"""The relevance benchmark (issue 25): does what readers type find the book they mean?

    .venv/bin/python bench/relevance.py            # PostgreSQL (if it answers) and SQLite
    .venv/bin/python bench/relevance.py --sample 100 --only sqlite

Queries are made by rules from goodbooks-10k's books.csv, never by hand: from a sample of
books (fixed seed), for each class below, a query a reader would type for that book; the
book it was made from is the right answer. A query is asked only where it can be fair: a
book whose folded title another, more read book also has is not sampled for the classes
made from its title (the other comes first, by rule), nor a place in a series another
book holds with more readers.

Prints, per class and overall, recall at 1 and at 3 (the right book among the first one
or three), the mean reciprocal rank, and the median and 95th-percentile time of
`search_books()`, on each database. The databases are made once and reused, holding the
10,000 books: SQLite in the temp dir (RELEVANCE_SQLITE), PostgreSQL `colophon_relevance`
(RELEVANCE_POSTGRES_DB) at BENCH_POSTGRES_URL's server.
"""

import argparse
import csv
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
BOOKS_CSV = REPO_ROOT.parent / "shared/data/goodbooks-10k/books.csv"
SEED = 25
SAMPLE = 300
POSTGRES_SERVER = os.environ.get(
    "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/colophon_bench"
).rsplit("/", 1)[0]
POSTGRES_DB = os.environ.get("RELEVANCE_POSTGRES_DB", "colophon_relevance")
POSTGRES_URL = f"{POSTGRES_SERVER}/{POSTGRES_DB}"
SQLITE_PATH = Path(
    os.environ.get("RELEVANCE_SQLITE", Path(tempfile.gettempdir()) / "colophon_relevance.sqlite3")
)
STOP_WORDS = set(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "in",
        "into",
        "is",
        "it",
        "of",
        "on",
        "or",
        "the",
        "to",
        "with",
    ]
)


def folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def words_of(text: str) -> list[str]:
    """Words as a reader would type them: no punctuation, an apostrophe joining."""
    plain = folded(text).replace("'", "").replace("\u2019", "")
    return "".join(char if char.isalnum() else " " for char in plain).split()


@dataclass(frozen=True)
class Row:
    book_id: int  # what names the book: its Goodreads id here, its key in bench/scale.py
    title: str
    series: str
    series_number: str
    authors: list[str]
    isbn13: str
    readers: int

    @property
    def title_key(self) -> str:
        return " ".join(words_of(self.title)).lower()

    @property
    def surname(self) -> str:
        name_words = words_of(self.authors[0]) if self.authors else []
        return name_words[-1] if name_words else ""


def read_rows(path: Path = BOOKS_CSV) -> list[Row]:
    """The books of books.csv as the importer reads them (title, series, number)."""
    sys.path.insert(0, str(REPO_ROOT))
    from catalogue.importers.records import split_series

    rows = []
    with open(path, newline="", encoding="utf-8") as file:
        for line in csv.DictReader(file):
            title, series, number = split_series(line["title"] or line["original_title"])
            isbn13 = line["isbn13"].strip()
            rows.append(
                Row(
                    book_id=int(line["goodreads_book_id"]),
                    title=title,
                    series=series,
                    series_number="" if number is None else f"{number.normalize():f}",
                    authors=[name.strip() for name in line["authors"].split(",") if name.strip()],
                    isbn13=f"{int(float(isbn13)):d}" if isbn13 else "",
                    readers=sum(int(float(line[f"ratings_{n}"] or 0)) for n in range(1, 6)),
                )
            )
    return rows


# --- Typos -----------------------------------------------------------------------------


def with_typo(word: str, rng: random.Random) -> str:
    """A dropped, doubled, swapped or wrong letter somewhere in `word`."""
    kind = rng.choice(["dropped", "doubled", "swapped", "wrong"])
    at = rng.randrange(len(word))
    if kind == "dropped":
        return word[:at] + word[at + 1 :]
    if kind == "doubled":
        return word[: at + 1] + word[at:]
    if kind == "swapped" and at < len(word) - 1 and word[at] != word[at + 1]:
        return word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    wrong = rng.choice([letter for letter in "abcdefghijklmnopqrstuvwxyz" if letter != word[at]])
    return word[:at] + wrong + word[at + 1 :]


def with_typos(word: str, count: int, rng: random.Random) -> str:
    from catalogue.typos import typo_distance

    for _ in range(20):
        typed = word
        for _ in range(count):
            typed = with_typo(typed, rng)
        if typo_distance(word, typed, count) == count:
            return typed
    return ""


# --- The classes of queries --------------------------------------------------------------


def place_of(row: Row) -> tuple[str, str]:
    """A book's place in its series, as compared: the series' words and the number."""
    return " ".join(words_of(row.series)).lower(), row.series_number


class Catalogue:
    """What the rules need to know of all the books: who is the most read of a title
    or of a place in a series, how common each title word is."""

    def __init__(self, rows: list[Row]):
        self.most_read_title: dict[str, int] = {}
        self.most_read_place: dict[tuple[str, str], int] = {}
        self.word_counts: dict[str, int] = defaultdict(int)
        for row in sorted(rows, key=lambda row: row.readers):
            self.most_read_title[row.title_key] = row.book_id
            self.most_read_place[place_of(row)] = row.book_id
            for word in set(words_of(row.title.lower())):
                self.word_counts[word] += 1

    def fair_title(self, row: Row) -> bool:
        return self.most_read_title.get(row.title_key) == row.book_id

    def fair_place(self, row: Row) -> bool:
        return self.most_read_place.get(place_of(row)) == row.book_id

    def rarest_title_word(self, row: Row) -> str:
        words = [
            word
            for word in words_of(row.title.lower())
            if word not in STOP_WORDS and not word.isdigit()
        ]
        return min(words, key=lambda word: (self.word_counts[word], -len(word)), default="")


def exact_title(row: Row, catalogue: Catalogue, rng: random.Random) -> str:
    if not catalogue.fair_title(row):
        return ""
    # As listed, in lower case, or as typed without accents and punctuation.
    return rng.choice([row.title, row.title.lower(), " ".join(words_of(row.title)).lower()])


def one_word_title(row: Row, catalogue: Catalogue, rng: random.Random) -> str:
    words = words_of(row.title)
    return words[0].lower() if len(words) == 1 and catalogue.fair_title(row) else ""


def title_words(row: Row, catalogue: Catalogue, rng: random.Random) -> str:
    words = words_of(row.title.lower())
    kept = [word for word in words if word not in STOP_WORDS]
    if not catalogue.fair_title(row) or not kept or len(kept) == len(words):
        return ""
    return " ".join(kept)


def surname_and_title_word(row: Row, catalogue: Catalogue, rng: random.Random) -> str:
    word = catalogue.rarest_title_word(row)
    if not catalogue.fair_title(row) or not word or not row.surname:
        return ""
    return f"{row.surname.lower()} {word}"


def _typo_query(row: Row, catalogue: Catalogue, rng: random.Random, typos: int) -> str:
    if not catalogue.fair_title(row) or not row.surname:
        return ""
    words = [word for word in words_of(row.title.lower()) if word not in STOP_WORDS]
    words.append(row.surname.lower())
    shortest = 5 if typos == 1 else 9
    long_enough = [at for at, word in enumerate(words) if len(word) >= shortest]
    if not long_enough:
        return ""
    at = rng.choice(long_enough)
    typed = with_typos(words[at], typos, rng)
    return " ".join(words[:at] + [typed] + words[at + 1 :]) if typed else ""


def one_typo(row: Row, catalogue: Catalogue, rng: random.Random) -> str:
    return _typo_query(row, catalogue, rng, 1)


def two_typos(row: Row, catalogue: Catalogue, rng: random.Random) -> str:
    return _typo_query(row, catalogue, rng, 2)


def series_and_number(row: Row, catalogue: Catalogue, rng: random.Random) -> str:
    if not row.series or not catalogue.fair_place(row):
        return ""
    return rng.choice([f"{row.series} {row.series_number}", f"{row.series} #{row.series_number}"])


def isbn(row: Row, catalogue: Catalogue, rng: random.Random) -> str:
    from stdnum import isbn as stdnum_isbn

    if not row.isbn13 or not stdnum_isbn.is_valid(row.isbn13):
        return ""
    forms = [row.isbn13, stdnum_isbn.format(row.isbn13)]
    if row.isbn13.startswith("978"):
        isbn10 = stdnum_isbn.to_isbn10(row.isbn13)
        forms += [isbn10, stdnum_isbn.format(isbn10), stdnum_isbn.format(isbn10).replace("-", " ")]
    return rng.choice(forms)


def accent_free_name(row: Row, catalogue: Catalogue, rng: random.Random) -> str:
    accented = next((name for name in row.authors if folded(name) != name), "")
    word = catalogue.rarest_title_word(row)
    if not accented or not word or not catalogue.fair_title(row):
        return ""
    return f"{' '.join(words_of(accented))} {word}"


CLASSES: dict[str, Callable[[Row, Catalogue, random.Random], str]] = {
    "exact title": exact_title,
    "one-word title": one_word_title,
    "title words, no stop words": title_words,
    "surname + a title word": surname_and_title_word,
    "one typo in a word": one_typo,
    "two typos in a long word": two_typos,
    "series and number": series_and_number,
    "ISBN, any form": isbn,
    "name without accents": accent_free_name,
}


@dataclass(frozen=True)
class Query:
    kind: str
    text: str
    book_id: int


def make_queries(
    rows: list[Row], sample: int = SAMPLE, seed: int = SEED, catalogue: Catalogue | None = None
) -> list[Query]:
    """Up to `sample` queries per class, each from a different book, the same every run.
    `catalogue`: what the rules know of all the books, when `rows` are a sample of them."""
    catalogue = catalogue or Catalogue(rows)
    queries = []
    for kind, rule in CLASSES.items():
        rng = random.Random(f"{seed}:{kind}")
        shuffled = sorted(rows, key=lambda row: row.book_id)
        rng.shuffle(shuffled)
        made = 0
        for row in shuffled:
            text = rule(row, catalogue, rng)
            if text:
                queries.append(Query(kind, text, row.book_id))
                made += 1
                if made == sample:
                    break
    return queries


# --- Measuring ---------------------------------------------------------------------------


@dataclass
class Figures:
    count: int
    recall_at_1: float
    recall_at_3: float
    mean_reciprocal_rank: float
    median_ms: float
    p95_ms: float


def percentile(samples: list[float], fraction: float) -> float:
    """Nearest-rank percentile, as bench/article_render.py's."""
    ordered = sorted(samples)
    return ordered[max(1, math.ceil(fraction * len(ordered))) - 1]


@dataclass(frozen=True)
class Searched:
    query: Query
    rank: int  # of the right book, 0 when not among the first 20
    ms: float


def search_each(queries: list[Query], identify=lambda book: book.goodreads_id) -> list[Searched]:
    """Each query searched once, timed, with its book's rank; `identify` gives what
    names a book found, as Query.book_id does."""
    from catalogue.search import search_books

    searched = []
    for query in queries:
        start = time.perf_counter()
        found = search_books(query.text, limit=20)
        elapsed = (time.perf_counter() - start) * 1000
        ids = [identify(book) for book in found]
        rank = ids.index(query.book_id) + 1 if query.book_id in ids else 0
        searched.append(Searched(query, rank, elapsed))
    return searched


def figures_of(searched: list[Searched]) -> dict[str, Figures]:
    """The figures per class and "all"."""
    ranks: dict[str, list[int]] = defaultdict(list)
    times: dict[str, list[float]] = defaultdict(list)
    for one in searched:
        for kind in (one.query.kind, "all"):
            ranks[kind].append(one.rank)
            times[kind].append(one.ms)
    return {
        kind: Figures(
            count=len(found),
            recall_at_1=sum(rank == 1 for rank in found) / len(found),
            recall_at_3=sum(1 <= rank <= 3 for rank in found) / len(found),
            mean_reciprocal_rank=sum(1 / rank for rank in found if rank) / len(found),
            median_ms=statistics.median(times[kind]),
            p95_ms=percentile(times[kind], 0.95),
        )
        for kind, found in ranks.items()
    }


def measure(queries: list[Query]) -> tuple[dict[str, Figures], list[tuple[Query, int]]]:
    """Each query searched once: the figures per class and "all", and the queries whose
    book was not first (with its rank, 0 when not in the first 20)."""
    searched = search_each(queries)
    misses = [(one.query, one.rank) for one in searched if one.rank != 1]
    return figures_of(searched), misses


def table(figures: dict[str, Figures]) -> Iterator[str]:
    yield f"{'class':<28} {'queries':>7} {'R@1':>6} {'R@3':>6} {'MRR':>6} {'median':>8} {'p95':>8}"
    for kind in [*CLASSES, "all"]:
        if kind in figures:
            f = figures[kind]
            yield (
                f"{kind:<28} {f.count:>7} {f.recall_at_1:>6.3f} {f.recall_at_3:>6.3f} "
                f"{f.mean_reciprocal_rank:>6.3f} {f.median_ms:>6.1f}ms {f.p95_ms:>6.1f}ms"
            )


# --- Databases: one child process each ------------------------------------------------


def child(database_url: str, sample: int, show_misses: bool) -> None:
    sys.path[:0] = [str(REPO_ROOT), str(BENCH_DIR)]
    from run import setup_django

    with tempfile.TemporaryDirectory(prefix="colophon-relevance-") as tmp:
        setup_django(Path(tmp), database_url)
        from django.db import connection

        from catalogue.importers import import_books
        from catalogue.models import Book

        if Book.objects.count() < 10_000:
            print(f"importing {BOOKS_CSV.name} into {connection.settings_dict['NAME']} (once)")
            import_books(BOOKS_CSV)
        queries = make_queries(read_rows(), sample)
        measure(queries[:20])  # warm the caches and the connection
        figures, misses = measure(queries)
        print(f"-- {connection.vendor}: {len(queries)} queries, {sample} a class at most")
        for line in table(figures):
            print(line)
        if show_misses:
            for query, rank in misses:
                print(f"   {query.kind}: {query.text!r} -> {rank or 'not found'}")


def postgres_ready() -> bool:
    try:
        import psycopg

        with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as admin:
            if not admin.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [POSTGRES_DB]
            ).fetchone():
                admin.execute(f'CREATE DATABASE "{POSTGRES_DB}"')
        return True
    except Exception as error:  # noqa: BLE001 - any reason is printed, then skipped
        print(f"(PostgreSQL relevance skipped: {str(error).strip().splitlines()[0]})")
        return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=int, default=SAMPLE, help="queries per class at most")
    parser.add_argument("--only", choices=["postgresql", "sqlite"])
    parser.add_argument("--misses", action="store_true", help="list the queries not first")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.sample, args.misses)
        return 0
    if not BOOKS_CSV.exists():
        print(f"relevance: skipped, {BOOKS_CSV} not found")
        return 0
    targets = []
    if args.only != "sqlite" and postgres_ready():
        targets.append(POSTGRES_URL)
    if args.only != "postgresql":
        targets.append(f"sqlite:///{SQLITE_PATH}")
    status = 0
    for url in targets:
        command = [sys.executable, __file__, "--child", url, "--sample", str(args.sample)]
        command += ["--misses"] if args.misses else []
        status = status or subprocess.run(command, check=False).returncode
    return status


if __name__ == "__main__":
    sys.exit(main())
