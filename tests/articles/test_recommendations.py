"""The "Read next" engine on a corpus whose articles form groups that share books and
vocabulary: each article's top 3 should come from its own group."""

import datetime as dt
import random

import pytest
from django.utils import timezone

from articles.models import Article, Recommendation, Topic, derived_from_text
from articles.recommendations import load_corpus, refresh_all, refresh_for, refresh_profiles
from tests.factories import make_article, make_author, make_book
from tests.helpers import text_of

GROUPS = {
    "navy": "admiral fleet frigate harbour cannon broadside convoy squadron mast sail",
    "kitchen": "recipe oven flour butter saucepan simmer pastry spice dough roast",
    "stars": "telescope galaxy nebula orbit comet planet astronomer eclipse lens cosmos",
    "voice": "vowel pitch larynx singer timbre whisper speech acoustic tone listener",
}
FILLER = "people thought years later found often seemed whole world time came"


def body_for(group: str, rng: random.Random, books: list[str]) -> str:
    words = GROUPS[group].split()
    paragraphs = [" ".join(rng.choice(words + FILLER.split()) for _ in range(60)) for _ in range(3)]
    embeds = [f"[[book:{slug}]]" for slug in rng.sample(books, 2)]
    return "\n\n".join([paragraphs[0], embeds[0], paragraphs[1], embeds[1], paragraphs[2]])


@pytest.fixture
def corpus(db):
    rng = random.Random(42)
    now = timezone.now()
    articles = {}
    for group in GROUPS:
        author = make_author(name=f"{group.title()} Writer")
        books = [make_book(title=f"{group} book {n}", authors=[author]).slug for n in range(4)]
        for n in range(6):
            article = make_article(
                title=f"{group.title()} piece {n}",
                body=body_for(group, rng, books),
                published_at=now - dt.timedelta(days=rng.randint(1, 400)),
            )
            articles[article.pk] = group
    return articles


def top_three(article: Article) -> list[Article]:
    return article.recommendations(3)


def test_precision_at_3_within_groups_is_at_least_0_9(corpus):
    refresh_all()
    hits = total = 0
    for article_id, group in corpus.items():
        for other in top_three(Article.objects.get(pk=article_id)):
            total += 1
            hits += corpus.get(other.pk) == group
    precision = hits / total
    assert total == 3 * len(corpus)
    assert precision >= 0.9, f"precision at 3 is {precision:.2f}"


def test_never_self_draft_or_future(corpus):
    now = timezone.now()
    navy_book = "navy-book-0"
    body = f"admiral fleet frigate\n\n[[book:{navy_book}]]"
    draft = make_article(title="Navy draft", body=body, status=Article.Status.DRAFT)
    future = make_article(title="Navy future", body=body, published_at=now + dt.timedelta(days=2))
    refresh_all()
    for article in Article.objects.published():
        shown = {a.pk for a in top_three(article)}
        assert article.pk not in shown
        assert draft.pk not in shown and future.pk not in shown


def test_a_scheduled_article_joins_lists_when_its_time_comes_without_a_refresh(corpus):
    books = [f"navy-book-{n}" for n in range(4)]
    soon = make_article(
        title="Navy broadside convoy admiral fleet",
        body="\n\n".join(["admiral fleet frigate harbour cannon broadside convoy"] * 5
                         + [f"[[book:{slug}]]" for slug in books]),
        published_at=timezone.now() + dt.timedelta(hours=1),
    )  # fmt: skip
    refresh_all()
    navy = [pk for pk, group in corpus.items() if group == "navy"]
    assert not any(soon in top_three(Article.objects.get(pk=pk)) for pk in navy)
    Article.objects.filter(pk=soon.pk).update(published_at=timezone.now() - dt.timedelta(seconds=1))
    assert any(soon in top_three(Article.objects.get(pk=pk)) for pk in navy)


def test_a_loner_still_gets_three(corpus):
    loner = make_article(title="Beekeeping", body="hive honey queen drone wax smoker apiary")
    refresh_all()
    assert len(top_three(loner)) == 3


