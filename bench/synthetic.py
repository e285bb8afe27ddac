"""A synthetic catalogue of any size on PostgreSQL, for the scale benchmark (bench/scale.py).

Deterministic: the same size and GENERATOR_VERSION give the same rows. The real
goodbooks-10k file is imported first, through the app's own importer (all of it at
10,000 books and above, its first rows below); every book beyond it is made from its
words: titles from the words of real titles, authors from real first names and
surnames. About N/5 authors share the books with a Zipf-like spread (at a million books
the first has about 3,000: Stephen King, then Gabriel García Márquez); some books form
series; a few dozen subjects, some huge; ten ratings a book on average from a pool of
visitors, with a long tail (The Hunger Games has the most at every size); N/10
published articles that embed books with `[[book:slug]]` lines.

Rows go in with COPY, table by table, while the big tables have no indexes or
constraints (their definitions are read from the catalog, dropped, and made again after
the load), so the generator follows the models: columns come from `_meta`, every column
not set here gets its field's default, and generated columns are left to the database.
"""

import random
import re
import time
from array import array
from bisect import bisect
from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from importlib import import_module
from itertools import accumulate
from pathlib import Path

GENERATOR_VERSION = 1
SEED = 13
REAL_BOOKS_CSV = (
    Path(__file__).resolve().parent.parent.parent / "shared/data/goodbooks-10k/books.csv"
)
REAL_SIZE = 10_000
HUNGER_GAMES = 2767052  # its Goodreads id in goodbooks-10k
# Real authors who get the most synthetic books (ranks 1 and 2 of the spread).
PROLIFIC = ["Stephen King", "Gabriel García Márquez"]
RATINGS_PER_BOOK = 10
TOP_AUTHOR_SHARE = 0.003  # the first author's share of the books: 3,000 at a million
CREDITS_PER_BOOK = 1.1  # one book in ten has a second name (co-author, translator)
NOW = datetime(2025, 6, 1, tzinfo=UTC)  # a fixed "now": the same rows on every run
RATING_SPAN = timedelta(days=3 * 365)
TIME_BUCKETS = 1024  # ratings are written in time order, bucket by bucket

SUBJECTS = [
    "Fiction", "Fantasy", "Romance", "Mystery", "Classics", "Young Adult", "Thriller",
    "Historical Fiction", "Science Fiction", "Nonfiction", "History", "Biography", "Horror",
    "Poetry", "Philosophy", "Children's", "Humor", "Crime", "Memoir", "Science", "Travel",
    "Religion", "Psychology", "Politics", "War", "Art", "Music", "Cooking", "Business",
    "Sports", "Drama", "Short Stories", "Graphic Novels", "Economics", "Nature", "Essays",
]  # fmt: skip
TOPICS = [
    "Translation", "Reading lists", "Interviews", "Prizes", "Debut novels", "Series",
    "Book history", "Publishing", "Libraries", "Rereading", "Adaptations", "Criticism",
    "Memory", "Cities", "Childhood", "Exile", "Science writing", "Crime fiction", "Poetry",
    "Letters", "Obituaries", "Independent presses", "Audiobooks", "Classics revisited",
]  # fmt: skip
LANGUAGES = [
    ("en", 75),
    ("", 8),
    ("fr", 4),
    ("de", 3),
    ("es", 3),
    ("ar", 2),
    ("it", 2),
    ("ja", 1),
    ("pt", 1),
    ("ru", 1),
]
PUBLISHERS = [
    "Penguin",
    "Vintage",
    "HarperCollins",
    "Scribner",
    "Knopf",
    "Faber & Faber",
    "Gallimard",
    "Suhrkamp",
    "Anagrama",
    "Bloomsbury",
    "Picador",
    "Tor Books",
]
SERIES_NOUNS = [
    "Chronicles",
    "Saga",
    "Novels",
    "Cycle",
    "Series",
    "Mysteries",
    "Sequence",
    "Books",
    "Tales",
    "Legacy",
]
FILLER = {
    "the",
    "a",
    "an",
    "of",
    "and",
    "in",
    "on",
    "to",
    "for",
    "with",
    "from",
    "at",
    "by",
    "is",
    "or",
    "vol",
    "volume",
    "book",
    "edition",
    "de",
    "la",
    "el",
    "le",
    "les",
}
COMMON_WORDS = """the of and to in a is that it was for on as with his they at be this have from
    or one had by but not what all were we when your can said there use each which she do how
    their if will up other about out many then them these so some her would make like him
    into time has look two more write go see number no way could people my than first been
    call who its now find long down day did get come made may part over new after years
    words world life war love city night house memory language silence history river stone
    letters country winter mother father children power truth dream story"""
