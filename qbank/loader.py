"""Read YAML item files into validated items that remember where each field came from.

Each file is read once, composed once (libyaml) and each document validated once (pydantic). The
loader never raises for bad input: syntax errors, wrong types, unknown fields and duplicate keys
become :class:`Problem` records with a file, line, column and a fix, which the lint engine reports
under QB001, QB002 and QB004.
"""

from __future__ import annotations

import difflib
import marshal
import os
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from qbank.model import ITEM_ADAPTER, ITEM_TYPES, MODELS, Item
from qbank.yamlnodes import (
    Plain,
    Pos,
    YamlProblem,
    compose_documents,
    resolve_deep,
    resolve_plain,
)

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with the input itself, found before any lint rule runs."""

    code: str
    file: str
    line: int
    column: int
    message: str
    item_id: str | None = None


class LoadedItem:
    """A validated item plus its origin: the file, and the position of every key and value.

    Positions may arrive packed (from the lint cache) and are unpacked on first use: most items
    never have a finding, so most position tables are never read.
    """

    __slots__ = ("item", "file", "line", "column", "source", "_values", "_keys", "_packed")

    def __init__(
        self,
        item: Item,
        file: str,
        line: int,
        column: int,
        values: dict[tuple[str | int, ...], Pos] | None = None,
        keys: dict[tuple[str | int, ...], Pos] | None = None,
        source: Path | None = None,
        packed: bytes | None = None,
    ) -> None:
        self.item = item
        self.file = file
        self.line = line
        self.column = column
        self.source = source
        """The file as read from disk (``file`` is the path as shown to users); None for in-memory text."""
        self._values = values
        self._keys = keys
        self._packed = packed

    def __repr__(self) -> str:
        return f"LoadedItem({self.item.id!r}, {self.file!r}, line={self.line})"

    @property
    def id(self) -> str:
        return self.item.id

    def _unpack(self) -> None:
        values, keys = marshal.loads(self._packed or marshal.dumps(((), ())))
        self._values, self._keys = dict(values), dict(keys)
        self._packed = None

    @property
    def values(self) -> dict[tuple[str | int, ...], Pos]:
        if self._values is None:
            self._unpack()
        return self._values  # type: ignore[return-value]

    @property
    def keys(self) -> dict[tuple[str | int, ...], Pos]:
        if self._keys is None:
            self._unpack()
        return self._keys  # type: ignore[return-value]

    def packed_positions(self) -> bytes:
        """The position tables in the compact form the cache stores."""
        if self._packed is not None:
            return self._packed
        return marshal.dumps((tuple(self.values.items()), tuple(self.keys.items())))

    def position(self, path: tuple[str | int, ...] = ()) -> Pos:
        """Where ``path`` (such as ``("options", 2, "text")``) sits, or its nearest parent."""
        values, keys = self.values, self.keys
        while path:
            pos = values.get(path)
            if pos is not None:
                return pos
            pos = keys.get(path)
            if pos is not None:
                return pos
            path = path[:-1]
        return (self.line, self.column)


@dataclass(slots=True)
class LoadResult:
    items: list[LoadedItem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def add(self, loaded: LoadedItem | Problem) -> None:
        if isinstance(loaded, Problem):
            self.problems.append(loaded)
        else:
            self.items.append(loaded)


# --- which fields are text -----------------------------------------------------------------------
# A "shape" tells the plain-scalar pass what each field expects: "text" keeps a plain scalar as it
# was written, "value" resolves it by the YAML 1.2 core schema, a dict describes a nested model and
# a one-element list describes a list of that shape.
Shape = Union[str, dict[str, Any], list[Any]]


def _shape_of(annotation: Any) -> Shape:
    origin = get_origin(annotation)
    if origin is typing.Annotated:
        return _shape_of(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        shapes = [_shape_of(a) for a in get_args(annotation) if a is not type(None)]
        return shapes[0] if len(shapes) == 1 else "value"
    if origin is Literal:
        return "text" if all(isinstance(a, str) for a in get_args(annotation)) else "value"
    if origin is list:
        return [_shape_of(get_args(annotation)[0])]
    if annotation is str:
        return "text"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _model_shape(annotation)
    return "value"


def _model_shape(model: type[BaseModel]) -> dict[str, Any]:
    return {name: _shape_of(info.annotation) for name, info in model.model_fields.items()}


SHAPES: dict[str, dict[str, Any]] = {name: _model_shape(model) for name, model in MODELS.items()}


def _apply_shape(value: Any, shape: Shape) -> Any:
    if isinstance(value, Plain):
        if shape == "text":
            resolved = resolve_plain(str(value))
            # A null stays null; any other plain scalar is text exactly as the author typed it.
            return None if resolved is None else str(value)
        return resolve_plain(str(value))
    if isinstance(shape, dict) and isinstance(value, dict):
        return {k: _apply_shape(v, shape[k]) if k in shape else resolve_deep(v) for k, v in value.items()}
    if isinstance(shape, list) and isinstance(value, list):
        return [_apply_shape(v, shape[0]) for v in value]
    return resolve_deep(value)


# --- pydantic errors as author-facing messages ---------------------------------------------------


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        short = value if len(value) <= 40 else value[:37] + "..."
        return f"the text {short!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _field_names(item_type: str | None, loc: tuple[str | int, ...]) -> list[str]:
    """The valid field names of the mapping at ``loc`` (for "did you mean")."""
    shape: Any = SHAPES.get(item_type or "")
    if shape is None:
        names: set[str] = set()
        for s in SHAPES.values():
            names.update(s)
        return sorted(names)
    for part in loc:
        if isinstance(shape, list):
            shape = shape[0]
        elif isinstance(shape, dict) and isinstance(part, str):
            shape = shape.get(part)
        if shape is None:
            return []
    if isinstance(shape, list):
        shape = shape[0]
    return sorted(shape) if isinstance(shape, dict) else []


def _suggest(word: str, choices: Iterable[str]) -> str:
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{match[0]}'?" if match else ""


def _dotted(loc: tuple[str | int, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "item"


def _explain(err: dict[str, Any], item_type: str | None, loc: tuple[str | int, ...]) -> str:
    kind = err["type"]
    where = _dotted(loc)
    value = err.get("input")
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        name = str(loc[-1])
        allowed = _field_names(item_type, loc[:-1])
        hint = _suggest(name, allowed)
        if not hint and allowed:
            hint = f"; allowed here: {', '.join(allowed)}"
        return f"unknown field '{name}'{hint}"
    if kind == "missing":
        return f"missing required field '{loc[-1]}'"
    if kind == "union_tag_not_found":
        return f"missing required field 'type' (one of: {', '.join(ITEM_TYPES)})"
    if kind == "union_tag_invalid":
        tag = str(ctx.get("tag", value))
        hint = _suggest(tag, ITEM_TYPES) or f"; use one of: {', '.join(ITEM_TYPES)}"
        return f"'{tag}' is not an item type{hint}"
    if kind == "bool_type":
        extra = ""
        if isinstance(value, str) and value.lower() in {"yes", "no", "on", "off", "y", "n"}:
            extra = " (YAML 1.2 reads yes/no/on/off as text)"
        return f"{where} must be true or false, not {_describe(value)}{extra}"
    if kind in {"string_type", "str_type"}:
        return f"{where} must be text, not {_describe(value)}"
    if kind in {"float_type", "int_type", "float_parsing", "int_parsing"}:
        return f"{where} must be a number, not {_describe(value)}"
    if kind == "list_type":
        return f"{where} must be a list (one '- ' entry per line), not {_describe(value)}"
    if kind in {"model_type", "dict_type", "model_attributes_type"}:
        return f"{where} must be a mapping of fields, not {_describe(value)}"
    if kind == "literal_error":
        expected = ctx.get("expected", "")
        choices = [c.strip(" '") for c in str(expected).replace(" or ", ",").split(",") if c.strip(" '")]
        return f"{where} is {_describe(value)}; expected {expected}{_suggest(str(value), choices)}"
    if kind == "string_pattern_mismatch":
        if loc and loc[-1] == "id":
            return (
                f"id {value!r} is not a valid id; start with a letter or digit and use only letters, "
                "digits, '.', '_' and '-'"
            )
        return f"{where} {value!r} does not have the expected form ({ctx.get('pattern')})"
    if kind in {"greater_than", "greater_than_equal"}:
        bound = ctx.get("gt", ctx.get("ge"))
        word = "greater than" if kind == "greater_than" else "at least"
        shown = f"{bound:g}" if isinstance(bound, float) else bound
        return f"{where} must be {word} {shown}, not {value}"
    return f"{where}: {err['msg']}"


def _validation_problems(
    exc: ValidationError, data: dict[str, Any], doc_values: dict[Any, Pos], doc_keys: dict[Any, Pos],
    file: str, doc_pos: Pos,
) -> list[Problem]:
    item_type = data.get("type") if isinstance(data.get("type"), str) else None
    item_id = data.get("id") if isinstance(data.get("id"), str) else None
    problems = []
    seen: set[tuple[int, int, str]] = set()
    errors = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        if loc and item_type is not None and loc[0] == item_type:
            loc = loc[1:]  # pydantic prefixes the discriminator's value
        errors.append((loc, err))
    # "unknown field 'optoins'; did you mean 'options'?" already says what "missing 'options'" would.
    misspelt = {
        (loc[:-1], match)
        for loc, err in errors
        if err["type"] == "extra_forbidden"
        for match in difflib.get_close_matches(str(loc[-1]), _field_names(item_type, loc[:-1]), n=1, cutoff=0.6)
    }
    for loc, err in errors:
        kind = err["type"]
        if kind == "missing" and (loc[:-1], loc[-1]) in misspelt:
            continue
        if kind == "extra_forbidden":
            pos = doc_keys.get(loc) or doc_values.get(loc)
        elif kind == "union_tag_invalid":
            pos = doc_values.get(("type",))
        elif kind in {"missing", "union_tag_not_found"}:
            pos = doc_values.get(loc[:-1]) if loc else None
        else:
            pos = doc_values.get(loc)
        probe = loc
        while pos is None and probe:
            probe = probe[:-1]
            pos = doc_values.get(probe)
        line, col = pos or doc_pos
        message = _explain(err, item_type, loc)
        key = (line, col, message)
        if key in seen:
            continue
        seen.add(key)
        problems.append(Problem("QB002", file, line, col, message, item_id))
    return problems


# --- files ---------------------------------------------------------------------------------------


def _decode(raw: bytes, file: str) -> tuple[str | None, Problem | None]:
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, Problem(
            "QB001", file, line, col, f"the file is not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save it as UTF-8"
        )


def load_text(text: str, file: str, result: LoadResult, source: Path | None = None) -> None:
    """Compose and validate every document of one file's text into ``result``."""
    for loaded in iter_loaded(text, file, source):
        result.add(loaded)


