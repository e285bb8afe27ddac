"""The pictures' forms: the desk's (conflict-safe, with history) and the upload
endpoint's, which share their checks."""

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db import models

from desk.forms import ConflictSafeForm
from shared.pictures import ACCEPT

from .library import ALT_REQUIRED
from .models import Image
from .preparing import validate_image_upload

FIELDS = ["file", "alt", "decorative", "caption", "credit", "licence", "source_url"]
# Characters a picture's words may have, and what to do past them: TextFields in the
# table, bounded here, where every way in passes (the desk's form, the upload endpoint
# and `manage.py add_image`). Alt text is read whole by screen readers.
WORDS_AT_MOST = {
    "alt": (1_000, "The alt text has {length:,} characters; keep it to 1,000: say what the "
            "picture shows (a longer description belongs in the article)."),
    "caption": (2_000, "The caption has {length:,} characters; keep it to 2,000."),
}  # fmt: skip


def too_long(**words: str) -> dict[str, str]:
    """What is wrong, in words, with each of a picture's words (`alt=…, caption=…`)
    past its length: {} when none is."""
    return {
        name: WORDS_AT_MOST[name][1].format(length=len(text))
        for name, text in words.items()
        if len(text) > WORDS_AT_MOST[name][0]
    }


class DescribesPicture:
    """A picture's file checked in words before anything is stored, and its alt text
    required unless it is marked decorative."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "file" in self.fields:
            self.fields["file"].widget.attrs["accept"] = ACCEPT
            if self.instance.pk:
                self.fields["file"].required = False
                self.fields["file"].label = "Replace the picture"
                self.fields["file"].help_text = (
                    "Readers keep seeing the present picture until the new one is prepared; "
                    "articles embedding it show the new one then."
                )
        if "alt" in self.fields:
            self.fields["alt"].widget = forms.Textarea(attrs={"rows": 2})

    def clean_file(self):
        file = self.cleaned_data.get("file")
        # Only a new upload: the stored file (unchanged) passes as it is.
        if isinstance(file, UploadedFile):
            validate_image_upload(file)
        elif not file and not self.instance.pk:
            raise forms.ValidationError("Choose a picture to upload.", code="required")
        return file or self.instance.file

    def clean(self):
        cleaned = super().clean()
        described = (cleaned.get("alt") or "").strip() or cleaned.get("decorative")
        if not described and "alt" not in self.errors:
            self.add_error("alt", forms.ValidationError(ALT_REQUIRED, code="alt_required"))
        words = {name: cleaned[name] for name in WORDS_AT_MOST if cleaned.get(name)}
        for name, message in too_long(**words).items():
            self.add_error(name, forms.ValidationError(message, code="too_long"))
        return cleaned


def https_by_default(field, **kwargs):
    """A source typed without a scheme is https, as Django 6 assumes (and no
    RemovedInDjango60Warning each time the form class is made)."""
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class ImageAdminForm(DescribesPicture, ConflictSafeForm):
    class Meta:
        model = Image
        fields = FIELDS
        formfield_callback = https_by_default
        # A plain file field: forms.ImageField would refuse bombs and renamed files with one
        # vague message before clean_file could say what is wrong; no link to the upload.
        field_classes = {"file": forms.FileField}
        widgets = {"file": forms.FileInput}


class ImageUploadForm(DescribesPicture, forms.ModelForm):
    """What the upload endpoint takes (images/admin_upload.py)."""

    class Meta:
        model = Image
        fields = ["file", "alt", "decorative", "caption", "credit", "licence"]
        field_classes = {"file": forms.FileField}