COMMON = COMMON_WORDS.split()
WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
TITLE_SHAPES = [
    ("{0}", 10),
    ("{0} {1}", 22),
    ("The {0} {1}", 18),
    ("The {0} of {1}", 15),
    ("{0} and {1}", 10),
    ("{0} {1} {2}", 10),
    ("A {0} in {1}", 5),
    ("The {0}", 10),
]
# Score distributions (1 to 5 stars) a book's readers follow: most books are liked.
SCORE_PROFILES = [
    (3, 6, 20, 38, 33),
    (2, 4, 15, 35, 44),
    (6, 10, 28, 34, 22),
    (1, 3, 10, 30, 56),
    (12, 16, 30, 27, 15),
    (4, 8, 24, 36, 28),
]


def log(message: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- Words and numbers -------------------------------------------------------------


class Words:
    """What synthetic rows are made of: the real file's title words (by frequency) and
    its authors' first names and surnames."""

    def __init__(self, path: Path = REAL_BOOKS_CSV) -> None:
        import csv

        from catalogue.importers.records import split_series

        titles, firsts, lasts = Counter(), Counter(), Counter()
        with path.open(newline="", encoding="utf-8") as file:
            for row in csv.DictReader(file):
                title, _, _ = split_series(row["title"])
                for word in WORD.findall(title):
                    if word.lower() not in FILLER and len(word) > 2:
                        titles[word[0].upper() + word[1:]] += 1
                for name in row["authors"].split(","):
                    parts = name.split()
                    if len(parts) >= 2 and parts[-1][0].isupper():
                        firsts[parts[0]] += 1
                        lasts[parts[-1]] += 1
        self.title_words = sorted(titles)
        self.title_weights = list(accumulate(titles[w] for w in self.title_words))
        self.first_names = sorted(firsts)
        self.last_names = sorted(lasts)
        self.body_words = [w.lower() for w in self.title_words[::3]] + COMMON * 8

    def title(self, rng: random.Random) -> str:
        shape = pick(rng, TITLE_SHAPES)
        words = rng.choices(self.title_words, cum_weights=self.title_weights, k=3)
        return shape.format(*words)

    def name(self, rng: random.Random) -> str:
        first = rng.choice(self.first_names)
        middle = f" {rng.choice('ABCDEFGHJKLMNPRSTW')}." if rng.random() < 0.15 else ""
        return f"{first}{middle} {rng.choice(self.last_names)}"

    def sentence(self, rng: random.Random, length: int) -> str:
        words = rng.choices(self.body_words, k=length)
        return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def pick(rng: random.Random, weighted: list[tuple]) -> object:
    total = sum(weight for _, weight in weighted)
    point = rng.random() * total
    for value, weight in weighted:
        point -= weight
        if point < 0:
            return value
    return weighted[-1][0]


def isbn13_for(number: int) -> str:
    """A valid ISBN-13 for each number below 10⁹, a different one for each (978 prefix)."""
    body = f"978{(number * 7_919 + 104_729) % 1_000_000_000:09d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def size_label(size: int) -> str:
    """10000 -> "10k", 1000000 -> "1m" (database names and table headings)."""
    if size % 1_000_000 == 0:
        return f"{size // 1_000_000}m"
    if size % 1_000 == 0:
        return f"{size // 1_000}k"
    return str(size)


def zipf_counts(items: int, slots: int, top: int) -> list[int]:
    """`items` counts, the first `top`, falling like 1/k^s with s chosen so that they add
    up to about `slots`; every count at least 1."""
    low, high = 0.0, 4.0
    counts: list[int] = []
    for _ in range(40):
        s = (low + high) / 2
        counts = [max(1, round(top / k**s)) for k in range(1, items + 1)]
        total = sum(counts)
        if abs(total - slots) <= slots // 1000:
            break
        low, high = (s, high) if total > slots else (low, s)
    return counts


# --- COPY through the models' own metadata ------------------------------------------


class Table:
    """COPY rows into a model's table: the fields named are given per row; every other
    concrete column gets its field's default, prepared as the model would save it.
    Generated columns are the database's."""

    def __init__(self, model, fields: list[str]) -> None:
        from django.db import connection

        self.model = model
        self.name = model._meta.db_table
        by_attname = {field.attname: field for field in model._meta.concrete_fields}
        unknown = [name for name in fields if name not in by_attname]
        if unknown:
            raise ValueError(f"{self.name} has no column {unknown}")
        stamp = NOW.isoformat()
        tail, rest = [], []
        for field in model._meta.concrete_fields:
            if field.attname in fields or getattr(field, "generated", False):
                continue
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                value = stamp
            else:
                value = field.get_db_prep_save(field.get_default(), connection)
                if value is None and not field.null:
                    raise ValueError(
                        f"{self.name}.{field.column} is NOT NULL without a default: "
                        "bench/synthetic.py must fill it"
                    )
            rest.append(field.column)
            tail.append(value)
        self.columns = [by_attname[name].column for name in fields] + rest
        self.tail = tuple(tail)

    def copy(self, rows: Iterable[tuple]) -> int:
        from django.db import connection

        connection.ensure_connection()
        columns = ", ".join(f'"{column}"' for column in self.columns)
        tail = self.tail
        count = 0
        statement = f'COPY "{self.name}" ({columns}) FROM STDIN'
        with connection.connection.cursor() as cursor, cursor.copy(statement) as copy:
            write = copy.write_row
            if tail:
                for row in rows:
                    write(row + tail)
                    count += 1
            else:
                for row in rows:
                    write(row)
                    count += 1
        return count


@contextmanager
def without_indexes(tables: list[str]):
    """Drop the tables' indexes, keys and foreign keys (and foreign keys pointing at
    them) for a bulk load, then make them again from their saved definitions."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), contype
               FROM pg_constraint
               WHERE contype IN ('p', 'u', 'f', 'x')
                 AND (conrelid::regclass::text = ANY(%s) OR confrelid::regclass::text = ANY(%s))""",
            [tables, tables],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            """SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid)
               FROM pg_index
               WHERE indrelid::regclass::text = ANY(%s)
                 AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = indexrelid)""",
            [tables],
        )
        indexes = cursor.fetchall()
        # Foreign keys first: the keys they point at go next.
        order = {"f": 0, "x": 1, "u": 1, "p": 2}
        for table, name, *_ in sorted(constraints, key=lambda c: order[c[3]]):
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT IF EXISTS "{name}"')
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
    log(f"dropped {len(indexes)} indexes and {len(constraints)} constraints for the load")
    yield
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        for table, name, definition, _ in sorted(constraints, key=lambda c: -order[c[3]]):
            if definition.startswith(("PRIMARY", "UNIQUE", "EXCLUDE")):
                cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for _, definition in indexes:
            cursor.execute(definition)
        for table, name, definition, _ in constraints:
            if definition.startswith("FOREIGN"):
                cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        cursor.execute("RESET maintenance_work_mem")
    log(f"indexes and constraints made again in {time.perf_counter() - started:.0f} s")