def iter_loaded(text: str, file: str, source: Path | None = None) -> Iterator[LoadedItem | Problem]:
    """Each document's item, or its problems, as the documents are read.

    A caller that packs each item as it comes (the lint worker) holds one document's position
    tables at a time, not a whole 50 MB file's.
    """
    try:
        for doc in compose_documents(text):
            for p in doc.problems:
                yield Problem(p.code, file, p.line, p.column, p.message, _raw_id(doc.data))
            data = doc.data
            if not isinstance(data, dict):
                yield Problem(
                    "QB002", file, doc.line, doc.column,
                    f"a document must be one item (a mapping with id, type and stem), not {_describe(resolve_deep(data))}; "
                    "separate items with a line of ---",
                )
                continue
            type_value = data.get("type")
            shape = SHAPES.get(str(type_value)) if isinstance(type_value, str) else None
            prepared = _apply_shape(data, shape) if shape is not None else _apply_shape(data, _COMMON_SHAPE)
            try:
                item = ITEM_ADAPTER.validate_python(prepared)
            except ValidationError as exc:
                yield from _validation_problems(exc, prepared, doc.values, doc.keys, file, (doc.line, doc.column))
                continue
            yield LoadedItem(item, file, doc.line, doc.column, doc.values, doc.keys, source)
    except YamlProblem as p:
        yield Problem(p.code, file, p.line, p.column, p.message)


