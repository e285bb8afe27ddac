"""Forms for the articles' editors."""

from django import forms
from django.core.exceptions import ValidationError

from desk.forms import ConflictSafeForm

from . import rendering
from .models import Article


class ArticleAdminForm(ConflictSafeForm):
    class Meta:
        model = Article
        fields = [
            "title", "slug", "standfirst", "byline", "body", "status", "published_at", "topics",
            "pinned_recommendations", "excluded_recommendations",
        ]  # fmt: skip
        widgets = {
            "body": forms.Textarea(attrs={"rows": 30, "class": "vLargeTextField markdown-body"}),
            "standfirst": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_body(self):
        body = self.cleaned_data["body"]
        missing = rendering.missing_refs(body)
        if missing:
            raise ValidationError(
                [
                    ValidationError(
                        "No book matches [[book:%(ref)s]]. Use a book's slug or ISBN-13, "
                        "or add the book to the catalogue first.",
                        code="unknown_book",
                        params={"ref": ref},
                    )
                    for ref in missing
                ]
            )
        return body
