"""Shops and libraries in the desk: which ones cards link to, in what order, by what
address pattern; and, on a book's form, the book's own address, price or hiding at a shop."""

from django import forms
from django.contrib import admin
from django.db import models
from reversion.admin import VersionAdmin

from desk.admin import render_display
from desk.formsets import SwapSafeInlineFormSet

from ..models import Book
from ..shops import PATTERN_FIELDS, BookShopLink, Shop, earns, pattern_values, shop_address

PLACEHOLDER_HELP = (
    "Write the shop's address for one book, with a placeholder where the book's own value "
    "goes: {isbn13} (978…, 13 digits), {isbn10} (print books with a 978 ISBN), {asin} "
    "(the book's ASIN, or else its ISBN-10, which Amazon uses as a print book's ASIN) and "
    "{title} (spaces and accents are encoded for you). A book without the value a pattern "
    "needs gets no link to this shop. Example: https://bookshop.org/book/{isbn13}"
)
AFFILIATE_HELP = (
    "Used instead when the AFFILIATE_CODES setting (the server's environment) has a code "
    "for this shop's slug: the same address with {affiliate} where the code goes, e.g. "
    "https://bookshop.org/a/{affiliate}/{isbn13}. Such links are marked sponsored and the "
    "page says Colophon earns a commission."
)
# The book a pattern's preview is shown for when the catalogue has no book with an ISBN.
SAMPLE_BOOK = Book(title="The Last Battle", isbn13="9780306822087")


class ShopForm(forms.ModelForm):
    class Meta:
        model = Shop
        fields = [
            "name", "slug", "kind", "url_pattern", "affiliate_url_pattern", "position",
            "enabled",
        ]  # fmt: skip
        help_texts = {"url_pattern": PLACEHOLDER_HELP, "affiliate_url_pattern": AFFILIATE_HELP}
        widgets = {
            "url_pattern": forms.TextInput(attrs={"size": 70}),
            "affiliate_url_pattern": forms.TextInput(attrs={"size": 70}),
        }


@admin.register(Shop)
class ShopAdmin(VersionAdmin):
    """The shops every card links to: switch off, reorder in the list, edit patterns."""

    form = ShopForm
    list_display = ["name", "kind", "position", "enabled", "url_pattern", "earning"]
    list_display_links = ["name"]
    list_editable = ["position", "enabled"]
    list_filter = ["kind", "enabled"]
    ordering = ["position", "name"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["preview"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "position", "enabled"]}),
        ("Address", {"fields": ["url_pattern", "affiliate_url_pattern", "preview"]}),
    ]

    def has_delete_permission(self, request, obj=None):
        # Clicks were counted for it: deleting would take their history (the database
        # refuses, ShopClick.shop is PROTECT); the form's help says to switch it off.
        if obj is not None and obj.clicks.exists():
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        # Bulk deletion would stop at the first shop with clicks, on a page listing each
        # counted day: shops are switched off in the list instead.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description="Affiliate link", boolean=True)
    def earning(self, shop):
        """Whether links to it earn now: an affiliate pattern and a code in the setting."""
        return earns(shop)

    @admin.display(description="Preview")
    def preview(self, shop):
        """The address the saved patterns make for a book with an ISBN (the newest)."""
        if shop.pk is None:
            return "Save the shop to see the address it makes for a book."
        book = Book.objects.exclude(isbn13="").order_by("-pk").first() or SAMPLE_BOOK
        return render_display(
            "admin/catalogue/shop/preview.html",
            {
                "book": book,
                "address": shop_address(shop, pattern_values(book)),
                "earns": earns(shop),
                "placeholders": PATTERN_FIELDS,
            },
        )


def https_by_default(field, **kwargs):
    """Form fields as Django 6 makes them: an address typed without a scheme is https,
    never refused (and no RemovedInDjango60Warning each time the form class is made)."""
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class BookShopLinkForm(forms.ModelForm):
    class Meta:
        model = BookShopLink
        fields = ["shop", "hidden", "url", "price", "currency"]
        widgets = {"currency": forms.TextInput(attrs={"size": 4})}
        formfield_callback = https_by_default

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # In the words of the model's own check, not Django's bare "Enter a valid URL."
        self.fields["url"].error_messages["invalid"] = (
            "The address must start with https:// (or http://) and a host name, such as "
            "https://www.amazon.com/dp/B00KWG9M6Y."
        )


class BookShopLinksFormSet(SwapSafeInlineFormSet):  # two shops swapped are saved
    def get_unique_error_message(self, unique_check):
        if "shop" in unique_check:  # Django: "Please correct the duplicate data for shop."
            return "A book has one link to each shop: remove one of the two rows."
        return super().get_unique_error_message(unique_check)


class BookShopLinkInline(admin.TabularInline):
    """On the book's form: where this book differs from a shop's pattern."""

    model = BookShopLink
    form = BookShopLinkForm
    formset = BookShopLinksFormSet
    # Django 6's default, and no RemovedInDjango60Warning for each form the inline builds.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    extra = 0
    verbose_name = "link to a shop"
    verbose_name_plural = "Links to shops (where this book differs from the shop's pattern)"
