import time

from django.core.management.base import BaseCommand

from catalogue.related import books_with_fans, refresh_also_liked


class Command(BaseCommand):
    help = (
        "Recompute what each book's readers also liked (the stored signal of related "
        "books) for every book with a 4+ star rating. Ratings refresh their book's list "
        "in the background already; run this after loading ratings in bulk, or nightly "
        "so lists catch up with other books' new fans."
    )

    def handle(self, *args, **options):
        start = time.monotonic()
        books = changed = 0
        for book_id in books_with_fans():
            books += 1
            changed += refresh_also_liked(book_id)
            if options["verbosity"] > 1 and books % 1000 == 0:
                self.stdout.write(f"{books:,} books…")
        self.stdout.write(
            self.style.SUCCESS(
                f"Refreshed {books:,} books with fans in {time.monotonic() - start:.1f} s; "
                f"{changed:,} lists changed."
            )
        )
