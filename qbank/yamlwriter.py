"""Items as YAML that a person would have written: the mirror of the loader, for ``qbank import``.

Keys come in schema order, fields at their defaults are left out, multi-line Markdown becomes a
literal block scalar (``|``), short word lists stay inline (``tags: [a, b]``), and a source comment
is kept as a YAML comment above the item.

The data is always the same small shape (mappings with string keys, lists, strings, numbers and
booleans), so a dedicated emitter writes it: ruamel's round-trip emitter took about a millisecond
per item, most of an import's time. Every string is written plain only when it provably reads back
as the same string under YAML 1.2 (qbank's own reader) and under YAML 1.1 (PyYAML and yamllint,
ruamel in 1.1 mode, and ruamel's 1.2 resolver, which keeps some 1.1 types); otherwise it is
double-quoted with escapes, or a literal block. So ``=``, ``yes``, ``1:20`` or ``2024-01-01`` are
quoted, which the 1.2 core schema alone would not need. tests/test_yamlwriter.py loads generated
banks back through the normal loader, PyYAML and ruamel to hold this.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, Iterable

from qbank.model import MODELS, Item
from qbank.yamlnodes import resolve_plain

_SCHEMA_HEADER = "yaml-language-server: $schema={schema}"
_HEAD = ("id", "type", "title", "stem")
_COMMON = tuple(n for n in MODELS["essay"].model_fields if n != "guidance")
# Words that can stand unquoted inside [ ]: no flow indicators, no leading digit (numbers), short.
_FLOW_SAFE = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*(?: [A-Za-z0-9_.-]+)*\Z")
# A plain scalar in block context: no indicator first, no ': ' or ' #', no trailing ':', one line.
_PLAIN_SAFE = re.compile(r"(?![-?:,\[\]{}#&*!|>'\"%@`\s])(?!---|\.\.\.)(?:[^:#\n\t]|:(?=[^\s])|(?<=\S)#)*(?<![\s:])\Z")
# Characters to escape inside double quotes: those YAML cannot carry literally (outside
# c-printable), and the line breaks other than LF (CR, NEL, LS, PS), which YAML would fold.
_NOT_PRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u2028\u2029\ufeff]")
# Plain scalars a YAML 1.1 reader resolves to something other than a string: the implicit types of
# the YAML 1.1 type repository (yaml.org/type) as PyYAML's resolver implements them, joined with
# ruamel.yaml's resolvers (its 1.1 one, and its 1.2 one, which keeps 1.1's timestamps, ``=`` and
# digit underscores), in any letter case and with y/n, which the 1.1 spec lists and PyYAML leaves
# out. Quoting one string too many costs two characters; leaving one plain that some reader turns
# into a bool, a number, a date or an error loses the text. One regex, so the check stays cheap.
_YAML11_TYPED = re.compile(
    r"""(?=[-+.0-9yntfo~=<])                                    # a quick no for most text
    (?:
        (?:y|n|yes|no|true|false|on|off                         # bool
          | ~|null                                              # null (the empty scalar is quoted anyway)
          | =                                                   # value
          | <<                                                  # merge key
        )\Z
      | (?=[-+.0-9])(?=[-+.0-9_:a-fionxtz\ \t]*\Z)              # numbers and timestamps, nothing else
        (?:[-+]?0b[01_]+                                        # int: binary
          | [-+]?0o[0-7_]+                                      # int: octal, 1.2 style (ruamel takes a sign)
          | [-+]?[0-9_]+                                        # int: decimal, old-style octal (010), 1_000
          | [-+]?0x[0-9a-f_]+                                   # int: hexadecimal
          | [-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+                  # int: sexagesimal (1:20, 190:20:30)
          | [-+]?[0-9][0-9_]*\.[0-9_]*(?:e[-+]?[0-9]+)?         # float: 1., 1.5, 685.230_15e+03
          | [-+]?[0-9][0-9_]*e[-+]?[0-9]+                       # float: 1e3, 1_0e3
          | [-+]?\.[0-9_]+(?:e[-+]?[0-9]+)?                     # float: .5, .5e3 (and ruamel's ._)
          | [-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*         # float: sexagesimal (1:20.5)
          | [-+]?\.inf | \.nan                                  # float: infinity, not a number
          | [0-9]{4}-[0-9]{2}-[0-9]{2}                          # timestamp: date (2002-12-14)
          | [0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:t|[\ \t]+)         # timestamp: date and time
            [0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?
            (?:[\ \t]*(?:z|[-+][0-9]{1,2}(?::[0-9]{2})?))?
        )\Z
    )""",
    re.VERBOSE | re.IGNORECASE,
)


def _needs_quotes(text: str) -> bool:
    """Whether a plain scalar would read back as something else: by syntax, by the YAML 1.2 core
    schema (qbank's reader), or by a YAML 1.1 resolver (PyYAML, yamllint, ruamel)."""
    if not text or _PLAIN_SAFE.match(text) is None or _NOT_PRINTABLE.search(text):
        return True
    if _YAML11_TYPED.match(text) is not None:
        return True
    return not isinstance(resolve_plain(text), str)


def _quoted(text: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar; characters YAML cannot hold are escaped.
    body = json.dumps(text, ensure_ascii=False)
    return _NOT_PRINTABLE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", body)


def _block(text: str, indent: str) -> str | None:
    """A literal block scalar for multi-line text, or None when a block cannot hold it exactly."""
    lines = text.split("\n")
    if any(line != line.rstrip(" \t") for line in lines) or _NOT_PRINTABLE.search(text):
        return None
    if text.endswith("\n\n") or not text.strip("\n"):
        return None  # keep-chomping edge cases read back ambiguously; quote them
    chomp = "" if text.endswith("\n") else "-"
    body = text[:-1] if text.endswith("\n") else text
    first = next(line for line in lines if line)
    # Content that itself starts indented needs an explicit indentation indicator: the block's
    # content always sits two spaces deeper than its key.
    indicator = "2" if first[0] in " \t" else ""
    return f"|{indicator}{chomp}\n" + "\n".join(f"{indent}{line}" if line else "" for line in body.split("\n"))


def _scalar(value: Any, indent: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        text = repr(value)
        # YAML 1.1 floats need a dot: PyYAML reads 1e-07 as a string, 1.0e-07 as the float.
        return text.replace("e", ".0e", 1) if "e" in text and "." not in text else text
    if value is None:
        return "null"
    text = str(value)
    if "\n" in text:
        block = _block(text, indent)
        if block is not None:
            return block
        return _quoted(text)
    return _quoted(text) if _needs_quotes(text) else text


def _flow_list(values: list[Any]) -> str | None:
    if values and all(isinstance(v, str) and _FLOW_SAFE.match(v) and not _needs_quotes(v) for v in values):
        return "[" + ", ".join(values) + "]"
    return None


# Keys are the model's field names, so there are few of them: each is checked once, like a value.
_KEYS: dict[str, str] = {}


def _key(name: str) -> str:
    key = _KEYS.get(name)
    if key is None:
        key = _KEYS[name] = _quoted(name) if _needs_quotes(name) else name
    return key


def _mapping(data: dict[str, Any], indent: str, out: list[str], first_prefix: str | None = None) -> None:
    """Append ``key: value`` lines; ``first_prefix`` replaces the indent of the first line (for '- ')."""
    for i, (name, value) in enumerate(data.items()):
        key = _KEYS.get(name) or _key(name)
        lead = first_prefix if (i == 0 and first_prefix is not None) else indent
        if isinstance(value, dict):
            out.append(f"{lead}{key}:")
            _mapping(value, indent + "  ", out)
        elif isinstance(value, list):
            flow = _flow_list(value)
            if flow is not None or not value:
                out.append(f"{lead}{key}: {flow or '[]'}")
                continue
            out.append(f"{lead}{key}:")
            for entry in value:
                if isinstance(entry, dict):
                    _mapping(entry, indent + "    ", out, first_prefix=indent + "  - ")
                else:
                    out.append(f"{indent}  - {_scalar(entry, indent + '    ')}")
        else:
            out.append(f"{lead}{key}: {_scalar(value, indent + '  ')}")


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


def dump_item(item: Item) -> str:
    out: list[str] = []
    _mapping(item_data(item), "", out)
    return "\n".join(out) + "\n"


def _comment(comment: str) -> str:
    """``# `` lines for a source comment; characters YAML cannot carry are written as ``\\uXXXX``.

    A comment is copied from a stranger's file (a GIFT ``//`` line, say); one raw control character
    in it would make the whole written file unreadable.
    """
    lines = re.split("\r\n|[\r\n\x85\u2028\u2029]", comment.strip("\r\n"))
    return "".join(
        "# " + _NOT_PRINTABLE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", line).rstrip() + "\n" if line.strip() else "#\n"
        for line in lines
    )


def dump_items(items: Iterable[tuple[Item, str | None]], schema: str | None = None) -> str:
    """YAML text for several items (documents separated by ``---``), each with an optional comment."""
    parts: list[str] = []
    if schema:
        parts.append(f"# {_SCHEMA_HEADER.format(schema=schema)}\n")
    first = True
    for item, comment in items:
        text = dump_item(item)
        if comment:
            text = _comment(comment) + text
        if not first:
            parts.append("---\n")
        parts.append(text)
        first = False
    return "".join(parts)
