"""Audit: guessing a desk password from many IPv6 addresses of one network.

The desk locks a username at an address out after five failed sign-ins (django-axes).
An IPv6 client is given a whole /64 (2^64 addresses) by its provider, and picks any of
them per connection: counted per address, every guess came from a fresh one and no
lockout ever came. The ratings and the shop clicks already count a /64 as one client
(catalogue.readers.address_hash); the lockout does too now.
"""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-pass-phrase-9"


@pytest.fixture
def editor(db):
    return get_user_model().objects.create_user("editor", password=PASSWORD, is_staff=True)


def from_address(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def sign_in(client: Client, username: str, password: str):
    """Through the desk's login form, over https (a client not on loopback is sent there)."""
    data = {"username": username, "password": password}
    return client.post("/admin/login/?next=/admin/", data, secure=True)


def test_guesses_from_one_ipv6_network_lock_the_login_out(editor):
    for host in range(1, 6):
        sign_in(from_address(f"2001:db8:1:2::{host:x}"), "editor", "wrong")
    locked = sign_in(from_address("2001:db8:1:2:ffff::1"), "editor", PASSWORD)
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()


def test_another_network_is_not_locked_out_by_them(editor):
    for host in range(1, 6):
        sign_in(from_address(f"2001:db8:1:2::{host:x}"), "editor", "wrong")
    assert sign_in(from_address("2001:db8:1:3::1"), "editor", PASSWORD).status_code == 302


def test_ipv4_neighbours_are_still_told_apart(editor):
    for _ in range(5):
        sign_in(from_address("192.0.2.10"), "editor", "wrong")
    assert sign_in(from_address("192.0.2.10"), "editor", PASSWORD).status_code == 429
    assert sign_in(from_address("192.0.2.11"), "editor", PASSWORD).status_code == 302
