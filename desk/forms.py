"""Forms whose saves never overwrite a colleague's.

Two editors open the same article; the first saves. When the second saves, their form
still carries the version number they opened (the row's `version`, which each save
through the model counts up), which no longer matches: the save is refused, and the
form shows the colleague's stored version against the second editor's, who then keeps
theirs or takes the colleague's (desk/admin.py). Nothing is lost either way: the
colleague's version stays in the history, and the editor's text stays in the form until
they choose. The check reads the row FOR UPDATE inside the admin's transaction, so two
saves at the same moment cannot both pass it (on PostgreSQL; SQLite runs one writer at
a time but does not lock on reading).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction

from shared.text import without_control_characters

from .history import Conflict, Snapshot, local_time, snapshot, submitted_values, version_that_made

VERSION_FIELD = "loaded_version"


class ConflictSafeForm(forms.ModelForm):
    """A ModelForm for a model with a `version` counter that refuses to overwrite a
    newer save."""

    loaded_version = forms.CharField(widget=forms.HiddenInput, required=False)
    # Set by ConflictSafeAdmin when restoring an old version: the row then holds that
    # version's values, and what must not be overwritten is what was stored before.
    stored: Snapshot | None = None
    # Set when the save was refused: what the editor chooses between.
    conflict: Conflict | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            number = self.stored.number if self.stored else self.instance.version
            self.initial[VERSION_FIELD] = str(number)

    def clean(self):
        cleaned = super().clean()
        for name, value in cleaned.items():
            if isinstance(value, str):
                # Invisible, so nobody could find them to remove them (shared/text.py).
                cleaned[name] = without_control_characters(value)
        if not self.instance.pk or not self.is_bound:
            return cleaned
        current = self.stored.number if self.stored else self.stored_number()
        # No version posted (a form from before the desk numbered versions, a script, a
        # tampered page) says nothing of what the editor saw: a conflict, never a pass.
        loaded = (cleaned.get(VERSION_FIELD) or "").strip()
        if current is None or loaded == str(current):
            if current is not None:
                # The save makes the next number, whatever the instance was read as (a
                # restore reverts the row, and its number, to the old version's).
                self.instance.version = current
            return cleaned
        theirs = self.stored or snapshot(
            type(self.instance)._default_manager.get(pk=self.instance.pk)
        )
        made = version_that_made(self.instance, current)
        self.conflict = Conflict(
            model=type(self.instance),
            theirs=theirs,
            mine=submitted_values(self),
            saved_by=made.saved_by if made else None,
        )
        # Saving again overwrites on purpose: the form now carries the current version.
        self.data = self.data.copy()
        self.data[self.add_prefix(VERSION_FIELD)] = str(current)
        raise ValidationError(self.conflict_message(loaded), code="conflict")

    def stored_number(self) -> int | None:
        rows = type(self.instance)._default_manager.filter(pk=self.instance.pk)
        if transaction.get_connection().in_atomic_block:
            rows = rows.select_for_update()
        return rows.values_list("version", flat=True).first()

    def conflict_message(self, loaded: str) -> str:
        conflict = self.conflict
        when = f" at {local_time(conflict.theirs.saved_at)}" if conflict.theirs.saved_at else ""
        by = f" by {conflict.saved_by}" if conflict.saved_by else f" (by {conflict.author})"
        if not loaded:
            return (
                f"Not saved: this form did not say which version of “{self.instance}” you "
                f"opened, so it could overwrite a newer save. The stored version "
                f"{conflict.number}, saved{by}{when}, is below against yours, which is "
                "still in the form. Compare them, then keep yours or take theirs."
            )
        opened = f"version {loaded}" if loaded.isdigit() else "it"
        return (
            f"Not saved: “{self.instance}” was changed{by}{when} (version {conflict.number}), "
            f"after you opened {opened}. Nothing is lost: their version is stored, yours is "
            "still below. Compare them, then keep yours or take theirs."
        )
