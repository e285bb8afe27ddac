"""Readers' ratings: recording, replacing and removing them with exact aggregates.

The per-star counts on Book (`ratings_1` … `ratings_5`) are changed here and only here,
in the same transaction as the Rating row, with database-side arithmetic (F()), so
concurrent ratings never overwrite each other's counts. `check_ratings` recomputes them
from the rows to find and repair any drift.

A rating may be held for moderation (one of a burst of newcomers from one address): it
is kept, and its reader sees it, but it is in no count until an editor approves it.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.db import IntegrityError, transaction
from django.db.models import Count, F, QuerySet

from pagecache.tags import list_of, tag_for_id, tags_for_ids
from pagecache.versions import invalidate

from .models import STARS, Book, Rating
from .related import refresh_also_liked_later

COUNTED = Rating.Status.COUNTED
HELD = Rating.Status.HELD


@dataclass(frozen=True)
class Reader:
    """Who rates: a signed-in user, or an anonymous visitor known by a signed cookie."""

    user_id: int | None = None
    visitor: str = ""

    def __post_init__(self):
        if not self.user_id and not self.visitor:
            raise ValueError("A reader is a user or a visitor.")

    def ratings(self) -> QuerySet:
        if self.user_id:
            return Rating.objects.filter(user_id=self.user_id)
        return Rating.objects.filter(user__isnull=True, visitor=self.visitor)


class Outcome(StrEnum):
    CREATED = "created"
    REPLACED = "replaced"
    UNCHANGED = "unchanged"
    HELD = "held"  # recorded, created or replaced, but held for moderation
    REMOVED = "removed"
    NOTHING_TO_REMOVE = "nothing to remove"


def _shift(book_id: int, *, minus: int | None = None, plus: int | None = None) -> None:
    changes = {}
    if minus:
        changes[f"ratings_{minus}"] = F(f"ratings_{minus}") - 1
    if plus:
        changes[f"ratings_{plus}"] = F(f"ratings_{plus}") + 1
    if changes:
        Book.objects.filter(pk=book_id).update(**changes)


def rate(
    *, book: Book, reader: Reader, score: int, ip_hash: str = "", hold: bool = False
) -> Outcome:
    """Record `reader`'s score for `book`, replacing any earlier one. A new rating is
    held for moderation if `hold`; a held one stays held when its reader changes it."""
    if score not in STARS:
        raise ValueError("A rating is 1 to 5 stars.")
    for attempt in range(2):
        try:
            with transaction.atomic():
                existing = reader.ratings().select_for_update().filter(book=book).first()
                if existing is None:
                    rating = Rating(
                        book=book,
                        user_id=reader.user_id,
                        visitor="" if reader.user_id else reader.visitor,
                        score=score,
                        ip_hash=ip_hash,
                        status=HELD if hold else COUNTED,
                    )
                    rating.full_clean(validate_unique=False, validate_constraints=False)
                    rating.save()
                    if hold:
                        return Outcome.HELD
                    _shift(book.pk, plus=score)
                    return Outcome.CREATED
                held = existing.status == HELD
                if existing.score == score:
                    return Outcome.HELD if held else Outcome.UNCHANGED
                old = existing.score
                existing.score, existing.ip_hash = score, ip_hash or existing.ip_hash
                existing.save(update_fields=["score", "ip_hash", "updated_at"])
                if held:
                    return Outcome.HELD
                _shift(book.pk, minus=old, plus=score)
                return Outcome.REPLACED
        except IntegrityError:
            # The same reader's first rating arrived twice at once; the other one won,
            # so this becomes a replacement on the second pass.
            if attempt:
                raise
    raise AssertionError("unreachable")


def unrate(*, book: Book, reader: Reader) -> Outcome:
    """Remove `reader`'s rating of `book`, if there is one."""
    with transaction.atomic():
        existing = reader.ratings().select_for_update().filter(book=book).first()
        if existing is None:
            return Outcome.NOTHING_TO_REMOVE
        existing.delete()
        if existing.status == COUNTED:
            _shift(book.pk, minus=existing.score)
        return Outcome.REMOVED


