"""The catalogue in the editors' desk. Importing a module registers its admins: books,
authors and subjects (books.py), readers' ratings (ratings.py), the "Clicks to shops"
report (shop_clicks.py). The book list's tools stand apart from the registrations:
importing.py (a CSV of books) and merging.py."""

from . import books, ratings, shop_clicks

__all__ = ["books", "ratings", "shop_clicks"]
