"""GitHub Actions workflow commands: one ``::error``/``::warning`` annotation per finding.

Escaping follows the actions toolkit (``@actions/core`` ``escapeData`` and ``escapeProperty``) byte
for byte, and the runner undoes exactly that escaping. It is what keeps item text from injecting
workflow commands:

* ``\\r`` and ``\\n`` are percent-encoded, so a message never ends the line: the runner reads its
  log line by line and only a line that *starts* with ``::`` is a command, so item text can never
  begin one (``\\n::add-mask::...`` stays inside our annotation's data).
* ``:`` and ``,`` are encoded in property values, so a file name or title cannot close the
  property list early or add properties; the first ``::`` after the command name is always ours.
  A ``::`` inside the data is harmless once the properties have ended.
* ``%`` is encoded first, so text that already looks escaped (``%0A``) is shown literally and is
  not decoded into a line break.
* Every line that carries item text is a ``::`` command, which the runner parses first, so the
  legacy ``##[command]`` syntax (recognised anywhere in a line) is never looked for in it.

GitHub shows only the first 10 error and 10 warning annotations of a step, so a plain summary line
with the totals follows the annotations, after a ``::notice`` for each rule that fired on most of the
items checked.
"""

from __future__ import annotations

from qbank.lint.base import Finding, Severity
from qbank.lint.engine import LintReport
from qbank.reporters import ReportContext, language_notes, summary_line, widespread_notes

_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning"}


def escape_data(value: str) -> str:
    """``escapeData`` from the actions toolkit: for the message after ``::``."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """``escapeProperty`` from the actions toolkit: for ``key=value`` properties."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def annotation(f: Finding) -> str:
    props = [("file", f.path)]
    if f.line >= 1:
        props.append(("line", str(f.line)))
        if f.column >= 1:
            props.append(("col", str(f.column)))
    props.append(("title", f"{f.code} {f.name}"))
    joined = ",".join(f"{key}={escape_property(value)}" for key, value in props)
    return f"::{_COMMANDS[f.severity]} {joined}::{escape_data(f.message)}"


def render(report: LintReport, ctx: ReportContext) -> str:
    lines = [annotation(f) for f in report.findings]
    # A rule that fired on most items is worth one notice in the run's summary, where a reader who
    # sees only the first 10 annotations of a step would otherwise miss the pattern.
    for rule, note in widespread_notes(report, ctx) + language_notes(report):
        lines.append(f"::notice title={escape_property('qbank ' + rule)}::{escape_data(note)}")
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"
