"""Old addresses: what a row's slug was before a rename, which still leads to it.

`OldAddress` is the alias row (an abstract model: each app keeps its own table, whose
`owner_field` names the row the address leads to, with `related_name="aliases"`);
`KeepsOldAddresses` is the owner's side: the old slugs no other row may take, and the
alias a rename leaves. `refuse_old_address` is the model validation that keeps them.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from .slugs import old_slugs_of


class OldAddress(models.Model):
    """An address a row had before its slug changed; it redirects there (301)."""

    owner_field: str  # the foreign key to the row the address leads to

    slug = models.SlugField(max_length=200, unique=True, allow_unicode=True)
    created_at = models.DateTimeField("since", auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.slug} → {self.owner}"

    @property
    def owner(self):
        """The row this address leads to (refuse_old_address names it)."""
        return getattr(self, self.owner_field)


class KeepsOldAddresses:
    """Model mixin for a row whose old addresses (its `aliases`, an OldAddress model)
    redirect to it."""

    @classmethod
    def old_address_model(cls) -> type[OldAddress]:
        return cls._meta.get_field("aliases").related_model

    @classmethod
    def old_slugs(cls, other_than=None):
        """Addresses rows of this model had, but `other_than`'s: no other row may take one."""
        model = cls.old_address_model()
        aliases = model.objects.exclude(slug="")
        if other_than is not None and other_than.pk:
            aliases = aliases.exclude(**{model.owner_field: other_than.pk})
        return aliases

    def old_address_details(self, old_isbn13: str = "") -> dict:
        """What an alias records beside its slug and owner (a book: its title and ISBN)."""
        return {}

    def addresses_taken_back(self) -> Q:
        """The aliases that name what the row now holds again: live again, not old."""
        return Q(slug=self.slug)

    def keep_old_addresses(self, old_slug: str, old_isbn13: str = "") -> None:
        """After a rename (or a restore of an older slug): the old address leads here.
        Aliases name the row, not a slug, so a second rename makes no chain; an address
        the row takes back is live again. Where an alias's slug is unique, one that led
        elsewhere is pointed here; otherwise each rename adds its own."""
        model = self.old_address_model()
        owner = {model.owner_field: self}
        details = self.old_address_details(old_isbn13)
        if model._meta.get_field("slug").unique:
            model.objects.update_or_create(slug=old_slug, defaults={**owner, **details})
        else:
            model.objects.create(slug=old_slug, **owner, **details)
        model.objects.filter(self.addresses_taken_back(), **owner).delete()

    keep_old_addresses.alters_data = True


def refuse_old_address(instance) -> None:
    """Model validation: a slug that is another row's old address (it redirects there)
    cannot be given to this one. Each alias names its row as `owner` (OldAddress).

    A slug is also spelled one way, in lower case (as slugify makes them): `Dune` beside
    `dune` would be two addresses, and two embeds, that a reader cannot tell apart."""
    if not instance.slug:
        return
    instance.slug = instance.slug.lower()
    alias = old_slugs_of(type(instance), instance).filter(slug=instance.slug).first()
    if alias is not None:
        raise ValidationError(
            {
                "slug": f"“{instance.slug}” is an old address of “{alias.owner}” and leads "
                "there; choose another slug."
            }
        )
