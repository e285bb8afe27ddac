"""Forms for the catalogue's editors."""

from pathlib import Path

from django import forms
from django.core.files.uploadedfile import UploadedFile

from config.desk import ConflictSafeForm

from .covers import COVER_FORMATS, validate_cover_upload
from .models import Book


class BookAdminForm(ConflictSafeForm):
    class Meta:
        model = Book
        fields = ["cover"]  # BookAdmin adds the fields of its fieldsets.
        # A plain file field: forms.ImageField would refuse bombs and renamed files with
        # one vague message before clean_cover could say what is wrong.
        field_classes = {"cover": forms.FileField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "cover" in self.fields:
            self.fields["cover"].widget.attrs["accept"] = "image/jpeg,image/png,image/webp"

    def clean_cover(self):
        cover = self.cleaned_data["cover"]
        # Only a new upload: the stored cover (unchanged) and False (cleared) pass as they are.
        if isinstance(cover, UploadedFile):
            image_format = validate_cover_upload(cover)
            # Stored under the extension of what it is, so it is always served as an image.
            cover.name = Path(cover.name).stem + COVER_FORMATS[image_format]
        return cover


SCORE_ERROR = "Choose a rating from 1 to 5 stars."


class RatingForm(forms.Form):
    """What a reader posts to /books/<slug>/rate/: a score, or a request to remove theirs."""

    score = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=5,
        error_messages={
            key: SCORE_ERROR for key in ("invalid", "min_value", "max_value", "max_digits")
        },
    )
    action = forms.ChoiceField(
        required=False, choices=[("rate", "Rate"), ("remove", "Remove my rating")]
    )

    def clean(self):
        cleaned = super().clean()
        wants_score = cleaned.get("action") != "remove"
        if wants_score and cleaned.get("score") is None and "score" not in self.errors:
            self.add_error("score", SCORE_ERROR)
        return cleaned

    @property
    def removing(self) -> bool:
        return self.cleaned_data.get("action") == "remove"

    def error_text(self) -> str:
        return " ".join(message for errors in self.errors.values() for message in errors)
