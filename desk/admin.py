"""What the desk adds to the admin of any app: saves that never overwrite a colleague's,
a history of versions to compare, preview and restore, and display methods whose HTML
comes from a template."""

import json

import reversion
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import pluralize
from django.template.loader import render_to_string, select_template
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst, get_text_list
from django.utils.translation import gettext as _
from reversion.models import Version

from shared.slugs import base_slug, unique_slug

from . import autosave, events, merging
from .forms import KEEP_MINE, Merged, widget_data
from .history import (
    compare,
    compared_fields,
    entry_for,
    history_of,
    is_public,
    kept_beside,
    kept_values,
    listing,
    snapshot,
    submitted_rows,
    through_of,
    values_of,
    version_that_made,
)
from .models import RevisionEvent
from .viewers import opener

# Posted by the conflict panel (admin/desk/includes/conflict.html), not form fields:
# the colleague's version a save from that page replaces, the other choice, and whether
# the page's merged draft held changes of theirs, or clashes marked in a text.
KEPT_OVER = "kept_over_version"
TAKE_THEIRS = "take_theirs"
DRAFT_TOOK_THEIRS = "draft_took_theirs"
DRAFT_CLASHES = "draft_clashes"
LIVE = "live"


def render_display(template_name: str, context: dict) -> SafeString:
    """The HTML of an admin display method, from its template: trimmed, as Django's form
    renderer trims a widget's, so a list cell or a link holds no stray newline."""
    return mark_safe(render_to_string(template_name, context).strip())


def keep_addresses_left(before, after) -> None:
    """A restore that changes a slug (or an ISBN) keeps the address it leaves, as a
    rename does: reversion reverts the row without the model's save, which would."""
    keep = getattr(after, "keep_old_addresses", None)
    if keep is None:
        return
    left = {
        name: getattr(before, name)
        for name in getattr(after, "remembered_fields", ())
        if name in ("slug", "isbn13") and getattr(before, name) != getattr(after, name)
    }
    if left.get("slug") or left.get("isbn13"):
        keep(left.get("slug", ""), left.get("isbn13", ""))


def conflict_note(form, errors) -> dict:
    """What the top of a refused save's page says: the conflict, and any other error
    the form has besides (those are marked at their fields as usual)."""
    non_field = form.errors.as_data().get("__all__", [])
    message = next(error for error in non_field if error.code == "conflict")
    others = [error for error in non_field if error.code != "conflict"]
    field_errors = sum(len(error_list) for error_list in errors) - len(non_field)
    return {
        "message": " ".join(message.messages),
        "other_messages": [text for error in others for text in error.messages],
        "field_errors": field_errors,
    }


def joined(items: list[str]) -> str:
    """“paragraph 3 of the body, paragraph 5 of the body and the title”."""
    return get_text_list(items, "and")


class AsksBeforeActions:
    """An admin whose list's bulk actions ask before they run, for those readers notice
    at once or that cannot be undone: `action_questions` maps an action's name to its
    question, "{count}" standing for how many rows are selected
    (desk/static/desk/action_questions.js, in admin/desk/change_list.html)."""

    change_list_template = "admin/desk/change_list.html"
    action_questions: dict[str, str] = {}

    def changelist_view(self, request, extra_context=None):
        offered = self.get_actions(request)
        questions = {name: text for name, text in self.action_questions.items() if name in offered}
        context = {"action_questions": json.dumps(questions)} if questions else {}
        return super().changelist_view(request, {**context, **(extra_context or {})})


class SlugFromTitleMayBeNumbered:
    """A form mixin (see `FreeSlugOnAdd`): the slug its title gives, when another row
    has it, is cleaned as the blank it stands for, and the model's save numbers it."""

    slug_source_field = "title"

    def clean_slug(self):
        slug = self.cleaned_data.get("slug", "")
        title = self.data.get(self.add_prefix(self.slug_source_field), "")
        from_title = base_slug(title, "")
        if slug and slug == from_title and unique_slug(self.instance, title) != slug:
            return ""
        return slug


