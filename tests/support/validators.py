"""Validators for the generated site: HTML (W3C Nu Html Checker), accessibility
(axe-core in the browser), Atom (RFC 4287) and sitemaps (sitemaps.org 0.9).

Their tools come from scripts/install-test-tools: Java plus the npm packages
``vnu-jar`` and ``axe-core`` in node_modules/. The XML schemas are committed in
tests/schemas/.
"""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess
import urllib.parse
from pathlib import Path
from typing import Iterable

from tests.support import REPO_ROOT

VNU_JAR = REPO_ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCHEMAS = REPO_ROOT / "tests" / "schemas"

AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")

ATOM_NS = "http://www.w3.org/2005/Atom"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"

_INSTALL_HINT = "run scripts/install-test-tools"


# --------------------------------------------------------------------------
# HTML: the W3C Nu Html Checker (vnu.jar)
# --------------------------------------------------------------------------

def _html_files(paths: Iterable[str | os.PathLike]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            files.extend(sorted(q for q in p.rglob("*") if q.suffix in (".html", ".htm") and q.is_file()))
        elif p.is_file():
            files.append(p)
        else:
            raise FileNotFoundError(p)
    return files


def run_vnu(paths: Iterable[str | os.PathLike]) -> list[dict]:
    """Check HTML files with the Nu Html Checker; return its errors.

    ``paths`` are HTML files and/or directories (searched for *.html, *.htm).
    Pass everything in one call: each call starts one JVM (about 3 s).
    Each error is a dict with ``file`` (the path as given), ``line`` and
    ``column`` (may be None), ``message``, ``extract`` (may be "") and
    ``type`` ("error", or "non-document-error" for I/O trouble).
    Warnings are not reported (``--errors-only``).
    """
    files = _html_files(paths)
    if not files:
        return []
    if not VNU_JAR.is_file():
        raise FileNotFoundError(f"{VNU_JAR} missing: {_INSTALL_HINT}")
    by_url = {f.resolve().as_uri(): str(f) for f in files}
    cmd = [
        "java",
        "-Xss8m",  # the checker recurses deeply on nested markup
        "-XX:TieredStopAtLevel=1",  # quicker start; these runs are short
        "-jar", str(VNU_JAR),
        "--format", "json",
        "--errors-only",
        "--exit-zero-always",
        *[str(f.resolve()) for f in files],
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", timeout=600)
    # vnu writes its JSON report to stderr.
    report = None
    for stream in (proc.stderr, proc.stdout):
        start = stream.find('{"')
        if start != -1:
            try:
                report = json.loads(stream[start:])
                break
            except json.JSONDecodeError:
                pass
    if proc.returncode != 0 or report is None:
        raise RuntimeError(
            f"vnu.jar failed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
        )
    errors = []
    for m in report.get("messages", []):
        if m.get("type") not in ("error", "non-document-error"):
            continue
        url = m.get("url", "")
        file = by_url.get(url)
        if file is None and url.startswith("file:"):
            file = urllib.parse.unquote(urllib.parse.urlsplit(url).path)
        errors.append({
            "file": file or url,
            "line": m.get("lastLine", m.get("firstLine")),
            "column": m.get("firstColumn", m.get("lastColumn")),
            "message": m.get("message", ""),
            "extract": m.get("extract", ""),
            "type": m.get("type"),
        })
    return errors


def format_vnu_errors(errors: list[dict]) -> str:
    """One line per error, for assertion messages."""
    return "\n".join(f"{e['file']}:{e['line']}:{e['column']}: {e['message']}" for e in errors)


# --------------------------------------------------------------------------
# Accessibility: axe-core in a Playwright page
# --------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _axe_source() -> str:
    if not AXE_JS.is_file():
        raise FileNotFoundError(f"{AXE_JS} missing: {_INSTALL_HINT}")
    return AXE_JS.read_text(encoding="utf-8")


def run_axe(page, tags: Iterable[str] = AXE_TAGS, context=None, options: dict | None = None) -> list[dict]:
    """Run axe-core on the page's current document; return its violations.

    Only rules tagged wcag2a, wcag2aa, wcag21a or wcag21aa run (``tags``).
    ``context`` is an axe context (default: the whole document); ``options``
    are merged into the axe.run options. Each violation is axe's own dict
    (``id``, ``impact``, ``description``, ``help``, ``helpUrl``, ``tags``,
    ``nodes`` with ``target``, ``html`` and ``failureSummary``).
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=_axe_source())
        if not page.evaluate("() => typeof window.axe === 'object'"):
            raise RuntimeError(
                "axe-core did not load in the page (a Content-Security-Policy? "
                "use browser.new_context(bypass_csp=True))"
            )
    run_options = {
        "runOnly": {"type": "tag", "values": list(tags)},
        "resultTypes": ["violations"],
        **(options or {}),
    }
    result = page.evaluate(
        "([context, options]) => axe.run(context ?? document, options)",
        [context, run_options],
    )
    return [
        {
            "id": v["id"],
            "impact": v.get("impact"),
            "description": v.get("description"),
            "help": v.get("help"),
            "helpUrl": v.get("helpUrl"),
            "tags": v.get("tags", []),
            "nodes": [
                {
                    "target": n.get("target"),
                    "html": n.get("html"),
                    "failureSummary": n.get("failureSummary"),
                }
                for n in v.get("nodes", [])
            ],
        }
        for v in result["violations"]
    ]


def format_axe_violations(violations: list[dict]) -> str:
    """A readable summary, for assertion messages."""
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for n in v["nodes"]:
            lines.append(f"    {n['target']}: {n['html']}")
    return "\n".join(lines)


# --------------------------------------------------------------------------
# XML: Atom (RFC 4287) and sitemaps (sitemaps.org 0.9)
# --------------------------------------------------------------------------

def _parse_xml(xml_bytes: bytes):
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.fromstring(xml_bytes, parser)


@functools.lru_cache(maxsize=1)
def _atom_schema():
    from lxml import etree

    return etree.RelaxNG(etree.parse(str(SCHEMAS / "atom.rng")))


@functools.lru_cache(maxsize=1)
def _sitemap_schema():
    from lxml import etree

    return etree.XMLSchema(etree.parse(str(SCHEMAS / "sitemap.xsd")))


def _log_errors(log) -> list[str]:
    return [f"line {e.line}: {e.message}" for e in log]


# RFC 3339 date-time, as RFC 4287 section 3.3 requires ("T" and "Z" uppercase,
# time zone required); xsd:dateTime in the schema is looser.
_RFC3339 = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})\Z"
)


def _atom_rules(root) -> list[str]:
    """RFC 4287 rules that RELAX NG cannot express: the two Schematron rules of
    Appendix B, plus a few MUSTs of sections 3.3, 4.1.1, 4.1.2 and 4.1.3.1."""
    ns = {"a": ATOM_NS}
    errors = []

    def where(el):
        return f"line {el.sourceline}"

    feed_has_author = root.tag == f"{{{ATOM_NS}}}feed" and bool(root.xpath("a:author", namespaces=ns))
    entries = [root] if root.tag == f"{{{ATOM_NS}}}entry" else root.xpath("a:entry", namespaces=ns)
    for entry in entries:
        if not (feed_has_author or entry.xpath("a:author or a:source/a:author", namespaces=ns)):
            errors.append(f"{where(entry)}: An atom:entry must have an atom:author if its feed does not.")
        if not entry.xpath("a:link[@rel='alternate'] or a:link[not(@rel)] or a:content", namespaces=ns):
            errors.append(
                f"{where(entry)}: An atom:entry must have at least one atom:link element "
                "with a rel attribute of 'alternate' or an atom:content."
            )
        content = entry.find(f"{{{ATOM_NS}}}content")
        if content is not None and entry.find(f"{{{ATOM_NS}}}summary") is None:
            ctype = content.get("type", "text")
            textual = ctype in ("text", "html", "xhtml") or ctype.startswith("text/") or (
                ctype.endswith("/xml") or ctype.endswith("+xml")
            )
            if content.get("src") is not None or not textual:
                errors.append(
                    f"{where(entry)}: An atom:entry whose atom:content has a src attribute or "
                    "Base64-encoded content must have an atom:summary (RFC 4287 4.1.1.2)."
                )

    for container in [root, *root.xpath("a:entry | a:entry/a:source | a:source", namespaces=ns)]:
        seen = set()
        for link in container.xpath("a:link[@rel='alternate' or not(@rel)]", namespaces=ns):
            key = (link.get("type"), link.get("hreflang"))
            if key in seen:
                errors.append(
                    f"{where(link)}: more than one atom:link with rel='alternate' and the same "
                    f"type and hreflang {key} (RFC 4287 4.1.1)."
                )
            seen.add(key)

    for date in root.xpath("//a:updated | //a:published", namespaces=ns):
        value = (date.text or "").strip()
        if not _RFC3339.match(value):
            errors.append(
                f"{where(date)}: atom:{_localname(date)} {value!r} is not an RFC 3339 "
                "date-time with a time zone (RFC 4287 3.3)."
            )
    return errors


def _localname(el) -> str:
    return el.tag.rsplit("}", 1)[-1]


def validate_atom(xml_bytes: bytes) -> list[str]:
    """Validate an Atom feed or entry document against RFC 4287.

    Checks the Appendix B RELAX NG grammar (tests/schemas/atom.rng) and then the
    rules it cannot express (see ``_atom_rules``). Returns error strings; an
    empty list means valid.
    """
    from lxml import etree

    try:
        root = _parse_xml(xml_bytes)
    except etree.XMLSyntaxError as e:
        return [f"not well-formed XML: {e}"]
    schema = _atom_schema()
    if not schema.validate(root):
        return _log_errors(schema.error_log)
    return _atom_rules(root)


def validate_sitemap(xml_bytes: bytes) -> list[str]:
    """Validate a sitemap (``<urlset>``) against the sitemaps.org 0.9 XSD.

    Also checks what the protocol requires beyond the XSD: every ``<loc>`` an
    absolute http(s) URL, at most 50,000 URLs and 50 MiB. Returns error
    strings; an empty list means valid.
    """
    from lxml import etree

    errors = []
    if len(xml_bytes) > 50 * 1024 * 1024:
        errors.append("sitemap larger than 50 MiB (uncompressed)")
    try:
        root = _parse_xml(xml_bytes)
    except etree.XMLSyntaxError as e:
        return [*errors, f"not well-formed XML: {e}"]
    schema = _sitemap_schema()
    if not schema.validate(root):
        return [*errors, *_log_errors(schema.error_log)]
    locs = root.findall(f"{{{SITEMAP_NS}}}url/{{{SITEMAP_NS}}}loc")
    if len(locs) > 50_000:
        errors.append(f"{len(locs)} URLs; a sitemap may list at most 50,000")
    for loc in locs:
        parts = urllib.parse.urlsplit((loc.text or "").strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            errors.append(f"line {loc.sourceline}: <loc> {loc.text!r} is not an absolute http(s) URL")
    return errors
