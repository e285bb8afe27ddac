"""The versions the desk keeps of an article or a book (django-reversion), as editors
see them: numbered by the row's `version`, attributed, and compared field by field.

Values are compared in the shape of reversion's `Version.field_dict`: attribute names
(`series_id`), and lists of primary keys for many-to-many fields. A many-to-many field
through a model of its own (a book's authors, through its credits) is not in
`field_dict`: its rows are kept beside the version in the same revision (the admin's
inline, followed), and compared as a list of (related row, choices) in the rows' order.
Only the fields an editor can change are compared; bookkeeping (`version`,
`updated_at`, counters kept in bulk, what is derived from the body) would only be noise.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import cached_property

from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from reversion.models import Version
from reversion.revisions import _get_options, is_registered

from .diffs import DiffLine, line_diff

EMPTY = "(empty)"
# Whether the person looking may open a row of a model at the desk (desk.viewers.opener):
# a related row they may not is counted, never named (a draft's title is what an
# embargo keeps). None: every row is named.
Opener = Callable[[type[models.Model]], Callable[[models.Model], bool]]
SAVED_OUTSIDE_THE_DESK = "an import or outside the desk"
TIME_FORMAT = "j M Y H:i:s"
# The history lists (and a conflict searches) this many of the newest versions: each
# carries a whole copy of the row, body included.
HISTORY_LENGTH = 100


@dataclass(frozen=True)
class FieldChange:
    """One field that differs: its values as an editor reads them, and for long text
    (the Markdown body, a description), a line diff from before to after."""

    label: str
    before: str
    after: str
    lines: list[DiffLine] | None = None


@dataclass(frozen=True)
class Changes:
    """What differs between two versions: short values side by side, long text as line
    diffs."""

    fields: list[FieldChange]
    texts: list[FieldChange]

    def __bool__(self) -> bool:
        return bool(self.fields or self.texts)


@dataclass(frozen=True)
class Entry:
    """One version in an object's history."""

    version: Version
    number: int
    saved_at: datetime
    saved_by: str | None
    comment: str
    # The version stored now (the row holds its number), and whether readers see it: a
    # draft never published is stored, never live.
    stored: bool = False
    live: bool = False

    @property
    def author(self) -> str:
        return self.saved_by or SAVED_OUTSIDE_THE_DESK

    def describe(self) -> str:
        """“version 3 of 3 Dec 2026 14:02:11 by alice”, in the site's time zone."""
        return f"version {self.number} of {local_time(self.saved_at)} by {self.author}"


@dataclass(frozen=True)
class Snapshot:
    """A row as stored at one moment: what a save is checked against, and what a
    conflict shows as “theirs”."""

    number: int
    saved_at: datetime | None
    values: dict = field(repr=False)


@dataclass
class Conflict:
    """A colleague's save the editor did not see: their stored version against the
    editor's submitted values."""

    model: type[models.Model]
    theirs: Snapshot
    mine: dict
    saved_by: str | None
    may_open: Opener | None = None

    @property
    def number(self) -> int:
        return self.theirs.number

    @property
    def author(self) -> str:
        return self.saved_by or SAVED_OUTSIDE_THE_DESK

    @cached_property
    def changes(self) -> Changes:
        return compare(self.model, self.theirs.values, self.mine, may_open=self.may_open)


def local_time(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), TIME_FORMAT)


def compared_fields(model: type[models.Model]) -> list[models.Field]:
    """The fields an editor changes, in the model's order."""
    opts = model._meta
    return [
        field
        for field in [*opts.concrete_fields, *opts.many_to_many]
        if field.editable and not field.primary_key
    ]


def number_of(version: Version) -> int:
    """The version number a kept version holds, read from its JSON without building the
    model (a body each: field_dict would deserialise every field and relation)."""
    if version.format == "json":
        try:
            fields = json.loads(version.serialized_data)[0]["fields"]
        except (ValueError, LookupError, TypeError):
            fields = None
        if fields is not None:
            # Versions kept before rows were numbered read as the field's default.
            return fields.get("version") or 1
    return version.field_dict.get("version") or 1


