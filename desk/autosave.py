"""Autosave: the desk keeps what an editor types, per editor and per form, on the server.

The change form of an admin that calls `autosave_context()` carries an element the
script (desk/static/desk/autosave.js) reads: where to send the form's fields, the key
of the form, and what is already kept. While the editor types, the script posts the
fields here every few seconds; when they come back to the form without having saved,
it offers what was kept, with the time, to restore or discard. A save through the
admin calls `forget()`. Each editor sees only their own.
"""

import json

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils import formats, timezone

from .models import AutosavedForm

# Bigger than any article form (its body is at most 500,000 characters, which UTF-8
# may make 2 MB), smaller than what a request may carry.
MAX_FIELDS_BYTES = 4 * 1024 * 1024
MAX_FIELDS = 200
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
    return {
        "autosave": {
            "url": reverse("desk-autosave"),
            "key": key,
            "kept_at": (
                formats.date_format(timezone.localtime(kept.saved_at), "j M Y, H:i:s T")
                if kept
                else ""
            ),
        }
    }


def forget(user, opts, obj) -> None:
    """The form was saved: what was kept of it is no longer needed."""
    keys = [form_key(opts, obj), form_key(opts, None)]
    AutosavedForm.objects.filter(user=user, form_key__in=keys).delete()


# PostgreSQL can store no NUL character, in text or in JSON; nobody types one either.
NUL_REFUSED = "The form holds a NUL character, which cannot be kept: remove it."


def _holds_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(name) or _holds_nul(item) for name, item in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


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
    if len(raw.encode()) > MAX_FIELDS_BYTES:
        return _refuse("Too much to keep: save the form instead.", status=413)
    try:
        fields = json.loads(raw)
    except ValueError:
        return _refuse("fields: not JSON")
    if not isinstance(fields, dict) or len(fields) > MAX_FIELDS:
        return _refuse("fields: an object of field names")
    if _holds_nul(fields):
        return _refuse(NUL_REFUSED)
    kept = {
        str(name): value for name, value in fields.items() if name not in NOT_KEPT and _text(value)
    }
    AutosavedForm.objects.update_or_create(
        user=request.user,
        form_key=key,
        defaults={"fields": kept, "loaded_version": str(fields.get("loaded_version", ""))[:40]},
    )
    return JsonResponse({"saved_at": timezone.now().isoformat()})
