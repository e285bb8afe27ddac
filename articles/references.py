"""The `[[book:…]]` references of a stored render that found no book, as they are kept
(`UnresolvedBookReference`) and looked up: by a key that every form of the same name
shares (a slug as typed; the ISBN-13 of an ISBN-10 or ISBN-13, hyphenated or not), so a
book that comes finds the articles waiting for it by its own slug and ISBN-13."""

from collections.abc import Iterable

from catalogue.isbn import looks_like_isbn, normalise_isbn13
from catalogue.models import Book

# A longer reference names no book (Book.slug's length; an ISBN-13 is shorter).
KEY_LENGTH = Book._meta.get_field("slug").max_length


def reference_key(ref: str) -> str:
    """What a reference is kept and looked up by: the ISBN-13 it names, or itself."""
    return normalise_isbn13(ref) if looks_like_isbn(ref) else ref


def unresolved_keys(stored: dict | None) -> set[str]:
    """The keys of a stored render's (`PreparedBody.as_json`) references that found no
    book; none without a stored render (the body is then rendered at each request)."""
    stored = stored or {}
    book_ids = stored.get("book_ids")
    if book_ids is None:
        return set()
    keys = {reference_key(ref) for ref in stored.get("refs", ()) if ref not in book_ids}
    return {key for key in keys if len(key) <= KEY_LENGTH}


def keys_naming(book: Book) -> set[str]:
    """The keys under which the references that may name `book` are kept: its slug's
    (an ISBN itself, for a book whose slug is one) and its ISBN-13."""
    return {key for key in (book.slug and reference_key(book.slug), book.isbn13) if key}


def names_by_isbn(ref: str, book: Book) -> bool:
    return bool(book.isbn13 and looks_like_isbn(ref) and normalise_isbn13(ref) == book.isbn13)


def book_named(ref: str, books: Iterable[Book]) -> Book | None:
    """The book of `books` a reference names, as rendering.find_books chooses between
    two: the one it names by ISBN first, then the one by slug."""
    books = list(books)
    by_isbn = (book for book in books if names_by_isbn(ref, book))
    return next(by_isbn, None) or next((book for book in books if book.slug == ref), None)