def history_of(obj: models.Model) -> list[Entry]:
    """The versions of `obj`, newest first, the latest HISTORY_LENGTH of them; the newest
    holding the stored row's number is marked stored, and live if readers see it."""
    versions = Version.objects.get_for_object(obj).select_related("revision__user").order_by("-pk")
    entries = [entry_for(version) for version in versions[:HISTORY_LENGTH]]
    stored = getattr(obj, "version", None)
    for index, entry in enumerate(entries):
        if entry.number == stored:
            entries[index] = replace(entry, stored=True, live=is_public(obj))
            break
    return entries


def is_public(obj: models.Model) -> bool:
    """Whether readers see `obj` as stored now (an article: published and its time
    come). A model that does not say is public whenever it is stored."""
    return getattr(obj, "is_public", True)


def entry_for(version: Version) -> Entry:
    user = version.revision.user
    return Entry(
        version=version,
        number=number_of(version),
        saved_at=version.revision.date_created,
        saved_by=user.get_username() if user is not None else None,
        comment=version.revision.get_comment(),
    )


def version_that_made(obj: models.Model, number: int) -> Entry | None:
    """The save that made version `number`: the oldest version holding it (later ones
    with the same number record a choice, such as taking a colleague's version, not a
    change). None when it was saved by an import or a script, which keep no version."""
    made = [entry for entry in history_of(obj) if entry.number == number]
    return made[-1] if made else None


def snapshot(obj: models.Model) -> Snapshot:
    return Snapshot(
        number=obj.version,
        saved_at=getattr(obj, "updated_at", None),
        values=values_of(obj),
    )


def values_of(obj: models.Model) -> dict:
    """The stored row's values in the shape of `Version.field_dict`, with the rows kept
    beside it (`kept_values`)."""
    values = {}
    for model_field in compared_fields(type(obj)):
        if kept_beside(model_field):
            through, parent = through_of(model_field)
            rows = through._default_manager.filter(**{parent.name: obj.pk})
            value = [row_as_kept(model_field, row) for row in rows.values()]
        elif model_field.many_to_many:
            value = [related.pk for related in model_field.value_from_object(obj)]
        else:
            value = model_field.value_from_object(obj)
        values[model_field.attname] = value
    return values


def kept_values(model: type[models.Model], version: Version) -> dict:
    """A version's values: its `field_dict`, and the rows of each many-to-many field
    through a model of its own, read from the version's revision (a book's credits)."""
    values = dict(version.field_dict)
    for model_field in compared_fields(model):
        if not kept_beside(model_field):
            continue
        through, parent = through_of(model_field)
        rows = [
            kept.field_dict
            for kept in version.revision.version_set.get_for_model(through)
            if str(kept.field_dict[parent.attname]) == str(version.object_id)
        ]
        values[model_field.attname] = [
            row_as_kept(model_field, row) for row in in_model_order(through, rows)
        ]
    return values


def kept_beside(model_field: models.Field) -> bool:
    """Whether `model_field` is a many-to-many field through a model of its own whose
    rows every version keeps beside it (registered to follow them: a book's credits)."""
    if not model_field.many_to_many or model_field.remote_field.through._meta.auto_created:
        return False
    model = model_field.model
    if not is_registered(model):
        return False
    _, parent = through_of(model_field)
    # What a model follows is said only in its registration's options (no public getter).
    return parent.remote_field.get_accessor_name() in _get_options(model).follow


def through_of(model_field: models.ManyToManyField) -> tuple[type[models.Model], models.Field]:
    """A many-to-many field's own model, and that model's foreign key to the object."""
    through = model_field.remote_field.through
    return through, through._meta.get_field(model_field.m2m_field_name())


