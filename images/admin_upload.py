"""The desk's JSON upload of a picture, for scripts on other forms (the article body
takes a picture dropped or pasted into it through this).

Contract:
    POST <admin>/images/image/upload/   (multipart/form-data, the desk's CSRF token in
                                         the X-CSRFToken header or csrfmiddlewaretoken)
        file        the picture: JPEG, PNG or WebP, within the covers' limits (10 MB,
                    25 megapixels, 8,000 pixels a side)
        alt         what it shows; required unless `decorative` is "on"/"true"/"1";
                    at most 1,000 characters
        decorative  optional
        caption, credit, licence   optional (the caption at most 2,000 characters,
                    the credit 300, the licence 200)
    200 {"id": 12, "embed": "[[image:12]]", "thumbnail": "/media/…-400.jpg" or null,
         "status": "ready" | "waiting" | "failed", "status_label": "Ready", "url": the
         picture's page in the desk}
        The picture is in the library. "waiting": the worker prepares it (where tasks run
        at once it is "ready" already); until ready readers see nothing of it, and the
        thumbnail is null.
    400 {"errors": {"file": ["The image is in GIF format; …"], "alt": ["Describe …"]},
         "message": the errors in one sentence}
        Nothing was stored.
    403 without the permission to add pictures; 405 for any method but POST; a visitor
    not signed in is sent to the desk's login page (302), as on every desk address.
"""

from django.http import JsonResponse
from django.views.decorators.http import require_POST

from .forms import ImageUploadForm
from .library import add_image
from .preparing import thumbnail_url

THUMBNAIL_WIDTH = 400


@require_POST
def upload_view(request, *, model_admin):
    if not model_admin.has_add_permission(request):
        return JsonResponse({"errors": {}, "message": "You may not add pictures."}, status=403)
    form = ImageUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        errors = {field: list(messages) for field, messages in form.errors.items()}
        message = " ".join(text for messages in errors.values() for text in messages)
        return JsonResponse({"errors": errors, "message": message}, status=400)
    fields = {name: form.cleaned_data[name] for name in ("alt", "caption", "credit", "licence")}
    image = add_image(
        file=form.cleaned_data["file"],
        decorative=form.cleaned_data["decorative"],
        uploaded_by=request.user,
        **fields,
    )
    image.refresh_from_db()  # prepared already where tasks run at once
    return JsonResponse(
        {
            "id": image.pk,
            "embed": f"[[image:{image.pk}]]",
            "thumbnail": thumbnail_url(image, THUMBNAIL_WIDTH),
            "status": image.status,
            "status_label": image.get_status_display(),
            "url": image.get_absolute_url(),
        }
    )
