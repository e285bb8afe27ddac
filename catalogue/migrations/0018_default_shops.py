"""The shops every Colophon starts with: a bookshop and a retailer to buy from, Open
Library and WorldCat to borrow through. Editors switch them off, reorder or override
them in the desk; affiliate codes come from the AFFILIATE_CODES setting, by slug.

Idempotent by slug: a shop an editor already has under that slug is left as it is.
Reversed, it removes the default shops that still stand as this migration made them
and have no clicks counted nor books' own links.

Amazon's `{asin}` is the book's ASIN or, lacking one, its ISBN-10, which Amazon uses as
a print book's ASIN (catalogue.shops.pattern_values).
"""

from django.db import migrations

DEFAULT_SHOPS = [
    {
        "slug": "bookshop-org",
        "name": "Bookshop.org",
        "kind": "buy",
        "url_pattern": "https://bookshop.org/book/{isbn13}",
        "affiliate_url_pattern": "https://bookshop.org/a/{affiliate}/{isbn13}",
        "position": 10,
    },
    {
        "slug": "amazon",
        "name": "Amazon",
        "kind": "buy",
        "url_pattern": "https://www.amazon.com/dp/{asin}",
        "affiliate_url_pattern": "https://www.amazon.com/dp/{asin}?tag={affiliate}",
        "position": 20,
    },
    {
        "slug": "open-library",
        "name": "Open Library",
        "kind": "borrow",
        "url_pattern": "https://openlibrary.org/isbn/{isbn13}",
        "affiliate_url_pattern": "",
        "position": 30,
    },
    {
        "slug": "worldcat",
        "name": "WorldCat",
        "kind": "borrow",
        "url_pattern": "https://search.worldcat.org/isbn/{isbn13}",
        "affiliate_url_pattern": "",
        "position": 40,
    },
]
FIELDS = ["name", "kind", "url_pattern", "affiliate_url_pattern", "position"]


def add_default_shops(apps, schema_editor=None):
    Shop = apps.get_model("catalogue", "Shop")
    for shop in DEFAULT_SHOPS:
        Shop.objects.get_or_create(slug=shop["slug"], defaults={**shop, "enabled": True})


def remove_default_shops(apps, schema_editor=None):
    Shop = apps.get_model("catalogue", "Shop")
    for shop in DEFAULT_SHOPS:
        unchanged = {name: shop[name] for name in FIELDS}
        # Not one with clicks counted or books' own links: deleting it would delete those.
        Shop.objects.filter(slug=shop["slug"], **unchanged).exclude(
            pk__in=Shop.objects.filter(book_links__isnull=False).values("pk")
        ).exclude(pk__in=Shop.objects.filter(clicks__isnull=False).values("pk")).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0017_shops_and_reading_lists"),
    ]

    operations = [
        migrations.RunPython(add_default_shops, remove_default_shops),
    ]
