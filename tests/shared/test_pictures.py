"""shared.pictures' own parts, without a model: covers and the pictures library hold their
uploads through the same function, each in its own folder."""

from django.core.files.base import ContentFile
from django.core.files.storage import InMemoryStorage

from shared.pictures import hold_upload


def test_an_upload_is_held_whole_under_a_random_name_in_the_folder_given():
    storage = InMemoryStorage()
    upload = ContentFile(b"picture bytes", name="Holiday Photo.JPG")
    upload.read()  # a form's validation has read it already

    first = hold_upload(storage, "private/held", upload)
    second = hold_upload(storage, "private/held", upload)

    assert first.startswith("private/held/") and first.endswith(".jpg")
    assert "Holiday" not in first and first != second
    assert storage.open(first).read() == b"picture bytes"
