"""Scheduling from the article list says, before the time is chosen, which articles are
already live and so left as they are: the page listed them among those that "will go live
by themselves at the time you choose", its button counted them, and only the message
after the time was chosen said they had been left."""

import pytest

from articles.models import Article
from tests.factories import make_article
from tests.helpers import text_of

pytestmark = pytest.mark.django_db


def schedule_page(editor, articles):
    selection = {"action": "schedule_selected", "_selected_action": [a.pk for a in articles]}
    page = editor.post("/admin/articles/article/", selection)
    assert page.status_code == 200
    return page


def test_live_articles_are_named_apart_and_not_counted(editor):
    draft = make_article(title="Coming soon", status=Article.Status.DRAFT)
    live = make_article(title="Out already")
    page = schedule_page(editor, [draft, live])
    lists = text_of(page.content, "#content-main ul", " ")
    assert lists == ["Coming soon (Draft)", "Out already (Published)"]
    paragraphs = text_of(page.content, "#content-main > p")
    assert paragraphs[1].startswith("Already live, so left as it is")
    assert 'value="Schedule 1 article"' in page.content.decode()


def test_nothing_to_schedule_offers_no_button(editor):
    live = make_article(title="Out already")
    page = schedule_page(editor, [live])
    assert "will go live by themselves" not in page.content.decode()
    assert 'value="Schedule' not in page.content.decode()
    assert text_of(page.content, "a.cancel-link") == ["Cancel"]
