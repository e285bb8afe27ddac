"""Template context shared by every page."""


def canonical_url(request) -> dict:
    """The page's own address for `<link rel="canonical">`: its path with only the query
    parameters its view reads (shared_page has already dropped the rest), so a link
    shared with `?utm_source=…` credits the page itself."""

    def build() -> str:
        query = request.GET.urlencode()
        return request.build_absolute_uri(request.path) + (f"?{query}" if query else "")

    return {"canonical_url": build}
