"""The admin site of the desk: Django's, branded, with bulk actions that check their ids.

Installed in place of `django.contrib.admin` by `desk.apps.DeskAdminConfig`, the way
Django's docs override the default site, so every ModelAdmin (ours, auth's, axes',
the task queue's) is served through it.
"""

from functools import wraps

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect


class DeskAdminSite(admin.AdminSite):
    site_header = "Colophon editors’ desk"
    site_title = "Colophon desk"
    index_title = "Articles, books and ratings"

    # Django 5.2's ModelAdmin.get_urls passes its bound views (changelist_view among
    # them) through admin_view; tests/desk/test_admin_site.py fails if that changes.
    def admin_view(self, view, cacheable=False):
        model_admin = getattr(view, "__self__", None)
        if isinstance(model_admin, admin.ModelAdmin) and view.__name__ == "changelist_view":
            view = _selection_checked(view, model_admin)
        return super().admin_view(view, cacheable)


def _selection_checked(changelist_view, model_admin):
    """A bulk action posted with ids that cannot be ids of the list's model (`abc`, `1\\x00`)
    goes back to the list with a message; Django's admin would answer it with a 500."""

    @wraps(changelist_view)
    def view(request, *args, **kwargs):
        if request.method == "POST" and "action" in request.POST:
            primary_key = model_admin.model._meta.pk
            try:
                for value in request.POST.getlist(ACTION_CHECKBOX_NAME):
                    primary_key.to_python(value)
            except ValidationError:
                model_admin.message_user(
                    request,
                    "Nothing was done: the selection names items this list does not have.",
                    messages.WARNING,
                )
                return HttpResponseRedirect(request.get_full_path())
        return changelist_view(request, *args, **kwargs)

    return view
