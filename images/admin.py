"""The pictures library in the desk: thumbnails, search by their words, what is not used,
where each is used, an add form taking a picture chosen, dropped or pasted, and a small
JSON upload for the article form (admin_upload.py). Saves never overwrite a colleague's,
and the words have a history (django-reversion)."""

import reversion
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import path
from django.utils.html import format_html
from reversion.admin import VersionAdmin

from desk.admin import ConflictSafeAdmin, render_display
from desk.deleting import deleted_objects_naming_embeds, titles
from desk.viewers import NamesOnlyWhatTheyMayOpen, may_open
from shared.delete_warnings import warn_if_shown

from .admin_picker import picker_urls
from .admin_upload import upload_view
from .forms import ImageAdminForm
from .models import Image
from .preparing import WORDS, announce_change, delete_files, hold_upload, thumbnail_url
from .tasks import prepare_image_after_commit
from .where_used import lost_picture, where_used

# The worker's fields are not kept in versions: a restore brings back what an editor
# wrote, never files deleted since (reversion reverts them to their defaults, and
# save_model puts back what the picture has).
PREPARED_FIELDS = ["file", "width", "height", "renditions", "content_hash", "status", "failure"]
reversion.register(Image, exclude=PREPARED_FIELDS)

THUMBNAIL_WIDTH = 80
# Editors keep the whole library (desk_roles in apps.py gives them everything);
# contributors, who may not delete, change only the pictures they uploaded.
LIBRARY_PERMISSION = "images.delete_image"


class UseFilter(admin.SimpleListFilter):
    title = "use"
    parameter_name = "use"

    def lookups(self, request, model_admin):
        return [("unused", "Not used"), ("used", "Used in articles")]

    def queryset(self, request, queryset):
        match self.value():
            case "unused":
                return queryset.unused()
            case "used":
                return queryset.used()
        return queryset


