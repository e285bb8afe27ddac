"""The delete page of a row that articles embed (a book, a reading list, a picture):
Django's list of what goes with it, except that each embed is named by the article that
loses it; Django would show a row of the automatic many-to-many table as
“Article_embedded_books object (3)”. It knows no model: each admin gives its embed table.

The rest is django.contrib.admin.utils.get_deleted_objects (checked against 5.2), which
offers no hook for one model's names. `state_of` and `titles` name those articles, here
and in the warnings of the books', lists' and pictures' forms (each app's where_used.py).
"""

from collections.abc import Callable

from django.contrib.admin.utils import NestedObjects, quote
from django.db import router
from django.db.models import prefetch_related_objects
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.text import capfirst


def deleted_objects_naming_embeds(model_admin, objs, request, *, embeds, lost: Callable):
    """ModelAdmin.get_deleted_objects for `objs`, where `embeds` is the articles' embed
    table (`Book.articles.through`) and `lost(article)` names what an article loses."""
    if not objs:
        return [], {}, set(), []
    collector = NestedObjects(using=router.db_for_write(model_admin.model), origin=objs)
    collector.collect(objs)
    prefetch_related_objects(list(collector.model_objs.get(embeds, ())), "article")
    admin_site = model_admin.admin_site
    perms_needed = set()

    def named(obj):
        if isinstance(obj, embeds):
            return lost(obj.article)
        opts = obj._meta
        label = f"{capfirst(opts.verbose_name)}: {obj}"
        if not admin_site.is_registered(type(obj)):
            return label
        if not admin_site.get_model_admin(type(obj)).has_delete_permission(request, obj):
            perms_needed.add(opts.verbose_name)
        try:
            url = reverse(
                f"{admin_site.name}:{opts.app_label}_{opts.model_name}_change",
                args=(quote(obj.pk),),
            )
        except NoReverseMatch:
            return label
        return format_html('{}: <a href="{}">{}</a>', capfirst(opts.verbose_name), url, obj)

    to_delete = collector.nested(named)
    protected = [named(obj) for obj in collector.protected]
    model_count = {
        model._meta.verbose_name_plural: len(rows) for model, rows in collector.model_objs.items()
    }
    if embeds._meta.verbose_name_plural in model_count:
        model_count["embeds in articles"] = model_count.pop(embeds._meta.verbose_name_plural)
    return to_delete, model_count, perms_needed, protected


# --- Naming the articles that show a row, on its delete page and its form's warnings ---


def state_of(article) -> str:
    """ "live", "scheduled", "draft", "in review", "withdrawn"."""
    if article.is_public:
        return "live"
    return str(article.state.label).lower()


def titles(articles) -> str:
    """“Burning books”, “Fire” and “Water”."""
    quoted = [f"“{article}”" for article in articles]
    if len(quoted) < 2:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]
