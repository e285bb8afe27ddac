"""The desk's "Clicks to shops" report: readers' clicks on buy and borrow links over the
last 7, 30 or 90 days, by day, by page (which articles lead readers to buy), by book
and by shop; for the whole site, one page or one book. Editors and administrators see
it (the view permission on ShopClick); contributors do not.

The pages are resolved through their content types, one query per kind of page: the
catalogue names no article."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import SafeString

from ..models import Book
from ..shop_clicks import NO_SOURCE_ID
from ..shops import Shop, ShopClick

PERIODS = (7, 30, 90)  # days the report covers, the editor's choice
DEFAULT_PERIOD = 30
ROWS_SHOWN = 50  # of pages and of books, most clicked first
PANEL_PERIOD = 30  # what the article's and the book's forms say
CHART_BAR, CHART_HEIGHT = 10, 100  # a day's slot in the chart, and its height


@dataclass
class Page:
    """A page links were clicked on: its title, its kind, its desk and public addresses."""

    title: str
    kind: str = ""
    change_url: str = ""
    public_url: str = ""
    known: bool = True


@dataclass
class ClickRow:
    buy: int
    borrow: int
    total: int
    page: Page | None = None
    book_id: int | None = None
    book_title: str = ""
    report_url: str = ""


@dataclass
class ClickReport:
    days: int
    first_day: date
    last_day: date
    buy: int = 0
    borrow: int = 0
    by_day: list[tuple[date, int]] = field(default_factory=list)
    by_page: list[ClickRow] = field(default_factory=list)
    by_book: list[ClickRow] = field(default_factory=list)
    by_shop: list[dict] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.buy + self.borrow

    @property
    def busiest_day(self) -> int:
        return max((count for _, count in self.by_day), default=0)

    @property
    def bars(self) -> list[dict]:
        """The chart's bars, one a day, in the SVG's units (CHART_BAR wide, CHART_HEIGHT
        high for the busiest day): drawn by attributes, as the CSP allows no style."""
        busiest = self.busiest_day or 1
        bars = []
        for n, (day, count) in enumerate(self.by_day):
            height = round(count / busiest * CHART_HEIGHT, 1)
            bars.append({"day": day, "count": count, "x": n * CHART_BAR,
                         "y": CHART_HEIGHT - height, "height": height})  # fmt: skip
        return bars

    @property
    def chart_width(self) -> int:
        return len(self.by_day) * CHART_BAR


# Clicks split by the kind of shop they went to.
SPLIT = {
    "buy": Sum("count", filter=Q(shop__kind=Shop.Kind.BUY), default=0),
    "borrow": Sum("count", filter=Q(shop__kind=Shop.Kind.BORROW), default=0),
    "total": Sum("count", default=0),
}


def clicks_since(first_day: date, *, source=None, book_id: int | None = None) -> QuerySet:
    """The day rows from `first_day` on, of one page (a content type and a key) or one
    book if given."""
    rows = ShopClick.objects.filter(day__gte=first_day).order_by()
    if source is not None:
        rows = rows.filter(source_type=source[0], source_id=source[1])
    if book_id is not None:
        rows = rows.filter(book_id=book_id)
    return rows


def click_report(*, days: int, source=None, book_id: int | None = None) -> ClickReport:
    """The report for the last `days` days (today included): six queries, and one for
    each kind of page clicked from."""
    last_day = timezone.localdate()
    first_day = last_day - timedelta(days=days - 1)
    rows = clicks_since(first_day, source=source, book_id=book_id)
    report = ClickReport(days=days, first_day=first_day, last_day=last_day)
    totals = rows.aggregate(buy=SPLIT["buy"], borrow=SPLIT["borrow"])
    report.buy, report.borrow = totals["buy"], totals["borrow"]
    per_day = dict(rows.values("day").annotate(total=Sum("count")).values_list("day", "total"))
    report.by_day = [
        (first_day + timedelta(days=n), per_day.get(first_day + timedelta(days=n), 0))
        for n in range(days)
    ]
    report.by_shop = list(
        rows.values("shop__name", "shop__kind").annotate(total=Sum("count")).order_by("-total")
    )
    by_book = (
        rows.values("book_id", "book__title")
        .annotate(**SPLIT)
        .order_by("-buy", "-total", "book__title")[:ROWS_SHOWN]
    )
    report.by_book = [
        ClickRow(
            buy=row["buy"],
            borrow=row["borrow"],
            total=row["total"],
            book_id=row["book_id"],
            book_title=row["book__title"],
            report_url=report_url(days=days, book_id=row["book_id"]),
        )
        for row in by_book
    ]
    by_page = list(
        rows.values("source_type", "source_id")
        .annotate(**SPLIT)
        .order_by("-buy", "-total", "source_type", "source_id")[:ROWS_SHOWN]
    )
    pages = resolve_pages((row["source_type"], row["source_id"]) for row in by_page)
    report.by_page = [
        ClickRow(
            buy=row["buy"],
            borrow=row["borrow"],
            total=row["total"],
            page=pages[row["source_type"], row["source_id"]],
            report_url=report_url(days=days, source=(row["source_type"], row["source_id"])),
        )
        for row in by_page
    ]
    return report


def resolve_pages(keys) -> dict[tuple[int, int], Page]:
    """Each (content type id, key) as a Page: one query per content type."""
    wanted: dict[int, set[int]] = {}
    for type_id, pk in keys:
        wanted.setdefault(type_id, set()).add(pk)
    pages = {}
    for type_id, pks in wanted.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        found = model._default_manager.in_bulk(pks - {NO_SOURCE_ID}) if model else {}
        kind = model._meta.verbose_name if model else "page"
        for pk in pks:
            obj = found.get(pk)
            if pk == NO_SOURCE_ID:
                pages[type_id, pk] = Page("No page known", known=False)
            elif obj is None:
                pages[type_id, pk] = Page(f"A deleted {kind}", kind=kind, known=False)
            else:
                pages[type_id, pk] = Page(str(obj), kind=kind, change_url=change_url(obj),
                                          public_url=public_url(obj))  # fmt: skip
    return pages


def change_url(obj) -> str:
    opts = obj._meta
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    except NoReverseMatch:
        return ""


def public_url(obj) -> str:
    """The page readers see, while they may see it."""
    if getattr(obj, "is_public", False) is True and hasattr(obj, "get_absolute_url"):
        return obj.get_absolute_url()
    return ""


def report_url(*, days: int = DEFAULT_PERIOD, source=None, book_id: int | None = None) -> str:
    query = {"days": days}
    if source is not None:
        query.update(source_type=source[0], source_id=source[1])
    if book_id is not None:
        query["book"] = book_id
    return f"{reverse('admin:catalogue_shopclick_changelist')}?{urlencode(query)}"


def clicks_panel(obj, *, source: bool = True) -> SafeString:
    """For an article's or a book's form: "N clicks to shops in the last 30 days —
    report" (one query). `source`: the clicks on `obj`'s page (an article), else on
    `obj`'s links wherever they were (a book). Shown to those who may see the report
    (VIEW_PERMISSION)."""
    if obj is None or obj.pk is None:
        return SafeString("Nothing yet.")
    first_day = timezone.localdate() - timedelta(days=PANEL_PERIOD - 1)
    if source:
        key = (ContentType.objects.get_for_model(obj).pk, obj.pk)
        rows, url = clicks_since(first_day, source=key), report_url(source=key)
    else:
        rows, url = clicks_since(first_day, book_id=obj.pk), report_url(book_id=obj.pk)
    count = rows.aggregate(total=Sum("count", default=0))["total"]
    return render_to_string(
        "admin/catalogue/shopclick/panel.html",
        {"count": count, "days": PANEL_PERIOD, "report_url": url},
    )


# Who sees the report, and the panels on the forms that link to it.
VIEW_PERMISSION = "catalogue.view_shopclick"
# The panel as a fieldset of an admin form: its readonly field is named `shop_clicks`.
PANEL_FIELDSET = ("Clicks to shops", {"fields": ["shop_clicks"]})


@admin.register(ShopClick)
class ShopClickAdmin(admin.ModelAdmin):
    """Not a list of rows: the report is the model's only page."""

    def get_urls(self):
        return [
            path(
                "",
                self.admin_site.admin_view(self.report_view),
                name="catalogue_shopclick_changelist",
            )
        ]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def report_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        days = number(request.GET.get("days"))
        days = days if days in PERIODS else DEFAULT_PERIOD
        source, book, subject = None, None, None
        source_type, source_id = (
            number(request.GET.get("source_type")),
            number(request.GET.get("source_id")),
        )
        if source_type is not None and source_id is not None:
            # Only a kind of page readers see (an article, a book, a list): any other
            # row's name (a user's, say) is not the report's to print.
            kind = ContentType.objects.filter(pk=source_type).first()
            model = kind.model_class() if kind is not None else None
            if model is None or not hasattr(model, "get_absolute_url"):
                return self.unknown(request, "No such kind of page.")
            source = (source_type, source_id)
            subject = resolve_pages([source])[source]
        elif (book_id := number(request.GET.get("book"))) is not None:
            book = Book.objects.filter(pk=book_id).only("pk", "title").first()
            if book is None:
                return self.unknown(request, "No such book.")
        report = click_report(days=days, source=source, book_id=book.pk if book else None)
        periods = [
            (choice, report_url(days=choice, source=source, book_id=book.pk if book else None))
            for choice in PERIODS
        ]
        title = "Clicks to shops"
        if subject is not None:
            title = f"Clicks to shops from {subject.title}"
        elif book is not None:
            title = f"Clicks to shops for {book.title}"
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.opts,
            "report": report,
            "periods": periods,
            "subject": subject,
            "book": book,
            "filtered": subject is not None or book is not None,
            "all_url": report_url(days=days),
            "book_change_url": change_url(book) if book else "",
        }
        return TemplateResponse(request, "admin/catalogue/shopclick/report.html", context)

    def unknown(self, request: HttpRequest, message: str) -> HttpResponse:
        context = {**self.admin_site.each_context(request), "title": "Clicks to shops",
                   "opts": self.opts, "message": message}  # fmt: skip
        return TemplateResponse(
            request, "admin/catalogue/shopclick/report.html", context, status=404
        )


def number(value: str | None) -> int | None:
    """`value` as a whole number a database key can be, or None if it is none."""
    try:
        found = int(value) if value is not None else None
    except ValueError:
        return None
    return found if found is not None and 0 <= found < 2**63 else None
