"""Housekeeping for reading lists: when a list or a book's place on it changes, drop the
cached pages that show it (its page, the lists' index, its books' pages, which say "In
these lists", and the articles that embed it, which carry the list's tag)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from pagecache.store import expiry_limit
from pagecache.tags import list_of, tag_for, tag_for_id, tags_for_ids
from pagecache.versions import invalidate

from .models import Book
from .reading_lists import ReadingList, ReadingListItem


@receiver([post_save, post_delete], sender=ReadingList)
def reading_list_changed(sender, instance: ReadingList, **kwargs):
    # Published, withdrawn or retitled: its books' pages name it, or will, or no more.
    book_ids = ReadingListItem.objects.filter(reading_list_id=instance.pk).values_list(
        "book_id", flat=True
    )
    invalidate(tag_for(instance), list_of(ReadingList), *tags_for_ids(Book, book_ids))


@receiver([post_save, post_delete], sender=ReadingListItem)
def reading_list_place_changed(sender, instance: ReadingListItem, **kwargs):
    # The book's page lists the list (or no more); the list's pages show the book.
    invalidate(
        tag_for_id(ReadingList, instance.reading_list_id),
        tag_for_id(Book, instance.book_id),
        list_of(ReadingList),  # the index counts each list's books
    )


@expiry_limit
def next_scheduled_list() -> float | None:
    """Seconds until the next scheduled list appears: cached pages expire by then (no
    write happens at that moment to invalidate them)."""
    now = timezone.now()
    upcoming = (
        ReadingList.objects.filter(status=ReadingList.Status.PUBLISHED, published_at__gt=now)
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    return (upcoming - now).total_seconds() if upcoming else None
