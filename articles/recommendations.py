"""The "Read next" engine: which articles to recommend under each article, and why.

Signals, each scored 0 to 1 and weighted in WEIGHTS (the one place to tune them):

- books: books both articles embed (share of the smaller set);
- authors, series: authors and series of the books they embed (overlap of the sets);
- topics: topics editors gave both (overlap);
- text: TF-IDF cosine of their words (titles count double), over each article's
  PROFILE_TERMS most frequent words, kept in Article.text_profile;
- recency: a tie-breaker among equals.

Results are precomputed into the Recommendation table: in full by `refresh_all()`
(`manage.py refresh_recommendations`), and for the articles one change touches by
`refresh_for(article)`. Memory follows the number of articles, never its square: the
text signal walks an inverted index whose posting lists are capped. Candidates are
published articles, scheduled ones included; the article page filters by publication
time when it reads, so a scheduled article joins others' lists when its time comes.
"""

import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction

from catalogue.models import Contribution
from pagecache.tags import tags_for_ids
from pagecache.versions import invalidate

from . import rendering
from .models import Article, Recommendation

WEIGHTS = {"books": 3.0, "authors": 1.0, "series": 1.0, "topics": 1.5, "text": 2.5}
RECENCY_WEIGHT = 0.01  # only ever decides between otherwise equal candidates
KEEP = 10  # rows stored per article: slack for articles withdrawn or not yet public
PROFILE_TERMS = 40  # most frequent words kept per article
POSTINGS_CAP = 300  # strongest articles kept per word; weaker links add little
MIN_TEXT_SIMILARITY = 0.05
PINNED_SCORE = 1000.0

WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
COMMON_WORDS = """about above after again against all also and any are because been before
    being below
    between both but can could did does doing down during each few for from further had has
    have having her here hers herself him himself his how into its itself just more most
    nor not now off once only other our ours ourselves out over own same she should some
    such than that the their theirs them themselves then there these they this those
    through too under until very was were what when where which while who whom why will
    with would you your yours yourself yourselves one two many much may might must shall
    upon even still yet ever every like well back made make way new old first last long
    great little own right big high different small large next early young important few
    public bad same able book books read reading story"""
STOP_WORDS = frozenset(COMMON_WORDS.split())


def text_profile(title: str, body: str) -> dict[str, int]:
    """An article's most frequent meaningful words, with counts; the title counts twice."""
    words = Counter()
    for text, weight in ((title, 2), (rendering.plain_text(body), 1)):
        for word in WORD.findall(text.lower()):
            if word not in STOP_WORDS:
                words[word] += weight
    return dict(words.most_common(PROFILE_TERMS))


@dataclass
class Candidate:
    id: int
    published_at: float  # timestamp, for the tie-breaker
    books: frozenset = frozenset()
    authors: frozenset = frozenset()
    series: frozenset = frozenset()
    topics: frozenset = frozenset()
    vector: dict[str, float] = field(default_factory=dict)


class Corpus:
    """Everything the signals need about every article, with inverted indexes."""

    def __init__(self, articles: Iterable[tuple[int, float, dict]], embeds, topics, book_info):
        self.articles: dict[int, Candidate] = {}
        self.public: set[int] = set()
        self.by_book, self.by_topic = defaultdict(set), defaultdict(set)
        self.by_author, self.by_series = defaultdict(set), defaultdict(set)
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        profiles = {}
        for article_id, published_at, is_public, profile in articles:
            self.articles[article_id] = Candidate(article_id, published_at)
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
        for article_id, profile in profiles.items():
            weights = {
                word: (1 + math.log(count)) * math.log(1 + total / document_frequency[word])
                for word, count in profile.items()
            }
            norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
            vector = {word: w / norm for word, w in weights.items()}
            self.articles[article_id].vector = vector
            for word, weight in vector.items():
                self.postings[word].append((article_id, weight))
        for posting in self.postings.values():
            if len(posting) > POSTINGS_CAP:
                posting.sort(key=lambda item: item[1], reverse=True)
                del posting[POSTINGS_CAP:]

    def related(self, article_id: int, *, excluded: set[int] = frozenset()) -> list[tuple]:
        """(score, other id, reasons) for every public article related to this one."""
        me = self.articles[article_id]
        shared: dict[str, Counter] = {name: Counter() for name in WEIGHTS}
        for name, values, index in (
            ("books", me.books, self.by_book), ("topics", me.topics, self.by_topic),
            ("authors", me.authors, self.by_author), ("series", me.series, self.by_series),
        ):  # fmt: skip
            for value in values:
                if len(index[value]) > POSTINGS_CAP:
                    continue  # shared by that many articles, it tells them apart little
                for other in index[value]:
                    shared[name][other] += 1
        for word, weight in me.vector.items():
            for other, other_weight in self.postings.get(word, ()):
                shared["text"][other] += weight * other_weight
        # Text below the threshold scores nothing: such articles are candidates only if
        # another signal links them (this keeps the work near the number of real links).
        text = {other for other, value in shared["text"].items() if value >= MIN_TEXT_SIMILARITY}
        others = text.union(*(shared[name] for name in shared if name != "text"))
        others -= {article_id, *excluded}
        results = []
        for other_id in others & self.public:
            other = self.articles[other_id]
            signals = {
                "books": _overlap(shared["books"][other_id], me.books, other.books),
                "authors": _overlap(shared["authors"][other_id], me.authors, other.authors),
                "series": _overlap(shared["series"][other_id], me.series, other.series),
                "topics": _overlap(shared["topics"][other_id], me.topics, other.topics),
                "text": _at_least(shared["text"][other_id], MIN_TEXT_SIMILARITY),
            }
            score = sum(WEIGHTS[name] * value for name, value in signals.items())
            if score <= 0:
                continue
            reasons = _reasons(shared, other_id, signals)
            results.append(
                (score + RECENCY_WEIGHT * _recency(other.published_at), other_id, reasons)
            )
        results.sort(reverse=True)
        return results


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


