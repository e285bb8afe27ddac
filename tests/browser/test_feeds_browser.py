"""Following Colophon from a browser: the author page of the seed article's book shows
where to follow it, and the links lead to feeds a feed reader can read."""

import feedparser


def test_a_reader_finds_and_follows_the_feeds_of_an_author(demo_site, page, screenshot):
    page.goto(demo_site.url + "/authors/stephen-harding/")
    follow = page.locator(".follow-feeds")
    assert follow.is_visible()
    assert " ".join(follow.inner_text().split()) == (
        "Follow articles about books by Stephen Harding: RSS · Atom"
    )
    screenshot("author-follow-feeds")
    for name, version in (("RSS", "rss20"), ("Atom", "atom10")):
        href = follow.get_by_role("link", name=name).get_attribute("href")
        response = page.request.get(demo_site.url + href)
        feed = feedparser.parse(response.body())
        assert (feed.bozo, feed.version) == (0, version)
        assert feed.feed.title == "Colophon: articles about books by Stephen Harding"
        assert [entry.link for entry in feed.entries] == [
            demo_site.url + "/articles/unlikely-allies/"
        ]
