"""Autosave: the desk keeps what an editor types, per editor and per form, on the server.

The change form of an admin that calls `autosave_context()` carries an element the
script (desk/static/desk/autosave.js) reads: where to send the form's fields, the key
of the form, and what is already kept. While the editor types, the script posts the
fields here every few seconds; when they come back to the form without having saved,
it offers what was kept, with the time, to restore or discard. A save through the
admin calls `forget()`. Each editor sees only their own.

What is kept is bounded: a form's fields hold at most MAX_FIELDS_CHARACTERS, and an
editor keeps at most KEPT_FORMS_PER_EDITOR forms, each under the address of a desk form
they may open (an add form of a model they may add, the change form of an object they
may change). Nothing kept is dropped to make room: a form beyond the quota is refused
with a message naming the forms kept, to save or discard; only copies of forms that can
no longer be opened (the object deleted, the permission gone) are dropped then.
"""

import json
import re

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils import formats, timezone

from .models import AutosavedForm

# An article's fields: its body (at most 500,000 characters) and the rest, with room.
MAX_FIELDS_CHARACTERS = 600_000
MAX_FIELDS = 200
KEPT_FORMS_PER_EDITOR = 20
# "articles.article:12", or "articles.article:new" (form_key).
FORM_KEY = re.compile(r"^(?P<app>\w+)\.(?P<model>\w+):(?P<object_id>[^:]+)$")
# The form's own bookkeeping, not what the editor typed (the conflict choice included).
NOT_KEPT = {
    "csrfmiddlewaretoken", "loaded_version", "_save", "_continue", "_addanother",
    "kept_over_version", "take_theirs",
}  # fmt: skip


def form_key(opts, obj) -> str:
    return f"{opts.app_label}.{opts.model_name}:{obj.pk if obj is not None else 'new'}"


def autosave_context(request, opts, obj) -> dict:
    """What a change form's template needs to autosave and to offer a kept version."""
    key = form_key(opts, obj)
    # Offered when the form opens, not when it comes back refused (it holds their words).
    kept = (
        AutosavedForm.objects.filter(user=request.user, form_key=key).first()
        if request.method == "GET"
        else None
    )
    # The browser's own copy (autosave.js) is offered only when newer than both of these.
    saved_at = getattr(obj, "updated_at", None)  # the desk's models all keep one
    return {
        "autosave": {
            "url": reverse("desk-autosave"),
            "key": key,
            "kept_at": (
                formats.date_format(timezone.localtime(kept.saved_at), "j M Y, H:i:s T")
                if kept
                else ""
            ),
            "kept_at_iso": kept.saved_at.isoformat() if kept else "",
            "saved_at_iso": saved_at.isoformat() if saved_at else "",
            # A form shown again after a refused save holds the words already.
            "offers_copies": request.method == "GET",
        }
    }


def form_admin_and_object(request, key: str):
    """The admin of the form `key` names and its object (None for an add form), if the
    editor may open that form; else None."""
    match = FORM_KEY.match(key)
    if match is None:
        return None
    try:
        model = apps.get_model(match["app"], match["model"])
        model_admin = admin.site.get_model_admin(model)
    except (LookupError, NotRegistered):
        return None
    if match["object_id"] == "new":
        return (model_admin, None) if model_admin.has_add_permission(request) else None
    obj = model_admin.get_object(request, match["object_id"])
    if obj is None or not model_admin.has_change_permission(request, obj):
        return None
    if form_key(model_admin.opts, obj) != key:
        return None  # "…:004" names the same form as "…:4": one spelling, one copy
    return model_admin, obj


def form_label(model_admin, obj) -> str:
    """“Torgau” (an article), or “a new article”."""
    if obj is None:
        return f"a new {model_admin.opts.verbose_name}"
    return f"“{obj}” ({model_admin.opts.verbose_name})"


def forget(user, opts, obj) -> None:
    """The form was saved: what was kept of it is no longer needed."""
    keys = [form_key(opts, obj), form_key(opts, None)]
    AutosavedForm.objects.filter(user=user, form_key__in=keys).delete()


