"""Housekeeping: when articles change, drop the cached pages that show them."""

from django.db.models import Min
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver
from django.utils import timezone

from config.pagecache import bump, expiry_limit

from .models import Article, Topic


@receiver([post_save, post_delete], sender=Article)
def article_changed(sender, instance: Article, **kwargs):
    # Published, withdrawn or retitled: the pages of the books it embeds list it too.
    books = Article.embedded_books.through.objects.filter(article_id=instance.pk)
    book_tags = [f"book:{pk}" for pk in books.values_list("book_id", flat=True)]
    bump(f"article:{instance.pk}", "article-list", *book_tags)


@receiver(pre_delete, sender=Article)
def article_leaving(sender, instance: Article, **kwargs):
    # The pages of the books it embeds list it.
    bump(*(f"book:{pk}" for pk in instance.embedded_books.values_list("pk", flat=True)))


@receiver(m2m_changed, sender=Article.embedded_books.through)
def embeds_changed(sender, instance, action, pk_set, **kwargs):
    if action in ("post_add", "post_remove") and isinstance(instance, Article):
        bump(f"article:{instance.pk}", *(f"book:{pk}" for pk in pk_set or ()))
    elif action == "pre_clear" and isinstance(instance, Article):
        bump(*(f"book:{pk}" for pk in instance.embedded_books.values_list("pk", flat=True)))


@receiver(m2m_changed, sender=Article.topics.through)
def article_topics_changed(sender, instance, action, pk_set, **kwargs):
    if action.startswith("post_") and isinstance(instance, Article):
        bump(f"article:{instance.pk}", *(f"topic:{pk}" for pk in pk_set or ()))


@receiver([post_save, post_delete], sender=Topic)
def topic_changed(sender, instance: Topic, **kwargs):
    bump(f"topic:{instance.pk}", "article-list")


@expiry_limit
def next_scheduled_article() -> float | None:
    """Seconds until the next scheduled article appears: cached pages expire by then."""
    now = timezone.now()
    upcoming = Article.objects.filter(
        status=Article.Status.PUBLISHED, published_at__gt=now
    ).aggregate(first=Min("published_at"))["first"]
    return (upcoming - now).total_seconds() if upcoming else None
