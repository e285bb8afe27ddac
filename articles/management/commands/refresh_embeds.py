from django.core.management.base import BaseCommand

from articles.models import Article
from articles.tasks import refresh_recommendations_after_commit


class Command(BaseCommand):
    help = (
        "Record again which books every article embeds, from its body (saves keep them; "
        "run this after bodies or books were changed outside Django)."
    )

    def handle(self, *args, **options):
        changed = Article.objects.refresh_embedded_books()
        # As a save in the desk does: "Read next" around them, in the background worker.
        refresh_recommendations_after_commit(changed)
        self.stdout.write(
            self.style.SUCCESS(
                f"Articles whose embeds changed: {len(changed):,}."
                + (" Their “Read next” is queued for a refresh." if changed else "")
            )
        )
