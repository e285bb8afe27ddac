"""Writing a batch of BookRecords: find, validate, create or update, in few queries."""

from typing import Protocol

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from reversion.models import Version

from catalogue.models import STARS, Author, Book, BookAlias, Contribution
from catalogue.slugs import allocate_slugs

from .records import BookRecord

# What the source owns outright: its published rating figures. Everything else an
# editor has touched is theirs.
SOURCE_OWNED = {"rating_source", *(f"source_ratings_{star}" for star in STARS)}

# Validation that runs per row; uniqueness is settled for the whole batch instead.
ROW_VALIDATION = {"exclude": ["slug"], "validate_unique": False, "validate_constraints": False}


class BatchOutcomes(Protocol):
    """What the writer tells of each record it was given (the import run counts them)."""

    def book_created(self, record: BookRecord) -> None: ...
    def book_updated(self, record: BookRecord) -> None: ...
    def book_unchanged(self, record: BookRecord) -> None: ...
    def row_rejected(self, record: BookRecord, reason: str) -> None: ...
    def row_warned(self, record: BookRecord, message: str) -> None: ...


class BatchWriter:
    """Writes batches of records, telling `outcomes` what became of each."""

    def __init__(self, outcomes: BatchOutcomes) -> None:
        self.outcomes = outcomes

    @transaction.atomic
    def write(self, records: list[BookRecord]) -> None:
        """All of the batch or none of it: a crash leaves no half-written book."""
        existing = self._existing_books(records)
        by_id = {book.goodreads_id: book for book in existing if book.goodreads_id}
        by_isbn = {book.isbn13: book for book in existing if book.isbn13}
        merged_away = self._merged_away(records)
        edited = self._edited_in_desk(existing)
        authors = self._authors_for(records)
        now = timezone.now()
        claimed: dict[str, int] = {}  # ISBN -> line that carries it in this batch
        new: list[tuple[BookRecord, Book]] = []
        changed: list[tuple[BookRecord, Book, bool]] = []
        for record in records:
            if record.goodreads_id in merged_away and record.goodreads_id not in by_id:
                # The row of a book an editor merged into another: the merge stands.
                self.outcomes.book_unchanged(record)
                continue
            book = by_id.get(record.goodreads_id)
            if book is None and record.isbn13:
                # An ISBN alone matches only a book no source has claimed (an editor's).
                candidate = by_isbn.get(record.isbn13)
                book = candidate if candidate and candidate.goodreads_id is None else None
            self._settle_isbn(record, book, by_isbn.get(record.isbn13), claimed)
            if book is None:
                book = Book(**record.book_values())
                if self._valid(record, book):
                    new.append((record, book))
                continue
            values = record.book_values(updating=True)
            if book.pk in edited:
                # An editor's word stands: the source only fills blanks and refreshes
                # the figures it owns.
                values = {
                    name: value
                    for name, value in values.items()
                    if name in SOURCE_OWNED or getattr(book, name) in ("", None)
                }
            fields = [name for name, value in values.items() if getattr(book, name) != value]
            for name in fields:
                setattr(book, name, values[name])
            book.updated_at = now
            # Credits are the source's only until an editor has any: a book imported
            # without them gets them; refined roles are never overwritten by a re-import.
            credits_differ = not book.contributions.all() and bool(record.credits)
            if (fields or credits_differ) and self._valid(record, book):
                changed.append((record, book, credits_differ))
            elif not fields and not credits_differ:
                self.outcomes.book_unchanged(record)

        if new:
            for (_record, book), slug in zip(
                new, allocate_slugs(Book, [book.title for _, book in new]), strict=True
            ):
                book.slug = slug
            Book.objects.bulk_create([book for _, book in new])
        if changed:
            names = sorted({n for record, _, _ in changed for n in record.book_values()})
            Book.objects.bulk_update([book for _, book, _ in changed], [*names, "updated_at"])
        recredited = [book for _, book, differ in changed if differ]
        Contribution.objects.filter(book__in=recredited).delete()
        Contribution.objects.bulk_create(
            Contribution(book=book, author=authors[name], role=role, position=position)
            for record, book in [*new, *((r, b) for r, b, differ in changed if differ)]
            for position, (name, role) in enumerate(record.credits)
        )
        for record, _ in new:
            self.outcomes.book_created(record)
        for record, _, _ in changed:
            self.outcomes.book_updated(record)

    def _existing_books(self, records: list[BookRecord]) -> list[Book]:
        ids = [r.goodreads_id for r in records if r.goodreads_id]
        isbns = [r.isbn13 for r in records if r.isbn13]
        return list(
            Book.objects.filter(Q(goodreads_id__in=ids) | Q(isbn13__in=isbns)).prefetch_related(
                "contributions__author"
            )
        )

    def _edited_in_desk(self, books: list[Book]) -> set[int]:
        """Books an editor has saved in the desk (they have a version in its history)."""
        if not books:
            return set()
        ids = Version.objects.get_for_model(Book).filter(
            object_id__in=[str(book.pk) for book in books]
        )
        return {int(pk) for pk in ids.values_list("object_id", flat=True)}

    def _merged_away(self, records: list[BookRecord]) -> set[int]:
        """Goodreads ids of books merged into others (catalogue/merging.py): re-importing
        the row that made a duplicate must not bring it back."""
        ids = [r.goodreads_id for r in records if r.goodreads_id]
        aliases = BookAlias.objects.filter(goodreads_id__in=ids)
        return set(aliases.values_list("goodreads_id", flat=True))

    def _settle_isbn(self, record, book, holder, claimed) -> None:
        """Two rows with one ISBN are two editions: the first keeps it, the other is told."""
        if not record.isbn13:
            return
        if holder is book:
            holder = None
        if record.isbn13 in claimed:
            where = f"line {claimed[record.isbn13]}"
        elif holder is not None:
            where = f"“{holder.title}” (already in the catalogue)"
        else:
            claimed[record.isbn13] = record.line
            return
        self.outcomes.row_warned(
            record,
            f"ISBN {record.isbn13} is already carried by {where}; this book is imported without it",
        )
        record.isbn13 = ""

    def _valid(self, record: BookRecord, book: Book) -> bool:
        try:
            book.full_clean(**ROW_VALIDATION)
        except ValidationError as error:
            reasons = "; ".join(
                f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()
            )
            self.outcomes.row_rejected(record, reasons)
            return False
        return True

    def _authors_for(self, records: list[BookRecord]) -> dict[str, Author]:
        names = {name for record in records for name, _ in record.credits}
        found: dict[str, Author] = {}
        for author in Author.objects.filter(name__in=names).order_by("pk"):
            found.setdefault(author.name, author)
        missing = sorted(names - found.keys())
        if missing:
            created = Author.objects.bulk_create(
                Author(name=name, slug=slug)
                for name, slug in zip(missing, allocate_slugs(Author, missing), strict=True)
            )
            found.update({author.name: author for author in created})
        return found
