"""What the desk keeps of its own: each editor's autosaved, unsaved form."""

from django.conf import settings
from django.db import models


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
