"""Forms for the catalogue's editors."""

from pathlib import Path

from django import forms
from django.core.files.uploadedfile import UploadedFile

from .covers import COVER_FORMATS, validate_cover_upload
from .models import Book


class BookAdminForm(forms.ModelForm):
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
