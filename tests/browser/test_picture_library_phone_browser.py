"""The pictures library's list on a phone (390 x 844): the page does not scroll sideways,
each row shows its thumbnail, its words and whether it is ready; the credit, licence,
use count and upload date, which need a wider screen, are left out."""

import pytest

from images.models import Image
from tests.helpers import sign_in_page
from tests.pictures import make_ready_image

PHONE = {"width": 390, "height": 844}
SHOWN = ["thumbnail", "words", "status"]
LEFT_OUT = ["credit", "licence", "use_count", "created_at"]


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def library(demo_site):
    waiting = make_ready_image(alt="A map of the front, still being prepared")
    Image.objects.filter(pk=waiting.pk).update(status=Image.Status.WAITING, renditions={})
    for number in range(3):  # newer: listed first
        make_ready_image(
            size=(1600, 1000),
            alt=f"Soldiers of two armies shaking hands on a broken bridge over the Elbe {number}",
            caption="Torgau, 25 April 1945.",
            credit="Photo: Private First Class Allan Jackson, US Army Signal Corps",
            licence="Public domain (a work of the United States federal government)",
        )
    return demo_site


def cells(page, name: str):
    return page.locator(f"#result_list .column-{name}, #result_list .field-{name}")


def test_the_library_fits_a_phone_with_thumbnails_and_words_first(phone, library, screenshot):
    sign_in_page(phone, library.url, "editor", "colophon-demo-editor")
    phone.goto(f"{library.url}/admin/images/image/")
    phone.locator("#result_list img.image-thumbnail").first.wait_for()
    screenshot("desk-library-phone", of=phone)

    # Nothing wider than the screen: no sideways scrolling of the page or of the table.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert phone.evaluate(
        "(() => { const r = document.querySelector('#changelist-form .results');"
        " return r.scrollWidth <= r.clientWidth; })()"
    )
    for name in SHOWN:
        for cell in cells(phone, name).all():
            box = cell.bounding_box()
            assert cell.is_visible() and box["x"] >= 0, name
            assert box["x"] + box["width"] <= PHONE["width"], name
    for name in LEFT_OUT:
        assert cells(phone, name).count() > 0
        assert not any(cell.is_visible() for cell in cells(phone, name).all()), name

    thumbnail = phone.locator("#result_list img.image-thumbnail").first
    assert thumbnail.evaluate("img => img.complete && img.naturalWidth") > 0
    words = phone.locator("#result_list .field-words").first
    assert words.inner_text().startswith("Soldiers of two armies")
    # Thumbnail and words lead each row, after the checkbox editors select with.
    first_row = phone.locator("#result_list tbody tr").first
    order = first_row.evaluate(
        "row => [...row.children].filter(c => c.offsetParent).map(c => c.className)"
    )
    assert [name.split()[0] for name in order] == [
        "action-checkbox",
        *(f"field-{n}" for n in SHOWN),
    ]
    assert "Being prepared" in phone.locator("#result_list").inner_text()


def test_a_wide_screen_still_shows_every_column(page, library):
    sign_in_page(page, library.url, "editor", "colophon-demo-editor")
    page.goto(f"{library.url}/admin/images/image/")
    for name in SHOWN + LEFT_OUT:
        assert cells(page, name).first.is_visible(), name
