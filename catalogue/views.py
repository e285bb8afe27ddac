"""The catalogue's pages: browse, a book, an author; and rating a book."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, ListView

from pagecache.tags import list_of, tag_for
from pagecache.views import CachedPageMixin
from pagecache.visitor_parts import visitor_part
from shared.clients import client_address
from shared.paging import CappedPaginator
from shared.redirects import redirect_from_old_address

from . import ratings
from .book_names import public_book_at
from .book_page import book_page, rating_histogram
from .cards import rating_context
from .filtered_paging import FilteredPaginator, WordsFilteredPaginator
from .forms import BookFilterForm, RatingForm
from .languages import languages_in_use
from .models import Author, Book, BookAlias, Rating
from .readers import (
    address_hash,
    count_action,
    is_newcomer,
    known_reader,
    over_limit,
    reader_for,
    remember_visitor,
)

BOOKS_PER_PAGE = 24


class BookListView(CachedPageMixin, ListView):
    """Browse: filters and sort from the query string, a fixed number of queries a page."""

    context_object_name = "books"
    paginate_by = BOOKS_PER_PAGE
    paginator_class = CappedPaginator  # no full count, no deep skipping of rows
    template_name = "catalogue/book_list.html"
    cache_params = BookFilterForm.base_fields

    def get_queryset(self):
        self.form = BookFilterForm(self.request.GET, languages=languages_in_use(public_only=True))
        return self.form.filter(Book.objects.public().for_cards())

    def get_paginator(self, *args, **kwargs):
        if self.form.has_words:
            return WordsFilteredPaginator(*args, order=self.form.order, **kwargs)
        if self.form.narrows:
            return FilteredPaginator(*args, **kwargs)
        return super().get_paginator(*args, **kwargs)

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(
            form=self.form,
            query_string=query.urlencode(),
            filtered=any(name != "sort" for name in query),
            **kwargs,
        )

    def cache_tags(self):
        return [list_of(Book)]


class BookDetailView(CachedPageMixin, DetailView):
    """A book: its card, ratings, series, other books by its authors, related books and
    the articles about it."""

    template_name = "catalogue/book_detail.html"
    context_object_name = "book"

    def get_object(self, queryset=None):
        # What the page shows beside its kept parts (catalogue.book_page), which read
        # the book whole when they are made.
        book = public_book_at(self.kwargs["slug"])
        if book is None:
            raise Http404("No such book.")
        return book

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            # A book merged into another or renamed: its old address leads there for good.
            aliases = BookAlias.objects.filter(book__status=Book.Status.PUBLISHED)
            moved = redirect_from_old_address(aliases.select_related("book"), kwargs["slug"])
            if moved is None:
                raise
            return moved

    def get_context_data(self, **kwargs):
        # The rating form filled into this page need not look for the book again.
        self.request.public_book_shown = self.object
        # Its parts kept across requests where they still hold (catalogue.book_page).
        self.page = book_page(self.object, self.request)
        self.object = kwargs["object"] = self.page.book
        return super().get_context_data(page=self.page, **kwargs)

    def cache_tags(self):
        return self.page.tags()


class AuthorDetailView(CachedPageMixin, ListView):
    """An author and their books, by series and title."""

    context_object_name = "books"
    paginate_by = BOOKS_PER_PAGE
    template_name = "catalogue/author_detail.html"

    def get_queryset(self):
        self.author = get_object_or_404(Author, slug=self.kwargs["slug"])
        return Book.objects.public().by_author(self.author)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(author=self.author, **kwargs)
        if context["paginator"].count == 0:
            # Only drafts (or nothing yet): no page names them, as the sitemap names
            # none, so an unannounced book's author is not announced either.
            raise Http404("No public books by this author.")
        return context

    def cache_tags(self):
        return [tag_for(self.author), list_of(Book)]


def your_rating(request, book_id: int) -> tuple[int | None, bool]:
    """The score this reader gave the book (None if they have not rated it), and
    whether that rating is held for moderation."""
    reader = known_reader(request)
    if reader is None:
        return None, False
    score, status = reader.ratings().filter(book_id=book_id).values_list(
        "score", "status"
    ).first() or (None, "")
    return score, status == Rating.Status.HELD


@visitor_part("rating-form")
def rating_form_part(request, book_id: str) -> str:
    """The rating form: this visitor's CSRF token and their rating, inside a shared page."""
    # Public books alone: anyone may ask /_visitor/ for any number (pagecache.edge),
    # and a draft's form would tell them its address.
    book = getattr(request, "public_book_shown", None)  # the book page being filled
    if book is None or str(book.pk) != book_id:
        public = Book.objects.public().only("pk", "slug")
        book = public.filter(pk=int(book_id)).first() if book_id.isdigit() else None
    if book is None:
        return ""
    score, held = your_rating(request, book.pk)
    return render_to_string(
        "includes/rating_form.html",
        {"book": book, "your_rating": score, "your_rating_held": held},
        request=request,
    )


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _rating_refused(request, book: Book | None, status: int, message: str, retry_after=0):
    """A 4xx that says why, as JSON for the page's script or as a page for a plain form."""
    if _wants_json(request):
        response = JsonResponse({"error": message}, status=status)
    else:
        response = render(
            request,
            "catalogue/rating_refused.html",
            {"book": book, "message": message},
            status=status,
        )
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


