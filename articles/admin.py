from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import Q
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html_join
from reversion.admin import VersionAdmin
from reversion.models import Revision, Version

from catalogue.admin import shop_clicks as click_report
from desk import autosave, events
from desk.admin import AsksBeforeActions, ConflictSafeAdmin, FreeSlugOnAdd, render_display
from desk.models import RevisionEvent
from shared.paging import CappedPaginator

from .admin_actions import (
    PUBLISHING_ACTIONS,
    publish_now_selected,
    schedule_selected,
    withdraw_now_selected,
)
from .admin_picker import picker_urls
from .forms import TIME_FORMAT, ArticleAdminForm, review_action
from .models import Article, Recommendation, Topic
from .previews import PreviewAdminMixin, revoke_all_links
from .tasks import refresh_recommendations_after_commit

PUBLISH_PERMISSION = "articles.publish_article"
REVIEW_COMMENTS = {
    "submit": "Submitted for review",
    "approve": "Approved and published",
    "send_back": "Sent back",
}
# What each review button records (a review log lists these, whatever the sentences say).
REVIEW_EVENTS = {
    "submit": RevisionEvent.Kind.SUBMITTED,
    "approve": RevisionEvent.Kind.APPROVED,
    "send_back": RevisionEvent.Kind.SENT_BACK,
}
REVIEW_LOG_LENGTH = 10


def localised(moment) -> str:
    """ "3 Dec 2026, 09:00 UTC": every time the desk shows names its zone."""
    return formats.date_format(timezone.localtime(moment), TIME_FORMAT) if moment else "—"


# The state filter's value for live or scheduled articles with a withdrawal time to come.
WITHDRAWAL_SCHEDULED = "ending"


class StateFilter(admin.SimpleListFilter):
    """Draft, In review, Scheduled, Published, Withdrawn: "published" split by the clock,
    at both ends (a withdrawal time passed is withdrawn), and those set to be withdrawn."""

    title = "status"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [*Article.State.choices, (WITHDRAWAL_SCHEDULED, "Scheduled to be withdrawn")]

    def queryset(self, request, queryset):
        now = timezone.now()
        published = queryset.filter(status=Article.Status.PUBLISHED)
        not_ended = Q(withdraw_at__isnull=True) | Q(withdraw_at__gt=now)
        match self.value():
            case Article.State.SCHEDULED:
                return published.filter(not_ended, published_at__gt=now)
            case Article.State.PUBLISHED:
                return published.filter(not_ended, published_at__lte=now)
            case Article.State.WITHDRAWN:
                return queryset.filter(
                    Q(status=Article.Status.WITHDRAWN)
                    | Q(status=Article.Status.PUBLISHED, withdraw_at__lte=now)
                )
            case "ending":
                return published.filter(withdraw_at__gt=now)
            case value if value in Article.Status.values:
                return queryset.filter(status=value)
        return queryset


class WriterFilter(admin.SimpleListFilter):
    """The articles the person looking created (the desk home's "All my drafts")."""

    title = "writer"  # Django says "By writer"; "written by" read "By written by"
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("yes", "Me")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(created_by=request.user.pk)
        return queryset


