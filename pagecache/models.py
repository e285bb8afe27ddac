"""What the database keeps for the page cache: parts of pages stored with the data they
show (pagecache.stored_parts), and when each tag last changed, which tells them stale."""

from django.db import models


class TagChange(models.Model):
    """The last time pages showing `tag` changed (pagecache.versions.invalidate), written
    once the change is committed."""

    tag = models.CharField(max_length=255, primary_key=True)
    changed_at = models.BigIntegerField(help_text="time.time_ns() of the change")

    def __str__(self) -> str:
        return self.tag


class StoredPart(models.Model):
    """A part of pages (a book's card on an article) as rendered, with the tags of what it
    shows: used while none of them has changed since its data was read."""

    key = models.CharField(max_length=64, primary_key=True)  # a digest of the part's name
    tags = models.JSONField()  # as the render named them, which checks them: for people
    # time.time_ns() when the data it was made from was read, less a margin for clocks.
    made_at = models.BigIntegerField(db_index=True)
    value = models.BinaryField()  # pickled, as Django's database cache keeps values

    def __str__(self) -> str:
        return self.key
