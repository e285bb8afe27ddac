"""Forms for the articles' editors: writing, review and publication."""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.html import format_html

from desk.forms import ConflictSafeForm

from . import foreign_pictures, rendering
from .models import Article

# Longer than any article (about 80,000 words); the desk's script refuses a longer body
# before it is sent, and this form when the script did not run.
MAX_BODY_LENGTH = 500_000
# A publication time this far behind the clock is "in the past" and asks first.
PAST_TIME_GRACE = timedelta(minutes=5)
TIME_FORMAT = "j M Y, H:i T"

# The buttons of the review step (articles/templates/admin/articles/article/submit_line.html).
REVIEW_ACTIONS = {
    "_submit_review": "submit",
    "_approve": "approve",
    "_send_back": "send_back",
}


def review_action(data) -> str | None:
    """Which review button posted the form, if any."""
    return next((action for name, action in REVIEW_ACTIONS.items() if name in data), None)


def input_format_hint() -> str:
    """The date format the desk reads, as an editor writes it: "DD/MM/YYYY"."""
    first = formats.get_format("DATE_INPUT_FORMATS")[0]
    return first.replace("%d", "DD").replace("%m", "MM").replace("%Y", "YYYY")


class ArticleAdminForm(ConflictSafeForm):
    """The article form. ArticleAdmin.get_form sets `may_publish` (the user's
    articles.publish_article permission) and `review_action` (the button pressed)."""

    may_publish = True
    review_action: str | None = None
    # Off for the Preview button, which shows such pictures flagged where they stand.
    refuses_foreign_pictures = True

    review_note = forms.CharField(
        label="Note for the review",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Sent with “Submit for review”, “Approve and publish” or “Send back”; "
        "kept in the history.",
    )
    # Shown (as a checkbox) only when a new publication's time has already passed.
    confirm_past_time = forms.BooleanField(
        label="Publish with this past time", required=False, widget=forms.HiddenInput
    )

    class Meta:
        model = Article
        fields = [
            "title", "slug", "standfirst", "byline", "body", "status", "published_at",
            "withdraw_at", "topics", "pinned_recommendations", "excluded_recommendations",
            "meta_description", "social_title", "featured_image",
        ]  # fmt: skip
        widgets = {
            "body": forms.Textarea(
                attrs={
                    "rows": 30,
                    "class": "vLargeTextField markdown-body",
                    # Not maxlength, which would cut a paste short without a word.
                    "data-max-length": MAX_BODY_LENGTH,
                }
            ),
            "standfirst": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "published_at" in self.fields:
            today = formats.date_format(timezone.localdate(), "SHORT_DATE_FORMAT")
            self.fields["published_at"].help_text = (
                f"In {settings.TIME_ZONE} time. Date as {input_format_hint()} (today is "
                f"{today}), time as HH:MM. Leave it blank to publish at the moment you "
                "publish; a time to come schedules the article, which then goes live by "
                "itself."
            )
        if "withdraw_at" in self.fields:
            self.fields["withdraw_at"].help_text = (
                f"In {settings.TIME_ZONE} time, as the publication time. Set it to take the "
                "article off the site by itself at that time (its preview links stop then "
                "too); leave it blank to keep it public until it is withdrawn by hand."
            )
        if "status" in self.fields and not self.may_publish:
            allowed = {Article.Status.DRAFT, Article.Status.REVIEW, self.stored_status()}
            self.fields["status"].choices = [
                (value, label) for value, label in Article.Status.choices if value in allowed
            ]

    def clean(self):
        cleaned = super().clean()
        action = self.review_action
        if action in ("approve", "send_back") and not self.may_publish:
            raise ValidationError("Only editors approve or send back articles.", code="review")
        if action:
            cleaned["status"] = {
                "submit": Article.Status.REVIEW,
                "approve": Article.Status.PUBLISHED,
                "send_back": Article.Status.DRAFT,
            }[action]
        status = cleaned.get("status")
        was = self.stored_status()
        if (
            not self.may_publish
            and status != was
            and status
            in (
                Article.Status.PUBLISHED,
                Article.Status.WITHDRAWN,
            )
        ):
            self.add_error(
                "status",
                "Only editors publish or withdraw articles: submit it for review instead.",
            )
        going_live = status == Article.Status.PUBLISHED and was != Article.Status.PUBLISHED
        when = cleaned.get("published_at")
        if (
            status == Article.Status.PUBLISHED
            and when is None
            and "published_at" not in self.errors
        ):
            cleaned["published_at"] = timezone.now()  # publishing takes "now"
        self.check_withdrawal_time(cleaned)
        past = when is not None and when < timezone.now() - PAST_TIME_GRACE
        if going_live and past and not cleaned.get("confirm_past_time"):
            self.fields["confirm_past_time"].widget = forms.CheckboxInput()
            self.add_error(
                "published_at",
                ValidationError(
                    "%(when)s has passed: the article would go live at once, dated then, "
                    "and be listed among the articles of that day. Tick “Publish with this "
                    "past time” to confirm, or clear the time to publish now.",
                    code="past_time",
                    params={"when": formats.date_format(timezone.localtime(when), TIME_FORMAT)},
                ),
            )
        return cleaned

    def check_withdrawal_time(self, cleaned: dict) -> None:
        """A withdrawal time comes after the publication time (or after now, for an
        article published at once): one before it would never show the article."""
        until = cleaned.get("withdraw_at")
        if until is None or "withdraw_at" in self.errors or "published_at" in self.errors:
            return
        since = cleaned.get("published_at")
        if since is None and cleaned.get("status") in (Article.Status.DRAFT, Article.Status.REVIEW):
            return  # its publication time is chosen when it is published
        since = since or timezone.now()
        if until <= since:
            self.add_error(
                "withdraw_at",
                ValidationError(
                    "The withdrawal time (%(until)s) must come after the publication time "
                    "(%(since)s): the article would never be on the site. Choose a later "
                    "time, or clear it to keep the article public.",
                    code="withdrawal_before_publication",
                    params={
                        "until": formats.date_format(timezone.localtime(until), TIME_FORMAT),
                        "since": formats.date_format(timezone.localtime(since), TIME_FORMAT),
                    },
                ),
            )

    def stored_status(self) -> str | None:
        """The status the article has now: on a restore page the instance holds the old
        version's, which a contributor must not bring back (a published one, say)."""
        if self.stored is not None:
            return self.stored.values.get("status")
        return self.instance.status if self.instance.pk else None

    def clean_body(self):
        body = self.cleaned_data["body"]
        if len(body) > MAX_BODY_LENGTH:
            raise ValidationError(
                "Not saved: this body is %(length)s characters long, and an article holds "
                "up to %(limit)s (about 80,000 words). Your text is still here: split it "
                "into several articles, or cut it, and save again.",
                code="too_long",
                params={"length": f"{len(body):,}", "limit": f"{MAX_BODY_LENGTH:,}"},
            )
        unknown = [
            ValidationError(
                "No book matches [[book:%(ref)s]]. Use a book's slug or ISBN-13, "
                "or add the book to the catalogue first.",
                code="unknown_book",
                params={"ref": ref},
            )
            for ref in rendering.missing_refs(body)
        ] + [
            ValidationError(
                "No reading list matches [[list:%(ref)s]]. Use a list's slug, or make the "
                "list in the desk first.",
                code="unknown_list",
                params={"ref": ref},
            )
            for ref in rendering.missing_list_refs(body)
        ]
        unknown += [
            ValidationError(
                "No picture #%(ref)s in the library: [[image:%(ref)s]] names a picture by "
                "its number. Add the picture under Pictures first, or correct the number.",
                code="unknown_image",
                params={"ref": ref},
            )
            for ref in rendering.missing_image_refs(body)
        ]
        unknown += self.foreign_picture_errors(body)
        if unknown:
            raise ValidationError(unknown)
        return body

    def foreign_picture_errors(self, body: str) -> list[ValidationError]:
        """One error for each picture on another site, which readers' browsers are
        refused (articles.foreign_pictures), naming its address, with a link that brings
        it into the library; none while previewing, where each is flagged in place."""
        if not self.refuses_foreign_pictures:
            return []
        return [
            ValidationError(
                format_html(
                    "Not saved: the picture at {} is on another site, and readers will not "
                    "see it (the pages show pictures from this site alone). "
                    '<a href="{}">Add it to the library</a> and embed it with [[image:ID]] '
                    "instead. Your text is still here.",
                    address,
                    foreign_pictures.library_add_url(address),
                ),
                code="foreign_picture",
            )
            for address in foreign_pictures.foreign_picture_addresses(body)
        ]
