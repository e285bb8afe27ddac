"""The names of what cached pages show: the one vocabulary of cache tags.

A cached page carries a tag for each thing it shows; `invalidate()` (pagecache.versions)
with any of those tags drops the page. Tags are spelled only here, so the view that
shows a thing and the code that changes it always name it alike.
"""

import hashlib
from collections.abc import Iterable

from django.db.models import Model

# Every page carries it; invalidated by bulk changes that send no signals (imports).
SITE = "site"


def tag_for(obj: Model) -> str:
    """Pages showing this object: `tag_for(book)` -> "catalogue.book:7"."""
    return tag_for_id(type(obj), obj.pk)


def tag_for_id(model: type[Model], pk: object) -> str:
    """The same, when only the primary key is at hand (`rating.book_id`)."""
    return f"{_name(model)}:{pk}"


def tags_for_ids(model: type[Model], pks: Iterable[object]) -> list[str]:
    return [tag_for_id(model, pk) for pk in pks]


def list_of(model: type[Model]) -> str:
    """Pages listing objects of `model` (filtered, sorted, counted): any of them
    changing, arriving or leaving may change such a list."""
    return f"{_name(model)}:list"


def group_of(model: type[Model], field: str, value: str) -> str:
    """Pages listing the objects that share `value` in `field` (the books of a series),
    so that one joining the group shows on them at once. The value may hold anything."""
    digest = hashlib.sha256(value.casefold().encode()).hexdigest()[:16]
    return f"{_name(model)}:{field}:{digest}"


def _name(model: type[Model]) -> str:
    # A proxy model's objects are its concrete model's rows: one name for both.
    return model._meta.concrete_model._meta.label_lower
