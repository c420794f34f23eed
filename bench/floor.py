"""The floor: the least work any Pressroom-like build of a site can do.

    python bench/floor.py SITE_DIR OUTPUT_DIR [--processes 2] [--extensions extra,toc]

For every ``content/news/YYYY/<slug>.md`` of SITE_DIR: parse the front matter with
python-frontmatter, convert the body with Python-Markdown, render a trivial Jinja2
template (title, date, tags, body) and write ``OUTPUT_DIR/news/YYYY/<slug>/index.html``.
No index, tag pages or feed, no validation, no cache. The files are shared out to a
multiprocessing pool (fork) in a few big chunks, so each worker builds its Markdown and
Jinja2 objects once. Run it with the same interpreter and library versions as Pressroom
(``/work/main/.venv/bin/python``). Prints the number of pages written.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import sys
from pathlib import Path

import frontmatter
import jinja2
import markdown
from markupsafe import Markup

TEMPLATE = """\
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ title }}</title></head>
<body>
<article>
<h1>{{ title }}</h1>
<p><time datetime="{{ date.isoformat() }}">{{ date.strftime('%-d %B %Y') }}</time></p>
<ul class="tags">{% for tag in tags %}<li>{{ tag }}</li>{% endfor %}</ul>
{{ body }}
</article>
</body>
</html>
"""

_state: dict = {}


def _init(extensions: list[str]) -> None:
    env = jinja2.Environment(autoescape=True)
    _state["template"] = env.from_string(TEMPLATE)
    _state["md"] = markdown.Markdown(extensions=extensions, output_format="html")


def render_chunk(job: tuple[str, str, list[str]]) -> int:
    site, out, paths = job
    template, md = _state["template"], _state["md"]
    for rel in paths:
        post = frontmatter.load(os.path.join(site, rel))
        body = md.reset().convert(post.content)
        html = template.render(title=post["title"], date=post["date"],
                               tags=post.get("tags", []), body=Markup(body))
        year, name = rel.split(os.sep)[-2:]
        target = os.path.join(out, "news", year, name[:-3])
        os.makedirs(target, exist_ok=True)
        with open(os.path.join(target, "index.html"), "w", encoding="utf-8") as f:
            f.write(html)
    return len(paths)


def build(site: str, out: str, processes: int = 2, extensions: list[str] | None = None) -> int:
    site = os.path.abspath(site)
    news = Path(site, "content", "news")
    paths = sorted(str(p.relative_to(site)) for p in news.rglob("*.md"))
    if not paths:
        return 0
    chunk = math.ceil(len(paths) / (processes * 2))  # two big chunks per worker
    jobs = [(site, out, paths[i:i + chunk]) for i in range(0, len(paths), chunk)]
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(processes, initializer=_init, initargs=(extensions or [],)) as pool:
        return sum(pool.imap_unordered(render_chunk, jobs))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("site")
    p.add_argument("output")
    p.add_argument("--processes", type=int, default=2)
    p.add_argument("--extensions", default="",
                   help="comma-separated Python-Markdown extensions (default: none)")
    a = p.parse_args(argv)
    exts = [e for e in a.extensions.split(",") if e]
    n = build(a.site, os.path.abspath(a.output), a.processes, exts)
    print(f"floor: wrote {n} pages")
    return 0 if n else 1


if __name__ == "__main__":
    sys.exit(main())
