"""Make the share images of published articles that lack the right one (articles written
before share images existed, books changed in bulk by an import): articles.share_images."""

from django.core.management.base import BaseCommand

from articles.share_images import refresh_share_images


class Command(BaseCommand):
    help = "Make the share image of every published article whose picture is missing or stale."

    def handle(self, *args, **options):
        changed = refresh_share_images()
        self.stdout.write(f"{changed} share image{'s' if changed != 1 else ''} made or changed.")
