"""The desk's admin site (desk/sites.py): Django's admin, branded, with bulk actions
that check the ids they are sent and a "view on site" that asks the object's admin."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType

from articles.models import Article
from catalogue.models import Author
from desk.roles import sync_roles
from tests.factories import make_article, make_book

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


def test_view_on_site_leads_only_where_the_desk_shows_the_person(admin_client, client):
    sync_roles()
    draft = make_article(title="Someone Else's Draft", status=Article.Status.DRAFT)
    content_type = ContentType.objects.get_for_model(Article).pk
    url = f"/admin/r/{content_type}/{draft.pk}/"
    assert admin_client.get(url)["Location"].endswith(draft.get_absolute_url())
    casey = get_user_model().objects.create_user("casey", is_staff=True)
    casey.groups.add(casey.groups.model.objects.get(name="Contributors"))
    client.force_login(casey)
    refused = client.get(url)
    assert refused.status_code == 404
    assert draft.slug not in refused.content.decode()
    assert client.get(f"/admin/r/{content_type}/999999/").status_code == 404
    assert client.get(f"/admin/r/abc/{draft.pk}/").status_code == 404
    assert client.get(f"/admin/r/²/{draft.pk}/").status_code == 404  # was a 500
