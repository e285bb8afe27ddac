"""Writing a batch of BookRecords: find, validate, create or update, in few queries.

Each batch is first planned (what becomes of each record, from reads alone), then
saved. A dry run plans and saves nothing, so it is the import's own code path without
its writes. Within one file a Goodreads id or an ISBN belongs to its first row, so no
batch depends on what an earlier one wrote, and a dry run's plan is the import's.
"""

from dataclasses import dataclass, field
from typing import Protocol

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from reversion.models import Version

from catalogue.models import STARS, Author, Book, BookAlias, Contribution
from catalogue.search import refresh_author_names
from shared.slugs import allocate_slugs

from .records import BookRecord

# What the source owns outright: its published rating figures. Everything else an
# editor has touched is theirs.
SOURCE_OWNED = {"rating_source", *(f"source_ratings_{star}" for star in STARS)}

# Validation that runs per row; uniqueness is settled for the whole batch instead.
ROW_VALIDATION = {"exclude": ["slug"], "validate_unique": False, "validate_constraints": False}


class BatchOutcomes(Protocol):
    """What the writer tells of each record it was given (the import run counts them).
    In a dry run `book` is None for a book that would be created."""

    def book_created(self, record: BookRecord, book: Book | None) -> None: ...
    def book_updated(self, record: BookRecord, book: Book, fields: list[str]) -> None: ...
    def book_unchanged(self, record: BookRecord) -> None: ...
    def row_rejected(self, record: BookRecord, reason: str) -> None: ...
    def row_warned(self, record: BookRecord, message: str) -> None: ...


@dataclass
class BatchPlan:
    """What saving a batch will do: books to create, and books to update with the names
    of the fields that change and whether their credits are replaced."""

    new: list[tuple[BookRecord, Book]] = field(default_factory=list)
    changed: list[tuple[BookRecord, Book, list[str], bool]] = field(default_factory=list)


