"""Housekeeping: when articles change, drop the cached pages that show them; when the
catalogue merges a book away, its embeds follow to the book kept; a restored article's
embeds follow its body; when a picture or a book an article shows changes or goes, the
body rendered at save is rendered again; a book that comes (made, recovered, renamed)
fills the references that found nothing, and so do the books an import writes."""

from django.db import transaction
from django.db.models import Min
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver
from django.utils import timezone

from catalogue.models import Book, Contribution
from catalogue.signals import book_merged, books_imported
from images.models import Image
from images.signals import image_changed
from pagecache.store import expiry_limit
from pagecache.tags import list_of, tag_for, tags_for_ids
from pagecache.versions import invalidate

from .models import Article, Topic, UnresolvedBookReference
from .references import book_named, keys_naming, reference_key
from .share_images import needs_new_image
from .tasks import make_share_images_after_commit, refresh_recommendations_after_commit


def embedded_book_tags(article_id: int) -> list[str]:
    embeds = Article.embedded_books.through.objects.filter(article_id=article_id)
    return tags_for_ids(Book, embeds.values_list("book_id", flat=True))


@receiver([post_save, post_delete], sender=Article)
def article_changed(sender, instance: Article, signal, **kwargs):
    # Published, withdrawn or retitled: the pages of the books it embeds list it too.
    # Withdrawn or deleted, no edge may serve its old pages even while the app fails.
    gone = signal is post_delete or instance.state == Article.State.WITHDRAWN
    tags = (tag_for(instance), list_of(Article), *embedded_book_tags(instance.pk))
    invalidate(*tags, gone=gone)


@receiver(pre_delete, sender=Article)
def article_leaving(sender, instance: Article, **kwargs):
    # The pages of the books it embeds list it.
    invalidate(*embedded_book_tags(instance.pk), gone=True)


@receiver(post_save, sender=Article)
def raw_save_records_embeds(sender, instance: Article, raw: bool, **kwargs):
    """A restore (reversion reverts a version with `save_base(raw=True)`) or a fixture
    writes the row without `Article.save()`, which keeps the embeds of every other save.

    Checked against django-reversion 6.4 (Version.revert -> DeserializedObject.save ->
    save_base(raw=True), then the version's many-to-many values set);
    tests/articles/test_embeds.py's restore test fails if reversion reverts otherwise."""
    if raw:
        instance._saved_raw = True  # the relations it sets next are corrected too
        # An old version's row holds the render of its day (books since merged, made or
        # deleted), or none (saved before renders were kept): rendered again.
        instance.refresh_rendered_body(again=True)
        instance.refresh_embedded_books()
        # An old version's row lacks what later saves derive (a word count of 0).
        instance.refresh_derived_text()


@receiver(m2m_changed, sender=Article.embedded_books.through)
def embeds_changed(sender, instance, action, pk_set, **kwargs):
    if action in ("post_add", "post_remove") and isinstance(instance, Article):
        invalidate(tag_for(instance), *tags_for_ids(Book, pk_set or ()))
    elif action == "pre_clear" and isinstance(instance, Article):
        invalidate(*embedded_book_tags(instance.pk))
    # After a raw save, the deserializer sets the embeds the old version or the fixture
    # lists (books since renamed, merged or deleted): they follow the body instead.
    restored = getattr(instance, "_saved_raw", False)
    if (
        restored
        and action.startswith("post_")
        and not getattr(instance, "_refreshing_embeds", False)
    ):
        instance.refresh_embedded_books()


@receiver(m2m_changed, sender=Article.embedded_lists.through)
def embedded_lists_changed(sender, instance, action, **kwargs):
    # As embeds_changed: after a raw save (a restore), the lists follow the body, not
    # the old version's record (lists since renamed or deleted).
    restored = getattr(instance, "_saved_raw", False)
    if (
        restored
        and action.startswith("post_")
        and not getattr(instance, "_refreshing_embeds", False)
    ):
        instance.refresh_embedded_books()


@receiver(m2m_changed, sender=Article.topics.through)
def article_topics_changed(sender, instance, action, pk_set, **kwargs):
    if action.startswith("post_") and isinstance(instance, Article):
        invalidate(tag_for(instance), *tags_for_ids(Topic, pk_set or ()))


@receiver([post_save, post_delete], sender=Topic)
def topic_changed(sender, instance: Topic, **kwargs):
    invalidate(tag_for(instance), list_of(Article))


@receiver(book_merged)
def embeds_follow_merge(sender, kept: Book, duplicate: Book, **kwargs) -> list[int]:
    """Articles that embedded the duplicate now embed the book kept (their bodies still
    name the old slug or ISBN, which resolves through the book's aliases, and their
    stored renders name the book kept); their "Read next" is refreshed once the merge
    commits."""
    article_ids = list(
        Article.objects.filter(embedded_books=duplicate).values_list("pk", flat=True)
    )
    for article in Article.objects.filter(pk__in=article_ids):
        article.embedded_books.add(kept)
        article.follow_merged_book(duplicate_id=duplicate.pk, kept_id=kept.pk)

    refresh_recommendations_after_commit(article_ids)
    return article_ids


