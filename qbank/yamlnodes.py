"""YAML 1.2 composition with positions, on top of libyaml's C composer.

Why not ``YAML(typ="safe").load``? We need three things the stock loaders do not give together:
positions for every key and value (lint messages point at the offending line), duplicate keys as
errors rather than silent overwrites, and YAML 1.2 core-schema scalars (``Yes``, ``On`` and ``0800``
stay text). The C composer gives us nodes with marks quickly; this module turns nodes into plain
Python data with a position table, resolving plain scalars ourselves so the rules are exactly 1.2.

Plain scalars are kept as :class:`Plain` (a ``str`` subclass holding the source text) so that the
model layer can decide per field: a text field keeps ``0800`` as written, a number field reads 800.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Iterator

from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.resolver import BaseResolver
from ruamel.yaml.tag import Tag

try:  # pragma: no cover - which branch runs depends on the platform
    from ruamel.yaml.cyaml import CParser as _Parser

    HAVE_C_COMPOSER = True
except ImportError:  # pragma: no cover - PyPy or a platform without wheels
    from ruamel.yaml.composer import Composer as _Composer
    from ruamel.yaml.parser import Parser as _PyParser
    from ruamel.yaml.reader import Reader as _Reader
    from ruamel.yaml.scanner import Scanner as _Scanner

    HAVE_C_COMPOSER = False

Path = tuple[str | int, ...]
Pos = tuple[int, int]  # 1-based line and column

PLAIN_TAG = "tag:qbank,2024:plain"
_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"


class Plain(str):
    """A plain (unquoted) scalar's source text, not yet resolved to a type."""

    __slots__ = ()


