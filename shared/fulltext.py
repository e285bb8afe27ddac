"""Search documents the database stores and indexes, and the queries that read them:
the generic part, for any model (catalogue.fulltext and articles.models define theirs).

PostgreSQL: a generated `search_document` tsvector column with a GIN index. The models do
not declare it (SQLite has no tsvector), so `StoredColumn` names it in a query.

SQLite: an FTS5 table over the model's table (external content: it indexes the rows,
it does not copy them), kept in step by triggers on the table, so `bulk_create()` and
`update()` keep it right too. `FTS5Index` makes it and queries it. Django rebuilds a
table on SQLite to alter some columns, and the triggers go with the old table: after
every `migrate` catalogue.signals puts back any that are missing (`FTS5Index.repair`).

What readers type never reaches a query parser as syntax: words become quoted terms.
"""

import unicodedata
from dataclasses import dataclass

from django.db.models import Expression, F, FloatField
from django.db.models.expressions import RawSQL


def typed_words(text: str) -> list[str]:
    """The words of `text` that carry a letter or a digit: "-", "*" or "((" alone would
    make an empty term, which matches nothing (and ANDed, nothing at all)."""
    return [
        word for word in text.split() if any(unicodedata.category(char)[0] in "LN" for char in word)
    ]


def fts5_query(text: str, *, prefix: str = "last") -> str:
    """An FTS5 MATCH expression finding rows that have every word of `text`: each word a
    quoted string (FTS5 syntax inside quotes is plain text), the last one, or `prefix=
    "all"` of them, also as the start of a longer word. "" when nothing is searchable."""
    words = typed_words(text)
    terms = ['"' + word.replace('"', '""') + '"' for word in words]
    if terms and prefix == "all":
        terms = [f"{term}*" for term in terms]
    elif terms and prefix == "last":
        terms[-1] += "*"
    return " AND ".join(terms)


def tsquery_prefixes(text: str) -> str:
    """A `to_tsquery` text finding rows with every word of `text` at the start of one of
    their words: `'hunger':* & 'ga':*`. Each word is quoted (the parser then sees it as
    text, never as operators); a word with nothing searchable drops out."""
    terms = []
    for word in typed_words(text):
        quoted = word.replace("\\", "\\\\").replace("'", "''")
        terms.append(f"'{quoted}':*")
    return " & ".join(terms)


class StoredColumn(Expression):
    """A column of the queried row that the model does not declare (`search_document`),
    qualified by the row's alias wherever the query puts the table."""

    def __init__(self, column: str, output_field):
        super().__init__(output_field=output_field)
        self.column = column
        self.row = F("pk")

    def get_source_expressions(self):
        return [self.row]

    def set_source_expressions(self, exprs):
        (self.row,) = exprs

    def as_sql(self, compiler, connection):
        table = compiler.quote_name_unless_alias(self.row.alias)
        return f"{table}.{connection.ops.quote_name(self.column)}", []


_SEARCH_INDEXES: list["FTS5Index"] = []


