"""What an import tells the editor: counts, and each row skipped or warned about by line."""

from dataclasses import dataclass, field


@dataclass
class RowIssue:
    line: int
    kind: str  # "skipped" or "warning"
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.kind}: {self.message}"


@dataclass
class ImportReport:
    format_name: str = ""
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    issues: list[RowIssue] = field(default_factory=list)

    @property
    def warnings(self) -> list[RowIssue]:
        return [issue for issue in self.issues if issue.kind == "warning"]

    def summary(self) -> str:
        return (
            f"{self.rows} rows read ({self.format_name}): {self.created} created, "
            f"{self.updated} updated, {self.unchanged} unchanged, {self.skipped} skipped, "
            f"{len(self.warnings)} warnings"
        )