class YamlProblem(Exception):
    """A problem with the YAML itself, with a 1-based position and a fix."""

    def __init__(self, code: str, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.line = line
        self.column = column


@dataclass
class Document:
    """One YAML document: its data, where it starts, and where each key and value sits."""

    data: Any
    line: int
    column: int
    values: dict[Path, Pos] = field(default_factory=dict)
    keys: dict[Path, Pos] = field(default_factory=dict)
    problems: list[YamlProblem] = field(default_factory=list)


# YAML 1.2 core schema (https://yaml.org/spec/1.2.2/#1032-tag-resolution).
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
_INT_RE = re.compile(r"[-+]?[0-9]+\Z")
_OCT_RE = re.compile(r"0o[0-7]+\Z")
_HEX_RE = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT_RE = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_INF_RE = re.compile(r"[-+]?\.(inf|Inf|INF)\Z")
_NAN_RE = re.compile(r"\.(nan|NaN|NAN)\Z")


def resolve_plain(text: str) -> Any:
    """Resolve a plain scalar by the YAML 1.2 core schema."""
    if text in _NULLS:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    first = text[0]
    if first.isdigit() or first in "+-.":
        if _INT_RE.match(text):
            return int(text)
        if _OCT_RE.match(text):
            return int(text[2:], 8)
        if _HEX_RE.match(text):
            return int(text[2:], 16)
        if _FLOAT_RE.match(text):
            return float(text)
        if _INF_RE.match(text):
            return -math.inf if text[0] == "-" else math.inf
        if _NAN_RE.match(text):
            return math.nan
    return text


def resolve_deep(value: Any) -> Any:
    """Resolve every :class:`Plain` left in a structure (used outside the model's known fields)."""
    if isinstance(value, Plain):
        return resolve_plain(str(value))
    if isinstance(value, dict):
        return {k: resolve_deep(v) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_deep(v) for v in value]
    return value


# Shared Tag objects: nodes accept a Tag as is, which saves building one per node.
_PLAIN_TAG_OBJ = Tag(suffix=PLAIN_TAG)
_DEFAULT_TAGS = {ScalarNode: Tag(suffix=_STR), SequenceNode: Tag(suffix=_SEQ), MappingNode: Tag(suffix=_MAP)}


def _resolve(kind: Any, implicit: Any) -> Tag:
    """Mark plain scalars for per-field resolution; everything else gets its default tag."""
    if kind is ScalarNode and implicit[0]:
        return _PLAIN_TAG_OBJ
    return _DEFAULT_TAGS[kind]


if HAVE_C_COMPOSER:

    class _NodeLoader(_Parser, BaseResolver):  # type: ignore[misc,valid-type]
        """libyaml's composer with a resolver that only marks plain scalars for later resolution."""

        def __init__(self, stream: str) -> None:
            _Parser.__init__(self, stream)
            BaseResolver.__init__(self, loadumper=self)

        def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
            return _resolve(kind, implicit)

else:  # pragma: no cover

    class _NodeLoader(_Reader, _Scanner, _PyParser, _Composer, BaseResolver):  # type: ignore[no-redef,misc]
        def __init__(self, stream: str) -> None:
            _Reader.__init__(self, stream, loader=self)
            _Scanner.__init__(self, loader=self)
            _PyParser.__init__(self, loader=self)
            _Composer.__init__(self, loader=self)
            BaseResolver.__init__(self, loadumper=self)

        def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
            return _resolve(kind, implicit)


def _pos(node: Node) -> Pos:
    mark = node.start_mark
    return (mark.line + 1, mark.column + 1)


class _Builder:
    """Turns one document's node tree into data plus position tables."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.active: set[int] = set()

    def build(self, node: Node, path: Path) -> Any:
        self.doc.values[path] = _pos(node)
        if isinstance(node, ScalarNode):
            return self._scalar(node)
        if id(node) in self.active:
            line, col = _pos(node)
            raise YamlProblem("QB001", "recursive alias: an anchor refers to itself; remove the alias", line, col)
        self.active.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                return [self.build(child, path + (i,)) for i, child in enumerate(node.value)]
            if isinstance(node, MappingNode):
                return self._mapping(node, path)
        finally:
            self.active.discard(id(node))
        line, col = _pos(node)  # pragma: no cover - libyaml only makes the three kinds
        raise YamlProblem("QB001", "unsupported YAML node", line, col)

    def _scalar(self, node: ScalarNode) -> Any:
        # Node.tag goes through ruamel's Tag URI decoding on every access; the resolver's tags and
        # libyaml's expanded explicit tags have no handle, so the raw suffix is the tag itself.
        ctag = node.ctag
        if ctag is _PLAIN_TAG_OBJ:
            return Plain(node.value)
        tag = ctag.suffix if ctag.handle is None else node.tag
        value = node.value
        if tag == PLAIN_TAG:
            return Plain(value)
        if tag == _STR:
            return value
        line, col = _pos(node)
        try:
            if tag == _INT:
                return int(value, 0) if value.lower().startswith(("0x", "0o")) else int(value)
            if tag == _FLOAT:
                return float(value)
            if tag == _BOOL:
                if value in _TRUE or value in _FALSE:
                    return value in _TRUE
                raise ValueError(value)
            if tag == _NULL:
                return None
        except ValueError:
            raise YamlProblem("QB001", f"{value!r} is not a valid {tag.rsplit(':', 1)[-1]}; fix the value or drop the tag", line, col) from None
        if tag.startswith("!["):
            raise YamlProblem(
                "QB001",
                "text that starts with '!' (such as a Markdown image) reads as a YAML tag; quote the whole value "
                "or use a block scalar (|)",
                line,
                col,
            )
        raise YamlProblem("QB001", f"unsupported tag {tag!r}; remove it (qbank reads plain YAML 1.2 data)", line, col)

    def _mapping(self, node: MappingNode, path: Path) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                line, col = _pos(key_node)
                raise YamlProblem("QB001", "a mapping key must be a plain word, not a list or mapping", line, col)
            key = str(key_node.value)
            if key in result:
                line, col = _pos(key_node)
                first = self.doc.keys[path + (key,)]
                self.doc.problems.append(
                    YamlProblem(
                        "QB004",
                        f"duplicate key '{key}' (first defined at line {first[0]}); "
                        "YAML keeps only one of them, so remove or rename one",
                        line,
                        col,
                    )
                )
                continue
            self.doc.keys[path + (key,)] = _pos(key_node)
            result[key] = self.build(value_node, path + (key,))
            if not isinstance(value_node, ScalarNode):
                # A finding about a whole list or mapping reads best at its key's line.
                self.doc.values[path + (key,)] = _pos(key_node)
        return result


def _problem_from_error(exc: MarkedYAMLError) -> YamlProblem:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    what = exc.problem or str(exc)
    context = f" ({exc.context})" if exc.context else ""
    hint = _syntax_hint(what)
    return YamlProblem("QB001", f"invalid YAML: {what}{context}{hint}", line, col)


def _syntax_hint(problem: str) -> str:
    """A short fix for the libyaml messages authors meet most often."""
    p = problem.lower()
    if "mapping values are not allowed" in p:
        return "; quote text that contains ': ' or check the indentation"
    if "cannot start any token" in p:
        return "; indent with spaces, not tabs, and quote text that starts with @ or `"
    if "expected ',' or ']'" in p or "expected ',' or '}'" in p:
        return "; close the [ ] or { } list, or quote text that contains brackets"
    if "unexpected end of stream" in p:
        return "; close the quoted string"
    if "did not find expected '-' indicator" in p or "expected <block end>" in p:
        return "; check the indentation of this line"
    if "undefined alias" in p:
        return "; define the &anchor before using *alias, or quote text that starts with *"
    return ""


def _line_col(text: str, index: int) -> Pos:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def compose_documents(text: str) -> Iterator[Document]:
    """Yield each non-empty document of ``text``; raise :class:`YamlProblem` on a syntax error."""
    loader = _NodeLoader(text)
    try:
        while True:
            try:
                if not loader.check_node():
                    return
                node = loader.get_node()
            except MarkedYAMLError as exc:
                raise _problem_from_error(exc) from None
            except ReaderError as exc:
                line, col = _line_col(text, exc.position)
                raise YamlProblem(
                    "QB001",
                    f"character U+{exc.character:04X} is not allowed in YAML; delete it or write it as an escape "
                    "inside a double-quoted string",
                    line,
                    col,
                ) from None
            except YAMLError as exc:  # pragma: no cover - any other libyaml complaint, without a mark
                raise YamlProblem("QB001", f"invalid YAML: {exc}", 1, 1) from None
            if node is None:  # pragma: no cover - an empty document
                continue
            if isinstance(node, ScalarNode) and node.ctag is _PLAIN_TAG_OBJ and node.value == "":
                continue
            line, col = _pos(node)
            doc = Document(data=None, line=line, column=col)
            doc.data = _Builder(doc).build(node, ())
            yield doc
    finally:
        loader.dispose()
