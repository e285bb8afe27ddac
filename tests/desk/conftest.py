import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from articles.demo import EDITOR_PASSWORD, EDITOR_USERNAME
from tests.factories import make_author
from tests.helpers import sign_in


@pytest.fixture
def editors(demo):
    """Two editors, each in their own browser: the demo's and a second one."""
    second = get_user_model().objects.create_user(
        "second-editor", password="another-long-pass-7", is_staff=True
    )
    second.groups.add(Group.objects.get(name="Editors"))
    first_client, second_client = Client(), Client()
    assert sign_in(first_client, EDITOR_USERNAME, EDITOR_PASSWORD).status_code == 302
    assert sign_in(second_client, "second-editor", "another-long-pass-7").status_code == 302
    return first_client, second_client


@pytest.fixture
def demo_editor(demo) -> Client:
    """The demo's editor, signed in."""
    client = Client()
    assert sign_in(client, EDITOR_USERNAME, EDITOR_PASSWORD).status_code == 302
    return client


@pytest.fixture
def ann():
    return make_author(name="Ann Arbor")


@pytest.fixture
def ben():
    return make_author(name="Ben Bow")