# PostgreSQL can store no NUL character, in text or in JSON; nobody types one either.
NUL_REFUSED = "The form holds a NUL character, which cannot be kept: remove it."


def _holds_nul(kept: dict, loaded_version: str) -> bool:
    """Whether what is kept (flat: names, strings, lists of strings) holds a NUL, which
    PostgreSQL's JSON cannot store."""
    texts = [loaded_version, *kept]
    for value in kept.values():
        texts.extend(value if isinstance(value, list) else [value])
    return any("\x00" in text for text in texts)


def _refuse(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@staff_member_required
def autosave_view(request: HttpRequest) -> JsonResponse:
    """GET ?key=: what is kept; POST key, fields (JSON): keep it; POST key, discard: drop it."""
    key = (request.POST if request.method == "POST" else request.GET).get("key", "")
    if not key or len(key) > 100:
        return _refuse("Which form? (key)")
    if "\x00" in key:
        return _refuse(NUL_REFUSED)
    mine = AutosavedForm.objects.filter(user=request.user, form_key=key)
    if request.method == "GET":
        kept = mine.first()
        response = JsonResponse(
            {
                "fields": kept.fields if kept else None,
                "loaded_version": kept.loaded_version if kept else None,
            }
        )
    elif request.method == "POST":
        response = _post(request, key, mine)
    else:
        return _refuse("GET or POST", status=405)
    response["Cache-Control"] = "no-store"
    return response


def _text(value) -> bool:
    """A field's value as a form posts it: a string, or a list of strings."""
    if isinstance(value, list):
        return all(isinstance(item, str) for item in value)
    return isinstance(value, str)


def _post(request, key, mine) -> JsonResponse:
    if "discard" in request.POST:
        mine.delete()
        return JsonResponse({"discarded": True})
    # What the editor typed, and the version of the object it was typed over.
    raw = request.POST.get("fields", "")
    if len(raw) > MAX_FIELDS_CHARACTERS:
        return _refuse(
            f"This form holds more than can be kept ({len(raw):,} characters; at most "
            f"{MAX_FIELDS_CHARACTERS:,}): your changes are still in the form, save it to "
            "keep them.",
            status=413,
        )
    if form_admin_and_object(request, key) is None:
        return _refuse("This is not a desk form you may open: nothing was kept.")
    if not mine.exists() and (refused := _over_quota(request)):
        return refused
    try:
        fields = json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: arrays nested thousands deep
        return _refuse("fields: not JSON")
    if not isinstance(fields, dict) or len(fields) > MAX_FIELDS:
        return _refuse("fields: an object of field names")
    kept = {
        str(name): value for name, value in fields.items() if name not in NOT_KEPT and _text(value)
    }
    loaded_version = str(fields.get("loaded_version", ""))[:40]
    # Checked on what is kept, which is flat: nested values, dropped, are never walked.
    if _holds_nul(kept, loaded_version):
        return _refuse(NUL_REFUSED)
    AutosavedForm.objects.update_or_create(
        user=request.user,
        form_key=key,
        defaults={"fields": kept, "loaded_version": loaded_version},
    )
    return JsonResponse({"saved_at": timezone.now().isoformat()})


def _over_quota(request) -> JsonResponse | None:
    """Refuses a new form once the editor keeps KEPT_FORMS_PER_EDITOR, naming them (none
    is dropped: it could be the only copy of their words); copies of forms they can no
    longer open are dropped first, as nobody could restore them."""
    kept = AutosavedForm.objects.filter(user=request.user)
    if kept.count() < KEPT_FORMS_PER_EDITOR:
        return None
    labels = []
    for copy in kept.order_by("saved_at"):
        form = form_admin_and_object(request, copy.form_key)
        if form is None:
            copy.delete()
        else:
            labels.append(form_label(*form))
    if len(labels) < KEPT_FORMS_PER_EDITOR:
        return None
    return _refuse(
        f"Your changes to this form were not kept on the server: changes to "
        f"{len(labels)} other forms you have not saved are kept already "
        f"({', '.join(labels)}). Open some of them and save or discard their changes; "
        "until then, save this form to keep your changes.",
        status=400,
    )
