"""Media files at the edge: a file served with its name's tag, and the tag purged when
the file is deleted. Renditions, cleaned originals and share images are named by their
content and kept a year by any cache; a deleted one (a picture taken down, a cover
replaced) must not stay on the edge for that year."""

from django.core.files.storage import FileSystemStorage
from django.db import transaction

from . import edge


def media_tag(name: str) -> str:
    """The tag a media file is served and purged under (sent as a digest of itself)."""
    return edge.edge_tag(f"media:{name}")


def tag_response(response, name: str) -> None:
    """Name the file in `xkey` for the edge (never shown to readers: the VCL strips it)."""
    if edge.enabled():
        response["xkey"] = media_tag(name)


class EdgePurgedFileSystemStorage(FileSystemStorage):
    """Local media whose deleted files are purged at every edge (EDGE_PURGE_URLS) once
    the deletion's transaction commits; outright, as content gone, grace and all."""

    def delete(self, name: str) -> None:
        super().delete(name)
        tag = media_tag(name)
        transaction.on_commit(lambda: edge.purge([tag], gone=True))
