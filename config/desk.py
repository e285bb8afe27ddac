"""What the editors' desk shares across apps: saves that never overwrite a colleague's.

Two editors open the same article; the first saves. When the second saves, their form
still carries the version they opened (the row's `updated_at`), which no longer matches:
the save is refused with who saved it and when, and the second editor's text stays in
the form. Saving again replaces the other version on purpose (the form now carries the
current one); the history keeps both. The check reads the row FOR UPDATE inside the
admin's transaction, so two saves at the same moment cannot both pass it (on
PostgreSQL; SQLite runs one writer at a time but does not lock on reading).
"""

from datetime import datetime, timedelta

import reversion
from django import forms
from django.contrib.admin.utils import unquote
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


class ConflictSafeAdmin:
    """For a VersionAdmin whose form is a ConflictSafeForm: restoring an old version is
    refused like any save if someone saved after the restore page was opened, and what
    existed before the desk's first save is kept as the first version."""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST":  # before VersionAdmin opens the save's revision
            self.keep_first_version(unquote(object_id))
        return super().change_view(request, object_id, form_url, extra_context)

    def keep_first_version(self, pk) -> None:
        """Articles and books made by an import or before the history existed have no
        version yet: keep the state they are in before the desk first changes them, so
        it can be restored."""
        obj = self.model._default_manager.filter(pk=pk).first()
        if obj is not None and not Version.objects.get_for_object(obj).exists():
            with reversion.create_revision():
                reversion.add_to_revision(obj)
                reversion.set_comment("As it was before its first save in the desk.")

    def revision_view(self, request, object_id, version_id, extra_context=None):
        stored = (
            self.model._default_manager.filter(pk=unquote(object_id))
            .values_list("updated_at", flat=True)
            .first()
        )
        request.desk_stored_version = stored.isoformat() if stored else None
        return super().revision_view(request, object_id, version_id, extra_context)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        stored = getattr(request, "desk_stored_version", None)
        if stored:
            form = type(form.__name__, (form,), {"stored_version": stored})
        return form
