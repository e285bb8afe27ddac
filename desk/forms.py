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

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import QueryDict

from shared.text import without_control_characters

from . import merging
from .history import (
    Conflict,
    Snapshot,
    comparable,
    compared_fields,
    kept_values,
    local_time,
    snapshot,
    submitted_values,
    version_that_made,
)

VERSION_FIELD = "loaded_version"
# The value of the conflict panel's "Keep mine" button (admin/desk/includes/conflict.html):
# each clash left marked in a text is then settled for the editor's lines.
KEEP_MINE = "keep_mine"


@dataclass
class MergeConflict(Conflict):
    """A conflict whose form holds a merged draft: what only one side changed is merged,
    and each clash in a text is marked in it (desk/merging.py)."""

    merge: merging.Merge | None = None
    labels: dict | None = None
    # Why a merge with no clash was not saved: the form's errors for the merged values.
    refused: tuple[str, ...] = ()
    # The rows saved beside the form (“the authors”) only they changed: the draft's are
    # theirs.
    rows_taken: tuple[str, ...] = ()

    @property
    def draft_clashes(self) -> int:
        return self.merge.text_clashes if self.merge else 0

    @property
    def took_theirs(self) -> bool:
        return bool(self.merge and self.merge.took_theirs) or bool(self.rows_taken)

    @property
    def clashing_fields(self) -> list[str]:
        """The fields both changed, for a sentence (“the title”), in the form's order."""
        if self.merge is None:
            return []
        return [
            f"the {self.labels[field.name].lower()}" for field in self.merge.fields if field.clash
        ]


@dataclass(frozen=True)
class Merged:
    """A conflicting save merged cleanly with the colleague's version `number`."""

    merge: merging.Merge
    number: int
    saved_by: str | None
    labels: dict

    def changes_of(self, side: str) -> list[str]:
        return [
            change
            for field in self.merge.fields
            for change in field.changes_of(side, self.labels[field.name].lower())
        ]


