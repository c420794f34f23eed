"""Markdown -> HTML with one configured Python-Markdown, and plain text taken from HTML.

Raw HTML in a release is kept by default (trusted authors). With `markdown.raw_html = false`
(outside contributors) it is shown as text, and so is everything else that could run script:
`{: onclick=...}` attributes are not read, and links to `javascript:` and other schemes that
are not web, mail or phone addresses are dropped.
"""

from __future__ import annotations

import bisect
import contextlib
import contextvars
import functools
import importlib
import re
from html.parser import HTMLParser
from typing import Any, Callable, Iterator, Protocol

EXTENSIONS = ["extra", "sane_lists", "smarty", "toc"]
EXTRA_WITHOUT_ATTRIBUTES = ["fenced_code", "footnotes", "def_list", "tables", "abbr", "md_in_html"]
UNTRUSTED_EXTENSIONS = EXTRA_WITHOUT_ATTRIBUTES + ["sane_lists", "smarty", "toc"]
EXTENSION_CONFIGS = {"toc": {"permalink": False}}
SAFE_SCHEMES = ("http", "https", "mailto", "tel")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")
_IGNORED_IN_URLS = re.compile(r"[\x00-\x20]")

# Python-Markdown slows down with the square of these (minutes for a few thousand), so
# a file that goes past them is refused with its line instead of stalling the build.
MAX_NESTING = 32  # list levels (4 spaces each) or > quote levels
MAX_BRACKETS = 500  # [ in one paragraph
MAX_TABLE_ROWS = 2000  # half a second of Markdown; more is a spreadsheet, not a page
_NESTED = re.compile(r"^((?:[ \t]*>){33})|^([ \t]{129,})(?:[-*+]|\d+[.)])(?:\s|$)")


class MarkupTooDeep(Exception):
    """The text is built so that Markdown would take minutes or recurse without end."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


def is_safe_url(url: str) -> bool:
    """Relative addresses, #anchors and http(s), mailto and tel; never javascript: or data:."""
    match = _SCHEME.match(_IGNORED_IN_URLS.sub("", url).lower())
    return match is None or match.group(1) in SAFE_SCHEMES


@functools.cache
def _converter(raw_html: bool) -> Any:
    import markdown  # here, not at the top: a rebuild that converts nothing never loads it

    extensions = EXTENSIONS if raw_html else UNTRUSTED_EXTENSIONS
    md = markdown.Markdown(extensions=_extensions(extensions, EXTENSION_CONFIGS), output_format="html")
    _skip_hopeless_patterns(md)
    _skip_hopeless_blocks(md)
    _skip_needless_preprocessors(md)
    if not raw_html:
        # Raw HTML is shown as text instead of being passed through (untrusted authors).
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_unsafe_link_dropper()(md), "drop_unsafe_links", -100)
    return md


@functools.cache
def _unsafe_link_dropper() -> type:
    from markdown.treeprocessors import Treeprocessor

    class DropUnsafeLinks(Treeprocessor):
        """Links and pictures may only lead to web, mail and phone addresses; on* attributes go."""

        def run(self, root) -> None:
            for element in root.iter():
                for name in list(element.attrib):
                    if name.lower().startswith("on") or (name in ("href", "src") and not is_safe_url(element.attrib[name])):
                        del element.attrib[name]

    return DropUnsafeLinks


class Memo(Protocol):
    """Remembers conversions between builds (see cache.MarkdownMemo)."""

    def key(self, text: str, raw_html: bool) -> bytes: ...
    def get(self, key: bytes) -> str | None: ...
    def put(self, key: bytes, html: str) -> None: ...


_memo: contextvars.ContextVar[Memo | None] = contextvars.ContextVar("pressroom_markdown_memo", default=None)


@contextlib.contextmanager
def remembering(memo: Memo) -> Iterator[None]:
    """Within this block, text converted before is not converted again."""
    token = _memo.set(memo)
    try:
        yield
    finally:
        _memo.reset(token)


