"""URL converters shared by the apps' urls.py (registered once, in config/urls.py)."""


class UnicodeSlugConverter:
    """A slug in any script ("the-hobbit", "الفيل-الأزرق"); nothing else reaches a view,
    so a NUL byte or a slash in the address is a 404, never a database error."""

    regex = r"[-\w]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
