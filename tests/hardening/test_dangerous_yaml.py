"""Issue 7, "YAML that is dangerous": front matter is data, never code, and never a memory bomb."""

import time
import tracemalloc

import pytest

from pressroom.errors import SiteError
from pressroom.front_matter import MAX_YAML_NODES, split_document
from pressroom.source import SourceFile


def split(front_matter: str):
    return split_document(SourceFile("content/news/x.md", f"---\ntitle: T\n{front_matter}\n---\nText\n"))


def test_python_tags_are_refused_through_the_command_line_and_never_run(fails, tmp_path):
    marker = tmp_path / "pwned"
    assert fails({
        "content/news/apply.md": f"---\ntitle: !!python/object/apply:os.system ['touch {marker}']\ndate: 2024-01-09\n---\n",
        "content/news/new.md": f"---\ntitle: T\ndate: 2024-01-09\nsummary: !!python/object/new:subprocess.Popen [['touch', '{marker}']]\n---\n",
        "content/news/name.md": "---\ntitle: !!python/name:os.system\ndate: 2024-01-09\n---\n",
        "content/news/local.md": "---\ntitle: !python/object:__main__.X {}\ndate: 2024-01-09\n---\n",
    }) == [
        "content/news/apply.md:2: this is not valid YAML: 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed here; front matter holds plain values only",
        "content/news/local.md:2: this is not valid YAML: '!python/object:__main__.X' is not allowed here; front matter holds plain values only",
        "content/news/name.md:2: this is not valid YAML: 'tag:yaml.org,2002:python/name:os.system' is not allowed here; front matter holds plain values only",
        "content/news/new.md:4: this is not valid YAML: 'tag:yaml.org,2002:python/object/new:subprocess.Popen' is not allowed here; front matter holds plain values only",
    ]
    assert not marker.exists()


def test_values_yaml_cannot_build_are_errors_at_their_line():
    assert str(split("date: 2024-01-09\nsummary: !!int twelve")) == (
        'content/news/x.md:4: this is not valid YAML: "twelve" cannot be read as !!int; remove the !!int'
    )
    assert str(split("date: !!timestamp 2024-02-30")) == (
        'content/news/x.md:3: this is not valid YAML: "2024-02-30" cannot be read as !!timestamp; remove the !!timestamp'
    )


def billion_laughs(levels: int) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        name, previous = chr(ord("a") + i), chr(ord("a") + i - 1)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 10) + "]")
    return "\n".join(lines)


def test_billion_laughs_is_refused_quickly_and_in_little_memory():
    tracemalloc.start()
    started = time.perf_counter()
    error = split(billion_laughs(9))  # 10**9 strings if expanded
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert str(error) == (
        f"content/news/x.md:7: the front matter expands to more than {MAX_YAML_NODES:,} values through & and * aliases; write the values out instead"
    )
    assert seconds < 2 and peak < 20_000_000


def test_modest_aliases_are_fine():
    doc = split("date: 2024-01-09\ncommon: &c [awards, clusters]\nother: *c")
    assert doc.meta["other"] == ["awards", "clusters"]


def test_a_recursive_alias_is_an_error_not_a_hang():
    result = split("date: 2024-01-09\ntags: &t [awards, *t]")
    # It is read (YAML allows it), but a list in a list is not a tag: parse.py refuses it.
    assert not isinstance(result, SiteError)
    from pressroom.config import parse_config
    from pressroom.parse import parse_release
    from tests.conftest import MINIMAL_CONFIG

    assert [str(e) for e in parse_release(result, parse_config(MINIMAL_CONFIG))] == [
        "content/news/x.md:4: tags: expected a list like tags: [awards, events]"
    ]


@pytest.mark.parametrize("value", ["[" * 5000 + "]" * 5000, "{a: " * 3000 + "b" + "}" * 3000])
def test_nesting_thousands_deep_is_an_error_not_a_crash(value):
    assert str(split(f"date: 2024-01-09\nx: {value}")) == (
        "content/news/x.md:1: the front matter is nested hundreds of levels deep ([[[[...); a page needs two or three at most"
    )


def test_front_matter_with_too_many_values_says_so_without_talking_of_aliases():
    error = split("tags: [" + ", ".join(f"t{i}" for i in range(MAX_YAML_NODES)) + "]")
    assert str(error) == (
        f"content/news/x.md:3: the front matter holds more than {MAX_YAML_NODES:,} values, far more than a page needs; shorten it"
    )
