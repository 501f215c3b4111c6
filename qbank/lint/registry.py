"""Rule discovery through the ``qbank.rules`` entry-point group.

Built-in rules register exactly the way a third-party plugin would (flake8 and pytest keep their
cores small the same way), so a plugin is a package that declares::

    [project.entry-points."qbank.rules"]
    XY101 = "my_plugin.rules:MyRule"
"""

from __future__ import annotations

from functools import lru_cache

from qbank.lint.base import Rule
from qbank.plugins import PluginLoadError, load_plugins

GROUP = "qbank.rules"


RuleLoadError = PluginLoadError


@lru_cache(maxsize=1)
def all_rules() -> tuple[Rule, ...]:
    """Every registered rule, ordered by code."""
    rules = load_plugins(GROUP, Rule, "lint rule")
    for name, rule in rules.items():
        if rule.code != name:
            raise RuleLoadError(f"entry point {name} loads rule {rule.code}; the names must agree")
    return tuple(sorted(rules.values(), key=lambda r: r.code))


def rules_by_key() -> dict[str, Rule]:
    """Rules indexed by code and by name (both case-insensitive, lower-cased keys)."""
    index: dict[str, Rule] = {}
    for rule in all_rules():
        index[rule.code.lower()] = rule
        index[rule.name.lower()] = rule
    return index


def find_rule(key: str) -> Rule | None:
    return rules_by_key().get(key.strip().lower())


def expand_selector(selector: str) -> list[Rule]:
    """Rules that a selector names: a code (QB202), a name, a code prefix (QB2, QB) or ALL."""
    key = selector.strip()
    if key.upper() == "ALL":
        return list(all_rules())
    rule = find_rule(key)
    if rule is not None:
        return [rule]
    prefix = key.upper()
    return [r for r in all_rules() if r.code.startswith(prefix) and prefix[:1].isalpha() and len(prefix) >= 2]
