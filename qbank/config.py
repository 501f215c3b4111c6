"""Configuration: ``qbank.toml`` or ``[tool.qbank]`` in ``pyproject.toml``, found upward like ruff.

Discovery starts in the current directory and walks up to the filesystem root. In each directory a
``qbank.toml`` wins over a ``pyproject.toml``; a ``pyproject.toml`` counts only when it has a
``[tool.qbank]`` table. Relative ``paths`` are relative to the file that names them, so running
``qbank lint`` from a sub-folder lints the same bank as running it from the top.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qbank.lint.base import Rule, Severity
from qbank.lint.registry import expand_selector, find_rule

CONFIG_KEYS = (
    "paths", "exclude", "select", "extend-select", "ignore", "per-file-ignores", "fail-on", "severity", "rules",
    "language",
)


class ConfigError(Exception):
    """The configuration cannot be used; the message names the file and the fix."""


@dataclass
class Config:
    paths: list[Path] = field(default_factory=lambda: [Path("items")])
    exclude: list[str] = field(default_factory=list)
    select: list[str] = field(default_factory=lambda: ["ALL"])
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    fail_on: Severity = Severity.ERROR
    severity: dict[str, Severity] = field(default_factory=dict)
    rule_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    language: str | None = None
    """The bank's language (BCP 47, such as "en" or "ru") for items without their own `language`."""
    """Glob (relative to ``root``) -> rule selectors not reported in the files it matches; see
    :mod:`qbank.lint.per_file`."""
    source: Path | None = None
    root: Path = field(default_factory=Path.cwd)


def find_config_file(start: Path) -> Path | None:
    """The nearest qbank.toml, or pyproject.toml with [tool.qbank], at or above ``start``."""
    for folder in (start, *start.parents):
        candidate = folder / "qbank.toml"
        if candidate.is_file():
            return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            try:
                data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError):
                # A broken pyproject.toml that may not even be ours: only fail if it is ours.
                if "[tool.qbank" in pyproject.read_text(encoding="utf-8", errors="replace"):
                    raise ConfigError(f"{pyproject}: not valid TOML; fix the syntax") from None
                continue
            if "qbank" in data.get("tool", {}):
                return pyproject
    return None


def load_config(path: Path | None = None, start: Path | None = None) -> Config:
    """Load ``path``, or discover a configuration from ``start`` (default: the current directory)."""
    start = (start or Path.cwd()).resolve()
    if path is None:
        path = find_config_file(start)
    if path is None:
        return Config(root=start)
    path = path.resolve()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such configuration file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}); fix the syntax") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the configuration ({exc})") from None
    table = data.get("tool", {}).get("qbank", {}) if path.name == "pyproject.toml" else data
    return parse_config(table, path)


def _str_list(table: dict[str, Any], key: str, where: str) -> list[str]:
    value = table.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: '{key}' must be a list of strings")
    return value


def _severity(value: Any, where: str) -> Severity:
    try:
        return Severity(str(value).lower())
    except ValueError:
        raise ConfigError(f"{where}: {value!r} is not a severity; use 'error' or 'warning'") from None


def check_selectors(selectors: list[str], where: str) -> None:
    for sel in selectors:
        if not expand_selector(sel):
            raise ConfigError(f"{where}: unknown rule or prefix {sel!r}; see `qbank rule --all`")


