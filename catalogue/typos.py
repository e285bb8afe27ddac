"""Typos in any word of a search: the words of a query that no book has, matched to the
catalogue's words closest to them, by the rule readers know from Typesense and
Meilisearch: no typo in a word under 5 letters, one from 5, two from 9. A typo is a
dropped, added, wrong or swapped letter (optimal string alignment distance).

The catalogue's words are its vocabulary (catalogue.fulltext: `catalogue_book_word` on
PostgreSQL, the FTS5 index's own `fts5vocab` table on SQLite), asked once per search:
for one typo, whether it holds any of the few hundred words one typo away (looked up
by equality); for two (long words only), the words sharing a piece of the typed word
that two typos cannot all break (its first, middle or last letters), compared letter
by letter here. A query of more than four words is asked about twice: which words it
has, then the neighbours of four of them (words_to_correct).
"""

from dataclasses import dataclass

from django.db import connection

from .fulltext import BOOK_WORDS, SQLITE_BOOK_WORDS, folded_words

ONE_TYPO_FROM = 5  # letters
TWO_TYPOS_FROM = 9
# "Did you mean", offered only when nothing was found, forgives two typos from 7 letters
# ("hobbbbit" offers The Hobbit): a word the search would not read as another.
SUGGESTION_TWO_TYPOS_FROM = 7
# A typed word offers at most this many corrections to the search (the closest).
CORRECTIONS_PER_WORD = 8
# A search reads the first QUERY_WORDS_AT_MOST words of a query (no title a reader types
# is longer); of a longer query than TYPO_WORDS_AT_MOST words, typos are looked for in
# that many (words_to_correct): each costs a few hundred lookups and a scan for two typos.
QUERY_WORDS_AT_MOST = 16
TYPO_WORDS_AT_MOST = 4
# A longer word is looked up only as typed: its neighbours grow with its length times
# its alphabet (200 distinct letters made 94,000, seconds of a search), and no word a
# reader mistypes is that long (goodbooks-10k's longest is 20 letters).
TYPO_LETTERS_AT_MOST = 24


def typos_allowed(typed: str, meant: str = "", *, two_from: int = TWO_TYPOS_FROM) -> int:
    """How many typos may part the two words: by the longer, so "oyce" (4 letters) may
    be "joyce" (5) with a dropped letter; two from `two_from` letters."""
    longest = max(len(typed), len(meant))
    if longest >= two_from:
        return 2
    return 1 if longest >= ONE_TYPO_FROM else 0


def readings(typed: str) -> list[str]:
    """The typed word, and without a final "s" (readers leave out an apostrophe:
    "winters passage" for "Winter's Passage", which the index holds as "winter", "s")."""
    return [typed, typed[:-1]] if len(typed) > 3 and typed.endswith("s") else [typed]


def typo_distance(typed: str, word: str, limit: int) -> int:
    """The number of typos between two words (optimal string alignment: a swap of two
    neighbouring letters is one), or `limit + 1` as soon as it must exceed `limit`.
    Only the cells within `limit` of the diagonal are computed: any other is further."""
    beyond = limit + 1
    if abs(len(typed) - len(word)) > limit:
        return beyond
    previous_previous: list[int] = []
    previous = [min(j, beyond) for j in range(len(word) + 1)]
    for i, typed_char in enumerate(typed, 1):
        current = [beyond] * (len(word) + 1)
        current[0] = closest = min(i, beyond)
        for j in range(max(1, i - limit), min(len(word), i + limit) + 1):
            word_char = word[j - 1]
            cell = min(
                previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (typed_char != word_char)
            )
            if i > 1 and j > 1 and typed_char == word[j - 2] and typed[i - 2] == word_char:
                cell = min(cell, previous_previous[j - 2] + 1)
            current[j] = cell = min(cell, beyond)
            closest = min(closest, cell)
        if closest > limit:
            return beyond
        previous_previous, previous = previous, current
    return previous[-1]


