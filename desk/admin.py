"""What the desk adds to the admin of any app: saves that never overwrite a colleague's,
and display methods whose HTML comes from a template."""

import reversion
from django.contrib.admin.utils import unquote
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from reversion.models import Version


def render_display(template_name: str, context: dict) -> SafeString:
    """The HTML of an admin display method, from its template: trimmed, as Django's form
    renderer trims a widget's, so a list cell or a link holds no stray newline."""
    return mark_safe(render_to_string(template_name, context).strip())


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
