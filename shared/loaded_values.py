"""What a row held when it was read, so that a save can tell what it changes."""


class RemembersLoadedValues:
    """Model mixin: what `remembered_fields` held when the row was read or last saved,
    so a save can tell what it changes (`changed_from`), as renames need to."""

    remembered_fields: tuple[str, ...] = ("slug",)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance.remember_values()
        return instance

    def remember_values(self) -> None:
        # Deferred fields are not in __dict__: reading them would cost a query each.
        self._loaded_values = {
            name: self.__dict__[name] for name in self.remembered_fields if name in self.__dict__
        }

    def changed_from(self, name: str):
        """The value `name` had when read, if the instance now holds another; else None."""
        loaded = getattr(self, "_loaded_values", {}).get(name)
        return loaded if loaded and loaded != getattr(self, name) else None
