"""Splitting a content file into its front matter and its Markdown, and reading the YAML.

YAML is composed into nodes first: node marks give every key its real line in the file,
duplicate keys and alias bombs are caught before anything is built, and only YAML's safe
types are constructed. A module of its own, loaded only where files are parsed: a rebuild
after an edit parses in another process, and its building process never loads PyYAML.
"""

from __future__ import annotations

import frontmatter
import yaml

from pressroom.errors import SiteError
from pressroom.source import Document, SourceFile, visible_text

_HANDLER = frontmatter.YAMLHandler()
MAX_YAML_NODES = 20_000


class _DataOnly:
    """YAML's safe types, with two changes: dates stay text, so that parse.py reads every date
    (and reports a 30 February at its line), and a value that cannot be built (`!!int x`) is
    an error at its own line instead of an exception from deep inside PyYAML."""

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def construct_object(self, node, deep=False):
        try:
            value = super().construct_object(node, deep)
        except (ValueError, TypeError, OverflowError) as exc:
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            raise yaml.constructor.ConstructorError(None, None, f"{_short(node.value)} cannot be read as {tag}; remove the {tag}", node.start_mark) from None
        return visible_text(value) if isinstance(value, str) else value


class _FastLoader(_DataOnly, getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    pass


class _ClearLoader(_DataOnly, yaml.SafeLoader):
    pass


def _short(value: object) -> str:
    text = f'"{value}"' if isinstance(value, str) else "this value"
    return text if len(text) <= 40 else text[:37] + '..."'


def split_document(source: SourceFile) -> Document | SiteError:
    """Front matter between `---` lines at the top, then Markdown."""
    text = source.text
    boundaries = list(_HANDLER.FM_BOUNDARY.finditer(text)) if text.startswith("---") else []
    if not boundaries or boundaries[0].start() != 0:
        if not text.strip():
            return SiteError(source.path, 1, "the file is empty; it needs front matter (---, title: ..., date: ..., ---) and text")
        return SiteError(
            source.path, 1,
            "there is no front matter; the file must start with a line ---, then fields like title: and date:, then ---",
        )
    if len(boundaries) < 2:
        return SiteError(
            source.path, 1,
            "the front matter that starts here never ends; add a line --- after the last field",
        )
    opening, closing = boundaries[0], boundaries[1]
    first_line = text.count("\n", 0, opening.end()) + 1
    loaded = load_yaml(text[opening.end() : closing.start()], source.path, first_line)
    if isinstance(loaded, SiteError):
        return loaded
    meta, lines = loaded
    body_start = closing.end() + 1
    return Document(
        path=source.path,
        meta=meta,
        lines=lines,
        body=text[body_start:],
        body_line=text.count("\n", 0, body_start) + 1,
    )


def load_yaml(text: str, path: str, first_line: int) -> tuple[dict, dict[str, int]] | SiteError:
    """Safe YAML -> (mapping, line of every key); errors point at lines of the file."""
    if "\t" in text:
        for number, line in enumerate(text.split("\n")):
            stripped = line.lstrip(" ")
            if stripped.startswith("\t"):
                return SiteError(path, first_line + number, "a tab is used for indentation; YAML needs spaces")
    try:
        return _load_yaml(_FastLoader, text, path, first_line)
    except _Retry:
        # libyaml is fast but terse; its pure-Python twin explains the same error better.
        return _load_yaml(_ClearLoader, text, path, first_line)


class _Retry(Exception):
    pass


def _load_yaml(loader_class, text: str, path: str, first_line: int) -> tuple[dict, dict[str, int]] | SiteError:
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, {}
        if not isinstance(node, yaml.MappingNode):
            return SiteError(path, first_line + node.start_mark.line, "the front matter must be fields like title: ..., one per line")
        problem = _check_nodes(node, path, first_line)
        if problem:
            return problem
        meta = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        if loader_class is not _ClearLoader:
            raise _Retry from None
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or exc.context or "is not valid YAML"
        if exc.context_mark and "quoted scalar" in (exc.context or ""):
            mark, what = exc.context_mark, "a quote opened here is never closed; add the closing quote"
        line = first_line + mark.line if mark else first_line
        if "could not determine a constructor" in str(exc):
            what = f"{exc.problem.split(' for the tag ')[-1]} is not allowed here; front matter holds plain values only"
        return SiteError(path, line, f"this is not valid YAML: {what}{_yaml_hint(what)}")
    except yaml.YAMLError as exc:
        return SiteError(path, first_line, f"this is not valid YAML: {str(exc).splitlines()[0]}")
    except RecursionError:
        return SiteError(path, first_line, "the front matter is nested hundreds of levels deep ([[[[...); a page needs two or three at most")
    finally:
        loader.dispose()
    lines: dict[str, int] = {}
    _record_lines(node, "", first_line, lines)
    return meta, lines


def _yaml_hint(problem: str) -> str:
    if "mapping values are not allowed" in problem:
        return '; a value that contains ": " must be put in quotes'
    if "found unexpected end of stream" in problem or "unexpected end" in problem:
        return "; a quote was probably opened and not closed"
    if "found character '\\t'" in problem:
        return "; use spaces, not tabs"
    if "unhashable key" in problem:
        return "; a field name must be a plain word, like title"
    return ""


def _check_nodes(root: yaml.Node, path: str, first_line: int) -> SiteError | None:
    """Refuse duplicate keys and alias expansion that would blow up ("billion laughs")."""
    sizes: dict[int, int] = {}
    aliases = 0

    def size(node: yaml.Node) -> int:
        nonlocal aliases
        if id(node) in sizes:
            aliases += 1
            return sizes[id(node)]
        sizes[id(node)] = 1  # guards against recursive aliases
        if isinstance(node, yaml.MappingNode):
            total = 1 + sum(size(k) + size(v) for k, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            total = 1 + sum(size(v) for v in node.value)
        else:
            total = 1
        sizes[id(node)] = min(total, MAX_YAML_NODES + 1)
        return sizes[id(node)]

    if size(root) > MAX_YAML_NODES:
        through_aliases = aliases > 0
        key, _ = max(root.value, key=lambda pair: size(pair[1]))  # the first field that overflows
        line = first_line + key.start_mark.line
        if through_aliases:
            return SiteError(path, line, f"the front matter expands to more than {MAX_YAML_NODES:,} values through & and * aliases; write the values out instead")
        return SiteError(path, line, f"the front matter holds more than {MAX_YAML_NODES:,} values, far more than a page needs; shorten it")

    def duplicates(node: yaml.Node, seen_nodes: set[int]) -> SiteError | None:
        if id(node) in seen_nodes:
            return None
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    line = first_line + key.start_mark.line
                    if key.value in seen:
                        return SiteError(path, line, f'"{key.value}" is given twice (first on line {seen[key.value]}); keep one')
                    seen[key.value] = line
                found = duplicates(value, seen_nodes)
                if found:
                    return found
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                found = duplicates(item, seen_nodes)
                if found:
                    return found
        return None

    return duplicates(root, set())


def _record_lines(node: yaml.Node, prefix: str, first_line: int, lines: dict[str, int]) -> None:
    if not isinstance(node, yaml.MappingNode):
        return
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode):
            name = f"{prefix}{key.value}"
            lines.setdefault(name, first_line + key.start_mark.line)
            if prefix.count(".") < 2:
                _record_lines(value, name + ".", first_line, lines)
