import sys

from django.core.management.base import BaseCommand, CommandError

from catalogue.importers import DEFAULT_BATCH_SIZE, ImportFileError, import_books
from catalogue.models import Book


class Command(BaseCommand):
    help = (
        "Import books from CSV: the goodbooks-10k books.csv or a Goodreads library export "
        "(recognised by the header). Safe to run again: known books are updated. Lists each "
        "skipped or warned row with its line number (-v2: each book created or updated "
        "too; -v0: the summary alone). --dry-run writes nothing and says what would happen."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="CSV file to import")
        parser.add_argument(
            "--rejects", metavar="FILE", help="write the rows that were not imported here, as CSV"
        )
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="read and check every row, write nothing, and report what would happen",
        )
        parser.add_argument(
            "--drafts",
            action="store_true",
            help="create new books as drafts (not public until an editor publishes them)",
        )

    def handle(self, *args, path, rejects, batch_size, dry_run, drafts, **options):
        show_progress = self.stderr.isatty() if hasattr(self.stderr, "isatty") else False
        try:
            report = import_books(
                path,
                rejects=rejects,
                batch_size=batch_size,
                progress=self._progress_bar if show_progress else None,
                dry_run=dry_run,
                new_book_status=Book.Status.DRAFT if drafts else Book.Status.PUBLISHED,
            )
        except (ImportFileError, FileNotFoundError, IsADirectoryError) as error:
            raise CommandError(str(error)) from None
        if show_progress:
            self.stderr.write("")
        if options["verbosity"] >= 2:
            for row in report.rows_of():
                self.stdout.write(str(row))
        elif options["verbosity"] >= 1:
            for issue in report.issues:
                self.stdout.write(str(issue))
        self.stdout.write(self.style.SUCCESS(report.summary()))
        if rejects and report.skipped:
            skipped = "rows that would be skipped" if dry_run else "skipped rows"
            self.stdout.write(f"The {report.skipped} {skipped} were written to {rejects}.")

    def _progress_bar(self, rows: int, done: int, total: int) -> None:
        width = 30
        filled = int(width * done / total) if total else width
        sys.stderr.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {100 * done // max(total, 1):3d}% "
            f"{rows:,} rows"
        )
        sys.stderr.flush()
