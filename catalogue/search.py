"""Finding books by title, author or ISBN, and keeping the document searched in step.

Each book has one stored search document: its title, `author_names` (kept by
`refresh_author_names`), subtitle and series, weighted in that order.

PostgreSQL: the `search_document` column (a generated tsvector, GIN-indexed, migration
0012) matched with `websearch_to_tsquery` in the `colophon_search` configuration (no
stemming, no stop words, so "It" and "Us" are findable, and so are Arabic titles;
accents folded, so "marquez" finds Márquez), ranked by `ts_rank`.

SQLite: the FTS5 table `catalogue_book_search` (unicode61, diacritics removed), every
word required, the last also as a prefix, ranked by bm25 with the same weights.

On both, the same rules then (issue 25): a book whose title is the query (case,
accents and punctuation folded) comes first, the most read of equal titles first; a
query ending in a number ("hunger games 2", "dune #3") puts that number of the series
next; then relevance, nudged a little towards the books most rated. When the words as
typed find nothing, each word no book has is replaced by the catalogue's words a typo
or two away (catalogue.typos) and the search runs again. The search as typed always
runs first, so that an ordinary search is one query (asking the vocabulary first cost
each search one more; with a word no book has, the search as typed reads a few index
entries and ranks nothing: see _candidates).
"""

import re
from collections.abc import Iterable
from decimal import Decimal

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVectorField,
)
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Length, Ln

from shared.fulltext import StoredColumn, fts5_query

from .fulltext import (
    BOOK_INDEX,
    BOOK_SEARCH_CONFIG,
    TitleKey,
    TitleWords,
    author_names_update_sql,
    folded_words,
    title_key,
    title_words,
)
from .isbn import looks_like_isbn, normalise_isbn13
from .models import Book
from .querysets import BookQuerySet, card_lookups, searchable
from .typos import (
    QUERY_WORDS_AT_MOST,
    SUGGESTION_TWO_TYPOS_FROM,
    TypedWord,
    correct,
    typo_distance,
    typos_allowed,
)

# PostgreSQL ranks at most this many matches, the most rated (see _candidates), of the
# first FOUND_AT_MOST matches the index gives and of the MOST_READ most rated books.
RANKED_AT_MOST = 500
FOUND_AT_MOST = 500
MOST_READ = 2000
EDGE_PUNCTUATION = "\"'()[]{}*-+.,;:!?^~"
# "hunger games 2", "The Hunger Games, #2", "dune book 3": words, then a place in a series.
SERIES_PLACE = re.compile(
    r"^(?P<words>.*?[^\W\d_].*?)[\s,]*(?:#|no\.?|book|vol\.?|volume)?\s*"
    r"(?P<number>\d{1,4}(?:\.\d+)?)$",
    re.IGNORECASE,
)
# How many did-you-mean suggestions a search that found nothing offers.
SUGGESTION_COUNT = 5
# A query's words before a number, and the number: the series and the place in it asked
# for ("hunger games", 2), or None.
SeriesPlace = tuple[str, Decimal] | None


def book_document() -> StoredColumn:
    """The book's stored search document (PostgreSQL)."""
    return StoredColumn("search_document", SearchVectorField())


def refresh_author_names(book_ids: Iterable[int] | QuerySet) -> None:
    """Set `Book.author_names` of these books from their credits, in one query, in the
    caller's transaction: after credits change (catalogue.signals), an author is
    renamed, books merge, an import writes a batch. `book_ids` is ids, or a queryset of
    one column of ids (`Contribution.objects.filter(author=a).values("book_id")`).

    It writes the column directly, so no `Book.save()` (no new version, no signal);
    rows whose names did not change are not written."""
    if isinstance(book_ids, QuerySet):
        books_sql, params = book_ids.query.sql_with_params()
    else:
        params = list(book_ids)
        if not params:
            return
        books_sql = ", ".join(["%s"] * len(params))
    with connection.cursor() as cursor:
        cursor.execute(author_names_update_sql(connection.vendor, books_sql), params)


refresh_author_names.alters_data = True


