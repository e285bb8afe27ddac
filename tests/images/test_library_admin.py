"""The pictures library in the desk: adding, describing, finding, where used, who may
change what, deleting, and the JSON upload the article form uses."""

from bs4 import BeautifulSoup
from django.core.files.uploadedfile import SimpleUploadedFile

from articles.models import Article
from images.library import add_image
from images.models import Image
from tests.desk.test_admin_routes import posted_form
from tests.factories import make_article
from tests.helpers import text_of
from tests.pictures import make_ready_image

from .conftest import picture_upload, words

ADD_URL = "/admin/images/image/add/"
LIST_URL = "/admin/images/image/"
UPLOAD_URL = "/admin/images/image/upload/"


def change_url(image) -> str:
    return f"/admin/images/image/{image.pk}/change/"


def change_form(client, image, **overrides) -> dict:
    data = posted_form(client.get(change_url(image)))
    return {**data, **overrides}


def owned(user, **fields) -> Image:
    image = make_ready_image(**fields)
    Image.objects.filter(pk=image.pk).update(uploaded_by=user)
    return Image.objects.get(pk=image.pk)


# --- Adding and describing ----------------------------------------------------------------


def test_an_editor_adds_a_picture_and_sees_its_thumbnail_in_the_library(desk_client, people):
    desk_client.force_login(people["erin"])
    response = desk_client.post(
        ADD_URL, {**words(credit="Photo: Jane Doe"), "file": picture_upload()}
    )
    assert response.status_code == 302, text_of(response.content, ".errorlist")
    image = Image.objects.get()
    assert image.status == Image.Status.READY and image.uploaded_by == people["erin"]
    page = BeautifulSoup(desk_client.get(LIST_URL).content, "html.parser")
    thumbnail = page.select_one("td.field-thumbnail img, th.field-thumbnail img")
    assert thumbnail["src"] == f"/media/{image.renditions['400']['jpeg']}"
    assert "A ship in a storm" in text_of(page.decode(), "#result_list")[0]


def test_alt_text_is_required_unless_the_picture_is_decorative(desk_client, people, media_root):
    desk_client.force_login(people["erin"])
    response = desk_client.post(ADD_URL, {**words(alt=""), "file": picture_upload()})
    assert response.status_code == 200
    assert text_of(response.content, ".field-alt .errorlist") == [
        "Describe what the picture shows, for readers who cannot see it, or tick "
        "“Decorative” if it adds nothing the text does not say."
    ]
    assert not Image.objects.exists() and not media_root.exists()
    decorative = {**words(alt=""), "decorative": "on", "file": picture_upload()}
    assert desk_client.post(ADD_URL, decorative).status_code == 302
    assert Image.objects.get().decorative


def test_a_file_that_is_not_a_picture_gets_a_clear_error_under_the_field(desk_client, people):
    desk_client.force_login(people["erin"])
    upload = SimpleUploadedFile("ship.jpg", b"Chapter One\n" * 100)
    response = desk_client.post(ADD_URL, {**words(), "file": upload})
    assert text_of(response.content, ".field-file .errorlist") == [
        "The file is not an image, or it is damaged; upload a JPEG, PNG or WebP image."
    ]
    assert not Image.objects.exists()


def test_the_add_form_takes_the_source_address_from_the_link_that_opened_it(desk_client, people):
    desk_client.force_login(people["erin"])
    page = desk_client.get(f"{ADD_URL}?source_url=https://upload.wikimedia.org/ship.jpg")
    field = BeautifulSoup(page.content, "html.parser").select_one("#id_source_url")
    assert field["value"] == "https://upload.wikimedia.org/ship.jpg"


def test_the_form_offers_the_drop_zone_script_and_the_accepted_formats(desk_client, people):
    desk_client.force_login(people["erin"])
    page = BeautifulSoup(desk_client.get(ADD_URL).content, "html.parser")
    assert page.select_one("#id_file")["accept"] == "image/jpeg,image/png,image/webp"
    script = page.select_one('script[src$="images/drop_zone.js"]')
    assert script is not None and script.has_attr("defer")


def test_changing_the_words_of_a_ready_picture_re_renders_it_where_used(
    desk_client, people, monkeypatch
):
    from images.signals import image_changed

    desk_client.force_login(people["erin"])
    image = owned(people["erin"], alt="A ship")
    sent, purged = [], []
    monkeypatch.setattr("images.preparing.invalidate", lambda *tags: purged.extend(tags))
    image_changed.connect(receiver := lambda sender, instance, **kw: sent.append(instance.pk))
    try:
        data = change_form(desk_client, image, caption="The Mary Rose, 1545")
        response = desk_client.post(change_url(image), data)
        assert response.status_code == 302, text_of(response.content, ".errorlist")
        # A save that changes nothing readers see re-renders nothing.
        desk_client.post(change_url(image), change_form(desk_client, image, source_url=""))
    finally:
        image_changed.disconnect(receiver)
    assert Image.objects.get(pk=image.pk).caption == "The Mary Rose, 1545"
    assert sent == [image.pk] and purged == [f"images.image:{image.pk}"]


