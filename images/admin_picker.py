"""Pictures for the `[[` picker in an article's body (desk/static/desk/book_picker.js):
those whose words match what the editor typed (or its number), as JSON, each with a
thumbnail and the `[[image:ID]]` line it inserts."""

from functools import partial

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, path

from shared import pictures

from .models import Image

PICKER_LIMIT = 10
THUMBNAIL_WIDTH = 80  # shown 48 px wide; a rendition at least this wide (the smallest is 400)


def thumbnail(image: Image) -> str | None:
    """The smallest rendition wide enough, or None while the picture is being prepared
    (its upload is never served)."""
    chosen = pictures.pick_rendition(
        pictures.renditions_in(image.renditions), width=THUMBNAIL_WIDTH
    )
    return image.file.storage.url(chosen.jpeg) if chosen else None


def picker_entry(image: Image) -> dict:
    return {
        "id": image.pk,
        "title": image.alt or image.caption or "Decorative picture",
        "about": " · ".join(filter(None, [image.credit, image.licence])),
        "status": image.status,
        "status_label": image.get_status_display(),
        "thumbnail": thumbnail(image),
        "embed": f"[[image:{image.pk}]]",
    }


def picker_view(model_admin, request: HttpRequest) -> JsonResponse:
    """GET ?q=: pictures whose alt text, caption, credit or licence hold every word
    typed, newest first; a number (or image:12) finds that picture.

    Behind admin_view, so only staff get here, and answered `Cache-Control: no-store`.
    """
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    query = " ".join(request.GET.get("q", "").split())
    number = query.lower().removeprefix("image:").strip()
    if number.isdecimal():  # "²" is a digit int() refuses
        found = Image.objects.filter(pk=int(number))
    elif query:
        found = Image.objects.all()
        for word in query.split():
            found = found.filter(
                Q(alt__icontains=word)
                | Q(caption__icontains=word)
                | Q(credit__icontains=word)
                | Q(licence__icontains=word)
            )
    else:
        found = Image.objects.none()
    images = found.exclude(status=Image.Status.FAILED).order_by("-created_at", "-pk")
    return JsonResponse({"results": [picker_entry(image) for image in images[:PICKER_LIMIT]]})


def picker_urls(model_admin) -> list[URLPattern]:
    """The picker's address, for the ModelAdmin's get_urls()."""
    view = model_admin.admin_site.admin_view(partial(picker_view, model_admin))
    return [path("picker/", view, name="images_image_picker")]