def choice_fields(model_field: models.ManyToManyField) -> list[models.Field]:
    """The choices an editor sets on each row of a many-to-many field's own model (a
    credit's role)."""
    through, _ = through_of(model_field)
    return [field for field in through._meta.concrete_fields if field.flatchoices]


def note_fields(model_field: models.ManyToManyField) -> list[models.Field]:
    """The text an editor writes on each row of a many-to-many field's own model (a
    list's note on why a book is there)."""
    through, _ = through_of(model_field)
    return [
        field
        for field in through._meta.concrete_fields
        if field.editable and isinstance(field, models.TextField)
    ]


def row_as_kept(model_field: models.ManyToManyField, row: dict) -> tuple:
    """A row of a many-to-many field's own model, as compared: the related row, its
    choices and its notes (`(author_id, "translator")`, `(book_id, "A classic.")`); its
    position only orders it."""
    through, _ = through_of(model_field)
    target = through._meta.get_field(model_field.m2m_reverse_field_name())
    return (
        row[target.attname],
        *(row[field.attname] for field in choice_fields(model_field)),
        # A browser sends CRLF: one note whatever its line endings.
        *(
            "\n".join((row.get(field.attname) or "").splitlines())
            for field in note_fields(model_field)
        ),
    )


def submitted_rows(model_field: models.ManyToManyField, formset) -> list[tuple] | None:
    """The rows a posted inline formset of `model_field`'s own model would leave (kept,
    changed and added; deleted ones left out), as `row_as_kept` gives them, in the
    order the stored rows would then be read; None when the formset does not validate
    (its save would be refused anyway)."""
    if not formset.is_valid():
        return None
    through, _ = through_of(model_field)
    deleted = formset.deleted_forms if formset.can_delete else []
    rows = [
        {
            field.attname: getattr(form.instance, field.attname)
            for field in through._meta.concrete_fields
        }
        for form in formset.forms
        if form not in deleted and (form.instance.pk is not None or form.has_changed())
    ]
    return [row_as_kept(model_field, row) for row in in_model_order(through, rows)]


def in_model_order(model: type[models.Model], rows: list[dict]) -> list[dict]:
    """Rows as field dicts, in the order a query of their model gives them."""
    rows = list(rows)
    for name in reversed(model._meta.ordering or ["pk"]):
        descending, name = name.startswith("-"), name.lstrip("-")
        attname = model._meta.pk.attname if name == "pk" else model._meta.get_field(name).attname
        rows.sort(key=lambda row: (row[attname] is None, row[attname]), reverse=descending)
    return rows


def submitted_values(form) -> dict:
    """What a ModelForm's editor submitted, in the shape of `Version.field_dict`: the
    fields that cleaned, the others being in error anyway."""
    values = {}
    for model_field in compared_fields(form._meta.model):
        if model_field.name not in form.cleaned_data:
            continue
        value = form.cleaned_data[model_field.name]
        if model_field.many_to_many:
            value = [related.pk for related in value or ()]
        elif model_field.is_relation:
            value = value.pk if value is not None else None
        values[model_field.attname] = value
    return values


def compare(
    model: type[models.Model], before: dict, after: dict, *, may_open: Opener | None = None
) -> Changes:
    """The fields whose values differ between two versions (or a version and a form);
    related rows named only where the person looking `may_open` them."""
    fields, texts = [], []
    for model_field in compared_fields(model):
        name = model_field.attname
        if name not in before or name not in after:
            continue  # a field added after that version was kept, or not in the form
        old, new = comparable(model_field, before[name]), comparable(model_field, after[name])
        if old == new:
            continue
        change = FieldChange(
            label=str(model_field.verbose_name).capitalize(),
            before=shown(model_field, old, may_open=may_open),
            after=shown(model_field, new, may_open=may_open),
        )
        if isinstance(model_field, models.TextField):
            texts.append(replace(change, lines=line_diff(old, new)))
        else:
            fields.append(change)
    return Changes(fields, texts)


