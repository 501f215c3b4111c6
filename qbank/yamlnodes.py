"""YAML 1.2 composition with positions and limits, built straight from the parser's events.

Why not ``YAML(typ="safe").load``? We need things the stock loaders do not give together:
positions for every key and value (lint messages point at the offending line), duplicate keys as
errors rather than silent overwrites, YAML 1.2 core-schema scalars (``Yes``, ``On`` and ``0800``
stay text), and hard limits, so that a hostile file cannot take lint down.

Why events and not the composer's node graph? The composer hands over aliases as shared nodes with
no position of their own and recurses once per nesting level (libyaml's CParser in C, where a deep
enough ``[[[[...`` overflows the stack). Building data from the event stream in one loop with an
explicit stack has neither problem: every alias arrives with its own line, nesting is a list we
can measure, and alias expansion is counted as it happens. See docs/security.md for the limits.

Plain scalars are kept as :class:`Plain` (a ``str`` subclass holding the source text) so that the
model layer can decide per field: a text field keeps ``0800`` as written, a number field reads 800.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from ruamel.yaml.reader import ReaderError

try:  # pragma: no cover - which branch runs depends on the platform
    from ruamel.yaml.cyaml import CParser as _CParser
except ImportError:  # pragma: no cover - PyPy, a platform without wheels, or a removed ruamel.yaml.clib
    _CParser = None

# ``QBANK_PURE_YAML=1`` forces ruamel.yaml's pure-Python parser even where the C one is installed.
# It is a private switch for the test suite (CI runs the loader tests both ways), not a setting.
HAVE_C_COMPOSER = _CParser is not None and not os.environ.get("QBANK_PURE_YAML")

Path = tuple[str | int, ...]
Pos = tuple[int, int]  # 1-based line and column

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


# --- limits ----------------------------------------------------------------------------------------
# An item is a mapping a few levels deep with at most a few hundred values. These bounds are far
# above anything an item needs and far below what hurts: each stops a document with one QB001.
MAX_DEPTH = 64
"""Nested lists and mappings in one document."""
MAX_ALIASES = 100
"""Aliases (``*name``) in one document, as in other hardened YAML readers."""
MAX_ALIAS_NODES = 10_000
"""Values that alias expansion may add to one document (a billion-laughs file wants billions)."""
MAX_SCALAR_CHARS = 1_000_000
"""Characters in one scalar: a million is hundreds of pages; a stem is a paragraph."""


def _pos(event: Event) -> Pos:
    mark = event.start_mark
    return (mark.line + 1, mark.column + 1)


def _scalar(event: ScalarEvent) -> Any:
    """The value of a scalar event: :class:`Plain` for plain scalars, else by its tag."""
    value = event.value
    if len(value) > MAX_SCALAR_CHARS:
        line, col = _pos(event)
        raise YamlProblem(
            "QB001",
            f"this value is {len(value):,} characters long, over qbank's limit of {MAX_SCALAR_CHARS:,}; "
            "an item field holds a paragraph or a few pages, so split the text or link to a file",
            line,
            col,
        )
    tag = event.tag
    if tag is None:
        return Plain(value) if event.implicit[0] else value
    if tag == "!" or tag == _STR:
        return value
    line, col = _pos(event)
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
    raise _unsupported_tag(tag, line, col)


def _unsupported_tag(tag: str, line: int, col: int) -> YamlProblem:
    if tag.startswith("!["):
        return YamlProblem(
            "QB001",
            "text that starts with '!' (such as a Markdown image) reads as a YAML tag; quote the whole value "
            "or use a block scalar (|)",
            line,
            col,
        )
    return YamlProblem("QB001", f"unsupported tag {tag!r}; remove it (qbank reads plain YAML 1.2 data)", line, col)


class _Frame:
    """An open list or mapping while its events arrive."""

    __slots__ = ("data", "path", "is_map", "key", "key_pos", "discard", "anchor", "start", "key_start", "first_keys")

    def __init__(self, data: Any, path: Path, is_map: bool, anchor: str | None, start: int, key_start: int) -> None:
        self.data = data
        self.path = path
        self.is_map = is_map
        self.key: str | None = None
        """The mapping key whose value comes next (None: a key comes next)."""
        self.key_pos: Pos = (0, 0)
        self.discard: tuple[int, int] | None = None
        """For a duplicate key: the table sizes to cut back to once its value is complete."""
        self.anchor = anchor
        self.start = start
        self.key_start = key_start
        self.first_keys: dict[str, Pos] | None = None


@dataclass(slots=True)
class _Anchor:
    data: Any
    path_len: int
    values: list[tuple[Path, Pos]]
    keys: list[tuple[Path, Pos]]


class _DocumentBuilder:
    """Builds one document's data and position tables from its events, enforcing the limits."""

    def __init__(self) -> None:
        self.values: list[tuple[Path, Pos]] = []
        self.keys: list[tuple[Path, Pos]] = []
        self.problems: list[YamlProblem] = []
        self.anchors: dict[str, _Anchor] = {}
        self.open_anchors: set[str] = set()
        self.aliases = 0
        self.alias_nodes = 0

    def build(self, next_event: Callable[[], Event]) -> tuple[Any, Pos]:
        """Consume the events of one node (the document's root) and return its data and position.

        One flat loop with the common cases (a plain scalar as a mapping key, as a value, as a list
        entry) inlined: this loop runs once per event of the whole bank.
        """
        values, keys = self.values, self.keys
        add_value, add_key = values.append, keys.append
        stack: list[_Frame] = []
        top: _Frame | None = None
        scalar_event, plain = ScalarEvent, Plain
        while True:
            event = next_event()
            kind = type(event)
            if top is not None:
                if top.is_map and top.key is None:
                    if kind is scalar_event and event.ctag is None and event.anchor is None:  # type: ignore[attr-defined]
                        key = event.value  # type: ignore[attr-defined]
                        if key and key not in top.data and len(key) <= MAX_SCALAR_CHARS:
                            mark = event.start_mark
                            top.key, top.key_pos = key, (mark.line + 1, mark.column + 1)
                            add_key((top.path + (key,), top.key_pos))
                            if top.first_keys is not None:
                                top.first_keys[key] = top.key_pos
                            continue
                    if kind is not MappingEndEvent:
                        self._take_key(top, event)
                        continue
                if kind is MappingEndEvent or kind is SequenceEndEvent:
                    data = self._close(stack)
                    if not stack:
                        return data, values[top.start][1]
                    child, top = top, stack[-1]
                    self._attach(top, data, child)
                    continue
                path = top.path + ((top.key,) if top.is_map else (len(top.data),))
            else:
                path = ()
            if kind is scalar_event:
                mark = event.start_mark
                pos = (mark.line + 1, mark.column + 1)
                if event.ctag is None and event.anchor is None and len(event.value) <= MAX_SCALAR_CHARS:  # type: ignore[attr-defined]
                    data = plain(event.value) if event.implicit[0] else event.value  # type: ignore[attr-defined]
                    add_value((path, pos))
                else:
                    data = _scalar(event)  # type: ignore[arg-type]
                    add_value((path, pos))
                    anchor = event.anchor  # type: ignore[attr-defined]
                    if anchor is not None:
                        self.anchors[anchor] = _Anchor(data, len(path), [(path, pos)], [])
                        self.open_anchors.discard(anchor)
            elif kind is AliasEvent:
                data = self._alias(event, path)  # type: ignore[arg-type]
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                top = self._open(stack, event, path, kind is MappingStartEvent)
                continue
            else:  # pragma: no cover - the parser only gives node events here
                line, col = _pos(event)
                raise YamlProblem("QB001", "unexpected YAML structure", line, col)
            if top is None:
                return data, values[-1][1]
            if top.is_map:
                key, top.key = top.key, None
                if top.discard is None:
                    top.data[key] = data
                else:
                    self._drop(top)
            else:
                top.data.append(data)

    def _open(self, stack: list[_Frame], event: Event, path: Path, is_map: bool) -> _Frame:
        line, col = _pos(event)
        if len(stack) >= MAX_DEPTH:
            raise YamlProblem(
                "QB001",
                f"lists and mappings are nested more than {MAX_DEPTH} levels deep here; an item needs only a few, "
                "so check the brackets and indentation",
                line,
                col,
            )
        tag = event.tag  # type: ignore[attr-defined]
        if tag is not None and tag != "!" and tag != (_MAP if is_map else _SEQ):
            raise _unsupported_tag(tag, line, col)
        anchor = event.anchor  # type: ignore[attr-defined]
        if anchor is not None:
            self.open_anchors.add(anchor)
        self.values.append((path, (line, col)))
        frame = _Frame({} if is_map else [], path, is_map, anchor, len(self.values) - 1, len(self.keys))
        stack.append(frame)
        return frame

    def _close(self, stack: list[_Frame]) -> Any:
        frame = stack.pop()
        if frame.anchor is not None:
            self.open_anchors.discard(frame.anchor)
            self.anchors[frame.anchor] = _Anchor(
                frame.data, len(frame.path), self.values[frame.start:], self.keys[frame.key_start:]
            )
        return frame.data

    def _take_key(self, frame: _Frame, event: Event) -> None:
        line, col = _pos(event)
        if type(event) is not ScalarEvent:
            raise YamlProblem("QB001", "a mapping key must be a plain word, not a list, mapping or alias", line, col)
        value = _scalar(event)  # type: ignore[arg-type]
        if value is None or (type(value) is Plain and value == ""):
            raise YamlProblem("QB001", f"invalid YAML: {_EMPTY_KEY}", line, col)
        key = str(value)
        frame.key, frame.key_pos = key, (line, col)
        if key in frame.data:
            if frame.first_keys is None:
                depth = len(frame.path) + 1
                frame.first_keys = {
                    p[-1]: pos for p, pos in self.keys[frame.key_start:] if len(p) == depth and p[:-1] == frame.path  # type: ignore[misc]
                }
            first = frame.first_keys[key]
            self.problems.append(
                YamlProblem(
                    "QB004",
                    f"duplicate key '{key}' (first defined at line {first[0]}); "
                    "YAML keeps only one of them, so remove or rename one",
                    line,
                    col,
                )
            )
            frame.discard = (len(self.values), len(self.keys))
            return
        self.keys.append((frame.path + (key,), (line, col)))
        if frame.first_keys is not None:
            frame.first_keys[key] = (line, col)

    def _attach(self, frame: _Frame, data: Any, child: _Frame | None) -> None:
        """Put a finished value into its parent list or mapping."""
        if not frame.is_map:
            frame.data.append(data)
            return
        key, frame.key = frame.key, None
        if frame.discard is not None:
            self._drop(frame)
            return
        frame.data[key] = data
        if child is not None:
            # A finding about a whole list or mapping reads best at its key's line.
            self.values.append((child.path, frame.key_pos))

    def _drop(self, frame: _Frame) -> None:
        """Forget the value of a duplicate key, positions included (the first value stays)."""
        assert frame.discard is not None
        nvalues, nkeys = frame.discard
        del self.values[nvalues:], self.keys[nkeys:]
        frame.discard = None

    def _alias(self, event: AliasEvent, path: Path) -> Any:
        line, col = _pos(event)
        name = event.anchor
        if name in self.open_anchors:
            raise YamlProblem("QB001", "recursive alias: an anchor refers to itself; remove the alias", line, col)
        anchor = self.anchors.get(name)
        if anchor is None:
            raise YamlProblem(
                "QB001",
                f"undefined alias '*{name}'; define the &anchor before using *alias, or quote text that starts with *",
                line,
                col,
            )
        self.aliases += 1
        if self.aliases > MAX_ALIASES:
            raise YamlProblem(
                "QB001",
                f"more than {MAX_ALIASES} aliases in one document; write the values out instead of repeating *aliases",
                line,
                col,
            )
        self.alias_nodes += len(anchor.values)
        if self.alias_nodes > MAX_ALIAS_NODES:
            raise YamlProblem(
                "QB001",
                f"aliases here expand to more than {MAX_ALIAS_NODES:,} values (a 'billion laughs' file); "
                "write the values out instead of nesting *aliases",
                line,
                col,
            )
        cut = anchor.path_len
        self.values.extend((path + p[cut:], pos) for p, pos in anchor.values)
        self.keys.extend((path + p[cut:], pos) for p, pos in anchor.keys)
        return anchor.data


