"""Dependencies: fingerprints of values, what an output read, and how it used `now`."""

import pickle
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import markupsafe
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pressroom.depend import (
    FULL, Fingerprints, Html, TrackedNow, Unfingerprintable, Window, compact, recording, site_shape, tracked_site, watch_inputs,
)

OSLO = ZoneInfo("Europe/Oslo")
NOW = datetime(2024, 5, 1, 12, 0, tzinfo=OSLO)


@dataclass(frozen=True)
class Item:
    title: str
    date: datetime
    body_html: str = ""
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Group:
    name: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Index:
    now: datetime
    items: tuple[Item, ...]
    groups: tuple[Group, ...]

    @property
    def first(self) -> Item:
        return self.items[0]


def item(title="A", day=1, body="<p>x</p>", tags=("a",)):
    return Item(title, datetime(2024, 1, day, tzinfo=OSLO), body, tags)


values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text() | st.binary(),
    lambda children: st.lists(children, max_size=4).map(tuple) | st.dictionaries(st.text(max_size=3), children, max_size=3),
    max_leaves=12,
)


@given(values)
def test_fingerprints_are_the_same_for_equal_values(value):
    again = pickle.loads(pickle.dumps(value))
    assert Fingerprints().of(value) == Fingerprints().of(again)


@given(values, values)
def test_different_values_have_different_fingerprints(a, b):
    if a != b or type(a) is not type(b):
        assert Fingerprints().of(a) != Fingerprints().of(b)


def test_fingerprints_tell_apart_what_equality_would_mix_up():
    fp = Fingerprints()
    assert fp.of(1) != fp.of(True) != fp.of(1.0)
    assert fp.of(("ab", "c")) != fp.of(("a", "bc"))
    assert fp.of(item(title="A")) != fp.of(item(title="B"))
    assert fp.of(datetime(2024, 1, 1, tzinfo=OSLO)) != fp.of(datetime(2024, 1, 1, tzinfo=timezone.utc))
    assert fp.of(markupsafe.Markup("<b>")) != fp.of("<b>")
    with pytest.raises(Unfingerprintable):
        fp.of(object())


def test_a_registered_object_is_known_by_its_key():
    fp = Fingerprints()
    thing = item()
    fp.register_all([(thing, b"k" * 16)])
    assert fp.known(thing) == b"k" * 16
    assert fp.known(item()) is None  # equal but another object


def test_html_is_kept_compressed_and_reads_like_the_text():
    text = "<p>“Quotes” and ümlauts</p>" * 50
    html = Html.of(text)
    assert len(html.data) < len(text.encode())
    assert str(html) == text and markupsafe.Markup(html) == text and markupsafe.escape(html) == text
    assert html == Html.of(text) and html == text and bool(html) and not Html.of("")
    assert pickle.loads(pickle.dumps(html)) == html
    compacted = compact(Group("g", (item(body=text),)))
    assert isinstance(compacted.items[0].body_html, Html) and str(compacted.items[0].body_html) == text


def test_a_converted_text_is_compressed_once_for_the_memo_and_the_parsed_item(tmp_path):
    from pressroom.cache import MarkdownMemo

    memo = MarkdownMemo(None)
    text = "<p>“Converted” text</p>" * 20
    memo.put(b"key", text)
    compacted = compact(Group("g", (item(body=text),)), memo.html_of)
    assert compacted.items[0].body_html is memo.new[b"key"]  # one Html, not two of the same text
    other = "".join(["<p>“Converted” text</p>"] * 20)  # equal, but not the text put
    assert other == text and memo.html_of(other) is not memo.new[b"key"] and memo.html_of(other) == memo.new[b"key"]
    memo.take_new()
    assert memo.html_of(text) is not compacted.items[0].body_html  # a chunk's texts are let go with it


def test_a_site_notes_which_attributes_an_output_reads_and_how_deep():
    index = Index(NOW, (item("A"), item("B", 2)), (Group("g", (item("A"),)),))
    site = tracked_site(index)
    with recording() as reads:
        titles = [i.title for i in site.items]
        count = len(site.groups[0].items)
    assert titles == ["A", "B"] and count == 1
    shape = dict(site_shape(reads))
    assert shape["items"] == ((), ((("title", FULL),), None, False), False)
    groups_attrs, groups_items, groups_length = shape["groups"]
    assert groups_length is True and groups_items == ((("items", ((), None, True)),), None, False)
    with recording() as nothing:
        pass
    assert site_shape(nothing) == ()


def test_watched_values_behave_like_the_real_ones():
    index = Index(NOW, (item("A"), item("B", 2)), ())
    site = tracked_site(index)
    with recording() as reads:
        assert isinstance(site, Index) and isinstance(site.items, tuple)
        assert site.items[0] == index.items[0] and index.items[0] == site.items[0]
        assert site.items[0] in index.items and site.items == index.items
        assert site.first.title == "A" and list(reversed(site.items))[0].title == "B"
        assert site.items[:1] == index.items[:1] and hash(site.items[1]) == hash(index.items[1])
        assert str(site.items[0]) == str(index.items[0])
    assert dict(site_shape(reads))["items"] == FULL  # compared whole


def test_what_is_read_of_an_outputs_own_inputs_is_noted():
    with recording() as reads:
        inputs = watch_inputs({"release": item("A"), "title": "T", "unused": item("U")}, reads)
        assert inputs["release"].title == "A"
    assert dict(reads.inputs.attr_shapes()) == {
        "release": ((("title", FULL),), None, False),
        "title": FULL,  # plain values count whole
        "unused": ((), None, False),  # an object never looked into
    }


def test_comparisons_with_now_give_a_window_other_uses_pin_it():
    now = TrackedNow.of(NOW)
    earlier, later = datetime(2024, 1, 1, tzinfo=timezone.utc), datetime(2025, 1, 1, tzinfo=OSLO)
    with recording() as reads:
        assert earlier < now and not later < now
        assert now.astimezone(timezone.utc) < later
    window = Window.of(now, reads)
    assert not window.exact
    assert window.holds(datetime(2024, 12, 31, tzinfo=OSLO))
    assert not window.holds(later) and not window.holds(earlier) and not window.holds(datetime(2023, 1, 1, tzinfo=OSLO))
    for use in (lambda n: n.year, lambda n: f"{n:%Y}", lambda n: n + timedelta(days=1), lambda n: str(n), lambda n: n.isoformat()):
        with recording() as reads:
            use(now)
        assert Window.of(now, reads).exact, use
    assert Window.of(now, reads).holds(NOW) and not Window.of(now, reads).holds(NOW + timedelta(seconds=1))
    both = Window.of(NOW, recorded(lambda n: n < later)) & Window.of(NOW, recorded(lambda n: n > earlier))
    assert both.holds(NOW + timedelta(days=30)) and not both.holds(later) and not both.holds(earlier)
    assert (both & Window.of(NOW, recorded(lambda n: n.year))).exact


def recorded(use):
    with recording() as reads:
        use(TrackedNow.of(NOW))
    return reads


def test_now_compares_and_pickles_like_a_datetime():
    now = TrackedNow.of(NOW)
    assert now == NOW and now.astimezone(timezone.utc) == NOW
    assert pickle.loads(pickle.dumps(now)) == NOW
    assert Fingerprints().of(now) != Fingerprints().of(NOW + timedelta(seconds=1))
