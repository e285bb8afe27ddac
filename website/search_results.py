"""The articles a search finds, kept across requests (pagecache.fragments).

Every search page is dropped by any change to any book (a rating moves the books' order)
or article. The articles a query finds change only with the articles: a page missed
after a rating need not search them again (at a million books and a hundred thousand
articles, the articles' search costs as much as the books'), nor render their teasers.

Two fragments, as catalogue.book_page's lists, because which articles are shown is
known only once they are found:

- *found*: the ids of the articles a query finds, in order, kept under the tag of the
  list of articles (whatever publishes, changes or withdraws an article moves it) and
  no longer than the next change by the clock (an article scheduled to appear);
- *teasers*: their teasers' HTML, keyed by those ids and kept under their own tags
  (a featured picture or a reading time changes without the list's tag).
"""

import hashlib
import json

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from articles.models import Article
from pagecache import fragments
from pagecache.tags import SITE, list_of, tags_for_ids

FRAGMENTS_VERSION = "search-articles-1"


def articles_found(query: str, *, limit: int) -> tuple[list[int], SafeString]:
    """The ids of the `limit` published articles that best match `query`, best first,
    and their teasers' list ("" when none), read back when kept."""
    found_key = "found:" + _digest(query, limit)
    with fragments.batch({found_key: [SITE, list_of(Article)]}, version=FRAGMENTS_VERSION) as kept:
        ids = kept.get(found_key)
        if ids is None:
            articles = list(Article.objects.published().for_teasers().search(query)[:limit])
            ids = [article.pk for article in articles]
            kept.put(found_key, ids)
        else:
            articles = None
    if not ids:
        return ids, SafeString("")
    teasers_key = "teasers:" + _digest(ids)
    wanted = {teasers_key: [SITE, *tags_for_ids(Article, ids)]}
    with fragments.batch(wanted, version=FRAGMENTS_VERSION) as kept:
        teasers = kept.get(teasers_key)
        if teasers is not None:
            return ids, mark_safe(teasers)  # our own render, kept as a string
        if articles is None:
            by_id = Article.objects.published().for_teasers().in_bulk(ids)
            articles = [by_id[pk] for pk in ids if pk in by_id]  # none gone, but in a race
        teasers = render_to_string("includes/teaser_list.html", {"articles": articles})
        kept.put(teasers_key, teasers)
    return ids, teasers


def _digest(*inputs) -> str:
    return hashlib.sha256(json.dumps(inputs).encode()).hexdigest()[:20]
