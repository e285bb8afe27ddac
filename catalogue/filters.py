"""The catalogue's browse filters: a form over the query string, forgiving of bad input.

A parameter that does not make sense is dropped with a note on the page; the others
still apply, so a mistyped link shows a sensible page, never an error.
"""

from django import forms
from django.db.models import F

from .languages import language_name
from .models import Book, BookQuerySet

# Books without a rating or a year go last, whatever the direction and the database.
SORTS = {
    "title": ("Title", [F("title").asc(), "pk"]),
    "rating": (
        "Highest rated",
        [F("rating_mean").desc(nulls_last=True), F("rating_total_count").desc(), "pk"],
    ),
    "ratings": ("Most rated", [F("rating_total_count").desc(), "pk"]),
    "newest": ("Newest", [F("publication_year").desc(nulls_last=True), "pk"]),
    "oldest": ("Oldest", [F("publication_year").asc(nulls_last=True), "pk"]),
}
MIN_RATINGS = [("", "Any rating"), ("4.5", "4.5 and up"), ("4", "4 and up"), ("3", "3 and up")]


class BookFilterForm(forms.Form):
    """Years before the common era are negative: -750 is 750 BC."""

    q = forms.CharField(required=False, max_length=200, label="Title contains")
    author = forms.CharField(required=False, max_length=200, label="Author")
    language = forms.ChoiceField(required=False, label="Language")
    year_min = forms.IntegerField(
        required=False, min_value=-9999, max_value=9999, label="Year from"
    )
    year_max = forms.IntegerField(required=False, min_value=-9999, max_value=9999, label="Year to")
    min_rating = forms.ChoiceField(required=False, choices=MIN_RATINGS, label="Rating")
    sort = forms.ChoiceField(
        required=False, choices=[(key, label) for key, (label, _) in SORTS.items()], label="Sort by"
    )

    def __init__(self, *args, languages: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", "Any language")] + sorted(
            ((code, language_name(code)) for code in languages), key=lambda pair: pair[1]
        )
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "filter__input")

    def valid_values(self) -> dict:
        """The cleaned value of every field that validated; invalid ones are left out."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in ("", None)}

    def filter(self, books: BookQuerySet) -> BookQuerySet:
        values = self.valid_values()
        if values.get("q"):
            books = books.filter(title__icontains=values["q"])
        if values.get("author"):
            books = books.filter(
                pk__in=Book.objects.filter(authors__name__icontains=values["author"]).values("pk")
            )
        if values.get("language"):
            books = books.filter(language=values["language"])
        if "year_min" in values:
            books = books.filter(publication_year__gte=values["year_min"])
        if "year_max" in values:
            books = books.filter(publication_year__lte=values["year_max"])
        if values.get("min_rating"):
            books = books.filter(rating_mean__gte=float(values["min_rating"]) - 0.05)
        return books.order_by(*SORTS[values.get("sort", "title")][1])

    @property
    def problems(self) -> list[str]:
        return [
            f"{self.fields[name].label}: {' '.join(errors)} This filter was ignored."
            for name, errors in self.errors.items()
        ]
