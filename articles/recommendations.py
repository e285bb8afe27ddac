"""The "Read next" engine: which articles to recommend under each article, and why.

Signals, each scored 0 to 1 and weighted in WEIGHTS (the one place to tune them):

- books: books both articles embed (share of the smaller set);
- authors, series: authors and series of the books they embed (overlap of the sets);
- topics: topics editors gave both (overlap);
- text: TF-IDF cosine of their words (titles count double), over each article's most
  frequent words (articles.words, kept in Article.text_profile on every save);
- recency: a tie-breaker among equals.

Results are precomputed into the Recommendation table: in full by `refresh_all()`
(`manage.py refresh_recommendations`), and for the articles one change touches by
`refresh_for(article)`. Memory and time follow the number of articles, never its square:
every signal walks an inverted index (book, author, series, topic or word -> articles;
a word keeps its POSTINGS_CAP strongest articles, a book or topic shared by more than
that many is passed over), so each article meets only the articles it shares something
with. For text, an article's QUERY_TERMS heaviest words find the TEXT_CANDIDATES
articles that share most of them, and only those are compared word by word: bounded work
per article at any corpus size. Only the KEEP best are given reasons, and a list that did
not change is not rewritten. Candidates are published articles, scheduled ones included;
the article page filters by publication time when it reads, so a scheduled article joins
others' lists when its time comes.
"""

import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction

from catalogue.models import Contribution
from pagecache.tags import list_of, tags_for_ids
from pagecache.versions import invalidate

from .models import Article, Recommendation, derived_from_text

WEIGHTS = {"books": 3.0, "authors": 1.0, "series": 1.0, "topics": 1.5, "text": 2.5}
RECENCY_WEIGHT = 0.01  # only ever decides between otherwise equal candidates
KEEP = 10  # rows stored per article: slack for articles withdrawn or not yet public
POSTINGS_CAP = 300  # strongest articles kept per word; weaker links add little
QUERY_TERMS = 20  # an article's heaviest words, which look for text candidates
TEXT_CANDIDATES = 100  # articles sharing most of them, whose cosine is computed
MIN_TEXT_SIMILARITY = 0.05
PINNED_SCORE = 1000.0
SHARED_THINGS = ("books", "authors", "series", "topics")  # the signals other than text


@dataclass
class Candidate:
    id: int
    published_at: float  # timestamp, for the tie-breaker
    books: frozenset = frozenset()
    authors: frozenset = frozenset()
    series: frozenset = frozenset()
    topics: frozenset = frozenset()
    vector: dict[str, float] = field(default_factory=dict)
    query: list[str] = field(default_factory=list)  # its heaviest words, to find candidates


