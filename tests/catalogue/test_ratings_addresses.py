"""Rating limits by the client's address (shared.clients.client_address): values that
are no address cannot escape the limit, nor make one of their own."""

import pytest
from django.test import Client

from catalogue.models import Rating
from tests.catalogue.test_ratings import browser, post_rating
from tests.factories import make_book

LIMITS = {"visitor": (100, 3600), "address": (2, 3600)}


@pytest.fixture
def book(db, settings):
    settings.RATING_RATE_LIMITS = LIMITS
    return make_book(title="The Rated Book", slug="rated")


def test_made_up_forwarded_values_cannot_escape_the_address_limit(book, client, settings):
    """A client reaching the app by a path where the proxy passes its header through
    still counts as the proxy's one address, however it spells itself."""
    settings.TRUSTED_PROXIES = 1
    codes = [
        post_rating(
            Client(enforce_csrf_checks=True, headers={"X-Forwarded-For": f"spoof-{n}"}),
            book,
            score="4",
            remote_addr="10.0.0.2",
        ).status_code
        for n in range(3)
    ]
    assert codes == [302, 302, 429]
    assert Rating.objects.count() == 2


def test_connection_addresses_that_are_no_address_share_one_limit(book, settings):
    settings.TRUSTED_PROXIES = 0
    codes = [
        post_rating(browser(), book, score="4", remote_addr=f"socket-{n}").status_code
        for n in range(3)
    ]
    assert codes == [302, 302, 429]
