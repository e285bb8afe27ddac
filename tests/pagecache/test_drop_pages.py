"""`manage.py drop_pages`: after a release, every page rendered by the old code goes,
from the page cache and from every edge."""

import pytest
from django.core.management import CommandError, call_command

from pagecache import edge
from pagecache.tags import SITE

from .conftest import PurgeRecorder
from .test_edge_headers import xkeys

pytestmark = pytest.mark.page_cache


def test_every_page_is_dropped_here_and_at_every_edge(
    client, site, settings, edge_server, capsys, django_capture_on_commit_callbacks
):
    settings.EDGE_PURGE_URLS = [edge_server]
    url = site["article"].get_absolute_url()
    # The tag every page shared with the edges names.
    assert SITE in xkeys(client.get(url))
    assert client.get(url)["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        call_command("drop_pages")
    assert "here and at 1 edge" in capsys.readouterr().out
    assert edge.wait_for_purges(5)
    # Told once, by the command itself (not again in the background).
    assert [header.split() for _, header in PurgeRecorder.purges] == [[SITE]]
    assert client.get(url).get("X-Page-Cache") != "hit"


def test_an_edge_out_of_reach_is_named(
    client, site, settings, monkeypatch, django_capture_on_commit_callbacks
):
    url = site["article"].get_absolute_url()
    client.get(url)
    settings.EDGE_PURGE_URLS = ["http://127.0.0.1:9"]  # nothing listens there
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(CommandError, match="not at http://127.0.0.1:9"),
    ):
        call_command("drop_pages")
    assert client.get(url).get("X-Page-Cache") != "hit"  # dropped here all the same
