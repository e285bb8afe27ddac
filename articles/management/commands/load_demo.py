from django.core.management.base import BaseCommand

from articles.demo import EDITOR_PASSWORD, EDITOR_USERNAME, load_demo


class Command(BaseCommand):
    help = (
        "Load the demo articles and book, and with DEBUG on the demo editor account "
        "(safe to run again)."
    )

    def handle(self, *args, **options):
        report = load_demo()
        self.stdout.write(str(report))
        if report.has_editor:
            login = f"editor login {EDITOR_USERNAME} / {EDITOR_PASSWORD}"
        else:
            login = "no demo account (DEBUG is off): manage.py createeditor NAME --role editor"
        self.stdout.write(self.style.SUCCESS(f"Demo ready: /articles/unlikely-allies/ · {login}"))