class ConflictSafeForm(forms.ModelForm):
    """A ModelForm for a model with a `version` counter that refuses to overwrite a
    newer save."""

    loaded_version = forms.CharField(widget=forms.HiddenInput, required=False)
    # Set by ConflictSafeAdmin when restoring an old version: the row then holds that
    # version's values, and what must not be overwritten is what was stored before.
    stored: Snapshot | None = None
    # Set when the save was refused: what the editor chooses between.
    conflict: Conflict | None = None
    # Set when a conflicting save was merged with the colleague's version and saved.
    merged: Merged | None = None
    # Set by ConflictSafeAdmin: whether the posted inline formsets change any row (a
    # merge never takes them over a colleague's rows).
    inlines_changed: Callable[[], bool] | None = None
    # Set by ConflictSafeAdmin: the rows the posted inline formsets would leave, by the
    # many-to-many field kept beside the row (history.submitted_rows).
    inline_values: Callable[[], dict] | None = None
    # Set by ConflictSafeAdmin: makes the page's inline formsets of these fields show
    # the rows as stored now.
    show_stored_rows: Callable[[set[str]], None] | None = None

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
        self.settle_clash_marks(cleaned)
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
        saved_by = made.saved_by if made else None
        merge = self.merge_with(theirs, loaded, saved_by)
        refused: tuple[str, ...] = ()
        if merge is not None and merge.clean and not self.changes_inlines():
            merged, refused = self.validated(merge, current)
            if merged is not None:
                self.merged = Merged(merge, current, saved_by, self.labels())
                self.instance.version = current
                return merged
        mine = submitted_values(self)
        if merge:
            mine.update(merge.resolved_as_mine())
        # Keep mine saves the inline rows posted too (a book's authors, a list's books):
        # shown against theirs, or their change would be undone unseen. Rows only they
        # changed are theirs in the draft, as its other fields are.
        rows = self.inline_values() if self.inline_values is not None else {}
        rows_taken = self.rows_only_they_changed(loaded, rows, theirs) if merge else set()
        if rows_taken and self.show_stored_rows is not None:
            self.show_stored_rows(rows_taken)
            rows.update({attname: theirs.values[attname] for attname in rows_taken})
        else:
            rows_taken = set()
        mine.update(rows)
        self.conflict = MergeConflict(
            model=type(self.instance),
            theirs=theirs,
            mine=mine,
            saved_by=saved_by,
            merge=merge,
            labels=self.labels(),
            refused=refused,
            rows_taken=tuple(
                f"the {label.lower()}"
                for attname, label in self.labels().items()
                if attname in rows_taken
            ),
        )
        # Saving again overwrites on purpose: the form now carries the current version,
        # and the merged draft where there is one.
        self.data = self.merged_data(merge, current) if merge else self.data.copy()
        self.data[self.add_prefix(VERSION_FIELD)] = str(current)
        raise ValidationError(self.conflict_message(loaded), code="conflict")

    def rows_only_they_changed(self, loaded: str, rows: dict, theirs: Snapshot) -> set[str]:
        """Of the inline rows posted (`rows`, by field), those the editor left as in the
        version they opened, which the colleague's stored version changed."""
        made = version_that_made(self.instance, int(loaded))
        if made is None:
            return set()
        try:
            opened = kept_values(type(self.instance), made.version)
        except Exception:  # kept before a field it names was removed: unreadable
            return set()
        taken = set()
        for model_field in compared_fields(type(self.instance)):
            name = model_field.attname
            if name not in rows or name not in opened or name not in theirs.values:
                continue
            base, posted, stored = (
                comparable(model_field, values[name]) for values in (opened, rows, theirs.values)
            )
            if posted == base != stored:
                taken.add(name)
        return taken

    def changes_inlines(self) -> bool:
        return self.inlines_changed is not None and self.inlines_changed()

    def labels(self) -> dict:
        """Each compared field's label, by the name values are kept under."""
        return {
            field.attname: str(field.verbose_name).capitalize()
            for field in compared_fields(type(self.instance))
        }

    def merge_with(self, theirs: Snapshot, loaded: str, saved_by: str | None):
        """The editor's post merged with the colleague's stored values over the version
        the editor loaded; None when that version is not kept, on a restore page (which
        means to bring an old version back, not to merge it), or when the post has
        errors of its own."""
        # isdecimal: "²" is a digit to isdigit() that int() refuses (a tampered form).
        if self.stored is not None or self._errors or not loaded.isdecimal():
            return None
        made = version_that_made(self.instance, int(loaded))
        if made is None:
            return None
        try:
            base_values = made.version.field_dict
        except Exception:  # kept before a field it names was removed: unreadable
            return None
        model = type(self.instance)
        mine = submitted_values(self)
        fields = [field for field in compared_fields(model) if field.attname in mine]

        def comparable_values(values: dict) -> dict:
            return {
                field.attname: comparable(field, values[field.attname])
                for field in fields
                if field.attname in values
            }

        who = f"{saved_by}’s" if saved_by else "Theirs"
        return merging.merge_values(
            comparable_values(base_values),
            comparable_values(mine),
            comparable_values(theirs.values),
            texts={field.attname for field in fields if isinstance(field, models.TextField)},
            theirs_label=f"{who} (version {theirs.number})",
        )

    def merged_data(self, merge: merging.Merge, current: int) -> QueryDict:
        """The posted data with the merged values of the fields whose value is not the
        editor's, as their widgets would post them."""
        data = self.data.copy()
        by_attname = {field.attname: field.name for field in compared_fields(type(self.instance))}
        for attname in merge.not_mine:
            name = by_attname[attname]
            if name in self.fields:
                for key, posted in widget_data(self[name], merge.values[attname]).items():
                    data.setlist(key, posted)
        data[self.add_prefix(VERSION_FIELD)] = str(current)
        return data

    def validated(self, merge: merging.Merge, current: int) -> tuple[dict | None, tuple]:
        """The merged values cleaned by this same form, as if the editor had posted
        them (embeds, slugs, every check apply), or None and the form's errors."""
        fresh = type(self.instance)._default_manager.get(pk=self.instance.pk)
        form = type(self)(self.merged_data(merge, current), self.files, instance=fresh)
        if form.is_valid():
            return form.cleaned_data, ()
        return None, tuple(message for errors in form.errors.values() for message in errors)

    def settle_clash_marks(self, cleaned: dict) -> None:
        """A text still holding a clash's marks is not saved, unless the editor pressed
        Keep mine, which settles each clash for their lines."""
        keep_mine = KEEP_MINE in (self.data.get("_continue"), self.data.get("_save"))
        for name, value in list(cleaned.items()):
            if not isinstance(value, str) or not isinstance(self.fields[name], forms.CharField):
                continue
            line = merging.clash_marks_in(value)
            if line is None:
                continue
            if keep_mine:
                cleaned[name] = merging.keep_mine(value)
                continue
            self.add_error(
                name,
                ValidationError(
                    "Not saved: line %(line)s still holds a clash’s marks (“%(mark)s” … "
                    "“>>>>>>> …”). Keep the lines you want between them, delete the marks "
                    "and the “=======” line, then save; or press Keep mine to keep your "
                    "lines wherever you both changed the same ones.",
                    code="clash_marks",
                    params={"line": line, "mark": merging.MINE_MARK},
                ),
            )

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
        opened = f"version {loaded}" if loaded.isdecimal() else "it"
        yours = "yours is still below. Compare them, then keep yours or take theirs."
        clashes = conflict.merge.text_clashes if conflict.merge is not None else 0
        if clashes:
            # The form holds the merged draft, not the editor's text as posted.
            where = "the place" if clashes == 1 else f"the {clashes} places"
            yours = (
                f"the form below holds yours merged with theirs, {where} you both changed "
                "marked. Finish the draft and save, or keep yours or take theirs."
            )
        return (
            f"Not saved: “{self.instance}” was changed{by}{when} (version {conflict.number}), "
            f"after you opened {opened}. Nothing is lost: their version is stored, {yours}"
        )


def widget_data(bound_field, value) -> dict[str, list[str]]:
    """What `bound_field`'s widget posts for `value` (a value in the shape of
    `Version.field_dict`), by key: the split date and time inputs each, the chosen
    options of a multiple select, nothing for a file (the stored one stays)."""
    field, name = bound_field.field, bound_field.html_name
    widget = field.widget
    if isinstance(widget, RelatedFieldWidgetWrapper):
        widget = widget.widget
    if isinstance(field, forms.FileField):
        return {}
    prepared = field.prepare_value(value)
    if isinstance(widget, forms.MultiWidget):
        parts = widget.decompress(prepared)
        return {
            f"{name}{suffix}": [_text(part_widget.format_value(part))]
            for suffix, part_widget, part in zip(
                widget.widgets_names, widget.widgets, parts, strict=True
            )
        }
    if getattr(widget, "allow_multiple_selected", False):
        return {name: [str(each) for each in prepared or ()]}
    if isinstance(widget, forms.CheckboxInput):
        return {name: ["on"] if value else []}
    formatted = widget.format_value(prepared)
    if isinstance(formatted, list):  # a select's chosen option, as a list of one
        return {name: [str(each) for each in formatted]}
    return {name: [_text(formatted)]}


def _text(formatted) -> str:
    return "" if formatted is None else str(formatted)