def _rows_for(corpus: Corpus, article_id: int, pins: list[int], excluded: set[int]) -> list:
    rows = [
        Recommendation(
            article_id=article_id, recommended_id=pin, score=PINNED_SCORE - n,
            reasons="pinned by an editor", pinned=True,
        )
        for n, pin in enumerate(pins)
        if pin != article_id
    ]  # fmt: skip
    taken = set(pins)
    for score, other_id, reasons in corpus.related(article_id, excluded=excluded | taken):
        if len(rows) >= KEEP:
            break
        rows.append(
            Recommendation(
                article_id=article_id, recommended_id=other_id, score=round(score, 6),
                reasons=reasons,
            )
        )  # fmt: skip
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
    pins, excluded = _steering(article_ids)
    rows = []
    for article_id in article_ids:
        rows += _rows_for(corpus, article_id, pins[article_id], excluded[article_id])
    with transaction.atomic():
        Recommendation.objects.filter(article_id__in=article_ids).delete()
        Recommendation.objects.bulk_create(rows, batch_size=1000)
        invalidate(*tags_for_ids(Article, article_ids))  # their "Read next" changed


def refresh_profiles(progress: Callable[[int, int], None] | None = None) -> None:
    """Recompute every article's text profile (after a change to the tokenizer)."""
    total = Article.objects.count()
    batch = []
    for done, article in enumerate(
        Article.objects.only("pk", "title", "body").order_by("pk").iterator(chunk_size=500), 1
    ):
        article.text_profile = text_profile(article.title, article.body)
        batch.append(article)
        if len(batch) >= 500:
            Article.objects.bulk_update(batch, ["text_profile"])
            batch.clear()
        if progress and done % 500 == 0:
            progress(done, total)
    Article.objects.bulk_update(batch, ["text_profile"])


def refresh_all(
    *, progress: Callable[[int, int], None] | None = None, batch_size: int = 500
) -> int:
    """Recompute every article's list. Returns the number of articles refreshed."""
    refresh_profiles()
    corpus = load_corpus()
    ids = sorted(corpus.articles)
    for start in range(0, len(ids), batch_size):
        _write(corpus, ids[start : start + batch_size])
        if progress:
            progress(min(start + batch_size, len(ids)), len(ids))
    return len(ids)


def refresh_for(article: Article) -> set[int]:
    """After `article` was saved, published or withdrawn: refresh its own list and those
    of the articles it enters or leaves. Returns the ids refreshed."""
    Article.objects.filter(pk=article.pk).update(
        text_profile=text_profile(article.title, article.body)
    )
    corpus = load_corpus()
    touched = {article.pk}
    # Lists it was in: it may have changed or left.
    touched |= set(
        Recommendation.objects.filter(recommended=article).values_list("article_id", flat=True)
    )
    if article.pk in corpus.public:
        # Lists it may now enter: related articles whose weakest kept entry it beats.
        related = corpus.related(article.pk)
        weakest = _weakest_kept([other for _, other, _ in related])
        for score, other_id, _ in related:
            if other_id not in weakest or score > weakest[other_id]:
                touched.add(other_id)
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
