"""A picture made fit to serve: the upload checked in the request and held privately,
then stored again without its metadata and sized by the worker (shared.pictures does
the work; this says where the files go and what the row records)."""

from pathlib import PurePosixPath

from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction

from pagecache.tags import tag_for
from pagecache.versions import invalidate
from shared import pictures

from .models import Image
from .signals import image_changed

# The same byte and pixel limits as covers; a picture may be a panorama or a tall scan.
LIMITS = pictures.Limits(
    max_bytes=10 * 1024 * 1024, max_pixels=25_000_000, max_side=8_000, max_aspect=6
)
# The widths articles show a picture at (a column, a wide figure, high-density screens).
RENDITION_WIDTHS = (400, 800, 1200, 1600)
# Every file readers may fetch: named by content, so kept a year (website.views.serve_media).
PUBLIC_DIR = "images"
RENDITION_DIR = "images/renditions"
ORIGINAL_DIR = "images/originals"  # images/originals/<pk>/<content hash>.<ext>
# An upload as sent (a photo's EXIF may say where it was taken) waits here, where no
# address serves it, until the worker has stored it again without its metadata.
HELD_DIR = "private/image-uploads"
# What readers see of a picture: a change to any of these re-renders its figures.
WORDS = ("alt", "decorative", "caption", "credit", "licence")


def validate_image_upload(file: File) -> str:
    """Refuse, in words, what is not a JPEG, PNG or WebP picture within LIMITS; name the
    file by what it is (so it is always stored, and served, as an image)."""
    image_format = pictures.validate_upload(file, limits=LIMITS)
    file.name = PurePosixPath(file.name or "picture").stem + pictures.FORMATS[image_format]
    return image_format


def hold_upload(image: Image, upload: File) -> None:
    """Store an upload under HELD_DIR and point the picture at it; readers go on seeing
    the picture's previous renditions (none for a new one) until the worker has cleaned
    it. Alters data: writes the file; the caller saves the row and queues the worker."""
    image.file = pictures.hold_upload(image._meta.get_field("file").storage, HELD_DIR, upload)


hold_upload.alters_data = True


def is_held(name: str) -> bool:
    """Whether a stored file is an upload still waiting to be cleaned (never served)."""
    return bool(name) and name.startswith(f"{HELD_DIR}/")


def prepare(image: Image) -> bool:
    """Store the picture's held upload again without its metadata, make its renditions and
    mark it ready; True when it changed.

    Alters data: writes images/originals/<pk>/<hash>.<ext> and
    images/renditions/<pk>-<hash>-<width>.<webp|jpg>, records them on the row and, once
    that commits, deletes the upload and the files of what it replaced, drops the cached
    pages showing the picture and sends `image_changed`. A picture whose file is clean
    already gets its renditions again only if it has none. Raises NotCleaned when the
    upload cannot be read; see `record_failure`.
    """
    uploaded = image.file.name
    if not is_held(uploaded) and image.renditions:
        return False
    storage = image.file.storage
    try:
        with image.file.open("rb") as file:
            content = file.read()
    except FileNotFoundError as error:
        raise pictures.NotCleaned("the uploaded file is no longer in storage") from error
    clean = pictures.clean_original(content)
    name = f"{ORIGINAL_DIR}/{image.pk}/{clean.digest[:10]}{clean.extension}"
    if not storage.exists(name):
        storage.save(name, ContentFile(clean.content))
    renditions = pictures.make_renditions(
        clean.content, storage=storage, stem=f"{RENDITION_DIR}/{image.pk}", widths=RENDITION_WIDTHS
    )
    with transaction.atomic():
        # Locked, so a replacement saved meanwhile is seen, and left to its own task.
        stored = Image.objects.select_for_update().filter(pk=image.pk).first()
        if stored is None or stored.file.name != uploaded:
            kept = {stored.file.name, *pictures.files_of(stored.renditions)} if stored else set()
            unused = ({name} | pictures.files_of(renditions)) - kept
            transaction.on_commit(lambda: _delete(storage, unused))
            return False
        replaced = {stored.file.name, *pictures.files_of(stored.renditions)}
        image.file = name
        image.width, image.height = clean.width, clean.height
        image.renditions = renditions
        image.content_hash = clean.digest
        image.status = Image.Status.READY
        image.failure = ""
        image.save(
            update_fields=[
                "file", "width", "height", "renditions", "content_hash", "status", "failure",
                "updated_at",
            ]
        )  # fmt: skip
        stale = replaced - {name} - pictures.files_of(renditions)
        transaction.on_commit(lambda: _delete(storage, stale | _originals(image, but=name)))
        announce_change(image)
    return True


prepare.alters_data = True


def record_failure(image_id: int, why: str) -> None:
    """Say on the picture's form why the worker could not prepare it. A picture readers
    already see keeps its renditions (the new upload stays held); a new one is failed."""
    rows = Image.objects.filter(pk=image_id)
    rows.filter(renditions={}).update(status=Image.Status.FAILED)
    rows.update(failure=why)


def announce_change(image: Image) -> None:
    """Once the change commits: cached pages showing the picture go, and the articles
    that embed it render their figures again (images.signals.image_changed)."""
    invalidate(tag_for(image))
    transaction.on_commit(lambda: image_changed.send(sender=Image, instance=image))


def delete_files(image: Image) -> None:
    """Delete every file of a picture that is gone (its upload, original, renditions),
    once the deletion commits."""
    storage = image._meta.get_field("file").storage
    names = {image.file.name, *pictures.files_of(image.renditions)} - {""}
    transaction.on_commit(lambda: _delete(storage, names))


delete_files.alters_data = True


def thumbnail_url(image: Image, width: int) -> str | None:
    """A rendition at least `width` wide (or the widest), for the desk; None while the
    picture is being prepared (its upload is never served)."""
    chosen = pictures.pick_rendition(pictures.renditions_in(image.renditions), width=width)
    return image.file.storage.url(chosen.jpeg) if chosen else None


def _originals(image: Image, *, but: str) -> set[str]:
    """The picture's earlier clean originals (images/originals/<pk>/), but one."""
    folder = f"{ORIGINAL_DIR}/{image.pk}"
    try:
        _, files = image.file.storage.listdir(folder)
    except FileNotFoundError:
        return set()
    return {f"{folder}/{file}" for file in files} - {but}


def _delete(storage, names) -> None:
    for name in sorted(names):
        if name and not Image.objects.filter(file=name).exists():
            storage.delete(name)