# Python-Markdown's inline processor tries every pattern on every piece of text, in Python;
# most tries find nothing. Each piece of text is first asked once which of the characters
# the patterns need it holds; a pattern is then tried only if the text holds one of the
# characters its every match needs, and its regular expression (in C) finds a match. That
# saves half of the conversion time (smart quotes alone have 16 patterns). A skipped try
# would have returned "no match" without doing anything else, so the HTML is the same;
# this is only done for the versions of that code it was checked against.
_CHECKED_INLINE_CODE = {"69c1a14293ed164109a291c1d3d72e2b34d18ec2bf0abf2f0fe40b8b5fc7e3fa"}  # Markdown 3.11


def _skip_hopeless_patterns(md: Any) -> None:
    import hashlib

    from markdown.treeprocessors import InlineProcessor

    try:
        code = _source_of(InlineProcessor._InlineProcessor__handleInline) + _source_of(InlineProcessor._InlineProcessor__applyPattern)
    except (AttributeError, OSError, TypeError, ValueError):
        return
    if hashlib.sha256(code.encode()).hexdigest() not in _CHECKED_INLINE_CODE:
        return
    for processor in md.treeprocessors:
        if type(processor) is InlineProcessor:
            processor.__class__ = _quicker_inline_processor()


# Block processors that only search the block for their regular expression (headings, rules,
# quotes, definition lists, footnote, link and abbreviation definitions): where the block
# holds none of the characters each match needs, the answer is "not mine" without a search.
# Most blocks are paragraphs, which every one of them is asked about first. Checked, like
# the inline shortcut, against the code of the Markdown version these methods were read in.
_BLOCK_SEARCHES = {  # class: (the method that searches, the attribute holding the expression)
    "HashHeaderProcessor": ("test", "RE"),
    "SetextHeaderProcessor": ("test", "RE"),
    "HRProcessor": ("test", "SEARCH_RE"),
    "BlockQuoteProcessor": ("test", "RE"),
    "DefListProcessor": ("test", "RE"),
    "FootnoteBlockProcessor": ("run", "RE"),  # test() says yes; run() searches, or puts the block back
    "ReferenceProcessor": ("run", "RE"),
    "AbbrBlockprocessor": ("run", "RE"),
}
_CHECKED_METHOD_CODE = {  # the start of the sha256 of each method's source, Markdown 3.11
    "03ec47f76da0d6f4", "342a21ffb26b7052", "62765fec9d331a31", "b05b7970153b822e",
    "b56be8a6fce5a243", "d97db1d673f15c75", "f4517c337decc072",
    "5ff582f6af84b7e7", "79cbd05926bc0cb1",  # FencedBlockPreprocessor, md_in_html's HtmlBlockPreprocessor
}
# Preprocessors that give back the lines they were given unless the text holds one of these:
# fenced code needs ``` or ~~~; raw HTML needs < (and & is written out anew, with its ;).
_PREPROCESSOR_NEEDS = {
    "FencedBlockPreprocessor": ("```", "~~~"),
    "HtmlBlockPreprocessor": ("<", "&"),
}


def _skip_needless_preprocessors(md: Any) -> None:
    for processor in md.preprocessors:
        needs = _PREPROCESSOR_NEEDS.get(type(processor).__name__)
        if needs is not None and _checked_code(type(processor), "run"):
            processor.run = _unless_text_holds(processor.run, needs)


def _unless_text_holds(run: Callable[[list[str]], list[str]], needs: tuple[str, ...]) -> Callable[[list[str]], list[str]]:
    def shortcut(lines: list[str]) -> list[str]:
        return run(lines) if any(any(need in line for need in needs) for line in lines) else lines

    return shortcut


def _skip_hopeless_blocks(md: Any) -> None:
    for processor in md.parser.blockprocessors:
        method, expression = _BLOCK_SEARCHES.get(type(processor).__name__, (None, None))
        if method is not None and _checked_code(type(processor), method):
            needed = required_characters(getattr(processor, expression))
            if needed:
                setattr(processor, method, _unless_holding(getattr(processor, method), tuple(sorted(needed)), method == "run"))


