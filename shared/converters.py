"""Path converters the apps' urls.py share: each urls.py that uses one imports this
module, which registers them (once, on its first import)."""

from django.urls import register_converter


class UnicodeSlugConverter:
    """A slug in any script ("the-hobbit", "الفيل-الأزرق"); nothing else reaches a view,
    so a NUL byte or a slash in the address is a 404, never a database error."""

    regex = r"[-\w]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(UnicodeSlugConverter, "uslug")