def remove_ratings(ratings: QuerySet) -> int:
    """Delete many ratings (moderation) and take the counted ones off their books' counts."""
    with transaction.atomic():
        # of=("self",): a moderator's search may join users, which cannot be locked.
        rows = list(
            ratings.select_for_update(of=("self",)).values_list("pk", "book_id", "score", "status")
        )
        Rating.objects.filter(pk__in=[pk for pk, *_ in rows]).delete()
        _add_to_counts(
            [(book_id, score) for _, book_id, score, status in rows if status == COUNTED], -1
        )
    return len(rows)


def approve_ratings(ratings: QuerySet) -> int:
    """Count the held ones among `ratings` (moderation): their books' figures follow."""
    with transaction.atomic():
        rows = list(
            ratings.filter(status=HELD)
            .select_for_update(of=("self",))
            .values_list("pk", "book_id", "score")
        )
        Rating.objects.filter(pk__in=[pk for pk, _, _ in rows]).update(status=COUNTED)
        _add_to_counts([(book_id, score) for _, book_id, score in rows], +1)
    book_ids = sorted({book_id for _, book_id, _ in rows})
    if book_ids:  # a bulk update sends no signals: what it changes is said here
        invalidate(*tags_for_ids(Book, book_ids), list_of(Book))
        for book_id in book_ids:
            refresh_also_liked_later(book_id)
    return len(rows)


def _add_to_counts(scores: list[tuple[int, int]], sign: int) -> None:
    """Add (or, with sign -1, take) one to each (book, star) pair's per-star count."""
    per_book: dict[int, dict[int, int]] = {}
    for book_id, score in scores:
        per_book.setdefault(book_id, {}).setdefault(score, 0)
        per_book[book_id][score] += 1
    for book_id, counts in per_book.items():
        Book.objects.filter(pk=book_id).update(
            **{f"ratings_{star}": F(f"ratings_{star}") + sign * n for star, n in counts.items()}
        )


@dataclass(frozen=True)
class Drift:
    book_id: int
    title: str
    stored: list[int]
    actual: list[int]

    def __str__(self) -> str:
        return (
            f"“{self.title}” (id {self.book_id}): counts 1★-5★ are {self.stored}, "
            f"the ratings say {self.actual}"
        )


DRIFT_CHUNK = 5_000  # books per grouped query over the ratings: bounded memory at any size


def find_drift(books: QuerySet | None = None) -> list[Drift]:
    """Books whose stored per-star counts differ from their counted ratings, checked
    DRIFT_CHUNK books at a time in order of id, so memory stays bounded at any size."""
    chosen = Book.objects.all() if books is None else books
    columns = [f"ratings_{star}" for star in STARS]
    drift = []
    after = 0
    while True:
        stored = list(
            chosen.filter(pk__gt=after)
            .order_by("pk")
            .values_list("pk", "title", *columns)[:DRIFT_CHUNK]
        )
        if not stored:
            return drift
        first, after = stored[0][0], stored[-1][0]
        actual = _star_counts(first, after, within=books)
        for book_id, title, *counts in stored:
            recounted = actual.get(book_id, [0] * 5)
            if counts != recounted:
                drift.append(Drift(book_id, title, counts, recounted))


def _star_counts(first: int, last: int, *, within: QuerySet | None) -> dict[int, list[int]]:
    """Per-star counts of the ratings of the books with ids from `first` to `last` (only
    those `within` a queryset, if given): one grouped query on the ratings' book index."""
    ratings = Rating.objects.filter(book_id__gte=first, book_id__lte=last, status=COUNTED)
    if within is not None:
        ratings = ratings.filter(book__in=within.filter(pk__range=(first, last)).values("pk"))
    counts: dict[int, list[int]] = {}
    for book_id, score, n in (
        ratings.values_list("book_id", "score").annotate(n=Count("pk")).order_by()
    ):
        counts.setdefault(book_id, [0] * 5)[score - 1] = n
    return counts


def repair(drift: list[Drift]) -> None:
    """Set the counts of drifted books to what their ratings say (recounted under lock)."""
    for item in drift:
        with transaction.atomic():
            Book.objects.select_for_update().filter(pk=item.book_id).first()
            recount = [0] * 5
            for score, n in (
                Rating.objects.filter(book_id=item.book_id, status=COUNTED)
                .values_list("score")
                .annotate(n=Count("pk"))
                .order_by()
            ):
                recount[score - 1] = n
            Book.objects.filter(pk=item.book_id).update(
                **{f"ratings_{star}": recount[star - 1] for star in STARS}
            )
            invalidate(tag_for_id(Book, item.book_id), list_of(Book))