def _checked_code(kind: type, method: str) -> bool:
    import hashlib

    try:
        code = _source_of(getattr(kind, method))
    except (AttributeError, OSError, TypeError, ValueError):
        return False
    return hashlib.sha256(code.encode()).hexdigest()[:16] in _CHECKED_METHOD_CODE


def _source_of(function: Callable) -> str:
    """The lines of a function's source, from its first line to the last any of its code
    (or code nested in it) comes from. What inspect.getsource gives, less its trailing
    comments, in a tenth of the time: it tokenises the whole file to find the end, and a
    process that converts Markdown checks ten methods (20-40 ms)."""
    import linecache

    code = function.__code__
    lines = linecache.getlines(code.co_filename)
    if not lines:
        raise OSError(f"no source for {code.co_filename}")
    return "".join(lines[code.co_firstlineno - 1 : _last_line(code)])


def _last_line(code: Any) -> int:
    own = [line for _, _, line in code.co_lines() if line is not None]
    nested = [_last_line(const) for const in code.co_consts if hasattr(const, "co_lines")]
    return max(own + nested)


def _unless_holding(method: Callable[[Any, Any], bool], needed: tuple[str, ...], takes_blocks: bool) -> Callable[[Any, Any], bool]:
    """The method, answering False at once for a block without any of the `needed` characters."""

    def shortcut(parent: Any, blocks: Any) -> bool:
        block = blocks[0] if takes_blocks else blocks
        for char in needed:
            if char in block:
                return method(parent, blocks)
        return False

    return shortcut


@functools.cache
def _quicker_inline_processor() -> type:
    from markdown import util
    from markdown.inlinepatterns import InlineProcessor as NewStylePattern
    from markdown.treeprocessors import InlineProcessor

    class QuickerInlineProcessor(InlineProcessor):
        def run(self, tree, ancestors=None):
            # (pattern, its compiled expression's search, or None for an old-style pattern)
            self._patterns = [(pattern, searcher(pattern.getCompiledRegExp()) if isinstance(pattern, NewStylePattern) else None) for pattern in self.inlinePatterns]
            # characters one of which each match needs; None: no such characters are known
            self._needs = [required_characters(pattern.getCompiledRegExp()) or None if search else None for pattern, search in self._patterns]
            self._looked_for = tuple(sorted(frozenset().union(*(needed for needed in self._needs if needed))))
            self._tried: dict[frozenset[str], tuple[int, ...]] = {}
            return super().run(tree, ancestors)

        def _worth_trying(self, data: str) -> tuple[int, ...]:
            """The patterns (in order) that may match somewhere in `data`."""
            present = frozenset([char for char in self._looked_for if char in data])
            tried = self._tried.get(present)
            if tried is None:
                tried = self._tried[present] = tuple(index for index, needed in enumerate(self._needs) if needed is None or not needed.isdisjoint(present))
            return tried

        def _InlineProcessor__handleInline(self, data, patternIndex=0):
            """InlineProcessor.__handleInline, trying only the patterns worth trying, and
            asking each pattern's expression first."""
            if isinstance(data, util.AtomicString):
                return data
            patterns = self._patterns
            apply = self._InlineProcessor__applyPattern
            tried = self._worth_trying(data)
            start = 0
            while True:
                at = bisect.bisect_left(tried, patternIndex)
                if at == len(tried):
                    return data
                if tried[at] != patternIndex:
                    patternIndex, start = tried[at], 0
                pattern, search = patterns[patternIndex]
                # all of `data` was looked at: a look-behind sees before `start`
                if search is not None and search(data, start) is None:
                    patternIndex, start = patternIndex + 1, 0
                    continue
                data, matched, start = apply(pattern, data, patternIndex, start)
                if matched:
                    tried = self._worth_trying(data)  # `data` is another text now
                else:
                    patternIndex += 1

    return QuickerInlineProcessor


