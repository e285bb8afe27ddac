"""The pictures library in a real browser: a picture dropped on the add form's drop zone,
and one pasted into the page, each saved with its alt text and shown in the library as a
thumbnail made by the worker; no script or style refused by the Content-Security-Policy."""

import base64
import io

import pytest
from PIL import Image as PillowImage

from images.models import Image


def png_base64(colour) -> str:
    buffer = io.BytesIO()
    PillowImage.new("RGB", (900, 600), colour).save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode()


# Builds the File in the page, as a drag from the desktop or a copied picture gives it.
GIVE = """([kind, data]) => {
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], kind === "drop" ? "ship.png" : "", { type: "image/png" }));
  const how = { bubbles: true, cancelable: true };
  if (kind === "drop") {
    const zone = document.querySelector(".image-drop-zone");
    zone.dispatchEvent(new DragEvent("dragover", { dataTransfer: transfer, ...how }));
    zone.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, ...how }));
  } else {
    document.body.dispatchEvent(new ClipboardEvent("paste", { clipboardData: transfer, ...how }));
  }
}"""


@pytest.mark.parametrize(("kind", "alt"), [("drop", "A dropped ship"), ("paste", "A pasted ship")])
def test_a_picture_dropped_or_pasted_on_the_add_form_is_in_the_library(
    page, demo_site, screenshot, kind, alt
):
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(demo_site.url + "/admin/login/?next=/admin/images/image/add/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "colophon-demo-editor")
    page.click("input[type=submit]")
    page.wait_for_selector(".image-drop-zone")

    page.evaluate(GIVE, [kind, png_base64((30, 80, 140))])
    assert page.locator(".image-drop-zone__chosen").inner_text().startswith("Chosen: ")
    assert page.evaluate("document.getElementById('id_file').files.length") == 1
    page.fill("#id_alt", alt)
    screenshot(f"desk-picture-{kind}")
    page.click("input[name=_save]")

    page.wait_for_url("**/admin/images/image/")
    image = Image.objects.get(alt=alt)
    assert image.status == Image.Status.READY and (image.width, image.height) == (900, 600)
    thumbnail = page.locator("#result_list img.image-thumbnail").first
    thumbnail.wait_for()
    assert thumbnail.evaluate("img => img.complete && img.naturalWidth") == 400
    assert thumbnail.get_attribute("src").endswith("-400.jpg")
    screenshot(f"desk-library-after-{kind}")
    assert problems == []
