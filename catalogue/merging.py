"""Merging duplicate books into one, losing nothing and breaking no link.

Imports and editors sometimes give one book two records. `merge_books(kept,
duplicates)` moves everything onto the book kept, in one transaction:

- readers' ratings (a reader who rated both keeps their rating of the kept book), with the
  per-star counts recounted from the ratings;
- credits of authors the kept book lacks, subjects, and the articles that embed it;
- its places on reading lists (a list holding both keeps the kept book's place, with the
  duplicate's note if the kept book had none);
- its readers' clicks to shops, on its links and from its page (catalogue/shop_clicks.py);
- whatever the kept book leaves blank (description, ISBN, publisher, cover address, series,
  the source's rating histogram …) from the duplicate;
- each duplicate's slug, ISBN and Goodreads id become the kept book's aliases
  (`BookAlias`): its old address redirects (301), `[[book:old-slug]]` and its ISBN
  still embed the kept book, and a re-import of the row that made it updates the kept book
  instead of bringing the duplicate back.

The kept book is validated (full_clean) before it is saved; the desk's history records
the merge.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Q

from pagecache.tags import list_of, tag_for, tags_for_ids
from pagecache.versions import invalidate

from .models import STARS, Book, BookAlias, Contribution, Rating
from .reading_lists import ReadingList, ReadingListItem
from .search import refresh_author_names
from .shop_clicks import move_clicks
from .signals import book_merged

# Taken from a duplicate where the kept book has nothing.
FILLABLE = [
    "description", "isbn13", "goodreads_id", "asin", "publisher", "publication_year",
    "publication_date", "language", "print_length", "file_size_kb", "cover_url", "series",
    "series_number", "text_to_speech", "screen_reader", "enhanced_typesetting", "x_ray",
    "word_wise", "editor_rating",
]  # fmt: skip
SOURCE_RATINGS = ["rating_source", *(f"source_ratings_{star}" for star in STARS)]


class MergeError(ValueError):
    pass


@dataclass
class MergeReport:
    kept: Book
    merged: list[str] = field(default_factory=list)  # titles of the books merged in
    ratings_moved: int = 0
    ratings_dropped: int = 0  # a reader's second rating of the same book
    credits_moved: int = 0
    articles: set[int] = field(default_factory=set)
    filled: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        parts = [
            f"{self.ratings_moved} rating{'s' * (self.ratings_moved != 1)} moved",
            f"{self.credits_moved} credit{'s' * (self.credits_moved != 1)} added",
            f"{len(self.articles)} article{'s' * (len(self.articles) != 1)} now "
            f"embed{'s' * (len(self.articles) == 1)} it",
        ]
        if self.ratings_dropped:
            parts.append(
                f"{self.ratings_dropped} second rating{'s' * (self.ratings_dropped != 1)} "
                "by the same reader dropped"
            )
        if self.filled:
            parts.append("filled in: " + ", ".join(self.filled))
        merged = ", ".join(f"“{title}”" for title in self.merged)
        return f"Merged {merged} into “{self.kept}”: " + "; ".join(parts) + "."


def merge_books(kept: Book, duplicates: list[Book]) -> MergeReport:
    duplicates = [book for book in duplicates if book.pk != kept.pk]
    if not duplicates:
        raise MergeError("Choose at least one other book to merge into the one you keep.")
    report = MergeReport(kept=kept)
    with transaction.atomic():
        ids = [kept.pk, *(book.pk for book in duplicates)]
        locked = {book.pk: book for book in Book.objects.select_for_update().filter(pk__in=ids)}
        if len(locked) != len(ids):
            raise MergeError("One of these books no longer exists: reload and try again.")
        kept = report.kept = locked[kept.pk]
        for duplicate in (locked[book.pk] for book in duplicates):
            _merge_one(kept, duplicate, report)
        _recount(kept)
        kept.full_clean()
        kept.save()
        # Credits moved by update(), which sends no signal: the search document's names.
        refresh_author_names([kept.pk])
        invalidate(tag_for(kept), list_of(Book))
    return report


def _merge_one(kept: Book, duplicate: Book, report: MergeReport) -> None:
    report.merged.append(duplicate.title)
    _move_ratings(kept, duplicate, report)
    _move_credits(kept, duplicate, report)
    kept.subjects.add(*duplicate.subjects.all())
    _move_list_places(kept, duplicate)
    move_clicks(kept=kept, duplicate=duplicate)
    # What other apps link to the duplicate (articles embedding it) moves to the kept book.
    for _receiver, moved in book_merged.send(sender=Book, kept=kept, duplicate=duplicate):
        report.articles.update(moved or ())

    # The kept book's blanks from the duplicate; its unique identifiers are freed first.
    identifiers = {"isbn13": duplicate.isbn13, "goodreads_id": duplicate.goodreads_id}
    Book.objects.filter(pk=duplicate.pk).update(isbn13="", goodreads_id=None)
    for name in FILLABLE:
        value = identifiers.get(name, getattr(duplicate, name))
        if value not in ("", None) and getattr(kept, name) in ("", None):
            setattr(kept, name, value)
            report.filled.append(name.replace("_", " "))
            identifiers.pop(name, None)  # it lives on the kept book now, not in an alias
    has_source = any(getattr(kept, f"source_ratings_{star}") for star in STARS)
    if not has_source and any(getattr(duplicate, f"source_ratings_{star}") for star in STARS):
        for name in SOURCE_RATINGS:
            setattr(kept, name, getattr(duplicate, name))
        report.filled.append("the source's ratings")

    BookAlias.objects.filter(book=duplicate).update(book=kept)
    BookAlias.objects.create(
        book=kept,
        title=duplicate.title,
        slug=duplicate.slug,
        isbn13=identifiers.get("isbn13") or "",
        goodreads_id=identifiers.get("goodreads_id"),
    )
    duplicate.delete()


def _move_ratings(kept: Book, duplicate: Book, report: MergeReport) -> None:
    kept_ratings = Rating.objects.filter(book=kept)
    theirs = Rating.objects.filter(book=duplicate)
    # A reader who rated both keeps their rating of the kept book.
    twice = theirs.filter(
        Q(user__in=kept_ratings.filter(user__isnull=False).values("user"))
        | Q(visitor__in=kept_ratings.exclude(visitor="").values("visitor"))
    )
    report.ratings_dropped += twice.delete()[0]
    report.ratings_moved += theirs.update(book=kept)


def _move_credits(kept: Book, duplicate: Book, report: MergeReport) -> None:
    credited = set(kept.contributions.values_list("author_id", flat=True))
    position = kept.contributions.count()
    for credit in duplicate.contributions.order_by("position", "pk"):
        if credit.author_id in credited:
            continue
        Contribution.objects.filter(pk=credit.pk).update(book=kept, position=position)
        credited.add(credit.author_id)
        position += 1
        report.credits_moved += 1


def _move_list_places(kept: Book, duplicate: Book) -> None:
    """The duplicate's places on reading lists become the kept book's. A list holding
    both keeps the kept book's place, taking the duplicate's note if it had none."""
    theirs = ReadingListItem.objects.filter(book=duplicate)
    list_ids = list(theirs.values_list("reading_list_id", flat=True))
    if not list_ids:
        return
    kept_places = {
        place.reading_list_id: place
        for place in ReadingListItem.objects.filter(book=kept, reading_list_id__in=list_ids)
    }
    for place in theirs.filter(reading_list_id__in=kept_places):
        own = kept_places[place.reading_list_id]
        if not own.note.strip() and place.note.strip():
            ReadingListItem.objects.filter(pk=own.pk).update(note=place.note)
    theirs.filter(reading_list_id__in=kept_places).delete()
    theirs.update(book=kept)  # no signal: the lists' pages are dropped here
    invalidate(*tags_for_ids(ReadingList, list_ids))


def _recount(kept: Book) -> None:
    counts = dict(
        Rating.objects.filter(book=kept, status=Rating.Status.COUNTED)
        .values_list("score")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("score", "n")
    )
    for star in STARS:
        setattr(kept, f"ratings_{star}", counts.get(star, 0))
