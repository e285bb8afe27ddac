"""Whole public pages, cached for every reader and dropped the moment what they show changes.

How it fits together (each module is named for its part):

- `decorators.shared_page` caches a view's GET pages; `views.CachedPageMixin` does the
  same for class-based views, which say once, in `cache_tags()`, what their page shows.
- `tags` is the one vocabulary of those names (`tag_for(book)`, `list_of(Book)`);
  `versions.invalidate(*tags)` is how code that changes data drops the pages showing it.
- `store` keeps each page in the shared cache (Redis in production) with the versions
  its tags had when it was rendered; it is served only while they still hold.
- `middleware.CachedPageMiddleware` answers pages that need nothing from the visitor
  before sessions, CSRF or the view run: the *finished response* (headers, ETag and
  all) as it was sent the first time.
- `visitor_parts`: what differs per visitor (the rating form, flash messages) is left
  in the shared page as a placeholder that `middleware.VisitorPartsMiddleware` fills
  for each request; the `{% visitor_part %}` tag (templatetags/pagecache.py) writes one.
- `edge`: with a shared HTTP cache in front (Varnish), pages stored for everyone say
  so (`Cache-Control: public, s-maxage`, their tags in `xkey`), the visitor parts become
  Edge Side Includes, and invalidation purges the tags at every edge.

The app knows nothing of books or articles: apps tell it what changed.
"""
