"""The goodbooks-10k data set's books.csv (CC BY-SA 4.0, Zygmunt Zając)."""

from catalogue.isbn import isbn13_float_candidates, recover_isbn10

from .formats import Row, SourceFormat
from .records import parse_count

NO_PHOTO = "/nophoto/"


class GoodbooksFormat(SourceFormat):
    name = "goodbooks-10k"
    required_columns = (
        "book_id", "goodreads_book_id", "isbn", "isbn13", "authors", "original_publication_year",
        "title", "language_code", "ratings_1", "ratings_2", "ratings_3", "ratings_4", "ratings_5",
        "image_url",
    )  # fmt: skip
    title_columns = ("title", "original_title")
    goodreads_id_column = "goodreads_book_id"
    goodreads_id_required = True  # books are recognised by it; every row of the set has one
    column_mapping = {
        "credits": ("authors",),
        "language": ("language_code",),
        "publication_year": ("original_publication_year",),
        "source_histogram": tuple(f"ratings_{star}" for star in range(1, 6)),
        "cover_url": ("image_url",),
        "isbn13": ("isbn", "isbn13"),
    }
    rating_source = "Goodreads"

    def read_credits(
        self, row: Row, columns: tuple[str, ...], warnings: list[str]
    ) -> list[tuple[str, str]]:
        credits = super().read_credits(row, columns, warnings)
        if not credits:
            warnings.append("the row names no author")
        return credits

    def read_source_histogram(
        self, row: Row, columns: tuple[str, ...], warnings: list[str]
    ) -> list[int] | None:
        """Goodreads' ratings per star, 1 to 5, all of them or none."""
        try:
            return [parse_count(row[column], column) for column in columns]
        except ValueError as error:
            warnings.append(f"{error}; rating counts not imported")
            return None

    def read_cover_url(self, row: Row, columns: tuple[str, ...], warnings: list[str]) -> str:
        url = super().read_cover_url(row, columns, warnings)
        return "" if NO_PHOTO in url else url  # Goodreads' placeholder is no cover

    def read_isbn13(self, row: Row, columns: tuple[str, ...], warnings: list[str]) -> str:
        """The ISBN the row really carries, or "" with a warning saying why none is stored.

        A valid ISBN-10 is the truth (spreadsheets dropped its leading zeros); the ISBN-13
        column is a float rounded to 12 digits, usable only where one ISBN fits the rounding.
        """
        isbn10_value, isbn13_value = (row[column] for column in columns)
        from_isbn10 = recover_isbn10(isbn10_value)
        if from_isbn10:
            return from_isbn10
        candidates = isbn13_float_candidates(isbn13_value)
        if len(candidates) == 1:
            return candidates[0]
        if len(candidates) > 1:
            warnings.append(
                f"ISBN-13 “{isbn13_value}” was rounded and fits both "
                f"{' and '.join(candidates)}; no ISBN stored"
            )
        elif isbn10_value.strip() or isbn13_value.strip():
            warnings.append(
                f"no valid ISBN in isbn “{isbn10_value}” or isbn13 “{isbn13_value}”; no ISBN stored"
            )
        else:
            warnings.append("the row has no ISBN")
        return ""
