"""What a delete confirmation says above Django's own when articles readers see show the
row: which articles, and what becomes of them. Each admin says how it finds those
articles and names them (the desk's titles), so this knows no domain model."""

from collections.abc import Callable, Sequence


def warn_if_shown(
    context: dict,
    key: str,
    *,
    shown_in: Callable[[object], Sequence],
    titles: Callable[[Sequence], str],
    then: str = "",
) -> None:
    """Put the warning in the delete page's `context` under `key` when the object being
    deleted is shown in articles readers see or will see (`shown_in(obj)`); `then` says
    what else they lose, as a clause ("and their [[list:…]] lines show nothing")."""
    obj = context.get("object")
    shown = shown_in(obj) if obj is not None else []
    if shown:
        where = "an article" if len(shown) == 1 else "articles"
        context[key] = (
            f"“{obj}” is shown in {where} readers see or will see: {titles(shown)}. "
            f"Once it is deleted, it disappears from them{', ' + then if then else ''}."
        )
