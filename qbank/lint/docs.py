"""Rule documentation as text (``qbank rule``), Markdown (SARIF ``help.markdown``, docs/rules.md) and JSON."""

from __future__ import annotations

import textwrap
from typing import Any, Iterable

from qbank.lint.base import Rule

_SCOPES = {"item": "each item", "bank": "the whole bank", "input": "reading the files"}


def _types(rule: Rule) -> str:
    return ", ".join(sorted(rule.types)) if rule.types else "all item types"


def _opt_in(rule: Rule) -> str:
    """How to turn on a rule that is off by default ('' for rules that run by default)."""
    if rule.default_enabled:
        return ""
    return (
        f"Off by default (opt-in): turn it on with `extend-select = [\"{rule.code}\"]` in the config or "
        f"`--extend-select {rule.code}`; `ALL` and prefixes do not include it."
    )


def _languages(rule: Rule) -> str:
    langs = getattr(rule, "languages", None)
    return "" if langs is None else f" Reads text in: {', '.join(sorted(langs))}."


def rule_markdown(rule: Rule, heading: str = "#") -> str:
    """The rule's documentation as Markdown."""
    d = rule.doc
    parts = [
        f"{heading} {rule.code} `{rule.name}`",
        "",
        f"{rule.summary}",
        "",
        f"Default severity: **{rule.severity.value}**. Checked on {_SCOPES[rule.scope]}; applies to {_types(rule)}.{_languages(rule)}",
        "",
    ]
    if _opt_in(rule):
        parts += [f"**{_opt_in(rule)}**", ""]
    parts += [
        f"{heading}# What it checks",
        "",
        d.what,
        "",
        f"{heading}# Why it matters",
        "",
        d.why,
        "",
    ]
    if d.notes:
        parts += [d.notes, ""]
    if rule.options:
        parts += [f"{heading}# Options", ""]
        for o in rule.options:
            parts.append(f"- `{o.name}` (default `{o.default!r}`): {o.help}")
        parts += ["", f"Set them in `[tool.qbank.rules.{rule.name}]`.", ""]
    parts += [
        f"{heading}# Flawed",
        "",
        "```yaml",
        d.bad.rstrip("\n"),
        "```",
        "",
        f"{heading}# Fixed",
        "",
        "```yaml",
        d.good.rstrip("\n"),
        "```",
        "",
        _suppress_note(rule.code),
        "",
    ]
    return "\n".join(parts)


def _suppress_note(code: str) -> str:
    from qbank.export import BLOCKING_RULES  # late: the export pipeline is heavier than the docs

    note = (
        f"Suppress it for one item with `lint: {{ignore: [{code}]}}`, or for the bank with "
        f"`ignore = [\"{code}\"]` in the config."
    )
    if code in BLOCKING_RULES:
        note += " Either way `qbank export` still refuses to run while an item has this problem, because it breaks the import."
    return note


def _indent(text: str) -> str:
    """Indent a block verbatim (examples are YAML: their lines must not be re-wrapped)."""
    return "\n".join("    " + line if line else "" for line in text.rstrip("\n").split("\n"))


def _wrap(text: str) -> str:
    """Prose wrapped for an 80-column terminal, indented under its heading."""
    return "\n".join(textwrap.fill(para, width=84, initial_indent="    ", subsequent_indent="    ") for para in text.split("\n"))


def rule_text(rule: Rule) -> str:
    """The rule's documentation for a terminal (what ``qbank rule CODE`` prints)."""
    d = rule.doc
    out = [
        f"{rule.code} {rule.name} [{rule.severity.value}]" + ("" if rule.default_enabled else " (opt-in)"),
        "",
        rule.summary,
        f"Checked on {_SCOPES[rule.scope]}; applies to {_types(rule)}.",
    ]
    if _languages(rule):
        out.append(_languages(rule).strip())
    out.append("")
    if _opt_in(rule):
        out += [_wrap(_opt_in(rule)), ""]
    out += [
        "What it checks:",
        _wrap(d.what),
        "",
        "Why it matters:",
        _wrap(d.why),
        "",
    ]
    if d.notes:
        out += [_wrap(d.notes), ""]
    if rule.options:
        out.append(f"Options ([tool.qbank.rules.{rule.name}]):")
        for o in rule.options:
            out.append(textwrap.fill(f"{o.name} = {o.default!r}", width=84, initial_indent="    ", subsequent_indent="        "))
            out.append(textwrap.fill(o.help, width=84, initial_indent="        ", subsequent_indent="        "))
        out.append("")
    out += ["Flawed:", _indent(d.bad), "", "Fixed:", _indent(d.good), ""]
    return "\n".join(out) + "\n"


def rule_catalogue(rules: Iterable[Rule]) -> str:
    rules = list(rules)
    width = max(len(r.name) for r in rules)
    lines = [
        f"{r.code}  {r.name:<{width}}  {r.severity.value:<7}  {r.summary}" + ("" if r.default_enabled else " (opt-in)")
        for r in rules
    ]
    return "\n".join(lines) + "\n"


def rule_as_dict(rule: Rule) -> dict[str, Any]:
    d = rule.doc
    return {
        "code": rule.code,
        "name": rule.name,
        "severity": rule.severity.value,
        "default_enabled": rule.default_enabled,
        "summary": rule.summary,
        "scope": rule.scope,
        "types": sorted(rule.types) if rule.types else None,
        "options": {o.name: o.default for o in rule.options},
        "what": d.what,
        "why": d.why,
        "bad": d.bad,
        "good": d.good,
        "notes": d.notes,
    }


def _languages_section(rules: list[Rule]) -> list[str]:
    from qbank.lang import language_name

    by_set: dict[frozenset[str], list[str]] = {}
    for r in rules:
        if r.languages is not None:
            by_set.setdefault(r.languages, []).append(r.code)
    lines = [
        "## Languages",
        "",
        "The wording rules read word lists and grammar of particular languages. An item's language is its "
        "own `language` field, else the bank's `language` setting in the configuration, else a guess from "
        "its text (the script, then the commonest words of English, German, French, Spanish, Italian, "
        "Portuguese and Dutch); when the text gives nothing to go on, English. A rule runs only on items "
        "in a language it reads. The text and GitHub reports end with one note per language naming the "
        "rules that skipped its items, so a bank in another language never passes them in silence.",
        "",
    ]
    for langs, codes in sorted(by_set.items(), key=lambda kv: (-len(kv[0]), kv[1])):
        named = ", ".join(f"{language_name(code)} (`{code}`)" for code in sorted(langs))
        lines.append(f"- {', '.join(codes)}: {named}.")
    lines += ["- Every other rule reads no wording (keys, structure, numbers, files) and runs in any language.", ""]
    return lines


def rules_markdown(rules: Iterable[Rule]) -> str:
    """The whole catalogue as one Markdown page (docs/rules.md is generated from it)."""
    rules = list(rules)
    parts = [
        "# Lint rules",
        "",
        "Generated from the rules' own documentation by `qbank rule --all --format markdown`; do not edit by hand.",
        "`qbank rule CODE` prints the same text in a terminal.",
        "",
        "| code | name | severity | checks |",
        "|---|---|---|---|",
    ]
    for r in rules:
        anchor = f"{r.code.lower()}-{r.name}"
        opt_in = " (opt-in)" if not r.default_enabled else ""
        parts.append(f"| [{r.code}](#{anchor}) | `{r.name}` | {r.severity.value}{opt_in} | {r.summary} |")
    parts.append("")
    parts += _languages_section(rules)
    for r in rules:
        parts.append(rule_markdown(r, heading="##"))
    return "\n".join(parts).rstrip("\n") + "\n"