@functools.cache
def searcher(pattern: re.Pattern) -> Callable[[str, int], Any]:
    """pattern.search, quicker for a pattern whose every match begins with a fixed text
    (most of smarty's): the places where that text is found are tried, instead of every
    position (a pattern opening with a look-behind is tried at each, in Python's re)."""
    prefix = literal_prefix(pattern)
    if not prefix:
        return pattern.search
    match = pattern.match

    def search(text: str, start: int = 0) -> Any:
        at = text.find(prefix, start)
        while at >= 0:
            found = match(text, at)  # look-behinds and ^ see the whole text, as with search
            if found is not None:
                return found
            at = text.find(prefix, at + 1)
        return None

    return search


def literal_prefix(pattern: re.Pattern) -> str:
    """The text every match of `pattern` begins with ("" where none is certain)."""
    if pattern.flags & re.IGNORECASE:
        return ""
    try:
        from re import _constants, _parser  # the standard library's own reading of the pattern

        return _prefix_of(list(_parser.parse(pattern.pattern, pattern.flags)), _constants)[0]
    except Exception:  # noqa: BLE001 - another Python's internals: search as usual
        return ""


def _prefix_of(items: list, c: Any) -> tuple[str, bool]:
    """(the text a sequence's every match begins with, whether that is all it matches)."""
    prefix = ""
    for op, argument in items:
        if op in (c.ASSERT, c.ASSERT_NOT, c.AT) and not prefix:
            continue  # looks around without taking characters: the match begins after
        if op is c.LITERAL:
            prefix += chr(argument)
            continue
        if op in (c.MAX_REPEAT, c.MIN_REPEAT) and len(argument[2]) == 1 and argument[2][0][0] is c.LITERAL and argument[0] >= 1:
            least, most, ((_, char),) = argument
            prefix += chr(char) * least
            if most == least:
                continue
        elif op is c.SUBPATTERN and not argument[1] & re.IGNORECASE:  # (group, flags added, flags removed, sequence)
            inner, whole = _prefix_of(list(argument[3]), c)
            prefix += inner
            if whole and inner:
                continue
        return prefix, False
    return prefix, True


@functools.cache
def required_characters(pattern: re.Pattern) -> frozenset[str] | None:
    """Characters of which every match of `pattern` holds, or has just around it, at least
    one; None where that cannot be told (case-insensitive patterns, no such element)."""
    if pattern.flags & re.IGNORECASE:
        return None
    try:
        from re import _constants, _parser  # the standard library's own reading of the pattern

        parsed = _parser.parse(pattern.pattern, pattern.flags)
        return _required_in_sequence(list(parsed), _constants)
    except Exception:  # noqa: BLE001 - another Python's internals: search without the shortcut
        return None


def _required_in_sequence(items: list, c: Any) -> frozenset[str] | None:
    """Every element of a sequence must match: the smallest set any one of them needs."""
    best = None
    for op, argument in items:
        found = _required_in_element(op, argument, c)
        if found is not None and (best is None or len(found) < len(best)):
            best = found
    return best


def _required_in_element(op: Any, argument: Any, c: Any) -> frozenset[str] | None:
    if op is c.LITERAL:
        return frozenset(chr(argument))
    if op is c.IN:  # a class of characters: all of them, if it names them one by one
        chars: set[str] = set()
        for kind, value in argument:
            if kind is c.LITERAL:
                chars.add(chr(value))
            elif kind is c.RANGE and value[1] - value[0] < 64:
                chars.update(chr(code) for code in range(value[0], value[1] + 1))
            else:  # a negated class, \w, \s, a wide range
                return None
        return frozenset(chars)
    if op is c.SUBPATTERN:  # (group, flags added, flags removed, sequence)
        return None if argument[1] & re.IGNORECASE else _required_in_sequence(list(argument[3]), c)
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
        least, _, sequence = argument
        return _required_in_sequence(list(sequence), c) if least >= 1 else None
    if op is c.ATOMIC_GROUP:
        return _required_in_sequence(list(argument), c)
    if op is c.BRANCH:  # one of the alternatives matches: each must need something
        union: set[str] = set()
        for sequence in argument[1]:
            found = _required_in_sequence(list(sequence), c)
            if found is None:
                return None
            union |= found
        return frozenset(union)
    if op is c.ASSERT:  # a look-ahead or look-behind that must match: (direction, sequence)
        return _required_in_sequence(list(argument[1]), c)
    return None  # ., \b, ^, a negative look-around, a back-reference: nothing certain


