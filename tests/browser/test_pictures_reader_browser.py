"""Pictures as a reader meets them, in Chromium: an article opening with its featured
picture and showing a figure in its text, each with its caption and credit, and the
thumbnail in the list of articles; pictures actually load under the pages' security
policy, and axe finds nothing in the light or the dark colour scheme."""

import json

import pytest

from tests.browser.test_accessibility import SCHEMES, axe_violations

ARTICLE_PATH = "/articles/the-bridge-at-torgau/"


@pytest.fixture
def pictured_site(demo_site):
    from django.utils import timezone

    from articles.models import Article
    from tests.pictures import make_ready_image

    featured = make_ready_image(
        alt="American and Soviet soldiers shake hands on the broken bridge at Torgau",
        caption="The meeting on the Elbe, 25 April 1945.",
        credit="Photo: US Army Signal Corps",
        licence="Public domain",
        colour=(60, 80, 110),
    )
    map_picture = make_ready_image(
        size=(1200, 900),
        alt="A map of Germany with the two fronts closing on the Elbe",
        caption="The fronts in late April 1945.",
        credit="Map: Colophon",
        licence="CC BY 4.0",
        colour=(150, 120, 80),
    )
    Article.objects.create(
        title="The bridge at Torgau",
        slug="the-bridge-at-torgau",
        standfirst="Where two armies met.",
        body=(
            "On 25 April 1945 the two armies met on the Elbe.\n\n"
            f"[[image:{map_picture.pk}]]\n\n"
            "By then the fronts were a few miles apart."
        ),
        featured_image=featured,
        status=Article.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    return demo_site


def loaded(page, selector: str) -> bool:
    """Whether the picture's file arrived and decoded (the policy let it through)."""
    return page.eval_on_selector(selector, "img => img.complete && img.naturalWidth > 0")


@pytest.mark.parametrize("scheme", SCHEMES)
def test_an_article_with_its_pictures_reads_well_and_passes_axe(
    pictured_site, page, screenshot, scheme
):
    page.emulate_media(color_scheme=scheme)
    response = page.goto(pictured_site.url + ARTICLE_PATH, wait_until="load")
    assert response is not None and response.status == 200

    featured = page.locator(".article .featured-image")
    assert featured.locator("img").get_attribute("fetchpriority") == "high"
    assert featured.locator("figcaption").inner_text().split("\n") == [
        "The meeting on the Elbe, 25 April 1945.",
        "Photo: US Army Signal Corps · Public domain",
    ]
    figure = page.locator(".article__body figure")
    figure.scroll_into_view_if_needed()  # lazy: fetched as it nears the screen
    page.wait_for_function(
        "() => [...document.querySelectorAll('.article__body figure img')]"
        ".every(img => img.complete && img.naturalWidth > 0)"
    )
    assert figure.locator("img").get_attribute("alt") == (
        "A map of Germany with the two fronts closing on the Elbe"
    )
    assert figure.locator("figcaption").inner_text().split("\n") == [
        "The fronts in late April 1945.",
        "Map: Colophon · CC BY 4.0",
    ]
    assert loaded(page, ".featured-image img")
    # The featured picture spans the article's column; the browser chose a rendition from
    # srcset that is at least as wide as it shows.
    box = featured.locator("img").bounding_box()
    column = page.locator(".article").bounding_box()
    assert abs(box["width"] - column["width"]) <= 1
    chosen = page.eval_on_selector(".featured-image img", "img => img.currentSrc")
    assert chosen.endswith(".webp")  # Chromium takes the modern format first
    screenshot(f"article-pictures-{scheme}")

    violations = axe_violations(page)
    page.goto(pictured_site.url + "/articles/", wait_until="load")
    thumbnail = page.locator(".teaser:has(.teaser__title a:text('The bridge at Torgau')) img")
    assert thumbnail.get_attribute("alt") == ""
    thumbnail.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => { const img = document.querySelector('.teaser__thumbnail');"
        " return img.complete && img.naturalWidth > 0; }"
    )
    screenshot(f"articles-thumbnail-{scheme}")
    violations += axe_violations(page)
    assert violations == [], json.dumps(violations, indent=2)