class Corpus:
    """Everything the signals need about every article, with inverted indexes."""

    def __init__(self, articles: Iterable[tuple[int, float, dict]], embeds, topics, book_info):
        self.articles: dict[int, Candidate] = {}
        self.public: set[int] = set()
        self.recency: dict[int, float] = {}  # each article's tie-breaker, added to its score
        self.by_book, self.by_topic = defaultdict(set), defaultdict(set)
        self.by_author, self.by_series = defaultdict(set), defaultdict(set)
        self.postings: dict[str, list[int]] = {}  # word -> its strongest articles
        profiles = {}
        for article_id, published_at, is_public, profile in articles:
            self.articles[article_id] = Candidate(article_id, published_at)
            self.recency[article_id] = RECENCY_WEIGHT * _recency(published_at)
            if is_public:
                self.public.add(article_id)
            profiles[article_id] = profile
        self._attach(embeds, topics, book_info)
        self._index_text(profiles)

    def _attach(self, embeds, topics, book_info) -> None:
        books, topic_sets = defaultdict(set), defaultdict(set)
        for article_id, book_id in embeds:
            books[article_id].add(book_id)
        for article_id, topic_id in topics:
            topic_sets[article_id].add(topic_id)
        authors_of, series_of = book_info
        for article_id, candidate in self.articles.items():
            candidate.books = frozenset(books[article_id])
            candidate.topics = frozenset(topic_sets[article_id])
            candidate.authors = frozenset(a for b in candidate.books for a in authors_of.get(b, ()))
            candidate.series = frozenset(series_of[b] for b in candidate.books if b in series_of)
            for key, index in (
                (candidate.books, self.by_book), (candidate.topics, self.by_topic),
                (candidate.authors, self.by_author), (candidate.series, self.by_series),
            ):  # fmt: skip
                for value in key:
                    index[value].add(article_id)

    def _index_text(self, profiles: dict[int, dict[str, int]]) -> None:
        document_frequency = Counter(word for profile in profiles.values() for word in profile)
        total = max(len(profiles), 1)
        postings = defaultdict(list)
        for article_id, profile in profiles.items():
            weights = {
                word: (1 + math.log(count)) * math.log(1 + total / document_frequency[word])
                for word, count in profile.items()
            }
            norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
            candidate = self.articles[article_id]
            candidate.vector = {word: w / norm for word, w in weights.items()}
            candidate.query = heapq.nlargest(QUERY_TERMS, weights, key=weights.__getitem__)
            for word, weight in candidate.vector.items():
                postings[word].append((weight, article_id))
        for word, posting in postings.items():
            if len(posting) > POSTINGS_CAP:
                posting = heapq.nlargest(POSTINGS_CAP, posting)
            self.postings[word] = [article_id for _, article_id in posting]

    def related(
        self, article_id: int, *, excluded: set[int] = frozenset(), limit: int | None = None
    ) -> list[tuple]:
        """(score, other id, reasons) for the public articles related to this one, best
        first: all of them, or the `limit` best."""
        me = self.articles[article_id]
        shared = self._shared(me)
        skipped = {article_id, *excluded}
        recency, public = self.recency, self.public
        # Linked by books, authors, series or topics: every signal is weighed, added in the
        # order of WEIGHTS as `_signals` lists them (a signal at zero adds nothing).
        linked = set().union(*(shared[name] for name in SHARED_THINGS))
        scores = dict.fromkeys((linked - skipped) & public, 0.0)
        for name in SHARED_THINGS:
            weight, mine = WEIGHTS[name], len(getattr(me, name))
            for other_id, count in shared[name].items():
                if other_id in scores:
                    theirs = len(getattr(self.articles[other_id], name))
                    scores[other_id] += weight * (count / min(mine, theirs))
        for other_id in scores:
            text = _at_least(shared["text"].get(other_id, 0.0), MIN_TEXT_SIMILARITY)
            scores[other_id] += WEIGHTS["text"] * text
        scored = [(score + recency[other_id], other_id) for other_id, score in scores.items()]
        # Linked by their words alone: the same sum, without the other signals' zeros. Text
        # below the threshold scores nothing, so it makes no candidate on its own.
        text_weight, passed = WEIGHTS["text"], scores.keys() | skipped
        scored += [
            (text_weight * value + recency[other_id], other_id)
            for other_id, value in shared["text"].items()
            if value >= MIN_TEXT_SIMILARITY and other_id not in passed and other_id in public
        ]
        best = sorted(scored, reverse=True) if limit is None else heapq.nlargest(limit, scored)
        return [
            (score, other_id, _reasons(shared, other_id, self._signals(me, other_id, shared)))
            for score, other_id in best
        ]

    def _shared(self, me: Candidate) -> dict[str, Counter | dict[int, float]]:
        """Per other article: how many books, topics, authors and series it shares with
        `me`, and the cosine of their words, from the inverted indexes."""
        shared = {}
        for name, values, index in (
            ("books", me.books, self.by_book), ("topics", me.topics, self.by_topic),
            ("authors", me.authors, self.by_author), ("series", me.series, self.by_series),
        ):  # fmt: skip
            shared[name] = Counter()
            for value in values:
                if len(index[value]) <= POSTINGS_CAP:  # shared by more, it tells little
                    shared[name].update(index[value])
        # Text: the articles that share most of my heaviest words (counted in C by
        # Counter.update), then the exact cosine of the whole vectors for those alone.
        hits = Counter()
        for word in me.query:
            hits.update(self.postings.get(word, ()))
        mine, similarity = me.vector, {}
        for other_id, _ in hits.most_common(TEXT_CANDIDATES):
            theirs = self.articles[other_id].vector
            similarity[other_id] = sum(mine[word] * theirs[word] for word in mine.keys() & theirs)
        shared["text"] = similarity
        return shared

    def _signals(self, me: Candidate, other_id: int, shared: dict) -> dict[str, float]:
        """Each signal's value, 0 to 1, between `me` and another article (for the reasons)."""
        other = self.articles[other_id]
        return {
            "books": _overlap(shared["books"][other_id], me.books, other.books),
            "authors": _overlap(shared["authors"][other_id], me.authors, other.authors),
            "series": _overlap(shared["series"][other_id], me.series, other.series),
            "topics": _overlap(shared["topics"][other_id], me.topics, other.topics),
            "text": _at_least(shared["text"].get(other_id, 0.0), MIN_TEXT_SIMILARITY),
        }


