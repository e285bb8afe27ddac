"""`@shared_page`: a public GET page cached for every reader (see the package docstring)."""

import logging
from collections.abc import Iterable
from functools import wraps

from django.conf import settings
from django.http import HttpResponseNotAllowed
from django.utils.cache import patch_cache_control

from . import fragments, store
from .versions import CHANGES_KEY, send_pending

logger = logging.getLogger(__name__)


def shared_page(view=None, *, params: Iterable[str] = ()):
    """Cache a public GET page for every reader, under the tags its response carries
    (`response.cache_tags`, set by CachedPageMixin or `view_showing`).

    `params` names the query parameters the view reads; it sees only those, and pages
    differing in anything else are one page."""
    params = tuple(params)
    if view is None:
        return lambda view: shared_page(view, params=params)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            # A page to read: TRACE, OPTIONS, DELETE … never get it rendered.
            return HttpResponseNotAllowed(["GET", "HEAD"])
        request.GET = store.known_query(request.GET, params)
        if not settings.PAGE_CACHE_SECONDS:
            return view(request, *args, **kwargs)
        key = store.page_key(store.page_address(request, params))
        changes_before = None
        try:
            send_pending()
            looked_up = getattr(request, "page_cache_looked_up", None)
            if looked_up is not None and looked_up[0] == key:
                # Read a moment ago by the middleware: the entry if it was fresh, and the
                # counter (a change since leaves this render unstored).
                key, found, entry = looked_up
                versions = entry["versions"] if entry is not None else None
            else:
                entry, versions, found = store.entry_versions_and_counter(key)
            if entry is not None and entry["versions"] == versions:
                response = store.rendered_response(entry)
                response.shared_entry = entry  # stored for everyone: see edge.share
                if (
                    entry.get("for_everyone")
                    and "finished" not in entry
                    and getattr(request, "page_cache_finished_here", False)
                ):
                    # Stored by a render that ended as a 304 or by a HEAD: finished now,
                    # so the next readers get the fast path.
                    response.page_cache_key = key
                    response.page_cache_entry = entry
                return response
            # Read before the render too: a change by the clock during it ends its life.
            due = store.next_change_due(found)
            changes_before = found.get(CHANGES_KEY)  # (made by next_change_due if new)
        except Exception:  # noqa: BLE001 - cache down: serve uncached
            logger.warning("Page cache unavailable; %s rendered uncached.", request.path)
            return view(request, *args, **kwargs)

        replica_current = store.replica_caught_up()
        with fragments.read_ahead(key) as versions_read:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
        if (
            response.status_code == 200
            and not response.streaming
            and replica_current
            and store.may_be_stored_for_its_host(request)
            and store.store_page(
                key,
                response,
                changes_before,
                due=due,
                query_page=store.is_query_page(request.GET),
                finished_later=getattr(request, "page_cache_finished_here", False),
                versions_read=versions_read,
            )
        ):
            response.page_cache_key = key
            response.shared_entry = response.page_cache_entry
        patch_cache_control(response, no_cache=True)  # browsers revalidate (ETag)
        return response

    wrapper.page_cache_params = params
    return wrapper


def view_showing(view, *tags: str):
    """`view` with its responses tagged: for views written elsewhere (feeds, sitemaps)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.cache_tags = tags
        return response

    return wrapper