def listing(
    model: type[models.Model], values: dict, *, may_open: Opener | None = None
) -> list[tuple[str, str]]:
    """Every compared field of a version, labelled, as the person looking reads it."""
    return [
        (
            str(model_field.verbose_name).capitalize(),
            shown(model_field, values[model_field.attname], may_open=may_open),
        )
        for model_field in compared_fields(model)
        if model_field.attname in values
    ]


def comparable(model_field: models.Field, value):
    """One value per meaning: a file by its name, related rows in any order, text
    whatever its line endings (a browser sends CRLF), a time to the second."""
    if isinstance(model_field, models.TextField):
        return "\n".join((value or "").splitlines())
    if isinstance(model_field, models.FileField):
        return getattr(value, "name", value) or ""
    if kept_beside(model_field):
        return [tuple(row) for row in value or ()]  # in their order: a credit's place counts
    if model_field.many_to_many:
        return sorted(value or ())
    if isinstance(value, datetime):
        return value.replace(microsecond=0)  # editors work to the second, and so do forms
    return value


def shown(model_field: models.Field, value, *, may_open: Opener | None = None) -> str:
    """A value as the person looking reads it: names for related rows (those readers see
    or they may open; the others counted), labels for choices."""
    value = comparable(model_field, value)
    if value is None or value == "" or value == []:
        return EMPTY
    related = model_field.related_model
    opens = may_open(related) if may_open is not None and related is not None else None

    def named(row) -> bool:  # what readers see is no secret
        return opens is None or is_public(row) or opens(row)

    if kept_beside(model_field):
        return shown_kept(model_field, value, named)
    if model_field.many_to_many:
        rows = list(related._default_manager.filter(pk__in=value))
        names = [str(row) for row in rows if named(row)]
        closed, missing = len(rows) - len(names), len(value) - len(rows)
        return ", ".join(
            names
            + ([not_theirs_to_open(related, closed)] if closed else [])
            + ([f"{missing} since deleted"] if missing else [])
        )
    if model_field.is_relation:
        row = related._default_manager.filter(pk=value).first()
        if row is None:
            return f"(deleted, id {value})"
        return str(row) if named(row) else not_theirs_to_open(related, 1)
    if model_field.flatchoices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return local_time(value)
    if isinstance(value, date):
        return date_format(value, "j M Y")
    return str(value)


def shown_kept(model_field: models.ManyToManyField, value: list, named: Callable) -> str:
    """A book's credits as its page names them: “Ann Arbor, Ben Bow (translator)”, a
    choice left at its default unsaid; a list's books with their notes (“The End (note:
    “A classic.”)”); related rows not theirs to open counted."""
    related = model_field.related_model
    rows = related._default_manager.in_bulk({pk for pk, *_ in value})
    fields, notes = choice_fields(model_field), note_fields(model_field)
    names, closed, missing = [], 0, 0
    for pk, *rest in value:
        row = rows.get(pk)
        if row is None:
            missing += 1
        elif not named(row):
            closed += 1
        else:
            choices, texts = rest[: len(fields)], rest[len(fields) :]
            said = [
                str(dict(field.flatchoices).get(choice, choice)).lower()
                for field, choice in zip(fields, choices, strict=True)
                if choice != field.get_default()
            ] + [
                f"{field.verbose_name}: “{text}”"
                for field, text in zip(notes, texts, strict=True)
                if text
            ]
            names.append(f"{row} ({', '.join(said)})" if said else str(row))
    return ", ".join(
        names
        + ([not_theirs_to_open(related, closed)] if closed else [])
        + ([f"{missing} since deleted"] if missing else [])
    )


def not_theirs_to_open(model: type[models.Model], count: int) -> str:
    """“1 article you cannot open”, “2 articles you cannot open”."""
    name = model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural
    return f"{count} {name} you cannot open"
