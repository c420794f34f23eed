"""JSON-LD for releases and the organisation, with the properties search engines require."""

from datetime import datetime, timedelta, timezone

from pressroom import structured_data
from pressroom.config import parse_config
from pressroom.model import Release
from tests.conftest import MINIMAL_CONFIG

CONFIG = parse_config(MINIMAL_CONFIG.replace('url = "https://example.org/"', 'url = "https://example.org/"\nlogo = "assets/logo.png"'))
OSLO = timezone(timedelta(hours=1))


def release(slug="a", day=9, **fields) -> Release:
    values = dict(source=f"content/news/{slug}.md", title=f"Title {slug}", date=datetime(2024, 1, day, 9, tzinfo=OSLO), slug=slug,
                  url=f"news/2024/{slug}/", body_html="<p>x</p>", summary="The summary", tags=("awards",))
    return Release(**{**values, **fields})


def test_news_article_has_what_search_engines_require():
    data = structured_data.news_article(release(author="Ingrid Solberg", updated=datetime(2024, 1, 10, tzinfo=OSLO)), CONFIG)
    assert data["@context"] == "https://schema.org" and data["@type"] == "NewsArticle"
    assert data["headline"] == "Title a"
    assert data["datePublished"] == "2024-01-09T09:00:00+01:00"
    assert data["dateModified"] == "2024-01-10T00:00:00+01:00"
    assert data["author"] == [{"@type": "Person", "name": "Ingrid Solberg"}]
    assert data["publisher"] == {"@type": "Organization", "name": "Test Cluster", "url": "https://example.org/",
                                 "logo": {"@type": "ImageObject", "url": "https://news.example.org/assets/logo.png"}}
    assert data["image"] == ["https://news.example.org/assets/logo.png"]
    assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": "https://news.example.org/news/2024/a/"}


def test_news_article_image_is_the_release_picture_and_the_author_defaults_to_the_organisation():
    data = structured_data.news_article(release(image="/assets/photo.jpg", image_alt="A photo"), CONFIG)
    assert data["image"] == ["https://news.example.org/assets/photo.jpg"]
    assert data["author"] == [data["publisher"]]


def test_organization_and_breadcrumbs():
    assert structured_data.organization(CONFIG)["@type"] == "Organization"
    crumbs = structured_data.breadcrumbs([("Home", ""), ("News", "news/"), ("Title", "news/2024/a/")], CONFIG)
    assert crumbs["@type"] == "BreadcrumbList"
    assert crumbs["itemListElement"][1] == {"@type": "ListItem", "position": 2, "name": "News", "item": "https://news.example.org/news/"}


def test_share_image_is_the_release_picture_else_the_logo_else_nothing():
    assert structured_data.share_image(release(image="https://cdn.example.org/p.jpg", image_alt="x"), CONFIG) == "https://cdn.example.org/p.jpg"
    assert structured_data.share_image(None, CONFIG) == "https://news.example.org/assets/logo.png"
    assert structured_data.share_image(None, parse_config(MINIMAL_CONFIG)) == ""
