"""What the editors' desk shares across apps: saves that never overwrite a colleague's.

Two editors open the same article; the first saves. When the second saves, their form
still carries the version they opened (the row's `updated_at`), which no longer matches:
the save is refused with who saved it and when, and the second editor's text stays in
the form. Saving again replaces the other version on purpose (the form now carries the
current one); the history keeps both. The check reads the row FOR UPDATE inside the
admin's transaction, so two saves at the same moment cannot both pass it (on
PostgreSQL; SQLite runs one writer at a time but does not lock on reading).
"""

from django import forms
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

VERSION_FIELD = "loaded_version"


def version_of(instance) -> str:
    return instance.updated_at.isoformat() if instance.updated_at else ""


class ConflictSafeForm(forms.ModelForm):
    """A ModelForm for a model with `updated_at` that refuses to overwrite a newer save."""

    loaded_version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial[VERSION_FIELD] = version_of(self.instance)

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk or not self.is_bound:
            return cleaned
        rows = type(self.instance)._default_manager.filter(pk=self.instance.pk)
        if transaction.get_connection().in_atomic_block:
            rows = rows.select_for_update()
        current = rows.values_list("updated_at", flat=True).first()
        loaded = cleaned.get(VERSION_FIELD)
        if current is None or not loaded or loaded == current.isoformat():
            return cleaned
        # Saving again overwrites on purpose: the form now carries the current version.
        self.data = self.data.copy()
        self.data[self.add_prefix(VERSION_FIELD)] = current.isoformat()
        raise ValidationError(self.conflict_message(current), code="conflict")

    def conflict_message(self, saved_at) -> str:
        entry = (
            LogEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(self.instance),
                object_id=str(self.instance.pk),
            )
            .select_related("user")
            .order_by("-action_time")
            .first()
        )
        who = f" by {entry.user.get_username()}" if entry and entry.user else ""
        when = date_format(timezone.localtime(saved_at), "j F Y, H:i:s")
        return (
            f"Not saved: “{self.instance}” was saved{who} at {when}, after you opened it. "
            "Your changes are still below. Open the history to see what changed, or save "
            "again to replace that version with yours."
        )