def test_replacing_the_file_keeps_the_picture_and_its_id(desk_client, people):
    desk_client.force_login(people["erin"])
    desk_client.post(ADD_URL, {**words(), "file": picture_upload()})
    image = Image.objects.get()
    before = image.renditions
    data = change_form(desk_client, image, file=picture_upload("new.png", image_format="PNG"))
    response = desk_client.post(change_url(image), data)
    assert response.status_code == 302, text_of(response.content, ".errorlist")
    after = Image.objects.get()
    assert after.pk == image.pk and after.alt == "A ship in a storm"
    assert after.file.name.endswith(".png") and after.renditions != before


def test_a_colleagues_save_in_between_is_not_overwritten(desk_client, people):
    desk_client.force_login(people["erin"])
    image = owned(people["erin"], alt="A ship")
    opened = change_form(desk_client, image)
    desk_client.post(change_url(image), {**opened, "caption": "Saved first"})
    response = desk_client.post(change_url(image), {**opened, "caption": "Saved second"})
    assert response.status_code == 200
    assert "Not saved" in " ".join(text_of(response.content, ".errornote"))
    assert Image.objects.get(pk=image.pk).caption == "Saved first"


# --- Finding ------------------------------------------------------------------------------


def test_the_library_is_searched_by_its_words_and_filtered_by_use(desk_client, people):
    desk_client.force_login(people["erin"])
    ship = make_ready_image(alt="A ship", credit="Photo: Jane Doe")
    map_ = make_ready_image(alt="A map", licence="CC BY-SA 4.0")
    make_article(title="Sea", featured_image=ship)

    def listed(query: str) -> list[str]:
        page = desk_client.get(f"{LIST_URL}?{query}").content
        return text_of(page, "#result_list td.field-words, #result_list th.field-words")

    assert listed("q=jane") == ["A ship"]
    assert listed("q=cc+by-sa") == ["A map"]
    assert listed("use=unused") == ["A map"]
    assert listed("use=used") == ["A ship"]
    assert map_.pk != ship.pk


def test_the_library_list_takes_the_same_queries_however_many_pictures(
    desk_client, people, django_assert_max_num_queries
):
    desk_client.force_login(people["erin"])
    for number in range(3):
        make_article(title=f"Sea {number}", featured_image=make_ready_image())
    desk_client.get(LIST_URL)
    with django_assert_max_num_queries(12) as three:
        desk_client.get(LIST_URL)
    for number in range(10):
        make_article(title=f"Land {number}", featured_image=make_ready_image())
    with django_assert_max_num_queries(len(three.captured_queries)):
        desk_client.get(LIST_URL)


def test_where_used_names_the_articles_featuring_or_embedding_the_picture(desk_client, people):
    desk_client.force_login(people["erin"])
    image = make_ready_image(alt="A ship")
    live = make_article(title="The wreck", featured_image=image)
    live.embedded_images.add(image)
    draft = make_article(title="Notes", status=Article.Status.DRAFT)
    draft.embedded_images.add(image)
    used = text_of(desk_client.get(change_url(image)).content, ".field-where_used dd", " ")
    assert used == ["The wreck · featured and in the body · view", "Notes · in the body · draft"]


# --- Who may change what --------------------------------------------------------------------


