"""Publishing, scheduling and withdrawing an article outside its form (the list's bulk
actions, articles/admin_actions.py): each a typed write that checks the status rules,
saves the article in a revision of its own (named in the history) and says, when it
does nothing, why.

The page cache follows by the article's save (articles/signals.py purges its pages);
withdrawing revokes the article's preview links for good (articles/previews.py).
"""

from datetime import datetime

import reversion
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from .models import Article
from .previews import revoke_all_links


class NotDone(Exception):
    """Why an article was left as it was, in words for the editor."""


def publish_now(*, article: Article, user: AbstractBaseUser) -> None:
    """Make the article live from now: a draft, one in review, a scheduled one or a
    withdrawn one. A live one is left alone."""
    if article.state == Article.State.PUBLISHED:
        raise NotDone("it is already live")
    was_withdrawn = article.state == Article.State.WITHDRAWN
    now = timezone.now()
    article.status = Article.Status.PUBLISHED
    article.published_at = now
    if article.withdraw_at is not None and article.withdraw_at <= now:
        article.withdraw_at = None  # a withdrawal time passed would take it off at once
    save_in_revision(
        article, user=user, comment="Published now, from the list.", was_withdrawn=was_withdrawn
    )


def schedule(*, article: Article, user: AbstractBaseUser, when: datetime) -> None:
    """Make the article go live by itself at `when` (a time to come)."""
    if when <= timezone.now():
        raise NotDone("the time has passed")
    if article.state == Article.State.PUBLISHED:
        raise NotDone("it is already live: withdraw it first, or change its time in its form")
    if article.withdraw_at is not None and article.withdraw_at <= when:
        raise NotDone("its withdrawal time comes before: change it in its form")
    was_withdrawn = article.state == Article.State.WITHDRAWN
    article.status = Article.Status.PUBLISHED
    article.published_at = when
    save_in_revision(
        article, user=user, comment="Scheduled, from the list.", was_withdrawn=was_withdrawn
    )


def withdraw(*, article: Article, user: AbstractBaseUser) -> None:
    """Take a live or scheduled article off the site now; its preview links stop for good."""
    if article.state == Article.State.WITHDRAWN:
        raise NotDone("it is already withdrawn")
    if article.state not in (Article.State.PUBLISHED, Article.State.SCHEDULED):
        raise NotDone(f"it is not published (it is {article.state.label.lower()})")
    article.status = Article.Status.WITHDRAWN
    save_in_revision(article, user=user, comment="Withdrawn, from the list.")


def save_in_revision(
    article: Article, *, user: AbstractBaseUser, comment: str, was_withdrawn: bool = False
) -> None:
    """Save the article as a version of its own, by `user`, with `comment`. One that is or
    was withdrawn (by hand or by its time) loses its preview links for good: bringing it
    back never brings them back."""
    with transaction.atomic(), reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(comment)
        article.save()
        if was_withdrawn or article.state == Article.State.WITHDRAWN:
            revoke_all_links(article=article, user=user)
