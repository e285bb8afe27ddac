"""The article form's "Sharing" fields: a meta description and a social title (with the
limits the counters read), and a featured picture, chosen from the library."""

import pytest
from bs4 import BeautifulSoup

from articles.models import Article
from tests.factories import article_form, make_article
from tests.helpers import form_values, text_of
from tests.pictures import make_ready_image

pytestmark = pytest.mark.django_db


def test_the_sharing_fields_sit_together_with_their_limits(admin_client):
    page = admin_client.get("/admin/articles/article/add/")
    soup = BeautifulSoup(page.content, "html.parser")
    sharing = next(
        fieldset for fieldset in soup.select("fieldset")
        if fieldset.select_one("h2") and fieldset.select_one("h2").get_text(strip=True) == "Sharing"
    )  # fmt: skip
    assert sharing.select_one("#id_meta_description")["maxlength"] == "300"
    assert sharing.select_one("#id_social_title")["maxlength"] == "200"
    assert sharing.select_one("#id_featured_image") is not None
    assert "Left blank, the standfirst and the title are used." in sharing.get_text()
    # The withdrawal time sits with the publication time.
    times = [row["class"] for row in soup.select(".field-published_at, .field-withdraw_at")]
    assert len(times) == 2


def test_what_is_typed_in_them_is_kept(admin_client):
    data = article_form(title="Torgau", meta_description="Two armies meet on the Elbe.",
                        social_title="When East met West")  # fmt: skip
    assert admin_client.post("/admin/articles/article/add/", data).status_code == 302
    article = Article.objects.get()
    assert article.meta_description == "Two armies meet on the Elbe."
    assert article.social_title == "When East met West"
    kept = form_values(admin_client.get(f"/admin/articles/article/{article.pk}/change/"))
    assert kept["social_title"] == "When East met West"


def test_an_overlong_social_title_is_refused_in_words(admin_client):
    article = make_article(title="Torgau")
    data = form_values(admin_client.get(f"/admin/articles/article/{article.pk}/change/"))
    data.update(social_title="x" * 201, _save="Save")
    refused = admin_client.post(f"/admin/articles/article/{article.pk}/change/", data)
    assert refused.status_code == 200
    assert "at most 200 characters" in " ".join(
        text_of(refused.content, ".field-social_title .errorlist li")
    )


def test_the_featured_picture_is_chosen_by_searching_the_library(admin_client):
    page = admin_client.get("/admin/articles/article/add/")
    widget = BeautifulSoup(page.content, "html.parser").select_one("#id_featured_image")
    assert "admin-autocomplete" in widget["class"]
    assert widget["data-field-name"] == "featured_image"
    make_ready_image(alt="The bridge at Torgau", credit="US Army")
    make_ready_image(alt="A field of wheat")
    found = admin_client.get(
        "/admin/autocomplete/?app_label=articles&model_name=article&field_name=featured_image"
        "&term=torgau"
    )
    assert found.status_code == 200
    texts = [result["text"] for result in found.json()["results"]]
    assert len(texts) == 1 and texts[0].startswith("The bridge at Torgau")
