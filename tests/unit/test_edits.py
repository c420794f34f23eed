"""edits.py (which changes leave the index as it was) and outputs.Reach (which outputs read
an item), on small hand-made values."""

import dataclasses
from datetime import datetime, timezone

import pytest

from pressroom.content import Entry
from pressroom.depend import FULL, Html, Window
from pressroom.edits import put_text, same_but_text, text_edits
from pressroom.errors import SiteError
from pressroom.model import Event, Release
from pressroom.outputs import Made, Product, Reach, Reads, Shown

WHEN = datetime(2024, 1, 9, 9, tzinfo=timezone.utc)
BRUSSELS = Event("content/news/a.md", "Closing event", WHEN, None, "Europe/Brussels", "closing", "events/2024/closing/", line=8)


def release(**changes) -> Release:
    base = Release("content/news/a.md", "Bronze label", WHEN, "bronze", "news/2024/bronze/", Html.of("<p>Proud.</p>"),
                   summary="Proud.", tags=("awards",), event=BRUSSELS, line=2)
    return dataclasses.replace(base, **changes)


def entry(path: str, item, errors=()) -> Entry:
    return Entry(path, (1, 1), b"salt", b"key-" + path.encode(), item, errors)


TEXT_ONLY = [{"body_html": Html.of("<p>Very proud.</p>")}, {"summary": "Very proud."}, {"body_html": Html.of("<p>x</p>"), "summary": "x"}]
BEYOND = [{"title": "Silver label"}, {"tags": ("awards", "silver")}, {"line": 3}, {"date": WHEN.replace(hour=10)},
          {"event": dataclasses.replace(BRUSSELS, line=9)}, {"event": dataclasses.replace(BRUSSELS, title="Opening")}, {"event": None}]


@pytest.mark.parametrize("changes", TEXT_ONLY)
def test_a_change_of_text_alone_is_a_text_edit(changes):
    old, new = release(), release(**changes)
    assert same_but_text(old, new)
    assert text_edits({"a": entry("a", old)}, {"a": entry("a", new)}, {"a": entry("a", new)}) == [(old, new)]
    put_text(old, new)
    assert old == new and old.body_html == new.body_html and old.summary == new.summary


@pytest.mark.parametrize("changes", BEYOND)
def test_any_other_change_is_not(changes):
    old, new = release(), release(**changes)
    assert not same_but_text(old, new)
    assert text_edits({"a": entry("a", old)}, {"a": entry("a", new)}, {"a": entry("a", new)}) is None


def test_files_that_came_went_or_failed_are_not_text_edits():
    old = release()
    before = {"a": entry("a", old), "b": entry("b", release(source="b"))}
    assert text_edits(before, {"a": before["a"]}, {}) is None  # b went
    assert text_edits(before, {**before, "c": entry("c", release())}, {"c": entry("c", release())}) is None  # c came
    failed = entry("a", None, (SiteError("a", 1, "bad"),))
    assert text_edits(before, {**before, "a": failed}, {"a": failed}) is None
    assert text_edits(before, dict(before), {"a": before["a"]}) == []  # read again, the same item
    assert not same_but_text(old, BRUSSELS)  # another kind of item
    other_settings = entry("a", release(body_html=Html.of("<p>x</p>")))._replace(salt=b"other settings")
    assert text_edits(before, {**before, "a": other_settings}, {"a": other_settings}) is None  # every file was parsed again


@dataclasses.dataclass(frozen=True)
class Job:
    url: str
    context: dict
    releases: tuple = ()


@dataclasses.dataclass(frozen=True)
class Index:
    releases: tuple
    title: str = "News"


def reach_of(site, edited, *others):
    names = {id(item): (item, item.source) for item in [edited, *others]}
    return Reach(Shown(site, names), [edited.source])


def page(url: str, context: dict) -> Product:
    """As plan_products makes them: the job's context is the product's inputs."""
    return Product(url, Job(url, context), context, None)


def made(site_shape=(), inputs=(), key=b"key") -> Made:
    return Made(key, Reads(site_shape, inputs, ()), Window(WHEN), ())


def test_an_output_reads_an_edited_item_through_its_inputs_its_spec_or_the_site():
    edited, other = release(), release(source="content/news/b.md", slug="b")
    site = Index((edited, other))
    reach = reach_of(site, edited, other)
    own = page("a", {"release": edited})
    listing = page("l", {"listing": Index((other, edited))})
    assert not reach.unaffected(own, made(inputs=(("release", ((("title", FULL),), None, False)),)))
    assert reach.unaffected(own, made(inputs=()))  # made without reading its release at all
    assert not reach.unaffected(listing, made(inputs=(("listing", ((("releases", ((), ((), None, False), True)),), None, False)),)))
    assert reach.unaffected(listing, made(inputs=(("listing", ((("releases", ((), None, True)),), None, False)),)))  # counted them only
    assert not reach.unaffected(listing, made(inputs=(("listing", FULL),)))
    other_page = page("b", {"release": other})
    assert reach.unaffected(other_page, made(inputs=(("release", FULL),)))
    assert not reach.unaffected(other_page, made(site_shape=(("releases", ((), FULL, False)),)))  # read every release of the site
    assert reach.unaffected(other_page, made(site_shape=(("title", FULL),)))
    assert not reach.unaffected(other_page, made(site_shape=FULL))
    feed = Product("feed", Job("feed", {}, (other, edited)), {}, None)  # the items in the spec itself
    assert not reach.unaffected(feed, made())
    assert not reach.unaffected(other_page, made(inputs=(("release", FULL),), key=b""))  # never summed up: always made


def test_the_items_a_product_shows_are_named_by_file_and_kept_with_what_it_was_made_from():
    edited, other = release(), release(source="content/news/b.md", slug="b")
    site = Index((edited, other))
    reach = reach_of(site, edited, other)
    listing = page("l", {"listing": Index((other, edited))})
    read_items = (("listing", ((("releases", ((), ((), None, False), True)),), None, False)),)
    assert reach.shown.of(listing, made(inputs=read_items).reads) == {"content/news/a.md", "content/news/b.md"}
    assert reach.shown.of(listing, made(inputs=(("listing", ((("title", FULL),), None, False)),)).reads) == set()
    assert reach.shown.of(Product("feed", Job("feed", {}, (other,)), {}, None), made().reads) == {"content/news/b.md"}
    assert reach.shown.of_site((("releases", ((), ((), None, False), False)),)) == {"content/news/a.md", "content/news/b.md"}
    # What a product showed when it was made is not walked again: the build that made it
    # named them, and a text edit leaves the rest of the index as it was.
    assert reach.unaffected(listing, made(inputs=read_items)._replace(shows=frozenset({"content/news/b.md"})))
    assert not reach.unaffected(page("b", {"release": other}), made()._replace(shows=frozenset({"content/news/a.md"})))
