from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pressroom.config import parse_config
from pressroom.errors import BuildFailed
from pressroom.model import Page, Release
from pressroom.render import long_date, make_environment, plan_pages, render_pages, urls_written_to
from pressroom.site import build_index
from pressroom.urls import output_path
from tests.conftest import MINIMAL_CONFIG, write_files

CONFIG = parse_config(MINIMAL_CONFIG)
NOW = datetime(2025, 1, 1, tzinfo=timezone.utc)
HOSTILE = '<script>alert("x")</script> & "quotes"'


def release(title=HOSTILE, slug="a", tags=(HOSTILE,)) -> Release:
    moment = datetime(2024, 1, 9, 9, tzinfo=timezone.utc)
    return Release(source=f"content/news/{slug}.md", title=title, date=moment, slug=slug, url=f"news/2024/{slug}/",
                   body_html="<p>Body</p>", summary=title, tags=tags, author=title)


def render(site_dir=None, releases=(), pages=(), config=CONFIG):
    site = build_index(list(releases), list(pages), config, NOW)
    return render_pages(plan_pages(site), make_environment(site_dir, site), site_dir)


def test_every_page_of_a_small_site_is_planned():
    files = render(releases=[release(slug="a"), release(slug="b"), release(slug="c")],
                   pages=[Page("content/pages/about.md", "About", "about", "about/", "<p>x</p>", menu=1)])
    assert sorted(files) == sorted([
        "index.html", "404.html", "tags/index.html", "events/index.html", "labels/index.html", "news/index.html", "news/page/2/index.html",
        "news/2024/index.html", "news/2024/page/2/index.html", "news/2024/a/index.html", "news/2024/b/index.html",
        "news/2024/c/index.html", "about/index.html",
        "tags/script-alert-x-script-quotes/index.html", "tags/script-alert-x-script-quotes/page/2/index.html",
    ])


def test_text_fields_are_escaped():
    files = render(releases=[release()])
    for name, data in files.items():
        assert b"<script>alert" not in data, name
    assert b"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#34;quotes&#34;" in files["news/2024/a/index.html"]


def test_a_site_template_overrides_the_theme(tmp_path):
    write_files(tmp_path, {"templates/404.html": "{% extends 'base.html' %}{% block content %}<h1>Lost at sea</h1>{% endblock %}"})
    files = render(tmp_path)
    assert b"<h1>Lost at sea</h1>" in files["404.html"]
    assert b"Skip to content" in files["404.html"]


def test_a_site_template_can_extend_the_theme_template_it_replaces(tmp_path):
    write_files(tmp_path, {"templates/404.html": "{% extends 'theme/404.html' %}{% block content %}{{ super() }}<p>Call us.</p>{% endblock %}"})
    page = render(tmp_path)["404.html"].decode()
    assert "<h1>Page not found</h1>" in page  # the theme's block...
    assert page.index("Page not found</h1>") < page.index("<p>Call us.</p>") < page.index("</main>")  # ...then the site's
    assert 'name="robots" content="noindex"' in page  # the theme's other blocks stay


def errors_of(tmp_path, files: dict[str, str]) -> list[str]:
    write_files(tmp_path, files)
    with pytest.raises(BuildFailed) as failure:
        render(tmp_path)
    return sorted({str(e) for e in failure.value.errors})


def test_undefined_variable_names_template_and_line(tmp_path):
    assert errors_of(tmp_path, {"templates/404.html": "{% extends 'base.html' %}\n{% block content %}\n<p>{{ page.titel }}</p>\n{% endblock %}"}) == [
        "templates/404.html:3: 'page' is undefined; check the spelling, or guard it with {% if ... is defined %}"
    ]


def test_syntax_error_names_template_and_line(tmp_path):
    [message] = errors_of(tmp_path, {"templates/404.html": "<p>\n{% if x %}\n<p>no end</p>\n"})
    assert message.startswith("templates/404.html:3: template syntax error: Unexpected end of template")


def test_missing_include_names_the_including_template(tmp_path):
    [message] = errors_of(tmp_path, {"templates/404.html": "<p>x</p>\n{% include 'nav.html' %}\n"})
    assert message == 'templates/404.html:2: the template "nav.html" does not exist; check the name, or add templates/nav.html'


def test_endless_recursion_is_reported(tmp_path):
    [message] = errors_of(tmp_path, {"templates/404.html": "{% include '404.html' %}\n"})
    assert message.startswith("templates/404.html:1:") and "without end" in message


def test_content_colliding_with_a_generated_page_names_the_file():
    page = Page("content/pages/news.md", "News?", "news", "news/", "<p>x</p>")
    with pytest.raises(BuildFailed) as failure:
        render(pages=[page])
    assert [str(e) for e in failure.value.errors] == [
        "content/pages/news.md:1: would be written to /news/index.html, like the news listing; give one of them another slug"
    ]


def test_links_live_under_the_base_path_of_a_sub_path_site():
    config = parse_config(MINIMAL_CONFIG.replace("https://news.example.org/", "https://example.github.io/newsroom/"))
    files = render(releases=[release(title="A", tags=("x",))], config=config)
    home = files["index.html"].decode()
    assert 'href="/newsroom/assets/pressroom.css"' in home
    assert 'href="/newsroom/news/2024/a/"' in home
    assert '<link rel="canonical" href="https://example.github.io/newsroom/">' in home


def test_long_date_is_unambiguous():
    assert long_date(datetime(2024, 1, 9)) == "9 January 2024"


def test_site_links_in_a_release_text_live_under_the_base_path():
    config = parse_config(MINIMAL_CONFIG.replace("https://news.example.org/", "https://example.github.io/newsroom/"))
    text = '<p><a href="/about/">About</a> <a href="/newsroom/contact/">Contact</a> <a href="https://example.org/">Out</a> <img src="/assets/a.png" alt="A"></p>'
    moment = datetime(2024, 1, 9, 9, tzinfo=timezone.utc)
    item = Release(source="content/news/a.md", title="A", date=moment, slug="a", url="news/2024/a/", body_html=text)
    html = render(releases=[item], config=config)["news/2024/a/index.html"].decode()
    assert ('<a href="/newsroom/about/">About</a> <a href="/newsroom/contact/">Contact</a> <a href="https://example.org/">Out</a> '
            '<img src="/newsroom/assets/a.png" alt="A">') in html


_urls = st.lists(st.sampled_from(["", "news/", "news/2024/a/", "news/page/2/", "404.html", "feed.json", "tags/x/", "index.html",
                                  "news/index.html", "a.html/", "news/2024/a/index.html", "newsindex.html"]) | st.text(max_size=12), max_size=8)


@settings(max_examples=300, deadline=None)
@given(urls=_urls, others=_urls)
def test_the_urls_written_to_some_paths_are_those_whose_output_path_is_one_of_them(urls, others):
    """A rebuild that makes a few pages plans them by URL: exactly the URLs urls.output_path
    turns into one of the paths, whatever else the paths hold (feeds, build-info.json)."""
    paths = {output_path(url) for url in urls} | set(others)
    found = urls_written_to(paths)
    assert set(urls) <= found
    assert all(output_path(url) in paths for url in found)
