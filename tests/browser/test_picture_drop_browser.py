"""A picture dropped or pasted into an article's body, in a real browser: a dialog asks
for its alt text first (refusing none, unless decorative), the picture goes into the
library through its upload, and its [[image:ID]] line into the text where the caret was."""

import base64
import io

import pytest
from django.db import connection
from PIL import Image as PillowImage

from articles.demo import EDITOR_PASSWORD, EDITOR_USERNAME
from images.models import Image
from tests.helpers import sign_in_page

pytestmark = [
    pytest.mark.skipif(
        connection.vendor == "sqlite", reason="needs concurrent requests: PostgreSQL pass"
    ),
]

# A DataTransfer holding a PNG, as the system gives a page for a drop or a paste; then
# the event on the body.
SEND_PICTURE = """([kind, png]) => {
    const bytes = Uint8Array.from(atob(png), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], "torgau-bridge.png", { type: "image/png" }));
    const body = document.getElementById("id_body");
    const event = kind === "drop"
        ? new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true })
        : new ClipboardEvent("paste", { clipboardData: transfer, bubbles: true, cancelable: true });
    body.dispatchEvent(event);
    return event.defaultPrevented;
}"""


def png() -> str:
    buffer = io.BytesIO()
    PillowImage.new("RGB", (640, 480), (120, 90, 60)).save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode()


@pytest.fixture
def desk(page, demo_site):
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    sign_in_page(page, demo_site.url, EDITOR_USERNAME, EDITOR_PASSWORD)
    page.goto(demo_site.url + "/admin/articles/article/add/")
    page.wait_for_load_state("load")
    page.fill("#id_body", "The bridge.\nThe end.")
    page.evaluate("document.getElementById('id_body').setSelectionRange(11, 11)")
    return problems


@pytest.mark.parametrize("kind", ["drop", "paste"])
def test_a_picture_dropped_or_pasted_asks_for_its_alt_text_then_goes_in(
    page, desk, kind, screenshot
):
    assert page.evaluate(SEND_PICTURE, [kind, png()]) is True  # the browser does nothing else
    dialog = page.get_by_role("dialog", name="Describe the picture")
    dialog.wait_for()
    assert "torgau-bridge.png" in dialog.inner_text()
    # No alt text, not decorative: refused in words, nothing uploaded.
    dialog.get_by_role("button", name="Upload and insert").click()
    assert "Describe the picture in its alt text" in dialog.get_by_role("alert").inner_text()
    assert not Image.objects.exists()
    dialog.get_by_label("Alt text").fill("The bridge at Torgau, April 1945")
    dialog.get_by_label("Credit (optional)").fill("Photo: US Army")
    screenshot(f"desk-picture-{kind}")
    dialog.get_by_role("button", name="Upload and insert").click()
    dialog.wait_for(state="hidden")

    picture = Image.objects.get()
    assert (picture.alt, picture.credit) == ("The bridge at Torgau, April 1945", "Photo: US Army")
    assert page.input_value("#id_body") == f"The bridge.\n[[image:{picture.pk}]]\nThe end."
    assert f"as [[image:{picture.pk}]]" in page.locator(".picture-drop__status").inner_text()
    assert desk == []


def test_a_decorative_picture_needs_no_alt_text_and_cancel_inserts_nothing(page, desk):
    page.evaluate(SEND_PICTURE, ["paste", png()])
    dialog = page.get_by_role("dialog", name="Describe the picture")
    dialog.get_by_role("button", name="Cancel").click()
    dialog.wait_for(state="hidden")
    assert page.input_value("#id_body") == "The bridge.\nThe end."

    page.evaluate(SEND_PICTURE, ["paste", png()])
    dialog.get_by_label("Decorative", exact=False).check()
    dialog.get_by_role("button", name="Upload and insert").click()
    dialog.wait_for(state="hidden")
    picture = Image.objects.get()
    assert picture.decorative and picture.alt == ""
    assert f"[[image:{picture.pk}]]" in page.input_value("#id_body")
