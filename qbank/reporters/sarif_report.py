"""SARIF 2.1.0 for code-scanning services (GitHub code scanning, Azure DevOps, GitLab, IDE viewers).

Every rule that ran is described in ``tool.driver.rules`` with its full documentation inline in
``help.markdown`` (GitHub ignores ``helpUri``). Locations are relative to ``%SRCROOT%``, which
``run.originalUriBaseIds`` maps to the folder the paths are relative to, so uploads work from any
checkout path. The output is deterministic: no timestamps, no absolute paths except that base.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
from collections import defaultdict
from pathlib import Path
from typing import Any, Sequence
from urllib.parse import quote

from qbank.lint.base import Finding, Rule
from qbank.lint.docs import rule_markdown, rule_text
from qbank.lint.engine import LintReport
from qbank.lint.registry import find_rule
from qbank.reporters import ReportContext

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
# The project's documentation URL, as in pyproject.toml's [project.urls].
INFORMATION_URI = "https://example.invalid/qbank/docs"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "qbank/v1"

# Tags by code series, so a code-scanning UI can filter by kind of problem. Plugin rules outside
# these series get only the generic tags.
_SERIES = {
    "QB0": "input",
    "QB1": "correctness",
    "QB2": "feedback",
    "QB3": "item-writing",
    "QB4": "bank",
    "QB5": "content",
}


def _tags(rule: Rule) -> list[str]:
    tags = ["qbank"]
    series = _SERIES.get(rule.code[:3]) if rule.code.startswith("QB") else None
    if series:
        tags.append(series)
    return tags


def _descriptor(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.doc.what},
        "help": {"text": rule_text(rule), "markdown": rule_markdown(rule)},
        "defaultConfiguration": {"level": rule.severity.value},
        "properties": {"tags": _tags(rule)},
    }


def _rules(findings: Sequence[Finding], ran: Sequence[Rule]) -> list[dict[str, Any]]:
    """One descriptor per rule that ran, plus any rule a finding names that is not among them."""
    by_code: dict[str, dict[str, Any]] = {r.code: _descriptor(r) for r in ran}
    for f in findings:
        if f.code in by_code:
            continue
        rule = find_rule(f.code)
        if rule is not None and rule.code == f.code:
            by_code[f.code] = _descriptor(rule)
        else:  # an unregistered rule (a plugin that is gone, a hand-built finding): describe what we know
            by_code[f.code] = {"id": f.code, "name": f.name, "defaultConfiguration": {"level": f.severity.value}}
    return [by_code[code] for code in sorted(by_code)]


def _absolute(root: Path) -> Path:
    return root if root.is_absolute() else root.absolute()


def _file_uri(path: Path) -> str:
    return Path(os.path.normpath(path)).as_uri()


def artifact_location(path: str, root: Path) -> dict[str, Any]:
    """``artifactLocation`` for a finding's path: relative to ``%SRCROOT%`` when inside ``root``.

    ``Finding.path`` is already relative (POSIX) when the file is inside ``root``; it is absolute,
    or climbs out with ``..``, otherwise, and then becomes an absolute ``file:`` URI with no base.
    """
    base = _absolute(root)
    if Path(path).is_absolute():
        absolute = Path(os.path.normpath(path))
        try:
            rel = absolute.relative_to(base).as_posix()
        except ValueError:
            return {"uri": _file_uri(absolute)}
    else:
        rel = posixpath.normpath(path)
        if rel == ".." or rel.startswith("../"):
            return {"uri": _file_uri(base / rel)}
    # A relative reference: percent-encode everything but "/" and the unreserved characters, which
    # also encodes ":" (a first segment such as "a:b.yaml" would otherwise read as a scheme).
    return {"uri": quote(rel, safe="/"), "uriBaseId": SRCROOT}


def _fingerprints(findings: Sequence[Finding]) -> list[str]:
    """A stable identity per finding, for ``partialFingerprints["qbank/v1"]``.

    Code-scanning services match results across runs by fingerprint, so it must survive edits that
    do not touch the problem. It hashes (subject, rule code, occurrence):

    * subject: the item id (``item:`` prefix), or the file path for findings without an item
      (``file:`` prefix, so an id that looks like a path cannot collide with one);
    * occurrence: the finding's index among the findings with the same subject and code, in file
      order. It tells apart two findings of one rule on one item (two distractors without a
      rationale) without using the line, which changes whenever anything above moves, or the
      message, which quotes item text that authors edit.

    So moving an item to other lines, or to another file, keeps its fingerprints; fixing the first
    of two same-rule findings on one item renumbers the second (a deliberate trade: field paths are
    not carried on findings, and messages are not stable).
    """
    order = sorted(range(len(findings)), key=lambda i: (findings[i].path, findings[i].line, findings[i].column))
    seen: defaultdict[tuple[str, str], int] = defaultdict(int)
    out = [""] * len(findings)
    for i in order:
        f = findings[i]
        subject = f"item:{f.item_id}" if f.item_id is not None else f"file:{f.path}"
        n = seen[(subject, f.code)]
        seen[(subject, f.code)] = n + 1
        # JSON encoding keeps the parts unambiguous whatever characters the id holds.
        out[i] = hashlib.sha256(json.dumps([subject, f.code, n]).encode("utf-8")).hexdigest()
    return out


def _result(f: Finding, rule_index: int, fingerprint: str, root: Path) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": artifact_location(f.path, root)}
    if f.line >= 1:
        region: dict[str, Any] = {"startLine": f.line}
        if f.column >= 1:
            region["startColumn"] = f.column
        physical["region"] = region
    result: dict[str, Any] = {
        "ruleId": f.code,
        "ruleIndex": rule_index,
        "level": f.severity.value,
        "message": {"text": f.message},
        "locations": [{"physicalLocation": physical}],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
    }
    if f.item_id is not None:
        result["properties"] = {"itemId": f.item_id}
    return result


def build(report: LintReport, ctx: ReportContext) -> dict[str, Any]:
    """The SARIF log as a dict (``render`` serialises it)."""
    rules = _rules(report.findings, ctx.rules)
    index = {r["id"]: i for i, r in enumerate(rules)}
    fingerprints = _fingerprints(report.findings)
    driver: dict[str, Any] = {"name": "qbank", "informationUri": INFORMATION_URI}
    if ctx.version:
        driver["version"] = ctx.version
        driver["semanticVersion"] = ctx.version
    driver["rules"] = rules
    root_uri = _absolute(ctx.root).as_uri()
    if not root_uri.endswith("/"):
        root_uri += "/"
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "invocations": [{"executionSuccessful": True}],
        "originalUriBaseIds": {SRCROOT: {"uri": root_uri}},
        "columnKind": "unicodeCodePoints",
        "results": [
            _result(f, index[f.code], fp, ctx.root) for f, fp in zip(report.findings, fingerprints)
        ],
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(report: LintReport, ctx: ReportContext) -> str:
    return json.dumps(build(report, ctx), indent=2, ensure_ascii=False) + "\n"