def test_a_contributor_changes_their_own_pictures_and_not_anothers(desk_client, people):
    mine = owned(people["casey"], alt="Mine")
    theirs = owned(people["chris"], alt="Theirs")
    desk_client.force_login(people["casey"])
    response = desk_client.post(change_url(mine), change_form(desk_client, mine, caption="Ok"))
    assert response.status_code == 302
    assert Image.objects.get(pk=mine.pk).caption == "Ok"
    # Another's picture is shown to them (to embed it) but not to change.
    page = desk_client.get(change_url(theirs))
    assert page.status_code == 200 and not BeautifulSoup(page.content, "html.parser").select(
        "input[name=_save]"
    )
    data = {**words(alt="Mine now"), "loaded_version": str(theirs.version)}
    assert desk_client.post(change_url(theirs), data).status_code == 403
    assert Image.objects.get(pk=theirs.pk).alt == "Theirs"
    assert (
        desk_client.post(f"/admin/images/image/{theirs.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )


def test_deleting_a_picture_live_articles_show_names_them_first(desk_client, people):
    desk_client.force_login(people["erin"])
    image = make_ready_image(alt="A ship")
    make_article(title="The wreck", featured_image=image).embedded_images.add(image)
    page = desk_client.get(f"/admin/images/image/{image.pk}/delete/").content
    assert text_of(page, "p.errornote") == [
        f"“A ship (#{image.pk})” is shown in an article readers see or will see: “The wreck”. "
        "Once it is deleted, it disappears from them."
    ]
    assert "The picture in “The wreck” (live)" in " ".join(text_of(page, "#content ul li"))
    desk_client.post(f"/admin/images/image/{image.pk}/delete/", {"post": "yes"})
    assert not Image.objects.exists()
    assert Article.objects.get().featured_image is None


# --- The JSON upload --------------------------------------------------------------------------


def test_the_upload_endpoint_adds_a_picture_and_answers_its_embed_line(desk_client, people):
    desk_client.force_login(people["casey"])  # contributors add pictures too
    response = desk_client.post(
        UPLOAD_URL, {"file": picture_upload(size=(900, 600)), "alt": "A ship", "credit": "Jane"}
    )
    assert response.status_code == 200, response.content
    image = Image.objects.get()
    answer = response.json()
    assert answer["id"] == image.pk and answer["embed"] == f"[[image:{image.pk}]]"
    # Answered before the save commits and the worker takes it (in production with tasks
    # run at once, the answer is "ready" with its thumbnail already).
    assert answer["status"] == "waiting" and answer["thumbnail"] is None
    assert image.credit == "Jane" and image.uploaded_by == people["casey"]
    assert image.status == Image.Status.READY  # once committed


def test_the_upload_endpoint_says_what_is_wrong_in_words(desk_client, people, media_root):
    desk_client.force_login(people["erin"])
    response = desk_client.post(
        UPLOAD_URL, {"file": SimpleUploadedFile("a.gif", b"GIF89a" + b"\x00" * 20), "alt": ""}
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["file"] == [
        "The file is not an image, or it is damaged; upload a JPEG, PNG or WebP image."
    ]
    assert errors["alt"][0].startswith("Describe what the picture shows")
    assert not Image.objects.exists() and not media_root.exists()
    assert desk_client.get(UPLOAD_URL).status_code == 405


def test_words_past_their_length_are_refused_in_words_and_kept_in_the_form(
    desk_client, people, media_root
):
    """A 100,000-character alt text was accepted."""
    desk_client.force_login(people["erin"])
    long_alt, long_caption = "A ship. " * 12_500, "x" * 2_001
    response = desk_client.post(
        ADD_URL, {**words(alt=long_alt, caption=long_caption), "file": picture_upload()}
    )
    assert response.status_code == 200
    assert text_of(response.content, ".field-alt .errorlist") == [
        "The alt text has 99,999 characters; keep it to 1,000: say what the picture shows "
        "(a longer description belongs in the article)."
    ]
    assert text_of(response.content, ".field-caption .errorlist") == [
        "The caption has 2,001 characters; keep it to 2,000."
    ]
    page = BeautifulSoup(response.content, "html.parser")
    assert page.select_one("#id_caption").text.strip() == long_caption
    assert not Image.objects.exists() and not media_root.exists()

    at_most = {**words(alt="a" * 1_000, caption="c" * 2_000), "file": picture_upload()}
    assert desk_client.post(ADD_URL, at_most).status_code == 302


def test_the_upload_endpoint_refuses_words_past_their_length(desk_client, people, media_root):
    desk_client.force_login(people["erin"])
    response = desk_client.post(
        UPLOAD_URL, {"file": picture_upload(), "alt": "a" * 1_001, "caption": "c" * 100_000}
    )
    assert response.status_code == 400
    assert response.json()["message"] == (
        "The alt text has 1,001 characters; keep it to 1,000: say what the picture shows "
        "(a longer description belongs in the article). "
        "The caption has 100,000 characters; keep it to 2,000."
    )
    assert not Image.objects.exists() and not media_root.exists()


def test_the_library_and_the_endpoint_share_one_write(db):
    image = add_image(file=picture_upload(), alt="A ship", decorative=False)
    assert image.file.name.startswith("private/image-uploads/")
    assert image.status == Image.Status.WAITING  # the worker runs once this commits


def test_restoring_a_version_brings_back_the_words_and_keeps_the_files(desk_client, people):
    from reversion.models import Version

    desk_client.force_login(people["erin"])
    desk_client.post(ADD_URL, {**words(caption="First words"), "file": picture_upload()})
    image = Image.objects.get()
    first = Version.objects.get_for_object(image).get()
    desk_client.post(change_url(image), change_form(desk_client, image, caption="Second words"))
    url = f"/admin/images/image/{image.pk}/history/{first.pk}/"
    response = desk_client.post(url, posted_form(desk_client.get(url)))
    assert response.status_code == 302, text_of(response.content, ".errorlist")
    restored = Image.objects.get()
    assert restored.caption == "First words"
    assert (restored.file.name, restored.renditions) == (image.file.name, image.renditions)
    assert restored.status == Image.Status.READY


def test_the_uploader_is_named_without_a_link_editors_cannot_follow(desk_client, people):
    image = owned(people["casey"])
    desk_client.force_login(people["erin"])
    page = BeautifulSoup(desk_client.get(change_url(image)).content, "html.parser")
    uploader = page.select_one(".field-uploader .readonly")
    assert uploader.get_text(strip=True) == people["casey"].get_username()
    assert uploader.find("a") is None
    assert not page.select('a[href*="/auth/user/"]')
