"""The articles a search finds, kept across requests (pagecache.fragments).

Every search page is dropped by any change to any book (a rating moves the books' order)
or article. The articles a query finds change only with the articles: a page missed
after a rating need not search them again (at a million books and a hundred thousand
articles, the articles' search costs as much as the books'), nor render their teasers.

Two kinds of fragment, because which articles are shown is known only once they are
found:

- *found*: the ids of the articles a query finds, in order, kept under the tag of the
  list of articles (whatever publishes, changes or withdraws an article moves it) and no
  longer than the next change by the clock (an article scheduled to appear). One a
  query: what strangers type could fill the cache with them, so at most
  PAGE_CACHE_QUERY_PAGES are kept per PAGE_CACHE_QUERY_SECONDS, as query pages are
  stored (each a list of at most 20 numbers, kept as long as a page);
- *teaser*: each article's teaser, under the article's own tag (its featured picture
  or reading time changes without the list's tag); one an article, whatever the queries.
"""

import hashlib

from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe

from articles.models import Article
from pagecache import fragments, store
from pagecache.tags import SITE, list_of, tag_for_id

FRAGMENTS_VERSION = "search-articles-1"
# Counts the found articles kept in the current window (see within_budget).
BUDGET_KEY = "search-found-budget:"


def articles_found(query: str, *, limit: int) -> tuple[list[int], list[SafeString]]:
    """The ids of the `limit` published articles that best match `query`, best first,
    and their teasers, read back when kept."""
    if not query.strip():  # the search page's own page: nothing searched, nothing kept
        return [], []
    found_key = "found:" + hashlib.sha256(f"{limit}:{query}".encode()).hexdigest()[:20]
    with fragments.batch({found_key: [SITE, list_of(Article)]}, version=FRAGMENTS_VERSION) as kept:
        ids = kept.get(found_key)
        articles = None
        if ids is None:
            articles = list(Article.objects.published().for_teasers().search(query)[:limit])
            ids = [article.pk for article in articles]
            if kept.enabled and within_budget():
                kept.put(found_key, ids)
    return ids, teasers(ids, articles)


def teasers(ids: list[int], articles: list[Article] | None) -> list[SafeString]:
    """Each article's teaser (includes/article_teaser.html), kept under its tag; the
    articles are read for those not kept, unless given."""
    keys = {pk: f"teaser:{pk}" for pk in ids}
    wanted = {key: [SITE, tag_for_id(Article, pk)] for pk, key in keys.items()}
    with fragments.batch(wanted, version=FRAGMENTS_VERSION) as kept:
        html = {pk: kept.get(key) for pk, key in keys.items()}
        missing = [pk for pk, teaser in html.items() if teaser is None]
        if missing:
            if articles is None:
                articles = Article.objects.published().for_teasers().filter(pk__in=missing)
            template = get_template("includes/article_teaser.html")
            for article in articles:
                if article.pk in missing:
                    html[article.pk] = template.render({"article": article})
                    kept.put(keys[article.pk], html[article.pk])
    # Our own render, kept as a string; one gone since the ids were kept is left out.
    return [mark_safe(html[pk]) for pk in ids if html[pk] is not None]


def within_budget() -> bool:
    """Whether another query's found articles may be kept in this window: as many as
    query pages may be stored, on a count of their own."""
    try:
        return store.within_query_budget(BUDGET_KEY)
    except Exception:  # noqa: BLE001 - any cache backend's error: keep nothing
        return False