@require_POST
def rate_book(request, slug: str):
    """Record, replace or remove the reader's rating; works with and without JavaScript."""
    book = Book.objects.filter(slug=slug).first()
    # A draft answers as no book at all: a stranger learns no slug the desk holds back.
    if book is None or book.status not in (Book.Status.PUBLISHED, Book.Status.WITHDRAWN):
        raise Http404("No such book.")
    if book.status == Book.Status.WITHDRAWN:
        message = "This book has been withdrawn, so it cannot be rated."
        return _rating_refused(request, None, 410, message)
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _rating_refused(request, book, 400, form.error_text())

    reader, new_visitor = reader_for(request)
    address = address_hash(client_address(request))
    limits = settings.RATING_RATE_LIMITS
    who = f"user:{reader.user_id}" if reader.user_id else f"visitor:{reader.visitor}"
    wait = over_limit("rating-reader", who, *limits["visitor"]) or over_limit(
        "rating-address", address, *limits["address"]
    )
    if wait:
        return _rating_refused(
            request, book, 429,
            f"That is a lot of ratings in a short time. Please wait {wait} seconds and try again.",
            retry_after=wait,
        )  # fmt: skip

    hold = False
    window = settings.RATING_HOLD_WINDOW
    if not form.removing and is_newcomer(request, within=window):
        # A client dropping its cookie is a newcomer at each request: count newcomers'
        # ratings per address and book, and hold (never refuse) those past the first few.
        newcomers, _ = count_action("rating-new-visitor", f"{address}:{book.pk}", window)
        hold = newcomers > settings.RATING_HOLD_AFTER
        held_cap = limits.get("held")
        if hold and held_cap and (wait := over_limit("rating-held", address, *held_cap)):
            hours = -(-wait // 3600)
            return _rating_refused(
                request, book, 429,
                "Many ratings from your network are waiting for an editor already: please "
                f"try again in {hours} hour{'s' if hours != 1 else ''}.",
                retry_after=wait,
            )  # fmt: skip

    if form.removing:
        outcome = ratings.unrate(book=book, reader=reader)
        score = None
        message = (
            "Your rating was removed." if outcome == ratings.Outcome.REMOVED
            else "You had not rated this book."
        )  # fmt: skip
    else:
        score = form.cleaned_data["score"]
        outcome = ratings.rate(book=book, reader=reader, score=score, ip_hash=address, hold=hold)
        stars = f"{score} star{'s' if score > 1 else ''}"
        message = (
            f"Thank you: your rating of {stars} was received. Many ratings of this book "
            "came from your network just now, so it will count once an editor has checked it."
            if outcome == ratings.Outcome.HELD
            else f"Thank you: you rated this book {stars}."
        )

    if _wants_json(request):
        book = Book.objects.for_cards().get(pk=book.pk)
        response = JsonResponse(
            {
                "message": message,
                "your_rating": score,
                "rating_html": render_to_string(
                    "includes/rating_stars.html", {"rating": rating_context(book)}
                ),
                "histogram_html": render_to_string(
                    "includes/rating_histogram.html", {"rating_rows": rating_histogram(book)}
                ),
            }
        )
    else:
        messages.success(request, message)
        response = redirect(f"{book.get_absolute_url()}#your-rating")
    if new_visitor and not form.removing:  # a rating is stored: it has a reader to know
        remember_visitor(response, new_visitor)
    return response