_UNKNOWN_DIRECTIVE = "an unknown % directive line (YAML has only %YAML and %TAG); remove the line"
_EMPTY_KEY = "a ':' with no key before it; write the key, or quote text that starts with ':'"
_AMBIGUOUS_BREAKS = re.compile("[\x85\u2028\u2029]")
_DIRECTIVE = re.compile(r"^%(?!(?:YAML|TAG)[ \t])[^ \t\r\n]*", re.MULTILINE)

# The two parsers qbank can run on (libyaml through ruamel.yaml.clib, and ruamel.yaml's pure-Python
# parser) word the same syntax error differently. Authors get one wording whichever runs: each
# entry maps both phrasings to qbank's own sentence, with the fix.
_SYNTAX: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"found unknown directive name"), _UNKNOWN_DIRECTIVE),
    (re.compile(r"mapping values are not allowed"),
     "a ': ' where a mapping cannot start; quote text that contains ': ', or check the indentation"),
    (re.compile(r"(?:did not find expected|expected) ',' or '([\]}])'"),
     "the list or mapping is not closed with '{0}'; close it, or quote text that contains brackets"),
    (re.compile(r"found a tab character that violates indentation|found character '\\t' that cannot start"),
     "a tab character here; indent with spaces, and quote text that holds tabs (some YAML readers refuse "
     "tabs in unquoted text)"),
    (re.compile(r"found character (?:'.*' )?that cannot start any token"),
     "{char} cannot start a value; quote the text"),
    (re.compile(r"did not find expected '-' indicator|expected <block end>, but found .*\(while parsing a block collection\)"),
     "this line does not continue the list above it; check the indentation of this line"),
    (re.compile(r"did not find expected key|expected <block end>, but found"),
     "this line does not continue the mapping above it; check the indentation of this line"),
    (re.compile(r"(?:did not find expected|expected the) node content"),
     "a value is missing here; write the value, or quote text that starts with a bracket or comma"),
    (re.compile(r"sequence entries are not allowed"),
     "a '- ' list entry where a list cannot start; check the indentation, or quote text that starts with '- '"),
    (re.compile(r"hexdecimal number"),
     "a \\x, \\u or \\U escape needs 2, 4 or 8 hex digits; fix the escape, or use single quotes"),
    (re.compile(r"could not find expected ':'"),
     "a key without ':' (or text that runs on); add ': ' after the key, or check the indentation"),
    (re.compile(r"found unexpected end of stream"),
     "the file ends inside quoted text; close the quotes"),
    (re.compile(r"found unknown escape character"),
     "{char} is not a valid escape in double-quoted text; write \\\\ for a backslash, or use single quotes"),
    (re.compile(r"alphabetic or numeric character"),
     "an anchor or alias needs a name; write &name or *name, or quote text that starts with & or *"),
    (re.compile(r"found incompatible YAML document"),
     "this file declares a YAML version qbank does not read; remove the %YAML line (qbank reads YAML 1.2)"),
    (re.compile(r"duplicate %?YAML directive"), "the %YAML line appears twice; keep one"),
    (re.compile(r"indentation indicator"), "a block scalar's indentation indicator must be 1 to 9"),
    (re.compile(r"expected .?<document start>"),
     "text after the end of the document; check the indentation of this line, or start a new item with ---"),
]