@admin.register(Article)
class ArticleAdmin(
    FreeSlugOnAdd, AsksBeforeActions, PreviewAdminMixin, ConflictSafeAdmin, VersionAdmin
):
    """Articles, with a preview of unsaved changes, saves that never overwrite a
    colleague's (desk/forms.py, desk/admin.py), and a history of versions to compare and
    restore (django-reversion: History, then a version, then Save)."""

    form = ArticleAdminForm
    actions = [publish_now_selected, schedule_selected, withdraw_now_selected]
    action_questions = {
        "publish_now_selected": "Publish the selected articles ({count}) now? Readers see "
        "them at once.",
        "withdraw_now_selected": "Withdraw the selected articles ({count}) now? Readers lose "
        "them at once, and their preview links stop for good.",
    }
    change_form_template = "admin/articles/article/change_form.html"
    list_display = ["title", "state", "publication_time", "byline", "last_change"]
    # A date filter, not a date hierarchy: its year links read every article's date.
    list_filter = [StateFilter, WriterFilter, "topics", "published_at"]
    # get_search_results searches (the stored document); this shows the box.
    search_fields = ["title", "byline"]
    search_help_text = "Words of the title, standfirst or text, or the byline."
    prepopulated_fields = {"slug": ["title"]}
    list_per_page = 50
    paginator = CappedPaginator  # 100,000 articles are not counted on every page
    show_full_result_count = False

    def get_search_results(self, request, queryset, search_term):
        """Title or byline containing the term, or the article's words through its
        stored search document (a substring of every body read them all)."""
        term = " ".join(search_term.split())
        if not term:
            return queryset, False
        by_words = Article.objects.search(term).values("pk")
        matches = Q(title__icontains=term) | Q(byline__icontains=term) | Q(pk__in=by_words)
        return queryset.filter(matches), False

    readonly_fields = [
        "embedded_book_list", "created", "last_saved", "read_next", "review_log", "shop_clicks",
        "preview_link_list",
    ]  # fmt: skip
    autocomplete_fields = [
        "topics", "pinned_recommendations", "excluded_recommendations", "featured_image",
    ]  # fmt: skip
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "slug",
                    "standfirst",
                    "byline",
                    "body",
                    "topics",
                    "loaded_version",
                ]  # fmt: skip
            },
        ),
        (
            "Publication and review",
            {
                "fields": [
                    "status",
                    "published_at",
                    "withdraw_at",
                    "confirm_past_time",
                    "review_note",
                    "review_log",
                    "created",
                    "last_saved",
                ]  # fmt: skip
            },
        ),
        (
            "Sharing",
            {
                "fields": ["meta_description", "social_title", "featured_image"],
                "description": "What search engines and shares show. Left blank, the "
                "standfirst and the title are used.",
            },
        ),
        ("Embedded books", {"fields": ["embedded_book_list"]}),
        (
            "Read next",
            {
                "fields": ["read_next", "pinned_recommendations", "excluded_recommendations"],
                "description": "Recommendations are computed from shared books, authors, "
                "series, topics and similar text, and refreshed when articles are saved. "
                "Pin articles to put them first; exclude ones that should never appear.",
            },
        ),
    ]

    @admin.display(description="Status", ordering="status")
    def state(self, article):
        return render_display(
            "admin/articles/article/state.html",
            {
                "state": article.state,
                "label": article.state.label,
                "until": localised(article.withdraw_at) if article.withdrawal_scheduled else "",
            },
        )

    @admin.display(description=f"Publication ({settings.TIME_ZONE})", ordering="published_at")
    def publication_time(self, article):
        return localised(article.published_at)

    @admin.display(description="Last change", ordering="updated_at")
    def last_change(self, article):
        return localised(article.updated_at)

    @admin.display(description="Created")
    def created(self, article):
        return localised(article.created_at)

    @admin.display(description="Last saved")
    def last_saved(self, article):
        return localised(article.updated_at)

    @admin.display(description="Review")
    def review_log(self, article):
        """The review step so far: who submitted, approved or sent back, with their notes."""
        if not article.pk:
            return "Nothing yet."
        # Revisions, not versions: a version carries a whole copy of the body.
        entries = (
            Revision.objects.filter(
                events__kind__in=REVIEW_EVENTS.values(),
                version__in=Version.objects.get_for_object(article),
            )
            .select_related("user")
            .order_by("-date_created")[:REVIEW_LOG_LENGTH]
        )
        return render_display(
            "admin/articles/article/review_log.html",
            {"entries": entries, "time_format": TIME_FORMAT},
        )

    @admin.display(description="Withdrawal time")
    def withdrawal_time(self, article):
        return localised(article.withdraw_at) if article.withdraw_at else "Not set"

    @admin.display(description="Clicks to shops")
    def shop_clicks(self, article):
        return click_report.clicks_panel(article)

    def get_fieldsets(self, request, obj=None):
        """Someone who may only look (a contributor, at a published article) sees the
        times with their zone, and no review note or confirmation to fill in. Those who
        may read the click report see the article's clicks to shops."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None:
            fieldsets = [*fieldsets, ("Preview links", {"fields": ["preview_link_list"]})]
        if obj is not None and request.user.has_perm(click_report.VIEW_PERMISSION):
            fieldsets = [*fieldsets, click_report.PANEL_FIELDSET]
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        form_only = {"review_note", "confirm_past_time", "loaded_version"}
        return [
            (
                name,
                {
                    **options,
                    "fields": [
                        {"published_at": "publication_time", "withdraw_at": "withdrawal_time"}.get(
                            field, field
                        )
                        for field in options["fields"]
                        if field not in form_only
                    ],
                },
            )
            for name, options in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if obj is not None and not self.has_change_permission(request, obj):
            return [*fields, "publication_time", "withdrawal_time"]
        return fields

    # Who may do what with an article. Every route of the admin asks these hooks (the
    # list, the form, history, compare, restore, recover, previews, preview links,
    # autocomplete), so the rules live here alone (tests/desk/test_admin_routes.py).

    def get_urls(self):
        return [*picker_urls(self), *super().get_urls()]  # the [[ picker's articles

    def get_queryset(self, request):
        """A contributor (no publish permission) sees the articles they created; editors
        see them all."""
        articles = super().get_queryset(request)
        if request.user.has_perm(PUBLISH_PERMISSION):
            return articles
        return articles.filter(created_by=request.user.pk)

    # Chosen by an editor, perhaps another writer's upcoming piece: named in the form only
    # to those who may open it, or once readers can read it.
    CHOSEN_ARTICLES = ("pinned_recommendations", "excluded_recommendations")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and db_field.name in self.CHOSEN_ARTICLES:

            def label(article: Article) -> str:
                if article.state == Article.State.PUBLISHED or self.has_view_permission(
                    request, article
                ):
                    return str(article)
                return "An unpublished article you cannot open"

            field.label_from_instance = label
        return field

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        if not allowed or obj is None or request.user.has_perm(PUBLISH_PERMISSION):
            return allowed
        return obj.created_by_id == request.user.pk

    def has_change_permission(self, request, obj=None):
        """A contributor changes their own drafts (sent back ones included): once
        submitted, an article is the editors' to publish or send back, and what is
        published or withdrawn is theirs too."""
        allowed = super().has_change_permission(request, obj)
        if not allowed or obj is None or request.user.has_perm(PUBLISH_PERMISSION):
            return allowed
        return obj.created_by_id == request.user.pk and obj.status == Article.Status.DRAFT

    def has_publish_permission(self, request) -> bool:
        """Who sees the list's publish, schedule and withdraw actions: editors."""
        return request.user.has_perm(PUBLISH_PERMISSION)

    def changelist_view(self, request, extra_context=None):
        if request.method == "POST" and request.POST.get("action") in PUBLISHING_ACTIONS:
            # django-reversion 6.4's VersionAdmin.changelist_view saves the whole request
            # as one revision; these actions save each article in a revision of its own
            # (articles/publishing.py), so they skip that wrapper
            # (tests/articles/test_bulk_actions.py counts the revisions).
            context = {"may_recover": self.has_recover_permission(request), **(extra_context or {})}
            return admin.ModelAdmin.changelist_view(self, request, context)
        return super().changelist_view(request, extra_context)

    def has_recover_permission(self, request) -> bool:
        """A deleted article may have been live: bringing it back is publishing."""
        return super().has_recover_permission(request) and request.user.has_perm(PUBLISH_PERMISSION)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        attrs = {
            "may_publish": request.user.has_perm(PUBLISH_PERMISSION),
            "review_action": review_action(request.POST) if request.method == "POST" else None,
        }
        return type(form.__name__, (form,), attrs)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context.update(
            may_publish=request.user.has_perm(PUBLISH_PERMISSION),
            in_review=obj is not None and obj.status == Article.Status.REVIEW,
            **autosave.autosave_context(request, self.opts, obj),
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        self.note_review_step(request)
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        self.note_review_step(request)
        return entry

    def note_review_step(self, request) -> None:
        """A review step is recorded in the save's revision, with its note; its entry in
        the history says what it was (with a choice made on a conflict, if any)."""
        action = review_action(request.POST)
        note = request.POST.get("review_note", "").strip()
        if not action and not note:
            return
        events.record(
            REVIEW_EVENTS[action] if action else RevisionEvent.Kind.NOTE,
            sentence=f"{REVIEW_COMMENTS[action]}{': ' + note if note else '.'}"
            if action
            else f"Note: {note}",
            request=request,
            note=note,
        )

    def revision_view(self, request, object_id, version_id, extra_context=None):
        # A restored version carries the owner it was kept with (none, if kept before
        # owners were): the article keeps the one it has (save_model).
        request.article_owner = (
            Article.objects.filter(pk=unquote(object_id))
            .values_list("created_by", flat=True)
            .first()
        )
        return super().revision_view(request, object_id, version_id, extra_context)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        elif hasattr(request, "article_owner"):
            obj.created_by_id = request.article_owner
        was_withdrawn = change and was_withdrawn_when_read(obj)
        super().save_model(request, obj, form, change)
        if was_withdrawn or obj.state == Article.State.WITHDRAWN:
            # Withdrawn, by hand or by its time: its links stop for good, and moving it
            # back to draft or publishing it again does not bring them back.
            revoke_all_links(article=obj, user=request.user)
        autosave.forget(request.user, self.opts, obj)
        step = review_action(request.POST)
        if step == "submit":
            messages.info(request, f"“{obj}” is waiting for an editor’s review.")
        elif step == "send_back":
            messages.info(request, f"“{obj}” went back to its writer as a draft, with your note.")
        if obj.state == Article.State.SCHEDULED:
            messages.info(
                request,
                f"“{obj}” is scheduled: it goes live by itself at {localised(obj.published_at)}.",
            )
        if obj.withdrawal_scheduled:
            messages.info(
                request,
                f"“{obj}” is taken off the site by itself at {localised(obj.withdraw_at)}.",
            )

    @admin.display(description="Recommended now, and why")
    def read_next(self, article):
        if not article.pk:
            return "Saved articles show their recommendations here."
        rows = (
            Recommendation.objects.filter(article=article)
            .select_related("recommended")
            .order_by("-pinned", "-score")
        )
        if not rows:
            return "Nothing related yet: readers see the latest articles."
        return render_display("admin/articles/article/read_next.html", {"rows": rows})

    @admin.display(description="Books this article embeds")
    def embedded_book_list(self, article):
        if not article.pk:
            return "Saved articles list their embedded books here."
        # Each opens the book at the desk: a wrong title or cover seen in the preview is
        # fixed there (a contributor sees it, read-only).
        books = article.embedded_books.only("pk", "title")
        return (
            format_html_join(
                ", ",
                '<a href="{}">{}</a>',
                ((reverse("admin:catalogue_book_change", args=[book.pk]), book) for book in books),
            )
            or "None"
        )

    def version_preview(self, request, article, version):
        """A kept version on the readers' page (History, then Preview), as the Preview
        button shows unsaved changes."""
        topics = Topic.objects.filter(pk__in=version.field_dict.get("topics", []))
        return TemplateResponse(
            request,
            "articles/article_detail.html",
            {
                "article": article,
                "body": article.render_body(),
                "recommendations": [],
                "topics": list(topics),
                "preview": True,
                "preview_of_version": version,
            },
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)  # the save kept the embeds
        # In the background once the save commits: the editor's request never waits.
        refresh_recommendations_after_commit([form.instance.pk])


def was_withdrawn_when_read(article: Article) -> bool:
    """Whether the stored article is withdrawn (by hand, or its withdrawal time passed)."""
    stored = Article.objects.filter(pk=article.pk).only("status", "published_at", "withdraw_at")
    return any(row.state == Article.State.WITHDRAWN for row in stored)


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
