from django.core.management.base import BaseCommand

from articles.demo import EDITOR_PASSWORD, EDITOR_USERNAME, load_demo


class Command(BaseCommand):
    help = "Load the demo articles, book and editor account (safe to run again)."

    def handle(self, *args, **options):
        report = load_demo()
        self.stdout.write(str(report))
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo ready: /articles/unlikely-allies/ · editor login "
                f"{EDITOR_USERNAME} / {EDITOR_PASSWORD}"
            )
        )
