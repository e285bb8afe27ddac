"""The book list's "Import books from CSV" page (BookAdmin routes it at import/)."""

import tempfile
from pathlib import Path

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.template.response import TemplateResponse

from ..forms import BookImportForm
from ..importers import ImportFileError, import_books

MAX_ISSUES_SHOWN = 200
MAX_REJECTS_SHOWN = 1024 * 1024


def import_view(modeladmin: admin.ModelAdmin, request: HttpRequest) -> TemplateResponse:
    """Import a CSV of books into the catalogue, as `manage.py import_books` does,
    and show what happened row by row."""
    if not modeladmin.has_add_permission(request):
        raise PermissionDenied
    form = BookImportForm(request.POST or None, request.FILES or None)
    report, rejects = None, ""
    if request.method == "POST" and form.is_valid():
        with tempfile.TemporaryDirectory(prefix="colophon-import-") as folder:
            path, rejected = Path(folder) / "books.csv", Path(folder) / "rejects.csv"
            with path.open("wb") as copy:
                for chunk in form.cleaned_data["file"].chunks():
                    copy.write(chunk)
            try:
                report = import_books(path, rejects=rejected)
            except ImportFileError as error:
                form.add_error("file", str(error))
            else:
                if rejected.exists() and rejected.stat().st_size <= MAX_REJECTS_SHOWN:
                    rejects = rejected.read_text(encoding="utf-8")
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": "Import books from CSV",
        "opts": modeladmin.model._meta,
        "form": form,
        "report": report,
        "issues": report.issues[:MAX_ISSUES_SHOWN] if report else [],
        "rejects": rejects,
    }
    return TemplateResponse(request, "admin/catalogue/book/import.html", context)