# --- Books an article names but does not show: their pages carry no tag of theirs --------


@receiver(pre_save, sender=Book)
def book_status_read(sender, instance: Book, update_fields=None, **kwargs):
    # A page hides a book readers may not see, and so does not carry its tag: whether it
    # becomes public is told by the status stored before this save.
    if instance.pk is None or (update_fields is not None and "status" not in update_fields):
        return
    stored = Book.objects.filter(pk=instance.pk).values_list("status", flat=True).first()
    instance._status_stored = stored


@receiver(post_save, sender=Book)
def hidden_book_made_public(sender, instance: Book, **kwargs):
    """A book made public shows on the articles that name it (their stored renders name
    it whatever its status): their pages, which hid it, go."""
    stored = instance.__dict__.pop("_status_stored", None)
    if stored is None or stored == instance.status or instance.status != Book.Status.PUBLISHED:
        return
    embeds = Article.embedded_books.through.objects.filter(book_id=instance.pk)
    invalidate(*tags_for_ids(Article, embeds.values_list("article_id", flat=True)))


# --- Stored renders (Article.rendered_body): made again when what they hold changes -----

RENDERS_BATCH = 500  # stored renders read or written at a time
NAMES = ("slug", "isbn13")  # what a [[book:…]] reference names a book by


def render_again(article_ids, *, gone: bool = False) -> None:
    """Store these articles' bodies rendered anew and drop their pages: what a render
    keeps at save (a picture's figure, the book a reference names) has changed, or is
    `gone` (deleted: no edge may serve the old pages even while the app fails)."""
    articles = list(Article.objects.filter(pk__in=list(article_ids)).only("pk", "body"))
    for article in articles:
        article.refresh_rendered_body(again=True)
    invalidate(*tags_for_ids(Article, [article.pk for article in articles]), gone=gone)


@receiver(image_changed)
def figures_follow_image(sender, instance: Image, **kwargs) -> None:
    """A picture's words or renditions changed (the images app says so once committed):
    the articles that embed it show its new figure."""
    render_again(instance.articles.values_list("pk", flat=True))


@receiver(pre_delete, sender=Image)
@receiver(pre_delete, sender=Book)
def embedding_articles_noted(sender, instance, **kwargs) -> None:
    # The many-to-many rows naming it go with it: which articles showed it is read first.
    instance._embedded_in = list(instance.articles.values_list("pk", flat=True))


@receiver(post_delete, sender=Image)
@receiver(post_delete, sender=Book)
def renders_lose_book(sender, instance, **kwargs) -> None:
    """A picture deleted leaves the bodies that showed it; a book deleted is resolved
    again (to nothing, or to the book its old slug or ISBN now names), so no request
    goes looking for it. Once the deletion commits: a merge fills the book kept last."""
    article_ids = getattr(instance, "_embedded_in", ())
    if article_ids:
        transaction.on_commit(lambda: render_again(article_ids, gone=True))


@receiver(post_save, sender=Book)
def renders_find_book(sender, instance: Book, created: bool, raw: bool, **kwargs) -> None:
    """A book made, recovered in the desk (reversion saves it raw) or given a new slug or
    ISBN may be the one an article's reference found nothing for when it was rendered
    (deleted then, or not made yet): the mirror of `renders_lose_book`."""
    # As read before this save (changed_from ignores a blank ISBN given one).
    loaded = getattr(instance, "_loaded_values", {})
    renamed = any(name in loaded and loaded[name] != getattr(instance, name) for name in NAMES)
    if created or raw or renamed:
        renders_find_books([instance])


@receiver(books_imported)
def renders_find_imported_books(sender, book_ids: list[int], **kwargs) -> None:
    """An import's books (written in bulk, without post_save), looked for among the
    references that found no book as `renders_find_book` looks for one, a batch of books
    at a time: two queries a batch, and writes only for the articles naming them."""
    for start in range(0, len(book_ids), RENDERS_BATCH):
        batch = book_ids[start : start + RENDERS_BATCH]
        renders_find_books(list(Book.objects.filter(pk__in=batch).only("pk", "slug", "isbn13")))


