"""The articles' background work (django-tasks, run by `manage.py db_worker`)."""

from django.db import transaction
from django_tasks import task

from . import recommendations
from .models import Article
from .share_images import refresh_share_image


@task()
def refresh_recommendations(article_ids: list[int]) -> None:
    """Refresh "Read next" around each article: its own list and those it enters or
    leaves, all in one pass over the corpus. Seconds with thousands of articles: never
    inside an editor's request."""
    articles = list(Article.objects.filter(pk__in=article_ids))
    if articles:
        recommendations.refresh_for(*articles)


def refresh_recommendations_after_commit(article_ids) -> None:
    """Queue the refresh once the saving transaction commits (the worker must see it)."""
    ids = sorted(set(article_ids))
    if ids:
        transaction.on_commit(lambda: refresh_recommendations.enqueue(ids))


@task()
def make_share_images(article_ids: list[int]) -> None:
    """Make the share image of each article whose title or first book changed (seconds
    for a few: never in an editor's request); an article already right costs no drawing."""
    for article in Article.objects.filter(pk__in=article_ids).order_by("pk"):
        refresh_share_image(article)


def make_share_images_after_commit(article_ids) -> None:
    """Queue the share images once the saving transaction commits (the worker must see it)."""
    ids = sorted(set(article_ids))
    if ids:
        transaction.on_commit(lambda: make_share_images.enqueue(ids))