def reset_sequences(models: list) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)


# --- The catalogue -------------------------------------------------------------------


def import_real_books(size: int, workdir: Path) -> None:
    """The real file through the app's importer: all of it, or its first `size` rows."""
    from catalogue.importers import import_books

    path = REAL_BOOKS_CSV
    if size < REAL_SIZE:
        lines = REAL_BOOKS_CSV.read_text(encoding="utf-8").splitlines(keepends=True)
        path = workdir / "books-prefix.csv"
        # The Hunger Games is row 1, so it is in every prefix.
        path.write_text("".join(lines[: size + 1]), encoding="utf-8")
    started = time.perf_counter()
    report = import_books(path)
    log(f"imported {report.created:,} real books in {time.perf_counter() - started:.0f} s")


def author_names_field() -> bool:
    from catalogue.models import Book

    return any(field.name == "author_names" for field in Book._meta.concrete_fields)


def generate(size: int, workdir: Path) -> dict:
    """Fill the (migrated, empty) database with a catalogue of `size` books; return what
    the benchmark measures (its popular book, ordinary book, prolific author, …)."""
    from django.db import connection

    from articles.models import Article, Topic
    from catalogue.models import Author, Book, Contribution, Rating, Subject
    from shared.slugs import base_slug

    started = time.perf_counter()
    import_real_books(min(size, REAL_SIZE), workdir)
    words = Words()
    real = list(Book.objects.order_by("pk").values_list("pk", "slug", "isbn13", "status"))
    real_credits: dict[int, list[str]] = {}
    for book_id, name in Contribution.objects.order_by("book_id", "position", "pk").values_list(
        "book_id", "author__name"
    ):
        real_credits.setdefault(book_id, []).append(name)
    authors_by_name = dict(Author.objects.order_by("-pk").values_list("name", "pk"))
    hunger_games = Book.objects.get(goodreads_id=HUNGER_GAMES).pk

    synthetic = max(0, size - len(real))
    total = len(real) + synthetic
    first_book = max(pk for pk, *_ in real) + 1
    first_author = max(authors_by_name.values()) + 1
    book_ids = [pk for pk, *_ in real] + list(range(first_book, first_book + synthetic))
    slugs = [slug for _, slug, _, _ in real]
    published = bytearray(status == Book.Status.PUBLISHED for *_, status in real)
    book_slugs = SlugPool(slugs)
    taken_isbns = {isbn for _, _, isbn, _ in real if isbn}

    # Authors: ranked; the first ranks are real authors who get many more books.
    rng = random.Random(f"{SEED}-authors")
    ranked = max(2, synthetic // 5)
    names, author_slugs = [], []
    taken_names = set(authors_by_name)
    author_slug_pool = SlugPool(Author.objects.values_list("slug", flat=True))
    rank_ids = []
    for rank in range(ranked):
        if rank < len(PROLIFIC) and PROLIFIC[rank] in authors_by_name:
            rank_ids.append(authors_by_name[PROLIFIC[rank]])
            continue
        name = PROLIFIC[rank] if rank < len(PROLIFIC) else words.name(rng)
        while name in taken_names:
            name = words.name(rng)
        taken_names.add(name)
        names.append(name)
        author_slugs.append(author_slug_pool.take(base_slug(name, "author")))
        rank_ids.append(first_author + len(names) - 1)
    name_of = {pk: name for name, pk in authors_by_name.items()}
    name_of.update((first_author + i, name) for i, name in enumerate(names))

    # Credits of the synthetic books: Zipf-spread slots, shuffled, one or two a book.
    counts = zipf_counts(
        ranked, round(synthetic * CREDITS_PER_BOOK), round(TOP_AUTHOR_SHARE * size)
    )
    slots = array("I", (rank for rank, count in enumerate(counts) for _ in range(count)))
    slots = array("I", rng.sample(slots, len(slots))) if synthetic else slots
    primary = slots[:synthetic]
    second: dict[int, int] = {}
    extra = slots[synthetic:]
    for index, rank in zip(
        rng.sample(range(synthetic), min(len(extra), synthetic)), extra, strict=False
    ):
        if rank != primary[index]:
            second[index] = rank
    log(
        f"{len(names):,} new authors for {synthetic:,} synthetic books; the first has {counts[0]:,}"
    )

    # Titles, slugs, series.
    rng = random.Random(f"{SEED}-titles")
    titles = [words.title(rng) for _ in range(synthetic)]
    for title in titles:
        slugs.append(book_slugs.take(base_slug(title, "book")))
    rng = random.Random(f"{SEED}-status")
    published += bytearray(rng.random() < 0.98 for _ in range(synthetic))
    series: dict[int, tuple[str, int]] = {}
    by_author: dict[int, list[int]] = {}
    for index, rank in enumerate(primary):
        by_author.setdefault(rank, []).append(index)
    rng = random.Random(f"{SEED}-series")
    taken_series: set[str] = set()
    for rank in sorted(by_author):
        books = by_author[rank]
        position = 0
        while position < len(books) - 1:
            length = rng.randint(2, 7)
            if rng.random() < 0.3:
                name = f"{rng.choice(words.title_words)} {rng.choice(SERIES_NOUNS)}"
                while name in taken_series:
                    name = f"{rng.choice(words.title_words)} {name}"
                taken_series.add(name)
                for number, index in enumerate(books[position : position + length], 1):
                    series[index] = (name, number)
            position += length
    del by_author
    log(f"titles, slugs and {len(taken_series):,} series planned")

    # Ratings per book: a long tail, The Hunger Games first at every size.
    rng = random.Random(f"{SEED}-popularity")
    visitors = max(20_000, size // 2)
    most = max(2_000, size // 20)
    cap = min(most // 2, visitors // 8)
    weights = [(rng.paretovariate(2.2) - 1) * (3 if i < len(real) else 1) for i in range(total)]
    scale = (RATINGS_PER_BOOK * total - most * 2) / sum(weights)
    rating_counts = array("I", (min(cap, int(w * scale + rng.random())) for w in weights))
    hunger_index = book_ids.index(hunger_games)
    rating_counts[hunger_index] = most
    for step, index in enumerate(rng.sample(range(total), 10)):
        if index != hunger_index:
            rating_counts[index] = max(rating_counts[index], int(cap * 0.85**step))
    del weights

    tables = [
        model._meta.db_table
        for model in (Author, Book, Contribution, Book.subjects.through, Rating, Article,
                      Article.embedded_books.through, Article.topics.through)
    ]  # fmt: skip
    histograms = [array("I", bytes(4 * total)) for _ in range(5)]
    subjects = Subject.objects.bulk_create(
        Subject(name=n, slug=base_slug(n, "s")) for n in SUBJECTS
    )
    subject_ids = [subject.pk for subject in subjects]
    topics = Topic.objects.bulk_create(Topic(name=n, slug=base_slug(n, "t")) for n in TOPICS)
    topic_ids = [topic.pk for topic in topics]
    with without_indexes(tables):
        step = time.perf_counter()
        ratings = copy_ratings(book_ids, rating_counts, visitors, histograms)
        log(f"{ratings:,} ratings in {time.perf_counter() - step:.0f} s")
        step = time.perf_counter()
        Table(Author, ["id", "name", "slug"]).copy(
            (first_author + i, name, slug)
            for i, (name, slug) in enumerate(zip(names, author_slugs, strict=True))
        )
        credits = {index: [rank_ids[primary[index]]] for index in range(synthetic)}
        for index, rank in second.items():
            credits[index].append(rank_ids[rank])
        copy_books(
            words, titles, slugs[len(real) :], book_ids[len(real) :], published[len(real) :],
            credits, name_of, series, histograms, len(real), taken_isbns,
        )  # fmt: skip
        copy_contributions(credits, book_ids[len(real) :], Contribution)
        copy_subjects(book_ids, subject_ids, Book)
        log(
            f"{synthetic:,} books, their credits and subjects in {time.perf_counter() - step:.0f} s"
        )
        step = time.perf_counter()
        articles = copy_articles(
            words, size, book_ids, slugs, published, rating_counts, hunger_index, topic_ids,
            name_of, rank_ids, Article,
        )  # fmt: skip
        log(f"{articles:,} articles in {time.perf_counter() - step:.0f} s")
        update_real_histograms(book_ids[: len(real)], histograms)
    reset_sequences([Author, Book, Contribution, Book.subjects.through, Rating, Article,
                     Article.embedded_books.through, Article.topics.through])  # fmt: skip
    if author_names_field():
        fill_real_author_names(real_credits)
    step = time.perf_counter()
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'VACUUM (ANALYZE) "{table}"')
    log(f"VACUUM ANALYZE in {time.perf_counter() - step:.0f} s")
    ordinary = ordinary_book(book_ids, series, published, rating_counts, len(real))
    details = {
        "books": total,
        "ratings": ratings,
        "articles": articles,
        "authors": len(authors_by_name) + len(names),
        "popular_book": hunger_games,
        "ordinary_book": ordinary,
        "load_seconds": round(time.perf_counter() - started),
    }
    log(f"catalogue of {total:,} books loaded in {details['load_seconds']:,} s")
    return details


class SlugPool:
    """Unique slugs for many rows: a base slug, or the next free base-2, base-3, …"""

    def __init__(self, taken: Iterable[str] = ()) -> None:
        self.taken = set(taken)
        self.next_number: dict[str, int] = {}

    def take(self, base: str) -> str:
        number = self.next_number.get(base, 1)
        slug = base
        while slug in self.taken:
            number += 1
            suffix = f"-{number}"
            slug = f"{base[: 200 - len(suffix)]}{suffix}"
        self.next_number[base] = number
        self.taken.add(slug)
        return slug


def copy_ratings(book_ids, rating_counts, visitors: int, histograms) -> int:
    """Every book's ratings, distinct visitors each (the busiest visitors rate thousands
    of books), written in time order so that a book's ratings are spread over the table
    as years of use spread them; the books' per-star counts are tallied on the way."""
    from catalogue.models import Rating

    rng = random.Random(f"{SEED}-ratings")
    assert visitors < 2**21
    visitor_ids = [f"{rng.getrandbits(128):032x}" for _ in range(visitors)]
    addresses = [f"{rng.getrandbits(256):064x}" for _ in range(visitors // 3)]
    profiles = [list(accumulate(profile)) for profile in SCORE_PROFILES]
    buckets = [array("Q") for _ in range(TIME_BUCKETS)]
    rand = rng.random
    for index, count in enumerate(rating_counts):
        if not count:
            continue
        book_id = book_ids[index]
        cumulative = profiles[book_id % len(profiles)]
        top = cumulative[-1]
        chosen = set()
        while len(chosen) < count:
            chosen.add(int(visitors * rand() ** 1.5))
        tally = [0] * 5
        for visitor in chosen:
            score = bisect(cumulative, rand() * top) + 1
            tally[score - 1] += 1
            buckets[int(rand() * TIME_BUCKETS)].append(book_id << 24 | visitor << 3 | score)
        for star in range(5):
            histograms[star][index] = tally[star]

    span = RATING_SPAN / TIME_BUCKETS
    start = NOW - RATING_SPAN

    def rows():
        rating_id = 0
        for number in range(TIME_BUCKETS):
            bucket, buckets[number] = buckets[number], None  # freed as it is written
            moment = start + span * number
            times = [(moment + span * (k / 64)).isoformat() for k in range(64)]
            for packed in bucket:
                rating_id += 1
                visitor = (packed >> 3) & 0x1FFFFF
                stamp = times[visitor & 63]
                yield (
                    rating_id, packed >> 24, visitor_ids[visitor],
                    addresses[visitor % len(addresses)], packed & 7, None, stamp, stamp,
                )  # fmt: skip

    fields = ["id", "book_id", "visitor", "ip_hash", "score", "user_id", "created_at", "updated_at"]
    return Table(Rating, fields).copy(rows())


def copy_books(
    words, titles, slugs, book_ids, published, credits, name_of, series, histograms, offset,
    taken_isbns,
) -> None:  # fmt: skip
    from catalogue.models import Book

    rng = random.Random(f"{SEED}-books")
    fields = [
        "id", "title", "subtitle", "slug", "status", "isbn13", "language", "publication_year",
        "publisher", "print_length", "series", "series_number", "rating_source",
        *(f"ratings_{star}" for star in range(1, 6)),
        *(f"source_ratings_{star}" for star in range(1, 6)),
        "created_at", "updated_at",
    ]  # fmt: skip
    with_names = author_names_field()
    if with_names:
        fields.append("author_names")
    languages = [code for code, weight in LANGUAGES for _ in range(weight)]
    subtitles = ["A Novel", "Stories", "A Memoir", "Poems", "A History", "Essays"]
    isbn_number = 0
    day = timedelta(days=1)

    def rows():
        nonlocal isbn_number
        for index, book_id in enumerate(book_ids):
            isbn = isbn13_for(isbn_number)
            isbn_number += 1
            while isbn in taken_isbns:
                isbn = isbn13_for(isbn_number)
                isbn_number += 1
            name, number = series.get(index, ("", None))
            source = [0] * 5
            if rng.random() < 0.3:
                source = [int(rng.paretovariate(1.3) * n) for n in (2, 4, 12, 20, 18)]
            year = 2025 - int(rng.paretovariate(1.2) * 8) if rng.random() < 0.95 else None
            year = max(year, -800) or 1 if year is not None else None
            stamp = (NOW - day * rng.randrange(3650)).isoformat()
            row = (
                book_id, titles[index],
                rng.choice(subtitles) if rng.random() < 0.08 else "",
                slugs[index],
                Book.Status.PUBLISHED if published[index] else rng.choice(
                    [Book.Status.DRAFT, Book.Status.WITHDRAWN]
                ),
                isbn, rng.choice(languages), year,
                rng.choice(PUBLISHERS) if rng.random() < 0.6 else "",
                rng.randint(90, 900) if rng.random() < 0.7 else None,
                name, Decimal(number) if number else None,
                "Goodreads" if any(source) else "",
                *(histograms[star][offset + index] for star in range(5)),
                *source, stamp, stamp,
            )  # fmt: skip
            if with_names:
                row += (", ".join(name_of[pk] for pk in credits[index]),)
            yield row

    Table(Book, fields).copy(rows())


def copy_contributions(credits, book_ids, Contribution) -> None:
    from django.db.models import Max

    rng = random.Random(f"{SEED}-roles")
    first = (Contribution.objects.aggregate(last=Max("pk"))["last"] or 0) + 1

    def rows():
        number = first
        for index, book_id in enumerate(book_ids):
            for position, author_id in enumerate(credits[index]):
                role = "author" if position == 0 or rng.random() < 0.6 else "translator"
                yield (number, book_id, author_id, role, position)
                number += 1

    Table(Contribution, ["id", "book_id", "author_id", "role", "position"]).copy(rows())


def copy_subjects(book_ids, subject_ids, Book) -> None:
    """Each book 0 to 3 subjects; the first subjects are on nearly half the books."""
    rng = random.Random(f"{SEED}-subjects")
    cumulative = list(accumulate(1 / (k + 1) ** 1.2 for k in range(len(subject_ids))))
    through = Book.subjects.through

    def rows():
        number = 0
        for book_id in book_ids:
            how_many = bisect([0.15, 0.55, 0.85, 1.0], rng.random())
            for subject in sorted(
                set(rng.choices(subject_ids, cum_weights=cumulative, k=how_many))
            ):
                number += 1
                yield (number, book_id, subject)

    Table(through, ["id", "book_id", "subject_id"]).copy(rows())


def copy_articles(
    words, size, book_ids, slugs, published, rating_counts, hunger_index, topic_ids, name_of,
    rank_ids, Article,
) -> int:  # fmt: skip
    """N/10 published articles of a few paragraphs, each embedding one to three public
    books (popular books more often) on lines of their own; the embed rows are the ones
    `Article.refresh_embedded_books()` would keep."""
    from shared.slugs import base_slug

    rng = random.Random(f"{SEED}-articles")
    count = max(10, size // 10)
    public = [index for index, flag in enumerate(published) if flag]
    popular = list(accumulate(rating_counts[index] + 1 for index in public))
    article_slugs = SlugPool()
    embeds: list[tuple[int, int]] = []
    topics: list[tuple[int, int]] = []
    bylines = [name_of[pk] for pk in rank_ids[:200]]
    span = 3650 * 86400

    def rows():
        for number in range(1, count + 1):
            shape = rng.choice([
                "On {0} and {1}", "{0}: a reading of {1}", "Why {0} still matters",
                "The {0} of {1}", "Notes on {0}", "{0} and the {1}",
            ])  # fmt: skip
            title = shape.format(
                *rng.choices(words.title_words, cum_weights=words.title_weights, k=2)
            )
            chosen = []
            if number <= 20 or rng.random() < 0.0002:
                chosen.append(hunger_index)  # the most popular book is in a few articles
            wanted = rng.randint(1, 3)
            while len(chosen) < wanted:
                if rng.random() < 0.4:
                    chosen.append(public[bisect(popular, rng.random() * popular[-1])])
                else:
                    chosen.append(rng.choice(public))
            chosen = list(dict.fromkeys(chosen))
            paragraphs = [
                " ".join(words.sentence(rng, rng.randint(8, 22)) for _ in range(rng.randint(3, 6)))
                for _ in range(rng.randint(3, 6))
            ]
            for index in chosen:
                paragraphs.insert(rng.randint(1, len(paragraphs)), f"[[book:{slugs[index]}]]")
                embeds.append((number, book_ids[index]))
            for topic in set(rng.choices(topic_ids, k=rng.randint(0, 2))):
                topics.append((number, topic))
            moment = (NOW - timedelta(seconds=rng.randrange(span)) - timedelta(days=1)).isoformat()
            body = "\n\n".join(paragraphs)
            row = (
                number, title, article_slugs.take(base_slug(title, "article")), "", body,
                rng.choice(bylines), Article.Status.PUBLISHED, moment, moment, moment,
            )  # fmt: skip
            yield (*row, excerpt_of(body)) if excerpt_of else row

    fields = ["id", "title", "slug", "standfirst", "body", "byline", "status", "published_at",
              "created_at", "updated_at"]  # fmt: skip
    # What the app keeps beside the body on save (an excerpt for teasers), where it does.
    excerpt_of = getattr(import_module(Article.__module__), "excerpt_of", None)
    if excerpt_of is not None:
        fields.append("excerpt")
    written = Table(Article, fields).copy(rows())
    Table(Article.embedded_books.through, ["id", "article_id", "book_id"]).copy(
        (n, article, book) for n, (article, book) in enumerate(embeds, 1)
    )
    Table(Article.topics.through, ["id", "article_id", "topic_id"]).copy(
        (n, article, topic) for n, (article, topic) in enumerate(topics, 1)
    )
    return written


def update_real_histograms(real_ids: list[int], histograms) -> None:
    """The imported books' per-star counts, from the ratings just written."""
    from django.db import connection

    from catalogue.models import Book

    table = Book._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE real_counts (id bigint, s1 int, s2 int, s3 int, s4 int, s5 int)"
        )
        with cursor.cursor.copy("COPY real_counts FROM STDIN") as copy:
            for index, book_id in enumerate(real_ids):
                copy.write_row((book_id, *(histograms[star][index] for star in range(5))))
        cursor.execute(
            f'UPDATE "{table}" AS b SET ratings_1 = c.s1, ratings_2 = c.s2, ratings_3 = c.s3, '
            "ratings_4 = c.s4, ratings_5 = c.s5 FROM real_counts AS c WHERE b.id = c.id"
        )
        cursor.execute("DROP TABLE real_counts")


def fill_real_author_names(real_credits: dict[int, list[str]]) -> None:
    """`Book.author_names` of the imported books, in credit order, where it is blank."""
    from django.db import connection

    from catalogue.models import Book

    table = Book._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE real_names (id bigint, names text)")
        with cursor.cursor.copy("COPY real_names FROM STDIN") as copy:
            for book_id, names in real_credits.items():
                copy.write_row((book_id, ", ".join(names)))
        cursor.execute(
            f'UPDATE "{table}" AS b SET author_names = n.names FROM real_names AS n '
            "WHERE b.id = n.id AND b.author_names = ''"
        )
        cursor.execute("DROP TABLE real_names")


def ordinary_book(book_ids, series, published, rating_counts, offset) -> int:
    """A synthetic book in the middle: public, in a series, rated about as much as most."""
    middle = (len(book_ids) - offset) // 2
    for index in range(middle, len(book_ids) - offset):
        full = offset + index
        if index in series and published[full] and 5 <= rating_counts[full] <= 20:
            return book_ids[full]
    return book_ids[len(book_ids) // 2]


# --- A file of new books, for the import figure --------------------------------------


GOODBOOKS_HEADER = (
    "book_id,goodreads_book_id,best_book_id,work_id,books_count,isbn,isbn13,authors,"
    "original_publication_year,original_title,title,language_code,average_rating,"
    "ratings_count,work_ratings_count,work_text_reviews_count,ratings_1,ratings_2,"
    "ratings_3,ratings_4,ratings_5,image_url,small_image_url"
)


def write_new_books_csv(path: Path, rows: int = 10_000) -> Path:
    """A goodbooks-format file of `rows` books the catalogue does not have (new Goodreads
    ids and ISBNs), by new authors and authors it has."""
    import csv

    from catalogue.isbn import isbn10_from_isbn13

    words = Words()
    rng = random.Random(f"{SEED}-new-books")
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        file.write(GOODBOOKS_HEADER + "\n")
        for number in range(rows):
            isbn13 = isbn13_for(900_000_000 + number)
            counts = [rng.randint(0, 500) for _ in range(5)]
            title = words.title(rng)
            writer.writerow([
                50_000 + number, 900_000_000 + number, 900_000_000 + number, 0, 1,
                isbn10_from_isbn13(isbn13), isbn13, words.name(rng), rng.randint(1900, 2024),
                title, title, "eng", "4.0", sum(counts), sum(counts), 0, *counts, "", "",
            ])  # fmt: skip
    return path


def timed(label: str, action: Callable[[], object]) -> tuple[object, float]:
    started = time.perf_counter()
    result = action()
    seconds = time.perf_counter() - started
    log(f"{label}: {seconds:.1f} s")
    return result, seconds
