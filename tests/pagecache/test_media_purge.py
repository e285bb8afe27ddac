"""Media at the edge (pagecache.media): a file kept a year by any cache names itself to
the edge, and its deletion purges it there: a picture taken down, a cover replaced, is
not served from the edge for the rest of the year."""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from pagecache import edge
from pagecache.media import media_tag

from .conftest import PurgeRecorder


def test_a_deleted_rendition_is_purged_from_the_edge_by_the_name_it_was_served_under(
    db, client, settings, media_root, edge_server, django_capture_on_commit_callbacks
):
    settings.EDGE_PURGE_URLS = [edge_server]
    name = default_storage.save("covers/renditions/7-0123456789-160.jpg", ContentFile(b"x"))
    served = client.get(f"/media/{name}")
    assert served["Cache-Control"] == "public, max-age=31536000, immutable"
    assert served["xkey"] == media_tag(name)
    with django_capture_on_commit_callbacks(execute=True):
        default_storage.delete(name)
    assert edge.wait_for_purges(5)
    assert [media_tag(name)] in [header.split() for _, header in PurgeRecorder.purges]
    assert client.get(f"/media/{name}").status_code == 404


def test_without_an_edge_media_names_no_tag(client, media_root, settings):
    settings.EDGE_PURGE_URLS = []
    name = default_storage.save("images/renditions/3-abcdef-320.jpg", ContentFile(b"x"))
    assert "xkey" not in client.get(f"/media/{name}")
