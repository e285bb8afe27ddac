"""Forms for the articles' editors."""

from django import forms
from django.core.exceptions import ValidationError

from desk.forms import ConflictSafeForm

from . import rendering
from .models import Article

# Longer than any article (about 80,000 words); the desk's script refuses a longer body
# before it is sent, and this form when the script did not run.
MAX_BODY_LENGTH = 500_000


class ArticleAdminForm(ConflictSafeForm):
    class Meta:
        model = Article
        fields = [
            "title", "slug", "standfirst", "byline", "body", "status", "published_at", "topics",
            "pinned_recommendations", "excluded_recommendations",
        ]  # fmt: skip
        widgets = {
            "body": forms.Textarea(
                attrs={
                    "rows": 30,
                    "class": "vLargeTextField markdown-body",
                    # Not maxlength, which would cut a paste short without a word.
                    "data-max-length": MAX_BODY_LENGTH,
                }
            ),
            "standfirst": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_body(self):
        body = self.cleaned_data["body"]
        if len(body) > MAX_BODY_LENGTH:
            raise ValidationError(
                "Not saved: this body is %(length)s characters long, and an article holds "
                "up to %(limit)s (about 80,000 words). Your text is still here: split it "
                "into several articles, or cut it, and save again.",
                code="too_long",
                params={"length": f"{len(body):,}", "limit": f"{MAX_BODY_LENGTH:,}"},
            )
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