def one_typo_away(word: str) -> set[str]:
    """Every word a dropped, added, wrong or swapped letter away from `word`."""
    letters = set("abcdefghijklmnopqrstuvwxyz0123456789") | set(word)
    splits = [(word[:at], word[at:]) for at in range(len(word) + 1)]
    dropped = {start + end[1:] for start, end in splits if end}
    swapped = {start + end[1] + end[0] + end[2:] for start, end in splits if len(end) > 1}
    wrong = {start + letter + end[1:] for start, end in splits if end for letter in letters}
    added = {start + letter + end for start, end in splits for letter in letters}
    return (dropped | swapped | wrong | added) - {word}


def intact_pieces(word: str) -> list[tuple[str, str]]:
    """("start" | "middle" | "end", piece): three pieces of `word` with a letter
    between each two, so one typo (even a swap) breaks at most one: with two typos one
    piece is intact in the word meant."""
    third = (len(word) - 2) // 3
    return [
        ("start", word[:third]),
        ("middle", word[third + 1 : len(word) - third - 1]),
        ("end", word[len(word) - third :]),
    ]


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _two_typos_condition(word: str, column: str, two_from: int) -> tuple[str, list]:
    """SQL for the catalogue's words that may be `word` with two typos: long enough by
    the length rule, and holding one of its pieces; on PostgreSQL also at most four
    letters apart by fuzzystrmatch's Levenshtein distance (in C, where a swap counts two:
    two typos are at most four), so that few are left to compare here."""
    shortest = max(len(word) - 2, two_from if len(word) < two_from else 1)
    conditions, params = [], []
    for where, piece in intact_pieces(word):
        if where == "start":
            conditions.append(f"{column} LIKE %s ESCAPE '\\'")
            params.append(_like(piece) + "%")
        else:
            conditions.append(f"{column} LIKE %s ESCAPE '\\'")
            params.append("%" + _like(piece) + ("" if where == "end" else "%"))
    sql = f"(length({column}) BETWEEN %s AND %s AND ({' OR '.join(conditions)}))"
    params = [shortest, len(word) + 2, *params]
    if connection.vendor == "postgresql":
        sql = f"({sql} AND levenshtein_less_equal({column}, %s, 4) <= 4)"
        params.append(word)
    return sql, params


@dataclass(frozen=True)
class TypedWord:
    """A word of the query and what it may stand for: itself when the catalogue has it,
    then its neighbours, closest first; none when it has none (a word under five
    letters, or one no book comes close to): the search leaves it out."""

    typed: str
    meant: tuple[str, ...]

    @property
    def corrected(self) -> bool:
        return self.meant != (self.typed,)


def _known(words: list[str], column: str, table: str) -> set[str]:
    """Which of `words` (and their readings) the catalogue has, in one query."""
    asked = list(dict.fromkeys(reading for word in words for reading in readings(word)))
    sql = f"SELECT {column} FROM {table} WHERE {column} IN ({', '.join(['%s'] * len(asked))})"
    with connection.cursor() as cursor:
        cursor.execute(sql, asked)
        return {row[0] for row in cursor.fetchall()}


def words_to_correct(words: list[str], known: set[str]) -> list[str]:
    """The at most TYPO_WORDS_AT_MOST words of a long query whose neighbours are looked
    up: the words no book has, the longest first (a long word says the most about the
    book); then, while there is room, the shortest the catalogue has that a typo may
    have made (a typo turns a short word into another far more often: "right" for
    "bright", "noel" for "novel"; under four letters none is forgiven)."""
    forgivable = [word for word in words if len(word) <= TYPO_LETTERS_AT_MOST]
    unmatched = [word for word in forgivable if not any(r in known for r in readings(word))]
    matched = [word for word in forgivable if word not in unmatched and len(word) >= 4]
    by_promise = sorted(unmatched, key=len, reverse=True) + sorted(matched, key=len)
    return by_promise[:TYPO_WORDS_AT_MOST]