# Shape used when the type is missing or unknown: the fields every item shares.
_COMMON_SHAPE: dict[str, Any] = {
    k: v for k, v in SHAPES["essay"].items() if k not in {"guidance", "type"}
} | {"type": "text"}


def _raw_id(data: Any) -> str | None:
    if isinstance(data, dict) and isinstance(data.get("id"), str):
        return str(data["id"])
    return None


def load_bytes(raw: bytes, file: str, result: LoadResult, source: Path | None = None) -> None:
    """Decode and load one file's bytes into ``result``."""
    for loaded in iter_loaded_bytes(raw, file, source):
        result.add(loaded)


def iter_loaded_bytes(raw: bytes, file: str, source: Path | None = None) -> Iterator[LoadedItem | Problem]:
    """:func:`iter_loaded` for a file's bytes: a decoding problem, or each document in turn."""
    text, problem = _decode(raw, file)
    if problem is not None:
        yield problem
        return
    assert text is not None
    del raw  # the caller may hold the bytes; this frame does not need to
    yield from iter_loaded(text, file, source)


MAX_FILE_BYTES = 100 * 1024 * 1024
"""Largest item file read: a 33,000-item bank fits in half of it, and memory stays a few times this."""


def read_file(path: Path, file: str, result: LoadResult) -> bytes | None:
    """The file's bytes, or None after recording why it could not be read.

    A symbolic link that leads out of the bank is not followed: in CI on a pull request, a link to
    a private file would otherwise put pieces of that file into lint messages in a public log.
    """
    if os.path.islink(path):
        from qbank.media import bank_root

        root = bank_root(os.path.dirname(os.path.abspath(path)))
        real = os.path.realpath(path)
        if not real.startswith(root.rstrip(os.sep) + os.sep):
            result.problems.append(
                Problem("QB001", file, 1, 1, f"this is a symbolic link to a file outside the bank ({root}); "
                                             "qbank does not follow it, so copy the file into the bank instead")
            )
            return None
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > MAX_FILE_BYTES:
                result.problems.append(
                    Problem(
                        "QB001", file, 1, 1,
                        f"the file is {size / 1024 / 1024:,.0f} MiB, over qbank's limit of "
                        f"{MAX_FILE_BYTES // 1024 // 1024} MiB for one file; split the bank into several files",
                    )
                )
                return None
            return fh.read()
    except OSError as exc:
        result.problems.append(Problem("QB001", file, 1, 1, f"cannot read the file: {exc.strerror or exc}"))
        return None


