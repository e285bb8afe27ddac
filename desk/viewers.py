"""Who is looking at a desk form: what its read-only parts may name for them.

A read-only field of the admin is given the object alone, never the request, yet some
name other objects only some people may open (a book's "Where used" names articles,
and a contributor opens only their own: ArticleAdmin). `NamesOnlyWhatTheyMayOpen` hands
the form's object the request it is shown for, and `may_open` asks the other model's
admin, the one place that says who may see what (its `has_view_permission`).
"""

from collections.abc import Callable

from django.contrib import admin
from django.contrib.admin.exceptions import NotRegistered
from django.db import models
from django.http import HttpRequest

# The object's attribute holding the request its form is shown for (this request only:
# the object is read anew for each).
SHOWN_FOR = "desk_shown_for"


class NamesOnlyWhatTheyMayOpen:
    """An admin whose change form's read-only parts name other objects (see the module)."""

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            setattr(obj, SHOWN_FOR, request)
        return super().render_change_form(request, context, add, change, form_url, obj)


def may_open(shown: models.Model, model: type[models.Model]) -> Callable[[models.Model], bool]:
    """Whether the person `shown`'s form is shown for may open an object of `model` at
    the desk; nobody may, for a form shown outside a request."""
    request: HttpRequest | None = getattr(shown, SHOWN_FOR, None)
    if request is None:
        return lambda obj: False
    return opener(request)(model)


def opener(request: HttpRequest) -> Callable[[type[models.Model]], Callable[[models.Model], bool]]:
    """`may_open` for a page that has its request at hand (a comparison of versions, a
    restore page, a conflict): for a model, whether this person may open each of its rows
    at the desk (desk.history names only those). A model the desk does not show is
    named as before."""

    def for_model(model: type[models.Model]) -> Callable[[models.Model], bool]:
        try:
            model_admin = admin.site.get_model_admin(model)
        except NotRegistered:
            return lambda obj: True
        return lambda obj: model_admin.has_view_permission(request, obj)

    return for_model