class BatchWriter:
    """Writes batches of records, telling `outcomes` what became of each."""

    def __init__(
        self,
        outcomes: BatchOutcomes,
        *,
        dry_run: bool = False,
        new_book_status: str = Book.Status.PUBLISHED,
    ) -> None:
        self.outcomes = outcomes
        self.dry_run = dry_run
        self.new_book_status = new_book_status
        # Across the whole file: the line that carries each Goodreads id and ISBN.
        self.goodreads_ids: dict[int, int] = {}
        self.isbns: dict[str, int] = {}

    @transaction.atomic
    def write(self, records: list[BookRecord]) -> None:
        """All of the batch or none of it: a crash leaves no half-written book."""
        plan = self.plan(records)
        if not self.dry_run:
            self.save(plan)
        for record, book in plan.new:
            self.outcomes.book_created(record, None if self.dry_run else book)
        for record, book, fields, _ in plan.changed:
            self.outcomes.book_updated(record, book, field_labels(fields))

    def plan(self, records: list[BookRecord]) -> BatchPlan:
        """What becomes of each record, from reads alone; unchanged, skipped and
        warned rows are told at once."""
        existing, old_isbns = self._existing_books(records)
        by_id = {book.goodreads_id: book for book in existing if book.goodreads_id}
        by_isbn = {book.isbn13: book for book in existing if book.isbn13}
        merged_away = self._merged_away(records)
        edited = self._edited_in_desk(existing)
        now = timezone.now()
        plan = BatchPlan()
        for record in records:
            if record.goodreads_id in self.goodreads_ids:
                line = self.goodreads_ids[record.goodreads_id]
                self.outcomes.row_rejected(
                    record, f"Goodreads id {record.goodreads_id} is already on line {line}"
                )
                continue
            if record.goodreads_id:
                self.goodreads_ids[record.goodreads_id] = record.line
            if record.goodreads_id in merged_away and record.goodreads_id not in by_id:
                # The row of a book an editor merged into another: the merge stands.
                self.outcomes.book_unchanged(record)
                continue
            if record.isbn13 in self.isbns:
                self._drop_isbn(record, f"line {self.isbns[record.isbn13]}")
            book = by_id.get(record.goodreads_id)
            # The Goodreads id is unknown to the catalogue: the ISBN says which book the
            # row is, a live ISBN first, then an old one (which embeds still show).
            isbn13 = record.isbn13
            by_old_isbn = False
            if book is None and isbn13:
                book = by_isbn.get(isbn13) or old_isbns.get(isbn13)
                if book is not None:
                    by_old_isbn = isbn13 not in by_isbn
                    self._tell_isbn_match(record, book, old=by_old_isbn)
            self._settle_isbn(record, book, by_isbn.get(isbn13), old_isbns, told=by_old_isbn)
            if book is None:
                book = Book(**record.book_values(), status=self.new_book_status)
                if self._valid(record, book):
                    plan.new.append((record, book))
                continue
            values = record.book_values(updating=True)
            if claimed_by_another(book, record):
                values = blanks_of(book, values)
            elif book.pk in edited:
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
                plan.changed.append((record, book, fields or ["credits"], credits_differ))
            elif not fields and not credits_differ:
                self.outcomes.book_unchanged(record)
        return plan

    def save(self, plan: BatchPlan) -> None:
        new, changed = plan.new, plan.changed
        if new:
            for (_record, book), slug in zip(
                new, allocate_slugs(Book, [book.title for _, book in new]), strict=True
            ):
                book.slug = slug
            Book.objects.bulk_create([book for _, book in new])
        if changed:
            names = sorted({n for record, *_ in changed for n in record.book_values()})
            books = [book for _, book, *_ in changed]
            for book in books:
                # A new version: an editor with the book open is told, not overwritten.
                book.version += 1
            Book.objects.bulk_update(books, [*names, "updated_at", "version"])
            # As Book.save keeps it: an ISBN a book had still embeds it (`[[book:old
            # ISBN]]` in articles), and no other book may take it.
            BookAlias.objects.bulk_create(
                BookAlias(book=book, **book.old_address_details(old_isbn13))
                for book in books
                if (old_isbn13 := book.changed_from("isbn13"))
            )
        recredited = [(record, book) for record, book, _, differ in changed if differ]
        Contribution.objects.filter(book__in=[book for _, book in recredited]).delete()
        credited = [*new, *recredited]
        # Only the rows kept name authors: a skipped row creates no author.
        authors = self._authors_for([record for record, _ in credited])
        Contribution.objects.bulk_create(
            Contribution(book=book, author=authors[name], role=role, position=position)
            for record, book in credited
            for position, (name, role) in enumerate(record.credits)
        )
        # The batch's search documents name their authors: one query for the batch.
        refresh_author_names([book.pk for _, book in credited])

    def _existing_books(self, records: list[BookRecord]) -> tuple[list[Book], dict[str, Book]]:
        """The books the records' Goodreads ids and ISBNs name, and the books that had
        the records' ISBNs before (old ISBN -> book), in three queries."""
        ids = [r.goodreads_id for r in records if r.goodreads_id]
        isbns = [r.isbn13 for r in records if r.isbn13]
        # The latest alias of an ISBN wins, as it does for embeds (articles.rendering).
        aliases = Book.old_isbns().filter(isbn13__in=isbns).order_by("created_at", "pk")
        old_isbns = dict(aliases.values_list("isbn13", "book_id"))
        # "isbn13 <> ''" said outright: the unique index on ISBNs is partial (on that
        # condition), and PostgreSQL cannot prove a long IN list implies it, so without
        # it each batch read the whole table.
        by_isbn = Q(isbn13__in=isbns) & ~Q(isbn13="")
        named = Q(goodreads_id__in=ids) | by_isbn | Q(pk__in=set(old_isbns.values()))
        books = list(Book.objects.filter(named).prefetch_related("contributions__author"))
        by_pk = {book.pk: book for book in books}
        return books, {isbn13: by_pk[pk] for isbn13, pk in old_isbns.items() if pk in by_pk}

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

    def _settle_isbn(
        self,
        record: BookRecord,
        book: Book | None,
        holder: Book | None,
        old_isbns: dict[str, Book],
        *,
        told: bool = False,
    ) -> None:
        """Two books with one ISBN are two editions: the one in the catalogue keeps it,
        and the first row of the file that carries it keeps it from the later ones. An
        old ISBN is never given to another book, and an import does not give it back to
        the book that had it either: only an editor, in the desk, takes an old ISBN back
        (Book.validate_unique allows a book its own). The report says so, unless it
        already did (`told`: the row is the book by that old ISBN): a source that
        changed an ISBN and then changed it back saw nothing happen, and no reason."""
        if not record.isbn13:
            return
        had_it = old_isbns.get(record.isbn13) if holder is None else None
        if holder is not None and holder is not book:
            self._drop_isbn(record, f"“{holder.title}” (already in the catalogue)")
        elif had_it is not None and had_it is not book:
            self.outcomes.row_warned(
                record,
                f"ISBN {record.isbn13} is an old ISBN of “{had_it.title}” (embeds by it show "
                "that book); this book is imported without it",
            )
            record.isbn13 = ""
        else:
            self.isbns[record.isbn13] = record.line
            if had_it is not None:
                if not told:
                    kept = f"ISBN {had_it.isbn13}" if had_it.isbn13 else "no ISBN"
                    self.outcomes.row_warned(
                        record,
                        f"ISBN {record.isbn13} is an old ISBN of “{had_it.title}”, which keeps "
                        f"{kept}: an import never gives a book back an ISBN it had; an editor "
                        "can, in the desk",
                    )
                record.isbn13 = ""  # the book keeps the ISBN it has now

    def _tell_isbn_match(self, record: BookRecord, book: Book, *, old: bool) -> None:
        """The report says when a row is a book by its ISBN alone, unless it is an
        editor's book the row claims (as imports always did): an old ISBN, or a book
        another Goodreads id names."""
        claimed = claimed_by_another(book, record)
        if not old and not claimed:
            return
        said = [f"ISBN {record.isbn13} is "]
        said.append(f"an old ISBN of “{book.title}”" if old else f"“{book.title}”'s")
        if claimed:
            said.append(f", which the catalogue knows by Goodreads id {book.goodreads_id}")
        said.append(": the row is that book")
        if old:
            said.append(", which keeps its ISBN")
        if claimed:
            said.append(", and only fills what it lacks")
        self.outcomes.row_warned(record, "".join(said))

    def _drop_isbn(self, record: BookRecord, where: str) -> None:
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
        if not names:
            return {}
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


def claimed_by_another(book: Book, record: BookRecord) -> bool:
    """The book is another Goodreads id's: a row that is it by its ISBN alone (another
    edition's id, or none) must not rewrite what that id's rows wrote."""
    return book.goodreads_id is not None and book.goodreads_id != record.goodreads_id


def blanks_of(book: Book, values: dict) -> dict:
    """What of `values` fills the book's blanks: its empty fields, and the published
    rating figures only if it has none (another edition's figures are not its own)."""
    has_figures = bool(book.rating_source) or any(book.source_histogram)
    return {
        name: value
        for name, value in values.items()
        if (not has_figures if name in SOURCE_OWNED else getattr(book, name) in ("", None))
    }


def field_labels(names: list[str]) -> list[str]:
    """What an update changes, as the desk names it: "title", "published ratings"."""
    labels: list[str] = []
    for name in names:
        if name in SOURCE_OWNED:
            label = "published ratings"
        elif name == "credits":
            label = "credits"
        else:
            label = str(Book._meta.get_field(name).verbose_name)
        if label not in labels:
            labels.append(label)
    return labels
