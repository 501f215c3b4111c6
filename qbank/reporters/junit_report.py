"""JUnit XML, the test-report format GitLab, Jenkins and Azure Pipelines read.

Layout: one ``<testsuites>`` with one ``<testsuite name="qbank">``. Each finding is a failed
``<testcase>`` (classname = the file, name = ``CODE ITEM:LINE:COL``, ``file``/``line`` attributes
for tools that annotate from them) carrying ``<failure message=... type=CODE>`` with the details.
The report does not list clean files (only their count), so a clean run is one passing testcase
named ``qbank lint``.

ElementTree does the escaping (``<``, ``&``, ``]]>``, quotes and newlines in attributes); characters
XML 1.0 cannot carry at all (C0 controls other than tab/LF/CR, lone surrogates, U+FFFE/U+FFFF) are
replaced by U+FFFD so the document always parses.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from qbank.chars import NOT_XML
from qbank.lint.base import Finding
from qbank.lint.engine import LintReport
from qbank.reporters import ReportContext, summary_line


def xml_safe(text: str) -> str:
    """``text`` with every character XML 1.0 cannot carry replaced by U+FFFD."""
    return NOT_XML.sub("\ufffd", text)


def _testcase_name(f: Finding) -> str:
    where = f.item_id if f.item_id is not None else f.path
    return f"{f.code} {where}:{f.line}:{f.column}"


def _details(f: Finding) -> str:
    lines = [
        f"{f.path}:{f.line}:{f.column}: {f.code} {f.name} [{f.severity.value}]",
        f.message,
    ]
    if f.item_id is not None:
        lines.append(f"item: {f.item_id}")
    lines.append(f"Run `qbank rule {f.code}` for what the rule checks and how to fix it.")
    return "\n".join(lines)


def render(report: LintReport, ctx: ReportContext) -> str:
    n = len(report.findings)
    counts = {"tests": str(max(n, 1)), "failures": str(n), "errors": "0", "skipped": "0"}
    suites = ET.Element("testsuites", {"name": "qbank", **counts})
    suite = ET.SubElement(suites, "testsuite", {"name": "qbank", **counts})
    for f in report.findings:
        case = ET.SubElement(
            suite,
            "testcase",
            {
                "classname": xml_safe(f.path),
                "name": xml_safe(_testcase_name(f)),
                "file": xml_safe(f.path),
                "line": str(f.line),
            },
        )
        failure = ET.SubElement(case, "failure", {"message": xml_safe(f.message), "type": xml_safe(f.code)})
        failure.text = xml_safe(_details(f))
    if not report.findings:
        ET.SubElement(suite, "testcase", {"classname": "qbank", "name": "qbank lint"})
    ET.SubElement(suite, "system-out").text = xml_safe(summary_line(report))
    ET.indent(suites, space="  ")
    body = ET.tostring(suites, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
