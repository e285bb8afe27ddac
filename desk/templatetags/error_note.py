"""The top of a change form refused for errors names where they are: the fields and the
inline sections (with their fields) that hold one, each a link to it. Django's “Please
correct the errors below.” left the editor to search a long form for them."""

from dataclasses import dataclass

from django import template
from django.contrib.admin.helpers import AdminForm, InlineAdminFormSet
from django.forms import BaseForm
from django.utils.text import capfirst

register = template.Library()


@dataclass(frozen=True)
class ErrorPlace:
    name: str  # “ISBN-13”, “Authors (Author)”
    anchor: str  # the element's id on the page


def label_of(form: BaseForm, name: str) -> str:
    return str(form.fields[name].label or capfirst(name.replace("_", " ")))


def refused_fields(form: BaseForm) -> list[str]:
    """The names of the form's fields that hold an error, in the form's order."""
    return [name for name in form.fields if name in form.errors]


@register.simple_tag
def error_places(
    adminform: AdminForm, inline_admin_formsets: list[InlineAdminFormSet]
) -> list[ErrorPlace]:
    """Where the form's errors are, top to bottom: its fields, then each inline section,
    with the fields refused in its rows."""
    form = adminform.form
    places = [
        ErrorPlace(name=label_of(form, name), anchor=form[name].auto_id or "")
        for name in refused_fields(form)
    ]
    for inline in inline_admin_formsets:
        formset = inline.formset
        rows = [row for row in formset.forms if row.errors]
        if not rows and not formset.non_form_errors():
            continue
        fields = dict.fromkeys(label_of(row, name) for row in rows for name in refused_fields(row))
        section = str(capfirst(inline.opts.verbose_name_plural))
        name = f"{section} ({', '.join(fields)})" if fields else section
        places.append(ErrorPlace(name=name, anchor=f"{formset.prefix}-group"))
    return places
