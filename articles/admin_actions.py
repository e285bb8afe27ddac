"""The article list's bulk actions for editors: publish now, schedule (a page asks the
time first) and withdraw now. Each article is written by articles/publishing.py in a
revision of its own; the message says what was done and what was left, and why.
ArticleAdmin lists them; `allowed_permissions` hides them from contributors."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import formats, timezone

from .forms import TIME_FORMAT, input_format_hint
from .publishing import NotDone, publish_now, schedule, withdraw

# The action names, for ArticleAdmin.changelist_view (each article, its own revision).
PUBLISHING_ACTIONS = {"publish_now_selected", "schedule_selected", "withdraw_now_selected"}


def report(modeladmin, request: HttpRequest, done: list, left: list, verb: str) -> None:
    """“Published 2 articles: “A”, “B”.” and, apart, what was left and why."""
    if done:
        names = ", ".join(f"“{article}”" for article in done)
        count = f"{len(done)} article{'s' if len(done) != 1 else ''}"
        modeladmin.message_user(request, f"{verb} {count}: {names}.", messages.SUCCESS)
    if left:
        reasons = "; ".join(f"“{article}”: {why}" for article, why in left)
        modeladmin.message_user(
            request,
            f"Left as {'they were' if len(left) != 1 else 'it was'} ({len(left)}): {reasons}.",
            messages.WARNING,
        )


def each(queryset, request, write, **arguments) -> tuple[list, list]:
    done, left = [], []
    for article in queryset.order_by("pk"):
        try:
            write(article=article, user=request.user, **arguments)
        except NotDone as reason:
            left.append((article, str(reason)))
        else:
            done.append(article)
    return done, left


@admin.action(description="Publish selected articles now", permissions=["publish"])
def publish_now_selected(modeladmin, request, queryset):
    done, left = each(queryset, request, publish_now)
    report(modeladmin, request, done, left, "Published")


@admin.action(description="Withdraw selected articles now", permissions=["publish"])
def withdraw_now_selected(modeladmin, request, queryset):
    done, left = each(queryset, request, withdraw)
    report(modeladmin, request, done, left, "Withdrew")


class ScheduleForm(forms.Form):
    when = forms.SplitDateTimeField(
        label="Publication time",
        widget=forms.SplitDateTimeWidget(
            date_attrs={"aria-label": "Date"}, time_attrs={"aria-label": "Time"}
        ),
    )

    def clean_when(self):
        when = self.cleaned_data["when"]
        if when <= timezone.now():
            raise forms.ValidationError(
                "%(when)s has passed: choose a time to come, or use “Publish selected "
                "articles now”.",
                code="past",
                params={"when": formats.date_format(timezone.localtime(when), TIME_FORMAT)},
            )
        return when


@admin.action(description="Schedule selected articles…", permissions=["publish"])
def schedule_selected(modeladmin, request, queryset):
    """A page asks the time; its form posts back to this action with it."""
    form = ScheduleForm(request.POST if "when_0" in request.POST else None)
    if form.is_bound and form.is_valid():
        done, left = each(queryset, request, schedule, when=form.cleaned_data["when"])
        when = formats.date_format(timezone.localtime(form.cleaned_data["when"]), TIME_FORMAT)
        report(modeladmin, request, done, left, f"Scheduled for {when}")
        return None
    articles = list(queryset.order_by("pk"))
    # Said before the time is chosen, not after: publishing.schedule leaves these alone.
    live = {article.pk for article in articles if article.state == article.State.PUBLISHED}
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": "Schedule articles",
        "opts": modeladmin.model._meta,
        "articles": articles,
        "to_schedule": [article for article in articles if article.pk not in live],
        "already_live": [article for article in articles if article.pk in live],
        "form": form,
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
        "hint": f"In {settings.TIME_ZONE} time. Date as {input_format_hint()}, time as HH:MM.",
    }
    return TemplateResponse(request, "admin/articles/article/schedule.html", context)
