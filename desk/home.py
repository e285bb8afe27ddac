"""The desk's first page: panels of the work waiting, which the apps declare.

The desk knows no domain model, so it asks each app: an AppConfig names, in
`desk_home_panels`, a function taking the request and answering a list of `Panel`s
(`articles.home_panels.panels`: waiting for review, my drafts …). A function decides
itself who sees its panels (the request's user and permissions) and bounds its rows.
`DeskAdminSite.index` shows them above the list of apps, by their `place`.
"""

from dataclasses import dataclass, field

from django.apps import apps
from django.http import HttpRequest
from django.utils.module_loading import import_string

# Rows a panel shows at most; "See all" leads to the rest.
PANEL_ROWS = 8


@dataclass(frozen=True)
class PanelRow:
    """One piece of work: a link to it, and a line saying where it stands."""

    label: str
    url: str
    detail: str = ""
    note: str = ""  # words someone wrote with it (a review note), shown quoted


@dataclass(frozen=True)
class Panel:
    """A list of work on the desk's first page. `empty` is what it says with no rows."""

    title: str
    rows: list[PanelRow] = field(default_factory=list)
    empty: str = "Nothing here."
    see_all_url: str = ""
    see_all_label: str = "See all"
    place: int = 100  # panels are shown by place, lowest first, whichever app declares them

    @property
    def slug(self) -> str:
        """A name for the panel's heading id, from its title."""
        return "-".join("".join(c if c.isalnum() else " " for c in self.title.lower()).split())


def panels_for(request: HttpRequest) -> list[Panel]:
    """Every app's panels for this request, by place."""
    panels: list[Panel] = []
    for app_config in apps.get_app_configs():
        declared = getattr(app_config, "desk_home_panels", None)
        if declared:
            panels += import_string(declared)(request)
    return sorted(panels, key=lambda panel: panel.place)
