import sys

from django.core.management.base import BaseCommand, CommandError

from catalogue.importers import DEFAULT_BATCH_SIZE, ImportFileError, import_books


class Command(BaseCommand):
    help = (
        "Import books from CSV: the goodbooks-10k books.csv or a Goodreads library export "
        "(recognised by the header). Safe to run again: known books are updated. Lists each "
        "skipped or warned row with its line number; -v0 prints the summary alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="CSV file to import")
        parser.add_argument(
            "--rejects", metavar="FILE", help="write the rows that were not imported here, as CSV"
        )
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)

    def handle(self, *args, path, rejects, batch_size, **options):
        show_progress = self.stderr.isatty() if hasattr(self.stderr, "isatty") else False
        try:
            report = import_books(
                path,
                rejects=rejects,
                batch_size=batch_size,
                progress=self._progress_bar if show_progress else None,
            )
        except (ImportFileError, FileNotFoundError, IsADirectoryError) as error:
            raise CommandError(str(error)) from None
        if show_progress:
            self.stderr.write("")
        if options["verbosity"] >= 1:
            for issue in report.issues:
                self.stdout.write(str(issue))
        self.stdout.write(self.style.SUCCESS(report.summary()))
        if rejects and report.skipped:
            self.stdout.write(f"The {report.skipped} skipped rows were written to {rejects}.")

    def _progress_bar(self, rows: int, done: int, total: int) -> None:
        width = 30
        filled = int(width * done / total) if total else width
        sys.stderr.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {100 * done // max(total, 1):3d}% "
            f"{rows:,} rows"
        )
        sys.stderr.flush()