def _at_least(value: float, threshold: float) -> float:
    return value if value >= threshold else 0.0


def _overlap(shared: int, mine: frozenset, theirs: frozenset) -> float:
    if not shared:
        return 0.0
    return shared / min(len(mine), len(theirs))


def _recency(timestamp: float) -> float:
    """0 to 1, newer is higher (a smooth curve over years, for breaking ties only)."""
    return 1 - 1 / (1 + max(timestamp, 0) / 3.15e7 / 50)


def _reasons(shared, other_id: int, signals: dict[str, float]) -> str:
    parts = []
    if signals["books"]:
        n = shared["books"][other_id]
        parts.append(f"shares {n} book{'s' if n > 1 else ''}")
    if signals["series"]:
        parts.append("same series")
    if signals["authors"] and not signals["books"]:
        parts.append("same author")
    if signals["topics"]:
        n = shared["topics"][other_id]
        parts.append(f"shares {n} topic{'s' if n > 1 else ''}")
    if signals["text"]:
        parts.append("similar text")
    return ", ".join(parts)


def load_corpus() -> Corpus:
    """Read what the signals need for every article, in a handful of streaming queries."""
    articles = (
        (
            pk,
            published_at.timestamp() if published_at else 0.0,  # drafts have no time yet
            status == Article.Status.PUBLISHED,
            profile or {},
        )
        for pk, published_at, status, profile in Article.objects.order_by()
        .values_list("pk", "published_at", "status", "text_profile")
        .iterator(chunk_size=2000)
    )
    embeds = Article.embedded_books.through.objects.values_list("article_id", "book_id").iterator()
    topics = Article.topics.through.objects.values_list("article_id", "topic_id").iterator()
    authors_of, series_of = defaultdict(set), {}
    embedded = Article.embedded_books.through.objects.values("book_id")
    for book_id, author_id in Contribution.objects.filter(book__in=embedded).values_list(
        "book_id", "author_id"
    ):
        authors_of[book_id].add(author_id)
    for book_id, series in (
        Article.embedded_books.through.objects.exclude(book__series="")
        .values_list("book_id", "book__series")
        .distinct()
    ):
        series_of[book_id] = series
    return Corpus(articles, embeds, topics, (authors_of, series_of))


def _list_for(corpus: Corpus, article_id: int, pins: list[int], excluded: set[int]) -> list:
    """The rows to store for one article: (recommended id, score, reasons, pinned)."""
    rows = [
        (pin, PINNED_SCORE - n, "pinned by an editor", True)
        for n, pin in enumerate(pins)
        if pin != article_id
    ]
    if len(rows) < KEEP:
        related = corpus.related(article_id, excluded=excluded | set(pins), limit=KEEP - len(rows))
        rows += [
            (other_id, round(score, 6), reasons, False) for score, other_id, reasons in related
        ]
    return rows


def _steering(article_ids: list[int] | None = None) -> tuple[dict, dict]:
    """Editors' pins (newest first) and exclusions, per article."""
    pins, excluded = defaultdict(list), defaultdict(set)
    pinned = Article.pinned_recommendations.through.objects.order_by("-to_article__published_at")
    blocked = Article.excluded_recommendations.through.objects.all()
    if article_ids is not None:
        pinned = pinned.filter(from_article_id__in=article_ids)
        blocked = blocked.filter(from_article_id__in=article_ids)
    for source, target in pinned.values_list("from_article_id", "to_article_id"):
        pins[source].append(target)
    for source, target in blocked.values_list("from_article_id", "to_article_id"):
        excluded[source].add(target)
    return pins, excluded


def _write(corpus: Corpus, article_ids: list[int]) -> None:
    """Store the lists of these articles, rewriting only those that changed."""
    pins, excluded = _steering(article_ids)
    lists = {pk: _list_for(corpus, pk, pins[pk], excluded[pk]) for pk in article_ids}
    with transaction.atomic():
        stored = defaultdict(set)
        for article_id, *row in Recommendation.objects.filter(
            article_id__in=article_ids
        ).values_list("article_id", "recommended_id", "score", "reasons", "pinned"):
            stored[article_id].add(tuple(row))
        changed = [pk for pk in article_ids if set(lists[pk]) != stored[pk]]
        if not changed:
            return
        Recommendation.objects.filter(article_id__in=changed).delete()
        rows = [(pk, *row) for pk in changed for row in lists[pk]]
        if rows:
            _insert(rows)
        invalidate(*tags_for_ids(Article, changed))  # their "Read next" changed