def test_reasons_say_why(corpus):
    refresh_all()
    # The strongest link joins two articles of one group: same books and same words.
    row = Recommendation.objects.filter(pinned=False).order_by("-score").first()
    assert corpus[row.article_id] == corpus[row.recommended_id]
    assert "shares 2 books" in row.reasons and "similar text" in row.reasons
    assert not Recommendation.objects.filter(reasons="").exists()


def test_editors_pin_and_exclude(corpus):
    navy = [pk for pk, group in corpus.items() if group == "navy"]
    kitchen = [pk for pk, group in corpus.items() if group == "kitchen"]
    article = Article.objects.get(pk=navy[0])
    refresh_all()
    usual = top_three(article)
    article.pinned_recommendations.add(kitchen[0])
    article.excluded_recommendations.add(usual[0])
    refresh_for(article)
    shown = top_three(article)
    assert shown[0].pk == kitchen[0]
    assert usual[0] not in shown
    pinned = Recommendation.objects.get(article=article, recommended_id=kitchen[0])
    assert pinned.reasons == "pinned by an editor"


def test_refreshing_several_articles_at_once_refreshes_each(corpus):
    navy = [pk for pk, group in corpus.items() if group == "navy"]
    kitchen = [pk for pk, group in corpus.items() if group == "kitchen"]
    refresh_all()
    one, two = Article.objects.get(pk=navy[0]), Article.objects.get(pk=kitchen[0])
    one.pinned_recommendations.add(kitchen[1])
    two.pinned_recommendations.add(navy[1])
    touched = refresh_for(one, two)
    assert {one.pk, two.pk} <= touched
    assert top_three(one)[0].pk == kitchen[1] and top_three(two)[0].pk == navy[1]


def test_the_best_few_are_the_head_of_the_full_ranking(corpus):
    refresh_all()
    ranking = load_corpus()
    for article_id in corpus:
        assert ranking.related(article_id, limit=4) == ranking.related(article_id)[:4]


def test_a_refresh_that_changes_nothing_rewrites_nothing(corpus):
    refresh_all()
    rows = set(Recommendation.objects.values_list("pk", "article_id", "recommended_id", "score"))
    refresh_all()
    assert (
        set(Recommendation.objects.values_list("pk", "article_id", "recommended_id", "score"))
        == rows
    )


def test_shared_topics_are_a_signal(db):
    history = Topic.objects.create(name="History")
    one = make_article(title="Alpha", body="quartz")
    two = make_article(title="Beta", body="basalt")
    make_article(title="Gamma", body="granite")  # newer, but shares nothing
    for article in (one, two):
        article.topics.add(history)
    refresh_all()
    assert top_three(one)[0] == two
    assert Recommendation.objects.get(article=one, recommended=two).reasons == "shares 1 topic"


def test_publishing_an_article_refreshes_the_lists_it_enters(corpus):
    kitchen = [pk for pk, group in corpus.items() if group == "kitchen"]
    refresh_all()
    newcomer = make_article(
        title="Kitchen pastry dough flour butter",
        body="\n\n".join(["recipe oven flour butter saucepan simmer pastry spice dough"] * 4
                         + ["[[book:kitchen-book-0]]", "[[book:kitchen-book-1]]"]),
        status=Article.Status.DRAFT,
    )  # fmt: skip
    refresh_for(newcomer)
    assert not Recommendation.objects.filter(recommended=newcomer).exists()
    Article.objects.filter(pk=newcomer.pk).update(
        status=Article.Status.PUBLISHED, published_at=timezone.now()
    )
    newcomer.refresh_from_db()
    touched = refresh_for(newcomer)
    assert set(kitchen) & touched
    assert Recommendation.objects.filter(recommended=newcomer, article_id__in=kitchen).exists()
    # Withdrawn again: it leaves every list.
    Article.objects.filter(pk=newcomer.pk).update(status=Article.Status.DRAFT)
    newcomer.refresh_from_db()
    refresh_for(newcomer)
    assert not Recommendation.objects.filter(recommended=newcomer).exists()


def test_article_page_reads_its_recommendations_in_one_query(
    client, corpus, django_assert_max_num_queries
):
    refresh_all()
    article = Article.objects.get(pk=next(iter(corpus)))
    with django_assert_max_num_queries(10) as captured:
        html = client.get(article.get_absolute_url()).content
    reading = [q["sql"] for q in captured.captured_queries if "articles_recommendation" in q["sql"]]
    assert len(reading) == 1
    assert len(text_of(html, "#recommendations .teaser")) == 3