def _title_closeness(query: str) -> Case:
    """1 for the exact title, 0.5 for a title that starts with the query, else 0 (the
    query as typed, or its words without the punctuation around them)."""
    words = " ".join(filter(None, (word.strip(EDGE_PUNCTUATION) for word in query.split())))
    return Case(
        When(Q(title__iexact=query) | Q(title__iexact=words), then=Value(1.0)),
        When(Q(title__istartswith=query) | Q(title__istartswith=words), then=Value(0.5)),
        default=Value(0.0),
        output_field=FloatField(),
    )


def _titled(readings: list[str]) -> Q:
    """The books whose title is one of these readings of the query, folded."""
    titled = Q()
    for reading in readings:
        titled |= Q(_title_key=TitleKey(Value(reading)))
    return titled


class TitleWithin(Func):
    """Whether every word of a title but the little ones is one of `words` ("The Hobbit"
    within "tolkien hobbit"); never for a title of little words only."""

    output_field = BooleanField()

    def __init__(self, title, words: list[str]) -> None:
        super().__init__(TitleWords(title))
        self.words = words

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return (
            f"({sql} <> '' AND string_to_array({sql}, ' ') <@ %s::text[])",
            [*params, *params, self.words],
        )

    def as_sqlite(self, compiler, connection, **extra):
        # The title's words as a JSON array (a title key holds letters, digits, spaces).
        sql, params = compiler.compile(self.source_expressions[0])
        listed = ", ".join(["%s"] * len(self.words))
        return (
            f"NOT EXISTS (SELECT 1 FROM json_each('[\"' || replace({sql}, ' ', '\",\"') "
            f"|| '\"]') WHERE value NOT IN ({listed}))",
            [*params, *self.words],
        )


def _same_words(readings: list[str]) -> Q:
    """The books whose title's words but the little ones are one of these readings'."""
    same_words = Q()
    for reading in readings:
        if title_words(reading):
            same_words |= Q(_title_words=TitleWords(Value(reading)))
    return same_words


def _short(readings: list[str]) -> Q:
    """Only a title of about the query's length can fold into it: the folding (unaccent
    and regular expressions) is the costly part of ranking 500 matches."""
    return Q(_title_length__lte=max(len(reading) for reading in readings) * 2 + 12)


def _leading(
    readings: list[str],
    series_place: SeriesPlace,
    most_read_titled: "tuple[QuerySet, QuerySet | None] | None" = None,
) -> Case:
    """What puts a book ahead of relevance: its title is the query, folded (the most
    read such book first); or its title's words but the little ones are the query's
    ("road", "heretics daughter"), the same; or it is at the place in the series the
    query ends with, in the series named so first ("minds motors novels 4"); or every
    word of its title is in the query, the others found in its authors or series
    ("tolkien hobbit": The Hobbit, not a box set whose title holds both words). One
    number, so the folding runs once per row.

    `most_read_titled` (PostgreSQL: _most_read_titled's ids): the titled books are
    those, found through the indexes, not by folding each row's title (hundreds of
    matches of a common word); the ones left out have fewer readers than a page of
    those, so would come after a page of them either way."""
    short = _short(readings)
    count = Cast("rating_total_count", FloatField())
    if most_read_titled is not None:
        titled, same_words = most_read_titled
        lead = [When(pk__in=titled, then=Value(3e12) + count)]
        if same_words is not None:
            lead.append(When(pk__in=same_words, then=Value(2e12) + count))
    else:
        lead = [When(short & _titled(readings), then=Value(3e12) + count)]
        if same_words := _same_words(readings):
            lead.append(When(short & same_words, then=Value(2e12) + count))
    if series_place is not None:
        name, number = series_place
        at_place = Q(series_number=number)
        lead.append(When(at_place & Q(_series_key=TitleKey(Value(name))), then=Value(1.5)))
        lead.append(When(at_place, then=Value(1.0)))
    typed = list(dict.fromkeys(word for reading in readings for word in title_key(reading).split()))
    if len(typed) > 1:
        lead.append(When(short & TitleWithin("title", typed), then=Value(0.5)))
    return Case(*lead, default=Value(0.0), output_field=FloatField())