@admin.register(Image)
class ImageAdmin(NamesOnlyWhatTheyMayOpen, ConflictSafeAdmin, VersionAdmin):
    form = ImageAdminForm
    list_display = ["thumbnail", "words", "credit", "licence", "status", "use_count", "created_at"]
    list_display_links = ["thumbnail", "words"]
    list_filter = ["status", UseFilter]
    search_fields = ["alt", "caption", "credit", "licence"]
    search_help_text = "Alt text, caption, credit or licence."
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_per_page = 50
    change_form_template = "admin/images/image/change_form.html"
    change_list_template = "admin/images/image/change_list.html"
    readonly_fields = ["preview", "size", "uploader", "where_used"]
    fieldsets = [
        (None, {"fields": ["preview", "file", "alt", "decorative", "loaded_version"]}),
        ("Caption and credit", {"fields": ["caption", "credit", "licence", "source_url"]}),
        ("About the file", {"fields": ["size", "uploader"]}),
        ("Where used", {"fields": ["where_used"]}),
    ]

    @admin.display(description="Uploaded by")
    def uploader(self, obj: Image) -> str:
        """Who uploaded it, by name: not a link to the user's page, which only those who
        manage accounts may open (the readonly field linked every editor to a refusal)."""
        user = obj.uploaded_by
        return (user.get_full_name() or user.get_username()) if user else "—"

    def get_urls(self):
        upload = self.admin_site.admin_view(self.upload_view)
        return [
            path("upload/", upload, name="images_image_upload"),
            *picker_urls(self),  # the article body's [[ picker (images/admin_picker.py)
            *super().get_urls(),
        ]

    def upload_view(self, request):
        return upload_view(request, model_admin=self)

    def get_queryset(self, request):
        # Counted per row of the page (a join and GROUP BY would count every picture's).
        embeds = (
            Image.articles.through.objects.filter(image=OuterRef("pk"))
            .order_by()
            .values("image")
            .annotate(count=Count("pk"))
            .values("count")
        )
        featured = (
            Image.featured_in.rel.related_model.objects.filter(featured_image=OuterRef("pk"))
            .order_by()
            .values("featured_image")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return (
            super()
            .get_queryset(request)
            .select_related("uploaded_by")
            .annotate(
                use_count=Coalesce(Subquery(embeds), Value(0))
                + Coalesce(Subquery(featured, output_field=IntegerField()), Value(0))
            )
        )

    def get_fieldsets(self, request, obj=None):
        if obj is None:  # nothing to show or count before the upload
            return [(None, {"fields": ["file", "alt", "decorative"]}), self.fieldsets[1]]
        return super().get_fieldsets(request, obj)

    # Who may do what. Every route asks these hooks (the list, the form, history, compare,
    # restore, recover, the upload): tests/desk/test_admin_routes.py.

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if not allowed or obj is None or request.user.has_perm(LIBRARY_PERMISSION):
            return allowed
        # A contributor's own picture, while no public article shows it (nor will by the
        # clock): then it is the editors', as the article is (ArticleAdmin).
        return obj.uploaded_by_id == request.user.pk and not self.shown_in_articles(request, obj)

    def shown_in_articles(self, request, image: Image) -> bool:
        """Whether articles readers see (or will) show `image`: read once a request,
        though the change form asks for the permission six times (two queries each)."""
        known = request.__dict__.setdefault("images_shown_in_articles", {})
        if image.pk not in known:
            known[image.pk] = bool(where_used(image).shown)
        return known[image.pk]

    def has_recover_permission(self, request) -> bool:
        """A deleted picture's files are deleted with it: there is nothing to recover."""
        return False

    def revision_view(self, request, object_id, version_id, extra_context=None):
        # Reversion reverts every field; the picture keeps the files it has (save_model).
        request.image_prepared = (
            Image.objects.filter(pk=unquote(object_id)).values(*PREPARED_FIELDS).first()
        )
        return super().revision_view(request, object_id, version_id, extra_context)

    def save_model(self, request, obj, form, change):
        if getattr(request, "image_prepared", None):
            for name, value in request.image_prepared.items():
                setattr(obj, name, value)
        upload = form.cleaned_data.get("file")
        new_file = "file" in form.changed_data and isinstance(upload, UploadedFile)
        if new_file:
            # Kept where no address serves it until the worker has cleaned it.
            hold_upload(obj, upload)
        if not change:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)
        if new_file:
            prepare_image_after_commit(obj)
        elif change and obj.status == Image.Status.READY:
            restored = getattr(request, "image_prepared", None) is not None
            if restored or set(WORDS) & set(form.changed_data):
                announce_change(obj)

    def delete_model(self, request, obj):
        delete_files(obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for image in queryset:
            delete_files(image)
        super().delete_queryset(request, queryset)

    def get_deleted_objects(self, objs, request):
        # Each embed named by the article that loses it (desk/deleting.py).
        return deleted_objects_naming_embeds(
            self, objs, request, embeds=Image.articles.through, lost=lost_picture
        )

    def render_delete_form(self, request, context):
        """Deleting a picture that articles readers see show says which, above Django's
        confirmation."""
        warn_if_shown(
            context, "picture_in_use", shown_in=lambda image: where_used(image).shown, titles=titles
        )
        return super().render_delete_form(request, context)

    # --- What the list and the form show ----------------------------------------------

    @admin.display(description="Picture")
    def thumbnail(self, image):
        """A rendition (never the original's megabytes), or a word while it is prepared."""
        url = thumbnail_url(image, THUMBNAIL_WIDTH)
        if url is None:
            return format_html('<span class="image-pending">{}</span>', image.get_status_display())
        height = max(1, round(THUMBNAIL_WIDTH * (image.height or 1) / (image.width or 1)))
        # format_html, not a template: fifty rows rendered fifty templates.
        return format_html(
            '<img src="{}" alt="" width="{}" height="{}" class="image-thumbnail" loading="lazy">',
            url,
            THUMBNAIL_WIDTH,
            height,
        )

    @admin.display(description="Alt text or caption")
    def words(self, image):
        return str(image).rsplit(" (#", 1)[0]

    @admin.display(description="In articles", ordering="use_count")
    def use_count(self, image):
        return image.use_count

    @admin.display(description="Picture")
    def preview(self, image):
        return render_display(
            "admin/images/image/preview.html",
            {"image": image, "url": thumbnail_url(image, 400) if image.pk else None},
        )

    @admin.display(description="Size")
    def size(self, image):
        if not image.width or not image.height:
            return "—"
        return f"{image.width:,} × {image.height:,} pixels"

    @admin.display(description="Articles")
    def where_used(self, image):
        """The articles that feature or embed the picture (live, scheduled, not public)."""
        used = where_used(image, may_open=may_open(image, Image.articles.rel.related_model))
        return render_display("admin/images/image/where_used.html", {"used": used})