class FreeSlugOnAdd:
    """An admin whose add form fills the slug from the title as the editor types
    (`prepopulated_fields`): a second book, article or author with a title another has
    takes a free slug ("the-hunger-games-2"), as a slug left blank does, rather than being
    refused with "… with this Slug already exists." A taken slug typed otherwise is the
    editor's choice, and still refused."""

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        source = self.get_prepopulated_fields(request, obj).get("slug")
        if obj is not None or not source or "slug" not in form.base_fields:
            return form
        attrs = {"slug_source_field": source[0]}
        return type(form.__name__, (SlugFromTitleMayBeNumbered, form), attrs)


class _NotRestored(Exception):
    """A restore page that saved nothing (shown, or refused): its revision is dropped."""

    def __init__(self, response):
        self.response = response


class ConflictSafeAdmin:
    """For a VersionAdmin whose form is a ConflictSafeForm.

    A refused save shows the colleague's version against the editor's, to keep or take
    (the choice recorded as a RevisionEvent, and said in the version's comment). The
    history lists versions newest first, to compare, preview and restore; a restore is
    refused like any save if someone saved after the restore page was opened, and is
    saved as a new version that names the one restored. What existed before the desk's
    first save is kept as the first version.
    """

    revision_form_template = "admin/desk/revision_form.html"
    change_list_template = "admin/desk/change_list.html"

    # --- URLs ----------------------------------------------------------------------

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/history/compare/",
                wrap(self.compare_view),
                name=f"{prefix}_compare",
            ),
            path(
                "<path:object_id>/history/preview/<int:version_id>/",
                wrap(self.version_preview_view),
                name=f"{prefix}_version_preview",
            ),
            *super().get_urls(),
        ]

    def desk_url(self, name: str, *args) -> str:
        opts = self.opts
        return reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_{name}", args=args
        )

    # --- Saving, and choosing after a conflict ---------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST":  # before VersionAdmin opens the save's revision
            if TAKE_THEIRS in request.POST:
                return self.take_theirs(request, object_id)
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
                events.record(
                    RevisionEvent.Kind.FIRST_SAVE,
                    sentence="As it was before its first save in the desk.",
                )

    def take_theirs(self, request, object_id) -> HttpResponse:
        """Drop the editor's unsaved changes for the version stored now, and record the
        choice as a version (the row itself is not saved: its number stays, so nobody
        else's open form is refused for it)."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None:  # deleted meanwhile: said as Django's own change form says it
            message = _("%(name)s with ID “%(key)s” doesn’t exist. Perhaps it was deleted?")
            name, key = self.opts.verbose_name, unquote(object_id)
            self.message_user(request, message % {"name": name, "key": key}, messages.WARNING)
            return redirect(f"{self.admin_site.name}:index")
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        autosave.forget(request.user, self.opts, obj)  # the changes dropped stay dropped
        theirs = version_that_made(obj, obj.version)
        whose = f"{theirs.author}’s" if theirs else "the stored"
        with reversion.create_revision():
            reversion.add_to_revision(obj)
            reversion.set_user(request.user)
            events.record(
                RevisionEvent.Kind.TOOK_THEIRS,
                sentence=f"Took {whose} version {obj.version} over my unsaved changes, "
                "which were dropped.",
                request=request,
                version_number=obj.version,
            )
        messages.info(
            request,
            f"You took {whose} version {obj.version}: the form shows it now. "
            "Your changes were not saved.",
        )
        return redirect(self.desk_url("change", quote(obj.pk)))

    def save_model(self, request, obj, form, change):
        # What a merged save took from whom, said once the save is logged (log_change).
        request.desk_merged = getattr(form, "merged", None)
        super().save_model(request, obj, form, change)

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        merged = getattr(request, "desk_merged", None)
        if merged is not None and reversion.is_active():
            self.record_merge(request, merged)
            return entry
        kept_over = request.POST.get(KEPT_OVER, "")
        # A restore says what it kept over in its own sentence (revision_view).
        restoring = getattr(request, "desk_restoring", False)
        if kept_over.isdecimal() and reversion.is_active() and not restoring:
            self.record_choice(request, obj, int(kept_over))
        return entry

    def record_merge(self, request, merged: Merged) -> None:
        """A conflicting save merged with a colleague's version: recorded as naming it,
        in a sentence naming both editors, and told to the editor, change by change."""
        me = request.user.get_username()
        them = merged.saved_by or "a colleague"
        mine, theirs = merged.changes_of(merging.MINE), merged.changes_of(merging.THEIRS)
        parts = [
            f"{who}’s change{pluralize(changes)} to {joined(changes)}"
            for who, changes in ((me, mine), (them, theirs))
            if changes
        ]
        events.record(
            RevisionEvent.Kind.MERGED,
            sentence=f"Merged {me}’s changes with {them}’s version {merged.number}"
            + (f": {' and '.join(parts)}." if parts else "."),
            request=request,
            version_number=merged.number,
        )
        told = [
            f"{who} change{pluralize(changes)} to {joined(changes)}"
            for who, changes in (("your", mine), (f"{them}’s", theirs))
            if changes
        ]
        what = " and ".join(told) or "the same changes on both sides"
        messages.info(
            request,
            f"{merged.saved_by or 'A colleague'} saved version {merged.number} while you were "
            f"editing; the two are merged and saved: {what}. Both versions stay in the history.",
        )

    def record_choice(self, request, obj, kept_over: int) -> None:
        """A save from the conflict page: a merge when its draft held changes of theirs,
        or clashes the editor settled by hand; else keeping mine over theirs."""
        took_theirs = DRAFT_TOOK_THEIRS in request.POST
        clashes = request.POST.get(DRAFT_CLASHES, "") not in ("", "0")
        keep_mine = KEEP_MINE in (request.POST.get("_continue"), request.POST.get("_save"))
        named = self.version_named(obj, str(kept_over))
        if took_theirs or (clashes and not keep_mine):
            how = (
                "where we both changed the same lines, mine was kept"
                if keep_mine
                else "where we both changed the same lines, I chose by hand"
                if clashes
                else "mine was kept where we both changed a field"
            )
            events.record(
                RevisionEvent.Kind.MERGED,
                sentence=f"Merged my version with {named}: {how}.",
                request=request,
                version_number=kept_over,
            )
            if not keep_mine:
                return
            sentence = ""  # said in the merge's sentence
        else:
            sentence = f"Kept my version over {named}."
        events.record(
            RevisionEvent.Kind.KEPT_MINE,
            sentence=sentence,
            request=request,
            version_number=kept_over,
        )

    def version_named(self, obj, number: str) -> str:
        """“second-editor’s version 4”, or “version 4 (by an import…)”."""
        made = version_that_made(obj, int(number))
        if made is None or made.saved_by is None:
            return f"version {number} (saved by an import or outside the desk)"
        return f"{made.saved_by}’s version {number}"

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        """A refused save's page shows the conflict above the fields (the change form
        the admin would show, extended by admin/desk/change_form.html)."""
        response = super().render_change_form(request, context, add, change, form_url, obj)
        conflict = getattr(context["adminform"].form, "conflict", None)
        if conflict is not None:
            conflict.may_open = opener(request)  # it names only what they may open
        # After a conflict, a page refused for another reason still records the choice.
        kept_over = request.POST.get(KEPT_OVER, "") if request.method == "POST" else ""
        if conflict is not None or kept_over.isdecimal():
            names = response.template_name
            response.context_data.update(
                conflict=conflict,
                kept_over=conflict.number if conflict else kept_over,
                # What the refused page's merged draft held, carried to the next save.
                draft_clashes=request.POST.get(DRAFT_CLASHES, ""),
                draft_took_theirs=request.POST.get(DRAFT_TOOK_THEIRS, ""),
                desk_change_form=select_template([names] if isinstance(names, str) else names),
            )
            if conflict is not None:
                # The page says what happened at its top, not Django's “Please correct the
                # error below.”: there is nothing to correct, only a choice to make.
                response.context_data.update(
                    conflict_note=conflict_note(context["adminform"].form, context["errors"]),
                    errors=[],
                )
            response.template_name = "admin/desk/change_form.html"
        return response

    # --- Recovering what was deleted -------------------------------------------------

    def has_recover_permission(self, request) -> bool:
        """Bringing back a deleted object undoes a deletion: for whoever may add and
        delete (reversion itself asks only for the add permission)."""
        return self.has_add_permission(request) and self.has_delete_permission(request)

    def changelist_view(self, request, extra_context=None):
        context = {"may_recover": self.has_recover_permission(request), **(extra_context or {})}
        return super().changelist_view(request, context)

    def recoverlist_view(self, request, extra_context=None):
        if not self.has_recover_permission(request):
            raise PermissionDenied
        return super().recoverlist_view(request, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        if not self.has_recover_permission(request):
            raise PermissionDenied
        # Reversion takes any version by its id, of any model, and reverts its whole
        # revision: only a version of this model's, of a row that no longer exists, is
        # recovered here (an existing one is restored from its history, checked there).
        version = get_object_or_404(Version.objects.get_for_model(self.model), pk=version_id)
        if self.model._default_manager.filter(pk=version.object_id).exists():
            raise Http404(f"This {self.opts.verbose_name} was not deleted: see its history.")
        return super().recover_view(request, version_id, extra_context)

    # --- Restoring ---------------------------------------------------------------------

    def revision_view(self, request, object_id, version_id, extra_context=None):
        """Reversion's restore page (the form filled with an old version; saving restores
        it), checked against what is stored now and recorded as naming the version."""
        if request.method == "POST" and TAKE_THEIRS in request.POST:
            return self.take_theirs(request, object_id)
        version = get_object_or_404(
            Version.objects.get_for_model(self.model), pk=version_id, object_id=unquote(object_id)
        )
        restoring = entry_for(version)
        context = {
            "title": f"Restore “{version.object_repr}”",
            "restoring": restoring,
            "time_zone": settings.TIME_ZONE,
            "compare_url": self.compare_url(unquote(object_id), version.pk),
            **(extra_context or {}),
        }
        rows = self.model._default_manager.filter(pk=unquote(object_id))
        with transaction.atomic():
            stored = (rows.select_for_update() if request.method == "POST" else rows).first()
            # Reversion checks only the old version (a draft, say): the row as it is now
            # decides, or a contributor could restore over a published article.
            if stored is not None and not self.has_change_permission(request, stored):
                raise PermissionDenied
            # A row that is gone comes back only through recovery, whoever kept the
            # version (a contributor's own deleted draft included).
            if stored is None and not self.has_recover_permission(request):
                raise PermissionDenied
            # Read before reversion reverts the row to the old version's values.
            request.desk_stored = snapshot(stored) if stored is not None else None
            if request.method != "POST" or stored is None:
                return super().revision_view(request, object_id, version_id, context)
            request.desk_restoring = True
            try:
                with reversion.create_revision():
                    response = super().revision_view(request, object_id, version_id, context)
                    restored = rows.first()
                    if restored.version == stored.version:
                        raise _NotRestored(response)  # refused or failed: nothing to record
                    keep_addresses_left(stored, restored)
                    sentence = f"Restored {restoring.describe()}"
                    kept_over = request.POST.get(KEPT_OVER, "")
                    if kept_over.isdecimal():
                        sentence += f", over {self.version_named(stored, kept_over)}"
                    events.record(
                        RevisionEvent.Kind.RESTORED,
                        sentence=sentence + ".",
                        request=request,
                        version_number=restoring.number,
                    )
                    if kept_over.isdecimal():  # said in the restore's sentence
                        events.record(
                            RevisionEvent.Kind.KEPT_MINE,
                            sentence="",
                            request=request,
                            version_number=int(kept_over),
                        )
            except _NotRestored as refused:
                return refused.response
        return response

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        attrs = {
            "inlines_changed": staticmethod(lambda: self.posted_inlines_change(request, obj)),
            "inline_values": staticmethod(lambda: self.posted_inline_values(request, obj)),
            "show_stored_rows": staticmethod(
                lambda attnames: self.show_stored_rows(request, obj, attnames)
            ),
        }
        stored = getattr(request, "desk_stored", None)
        if stored:
            attrs["stored"] = stored
        return type(form.__name__, (form,), attrs)

    def posted_formsets(self, request, obj) -> list:
        """The posted inline formsets of `obj`, built as the change view builds its own
        (Django 5.2's ModelAdmin._create_formsets)."""
        if request.method != "POST" or obj is None:
            return []
        formsets, prefixes = [], {}
        for formset_class, inline in self.get_formsets_with_inlines(request, obj):
            prefix = formset_class.get_default_prefix()
            prefixes[prefix] = prefixes.get(prefix, 0) + 1
            if prefixes[prefix] != 1 or not prefix:
                prefix = f"{prefix}-{prefixes[prefix]}"
            formsets.append(formset_class(**self.get_formset_kwargs(request, obj, inline, prefix)))
        return formsets

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if "data" in kwargs:
            # The change view's own formsets are built first: their data is what a
            # conflict rewrites to show the stored rows (show_stored_rows).
            request.desk_formset_data = getattr(request, "desk_formset_data", {})
            request.desk_formset_data.setdefault(prefix, (inline, kwargs["data"]))
        return kwargs

    def show_stored_rows(self, request, obj, attnames: set[str]) -> None:
        """The change view's posted inline formsets of the fields `attnames` (a book's
        authors) made to show `obj`'s rows as stored now, as an unchanged form would
        post them: a conflict's draft takes a colleague's rows the editor left alone."""
        throughs = {
            through_of(field)[0]
            for field in compared_fields(self.model)
            if field.attname in attnames and kept_beside(field)
        }
        for prefix, (inline, data) in getattr(request, "desk_formset_data", {}).items():
            if inline.model not in throughs:
                continue
            formset_class = inline.get_formset(request, obj)
            stored = formset_class(
                instance=obj, prefix=prefix, queryset=inline.get_queryset(request)
            )
            for key in [key for key in data if key.startswith(f"{prefix}-")]:
                del data[key]
            for name, value in stored.management_form.initial.items():
                data[f"{prefix}-{name}"] = str(value)
            for form in stored.forms:
                for bound_field in form:
                    for key, posted in widget_data(bound_field, bound_field.initial).items():
                        if posted:
                            data.setlist(key, posted)

    def posted_inlines_change(self, request, obj) -> bool:
        """Whether the posted inline formsets change any of `obj`'s rows as stored now."""
        return any(formset.has_changed() for formset in self.posted_formsets(request, obj))

    def posted_inline_values(self, request, obj) -> dict:
        """The rows the posted inline formsets would leave, by the many-to-many field they
        are kept beside (a book's credits, a list's books), in the shape `values_of`
        gives them: what a save would make of them, compared with a colleague's."""
        values = {}
        kept = {
            through_of(field)[0]: field
            for field in compared_fields(self.model)
            if kept_beside(field)
        }
        for formset in self.posted_formsets(request, obj):
            model_field = kept.get(formset.model)
            if model_field is None:
                continue
            rows = submitted_rows(model_field, formset)
            if rows is not None:
                values[model_field.attname] = rows
        return values

    # --- History, comparisons, previews ---------------------------------------------------

    def changed_object(self, request, object_id):
        """The object whose history is asked for, if the editor may change it."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(f"No {self.opts.verbose_name} with the id “{object_id}”.")
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        return obj

    def compare_url(self, pk, older, newer=LIVE) -> str:
        return f"{self.desk_url('compare', quote(pk))}?from={older}&to={newer}"

    def page_context(self, request, obj, title: str) -> dict:
        return {
            **self.admin_site.each_context(request),
            "title": title,
            "subtitle": None,
            "module_name": str(capfirst(self.opts.verbose_name_plural)),
            "object": obj,
            "opts": self.opts,
            "preserved_filters": self.get_preserved_filters(request),
            "time_zone": settings.TIME_ZONE,
            "history_url": self.desk_url("history", quote(obj.pk)),
        }

    def history_view(self, request, object_id, extra_context=None):
        """Versions newest first, each to compare with what is live, preview or restore;
        any two to compare."""
        obj = self.changed_object(request, object_id)
        entries = history_of(obj)
        rows = [
            {
                "entry": entry,
                "compare_url": self.compare_url(obj.pk, entry.version.pk),
                "preview_url": self.desk_url("version_preview", quote(obj.pk), entry.version.pk),
                "restore_url": self.desk_url("revision", quote(obj.pk), entry.version.pk),
            }
            for entry in entries
        ]
        older = next((entry for entry in entries if not entry.stored), None)
        context = {
            **self.page_context(request, obj, f"History of “{obj}”"),
            "rows": rows,
            "live_number": obj.version,
            "is_public": is_public(obj),
            "live_is_kept": any(entry.stored for entry in entries),
            "default_from": older.version.pk if older else LIVE,
            "compare_action": self.desk_url("compare", quote(obj.pk)),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/desk/history.html", context)

    def compare_view(self, request, object_id):
        """Two versions side by side (the newer one live by default): the fields that
        changed, and long text as a line diff."""
        obj = self.changed_object(request, object_id)
        entries = {entry.version.pk: entry for entry in history_of(obj)}
        sides = []
        for key, default in (("from", None), ("to", LIVE)):
            chosen = request.GET.get(key, default) or ""
            if chosen == LIVE:
                sides.append(
                    {
                        "name": "live",
                        "label": f"{'live' if is_public(obj) else 'stored now'} "
                        f"(version {obj.version})",
                        "values": values_of(obj),
                    }
                )
            elif chosen.isdecimal() and int(chosen) in entries:
                entry = entries[int(chosen)]
                sides.append(
                    {
                        "name": f"version {entry.number}",
                        "label": entry.describe(),
                        "entry": entry,
                        "values": kept_values(self.model, entry.version),
                        "preview_url": self.desk_url(
                            "version_preview", quote(obj.pk), entry.version.pk
                        ),
                        "restore_url": None
                        if entry.stored
                        else self.desk_url("revision", quote(obj.pk), entry.version.pk),
                    }
                )
            else:
                return redirect(self.desk_url("history", quote(obj.pk)))
        older, newer = sides
        context = {
            **self.page_context(request, obj, f"Compare versions of “{obj}”"),
            "older": older,
            "newer": newer,
            "sides": sides,
            "changes": compare(
                self.model, older["values"], newer["values"], may_open=opener(request)
            ),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/desk/compare.html", context)

    def version_preview_view(self, request, object_id, version_id):
        """A version as readers would see it (see `version_preview`); never cached or
        indexed."""
        obj = self.changed_object(request, object_id)
        versions = Version.objects.get_for_object(obj).select_related("revision__user")
        version = get_object_or_404(versions, pk=version_id)
        related = {field.attname for field in self.opts.many_to_many}
        old = self.model(
            **{name: value for name, value in version.field_dict.items() if name not in related}
        )
        response = self.version_preview(request, old, version)
        response["Cache-Control"] = "no-store"
        response["X-Robots-Tag"] = "noindex"
        return response

    def version_preview(self, request, obj, version: Version) -> HttpResponse:
        """The page showing `obj`, an unsaved instance holding `version`'s values
        (many-to-many ones are in `version.field_dict`). An admin whose model has a page
        for readers overrides this to render that page; this one lists the fields."""
        entry = entry_for(version)
        context = {
            **self.page_context(request, obj, f"“{obj}”, {entry.describe()}"),
            "entry": entry,
            "fields": listing(
                self.model, kept_values(self.model, version), may_open=opener(request)
            ),
            "compare_url": self.compare_url(obj.pk, version.pk),
        }
        return TemplateResponse(request, "admin/desk/version_preview.html", context)
