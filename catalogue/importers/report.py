"""What an import tells the editor: counts, each book created or updated, and each row
skipped or warned about, all by line. A dry run's report says what an import would do."""

from collections import Counter
from dataclasses import asdict, dataclass, field, fields

# What a stored report keeps of each list (the counts are always whole): the desk shows
# the first few hundred rows of a kind, and the created books' ids are kept apart.
KEPT_PER_LIST = 1000
LISTS = ("issues", "changes")


@dataclass
class RowIssue:
    line: int
    kind: str  # "skipped" or "warning"
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.kind}: {self.message}"


@dataclass
class BookChange:
    """A book the import created or updated (in a dry run: would create or update)."""

    line: int
    kind: str  # "created" or "updated"
    title: str
    book_id: int | None = None  # None in a dry run: nothing was written
    fields: list[str] = field(default_factory=list)  # what an update changes

    @property
    def message(self) -> str:
        return f"{self.title} ({', '.join(self.fields)})" if self.fields else self.title

    def __str__(self) -> str:
        return f"line {self.line}: {self.kind}: {self.message}"


@dataclass
class ImportReport:
    format_name: str = ""
    dry_run: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    warned: int = 0
    issues: list[RowIssue] = field(default_factory=list)
    changes: list[BookChange] = field(default_factory=list)

    @property
    def warnings(self) -> list[RowIssue]:
        return [issue for issue in self.issues if issue.kind == "warning"]

    @property
    def created_book_ids(self) -> list[int]:
        return [c.book_id for c in self.changes if c.kind == "created" and c.book_id]

    def skip(self, line: int, reason: str) -> None:
        self.skipped += 1
        self.issues.append(RowIssue(line, "skipped", reason))

    def warn(self, line: int, message: str) -> None:
        self.warned += 1
        self.issues.append(RowIssue(line, "warning", message))

    def summary(self) -> str:
        if self.dry_run:
            return (
                f"Dry run, nothing written: {self.rows} rows read ({self.format_name}): "
                f"{self.created} to create, {self.updated} to update, {self.unchanged} "
                f"unchanged, {self.skipped} to skip, {self.warned} "
                f"warning{'s' * (self.warned != 1)}"
            )
        return (
            f"{self.rows} rows read ({self.format_name}): {self.created} created, "
            f"{self.updated} updated, {self.unchanged} unchanged, {self.skipped} skipped, "
            f"{self.warned} warning{'s' * (self.warned != 1)}"
        )

    def rows_of(self, kind: str = "") -> list[RowIssue | BookChange]:
        """The rows of one kind ("created", "updated", "skipped", "warning"), or of every
        kind, in line order."""
        rows = [row for row in [*self.changes, *self.issues] if kind in ("", row.kind)]
        return sorted(rows, key=lambda row: row.line)

    def counts(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "skipped": self.skipped,
            "warning": self.warned,
        }

    def as_dict(self, *, kept: int = KEPT_PER_LIST) -> dict:
        """For JSON: the counts, and the first `kept` rows of each kind."""
        counts = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in LISTS}
        return {
            **counts,
            "issues": [asdict(issue) for issue in first_of_each_kind(self.issues, kept)],
            "changes": [asdict(change) for change in first_of_each_kind(self.changes, kept)],
        }

    @classmethod
    def from_dict(cls, values: dict) -> "ImportReport":
        return cls(
            **{
                **values,
                "issues": [RowIssue(**issue) for issue in values.get("issues", [])],
                "changes": [BookChange(**change) for change in values.get("changes", [])],
            }
        )


def first_of_each_kind(rows: list, kept: int) -> list:
    taken: Counter[str] = Counter()
    first = []
    for row in rows:
        if taken[row.kind] < kept:
            taken[row.kind] += 1
            first.append(row)
    return first