def _postgres(
    books: BookQuerySet,
    text_query: SearchQuery,
    readings: list[str],
    series_place: SeriesPlace,
    limit: int,
) -> BookQuerySet:
    """`readings`: the query as typed, and as corrected (the first is ranked by); `limit`:
    how many books are wanted, best first."""
    # ts_rank of the stored vector (weights A to D: title, authors, subtitle, series),
    # not divided by the document's length: that put a namesake's two-word book above
    # One Hundred Years of Solitude for "marquez". Among equal matches readers' favourites
    # lead (_best); a title that starts with the query gets a lift (_title_closeness).
    rank = SearchRank(book_document(), text_query, normalization=Value(0))
    most_read_titled = _most_read_titled(books, readings, limit)
    return (
        books.filter(pk__in=_candidates(books, text_query, most_read_titled, limit))
        .alias(
            _title_key=TitleKey("title"),
            _title_words=TitleWords("title"),
            _title_length=Length("title"),
            _series_key=TitleKey("series"),
        )
        .annotate(
            lead=_leading(readings, series_place, most_read_titled),
            score=rank * Value(10.0) + _title_closeness(readings[0]),
        )
    )


def _most_read_titled(
    books: BookQuerySet, readings: list[str], limit: int
) -> tuple[QuerySet, QuerySet | None]:
    """The ids of the `limit` most read books titled as one of the readings, folded, and
    of those whose title's words but the little ones are a reading's (None when the
    readings are little words only), through the title key's and title words' indexes;
    of a title only as long as _leading would fold."""
    titled_books = books.alias(
        _title_key=TitleKey("title"),
        _title_words=TitleWords("title"),
        _title_length=Length("title"),
    ).order_by("-rating_total_count", "pk")
    short = _short(readings)
    titled = titled_books.filter(short & _titled(readings)).values("pk")[:limit]
    same_words = _same_words(readings)
    if not same_words:
        return titled, None
    return titled, titled_books.filter(short & same_words).values("pk")[:limit]


def _candidates(
    books: BookQuerySet,
    text_query: SearchQuery,
    most_read_titled: tuple[QuerySet, QuerySet | None],
    limit: int,
) -> RawSQL:
    """The ids of the books worth ranking: the `most_read_titled` (_most_read_titled:
    the most read titled as the query, folded, and with its words but the little ones),
    however little read ("It" is a word of thousands of titles); and the RANKED_AT_MOST
    most rated of the matches, when they are at most FOUND_AT_MOST (exactly then); of a
    word in many books, the most rated of the first FOUND_AT_MOST the index gives and of
    those among the MOST_READ most rated books.

    Reading every match ("the", in two books of five) or walking the ratings index
    until enough match ("love", one book in a hundred: 50,000 rows at a million books)
    cost a third of a second; these two reads cost at most FOUND_AT_MOST and MOST_READ
    rows. Each is a subquery with a LIMIT, which PostgreSQL plans apart. The second is
    read only when the first stopped at its limit (else it holds every match already):
    a query of rare words, or of a word no book has, never reads the MOST_READ rows.

    When `limit` books are titled as the query (431 are titled "Love" at a million
    books), they lead (_leading) and fill the page: nothing else is read, or ranked."""
    document = books.annotate(document=book_document())
    compiler = document.query.get_compiler(connection=connection)
    match, match_params = compiler.compile(text_query.resolve_expression(document.query))
    found, found_params = (
        document.filter(document=text_query)
        .order_by()
        .values("pk", "rating_total_count")[:FOUND_AT_MOST]
        .query.sql_with_params()
    )
    best_read, best_read_params = (
        document.order_by("-rating_total_count", "pk")
        .values("pk", "rating_total_count", "document")[:MOST_READ]
        .query.sql_with_params()
    )
    titled_ids, same_words = most_read_titled
    titled, titled_params = titled_ids.query.sql_with_params()

    def most_rated(table: str) -> str:
        return f"ORDER BY {table}.rating_total_count DESC, {table}.pk LIMIT {RANKED_AT_MOST:d}"

    # CTEs named twice are read once; the counts are one-time filters, worked out
    # before what they guard is read.
    wanting = f"(SELECT count(*) FROM titled) < {limit:d}"
    sql = (
        f"WITH titled AS ({titled}), found AS ({found}) "
        f"(SELECT titled.pk FROM titled) UNION "
        f"(SELECT found.pk FROM found WHERE {wanting} {most_rated('found')}) UNION "
        f"(SELECT best_read.pk FROM ({best_read}) AS best_read "
        f"WHERE {wanting} AND (SELECT count(*) FROM found) >= {FOUND_AT_MOST:d} "
        f"AND best_read.document @@ {match} {most_rated('best_read')})"
    )
    same_words_params = ()
    if same_words is not None:
        part, same_words_params = same_words.query.sql_with_params()
        sql += f" UNION (SELECT same_words.pk FROM ({part}) AS same_words WHERE {wanting})"
    return RawSQL(
        sql,
        (*titled_params, *found_params, *best_read_params, *match_params, *same_words_params),
    )