_CONTEXTS = {
    "flow sequence": "[ ] list",
    "flow mapping": "{ } mapping",
    "block mapping": "mapping",
    "block collection": "list",
    "quoted scalar": "quoted text",
    "double-quoted scalar": "quoted text",
    "single-quoted scalar": "quoted text",
    "simple key": "key",
    "block scalar": "block text",
    "alias": "alias",
    "anchor": "anchor",
    "tag": "tag",
}

_BAD_ESCAPE = re.compile(r'\\(?![0abt\tnvfre "/\\N_LPxuU\n\r])')


def _problem_from_error(exc: MarkedYAMLError, text: str) -> YamlProblem:
    """One QB001 in qbank's words, whichever parser raised ``exc``."""
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    problem = exc.problem or str(exc)
    if "did not find expected key" in problem and mark is not None and text[mark.index:mark.index + 1] == ":":
        return YamlProblem("QB001", f"invalid YAML: {_EMPTY_KEY}", line, col)
    for pattern, sentence in _SYNTAX:
        match = pattern.search(f"{problem} ({exc.context})")
        if match is None:
            continue
        char = ""
        if "{char}" in sentence and mark is not None:
            index = mark.index
            if "escape" in sentence and exc.context_mark is not None:
                # libyaml marks the start of the quoted text, ruamel.yaml the escaped letter: both
                # become the backslash itself.
                bad = _BAD_ESCAPE.search(text, exc.context_mark.index)
                if bad is not None:
                    index = bad.start()
                    line, col = _line_col(text, index)
                    char = repr(text[index:index + 2])
            else:
                char = repr(text[index:index + 1])
        message = sentence.format(*match.groups(), char=char)
        where = ""
        kind = re.sub(r"^while (?:parsing|scanning) an? ", "", exc.context or "")
        if kind in _CONTEXTS and exc.context_mark is not None and "tab" not in message and "cannot start" not in message:
            where = f" (in the {_CONTEXTS[kind]} that starts at line {exc.context_mark.line + 1})"
        return YamlProblem("QB001", f"invalid YAML: {message}{where}", line, col)
    context = f" ({exc.context})" if exc.context else ""
    return YamlProblem("QB001", f"invalid YAML: {problem}{context}", line, col)