def renders_find_books(books: list[Book]) -> None:
    """The references that found no book and name one of `books` now name it in the
    stored renders, the articles' embeds are recorded, their rows of references that
    found no book go and the articles' pages go. The articles are found by the rows'
    index (one query, whatever the number of articles or books) and written a batch at a
    time."""
    by_key: dict[str, list[Book]] = {}
    for book in books:
        for key in keys_naming(book):
            by_key.setdefault(key, []).append(book)
    if not by_key:
        return
    waiting = UnresolvedBookReference.objects.filter(reference__in=list(by_key))
    articles = Article.objects.filter(pk__in=waiting.values("article_id"))
    named, embeds = [], []
    through = Article.embedded_books.through
    for article in articles.only("pk", "rendered_body").iterator(chunk_size=RENDERS_BATCH):
        stored = article.rendered_body or {}
        book_ids = stored.get("book_ids")
        if book_ids is None:  # no stored render: the body is rendered at each request
            continue
        found = {}
        for ref in dict.fromkeys(ref for ref in stored.get("refs", ()) if ref not in book_ids):
            book = book_named(ref, by_key.get(reference_key(ref), ()))
            if book is not None:
                found[ref] = book.pk
        if found:
            book_ids.update(found)
            named.append(article)
            embeds += [through(article_id=article.pk, book_id=pk) for pk in set(found.values())]
    if not named:
        return
    Article.objects.bulk_update(named, ["rendered_body"], batch_size=RENDERS_BATCH)
    UnresolvedBookReference.objects.record_for(named, batch_size=RENDERS_BATCH)
    through.objects.bulk_create(embeds, ignore_conflicts=True, batch_size=RENDERS_BATCH)
    # A bulk write sends no signal: the pages showing these articles (and the books' own
    # pages, which list them) go here. Kept cards live under the books' tags.
    book_ids = {embed.book_id for embed in embeds}
    invalidate(*tags_for_ids(Book, book_ids), *tags_for_ids(Article, [a.pk for a in named]))


@expiry_limit
def next_scheduled_article() -> float | None:
    """Seconds until the next scheduled article appears: cached pages expire by then."""
    now = timezone.now()
    upcoming = Article.objects.filter(
        status=Article.Status.PUBLISHED, published_at__gt=now
    ).aggregate(first=Min("published_at"))["first"]
    return (upcoming - now).total_seconds() if upcoming else None


@expiry_limit
def next_scheduled_withdrawal() -> float | None:
    """Seconds until the next article's withdrawal time: no write happens then either, so
    the pages showing or listing it expire by that moment."""
    now = timezone.now()
    upcoming = Article.objects.filter(
        status=Article.Status.PUBLISHED, withdraw_at__gt=now
    ).aggregate(first=Min("withdraw_at"))["first"]
    return (upcoming - now).total_seconds() if upcoming else None


# --- Share images (articles.share_images): made again when what they show changes ------

# A book saved with any of these may change the picture of the articles it leads.
SHARE_IMAGE_BOOK_FIELDS = frozenset({"title", "status", "cover", "cover_renditions", "cover_url"})


@receiver(post_save, sender=Article)
def share_image_follows_article(sender, instance: Article, update_fields, raw, **kwargs):
    """A published article whose title or first public book changed (or that has no
    picture yet) gets one from the worker once the save commits. A restore (raw) names
    the picture its old version had, which may be deleted since: the worker checks."""
    if update_fields is not None and not {"title", "body", "status"} & set(update_fields):
        return
    if needs_new_image(instance) or (raw and instance.status == Article.Status.PUBLISHED):
        make_share_images_after_commit([instance.pk])


@receiver(post_save, sender=Book)
def share_images_follow_book(sender, instance: Book, update_fields, **kwargs):
    """The articles a book is in are checked when its title, status or cover may have
    changed (the worker draws only those whose first book it is and whose picture
    differs). Imports write books in bulk, without signals: `refresh_share_images`."""
    if update_fields is not None and not SHARE_IMAGE_BOOK_FIELDS & set(update_fields):
        return
    share_images_of_book_later(instance.pk)


@receiver(pre_delete, sender=Book)
def share_images_lose_book(sender, instance: Book, **kwargs):
    share_images_of_book_later(instance.pk)


@receiver([post_save, post_delete], sender=Contribution)
def share_images_follow_credit(sender, instance: Contribution, **kwargs):
    # A drawn cover names the book's first author.
    share_images_of_book_later(instance.book_id)


def share_images_of_book_later(book_id: int) -> None:
    published = Article.objects.filter(status=Article.Status.PUBLISHED)
    make_share_images_after_commit(
        published.filter(embedded_books=book_id).values_list("pk", flat=True)
    )


# --- Featured pictures: the pages that show one as a figure or a thumbnail -------------


@receiver(image_changed)
@receiver(pre_delete, sender=Image)
def featured_image_changed(sender, instance: Image, signal=None, **kwargs):
    """A featured picture whose words or renditions changed (or that is deleted: its
    articles are left without it) drops the pages that show it: its articles' own, and
    every list of teasers (their thumbnails name rendition files that may be gone)."""
    featuring = list(Article.objects.filter(featured_image=instance).values_list("pk", flat=True))
    if featuring:
        embeds = Article.embedded_books.through.objects.filter(article_id__in=featuring)
        books = embeds.values_list("book_id", flat=True)  # their pages list the articles
        tags = (list_of(Article), *tags_for_ids(Article, featuring), *tags_for_ids(Book, books))
        invalidate(*tags, gone=signal is pre_delete)