def _sqlite(
    books: BookQuerySet, match: str, readings: list[str], series_place: SeriesPlace
) -> BookQuerySet:
    relevance = BOOK_INDEX.relevance(match)
    return (
        books.filter(pk__in=BOOK_INDEX.matching(match))
        .alias(
            _title_key=TitleKey("title"),
            _title_words=TitleWords("title"),
            _title_length=Length("title"),
            _series_key=TitleKey("series"),
        )
        .annotate(
            lead=_leading(readings, series_place),
            # bm25 grows without bound; its logarithm stays on ts_rank's scale above.
            score=Ln(relevance + Value(1.0)) + _title_closeness(readings[0]),
        )
    )


def _best(matches: BookQuerySet, count: int) -> list[Book]:
    """The `count` best of `matches`."""
    return list(_ranked(matches)[:count])


def _ranked(matches: BookQuerySet) -> BookQuerySet:
    """`matches` in order: the title asked for (the most read of
    equal titles first), then the place in the series asked for, then relevance;
    among equals, and a little across them, what readers know best."""
    return (
        matches
        # In floating point: PostgreSQL's ln() of a numeric costs ~10 µs a row.
        .alias(
            popularity=Ln(Cast("rating_total_count", FloatField()) + 1.0) / 20.0,
        ).order_by(
            F("lead").desc(),
            (F("score") + F("popularity")).desc(),
            F("rating_total_count").desc(),
            "title",
            "pk",  # the same order every time, whichever plan reads them
        )
    )


def _series_place(query: str) -> tuple[str, SeriesPlace]:
    """The query's words and the place in a series it ends with, if any: ("the hunger
    games", ("the hunger games", 2)) for "The Hunger Games #2". A title with a number
    ("Fahrenheit 451") is still found by its title: it is the query."""
    found = SERIES_PLACE.match(query)
    if not found:
        return query, None
    words = found["words"].strip(" ,#")
    return words, (words, Decimal(found["number"]))


def _tsquery_of(words: list[TypedWord]) -> str:
    """A `to_tsquery` text: every word, each as any of what it may mean."""

    def quoted(word: str) -> str:
        return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"

    return " & ".join(
        "(" + " | ".join(quoted(meant) for meant in word.meant) + ")" for word in words
    )


def _fts5_match_of(words: list[TypedWord]) -> str:
    """An FTS5 MATCH text: every word, each as any of what it may mean."""
    return " AND ".join(
        "(" + " OR ".join('"' + meant.replace('"', '""') + '"' for meant in word.meant) + ")"
        for word in words
    )


def _search(
    books: BookQuerySet, words: str, query: str, place: SeriesPlace, limit: int
) -> list[Book]:
    """The search as typed: every word required."""
    if connection.vendor == "postgresql":
        text_query = SearchQuery(words, config=BOOK_SEARCH_CONFIG, search_type="websearch")
        return _best(_postgres(books, text_query, [query], place, limit), limit)
    match = fts5_query(words)
    return _best(_sqlite(books, match, [query], place), limit) if match else []


