"""An import an editor starts in the desk: the uploaded CSV is checked by a dry run, and
imported once the editor has read what would happen and confirmed. Both steps run in
the background (catalogue/tasks.py); the desk shows their progress and reports
(catalogue/admin/importing.py). A model of catalogue.models, which imports it."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

# A running step reports progress after every batch (a fraction of a second); one
# silent this long has most likely lost its worker.
SILENT_FOR = timedelta(minutes=10)


class ImportJob(models.Model):
    class Step(models.TextChoices):
        CHECK = "check", "Check (dry run)"
        IMPORT = "import", "Import"

    class State(models.TextChoices):
        WAITING = "waiting", "Waiting for the worker"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    file_name = models.CharField(max_length=255)
    # The CSV as uploaded, until it is imported or the job is cancelled: in the database,
    # so a worker on any host can read it and no web server can serve it.
    contents = models.BinaryField(editable=False)
    new_book_status = models.CharField(
        "new books", max_length=10, default="published", help_text="published or draft"
    )
    step = models.CharField(max_length=10, choices=Step, default=Step.CHECK)
    state = models.CharField(max_length=10, choices=State, default=State.WAITING)
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(null=True, blank=True)  # known once checked
    bytes_done = models.PositiveBigIntegerField(default=0)
    bytes_total = models.PositiveBigIntegerField(default=0)
    # The report of the latest step (catalogue.importers.ImportReport.as_dict()).
    report = models.JSONField(default=dict, blank=True)
    created_book_ids = models.JSONField(default=list, blank=True)
    rejected_rows = models.TextField(blank=True)  # CSV, formulas escaped
    error = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(new_book_status__in=["published", "draft"]),
                name="import_job_new_book_status",
            ),
        ]

    def __str__(self) -> str:
        return self.file_name

    def get_absolute_url(self) -> str:
        return reverse("admin:catalogue_book_import_job", args=[self.pk])

    @property
    def in_progress(self) -> bool:
        return self.state in (self.State.WAITING, self.State.RUNNING)

    @property
    def awaiting_confirmation(self) -> bool:
        return self.step == self.Step.CHECK and self.state == self.State.DONE

    @property
    def looks_stuck(self) -> bool:
        return self.state == self.State.RUNNING and timezone.now() - self.updated_at > SILENT_FOR

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        if self.rows_total:
            return min(100, 100 * self.rows_done // self.rows_total)
        return min(100, 100 * self.bytes_done // self.bytes_total) if self.bytes_total else 0

    def progress_text(self) -> str:
        if self.state == self.State.WAITING:
            return "Waiting for the background worker to start it."
        if self.rows_total:
            return f"{self.rows_done:,} of {self.rows_total:,} rows ({self.percent}%)"
        return f"{self.rows_done:,} rows read ({self.percent}%)"

    def start(self) -> bool:
        """Mark the waiting step running; False if it is not waiting (already taken)."""
        started = type(self).objects.filter(pk=self.pk, state=self.State.WAITING)
        return bool(started.update(state=self.State.RUNNING, updated_at=timezone.now()))

    start.alters_data = True

    def record_progress(self, rows: int, bytes_done: int, bytes_total: int) -> None:
        """After each batch, in its own statement (the batch's transaction has ended)."""
        type(self).objects.filter(pk=self.pk).update(
            rows_done=rows,
            bytes_done=bytes_done,
            bytes_total=bytes_total,
            updated_at=timezone.now(),
        )

    record_progress.alters_data = True

    def finish(self, *, report: dict, created_book_ids: list[int], rejected_rows: str) -> None:
        """The step is done: keep its report; once imported, the file is dropped."""
        self.state = self.State.DONE
        self.report = report
        self.rejected_rows = rejected_rows
        self.finished_at = timezone.now()
        self.rows_done = report.get("rows", 0)
        fields = ["state", "report", "rejected_rows", "finished_at", "rows_done", "updated_at"]
        if self.step == self.Step.CHECK:
            self.rows_total = self.rows_done  # what the import will count up to
            fields.append("rows_total")
        else:
            self.created_book_ids = created_book_ids
            self.contents = b""
            fields += ["created_book_ids", "contents"]
        self.save(update_fields=fields)

    finish.alters_data = True

    def fail(self, message: str) -> None:
        """The step stopped: say why; the file is dropped (upload it again to retry)."""
        self.state = self.State.FAILED
        self.error = message
        self.finished_at = timezone.now()
        self.contents = b""
        self.save(update_fields=["state", "error", "finished_at", "contents", "updated_at"])

    fail.alters_data = True

    def confirm(self) -> bool:
        """The editor read the dry run and confirms: the import waits for the worker.
        False if it was not awaiting confirmation (a second click)."""
        checked = type(self).objects.filter(pk=self.pk, step=self.Step.CHECK, state=self.State.DONE)
        return bool(
            checked.update(
                step=self.Step.IMPORT,
                state=self.State.WAITING,
                rows_done=0,
                bytes_done=0,
                updated_at=timezone.now(),
            )
        )

    confirm.alters_data = True
