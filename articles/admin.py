from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from . import rendering
from .models import Article


class ArticleAdminForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = ["title", "slug", "standfirst", "byline", "body", "status", "published_at"]
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


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    list_display = ["title", "status", "published_at", "byline", "updated_at", "is_public"]
    list_filter = ["status", "published_at"]
    search_fields = ["title", "standfirst", "body", "byline"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "published_at"
    readonly_fields = ["embedded_book_list", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "standfirst", "byline", "body"]}),
        ("Publication", {"fields": ["status", "published_at", "created_at", "updated_at"]}),
        ("Embedded books", {"fields": ["embedded_book_list"]}),
    ]

    @admin.display(boolean=True, description="Public now")
    def is_public(self, article):
        return article.is_public

    @admin.display(description="Books this article embeds")
    def embedded_book_list(self, article):
        if not article.pk:
            return "Saved articles list their embedded books here."
        return ", ".join(str(book) for book in article.embedded_books.all()) or "None"

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form.instance.refresh_embedded_books()
