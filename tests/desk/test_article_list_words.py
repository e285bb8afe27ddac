"""The article list's filters in plain words: "By writer" (it read "By written by")."""

import pytest
from bs4 import BeautifulSoup

pytestmark = pytest.mark.django_db


def filters_on(client) -> dict[str, list[str]]:
    page = BeautifulSoup(client.get("/admin/articles/article/").content, "html.parser")
    return {
        " ".join(heading.get_text().split()): [
            " ".join(choice.get_text().split()) for choice in heading.find_next("ul").select("li")
        ]
        for heading in page.select("#changelist-filter details summary")
    }


def test_editors_filter_by_writer(editor):
    filters = filters_on(editor)
    assert filters["By writer"] == ["All", "Me"]
    assert "By written by" not in filters
