"""Autosave in a real browser: a copy the server refuses to keep says why, in the form."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from desk.autosave import KEPT_FORMS_PER_EDITOR
from desk.models import AutosavedForm
from tests.factories import make_article
from tests.helpers import sign_in_page

pytestmark = [
    pytest.mark.skipif(
        connection.vendor == "sqlite", reason="needs concurrent requests: PostgreSQL pass"
    ),
]


def test_an_editor_over_the_quota_is_told_why_their_changes_were_not_kept(page, demo_site):
    editor = get_user_model().objects.get(username="editor")
    for number in range(KEPT_FORMS_PER_EDITOR):
        article = make_article(title=f"Piece {number}")
        AutosavedForm.objects.create(
            user=editor, form_key=f"articles.article:{article.pk}", fields={"body": "Typed."}
        )
    sign_in_page(page, demo_site.url, "editor", "colophon-demo-editor")
    page.goto(f"{demo_site.url}/admin/articles/article/add/")
    page.wait_for_load_state("load")
    page.locator("#id_body").press_sequentially("Words for a new piece.")

    status = page.locator(".desk-autosave-status", has_text="were not kept on the server")
    status.wait_for()
    assert "“Piece 0” (article)" in status.inner_text()
    assert page.input_value("#id_body") == "Words for a new piece."
