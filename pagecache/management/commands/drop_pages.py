"""Drop every cached page and kept part, here and at every edge: after a release that
changes what pages show (an edge keeps what the old code rendered until EDGE_MAX_AGE,
while the page cache's keys change with the code by themselves), or after data changed
outside the app (SQL, a restore)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from pagecache import edge, stored_parts
from pagecache.tags import SITE
from pagecache.versions import invalidate


class Command(BaseCommand):
    help = (
        "Drop every cached page, in the page cache and at every edge (EDGE_PURGE_URLS). "
        "Run it once a release is live on every app host."
    )

    def handle(self, *args, **options):
        # Every page carries SITE (pagecache.store), here and in xkey. The edges are told
        # here rather than in the background, and answer, so the command names any missed.
        invalidate(SITE, edges=False)
        stored_parts.drop_all()  # stale already (SITE changed): their room back
        failed = []
        for base in settings.EDGE_PURGE_URLS:
            try:
                edge.send_purge(base, [edge.edge_tag(SITE)])
            except OSError as error:
                failed.append(f"{base} ({error})")
        if failed:
            raise CommandError(
                "Cached pages dropped here, but not at " + ", ".join(failed) + ": its pages "
                "stay until EDGE_MAX_AGE. Run this again once it can be reached."
            )
        edges = len(settings.EDGE_PURGE_URLS)
        where = f"here and at {edges} edge{'s' if edges != 1 else ''}" if edges else "here"
        self.stdout.write(f"Every cached page dropped, {where}.")
