"""What a contributor's pages of the library cost: whether a picture of theirs is still
theirs to change (no article readers see shows it) is read once a page, not at each of
the admin's permission checks, and never once per row of the list."""

from images.models import Image
from tests.factories import make_article
from tests.pictures import make_ready_image

LIST_URL = "/admin/images/image/"


def owned(user, **fields) -> Image:
    image = make_ready_image(**fields)
    Image.objects.filter(pk=image.pk).update(uploaded_by=user)
    return Image.objects.get(pk=image.pk)


def test_the_library_list_costs_a_contributor_the_same_however_many_pictures(
    client, people, django_assert_num_queries
):
    client.force_login(people["casey"])
    owned(people["casey"], alt="Mine")
    client.get(LIST_URL)
    with django_assert_num_queries(9):
        assert client.get(LIST_URL).status_code == 200
    for number in range(6):
        owned(people["casey"], alt=f"Mine {number}")
    with django_assert_num_queries(9):
        page = client.get(LIST_URL)
    assert page.content.decode().count('class="image-thumbnail"') == 7


def test_a_contributors_own_picture_asks_where_it_is_used_once_a_page(
    client, people, django_assert_num_queries
):
    mine = owned(people["casey"], alt="Mine")
    make_article(title="A draft", status="draft").embedded_images.add(mine)
    client.force_login(people["casey"])
    url = f"/admin/images/image/{mine.pk}/change/"
    client.get(url)
    # An editor's 9 (the form's "Where used" reads the articles, with their writers' ids to
    # know whether the contributor may open each), and the articles read once more to ask
    # whether readers see the picture: 22 when each permission check read them.
    with django_assert_num_queries(11):
        page = client.get(url)
    assert 'name="_save"' in page.content.decode()  # still theirs to change


def test_a_contributors_picture_readers_see_is_no_longer_theirs_to_change(client, people):
    mine = owned(people["casey"], alt="Mine")
    make_article(title="Live", featured_image=mine)
    client.force_login(people["casey"])
    page = client.get(f"/admin/images/image/{mine.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
