"""The admin site of the desk: Django's, branded, with bulk actions that check their ids.

Installed in place of `django.contrib.admin` by `desk.apps.DeskAdminConfig`, the way
Django's docs override the default site, so every ModelAdmin (ours, auth's, axes',
the task queue's) is served through it.
"""

from functools import wraps

from django.contrib import admin, messages
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.contenttypes import views as contenttype_views
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import path

from .home import panels_for


class DeskAdminSite(admin.AdminSite):
    site_header = "Colophon editors’ desk"
    site_title = "Colophon desk"
    index_title = "Articles, books and ratings"

    def get_urls(self):
        # "View on site" redirects any staff member to any object's public address (a
        # draft's slug included): here it asks the object's admin first.
        return [
            path(
                "r/<path:content_type_id>/<path:object_id>/",
                self.admin_view(self.view_on_site),
                name="view_on_site",
            )
            if getattr(pattern, "name", None) == "view_on_site"
            else pattern
            for pattern in super().get_urls()
        ]

    def index(self, request, extra_context=None):
        """The desk's first page starts with the work: the panels the apps declare
        (desk/home.py), above Django's list of apps."""
        return super().index(request, {"panels": panels_for(request), **(extra_context or {})})

    def view_on_site(self, request, content_type_id, object_id):
        if not str(content_type_id).isdecimal():  # "²" is a digit int() refuses
            raise Http404("No such object on the desk.")
        content_type = ContentType.objects.filter(pk=content_type_id).first()
        model = content_type.model_class() if content_type is not None else None
        try:
            model_admin = self.get_model_admin(model) if model is not None else None
        except NotRegistered:
            model_admin = None
        obj = model_admin.get_object(request, object_id) if model_admin is not None else None
        if obj is None or not model_admin.has_view_permission(request, obj):
            raise Http404("No such object on the desk.")
        return contenttype_views.shortcut(request, content_type_id, object_id)

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
