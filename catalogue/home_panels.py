"""The catalogue's panel on the desk's first page (desk/home.py gathers it; CatalogueConfig
names `panels`): the recent imports, for those who may import books."""

from django.http import HttpRequest
from django.urls import reverse
from django.utils import formats, timezone

from desk.home import PANEL_ROWS, Panel, PanelRow

from .models import ImportJob

TIME_FORMAT = "j M Y, H:i T"


def panels(request: HttpRequest) -> list[Panel]:
    # Who may open the import pages (BookAdmin.has_add_permission).
    if not request.user.has_perm("catalogue.add_book"):
        return []
    jobs = (
        ImportJob.objects.select_related("created_by")
        .only("file_name", "step", "state", "rows_done", "created_at", "created_by__username")
        .order_by("-created_at", "-pk")[:PANEL_ROWS]
    )
    return [
        Panel(
            title="Recent imports",
            rows=[
                PanelRow(label=job.file_name, url=job.get_absolute_url(), detail=detail_of(job))
                for job in jobs
            ],  # fmt: skip
            empty="No books were imported from the desk yet.",
            see_all_url=reverse("admin:catalogue_book_import"),
            see_all_label="Import books, and all recent imports",
            place=90,
        )
    ]


def detail_of(job: ImportJob) -> str:
    """“Import: done, 120 rows — erin, 3 Dec 2026, 09:00 UTC”"""
    when = formats.date_format(timezone.localtime(job.created_at), TIME_FORMAT)
    who = job.created_by.get_username() if job.created_by else "someone"
    rows = f", {job.rows_done:,} row{'s' if job.rows_done != 1 else ''}" if job.rows_done else ""
    return f"{job.get_step_display()}: {job.get_state_display().lower()}{rows} — {who}, {when}"