def _extensions(names: list[str], configs: dict[str, dict]) -> list[Any]:
    """Python-Markdown's own extensions as objects: given by name, Markdown would first scan
    every installed package for plug-ins, which costs a tenth of a second per build."""
    from markdown.extensions import Extension, extra

    found = []
    for name in names:
        if name == "extra":  # a bundle; its configuration is that of its parts
            found += _extensions(extra.extensions, configs.get(name, {}))
        elif "." in name:
            found.append(name)  # another package's extension: Markdown finds it
        else:
            extension = importlib.import_module(f"markdown.extensions.{name}").makeExtension(**configs.get(name, {}))
            assert isinstance(extension, Extension)
            found.append(extension)
    return found


def to_html(text: str, raw_html: bool = True) -> str:
    """Raises MarkupTooDeep, with a line of `text`, for text that would stall Markdown."""
    memo = _memo.get()
    if memo is None:
        return _convert(text, raw_html)
    key = memo.key(text, raw_html)
    html = memo.get(key)
    if html is None:
        html = _convert(text, raw_html)
        memo.put(key, html)
    return html


def _convert(text: str, raw_html: bool) -> str:
    check_shape(text)
    md = _converter(raw_html)
    try:
        return md.convert(text)
    except RecursionError:
        raise MarkupTooDeep(1, "the text is nested too deeply for Markdown (hundreds of * or _ or lists in lists); simplify it") from None
    finally:
        md.reset()


def check_shape(text: str) -> None:
    """Refuse deep nesting, bracket storms and huge tables before Markdown spends minutes on them."""
    brackets, paragraph_line, table_rows = 0, 1, 0
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            brackets, paragraph_line = 0, number + 1
            continue
        table_rows = table_rows + 1 if "|" in line else 0
        if table_rows > MAX_TABLE_ROWS + 2:  # the heading row and the --- row are not counted
            raise MarkupTooDeep(number - table_rows + 1, f"this table has more than {MAX_TABLE_ROWS:,} rows, too many to read on a page; put the data in a spreadsheet in assets/ and link to it")
        if _NESTED.match(line):
            raise MarkupTooDeep(number, f"lists or quotes are nested more than {MAX_NESTING} levels deep here; Markdown cannot handle that in reasonable time. Simplify it")
        if not line.lstrip().startswith("|"):  # each table cell is read on its own
            brackets += line.count("[")
            if brackets > MAX_BRACKETS:
                raise MarkupTooDeep(paragraph_line, f"this paragraph has more than {MAX_BRACKETS} [ brackets; Markdown cannot handle that in reasonable time. Split it, or write \\[ for a bracket that is not a link")


class _TextOfFirstParagraph(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.done = False
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "p" and not self.done:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag == "p" and self.depth:
            self.depth -= 1
            if not self.depth and "".join(self.parts).strip():
                self.done = True

    def handle_data(self, data):
        if self.depth and not self.done:
            self.parts.append(data)


def first_paragraph(html: str) -> str:
    """The text of the first non-empty paragraph: the default summary of a release."""
    parser = _TextOfFirstParagraph()
    parser.feed(html)
    parser.close()
    return " ".join("".join(parser.parts).split())


_TAG = re.compile(r"<[a-zA-Z][^<>]*>")
_LINK_ATTRIBUTE = re.compile(r"""(\s(?:href|src|poster)\s*=\s*)(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)


def rewrite_links(html: str, change: Callable[[str], str]) -> str:
    """Apply `change` to every href, src and poster inside the tags of `html` (text is left alone)."""

    def attribute(match: re.Match) -> str:
        quote = '"' if match.group(2) is not None else "'"
        value = match.group(2) if match.group(2) is not None else match.group(3)
        return f"{match.group(1)}{quote}{change(value)}{quote}"

    return _TAG.sub(lambda tag: _LINK_ATTRIBUTE.sub(attribute, tag.group(0)), html)
