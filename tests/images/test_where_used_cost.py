"""What a picture's "Where used" costs a contributor: the same however many drafts use
the picture (whether the contributor may open a draft is told by the draft as read, not
by one more query for each draft's writer)."""

from articles.models import Article
from images.models import Image
from tests.factories import make_article
from tests.helpers import text_of
from tests.pictures import make_ready_image


def drafts_using(image, writer, titles: list[str]) -> None:
    for title in titles:
        draft = make_article(title=title, status=Article.Status.DRAFT)
        Article.objects.filter(pk=draft.pk).update(created_by=writer)
        draft.embedded_images.add(image)


def test_where_used_costs_a_contributor_the_same_however_many_drafts(
    client, people, django_assert_num_queries
):
    casey, chris = people["casey"], people["chris"]
    image = make_ready_image(alt="A ship")
    Image.objects.filter(pk=image.pk).update(uploaded_by=casey)
    url = f"/admin/images/image/{image.pk}/change/"
    client.force_login(casey)
    drafts_using(image, casey, ["Mine 1"])
    drafts_using(image, chris, ["Theirs 1"])
    client.get(url)
    with django_assert_num_queries(11):
        client.get(url)

    drafts_using(image, casey, ["Mine 2", "Mine 3"])
    drafts_using(image, chris, ["Theirs 2", "Theirs 3"])
    with django_assert_num_queries(11):
        page = client.get(url)
    used = text_of(page.content, ".field-where_used dt, .field-where_used dd", " ")
    assert used == [
        "Not public (3)",
        "Mine 3 · in the body · draft",
        "Mine 2 · in the body · draft",
        "Mine 1 · in the body · draft",
        "3 more not public, which only their writers and editors open",
    ]
