import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PillowImage

from tests.pictures import image_bytes


def picture_bytes(size=(1000, 500), *, image_format="JPEG", **kwargs) -> bytes:
    """A photograph-shaped picture (covers' default is portrait PNG)."""
    return image_bytes(size, image_format=image_format, **kwargs)


def picture_upload(name="picture.jpg", **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, picture_bytes(**kwargs))


def photo_with_location() -> bytes:
    """A phone's photo: where it was taken (GPS), the maker, a comment, turned sideways."""
    exif = PillowImage.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to view
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}  # GPS
    return picture_bytes(size=(1200, 800), exif=exif, comment=b"Home, 12 Elm Road")


def words(**overrides) -> dict:
    """What the library's form posts besides the file."""
    return {"alt": "A ship in a storm", "caption": "", "credit": "", "licence": "",
            "source_url": "", **overrides}  # fmt: skip


@pytest.fixture
def people(db):
    """Two contributors and an editor, in the desk's roles (the groups migrate makes);
    signed in with force_login, so no password is hashed."""
    people = {}
    for name, role in [("casey", "Contributors"), ("chris", "Contributors"), ("erin", "Editors")]:
        people[name] = get_user_model().objects.create_user(name, is_staff=True)
        people[name].groups.add(Group.objects.get(name=role))
    return people


@pytest.fixture
def desk_client(client, django_capture_on_commit_callbacks):
    """A desk client whose posts commit, as in production: what a save queues for after
    its commit (the worker's preparation, run at once in tests) runs. Sign in with
    `desk_client.force_login(user)`."""
    post = client.post

    def post_and_commit(*args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return post(*args, **kwargs)

    client.post = post_and_commit
    return client
