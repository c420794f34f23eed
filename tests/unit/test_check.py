"""The check's pure parts: reading a page, resolving links, tracing them to a line."""

from hypothesis import given
from hypothesis import strategies as st

from pressroom.check import PageScan, Ref, find_file, ref_problems, resolve, scan_page, trace_line
from pressroom.source import SourceFile

BASE = "https://news.example.org/newsroom/"


def test_scan_finds_ids_links_images_and_their_lines():
    scan = scan_page(
        '<!doctype html>\n<h2 id="team">Team</h2><a name="old"></a>\n'
        '<a href="/x/">x</a>\n<img src="a.png">\n<img src="b.png" alt="">\n'
        '<img srcset="c.png 1x, d.png 2x" src="c.png" alt="C">\n<link rel="stylesheet" href="/s.css">\n'
        '<meta property="og:image" content="https://news.example.org/newsroom/i.png"><script src="/j.js"></script>\n'
    )
    assert scan.ids == {"team", "old"}
    assert [(r.tag, r.target, r.line, r.alt) for r in scan.refs] == [
        ("a", "/x/", 3, None),
        ("img", "a.png", 4, None),
        ("img", "b.png", 5, ""),
        ("img", "c.png", 6, "C"),
        ("srcset", "c.png", 6, None),
        ("srcset", "d.png", 6, None),
        ("link", "/s.css", 7, None),
        ("og:image", "https://news.example.org/newsroom/i.png", 8, None),
        ("script", "/j.js", 8, None),
    ]


def test_resolve_links_from_a_page_under_a_sub_path():
    assert resolve("/newsroom/about/#team", "news/2024/x/", BASE) == ("about/", "team")
    assert resolve("../../../about/", "news/2024/x/", BASE) == ("about/", "")
    assert resolve("#top", "news/2024/x/", BASE) == ("news/2024/x/", "top")
    assert resolve("https://news.example.org/newsroom/feed.xml", "", BASE) == ("feed.xml", "")
    assert resolve("/newsroom/caf%C3%A9/", "", BASE) == ("café/", "")
    for elsewhere in ("/about/", "https://example.com/", "mailto:a@b.org", "tel:+4712345678", "data:image/png;base64,AA", "", "//cdn.example.com/x.js"):
        assert resolve(elsewhere, "news/", BASE) is None, elsewhere


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40), st.sampled_from(["", "news/", "news/2024/x/", "404.html"]))
def test_resolve_never_fails_and_stays_inside_the_site(target, page):
    resolved = resolve(target, page, BASE)
    assert resolved is None or not resolved[0].startswith("/")


def test_find_file_answers_like_a_web_server():
    files = frozenset({"index.html", "about/index.html", "feed.xml"})
    assert find_file("", files) == "index.html"
    assert find_file("about/", files) == "about/index.html"
    assert find_file("about", files) == "about/index.html"
    assert find_file("feed.xml", files) == "feed.xml"
    assert find_file("contact/", files) is None


def test_problems_of_one_reference():
    pages = {"index.html": PageScan(frozenset({"main"}), ()), "about/index.html": PageScan(frozenset({"team"}), ())}
    files = frozenset(pages) | {"assets/logo.svg"}

    def problems(tag, target, alt="x"):
        return ref_problems(Ref(tag, target, 1, alt if tag == "img" else None), "index.html", pages, files, BASE, {"news/2024/s/": "a held-back release"})

    assert problems("a", "/newsroom/about/#team") == []
    assert problems("a", "#main") == []
    assert problems("a", "#missing") == ['broken link: "#missing" points to an anchor #missing that this page does not have']
    assert problems("a", "/newsroom/news/2024/s/") == ['broken link: "/newsroom/news/2024/s/" leads to a held-back release']
    assert problems("a", "/about/") == ['broken link: "/about/" leaves the site, which lives under /newsroom/; write /about/ in a text '
                                        "(Pressroom puts /newsroom/ in front), or {{ url('about/') }} in a template"]
    assert problems("img", "/newsroom/assets/logo.svg", alt=None) == ['the image "/newsroom/assets/logo.svg" has no alt text; describe it for people who cannot see it, like ![what it shows](/newsroom/assets/logo.svg)']
    assert problems("img", "/newsroom/assets/x.png")[0].startswith('missing image: "/newsroom/assets/x.png"')
    assert problems("a", "/newsroom/files/x.pdf")[0].startswith('missing file: "/newsroom/files/x.pdf"')
    assert problems("a", "https://example.com/nothing/") == []


def test_trace_finds_the_line_as_written_or_as_a_front_matter_value():
    source = SourceFile("content/news/x.md", "---\ntitle: X\nimage: /assets/top.jpg\n---\nSee [this](/newsroom/y/?a=1&b=2).\n")
    assert trace_line(source, Ref("img", "/newsroom/assets/top.jpg", 9), "/newsroom/") == 3
    assert trace_line(source, Ref("a", "/newsroom/y/?a=1&b=2", 9), "/newsroom/") == 5
    assert trace_line(source, Ref("a", "/newsroom/news/", 9), "/newsroom/") is None


def test_reading_a_big_output_on_several_processes_gives_the_same_pages(tmp_path, monkeypatch):
    from pressroom import check

    for n in range(12):
        (tmp_path / f"p{n}").mkdir()
        (tmp_path / f"p{n}" / "index.html").write_text(f'<h1 id="h{n}">{n}</h1>\n<a href="/p{(n + 1) % 12}/">next</a>\n')
    (tmp_path / "feed.xml").write_text("<feed/>")
    one = check.read_output(tmp_path)
    monkeypatch.setattr(check, "PARALLEL_FROM", 2)
    monkeypatch.setattr(check.os, "cpu_count", lambda: 2)
    assert check.read_output(tmp_path) == one
    files, pages = one
    assert "feed.xml" in files and sorted(pages) == sorted(f"p{n}/index.html" for n in range(12))
    assert pages["p3/index.html"] == PageScan(frozenset({"h3"}), (Ref("a", "/p4/", 2),))
