"""A refusal at the desk (403) says why in the site's own page and leads back to the
desk, not Django's bare "403 Forbidden" with no way on."""

import pytest

from tests.factories import desk_client
from tests.helpers import text_of

pytestmark = pytest.mark.django_db


def test_a_contributor_refused_a_page_is_told_why_and_led_back_to_the_desk():
    contributor = desk_client("writer", "contributor")
    response = contributor.get("/admin/auth/user/")
    assert response.status_code == 403
    assert text_of(response.content, "h1") == ["This page is not yours to open"]
    assert "Back to the desk" in response.content.decode()
    assert 'href="/admin/"' in response.content.decode()
    assert "no-store" in response["Cache-Control"]