def _search_corrected(
    books: BookQuerySet, query: str, words: list[TypedWord], place: SeriesPlace, limit: int
) -> list[Book]:
    """The search again with typos forgiven: each word as any of what it may mean, a
    word that means nothing left out."""
    meaningful = [word for word in words if word.meant]
    if not meaningful:
        return []
    # The closest reading of the query, for the exact title and the title's start (and
    # the series' name).
    closest = " ".join(word.meant[0] for word in meaningful)
    place = (closest, place[1]) if place else None
    if connection.vendor == "postgresql":
        text_query = SearchQuery(
            _tsquery_of(meaningful), config=BOOK_SEARCH_CONFIG, search_type="raw"
        )
        return _best(_postgres(books, text_query, [closest, query], place, limit), limit)
    return _best(_sqlite(books, _fts5_match_of(meaningful), [closest, query], place), limit)


def _first_words(query: str) -> str:
    """The query as searched: its first QUERY_WORDS_AT_MOST words (each more is one more
    term every match is checked and ranked against, and no title typed is longer)."""
    return " ".join(query.split()[:QUERY_WORDS_AT_MOST])


def search_books(query: str, *, limit: int = 20, for_cards: bool = True) -> list[Book]:
    """The public books that best match `query`, best first, ready for cards (their
    credits and shop links read, in two queries), or without them (`for_cards=False`:
    catalogue.listed_cards reads them for the cards it has not kept)."""
    found = _found(searchable(query), limit)
    if for_cards:
        prefetch_related_objects(found, *card_lookups())
    return found


def _found(query: str, limit: int) -> list[Book]:
    if not query:
        return []
    books = Book.objects.public()
    if looks_like_isbn(query):
        return list(books.filter(isbn13=normalise_isbn13(query))[:limit])
    query = _first_words(query)
    words, place = _series_place(query)
    found = _search(books, words, query, place, limit)
    if found:
        return found
    # Typos only now: a query whose words all find books never compares words.
    typed = correct(words)
    return _search_corrected(books, query, typed, place, limit) if typed else []


def suggest(query: str) -> list[str]:
    """For a search that found nothing: the titles and authors' names closest to what
    was typed ("did you mean"), at most SUGGESTION_COUNT: the books that have any of
    its words (or a word a typo or two away from one, two from seven letters), the best
    matches first."""
    query = _first_words(searchable(query))
    corrected = correct(query, two_typos_from=SUGGESTION_TWO_TYPOS_FROM)
    words = [word for word in corrected if word.meant] or [
        TypedWord(word, (word,)) for word in folded_words(query)
    ]
    if not words:
        return []
    books = Book.objects.public()
    meant = [TypedWord(word.typed, (other,)) for word in words for other in word.meant]
    if connection.vendor == "postgresql":
        any_word = SearchQuery(
            " | ".join(_tsquery_of([word]) for word in meant),
            config=BOOK_SEARCH_CONFIG,
            search_type="raw",
        )
        matches = _postgres(books, any_word, [query], None, SUGGESTION_COUNT * 2)
    else:
        any_word = " OR ".join(_fts5_match_of([word]) for word in meant)
        matches = _sqlite(books, any_word, [query], None)
    close = _ranked(matches).values_list("title", "author_names")[: SUGGESTION_COUNT * 2]
    typed = set(folded_words(query))
    suggestions: dict[str, None] = {}
    for title, names in close:
        # The title, or the author when the query is more like the author's name.
        first_author = names.split(", ")[0] if names else ""
        named = typed & set(folded_words(first_author)) or _closer_to_name(
            typed, title, first_author
        )
        suggestions.setdefault(first_author if named else title)
    return list(suggestions)[:SUGGESTION_COUNT]


def _closer_to_name(typed: set[str], title: str, name: str) -> bool:
    """Whether more typed words are the name's words, or a typo or two from them,
    than the title's."""

    def close(word: str, other: str) -> bool:
        allowed = typos_allowed(word, other, two_from=SUGGESTION_TWO_TYPOS_FROM)
        return typo_distance(word, other, allowed) <= allowed

    def hits(text: str) -> int:
        return sum(any(close(word, other) for other in folded_words(text)) for word in typed)

    return bool(name) and hits(name) > hits(title)
