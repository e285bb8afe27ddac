"""The desk's admin site (desk/sites.py): Django's admin, branded, with bulk actions
that check the ids they are sent."""

import pytest

from catalogue.models import Author
from tests.factories import make_book

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("made_up", ["abc", "1\x00", "1.5", ""])
def test_a_bulk_action_on_made_up_ids_changes_nothing_and_says_so(admin_client, made_up):
    book = make_book(title="Kept Whole")
    response = admin_client.post(
        "/admin/catalogue/book/",
        {"action": "delete_selected", "_selected_action": [str(book.pk), made_up]},
        follow=True,
    )
    assert response.status_code == 200
    assert "the selection names items this list does not have" in response.content.decode()
    assert book.__class__.objects.filter(pk=book.pk).exists()


def test_a_bulk_action_on_real_ids_still_runs(admin_client):
    author = Author.objects.create(name="Gone Soon")
    response = admin_client.post(
        "/admin/catalogue/author/",
        {"action": "delete_selected", "_selected_action": [str(author.pk)], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Author.objects.filter(pk=author.pk).exists()


def test_the_desk_is_branded(admin_client):
    page = admin_client.get("/admin/").content.decode()
    assert "Colophon editors’ desk" in page
