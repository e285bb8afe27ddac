"""Housekeeping: when catalogue data changes, drop the cached pages that show it; and
`book_merged` and `books_imported`, which tell other apps (articles) that a duplicate is
merging away, or that an import wrote books without a signal of their own."""

from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import connections, transaction
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save, pre_delete
from django.dispatch import Signal, receiver

from pagecache.tags import SITE, group_of, list_of, tag_for, tag_for_id, tags_for_ids
from pagecache.versions import invalidate
from shared.fulltext import sqlite_search_indexes

from .models import Author, Book, Contribution, Rating, Subject
from .ratings import remove_ratings
from .related import refresh_also_liked_later
from .search import refresh_author_names
from .shops import BookShopLink, Shop, request_begins, request_ends, shops_changed

# Sent inside the merge's transaction, before `duplicate` is deleted, with `kept` (the
# book it merges into). A receiver moves what its app links to the duplicate onto the
# kept book, and returns the ids of what it moved (the merge report counts them).
book_merged = Signal()

# Sent once an import has written its books (catalogue.importers; its bulk writes send no
# post_save), with `book_ids`: those it created or updated, committed. A receiver does
# for them at once what a save would have done for each (articles: the references that
# found no book, which may name them).
books_imported = Signal()


def series_tag(book: Book) -> str:
    """Pages listing the book's series (its siblings' pages)."""
    return group_of(Book, "series", book.series) if book.series else ""


@receiver([post_save, post_delete], sender=Book)
def book_changed(sender, instance: Book, signal, **kwargs):
    # Pages listing the series it is now in show it too (pages that showed it already
    # carry its own tag, so one leaving a series drops out of them through that).
    # Deleted, no edge may serve its old pages even while the app fails.
    gone = signal is post_delete
    invalidate(tag_for(instance), list_of(Book), series_tag(instance), gone=gone)
    if not gone and instance.changed_from("status"):
        # Published or hidden: the lists of other books by its authors or on its subjects
        # ("More by", "Similar") gain or lose it, and pages listing them carry those tags
        # (catalogue.book_page), not the tag of a book they did not show.
        invalidate(
            *tags_for_ids(Author, instance.contributions.values_list("author_id", flat=True)),
            *tags_for_ids(Subject, instance.subjects.values_list("pk", flat=True)),
        )


@receiver([post_save, post_delete], sender=Author)
def author_changed(sender, instance: Author, **kwargs):
    # The name is on every card of every book they wrote.
    book_ids = Contribution.objects.filter(author_id=instance.pk).values_list("book_id", flat=True)
    invalidate(tag_for(instance), list_of(Book), *tags_for_ids(Book, book_ids))


@receiver([post_save, post_delete], sender=Contribution)
def credit_changed(sender, instance: Contribution, **kwargs):
    # The book and author it names now, and those it named when read, if others: the
    # old author's page lists the book no more, the old book's card names them no more.
    book_ids = {instance.book_id, instance.changed_from("book_id")} - {None}
    author_ids = {instance.author_id, instance.changed_from("author_id")} - {None}
    invalidate(*tags_for_ids(Book, book_ids), *tags_for_ids(Author, author_ids))
    refresh_author_names(sorted(book_ids))
    instance.remember_values()  # a second save changes nothing more


@receiver([post_save, post_delete], sender=Rating)
def rating_changed(sender, instance: Rating, **kwargs):
    if instance.status == Rating.Status.HELD:
        return  # in no figure until approved (catalogue.ratings.approve_ratings says so)
    # The figures on the book's cards change, and so may the order of sorted lists.
    invalidate(tag_for_id(Book, instance.book_id), list_of(Book))
    # And what its readers also liked (in the background, once per burst of ratings).
    refresh_also_liked_later(instance.book_id)


@receiver(m2m_changed, sender=Book.subjects.through)
def subjects_changed(sender, instance, pk_set, **kwargs):
    if not kwargs["action"].startswith("post_"):
        return
    # Books sharing a subject a book gained may now list it among their similar books.
    if isinstance(instance, Book):
        invalidate(tag_for(instance), *tags_for_ids(Subject, pk_set or ()))
    else:
        invalidate(tag_for(instance), *tags_for_ids(Book, pk_set or ()))


@receiver([post_save, post_delete], sender=Subject)
def subject_changed(sender, instance: Subject, **kwargs):
    invalidate(list_of(Book))


# Beyond this many books, a subject deleted drops every page (one tag) rather than each of
# its books' (a tag each, every edge purged by each): deleting so wide a subject is rare.
SUBJECT_BOOKS_NAMED = 1000


@receiver(pre_delete, sender=Subject)
def subject_leaving(sender, instance: Subject, **kwargs):
    """A subject deleted leaves its books' "Similar" lists (kept under its tag) and their
    own parts, which name their subjects (kept under each book's tag, and the lists are
    chosen from those). Its rows on the books go with it without a signal (m2m_changed is
    not sent for a deletion's cascade): which books had it is read now, before them."""
    book_ids = list(instance.books.values_list("pk", flat=True)[: SUBJECT_BOOKS_NAMED + 1])
    books = tags_for_ids(Book, book_ids) if len(book_ids) <= SUBJECT_BOOKS_NAMED else [SITE]
    invalidate(tag_for(instance), *books)


# --- Shops: their links are on every card --------------------------------------------


@receiver([post_save, post_delete], sender=Shop)
def shop_changed(sender, instance: Shop, **kwargs):
    # Every card links to the enabled shops, and cards are on nearly every page: the whole
    # site, rather than a tag on every page that shows a card. Shops change seldom.
    # Read afresh at once (this process, this transaction) and again once committed
    # (others, which may have read the rows as they were meanwhile).
    shops_changed()
    transaction.on_commit(shops_changed)
    invalidate(SITE)


@receiver([post_save, post_delete], sender=BookShopLink)
def book_shop_link_changed(sender, instance: BookShopLink, **kwargs):
    # The book's own address, price or hiding at a shop: the pages showing its card.
    invalidate(tag_for_id(Book, instance.book_id))


# Within a request the shops are read from the cache once (catalogue.shops.enabled_shops).
request_started.connect(lambda **kwargs: request_begins(), weak=False, dispatch_uid="shops-read")
request_finished.connect(lambda **kwargs: request_ends(), weak=False, dispatch_uid="shops-done")


@receiver(pre_delete, sender=settings.AUTH_USER_MODEL)
def reader_leaving(sender, instance, **kwargs):
    # The cascade would delete their ratings without taking them off the books' counts.
    remove_ratings(Rating.objects.filter(user=instance))


# --- The search document: Book.author_names in step with the credits ------------------
# (a credit's own changes: credit_changed above)


@receiver(post_save, sender=Author)
def author_renamed(sender, instance: Author, created: bool, **kwargs):
    if not created:  # writes only the books whose names changed
        refresh_author_names(Contribution.objects.filter(author_id=instance.pk).values("book_id"))


@receiver(post_save, sender=Book)
def book_saved_whole(sender, instance: Book, created: bool, update_fields=None, **kwargs):
    # A whole save writes back the author_names the instance was loaded with, which
    # the credits may have changed since (a merge, a restore in the desk).
    if not created and (update_fields is None or "author_names" in update_fields):
        refresh_author_names([instance.pk])


@receiver(post_migrate)
def full_text_indexes_whole(sender, using, **kwargs):
    # SQLite rebuilds a table to alter some of its columns, dropping its triggers: the
    # FTS5 tables would stop following their rows (shared.fulltext).
    connection = connections[using]
    if sender.name != "catalogue" or connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for index in sqlite_search_indexes():
            index.repair(cursor)
