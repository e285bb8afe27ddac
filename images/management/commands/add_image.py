from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from images.forms import too_long
from images.library import add_image
from images.models import Image


class Command(BaseCommand):
    help = (
        "Add a picture to the library and prepare it (at once where tasks run at once, "
        "else by the worker); prints its id alone, for [[image:ID]]."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="a JPEG, PNG or WebP picture")
        parser.add_argument("--alt", default="", help="what it shows (required unless decorative)")
        parser.add_argument("--caption", default="")
        parser.add_argument("--credit", default="", help="who made or holds it")
        parser.add_argument("--licence", default="", help="“Public domain”, “CC BY-SA 4.0”, …")
        parser.add_argument("--source", default="", help="where the picture came from (URL)")
        parser.add_argument(
            "--decorative", action="store_true", help="adds nothing the text does not say"
        )

    def handle(self, *args, path, alt, caption, credit, licence, source, decorative, **options):
        location = Path(path)
        if not location.is_file():
            raise CommandError(f"No file at {path}.")
        if refused := too_long(alt=alt.strip(), caption=caption.strip()):
            raise CommandError(" ".join(refused.values()))
        try:
            with location.open("rb") as opened:
                image = add_image(
                    file=File(opened, name=location.name),
                    alt=alt,
                    decorative=decorative,
                    caption=caption,
                    credit=credit,
                    licence=licence,
                    source_url=source,
                )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        image.refresh_from_db()
        if image.status == Image.Status.FAILED:
            raise CommandError(f"Picture {image.pk} could not be prepared: {image.failure}.")
        self.stdout.write(str(image.pk))
