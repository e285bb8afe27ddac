"""The book list's "Import books from CSV" pages (BookAdmin adds `import_urls`).

An upload is checked first by a dry run, which writes nothing; the editor reads what
would be created, updated, skipped and warned about, line by line, and confirms. Both
steps run in the background (catalogue/tasks.py), so no request waits for a long file:
the job's page shows a progress bar, then the report, and at the end links to every
book created.
"""

from functools import partial

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.http import content_disposition_header

from ..forms import BookImportForm
from ..importers import SNIFF_BYTES, ImportFileError, ImportReport, recognise_source
from ..models import Book, ImportJob
from ..tasks import enqueue_import_job

ROWS_SHOWN = 200  # of each list of rows on the report
BOOKS_PER_PAGE = 100  # of the books an import created
RECENT_JOBS = 10
MAX_REJECTS_SHOWN = 64 * 1024  # larger ones are only offered as a download
# Each kind of row as the report names it: after an import, and in a dry run.
ROW_KINDS = {
    "created": ("created", "to create"),
    "updated": ("updated", "to update"),
    "skipped": ("skipped", "to skip"),
    "warning": ("warning", "warning"),
}
# What the progress endpoint reads of a job.
PROGRESS_FIELDS = ["step", "state", "rows_done", "rows_total", "bytes_done", "bytes_total"]


def import_urls(modeladmin: admin.ModelAdmin) -> list[URLPattern]:
    """The import pages, under the book list's URL."""

    def view(function):
        return modeladmin.admin_site.admin_view(partial(function, modeladmin))

    return [
        path("import/", view(import_view), name="catalogue_book_import"),
        path("import/<int:pk>/", view(job_view), name="catalogue_book_import_job"),
        path(
            "import/<int:pk>/progress/",
            view(progress_view),
            name="catalogue_book_import_progress",
        ),
        path(
            "import/<int:pk>/rejects.csv",
            view(rejects_view),
            name="catalogue_book_import_rejects",
        ),
    ]


def import_view(modeladmin: admin.ModelAdmin, request: HttpRequest) -> HttpResponse:
    """Upload a CSV: a file that is no book list is refused at once, with the reason;
    one that is, is kept and checked by a dry run in the background."""
    check_may_import(modeladmin, request)
    form = BookImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid() and source_recognised(form):
        upload = form.cleaned_data["file"]
        job = ImportJob.objects.create(
            file_name=upload.name[-255:],
            contents=b"".join(upload.chunks()),
            new_book_status=form.cleaned_data["new_book_status"],
            created_by=request.user,
        )
        enqueue_import_job(job)
        return redirect(job)
    recent = ImportJob.objects.defer(
        "contents", "report", "created_book_ids", "rejected_rows"
    ).select_related("created_by")[:RECENT_JOBS]
    context = {
        **tool_context(modeladmin, request, "Import books from CSV"),
        "form": form,
        "recent_jobs": recent,
    }
    return TemplateResponse(request, "admin/catalogue/book/import.html", context)


def source_recognised(form: BookImportForm) -> bool:
    """A look at the start of the upload, so that a file that is no book list is refused
    with the reason before it is kept."""
    upload = form.cleaned_data["file"]
    try:
        recognise_source(upload.read(SNIFF_BYTES))
    except ImportFileError as error:
        form.add_error("file", str(error))
        return False
    finally:
        upload.seek(0)
    return True


def job_view(modeladmin: admin.ModelAdmin, request: HttpRequest, pk: int) -> HttpResponse:
    """One import: its progress, its dry run to confirm, or its summary."""
    check_may_import(modeladmin, request)
    job = get_object_or_404(ImportJob.objects.defer("contents").select_related("created_by"), pk=pk)
    if request.method == "POST":
        return act_on_job(request, job)
    context = {
        **tool_context(modeladmin, request, f"Import of {job.file_name}"),
        "job": job,
        "rejects": job.rejected_rows if len(job.rejected_rows) <= MAX_REJECTS_SHOWN else "",
        "created_books": created_books_page(job, request.GET.get("page")),
    }
    if job.report:
        context.update(report_context(ImportReport.from_dict(job.report), request.GET.get("show")))
    return TemplateResponse(request, "admin/catalogue/book/import_job.html", context)


def report_context(report: ImportReport, kind: str | None) -> dict:
    """The report, and the first rows of the kind asked for (all kinds if none is)."""
    kind = kind if kind in ROW_KINDS else ""
    counts = report.counts()
    named = {key: names[report.dry_run] for key, names in ROW_KINDS.items()}
    return {
        "report": report,
        "row_kinds": [
            (key, f"{counts[key]} {name}{'s' if key == 'warning' and counts[key] != 1 else ''}")
            for key, name in named.items()
        ],
        "shown_kind": kind,
        "rows": [(row, named[row.kind]) for row in report.rows_of(kind)[:ROWS_SHOWN]],
        "rows_total": counts[kind] if kind else sum(counts.values()),
    }


def act_on_job(request: HttpRequest, job: ImportJob) -> HttpResponse:
    """Confirm a checked import (it is queued), or cancel it (the file is deleted)."""
    action = request.POST.get("action")
    if action == "confirm":
        if job.confirm():
            enqueue_import_job(job)
        return redirect(job)
    if action == "cancel" and job.awaiting_confirmation:
        job.delete()
        cancelled = f"The import of {job.file_name} was cancelled; nothing was written."
        messages.success(request, cancelled)
        return redirect("admin:catalogue_book_import")
    return redirect(job)


def progress_view(modeladmin: admin.ModelAdmin, request: HttpRequest, pk: int) -> JsonResponse:
    """How far the job has got, for desk/static/desk/import_progress.js."""
    check_may_import(modeladmin, request)
    job = get_object_or_404(ImportJob.objects.only(*PROGRESS_FIELDS), pk=pk)
    return JsonResponse(
        {
            "step": job.step,
            "state": job.state,
            "finished": not job.in_progress,
            "percent": job.percent,
            "text": job.progress_text(),
        }
    )


def rejects_view(modeladmin: admin.ModelAdmin, request: HttpRequest, pk: int) -> HttpResponse:
    """The rows the job skipped (or would skip), as CSV to fix and import again."""
    check_may_import(modeladmin, request)
    job = get_object_or_404(ImportJob.objects.only("file_name", "rejected_rows"), pk=pk)
    response = HttpResponse(job.rejected_rows, content_type="text/csv; charset=utf-8")
    name = job.file_name.removesuffix(".csv")
    # Any script in the name (a Greek or Arabic file name) survives, quoted as RFC 6266 says.
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{name}-skipped-rows.csv"
    )
    return response


def check_may_import(modeladmin: admin.ModelAdmin, request: HttpRequest) -> None:
    if not modeladmin.has_add_permission(request):
        raise PermissionDenied


def tool_context(modeladmin: admin.ModelAdmin, request: HttpRequest, title: str) -> dict:
    return {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "opts": modeladmin.model._meta,
    }


def created_books_page(job: ImportJob, number: str | None):
    """A page of the books the import created, in file order, with what their links need."""
    if not job.created_book_ids:
        return None
    page = Paginator(job.created_book_ids, BOOKS_PER_PAGE).get_page(number)
    books = Book.objects.filter(pk__in=page.object_list).only("title", "slug", "status")
    by_id = {book.pk: book for book in books}
    page.object_list = [by_id[pk] for pk in page.object_list if pk in by_id]  # some deleted since
    return page