def _insert(rows: list[tuple]) -> None:
    """INSERT (article id, recommended id, score, reasons, pinned) rows in one executemany:
    bulk_create, which builds a model and its SQL per row, takes four times as long."""
    meta = Recommendation._meta
    names = ("article", "recommended", "score", "reasons", "pinned")
    columns = ", ".join(connection.ops.quote_name(meta.get_field(name).column) for name in names)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({columns}) "
            f"VALUES ({', '.join(['%s'] * len(names))})",
            rows,
        )


def refresh_profiles(
    *, every: bool = False, progress: Callable[[int, int], None] | None = None
) -> int:
    """Compute the text profiles that are missing (articles written in bulk, around
    Article.save), or with `every` all of them (after a change to articles.words), and
    the word counts with them (the reading time); only the rows that changed are
    written. Returns the number written."""
    fields = ["text_profile", "word_count"]
    articles = Article.objects.only("pk", "title", "body", *fields).order_by("pk")
    if not every:
        articles = articles.filter(text_profile={})
    total, written, batch, retimed = articles.count(), 0, [], []
    for done, article in enumerate(articles.iterator(chunk_size=500), 1):
        derived = derived_from_text(article.title, article.body)
        if any(getattr(derived, name) != getattr(article, name) for name in fields):
            if derived.word_count != article.word_count:
                retimed.append(article.pk)
            for name in fields:
                setattr(article, name, getattr(derived, name))
            batch.append(article)
        if len(batch) >= 500:
            _write_profiles(batch, fields, retimed)
            written += len(batch)
            batch.clear()
            retimed.clear()
        if progress and done % 500 == 0:
            progress(done, total)
    _write_profiles(batch, fields, retimed)
    return written + len(batch)


def _write_profiles(batch: list[Article], fields: list[str], retimed: list[int]) -> None:
    """Write a batch; a bulk update sends no signal, so the pages of the `retimed`
    articles (their reading time changed) go here, and every list of their teasers
    (the "Read next" kept for other articles among them)."""
    Article.objects.bulk_update(batch, fields)
    if retimed:
        invalidate(list_of(Article), *tags_for_ids(Article, retimed))


def refresh_all(
    *,
    every_profile: bool = False,
    progress: Callable[[int, int], None] | None = None,
    batch_size: int = 500,
) -> int:
    """Recompute every article's list (and the text profiles missing, or with
    `every_profile` all of them). Returns the number of articles refreshed."""
    refresh_profiles(every=every_profile)
    corpus = load_corpus()
    ids = sorted(corpus.articles)
    for start in range(0, len(ids), batch_size):
        _write(corpus, ids[start : start + batch_size])
        if progress:
            progress(min(start + batch_size, len(ids)), len(ids))
    return len(ids)


def refresh_for(*articles: Article) -> set[int]:
    """After these articles were saved, published or withdrawn: refresh their own lists
    and those of the articles they enter or leave, over one reading of the corpus.
    Returns the ids refreshed. (Their text profiles were kept by Article.save.)"""
    corpus = load_corpus()
    changed = {article.pk for article in articles}
    touched = set(changed)
    # Lists they were in: they may have changed or left.
    touched |= set(
        Recommendation.objects.filter(recommended__in=changed).values_list("article_id", flat=True)
    )
    # Lists they may now enter: related articles whose weakest kept entry one of them beats.
    best = {}
    for article_id in changed & corpus.public:
        for score, other_id, _ in corpus.related(article_id):
            best[other_id] = max(score, best.get(other_id, score))
    weakest = _weakest_kept(list(best))
    touched |= {pk for pk, score in best.items() if pk not in weakest or score > weakest[pk]}
    touched = {pk for pk in touched if pk in corpus.articles}
    _write(corpus, sorted(touched))
    return touched


def _weakest_kept(article_ids: list[int]) -> dict[int, float]:
    """For articles whose list is full, the lowest score kept; absent if not full."""
    scores = defaultdict(list)
    for article_id, score in Recommendation.objects.filter(
        article_id__in=article_ids, pinned=False
    ).values_list("article_id", "score"):
        scores[article_id].append(score)
    return {pk: min(values) for pk, values in scores.items() if len(values) >= KEEP}
