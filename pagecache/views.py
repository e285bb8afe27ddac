"""Class-based views whose pages the page cache keeps."""

from collections.abc import Iterable

from .decorators import shared_page


class CachedPageMixin:
    """A view that says once what its page shows: `cache_tags()` lists it (see
    pagecache.tags), `cache_params` the query parameters the view reads (a paginated
    list view reads its page number too, without saying so)."""

    cache_params: Iterable[str] = ()

    @classmethod
    def as_view(cls, **initkwargs):
        params = [*cls.cache_params]
        if getattr(cls, "paginate_by", None):
            params.append(cls.page_kwarg)
        return shared_page(super().as_view(**initkwargs), params=params)

    def cache_tags(self) -> Iterable[str]:
        return ()

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        response.cache_tags = tuple(self.cache_tags())
        return response
