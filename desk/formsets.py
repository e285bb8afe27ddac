"""Inline formsets for the desk's forms."""

from django.db import router, transaction
from django.forms import BaseInlineFormSet


class SwapSafeInlineFormSet(BaseInlineFormSet):
    """An inline whose rows may trade values that a unique constraint allows once per
    parent: a book's two credits with their authors swapped, a list's two books.

    Django saves the changed rows one by one, top down: the first took a value the
    second still held, and the database refused the save (a server error, the edit
    lost). Here the rows deleted go first; then the changed rows whose unique values
    change are deleted together and made anew, all in one transaction. A row's unique
    values so never change: restoring an older version (which deletes the rows made
    since and brings back its own) cannot meet the same clash. Only for rows nothing
    else points at (their deletion would take those with it)."""

    def save_existing_objects(self, commit=True):
        if not commit:  # the caller saves the rows, in its own order
            return super().save_existing_objects(commit)
        with transaction.atomic(using=router.db_for_write(self.model)):
            return self.save_existing_in_turn()

    def save_existing_in_turn(self) -> list:
        self.changed_objects, self.deleted_objects = [], []
        deleted = self.deleted_forms
        stored = [
            form
            for form in self.initial_forms
            if form.instance.pk is not None and not form.instance._state.adding
        ]
        for form in stored:
            if form in deleted:
                self.deleted_objects.append(form.instance)
                self.delete_existing(form.instance)
        changed = [form for form in stored if form not in deleted and form.has_changed()]
        remade = [form for form in changed if self.changes_unique_values(form)]
        if remade:
            self.model._base_manager.filter(pk__in=[form.instance.pk for form in remade]).delete()
            for form in remade:  # saved below as new rows
                form.instance.pk, form.instance._state.adding = None, True
        saved = []
        for form in changed:
            self.changed_objects.append((form.instance, form.changed_data))
            saved.append(self.save_existing(form, form.instance))
        return saved

    def changes_unique_values(self, form) -> bool:
        """Whether the form changes a field of any set the model holds unique."""
        unique_sets = [
            *self.model._meta.unique_together,
            *(constraint.fields for constraint in self.model._meta.total_unique_constraints),
        ]
        changed = set(form.changed_data)
        return any(changed.intersection(fields) for fields in unique_sets)


class BlankPlaceGoesLast:
    """A formset mixin for rows kept in order by a `position` field: a row whose position
    is left blank (a new author, a new book of a list) goes after the others, rather
    than where a default of 0 would put it."""

    def clean(self):
        super().clean()
        kept = [
            form
            for form in self.forms
            if form.has_changed() or form.instance.pk is not None
            if not self._should_delete_form(form) and hasattr(form, "cleaned_data")
        ]
        last = max((form.cleaned_data.get("position") or 0 for form in kept), default=-1)
        for form in kept:
            if form.cleaned_data.get("position") is None:
                last += 1
                form.cleaned_data["position"] = form.instance.position = last
