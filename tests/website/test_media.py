"""Local media (website.views.serve_media): covers only, and caching only for what is
named by its content."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

HELD = "private/cover-uploads/0123456789abcdef.jpg"  # an upload the worker has not cleaned


@pytest.fixture
def held_upload(media_root):
    default_storage.save(HELD, ContentFile(b"\xff\xd8 a photo with its location \xff\xd9"))
    return HELD


@pytest.mark.parametrize(
    "path",
    [
        HELD,
        f"/{HELD}",
        f"covers/../{HELD}",
        f"covers/./../{HELD}",
        f"covers/%2E%2E/{HELD}",
        f"covers/originals/../../{HELD}",
    ],
)
def test_an_upload_waiting_to_be_cleaned_is_served_at_no_spelling_of_its_address(
    client, held_upload, path
):
    response = client.get(f"/media/{path}")
    assert response.status_code == 404
    assert b"location" not in response.content


def test_what_is_named_by_its_content_is_kept_a_year_and_anything_else_is_asked_again(
    client, media_root
):
    rendition = default_storage.save("covers/renditions/7-0123456789-160.jpg", ContentFile(b"x"))
    legacy = default_storage.save("covers/legacy.jpg", ContentFile(b"y"))
    kept = client.get(f"/media/{rendition}")
    assert kept["Cache-Control"] == "public, max-age=31536000, immutable"
    asked = client.get(f"/media/{legacy}")
    assert asked["Cache-Control"] == "no-cache"
    again = client.get(f"/media/{legacy}", HTTP_IF_MODIFIED_SINCE=asked["Last-Modified"])
    assert again.status_code == 304 and again["Cache-Control"] == "no-cache"
