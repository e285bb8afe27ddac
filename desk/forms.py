"""Forms whose saves never overwrite a colleague's.

Two editors open the same article; the first saves. When the second saves, their form
still carries the version they opened (the row's `updated_at`), which no longer matches:
the save is refused with who saved it and when, and the second editor's text stays in
the form. Saving again replaces the other version on purpose (the form now carries the
current one); the history keeps both. The check reads the row FOR UPDATE inside the
admin's transaction, so two saves at the same moment cannot both pass it (on
PostgreSQL; SQLite runs one writer at a time but does not lock on reading).
"""

from datetime import datetime, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from reversion.models import Version

VERSION_FIELD = "loaded_version"


def version_of(instance) -> str:
    return instance.updated_at.isoformat() if instance.updated_at else ""


class ConflictSafeForm(forms.ModelForm):
    """A ModelForm for a model with `updated_at` that refuses to overwrite a newer save."""

    loaded_version = forms.CharField(widget=forms.HiddenInput, required=False)
    # Set by ConflictSafeAdmin when restoring an old version: the row then holds that
    # version's values, and what must not be overwritten is what was stored before.
    stored_version: str | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial[VERSION_FIELD] = self.stored_version or version_of(self.instance)

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk or not self.is_bound:
            return cleaned
        loaded = cleaned.get(VERSION_FIELD)
        if self.stored_version is not None:
            current = datetime.fromisoformat(self.stored_version)
        else:
            rows = type(self.instance)._default_manager.filter(pk=self.instance.pk)
            if transaction.get_connection().in_atomic_block:
                rows = rows.select_for_update()
            current = rows.values_list("updated_at", flat=True).first()
        if current is None or not loaded or loaded == current.isoformat():
            return cleaned
        # Saving again overwrites on purpose: the form now carries the current version.
        self.data = self.data.copy()
        self.data[self.add_prefix(VERSION_FIELD)] = current.isoformat()
        raise ValidationError(self.conflict_message(current), code="conflict")

    def conflict_message(self, saved_at) -> str:
        when = date_format(timezone.localtime(saved_at), "j F Y, H:i:s")
        return (
            f"Not saved: “{self.instance}” was changed{self.changed_by(saved_at)} at {when}, "
            "after you opened it. Your changes are still below. Open the history to see what "
            "changed, or save again to replace that version with yours."
        )

    def changed_by(self, saved_at) -> str:
        """Who made the save at `saved_at`: the desk keeps a version of each of its saves
        (django-reversion), holding the row as saved; an import or a script keeps none."""
        version = (
            Version.objects.get_for_object(self.instance).select_related("revision__user").first()
        )
        if version is not None and version.revision.user is not None:
            stored = version.field_dict.get("updated_at")
            # Versions keep times to the millisecond.
            if stored is not None and abs(stored - saved_at) < timedelta(milliseconds=1):
                return f" by {version.revision.user.get_username()}"
        return " (by an import or outside the desk)"
