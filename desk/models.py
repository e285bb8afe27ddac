"""What the desk keeps of its own: each editor's autosaved, unsaved form, what
happened in each revision it saved, and which of the roles' permissions the rules gave."""

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import models
from django.db.models import Q
from reversion.models import Revision


class AutosavedForm(models.Model):
    """What one editor had typed into one form and not saved, kept while they type
    (desk/static/desk/autosave.js) and offered back when they open the form again.
    Saving the form, or discarding the offer, deletes it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="autosaved_forms"
    )
    # "articles.article:12", or "articles.article:new" for one not saved yet.
    form_key = models.CharField(max_length=100)
    fields = models.JSONField(help_text="Field name to its value, or list of values.")
    # The object's version when the editor opened the form: restoring over a newer
    # save is then caught by the form's conflict check like any other save.
    loaded_version = models.CharField(max_length=40, blank=True)
    saved_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "form_key"], name="one_autosave_per_form")
        ]

    def __str__(self) -> str:
        return f"{self.form_key} by {self.user}"


class EventKind(models.TextChoices):
    """What happened in a revision (RevisionEvent.kind)."""

    FIRST_SAVE = "first_save", "kept as it was before the desk's first save"
    KEPT_MINE = "kept_mine", "kept my version over a colleague's"
    TOOK_THEIRS = "took_theirs", "took a colleague's version"
    RESTORED = "restored", "restored an earlier version"
    MERGED = "merged", "merged with a colleague's version"
    SUBMITTED = "submitted", "submitted for review"
    APPROVED = "approved", "approved and published"
    SENT_BACK = "sent_back", "sent back"
    NOTE = "note", "review note"


# The kinds a review log lists, and the kinds that name another version.
REVIEW_STEPS = [EventKind.SUBMITTED, EventKind.APPROVED, EventKind.SENT_BACK, EventKind.NOTE]
NAMING_A_VERSION = [
    EventKind.KEPT_MINE,
    EventKind.TOOK_THEIRS,
    EventKind.RESTORED,
    EventKind.MERGED,
]


class RevisionEvent(models.Model):
    """One thing that happened in a saved revision (django-reversion's meta row, recorded
    by desk/events.py): a review step, a choice after a conflict, a restore. Lists and
    branches read these; the revision's comment only says them in a sentence."""

    Kind = EventKind
    REVIEW_STEPS = REVIEW_STEPS

    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind)
    note = models.TextField(blank=True, help_text="What the editor wrote with a review step.")
    # The version restored, kept over or taken (the row's `version` number, as the
    # history shows it).
    version_number = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["revision", "kind"], name="one_event_of_a_kind"),
            models.CheckConstraint(
                condition=Q(kind__in=NAMING_A_VERSION, version_number__isnull=False)
                | (~Q(kind__in=NAMING_A_VERSION) & Q(version_number__isnull=True)),
                name="version_number_when_naming_a_version",
            ),
        ]

    def __str__(self) -> str:
        number = f" {self.version_number}" if self.version_number is not None else ""
        return f"{self.get_kind_display()}{number} (revision {self.revision_id})"


class RoleGrant(models.Model):
    """A permission the roles' rules gave a role's group (desk/roles.py): the next sync
    takes it from the group when the rules no longer give it. A permission an
    administrator gave the group by hand has no row, and stays."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="role_grants")
    permission = models.ForeignKey(Permission, on_delete=models.CASCADE, related_name="+")

    class Meta:
        default_permissions = ()  # kept by `migrate` alone: no one edits these in the desk
        constraints = [
            models.UniqueConstraint(fields=["group", "permission"], name="one_grant_per_permission")
        ]

    def __str__(self) -> str:
        return f"{self.group}: {self.permission.codename}"
