"""Slow work queued by the desk's saves runs in the background worker, never in the
editor's request: cover renditions, "Read next" refreshes and share images."""

import pytest
from django_tasks_db.models import DBTaskResult

from articles.models import Article
from catalogue.models import Book
from tests.catalogue.test_covers import ADD_URL
from tests.factories import article_form, book_form, make_article
from tests.pictures import image_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue(settings):
    """The real queue, with no worker running: what a save leaves to it stays there."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def queued() -> list[str]:
    return sorted(result.task_path.rsplit(".", 1)[1] for result in DBTaskResult.objects.all())


def test_an_uploaded_cover_is_sized_by_the_worker(
    admin_client, queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(ADD_URL, book_form(cover=image_upload(size=(800, 1200))))
    assert response.status_code == 302
    assert Book.objects.get().cover_renditions == {}  # not made in the request
    assert queued() == ["make_cover_renditions"]


def test_saving_an_article_queues_its_read_next_refresh_and_share_image(
    admin_client, queue, django_capture_on_commit_callbacks
):
    make_article(title="Another")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post("/admin/articles/article/add/", article_form())
    assert response.status_code == 302
    assert Article.objects.count() == 2
    assert queued() == ["make_share_images", "refresh_recommendations"]
    assert not Article.objects.get(title="A new piece").share_image  # not drawn in the request
