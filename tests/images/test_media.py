"""A picture's files as the media address serves them: the upload waiting to be cleaned
never, the rest (named by content) kept a year."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

HELD = "private/image-uploads/0123456789abcdef.jpg"


@pytest.mark.parametrize(
    "path", [HELD, f"images/../{HELD}", f"images/%2E%2E/{HELD}", f"images/renditions/../../{HELD}"]
)
def test_an_upload_waiting_to_be_cleaned_is_served_at_no_spelling_of_its_address(
    client, media_root, path
):
    default_storage.save(HELD, ContentFile(b"\\xff\\xd8 a photo with its location \\xff\\xd9"))
    response = client.get(f"/media/{path}")
    assert response.status_code == 404 and b"location" not in response.content


def test_a_pictures_renditions_and_original_are_kept_a_year(client, media_root):
    for name in ("images/renditions/7-0123456789-400.webp", "images/originals/7/0123456789.jpg"):
        stored = default_storage.save(name, ContentFile(b"x"))
        response = client.get(f"/media/{stored}")
        assert response.status_code == 200
        assert response["Cache-Control"] == "public, max-age=31536000, immutable"
