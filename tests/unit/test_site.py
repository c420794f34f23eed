from datetime import datetime, timezone

from pressroom.config import parse_config
from pressroom.model import Release
from pressroom.site import build_index, paginate
from tests.conftest import MINIMAL_CONFIG

CONFIG = parse_config(MINIMAL_CONFIG)
NOW = datetime(2025, 1, 1, tzinfo=timezone.utc)


def release(slug: str, day: str, tags=(), draft=False) -> Release:
    moment = datetime.fromisoformat(day).replace(tzinfo=timezone.utc)
    return Release(source=f"content/news/{slug}.md", title=slug.title(), date=moment, slug=slug, url=f"news/{moment.year}/{slug}/", body_html="", tags=tuple(tags), draft=draft)


def test_releases_newest_first_and_drafts_and_future_held_back():
    items = [release("old", "2023-05-01"), release("new", "2024-06-01"), release("draft", "2024-07-01", draft=True), release("future", "2026-01-01")]
    site = build_index(items, [], CONFIG, NOW)
    assert [r.slug for r in site.releases] == ["new", "old"]
    assert [r.slug for r in site.held_back] == ["future", "draft"]
    preview = build_index(items, [], CONFIG, NOW, preview=True)
    assert [r.slug for r in preview.releases] == ["future", "draft", "new", "old"]


def test_tags_group_case_variants_and_skip_held_back_releases():
    items = [release("a", "2024-01-01", ["Awards"]), release("b", "2024-02-01", ["awards", "EU"]), release("c", "2024-03-01", ["secret"], draft=True)]
    site = build_index(items, [], CONFIG, NOW)
    assert [(t.name, t.slug, [r.slug for r in t.releases]) for t in site.tags] == [("awards", "awards", ["b", "a"]), ("EU", "eu", ["b"])]


def test_years_newest_first():
    site = build_index([release("a", "2022-01-01"), release("b", "2024-01-01"), release("c", "2024-05-01")], [], CONFIG, NOW)
    assert [(y.year, [r.slug for r in y.releases]) for y in site.years] == [(2024, ["c", "b"]), (2022, ["a"])]


def test_pagination_urls_and_links():
    pages = paginate(list(range(5)), 2, "news/")
    assert [(p.url, p.items, p.previous_url, p.next_url) for p in pages] == [
        ("news/", (0, 1), None, "news/page/2/"),
        ("news/page/2/", (2, 3), "news/", "news/page/3/"),
        ("news/page/3/", (4,), "news/page/2/", None),
    ]
    assert [p.total for p in pages] == [3, 3, 3]


def test_empty_listing_has_one_page():
    [only] = paginate([], 10, "news/")
    assert only.items == () and only.total == 1
