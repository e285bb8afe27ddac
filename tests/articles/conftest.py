"""Fixtures of the articles' tests."""

import pytest


@pytest.fixture
def commits(django_capture_on_commit_callbacks):
    """Writes made inside it commit (the page cache's invalidations run)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
