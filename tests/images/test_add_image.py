"""`manage.py add_image PATH --alt TEXT`: one picture from the command line, its id
printed alone (for `[[image:ID]]`), errors in words."""

import io
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from images.models import Image
from tests.pictures import png_header

from .conftest import picture_bytes

pytestmark = pytest.mark.django_db


def add_image(*args) -> str:
    out = io.StringIO()
    call_command("add_image", *args, stdout=out)
    return out.getvalue()


def test_it_prints_the_id_alone_and_the_picture_is_ready(
    tmp_path, django_capture_on_commit_callbacks
):
    path = tmp_path / "ship.jpg"
    path.write_bytes(picture_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        printed = add_image(str(path), "--alt", "A ship", "--credit", "Photo: Jane Doe")
    image = Image.objects.get()
    assert printed == f"{image.pk}\n"
    image.refresh_from_db()
    assert image.status == Image.Status.READY and image.credit == "Photo: Jane Doe"


def test_a_decorative_picture_needs_no_alt_text(tmp_path):
    path = tmp_path / "rule.png"
    path.write_bytes(picture_bytes(image_format="PNG"))
    assert add_image(str(path), "--decorative").strip().isdigit()
    assert Image.objects.get().decorative


@pytest.mark.parametrize(
    ("content", "arguments", "message"),
    [
        (None, ["--alt", "A ship"], "No file at {path}."),
        (b"Chapter One\n" * 50, ["--alt", "A ship"], "The file is not an image, or it is "
         "damaged; upload a JPEG, PNG or WebP image."),
        (png_header(100_000, 100_000), ["--alt", "A ship"], "The image claims to be too large "
         "to open safely; the limit is 25 megapixels."),
        (picture_bytes(), [], "Describe what the picture shows, for readers who cannot see it, "
         "or tick “Decorative” if it adds nothing the text does not say."),
        (picture_bytes(), ["--alt", "a" * 100_000], "The alt text has 100,000 characters; keep "
         "it to 1,000: say what the picture shows (a longer description belongs in the article)."),
        (picture_bytes(), ["--alt", "A ship", "--caption", "c" * 2_001], "The caption has "
         "2,001 characters; keep it to 2,000."),
    ],
    ids=["missing file", "not an image", "too large", "no alt", "long alt", "long caption"],
)  # fmt: skip
def test_what_cannot_be_added_is_said_in_words(tmp_path, content, arguments, message):
    path = tmp_path / "picture.jpg"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CommandError) as refused:
        add_image(str(path), *arguments)
    assert str(refused.value) == message.format(path=path)
    assert not Image.objects.exists()


def test_the_command_exits_1_with_the_error_on_stderr(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "add_image", str(tmp_path / "none.jpg"), "--alt", "x"],
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        check=False,
    )
    assert result.returncode == 1 and result.stdout == ""
    assert f"No file at {tmp_path / 'none.jpg'}." in result.stderr
