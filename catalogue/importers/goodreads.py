"""The library export Goodreads gives its users (goodreads_library_export.csv)."""

from django.core.exceptions import ValidationError

from catalogue.isbn import normalise_isbn13

from .formats import Row, SourceFormat


def unwrap_formula(value: str) -> str:
    """Goodreads writes ISBNs as spreadsheet formulas: ="0439023483", and ="" for none."""
    value = (value or "").strip()
    if value.startswith('="') and value.endswith('"'):
        value = value[2:-1]
    return value.strip()


class GoodreadsExportFormat(SourceFormat):
    name = "Goodreads library export"
    required_columns = (
        "Book Id", "Title", "Author", "Additional Authors", "ISBN", "ISBN13", "Publisher",
        "Number of Pages", "Year Published", "Original Publication Year",
    )  # fmt: skip
    title_columns = ("Title",)
    goodreads_id_column = "Book Id"
    column_mapping = {
        "isbn13": ("ISBN13", "ISBN"),
        "publication_year": ("Original Publication Year", "Year Published"),
        "print_length": ("Number of Pages",),
        "publisher": ("Publisher",),
        "credits": ("Author", "Additional Authors"),
    }

    def read_isbn13(self, row: Row, columns: tuple[str, ...], warnings: list[str]) -> str:
        """The first column that holds a valid ISBN; each invalid one is reported."""
        typed = [unwrap_formula(row[column]) for column in columns]
        for value in filter(None, typed):
            try:
                return normalise_isbn13(value)
            except ValidationError as error:
                warnings.append(f"{error.messages[0]} Not stored.")
        if not any(typed):
            warnings.append("the row has no ISBN")
        return ""
