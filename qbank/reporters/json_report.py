"""A JSON array of findings, one object per finding (``Finding.as_dict()``), for scripts and tools."""

from __future__ import annotations

import json

from qbank.lint.engine import LintReport
from qbank.reporters import ReportContext


def render(report: LintReport, ctx: ReportContext) -> str:
    # ensure_ascii=False keeps item text readable, as ``qbank rule --format json`` does; the CLI
    # writes UTF-8 (and the YAML reader rejects lone surrogates, so every message encodes).
    return json.dumps([f.as_dict() for f in report.findings], indent=2, ensure_ascii=False) + "\n"
