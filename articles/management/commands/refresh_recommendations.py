import sys
import time

from django.core.management.base import BaseCommand

from articles.recommendations import refresh_all


class Command(BaseCommand):
    help = "Recompute every article's “Read next” list (also refreshed when articles change)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--profiles",
            action="store_true",
            help="First recompute every article's word counts, not only the missing ones "
            "(after a change to articles/words.py).",
        )

    def handle(self, *args, **options):
        started = time.perf_counter()
        show = self.stderr.isatty() if hasattr(self.stderr, "isatty") else False
        count = refresh_all(
            every_profile=options["profiles"], progress=self._progress if show else None
        )
        if show:
            sys.stderr.write("\n")
        self.stdout.write(
            self.style.SUCCESS(
                f"Refreshed recommendations for {count:,} articles in "
                f"{time.perf_counter() - started:.1f} s."
            )
        )

    def _progress(self, done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} articles")
        sys.stderr.flush()
