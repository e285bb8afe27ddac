"""Preparing a picture: what may be uploaded, and the files readers get from it."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PillowImage

from images.library import add_image
from images.models import Image
from images.preparing import validate_image_upload
from images.signals import image_changed
from images.tasks import prepare_image
from tests.pictures import open_stored, png_claiming, stored_files

from .conftest import photo_with_location, picture_bytes, picture_upload

pytestmark = pytest.mark.django_db


def added(django_capture_on_commit_callbacks, upload=None, **words) -> Image:
    """A picture added as the desk adds one, prepared by the worker once that commits."""
    words.setdefault("alt", "A ship in a storm")
    with django_capture_on_commit_callbacks(execute=True):
        image = add_image(file=upload or picture_upload(), **words)
    image.refresh_from_db()
    return image


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        pytest.param(
            lambda: SimpleUploadedFile("ship.jpg", b"Chapter One\n" * 100),
            "The file is not an image, or it is damaged; upload a JPEG, PNG or WebP image.",
            id="text file renamed .jpg",
        ),
        pytest.param(
            lambda: picture_upload("ship.gif", image_format="GIF"),
            "The image is in GIF format; upload a JPEG, PNG or WebP image.",
            id="GIF",
        ),
        pytest.param(
            lambda: png_claiming("bomb.png", 100_000, 100_000),
            "The image claims to be too large to open safely; the limit is 25 megapixels.",
            id="decompression bomb",
        ),
        pytest.param(
            lambda: png_claiming("strip.png", 7_000, 1_000),
            "The image is 7,000 × 1,000 pixels; no side may be more than 6 times the other.",
            id="a strip",
        ),
        pytest.param(
            lambda: png_claiming("wide.png", 9_000, 2_000),
            "The image is 9,000 × 2,000 pixels; the limit is 8,000 pixels on the longest side.",
            id="a side over 8,000 pixels",
        ),
    ],
)
def test_what_is_not_a_picture_within_the_limits_is_refused_in_words(upload, message, media_root):
    with pytest.raises(ValidationError) as refused:
        add_image(file=upload(), alt="A ship")
    assert refused.value.messages == [message]
    assert not Image.objects.exists() and stored_files(media_root) == []


def test_the_byte_limit_is_that_of_covers():
    upload = picture_upload(size=(16, 16))
    upload.size = 11 * 1024 * 1024
    with pytest.raises(ValidationError) as refused:
        validate_image_upload(upload)
    assert (
        " ".join(refused.value.messages[0].split()) == "The file is 11.0 MB; the limit is 10.0 MB."
    )


def test_a_panorama_is_a_picture_though_not_a_cover():
    assert validate_image_upload(picture_upload(size=(3000, 600))) == "JPEG"


def test_a_picture_neither_described_nor_decorative_is_refused(media_root):
    with pytest.raises(ValidationError) as refused:
        add_image(file=picture_upload(), alt="  ")
    assert refused.value.message_dict["alt"][0].startswith("Describe what the picture shows")
    assert not Image.objects.exists() and stored_files(media_root) == []


def test_a_photo_keeps_no_location_or_other_metadata(django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile("photo.jpg", photo_with_location())
    assert PillowImage.open(io.BytesIO(upload.read())).getexif().get_ifd(0x8825)  # to strip
    upload.seek(0)
    image = added(django_capture_on_commit_callbacks, upload)

    assert image.status == Image.Status.READY and image.failure == ""
    original = open_stored(image.file.name)
    assert original.size == (800, 1200) and (image.width, image.height) == (800, 1200)  # upright
    assert not original.getexif() and "comment" not in original.info
    files = [
        image.file.name,
        *(r[kind] for r in image.renditions.values() for kind in ("webp", "jpeg")),
    ]
    for name in files:
        assert not open_stored(name).getexif()
        with default_storage.open(name) as file:
            content = file.read()
        assert b"PhoneMaker" not in content and b"Elm Road" not in content


def test_renditions_are_never_wider_than_the_picture(django_capture_on_commit_callbacks):
    image = added(django_capture_on_commit_callbacks, picture_upload(size=(1000, 500)))
    assert list(image.renditions) == ["400", "800"]
    assert image.renditions["800"]["height"] == 400
    assert open_stored(image.renditions["800"]["webp"]).size == (800, 400)
    small = added(django_capture_on_commit_callbacks, picture_upload(size=(300, 200)))
    assert list(small.renditions) == ["300"]  # its own width, not 400
    assert open_stored(small.renditions["300"]["jpeg"]).size == (300, 200)


def test_renditions_are_named_by_their_content(django_capture_on_commit_callbacks, media_root):
    image = added(django_capture_on_commit_callbacks, picture_upload(size=(1700, 850)))
    assert list(image.renditions) == ["400", "800", "1200", "1600"]
    digest = image.content_hash[:10]
    assert image.file.name == f"images/originals/{image.pk}/{digest}.jpg"
    for width, rendition in image.renditions.items():
        assert rendition["webp"] == f"images/renditions/{image.pk}-{digest}-{width}.webp"
        assert rendition["jpeg"] == f"images/renditions/{image.pk}-{digest}-{width}.jpg"
    # Nothing else kept: the upload as sent is gone.
    assert not any(name.startswith("private/") for name in stored_files(media_root))


def test_a_replaced_file_keeps_the_id_makes_new_renditions_and_deletes_the_old(
    django_capture_on_commit_callbacks, monkeypatch
):
    image = added(django_capture_on_commit_callbacks)
    old = {image.file.name, *(r["jpeg"] for r in image.renditions.values())}
    purged, sent = [], []
    monkeypatch.setattr("images.preparing.invalidate", lambda *tags: purged.extend(tags))
    image_changed.connect(receiver := lambda sender, instance, **kw: sent.append(instance.pk))
    try:
        from images.preparing import hold_upload

        with django_capture_on_commit_callbacks(execute=True):
            hold_upload(image, picture_upload("new.png", image_format="PNG", colour=(200, 10, 10)))
            image.save()
            prepare_image.enqueue(image.pk)
    finally:
        image_changed.disconnect(receiver)
    image.refresh_from_db()
    assert image.status == Image.Status.READY and image.file.name.endswith(".png")
    assert not {image.file.name, *(r["jpeg"] for r in image.renditions.values())} & old
    assert not any(default_storage.exists(name) for name in old)
    assert purged == [f"images.image:{image.pk}"] and sent == [image.pk]


def test_an_upload_the_worker_cannot_read_is_failed_with_the_reason(
    django_capture_on_commit_callbacks,
):
    from images.preparing import hold_upload

    image = Image(alt="A ship")
    hold_upload(image, picture_upload())
    image.save()
    with default_storage.open(image.file.name, "wb") as file:  # damaged after the check
        file.write(b"not a picture any more")
    prepare_image.call(image.pk)
    image.refresh_from_db()
    assert image.status == Image.Status.FAILED and image.renditions == {}
    assert image.failure == (
        "the uploaded file could not be read as an image; it may have been damaged"
    )


def test_a_stored_picture_is_not_prepared_twice(django_capture_on_commit_callbacks, media_root):
    image = added(django_capture_on_commit_callbacks)
    files = stored_files(media_root)
    prepare_image.call(image.pk)
    assert stored_files(media_root) == files
    assert Image.objects.get(pk=image.pk).renditions == image.renditions


def test_covers_and_pictures_share_their_checks():
    """One module checks both (shared.pictures): a cover's limits are its own."""
    from catalogue.covers import validate_cover_upload

    upload = png_claiming("strip.png", 3000, 600)
    with pytest.raises(ValidationError, match="no side may be more than 4 times"):
        validate_cover_upload(upload)
    assert (
        validate_image_upload(
            SimpleUploadedFile("strip.png", picture_bytes((300, 60), image_format="PNG"))
        )
        == "PNG"
    )
