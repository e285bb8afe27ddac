"""The way from an old address to where its row is now (shared.aliases keeps them)."""

from django.db.models import QuerySet
from django.http import HttpResponsePermanentRedirect
from django.shortcuts import redirect


def redirect_from_old_address(aliases: QuerySet, slug: str) -> HttpResponsePermanentRedirect | None:
    """A permanent redirect (301), in one hop, from `slug` to the page of the row whose old
    address it is; None when none of `aliases` has that slug (the page is not found).

    `aliases` is an alias model's rows (each names its row as `owner`), limited by the
    caller to rows readers may see, and with the owner selected so that this is one
    query. Where several have the slug, the first in their order wins (the latest)."""
    alias = aliases.filter(slug=slug).first()
    return None if alias is None else redirect(alias.owner, permanent=True)