def parse_config(table: dict[str, Any], path: Path) -> Config:
    where = str(path)
    unknown = sorted(set(table) - set(CONFIG_KEYS))
    if unknown:
        import difflib

        hints = []
        for key in unknown:
            close = difflib.get_close_matches(key, CONFIG_KEYS, n=1)
            hints.append(f"'{key}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
        raise ConfigError(f"{where}: unknown setting {', '.join(hints)}; known: {', '.join(CONFIG_KEYS)}")
    root = path.parent
    cfg = Config(source=path, root=root)
    if "paths" in table:
        cfg.paths = [root / p for p in _str_list(table, "paths", where)]
    cfg.exclude = _str_list(table, "exclude", where)
    if "select" in table:
        cfg.select = _str_list(table, "select", where)
    cfg.extend_select = _str_list(table, "extend-select", where)
    cfg.ignore = _str_list(table, "ignore", where)
    for sels in (cfg.select, cfg.extend_select, cfg.ignore):
        check_selectors(sels, where)
    cfg.per_file_ignores = _per_file_ignores(table.get("per-file-ignores", {}), where)
    if "language" in table:
        cfg.language = _language(table["language"], where)
    if "fail-on" in table:
        cfg.fail_on = _severity(table["fail-on"], f"{where}: fail-on")
    sev = table.get("severity", {})
    if not isinstance(sev, dict):
        raise ConfigError(f"{where}: 'severity' must be a table such as {{QB305 = \"error\"}}")
    for key, value in sev.items():
        rule = _rule(key, where)
        cfg.severity[rule.code] = _severity(value, f"{where}: severity.{key}")
    rules = table.get("rules", {})
    if not isinstance(rules, dict):
        raise ConfigError(f"{where}: 'rules' must be a table of rule tables, such as [tool.qbank.rules.longest-option-is-key]")
    for key, options in rules.items():
        rule = _rule(key, where)
        if not isinstance(options, dict):
            raise ConfigError(f"{where}: rules.{key} must be a table of options")
        cfg.rule_options[rule.code] = validate_options(rule, options, f"{where}: rules.{key}")
    return cfg


def _language(value: Any, where: str) -> str:
    from qbank.model import LANGUAGE_PATTERN

    if not isinstance(value, str) or not re.fullmatch(LANGUAGE_PATTERN, value):
        raise ConfigError(f"{where}: language must be a BCP 47 tag such as \"en\" or \"ru\", not {value!r}")
    return value


def _per_file_ignores(value: Any, where: str) -> dict[str, list[str]]:
    """``[per-file-ignores]``: each key a glob that compiles, each value a list of known selectors."""
    from qbank.lint.per_file import FileGlob

    example = '"imported/**" = ["QB201", "QB202"]'
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: 'per-file-ignores' must be a table of globs and rule lists, such as {example}")
    out: dict[str, list[str]] = {}
    for pattern, selectors in value.items():
        key = f"{where}: per-file-ignores.{_toml_key(pattern)}"
        try:
            FileGlob(pattern)
        except ValueError as exc:
            raise ConfigError(f"{key}: not a usable glob ({exc})") from None
        if not isinstance(selectors, list) or not all(isinstance(s, str) for s in selectors):
            raise ConfigError(f"{key}: must be a list of rule codes, names or prefixes, such as [\"QB201\"], not {selectors!r}")
        check_selectors(selectors, key)
        out[pattern] = selectors
    return out


def _toml_key(key: str) -> str:
    """A TOML key as it would be written: bare when it can be, else quoted."""
    import json
    import re

    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key, ensure_ascii=False)


def _rule(key: str, where: str) -> Rule:
    rule = find_rule(key)
    if rule is None:
        raise ConfigError(f"{where}: unknown rule {key!r}; see `qbank rule --all`")
    return rule


def validate_options(rule: Rule, options: dict[str, Any], where: str) -> dict[str, Any]:
    defaults = rule.defaults()
    out: dict[str, Any] = {}
    for key, value in options.items():
        if key not in defaults and key in rule.moved_options:
            raise ConfigError(f"{where}: {rule.code} {rule.name} no longer takes {key!r}: {rule.moved_options[key]}")
        if key not in defaults:
            known = ", ".join(defaults) or "none"
            raise ConfigError(f"{where}: unknown option {key!r} for {rule.code} {rule.name} (options: {known})")
        default = defaults[key]
        ok = (
            isinstance(value, bool) if isinstance(default, bool)
            else isinstance(value, (int, float)) and not isinstance(value, bool) if isinstance(default, (int, float))
            else isinstance(value, list) and all(isinstance(v, str) for v in value) if isinstance(default, (list, tuple))
            else isinstance(value, type(default))
        )
        if not ok:
            raise ConfigError(f"{where}: option {key!r} must be like the default {default!r}, not {value!r}")
        out[key] = value
    return out
