"""The book list's "Merge selected books into one…" action: it asks which book to keep,
then catalogue/merging.py merges the others into it (BookAdmin lists it in `actions`)."""

import reversion
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse

from ..forms import MergeForm
from ..merging import MergeError, merge_books
from ..models import Book


@admin.action(description="Merge selected books into one…", permissions=["delete"])
def merge_selected(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Book]
) -> TemplateResponse | None:
    """Asks which book to keep, then merges the others into it (catalogue/merging.py)."""
    books = list(queryset.annotate(article_count=Count("articles", distinct=True)))
    if len(books) < 2:
        modeladmin.message_user(request, "Select two or more books to merge.", messages.WARNING)
        return None
    form = MergeForm(request.POST if request.POST.get("confirm") else None, books=books)
    if form.is_valid():
        kept = form.cleaned_data["kept"]
        try:
            with reversion.create_revision():
                reversion.set_user(request.user)
                report = merge_books(kept, [book for book in books if book != kept])
                reversion.set_comment(str(report))
        except (MergeError, ValidationError) as error:
            modeladmin.message_user(request, f"Nothing was merged: {error}", messages.ERROR)
            return None
        modeladmin.log_change(request, report.kept, str(report))
        modeladmin.message_user(request, str(report), messages.SUCCESS)
        return None
    for book in books:
        book.author_list = ", ".join(credit.author.name for credit in book.credits)
        book.reader_ratings = sum(book.site_histogram)
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": f"Merge {len(books)} books into one",
        "opts": modeladmin.model._meta,
        "books": books,
        "form": form,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/catalogue/book/merge.html", context)