def correct(query: str, *, two_typos_from: int = TWO_TYPOS_FROM) -> list[TypedWord]:
    """The words of `query` (folded as the index folds them, the first
    QUERY_WORDS_AT_MOST), each with what it may mean, in one query (two for a query of
    more than TYPO_WORDS_AT_MOST words). [] when no word has another meaning: the search
    as typed is all there is. `two_typos_from`: the length from which a word may have
    two (SUGGESTION_TWO_TYPOS_FROM for "did you mean")."""
    words = list(dict.fromkeys(folded_words(query)))[:QUERY_WORDS_AT_MOST]
    if not words:
        return []
    vendor = connection.vendor
    table, column = (BOOK_WORDS, "word") if vendor == "postgresql" else (SQLITE_BOOK_WORDS, "term")
    # Looking up every word's neighbours costs a second a query of fifty words: a long
    # query has its typos looked up in a few words, the others are taken as typed.
    known: set[str] = set()
    correcting = words
    if len(words) > TYPO_WORDS_AT_MOST:
        known = _known(words, column, table)
        correcting = words_to_correct(words, known)
    close = _neighbours(correcting, column, table, two_typos_from)
    for word in words:
        if word not in close:
            close[word] = {reading: 0 for reading in readings(word) if reading in known}
    typed_words = []
    for word in words:
        # A word the catalogue has may still be a typo ("right" for "bright"): as typed
        # it comes first, its neighbours after it.
        if word in close[word]:
            close[word][word] = -1
        ordered = sorted(close[word], key=lambda other: (close[word][other], other))
        typed_words.append(TypedWord(word, tuple(ordered[: CORRECTIONS_PER_WORD + 1])))
    if not any(word.corrected for word in typed_words):
        return []
    return typed_words


def _neighbours(
    words: list[str], column: str, table: str, two_from: int
) -> dict[str, dict[str, int]]:
    """For each of `words`, the catalogue's words a typo or two away (itself and its
    readings included when the catalogue has them) and how many typos away, in one query."""
    # What each candidate word stands for, and how many typos away: (typed, distance).
    candidates: dict[str, list[tuple[str, int]]] = {}
    two_typos = []
    for word in words:
        for reading in readings(word):
            # The reading itself: a dropped apostrophe is no typo.
            candidates.setdefault(reading, []).append((word, 0))
            if len(reading) > TYPO_LETTERS_AT_MOST:
                continue
            for variant in one_typo_away(reading):
                if typos_allowed(word, variant):
                    candidates.setdefault(variant, []).append((word, 1))
            if len(reading) + 2 >= two_from:
                two_typos.append((word, reading))
    # Each row: a catalogue's word, and 0 (one of the candidates) or which reading it may
    # be with two typos (1, 2, ...). PostgreSQL takes the candidates as one value: a
    # thousand placeholders cost more to write and parse than the lookups themselves.
    if connection.vendor == "postgresql":
        # Folded words hold no space: one text, split by the database, is cheaper to
        # send than an array of as many strings.
        sql = f"SELECT {column}, 0 FROM {table} WHERE {column} = ANY(string_to_array(%s, ' '))"
        params: list = [" ".join(candidates)]
    else:
        listed = ", ".join(["%s"] * len(candidates))
        sql = f"SELECT {column}, 0 FROM {table} WHERE {column} IN ({listed})"
        params = [*candidates]
    for number, (word, reading) in enumerate(two_typos, 1):
        # Only for a word the catalogue does not have as typed (nor without its "s"): a
        # real word is rarely two typos from another, and each such scan reads the
        # whole vocabulary (a test PostgreSQL makes once, before the scan).
        typed = readings(word)
        unknown = (
            f"NOT EXISTS (SELECT 1 FROM {table} WHERE {column} IN "
            f"({', '.join(['%s'] * len(typed))}))"
        )
        condition, condition_params = _two_typos_condition(reading, column, two_from)
        sql += f" UNION ALL SELECT {column}, {number} FROM {table} WHERE {unknown} AND {condition}"
        params += [*typed, *condition_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    close: dict[str, dict[str, int]] = {word: {} for word in words}
    for other, number in found:
        if not number:
            for word, distance in candidates.get(other, []):
                close[word][other] = min(distance, close[word].get(other, 2))
            continue
        word, reading = two_typos[number - 1]
        if (
            other not in close[word]
            and typos_allowed(word, other, two_from=two_from) == 2
            and typo_distance(reading, other, 2) <= 2
        ):
            close[word][other] = 2
    return close
