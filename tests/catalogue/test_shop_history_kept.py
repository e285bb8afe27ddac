"""A shop whose clicks were counted keeps them: the desk switches it off, never deletes it."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db.models import ProtectedError

from catalogue.models import Book, Shop, ShopClick
from tests.factories import make_book


@pytest.fixture
def clicked_shop(db):
    shop = Shop.objects.create(
        name="Corner Books", slug="corner", url_pattern="https://c.example/{isbn13}"
    )
    book = make_book(title="The Last Battle", isbn13="9780306822087")
    ShopClick.objects.create(
        day=dt.date(2026, 12, 1),
        shop=shop,
        book=book,
        source_type=ContentType.objects.get_for_model(Book),
        source_id=book.pk,
        count=3,
    )
    return shop


def test_a_shop_with_counted_clicks_cannot_be_deleted_with_them(clicked_shop):
    with pytest.raises(ProtectedError):
        clicked_shop.delete()
    assert ShopClick.objects.get().count == 3


def test_the_desk_offers_no_delete_for_a_shop_with_clicks(admin_client, clicked_shop):
    change = admin_client.get(f"/admin/catalogue/shop/{clicked_shop.pk}/change/")
    assert change.status_code == 200
    assert b"deletelink" not in change.content
    assert b"never deleted" in change.content  # the help says what to do instead

    refused = admin_client.post(f"/admin/catalogue/shop/{clicked_shop.pk}/delete/", {"post": "yes"})
    assert refused.status_code == 403
    assert Shop.objects.filter(pk=clicked_shop.pk).exists()
    assert ShopClick.objects.get().count == 3


def test_a_shop_without_clicks_can_still_be_deleted(admin_client, db):
    shop = Shop.objects.create(
        name="Typo Shop", slug="typo", url_pattern="https://t.example/{isbn13}"
    )
    answer = admin_client.post(f"/admin/catalogue/shop/{shop.pk}/delete/", {"post": "yes"})
    assert answer.status_code == 302
    assert not Shop.objects.filter(pk=shop.pk).exists()


def test_the_shop_list_has_no_bulk_delete(admin_client, clicked_shop):
    page = admin_client.get("/admin/catalogue/shop/")
    assert page.status_code == 200
    assert b'value="delete_selected"' not in page.content
