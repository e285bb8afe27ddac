"""Related books on a book's page, at a cost that does not grow with the catalogue.

A book's related books come from four signals, best first: books embedded in the same
public articles, books sharing its subjects, books its readers also liked (4+ stars,
at least MIN_READERS of them in common), and books whose titles share its distinctive
words. Same-author and same-series books have their own lists on the page.

Three signals are read when the page renders, each an indexed part capped at CANDIDATES
rows (a subject of half a million books offers its most-rated CANDIDATES) of one SQL
statement with the fourth's rows (catalogue.other_books).
The fourth, "readers also liked", walks the ratings, the one table that grows without
bound, so it is never computed in a request: `refresh_also_liked()` stores it per book
(AlsoLiked rows) from the book's newest FANS fans, in the background after a rating
changes (one refresh per burst of ratings), and for every book with
`manage.py refresh_related`. A book's other lists drift until its own next refresh:
another book's new fan is counted when that book is next refreshed.
"""

import contextlib
from collections import Counter

from django.core.cache import cache
from django.db import models, transaction
from django.db.models import Count, Q

from pagecache.tags import group_of
from pagecache.versions import invalidate

from .models import LIKED, Book, Rating

FANS = 500  # newest fans of a book whose other likes are counted
MIN_READERS = 3  # fans in common before "also liked" counts (two are a coincidence)
KEEP = 20  # AlsoLiked rows stored per book
QUEUED_SECONDS = 3600  # a queued refresh is assumed lost after this long


class AlsoLiked(models.Model):
    """`readers` of the readers who liked `book` also liked `liked` (both 4+ stars)."""

    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="+")
    liked = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="+")
    readers = models.PositiveIntegerField()

    class Meta:
        verbose_name_plural = "also liked"
        constraints = [
            models.UniqueConstraint(fields=["book", "liked"], name="also_liked_once"),
        ]

    def __str__(self) -> str:
        return f"{self.readers} readers of {self.book_id} also liked {self.liked_id}"


def _co_liked(book_id: int) -> Counter:
    """How many of the book's newest FANS fans liked each other book."""
    fans = list(
        Rating.objects.filter(LIKED, book_id=book_id)
        .order_by("-updated_at")
        .values_list("visitor", "user_id")[:FANS]
    )
    visitors = [visitor for visitor, user_id in fans if not user_id and visitor]
    users = [user_id for _, user_id in fans if user_id]
    counts = Counter()
    # One query per kind of reader, each on its partial index (an OR would scan).
    for reader in (
        Q(visitor__in=visitors) & ~Q(visitor="") & Q(user__isnull=True) if visitors else None,
        Q(user__in=users) & Q(user__isnull=False) if users else None,
    ):
        if reader is None:
            continue
        liked = (
            Rating.objects.filter(LIKED, reader)
            .exclude(book_id=book_id)
            .values("book_id")
            .annotate(readers=Count("pk"))
            .order_by()
        )
        counts.update({row["book_id"]: row["readers"] for row in liked})
    return counts


def refresh_also_liked(book_id: int) -> bool:
    """Store what the book's readers also liked; True when the list changed."""
    counts = _co_liked(book_id)
    best = sorted(
        ((liked, readers) for liked, readers in counts.items() if readers >= MIN_READERS),
        key=lambda pair: (-pair[1], pair[0]),
    )[:KEEP]
    with transaction.atomic():
        stored = dict(AlsoLiked.objects.filter(book_id=book_id).values_list("liked_id", "readers"))
        if stored == dict(best):
            return False
        AlsoLiked.objects.filter(book_id=book_id).delete()
        AlsoLiked.objects.bulk_create(
            AlsoLiked(book_id=book_id, liked_id=liked, readers=readers) for liked, readers in best
        )
        transaction.on_commit(lambda: invalidate(also_liked_tag(book_id)))
    return True


def also_liked_tag(book_id: int) -> str:
    """Pages showing what the book's readers also liked (its page's related books)."""
    return group_of(AlsoLiked, "book", str(book_id))


def _queued_key(book_id: int) -> str:
    return f"also-liked:queued:{book_id}"


def refresh_also_liked_later(book_id: int) -> None:
    """After a rating of the book changed: refresh its list in the background. A burst
    of ratings makes one refresh: while one waits in the queue (it reads the ratings
    when it runs), no other is queued; the mark lasts QUEUED_SECONDS at most, in case a
    queued refresh is lost."""
    from .tasks import refresh_also_liked_task

    try:
        first = cache.add(_queued_key(book_id), 1, QUEUED_SECONDS)
    except Exception:  # noqa: BLE001 - cache down: refresh anyway, it is idempotent
        first = True
    if first:
        transaction.on_commit(lambda: refresh_also_liked_task.enqueue(book_id))


def refresh_queued(book_id: int) -> bool:
    """The queued refresh (catalogue.tasks): ratings from now on queue another."""
    with contextlib.suppress(Exception):  # cache down: nothing was marked
        cache.delete(_queued_key(book_id))
    return refresh_also_liked(book_id)


def books_with_fans(chunk: int = 10_000):
    """The ids of books with at least one 4+ rating, ascending, a chunk of books at a time
    (memory bounded whatever the number of books)."""
    last = 0
    while True:
        ids = list(
            Book.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:chunk]
        )
        if not ids:
            return
        yield from (
            Rating.objects.filter(LIKED, book_id__gte=ids[0], book_id__lte=ids[-1])
            .order_by("book_id")
            .values_list("book_id", flat=True)
            .distinct()
        )
        last = ids[-1]


def ranked(
    book_id: int, signals: list[list[tuple[int, int]]], *, shown: set[int], limit: int
) -> list[int]:
    """The signals' books (catalogue.other_books) but `shown`, best first: signals
    rank in the order of the module's docstring; within a signal the strongest first,
    then the most rated."""
    strength: dict[int, list[int]] = {}
    for position, found in enumerate(signals):
        for pk, weight in found:
            strength.setdefault(pk, [0] * len(signals))[position] = weight
    return sorted(
        (pk for pk in strength if pk not in shown and pk != book_id),
        key=lambda pk: [-weight for weight in strength[pk]],
    )[:limit]