def _line_col(text: str, index: int) -> Pos:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _event_source(text: str) -> tuple[Callable[[], Event], Callable[[], None]]:
    """A function giving the next parser event, and one that frees the parser."""
    if HAVE_C_COMPOSER:
        parser = _CParser(text)
        return parser.get_event, parser.dispose
    from ruamel.yaml import YAML

    events = YAML(typ="safe", pure=True).parse(text)
    return events.__next__, events.close


def _check_text(text: str) -> None:
    """Refuse what the two parsers would read differently, before either reads it."""
    odd = _AMBIGUOUS_BREAKS.search(text)
    if odd is not None:
        line, col = _line_col(text, odd.start())
        raise YamlProblem(
            "QB001",
            f"character U+{ord(odd.group()):04X} is a line break to some YAML readers and text to others; "
            "replace it with a newline or a space",
            line,
            col,
        )
    if not HAVE_C_COMPOSER and "%" in text:
        # libyaml refuses unknown directives; ruamel.yaml's own parser skips them. Refuse both ways.
        directive = _DIRECTIVE.search(text)
        if directive is not None:
            line, col = _line_col(text, directive.end())
            raise YamlProblem("QB001", f"invalid YAML: {_UNKNOWN_DIRECTIVE}", line, col)


def compose_documents(text: str) -> Iterator[Document]:
    """Yield each non-empty document of ``text``; raise :class:`YamlProblem` on a syntax error or a limit."""
    _check_text(text)
    next_event, dispose = _event_source(text)
    try:
        while True:
            try:
                event = next_event()
                kind = type(event)
                if kind is StreamEndEvent:
                    return
                if kind is not DocumentStartEvent:
                    continue
                builder = _DocumentBuilder()
                data, (line, col) = builder.build(next_event)
                end = next_event()
                assert type(end) is DocumentEndEvent
            except StopIteration:  # pragma: no cover - the pure parser ends with StreamEndEvent first
                return
            except MarkedYAMLError as exc:
                raise _problem_from_error(exc, text) from None
            except ReaderError as exc:
                line, col = _line_col(text, exc.position)
                raise YamlProblem(
                    "QB001",
                    f"character U+{exc.character:04X} is not allowed in YAML; delete it or write it as an escape "
                    "inside a double-quoted string",
                    line,
                    col,
                ) from None
            except YAMLError as exc:  # pragma: no cover - any other parser complaint, without a mark
                raise YamlProblem("QB001", f"invalid YAML: {exc}", 1, 1) from None
            if isinstance(data, Plain) and data == "":
                continue  # an empty document
            yield Document(data, line, col, dict(builder.values), dict(builder.keys), builder.problems)
    finally:
        dispose()
