"""Where a reader can buy or borrow a book: shops and libraries are data, not code.

A `Shop` is a name, a kind (buy or borrow) and a URL pattern filled from the book's
identifiers; editors switch shops off, reorder them, and override one per book
(`BookShopLink`). Readers reach a shop through Colophon's own short redirect, which
counts the click per book, shop, page and day (`ShopClick`) and keeps nothing personal.
"""

from django.contrib.contenttypes.models import ContentType
from django.core.validators import MinValueValidator
from django.db import models

# The identifiers a URL pattern may use, and what fills each one.
PATTERN_FIELDS = ("isbn13", "isbn10", "asin", "title", "affiliate")


class Shop(models.Model):
    """A bookshop, retailer or library that readers can be sent to for any book."""

    class Kind(models.TextChoices):
        BUY = "buy", "Buy"
        BORROW = "borrow", "Borrow"

    name = models.CharField(max_length=100)
    slug = models.SlugField(
        max_length=50,
        unique=True,
        help_text="Names the shop in its click address and in the AFFILIATE_CODES setting.",
    )
    kind = models.CharField(max_length=6, choices=Kind, default=Kind.BUY)
    url_pattern = models.CharField(
        "address pattern",
        max_length=500,
        help_text="The book's address at this shop, with {isbn13}, {isbn10}, {asin} or "
        "{title} where the book's own value goes.",
    )
    affiliate_url_pattern = models.CharField(
        "affiliate address pattern",
        max_length=500,
        blank=True,
        help_text="Used instead when the AFFILIATE_CODES setting has a code for this shop: "
        "the same, with {affiliate} where the code goes. Such links are marked sponsored.",
    )
    position = models.PositiveSmallIntegerField(default=0, help_text="Lower comes first.")
    enabled = models.BooleanField(
        default=True, help_text="Switched off, no card or book page links to it."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "name", "pk"]

    def __str__(self) -> str:
        return self.name


class BookShopLink(models.Model):
    """One book at one shop, where it differs from the shop's pattern: hidden, another
    address, or a price the editor knows."""

    book = models.ForeignKey("catalogue.Book", on_delete=models.CASCADE, related_name="shop_links")
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="book_links")
    hidden = models.BooleanField(
        "not shown", default=False, help_text="No link to this shop for this book."
    )
    url = models.URLField(
        "address", max_length=500, blank=True, help_text="Instead of the shop's pattern."
    )
    price = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="Only a price you know: it is shown to search engines as an offer.",
    )
    currency = models.CharField(max_length=3, blank=True, help_text="ISO 4217, e.g. GBP.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["book", "shop"], name="book_shop_link_once"),
            models.CheckConstraint(
                condition=models.Q(price__isnull=True) | ~models.Q(currency=""),
                name="book_shop_link_price_has_currency",
                violation_error_message="A price needs its currency.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.book} at {self.shop}"


class ShopClick(models.Model):
    """Clicks on one day from one page (an article, a book page, a list) on one book's
    link to one shop: a count, nothing about who clicked."""

    day = models.DateField()
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="clicks")
    book = models.ForeignKey("catalogue.Book", on_delete=models.CASCADE, related_name="shop_clicks")
    # The page the link was on. Generic: the catalogue does not know the articles app.
    source_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    source_id = models.PositiveBigIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "shop", "book", "source_type", "source_id"],
                name="shop_click_one_row_a_day",
            )
        ]
        indexes = [
            models.Index(fields=["source_type", "source_id", "day"], name="shop_click_by_source"),
            models.Index(fields=["book", "day"], name="shop_click_by_book"),
        ]

    def __str__(self) -> str:
        return f"{self.day}: {self.count} to {self.shop} for {self.book}"
