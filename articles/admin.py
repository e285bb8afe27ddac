from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from reversion.admin import VersionAdmin

from desk.admin import ConflictSafeAdmin, render_display

from . import recommendations
from .forms import ArticleAdminForm
from .models import Article, Recommendation, Topic


@admin.register(Article)
class ArticleAdmin(ConflictSafeAdmin, VersionAdmin):
    """Articles, with a preview of unsaved changes, saves that never overwrite a
    colleague's (desk/forms.py, desk/admin.py), and a history of versions to compare and
    restore (django-reversion: History, then a version, then Save)."""

    form = ArticleAdminForm
    change_form_template = "admin/articles/article/change_form.html"
    list_display = ["title", "status", "published_at", "byline", "updated_at", "is_public"]
    list_filter = ["status", "published_at"]
    search_fields = ["title", "standfirst", "body", "byline"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "published_at"
    readonly_fields = ["embedded_book_list", "created_at", "updated_at", "read_next"]
    autocomplete_fields = ["topics", "pinned_recommendations", "excluded_recommendations"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "slug",
                    "standfirst",
                    "byline",
                    "body",
                    "topics",
                    "loaded_version",
                ]  # fmt: skip
            },
        ),
        ("Publication", {"fields": ["status", "published_at", "created_at", "updated_at"]}),
        ("Embedded books", {"fields": ["embedded_book_list"]}),
        (
            "Read next",
            {
                "fields": ["read_next", "pinned_recommendations", "excluded_recommendations"],
                "description": "Recommendations are computed from shared books, authors, "
                "series, topics and similar text, and refreshed when articles are saved. "
                "Pin articles to put them first; exclude ones that should never appear.",
            },
        ),
    ]

    @admin.display(boolean=True, description="Public now")
    def is_public(self, article):
        return article.is_public

    @admin.display(description="Recommended now, and why")
    def read_next(self, article):
        if not article.pk:
            return "Saved articles show their recommendations here."
        rows = (
            Recommendation.objects.filter(article=article)
            .select_related("recommended")
            .order_by("-pinned", "-score")
        )
        if not rows:
            return "Nothing related yet: readers see the latest articles."
        return render_display("admin/articles/article/read_next.html", {"rows": rows})

    @admin.display(description="Books this article embeds")
    def embedded_book_list(self, article):
        if not article.pk:
            return "Saved articles list their embedded books here."
        return ", ".join(str(book) for book in article.embedded_books.all()) or "None"

    def get_urls(self):
        preview = self.admin_site.admin_view(self.preview_view)
        return [
            path("preview/", preview, name="articles_article_preview_new"),
            path("<path:object_id>/preview/", preview, name="articles_article_preview"),
            *super().get_urls(),
        ]

    def preview_view(self, request, object_id=None):
        """The article page as readers would see it with the form's unsaved contents
        (posted by the Preview button). Nothing is saved."""
        if request.method != "POST":  # reopened from history: back to the form
            return redirect("../change/" if object_id else "../add/")
        article = self.get_object(request, object_id) if object_id else None
        allowed = (
            self.has_change_permission(request, article)
            if article
            else self.has_add_permission(request)
        )
        if object_id and article is None or not allowed:
            raise PermissionDenied
        form_class = self.get_form(request, article, change=article is not None)
        with transaction.atomic():  # reads only; the conflict check locks the row
            form = form_class(request.POST, request.FILES, instance=article)
            valid = form.is_valid()
        # A colleague's newer save (a form-wide error) does not stop a preview.
        errors = {
            form.fields[name].label or name: errors
            for name, errors in form.errors.items()
            if name != "__all__"
        }
        if not valid and errors:
            context = {**self.admin_site.each_context(request), "form": form, "errors": errors}
            return TemplateResponse(request, "admin/articles/article/preview_errors.html", context)
        preview = form.instance  # unsaved: the form's values on the stored article
        response = TemplateResponse(
            request,
            "articles/article_detail.html",
            {
                "article": preview,
                "body": preview.render_body(),
                "recommendations": preview.recommendations() if preview.pk else [],
                "topics": list(form.cleaned_data.get("topics") or []),
                "preview": True,
            },
        )
        response["Cache-Control"] = "no-store"
        response["X-Robots-Tag"] = "noindex"
        return response

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form.instance.refresh_embedded_books()
        # After the save commits, so a slow refresh never holds the editor's transaction.
        article = form.instance
        transaction.on_commit(lambda: recommendations.refresh_for(article))


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
