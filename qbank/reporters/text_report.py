"""``path:line:col: CODE [severity] message``: the format editors and terminals jump from.

After the findings (or the ``--statistics`` counts) comes one ``note:`` line per rule that fired on
most of the items checked and one per language that some wording rules could not read, then the
summary line, which stays last.
"""

from __future__ import annotations

from collections import Counter

import click

from qbank.lint.base import Severity
from qbank.lint.engine import LintReport
from qbank.reporters import ReportContext, language_notes, summary_line, widespread_notes

_COLORS = {Severity.ERROR: "red", Severity.WARNING: "yellow"}


def render(report: LintReport, ctx: ReportContext) -> str:
    def style(text: str, **kw: object) -> str:
        return click.style(text, **kw) if ctx.color else text  # type: ignore[arg-type]

    lines = []
    if ctx.statistics:
        counts = Counter((f.code, f.name, f.severity) for f in report.findings)
        for (code, name, sev), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][0])):
            lines.append(f"{n:>5}  {style(code, bold=True)}  {name} [{style(sev.value, fg=_COLORS[sev])}]")
    else:
        for f in report.findings:
            loc = style(f"{f.path}:{f.line}:{f.column}:", bold=True)
            sev = style(f"[{f.severity.value}]", fg=_COLORS[f.severity])
            lines.append(f"{loc} {style(f.code, bold=True)} {sev} {f.message}")
    for _, note in widespread_notes(report, ctx) + language_notes(report):
        lines.append(f"{style('note:', bold=True)} {note}")
    summary = summary_line(report)
    lines.append(style(summary, fg="green") if not report.findings else summary)
    return "\n".join(lines) + "\n"
