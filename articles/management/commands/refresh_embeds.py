from django.core.management.base import BaseCommand

from articles.models import Article
from articles.tasks import refresh_recommendations_after_commit
from pagecache.tags import SITE
from pagecache.versions import invalidate


class Command(BaseCommand):
    help = (
        "Render every article's body again, and record again which books it embeds, and "
        "its excerpt and word counts (saves keep them; run this after bodies, books or "
        "pictures were changed outside Django, or the renderer changed)."
    )

    def handle(self, *args, **options):
        rendered = Article.objects.refresh_rendered_bodies()
        changed = Article.objects.refresh_embedded_books()
        derived = Article.objects.refresh_derived_text()
        # Written in bulk, without signals, after changes made outside Django: every page,
        # and every part kept for pages (a card kept under a book changed by SQL is dropped
        # by nothing else, and an article's render names its books, not what they show).
        invalidate(SITE)
        # As a save in the desk does: "Read next" around them, in the background worker.
        # (a new text profile moves it as new embeds do).
        refresh_recommendations_after_commit(sorted({*changed, *derived}))
        self.stdout.write(
            self.style.SUCCESS(
                f"Articles rendered anew: {len(rendered):,}. "
                f"Articles whose embeds changed: {len(changed):,}. Articles whose excerpt "
                f"or word counts changed: {len(derived):,}."
                + (" Their “Read next” is queued for a refresh." if changed or derived else "")
            )
        )
