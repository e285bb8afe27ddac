"""The catalogue in the editors' desk. Importing a module registers its admins: books,
authors and subjects (books.py), readers' ratings (ratings.py), the "Clicks to shops"
report (shop_clicks.py), shops and libraries (shops.py; a book's own links to them are
an inline of the book's form), reading lists (reading_lists.py). The book list's tools
stand apart from the registrations: importing.py (a CSV of books) and merging.py."""

from . import books, ratings, reading_lists, shop_clicks, shops

__all__ = ["books", "ratings", "reading_lists", "shop_clicks", "shops"]