@dataclass(frozen=True)
class FTS5Index:
    """An FTS5 table over `columns` of `table` (an integer `id` primary key), named
    `<table>_search`, ranked by bm25 with one weight per column (higher counts more)."""

    table: str
    columns: tuple[str, ...]
    weights: tuple[float, ...]
    tokenize: str = "unicode61 remove_diacritics 2"

    def __post_init__(self):
        _SEARCH_INDEXES.append(self)

    @property
    def name(self) -> str:
        return f"{self.table}_search"

    # --- Making it (migrations, SQLite only) ---------------------------------------

    def _values(self, row: str) -> str:
        return ", ".join(f"{row}.{column}" for column in self.columns)

    def trigger_sql(self) -> list[str]:
        columns = ", ".join(self.columns)
        insert = (
            f"INSERT INTO {self.name}(rowid, {columns}) VALUES (new.id, {self._values('new')});"
        )
        delete = (
            f"INSERT INTO {self.name}({self.name}, rowid, {columns}) "
            f"VALUES ('delete', old.id, {self._values('old')});"
        )
        changed = " OR ".join(f"old.{column} IS NOT new.{column}" for column in self.columns)
        return [
            f"CREATE TRIGGER IF NOT EXISTS {self.name}_insert AFTER INSERT ON {self.table} "
            f"BEGIN {insert} END",
            f"CREATE TRIGGER IF NOT EXISTS {self.name}_delete AFTER DELETE ON {self.table} "
            f"BEGIN {delete} END",
            # Only when an indexed column changes: a rating or a version bump is not.
            f"CREATE TRIGGER IF NOT EXISTS {self.name}_update AFTER UPDATE OF {columns} "
            f"ON {self.table} WHEN {changed} BEGIN {delete} {insert} END",
        ]

    def create(self, cursor) -> None:
        """The table, its triggers, and the rows already there indexed."""
        cursor.execute(
            f"CREATE VIRTUAL TABLE {self.name} USING fts5({', '.join(self.columns)}, "
            f"content='{self.table}', content_rowid='id', tokenize='{self.tokenize}')"
        )
        for statement in self.trigger_sql():
            cursor.execute(statement)
        self.rebuild(cursor)

    def drop(self, cursor) -> None:
        for trigger in ("insert", "delete", "update"):
            cursor.execute(f"DROP TRIGGER IF EXISTS {self.name}_{trigger}")
        cursor.execute(f"DROP TABLE IF EXISTS {self.name}")

    def rebuild(self, cursor) -> None:
        cursor.execute(f"INSERT INTO {self.name}({self.name}) VALUES ('rebuild')")

    def repair(self, cursor) -> bool:
        """Put back the triggers a rebuilt table lost, and re-index its rows (they may
        have changed meanwhile). True if anything was missing."""
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') AND name LIKE %s",
            [f"{self.name}%"],
        )
        present = {name for (name,) in cursor.fetchall()}
        if self.name not in present:
            return False  # not migrated this far (or migrated back)
        wanted = {f"{self.name}_{trigger}" for trigger in ("insert", "delete", "update")}
        if wanted <= present:
            return False
        for statement in self.trigger_sql():
            cursor.execute(statement)
        self.rebuild(cursor)
        return True

    # --- Querying it ------------------------------------------------------------------

    def matching(self, match: str) -> RawSQL:
        """The ids of the rows matching `match` (an FTS5 expression: `fts5_query()`),
        for `pk__in`: the full-text query runs once."""
        return RawSQL(f"SELECT rowid FROM {self.name} WHERE {self.name} MATCH %s", [match])

    def relevance(self, match: str) -> "FTS5Relevance":
        return FTS5Relevance(self, match)


class FTS5Relevance(Expression):
    """How well the row matches (bm25 with the index's weights; higher is better, 0 for
    no match). The full-text query runs once per statement and ranks every row it finds
    (a subquery SQLite cannot flatten, LIMIT -1, which it keeps and indexes by rowid);
    each row then looks up its own. Asked per row (`MATCH … AND rowid = ?`), it read
    the whole list of rows of each word once per row found: a common word's search
    grew with the square of its matches (6.5 s for "the" on goodbooks-10k)."""

    output_field = FloatField()

    def __init__(self, index: FTS5Index, match: str):
        super().__init__()
        self.index, self.match = index, match
        self.row = F("pk")

    def get_source_expressions(self):
        return [self.row]

    def set_source_expressions(self, exprs):
        (self.row,) = exprs

    def as_sql(self, compiler, connection):
        row_sql, row_params = compiler.compile(self.row)
        name = self.index.name
        weights = ", ".join(str(float(weight)) for weight in self.index.weights)
        ranked = (
            f"SELECT rowid AS id, -bm25({name}, {weights}) AS score FROM {name} "
            f"WHERE {name} MATCH %s LIMIT -1"
        )
        sql = (
            f"COALESCE((SELECT {name}_ranked.score FROM ({ranked}) AS {name}_ranked "
            f"WHERE {name}_ranked.id = {row_sql}), 0.0)"
        )
        return sql, [self.match, *row_params]


def sqlite_search_indexes() -> list[FTS5Index]:
    """Every FTS5 index the apps define (catalogue.signals repairs them after migrate)."""
    return list(_SEARCH_INDEXES)