def test_refresh_command_reports(corpus, capsys):
    from django.core.management import call_command

    call_command("refresh_recommendations")
    assert "Refreshed recommendations for 24 articles" in capsys.readouterr().out


def test_topic_page_and_archive(client, db):
    topic = Topic.objects.create(name="Naval history")
    old = make_article(title="Older", published_at=timezone.now() - dt.timedelta(days=3))
    make_article(title="Newer")
    make_article(title="Hidden", status=Article.Status.DRAFT).topics.add(topic)
    old.topics.add(topic)
    assert text_of(client.get("/topics/naval-history/").content, ".teaser__title") == ["Older"]
    assert text_of(client.get("/articles/").content, ".teaser__title") == ["Newer", "Older"]
    assert (
        "Naval history" in text_of(client.get(old.get_absolute_url()).content, ".article__meta")[0]
    )


def test_saving_an_article_keeps_its_word_counts_for_the_text_signal(db):
    article = make_article(title="Lighthouse keepers", body="The **lamp** and the lamp room.")
    assert article.text_profile == {"lighthouse": 2, "keepers": 2, "lamp": 2, "room": 1}
    article.body = "Fog signals and foghorns."
    article.save(update_fields=["body"])
    article.refresh_from_db()
    assert article.text_profile == {"lighthouse": 2, "keepers": 2, "fog": 1, "signals": 1,
                                    "foghorns": 1}  # fmt: skip
    assert article.excerpt == "Fog signals and foghorns."


def test_a_refresh_of_the_word_counts_computes_what_a_save_stores(db):
    """One function derives the stored values: a refresh cannot disagree with a save."""
    article = make_article(title="Lighthouse keepers", body="[[book:x]]\n\nThe *lamp* room.")
    derived = derived_from_text(article.title, article.body)
    assert (article.excerpt, article.text_profile) == (derived.excerpt, derived.text_profile)
    Article.objects.filter(pk=article.pk).update(text_profile={"stale": 1})
    refresh_profiles(every=True)
    article.refresh_from_db()
    assert article.text_profile == derived.text_profile


def test_articles_written_in_bulk_get_their_word_counts_on_the_next_refresh(corpus):
    navy = [pk for pk, group in corpus.items() if group == "navy"]
    # Written around Article.save (a bulk load): no word counts, so no text signal.
    Article.objects.filter(pk__in=navy).update(text_profile={})
    refresh_all()
    assert all(Article.objects.get(pk=pk).text_profile for pk in navy)
    first = Recommendation.objects.filter(article_id=navy[0]).order_by("-score").first()
    assert "similar text" in first.reasons


def test_the_profiles_option_recounts_every_article(corpus, capsys):
    from django.core.management import call_command

    navy = [pk for pk, group in corpus.items() if group == "navy"]
    Article.objects.filter(pk=navy[0]).update(text_profile={"stale": 1})
    call_command("refresh_recommendations")
    assert Article.objects.get(pk=navy[0]).text_profile == {"stale": 1}  # missing ones only
    call_command("refresh_recommendations", "--profiles")
    assert "admiral" in Article.objects.get(pk=navy[0]).text_profile


def test_text_candidates_are_bounded_but_the_closest_still_wins(db, monkeypatch):
    """Only the few articles sharing most heavy words are compared word by word; the
    closest in words is among them, however many share a word or two."""
    from articles import recommendations

    monkeypatch.setattr(recommendations, "TEXT_CANDIDATES", 3)
    twin = make_article(title="Telescope", body="nebula galaxy orbit comet quasar")
    decoys = [make_article(title=f"Decoy {n}", body="telescope harvest") for n in range(6)]
    again = make_article(title="Telescope", body="nebula galaxy orbit comet")
    ranking = load_corpus()
    assert len(ranking._shared(ranking.articles[twin.pk])["text"]) <= 3
    assert [pk for _, pk, _ in ranking.related(twin.pk, limit=2)][0] == again.pk
    assert decoys  # sharing one word each, they crowd the candidates in number only
