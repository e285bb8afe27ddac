"""Housekeeping: when catalogue data changes, drop the cached pages that show it."""

from django.conf import settings
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver

from config.pagecache import bump

from .models import Author, Book, Contribution, Rating, Subject, series_tag
from .ratings import remove_ratings


@receiver([post_save, post_delete], sender=Book)
def book_changed(sender, instance: Book, **kwargs):
    # Pages listing the series it is now in show it too (pages that showed it already
    # carry its own tag, so one leaving a series drops out of them through that).
    bump(f"book:{instance.pk}", "book-list", series_tag(instance.series) if instance.series else "")


@receiver([post_save, post_delete], sender=Author)
def author_changed(sender, instance: Author, **kwargs):
    # The name is on every card of every book they wrote.
    book_ids = Contribution.objects.filter(author_id=instance.pk).values_list("book_id", flat=True)
    bump(f"author:{instance.pk}", "book-list", *(f"book:{pk}" for pk in book_ids))


@receiver([post_save, post_delete], sender=Contribution)
def credit_changed(sender, instance: Contribution, **kwargs):
    bump(f"book:{instance.book_id}", f"author:{instance.author_id}")


@receiver([post_save, post_delete], sender=Rating)
def rating_changed(sender, instance: Rating, **kwargs):
    # The figures on the book's cards change, and so may the order of sorted lists.
    bump(f"book:{instance.book_id}", "book-list")


@receiver(m2m_changed, sender=Book.subjects.through)
def subjects_changed(sender, instance, pk_set, **kwargs):
    if not kwargs["action"].startswith("post_"):
        return
    # Books sharing a subject a book gained may now list it among their similar books.
    if isinstance(instance, Book):
        bump(f"book:{instance.pk}", *(f"subject:{pk}" for pk in pk_set or ()))
    else:
        bump(f"subject:{instance.pk}", *(f"book:{pk}" for pk in pk_set or ()))


@receiver([post_save, post_delete], sender=Subject)
def subject_changed(sender, instance: Subject, **kwargs):
    bump("book-list")


@receiver(pre_delete, sender=settings.AUTH_USER_MODEL)
def reader_leaving(sender, instance, **kwargs):
    # The cascade would delete their ratings without taking them off the books' counts.
    remove_ratings(Rating.objects.filter(user=instance))
