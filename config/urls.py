"""The site's addresses: each app's own URLs, the desk, and local media."""

import re

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from website.views import serve_media

handler400 = "website.views.bad_request"

urlpatterns = [
    # The desk's own endpoints (autosave) beside the admin's, before its catch-all.
    path(f"{settings.ADMIN_URL}desk/", include("desk.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
    path("", include("website.urls")),
    path("", include("catalogue.urls")),
    path("", include("articles.urls")),
]

if settings.SERVE_MEDIA:
    media_prefix = re.escape(settings.MEDIA_URL.lstrip("/"))
    urlpatterns += [re_path(rf"^{media_prefix}(?P<path>.*)$", serve_media)]
