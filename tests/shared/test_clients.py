"""The client's address, for the rating limits and the desk's lockouts: only a value
that is an IP address is ever taken as one, with or without proxies in front."""

import pytest
from django.test import RequestFactory

from shared.clients import UNKNOWN_ADDRESS, client_address


def address(remote_addr: str, forwarded: str | None = None) -> str:
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    return client_address(RequestFactory().get("/", REMOTE_ADDR=remote_addr, headers=headers))


@pytest.mark.parametrize("value", ["unix:/run/app.sock", "1.2.3.4.5", "<script>", "", "::1::"])
def test_without_proxies_a_connection_address_that_is_no_address_is_unknown(value, settings):
    settings.TRUSTED_PROXIES = 0
    assert address(value, forwarded="198.51.100.7") == UNKNOWN_ADDRESS


def test_without_proxies_the_connection_address_is_taken_and_the_header_ignored(settings):
    settings.TRUSTED_PROXIES = 0
    assert address("203.0.113.9", forwarded="198.51.100.7") == "203.0.113.9"
    assert address("::ffff:203.0.113.9") == "203.0.113.9"  # one client, one spelling


@pytest.mark.parametrize(
    "forwarded",
    ["not-an-address", "198.51.100.7:4431", "198.51.100.7 OR 1=1", "[2001:db8::1]", "unknown"],
)
def test_behind_a_proxy_a_forwarded_value_that_is_no_address_is_not_taken(forwarded, settings):
    settings.TRUSTED_PROXIES = 1
    assert address("10.0.0.2", forwarded=f"192.0.2.1, {forwarded}") == "10.0.0.2"
    assert address("not-either", forwarded=forwarded) == UNKNOWN_ADDRESS


def test_behind_a_proxy_the_address_it_appended_is_taken(settings):
    settings.TRUSTED_PROXIES = 1
    assert address("10.0.0.2", forwarded="192.0.2.1, 2001:DB8::1") == "2001:db8::1"
    settings.TRUSTED_PROXIES = 2
    assert address("10.0.0.2", forwarded="192.0.2.1, 198.51.100.7, 10.0.0.1") == "198.51.100.7"
