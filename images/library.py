"""Adding a picture to the library: the one write the desk's upload endpoint and
`manage.py add_image` share."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction

from .models import Image
from .preparing import hold_upload, validate_image_upload
from .tasks import prepare_image_after_commit


def add_image(
    *,
    file: File,
    alt: str = "",
    decorative: bool = False,
    caption: str = "",
    credit: str = "",
    licence: str = "",
    source_url: str = "",
    uploaded_by: AbstractBaseUser | None = None,
) -> Image:
    """A new picture from `file` with its words, held until the worker has prepared it
    (queued once this commits). Raises ValidationError, in words, for a file that is not
    a picture within the limits or a picture neither described nor marked decorative;
    nothing is stored then."""
    validate_image_upload(file)
    image = Image(
        alt=alt.strip(),
        decorative=decorative,
        caption=caption.strip(),
        credit=credit.strip(),
        licence=licence.strip(),
        source_url=source_url.strip(),
        uploaded_by=uploaded_by,
    )
    if not image.alt and not image.decorative:
        raise ValidationError({"alt": ALT_REQUIRED})
    image.full_clean(exclude=["file"])
    with transaction.atomic():
        hold_upload(image, file)
        image.save()
        prepare_image_after_commit(image)
    return image


add_image.alters_data = True

ALT_REQUIRED = (
    "Describe what the picture shows, for readers who cannot see it, or tick “Decorative” "
    "if it adds nothing the text does not say."
)
