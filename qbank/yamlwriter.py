"""Items as YAML that a person would have written: the mirror of the loader, for ``qbank import``.

Keys come in schema order, fields at their defaults are left out, multi-line Markdown becomes a
literal block scalar (``|``), and a source comment is kept as a YAML comment above the item. The
round-trip dumper (ruamel.yaml) is used here because only it writes comments and block scalars; the
output is checked by loading it back through the normal loader (YAML 1.2, strings stay strings).
"""

from __future__ import annotations

import io
import re
from typing import Any, Iterable

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

from qbank.model import MODELS, Item

_SCHEMA_HEADER = "yaml-language-server: $schema={schema}"
# Words that can stand unquoted inside [ ]: no flow indicators, no leading digit (numbers), short.
_FLOW_SAFE = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*(?: [A-Za-z0-9_.-]+)*\Z")
_HEAD = ("id", "type", "title", "stem")
_COMMON = tuple(n for n in MODELS["essay"].model_fields if n != "guidance")


def _needs_quotes(text: str) -> bool:
    """Whether a plain scalar would read back as something else (YAML 1.2 core schema, or syntax)."""
    from qbank.yamlnodes import resolve_plain

    if text != text.strip() or not text:
        return True
    if resolve_plain(text) != text or not isinstance(resolve_plain(text), str):
        return True
    return False


def _scalar(value: str) -> Any:
    if "\n" in value:
        # A literal block keeps every line break; trailing spaces on a line cannot be expressed
        # in a block scalar, so such text stays double-quoted.
        if any(line != line.rstrip(" \t") for line in value.split("\n")) or value.startswith((" ", "\t")):
            return DoubleQuotedScalarString(value)
        return LiteralScalarString(value)
    return value


def _convert(value: Any) -> Any:
    if isinstance(value, str):
        return _scalar(value)
    if isinstance(value, dict):
        out = CommentedMap()
        for k, v in value.items():
            out[k] = _convert(v)
        return out
    if isinstance(value, list):
        seq = CommentedSeq(_convert(v) for v in value)
        if value and all(isinstance(v, str) and _FLOW_SAFE.match(v) and not _needs_quotes(v) for v in value):
            seq.fa.set_flow_style()  # short lists such as tags read best inline: [a, b]
        return seq
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def item_data(item: Item) -> dict[str, Any]:
    """The item as plain data in schema order, without fields at their defaults."""
    model = MODELS[item.type]
    dumped = item.model_dump(exclude_defaults=True)
    common = [n for n in _COMMON if n not in _HEAD]
    own = [n for n in model.model_fields if n not in _COMMON and n != "type"]
    # The order authors write: what the question is, its answers, then feedback and metadata.
    order = list(_HEAD) + own + common
    data = {k: dumped[k] for k in order if k in dumped}
    data["type"] = item.type  # a required Literal field counts as "default" for exclude_defaults
    data = {k: data[k] for k in order if k in data}
    if "lint" in data and not data["lint"].get("ignore"):
        del data["lint"]
    if "options" in data:
        data["options"] = [{k: v for k, v in o.items() if not (k == "correct" and v is False)} for o in data["options"]]
    return data


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.version = None
    yaml.width = 4096  # never fold a long line: folding is legal but makes diffs noisy
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.preserve_quotes = True
    return yaml


def dump_items(items: Iterable[tuple[Item, str | None]], schema: str | None = None) -> str:
    """YAML text for several items (documents separated by ``---``), each with an optional comment."""
    yaml = _yaml()
    parts: list[str] = []
    if schema:
        parts.append(f"# {_SCHEMA_HEADER.format(schema=schema)}\n")
    first = True
    for item, comment in items:
        buffer = io.StringIO()
        yaml.dump(_convert(item_data(item)), buffer)
        text = buffer.getvalue()
        if comment:
            text = "".join(f"# {line}".rstrip() + "\n" for line in comment.strip("\n").split("\n")) + text
        if not first:
            parts.append("---\n")
        parts.append(text)
        first = False
    return "".join(parts)
