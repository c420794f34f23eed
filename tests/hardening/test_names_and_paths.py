"""Issue 7, "Names and paths": nothing a release says can make the build write outside the
output folder; two things at one address are named; odd file names just work."""

import subprocess
import sys

import pytest

from tests.conftest import ROOT, tree, write_files

LIKE = "is not a usable slug; use lowercase letters, digits and hyphens, like"


def test_slugs_that_try_to_leave_the_output_folder_are_refused(fails, good_site, tmp_path):
    outside_before = sorted(p.name for p in tmp_path.iterdir())
    assert fails({
        "content/news/dots.md": "---\ntitle: T\ndate: 2024-01-09\nslug: ../../../etc\n---\n",
        "content/news/slash.md": "---\ntitle: T\ndate: 2024-01-09\nslug: news/evil\n---\n",
        "content/news/backslash.md": "---\ntitle: T\ndate: 2024-01-09\nslug: '..\\..\\evil'\n---\n",
        "content/news/control.md": '---\ntitle: T\ndate: 2024-01-09\nslug: "a\\tb\\x01c"\n---\n',
        "content/news/absolute.md": "---\ntitle: T\ndate: 2024-01-09\nslug: /etc/passwd\n---\n",
        "content/news/url.md": "---\ntitle: T\ndate: 2024-01-09\nurl: /etc/passwd\n---\n",
        "content/news/image.md": "---\ntitle: T\ndate: 2024-01-09\nimage: javascript:alert(1)\nimage_alt: x\n---\n",
        "content/pages/dots.md": "---\ntitle: T\nslug: ..\n---\n",
    }) == [
        f'content/news/absolute.md:4: slug: "/etc/passwd" {LIKE} etc-passwd',
        f'content/news/backslash.md:4: slug: "..\\..\\evil" {LIKE} evil',
        f'content/news/control.md:4: slug: "a bc" {LIKE} a-bc',
        f'content/news/dots.md:4: slug: "../../../etc" {LIKE} etc',
        'content/news/image.md:4: image: "javascript:alert(1)" is not a picture address; write one like /assets/images/photo.jpg or https://...',
        f'content/news/slash.md:4: slug: "news/evil" {LIKE} news-evil',
        "content/news/url.md:4: url: unknown field; known ones are author, date, draft, embargo, event, image, image_alt, label, lang, slug, summary, tags, title, updated",
        f'content/pages/dots.md:3: slug: ".." {LIKE} my-release',
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == outside_before


def test_two_things_at_one_address_are_an_error_naming_both_files_and_lines(fails):
    assert fails({
        "content/news/one.md": "---\ntitle: Same title\ndate: 2024-01-09\n---\n",
        "content/news/two.md": "---\ntitle: Same title\ndate: 2024-03-01\n---\n",
        "content/news/three.md": "---\ntitle: Other\ndate: 2024-05-01\nsummary: s\nslug: same-title\n---\n",
        "content/pages/news.md": "---\ntitle: News\n---\n",
        "content/pages/x.md": "---\ntitle: X\nslug: tags\n---\n",
    }) == [
        "content/news/one.md:2: would be written to /news/2024/same-title/index.html, like content/news/three.md:5; give one of them another slug",
        "content/news/two.md:2: would be written to /news/2024/same-title/index.html, like content/news/three.md:5; give one of them another slug",
        "content/pages/news.md:2: would be written to /news/index.html, like the news listing; give one of them another slug",
        "content/pages/x.md:3: would be written to /tags/index.html, like the tags index; give one of them another slug",
    ]


@pytest.mark.parametrize("title, slug", [
    ("Tromsø cluster meets", "tromso-cluster-meets"),
    ("Zürich, Ærø & Ångström", "zurich-aero-angstrom"),
    ("Привет мир", "privet-mir"),
    ("北京 欢迎", "bei-jing-huan-ying"),
    ("Ελλάδα καλεί", "ellada-kalei"),
    ("Ça va? «Oui»", "ca-va-oui"),
    ("Straße", "strasse"),
])
def test_non_ascii_titles_get_readable_slugs(title, slug):
    from pressroom.config import parse_config
    from pressroom.parse import parse_release
    from pressroom.front_matter import split_document
    from pressroom.source import SourceFile
    from tests.conftest import MINIMAL_CONFIG

    doc = split_document(SourceFile("content/news/x.md", f'---\ntitle: "{title}"\ndate: 2024-01-09\n---\n'))
    assert parse_release(doc, parse_config(MINIMAL_CONFIG)).url == f"news/2024/{slug}/"


def test_a_title_without_letters_takes_its_slug_from_the_file_name(make_site, pressroom):
    site = make_site({"content/news/party-time.md": "---\ntitle: 🎉🎉\ndate: 2024-01-09\n---\n"})
    assert pressroom("build", str(site)).code == 0
    assert (site / "output" / "news" / "2024" / "party-time" / "index.html").is_file()


def test_file_and_folder_names_with_spaces_quotes_and_a_leading_hyphen_work(tmp_path):
    from tests.conftest import MINIMAL_CONFIG, release

    site = write_files(tmp_path / "-our site 'newsroom'", {
        "pressroom.toml": MINIMAL_CONFIG,
        "content/news/my first release.md": release("First"),
        "content/news/it's \"quoted\".md": release("Second"),
        "content/news/-leading hyphen.md": release("Third"),
        "content/pages/about us.md": "---\ntitle: About us\n---\nWho we are.\n",
    })
    done = subprocess.run(
        [sys.executable, "-m", "pressroom", "build", "--output", "-out put", "--", "-our site 'newsroom'"],
        cwd=tmp_path, capture_output=True, text=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    written = tree(tmp_path / "-out put")
    assert {"news/2024/first/index.html", "news/2024/second/index.html", "news/2024/third/index.html", "about-us/index.html"} <= set(written)
