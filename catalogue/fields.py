"""Model fields that normalise what editors and importers type into one stored form."""

from django import forms
from django.db import models

from .isbn import normalise_isbn13
from .languages import normalise_language


class ISBN13Field(models.CharField):
    """An ISBN-13 stored as 13 digits; accepts hyphens, spaces and ISBN-10 input.

    Blank is stored as "" (uniqueness is enforced by a conditional constraint).
    """

    description = "ISBN-13"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 13)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("verbose_name", "ISBN-13")
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return ""
        return normalise_isbn13(value)

    def get_prep_value(self, value):
        # Lookups compare the stored form as given; validation is for writes (full_clean).
        return "" if value is None else str(value)

    def formfield(self, **kwargs):
        # Room for "978-0-439-02348-1" and friends; the model field normalises.
        return super().formfield(**{"max_length": 20, **kwargs})


class LanguageCodeField(models.CharField):
    """An ISO 639 code; accepts 639-1, 639-2 (B or T) and BCP 47 tags such as en-US."""

    description = "ISO 639 language code"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 3)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return ""
        return normalise_language(value)

    def get_prep_value(self, value):
        return "" if value is None else str(value)

    def formfield(self, **kwargs):
        defaults = {
            "max_length": 35,
            "widget": forms.TextInput(attrs={"size": 8, "placeholder": "en"}),
        }
        return super().formfield(**{**defaults, **kwargs})
