import pytest
from django.contrib.auth import get_user_model


@pytest.fixture
def moderator(client, db):
    """A client signed in as someone who may moderate ratings."""
    user = get_user_model().objects.create_superuser("mod", "mod@example.org", "a-long-pass-9")
    client.force_login(user)
    return client