def load_file(path: Path, result: LoadResult, display: str | None = None) -> None:
    """Read one file (never modifying it) and add its items and problems to ``result``."""
    name = display or str(path)
    result.files.append(name)
    raw = read_file(path, name, result)
    if raw is not None:
        load_bytes(raw, name, result, source=path)


def iter_yaml_files(paths: Iterable[Path], exclude: Iterable[str] = ()) -> list[Path]:
    """Every ``.yaml``/``.yml`` file under ``paths``, sorted, skipping hidden folders and ``exclude`` globs."""
    patterns = list(exclude)
    found: set[Path] = set()
    for root in paths:
        if root.is_file():
            found.add(root)
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in filenames:
                if name.endswith(YAML_SUFFIXES) and not name.startswith("."):
                    found.add(Path(dirpath) / name)
    files = sorted(found)
    if patterns:
        files = [f for f in files if not any(f.match(p) or _glob_any(f, p) for p in patterns)]
    return files


def _glob_any(path: Path, pattern: str) -> bool:
    return any(part == pattern for part in path.parts)


def load_paths(paths: Iterable[Path], exclude: Iterable[str] = (), relative_to: Path | None = None) -> LoadResult:
    """Load every item file under ``paths``; the result lists items and input problems in file order."""
    result = LoadResult()
    shown = PathDisplay(relative_to)
    for path in iter_yaml_files(paths, exclude):
        load_file(path, result, display=shown(path))
    return result


class PathDisplay:
    """Paths as users expect to see them: relative to ``base`` when inside it, with forward slashes.

    Uses lexical absolute paths (no symlink resolution), which costs no system call per file.
    """

    def __init__(self, base: Path | None) -> None:
        self.base = os.path.abspath(base) if base is not None else None

    def __call__(self, path: Path) -> str:
        if self.base is not None:
            absolute = os.path.abspath(path)
            if absolute == self.base or absolute.startswith(self.base.rstrip(os.sep) + os.sep):
                return Path(os.path.relpath(absolute, self.base)).as_posix()
        return path.as_posix()
