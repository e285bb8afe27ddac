"""The pictures' background work (django-tasks), run by `manage.py db_worker`: an upload
stored again without its metadata, and its renditions."""

from django.db import transaction
from django_tasks import task

from shared.pictures import NotCleaned

from .models import Image
from .preparing import prepare, record_failure


@task()
def prepare_image(image_id: int) -> None:
    """Make the picture's held upload fit to serve (seconds, and up to about 100 MB for
    the largest); if it cannot be, its form says why."""
    image = Image.objects.filter(pk=image_id).first()
    if image is None:
        return  # deleted before the worker got to it
    try:
        prepare(image)
    except NotCleaned as error:
        record_failure(image_id, str(error))
    except Exception as error:
        # The worker logs the traceback; the editor sees what happened.
        record_failure(image_id, f"the worker stopped on an error ({type(error).__name__})")
        raise


def prepare_image_after_commit(image: Image) -> None:
    """Queue `prepare_image` once the save commits (where tasks run at once, DEBUG and
    tests, the picture is ready when the save returns)."""
    transaction.on_commit(lambda: prepare_image.enqueue(image.pk))
