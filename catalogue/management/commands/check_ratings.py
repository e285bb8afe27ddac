from django.core.management.base import BaseCommand, CommandError

from catalogue.models import Book
from catalogue.ratings import find_drift, repair


class Command(BaseCommand):
    help = (
        "Recount every book's per-star ratings from its counted ratings (not those held "
        "for moderation) and report books whose counts drifted; --fix repairs them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="repair the drifted counts")

    def handle(self, *args, fix: bool, **options):
        drift = find_drift()
        if not drift:
            self.stdout.write(
                self.style.SUCCESS(
                    f"All {Book.objects.count():,} books' counts match their ratings."
                )
            )
            return
        for item in drift:
            self.stdout.write(str(item))
        if not fix:
            raise CommandError(f"{len(drift)} books have drifted; run with --fix to repair them.")
        repair(drift)
        left = find_drift(Book.objects.filter(pk__in=[item.book_id for item in drift]))
        if left:
            raise CommandError(f"{len(left)} books still differ; ratings changed meanwhile?")
        self.stdout.write(self.style.SUCCESS(f"Repaired {len(drift)} books."))
