"""Template context shared by every page."""


def canonical_url(request) -> dict:
    """The page's own address for `<link rel="canonical">`: its path with only the query
    parameters its view reads (shared_page has already dropped the rest), so a link
    shared with `?utm_source=…` credits the page itself."""

    built = []

    def build() -> str:
        # Asked twice a page (the link and the share card's og:url): worked out once.
        if not built:
            query = request.GET.urlencode()
            built.append(request.build_absolute_uri(request.path) + (f"?{query}" if query else ""))
        return built[0]

    return {"canonical_url": build}
