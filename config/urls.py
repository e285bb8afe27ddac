import re

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path, register_converter
from django.views.static import serve

from catalogue.converters import UnicodeSlugConverter

register_converter(UnicodeSlugConverter, "uslug")

admin.site.site_header = "Colophon editors’ desk"
admin.site.site_title = "Colophon desk"
admin.site.index_title = "Articles, books and ratings"

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    path("", include("catalogue.urls")),
    path("", include("articles.urls")),
]

if settings.SERVE_MEDIA:
    # Local media (covers) when no object store or proxy serves MEDIA_URL.
    urlpatterns += [
        re_path(
            r"^{}(?P<path>.*)$".format(re.escape(settings.MEDIA_URL.lstrip("/"))),
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]
