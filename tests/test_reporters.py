"""The machine-readable reporters: JSON, GitHub workflow commands, SARIF 2.1.0 and JUnit XML.

Reports are built by hand (exact control over paths, ids and hostile messages) and once through a
real ``qbank lint --format X`` run on files in a temporary folder.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from qbank import __version__
from qbank.cli import main
from qbank.lint.base import Finding, Severity
from qbank.lint.docs import rule_markdown
from qbank.lint.engine import LintReport
from qbank.lint.registry import find_rule
from qbank.reporters import FORMATS, ReportContext, get_renderer, summary_line
from qbank.reporters.github_report import escape_data, escape_property

QB202 = find_rule("QB202")
QB201 = find_rule("QB201")
QB104 = find_rule("QB104")
assert QB202 is not None and QB201 is not None and QB104 is not None

# Everything a message should not be able to smuggle into a CI log or an XML file.
HOSTILE = "50% done\r\n::set-output name=x::1\n::add-mask::secret, a:b <&]]> \x1b[31m %0A"


def finding(
    path: str = "items/a.yaml",
    line: int = 3,
    column: int = 5,
    code: str = "QB202",
    severity: Severity = Severity.ERROR,
    message: str = "distractor 2 ('Paris') has no rationale; say why it is wrong",
    item_id: str | None = "q1",
) -> Finding:
    rule = find_rule(code)
    name = rule.name if rule is not None else "plugin-rule"
    return Finding(path, line, column, code, name, severity, message, item_id)


def sample_report() -> LintReport:
    return LintReport(
        [
            finding(line=1, column=1, code="QB201", message="the item has no explanation"),
            finding(line=7, column=5, message="distractor 2 has no rationale"),
            finding(line=8, column=5, message="distractor 3 has no rationale"),
            finding(path="items/b c.yaml", line=2, column=3, code="QB104", severity=Severity.WARNING,
                    message="only 2 option(s)", item_id="q2"),
        ],
        files=2,
        items=2,
    )


@pytest.fixture
def ctx(tmp_path: Path) -> ReportContext:
    return ReportContext(root=tmp_path, rules=[QB202, QB201, QB104], version=__version__)


def render(fmt: str, report: LintReport, ctx: ReportContext) -> str:
    return get_renderer(fmt)(report, ctx)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_is_deterministic(fmt: str, ctx: ReportContext) -> None:
    report = sample_report()
    assert render(fmt, report, ctx) == render(fmt, sample_report(), ctx)


# --- json ----------------------------------------------------------------------------------------


def test_json_lists_every_finding_with_its_fields(ctx: ReportContext) -> None:
    report = sample_report()
    data = json.loads(render("json", report, ctx))
    assert isinstance(data, list) and len(data) == len(report.findings)
    for obj, f in zip(data, report.findings):
        assert set(obj) >= {"path", "line", "column", "item_id", "code", "name", "severity", "message"}
        assert obj == f.as_dict()
    assert data[3] == {
        "path": "items/b c.yaml", "line": 2, "column": 3, "item_id": "q2", "code": "QB104",
        "name": "too-few-options", "severity": "warning", "message": "only 2 option(s)",
    }


def test_json_empty_report_is_an_empty_array(ctx: ReportContext) -> None:
    out = render("json", LintReport(), ctx)
    assert out.strip() == "[]"
    assert json.loads(out) == []


def test_json_keeps_hostile_text_intact(ctx: ReportContext) -> None:
    report = LintReport([finding(message=HOSTILE, item_id=None)])
    assert json.loads(render("json", report, ctx))[0]["message"] == HOSTILE


# --- github --------------------------------------------------------------------------------------


def test_github_annotation_format(ctx: ReportContext) -> None:
    lines = render("github", sample_report(), ctx).splitlines()
    assert lines[1] == (
        "::error file=items/a.yaml,line=7,col=5,title=QB202 missing-distractor-rationale::distractor 2 has no rationale"
    )
    assert lines[3] == "::warning file=items/b c.yaml,line=2,col=3,title=QB104 too-few-options::only 2 option(s)"


def test_github_prints_the_total_after_the_annotations(ctx: ReportContext) -> None:
    report = sample_report()
    lines = render("github", report, ctx).splitlines()
    assert len(lines) == len(report.findings) + 1
    assert lines[-1] == summary_line(report) == "Found 3 errors and 1 warning (2 items in 2 files)."
    assert render("github", LintReport(files=1, items=3), ctx) == "All checks passed (3 items in 1 file).\n"


def test_github_escaping_matches_the_actions_toolkit() -> None:
    assert escape_data("a%b\rc\nd:e,f") == "a%25b%0Dc%0Ad:e,f"
    assert escape_property("a%b\rc\nd:e,f") == "a%25b%0Dc%0Ad%3Ae%2Cf"
    # "%" first: text that already looks escaped is shown literally, not decoded into a newline.
    assert escape_data("%0A") == "%250A"


def _unescape_data(s: str) -> str:
    return s.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def _unescape_property(s: str) -> str:
    return _unescape_data(s.replace("%3A", ":").replace("%2C", ","))


_ANNOTATION = re.compile(r"::(error|warning) (?P<props>[^:]*)::(?P<data>.*)")


@pytest.mark.parametrize("where", ["message", "path", "item_id"])
def test_github_item_text_cannot_inject_workflow_commands(where: str, ctx: ReportContext) -> None:
    hostile = {"message": HOSTILE}
    if where == "path":
        hostile = {"path": "items/x,line=1::add-mask::secret\n::stop-commands::tok.yaml"}
    elif where == "item_id":
        hostile = {"item_id": HOSTILE}
    report = LintReport([finding(**hostile), finding(severity=Severity.WARNING, **hostile)], files=1, items=1)
    out = render("github", report, ctx)
    # The runner splits its log on CR and LF; only a line that starts with "::" is a command.
    lines = re.split(r"\r\n|\r|\n", out.rstrip("\n"))
    assert len(lines) == 3
    commands = [line for line in lines if line.lstrip().startswith("::")]
    assert len(commands) == 2
    for line in commands:
        m = _ANNOTATION.fullmatch(line)
        assert m is not None, line
        # The property list ends at the first "::"; each property is key=value with nothing smuggled in.
        props = dict(p.split("=", 1) for p in m["props"].split(","))
        assert list(props) == ["file", "line", "col", "title"]
        assert _unescape_property(props["file"]) == report.findings[0].path
        assert props["line"] == "3" and props["col"] == "5"
        assert _unescape_property(props["title"]) == "QB202 missing-distractor-rationale"
        assert _unescape_data(m["data"]) == report.findings[0].message
    assert lines[-1] == summary_line(report)


def test_github_property_values_escape_colon_and_comma(ctx: ReportContext) -> None:
    out = render("github", LintReport([finding(path="a:b,c%.yaml")]), ctx)
    assert out.startswith("::error file=a%3Ab%2Cc%25.yaml,line=3,col=5,title=")


# --- sarif ---------------------------------------------------------------------------------------


def sarif(report: LintReport, ctx: ReportContext) -> dict:
    return json.loads(render("sarif", report, ctx))


def validate_sarif(doc: dict, shared_dir: Path) -> None:
    from jsonschema.validators import validator_for

    schema = json.loads((shared_dir / "sarif" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    validator_cls = validator_for(schema)  # the schema names draft-04
    validator_cls.check_schema(schema)
    errors = sorted(validator_cls(schema).iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


def test_sarif_validates_against_the_official_schema(shared_dir: Path, ctx: ReportContext) -> None:
    validate_sarif(sarif(sample_report(), ctx), shared_dir)
    validate_sarif(sarif(LintReport(), ctx), shared_dir)
    hostile = LintReport([finding(message=HOSTILE, item_id=None, path="/elsewhere/x y.yaml"), finding(line=0, column=0)])
    validate_sarif(sarif(hostile, ctx), shared_dir)


def test_sarif_log_and_driver(ctx: ReportContext, tmp_path: Path) -> None:
    doc = sarif(sample_report(), ctx)
    assert doc["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert doc["version"] == "2.1.0"
    (run,) = doc["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "qbank"
    assert driver["version"] == driver["semanticVersion"] == __version__
    assert driver["informationUri"].startswith("https://")
    assert run["invocations"] == [{"executionSuccessful": True}]
    assert run["columnKind"] == "unicodeCodePoints"
    base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base == tmp_path.as_uri() + "/"


def test_sarif_rules_carry_their_documentation(ctx: ReportContext) -> None:
    rules = sarif(sample_report(), ctx)["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["QB104", "QB201", "QB202"]  # sorted by code
    by_id = {r["id"]: r for r in rules}
    r = by_id["QB202"]
    assert r["name"] == "missing-distractor-rationale"
    assert r["shortDescription"]["text"] == QB202.summary
    assert r["fullDescription"]["text"] == QB202.doc.what
    assert r["help"]["markdown"] == rule_markdown(QB202)
    assert r["help"]["text"]
    assert r["defaultConfiguration"]["level"] == "error"
    assert by_id["QB104"]["defaultConfiguration"]["level"] == "warning"
    assert "qbank" in r["properties"]["tags"]


def test_sarif_results_point_at_their_rules(ctx: ReportContext) -> None:
    report = sample_report()
    run = sarif(report, ctx)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert len(run["results"]) == len(report.findings)
    for result, f in zip(run["results"], report.findings):
        assert result["ruleId"] == f.code
        assert rules[result["ruleIndex"]]["id"] == f.code
        assert result["level"] == f.severity.value
        assert result["message"]["text"] == f.message
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region == {"startLine": f.line, "startColumn": f.column}


def test_sarif_adds_rules_that_did_not_run_but_reported(tmp_path: Path) -> None:
    ctx = ReportContext(root=tmp_path, rules=[QB104])
    report = LintReport([finding(code="QB201"), finding(code="XX999", message="from a plugin that is gone")])
    run = sarif(report, ctx)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["QB104", "QB201", "XX999"]
    assert rules[1]["help"]["markdown"] == rule_markdown(QB201)
    assert [rules[r["ruleIndex"]]["id"] for r in run["results"]] == ["QB201", "XX999"]
    assert "version" not in run["tool"]["driver"]  # no version given, none claimed


def test_sarif_uris_are_relative_to_srcroot(ctx: ReportContext, tmp_path: Path) -> None:
    report = LintReport(
        [
            finding(path="items/b c.yaml"),
            finding(path="items/ünï#?%.yaml"),
            finding(path="a:b.yaml"),
            finding(path=str(tmp_path / "inside" / "x.yaml")),
            finding(path="/elsewhere/y.yaml"),
            finding(path="../outside/z.yaml"),
        ]
    )
    locs = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in sarif(report, ctx)["runs"][0]["results"]]
    assert locs[0] == {"uri": "items/b%20c.yaml", "uriBaseId": "%SRCROOT%"}
    assert locs[1] == {"uri": "items/%C3%BCn%C3%AF%23%3F%25.yaml", "uriBaseId": "%SRCROOT%"}
    assert locs[2] == {"uri": "a%3Ab.yaml", "uriBaseId": "%SRCROOT%"}  # not a "a:" scheme
    assert locs[3] == {"uri": "inside/x.yaml", "uriBaseId": "%SRCROOT%"}
    assert locs[4] == {"uri": "file:///elsewhere/y.yaml"}
    assert locs[5] == {"uri": (tmp_path.parent / "outside" / "z.yaml").as_uri()}


def _fingerprints(report: LintReport, ctx: ReportContext) -> list[str]:
    return [r["partialFingerprints"]["qbank/v1"] for r in sarif(report, ctx)["runs"][0]["results"]]


def test_sarif_fingerprints_survive_moved_lines(ctx: ReportContext) -> None:
    before = LintReport([finding(item_id="q1", line=3), finding(item_id="q1", line=5), finding(item_id="q2", line=9)])
    # The items moved down the file (and q1's text changed, so its messages did too).
    after = LintReport(
        [
            finding(item_id="q1", line=13, message="distractor 2 ('Rome') has no rationale"),
            finding(item_id="q1", line=15, message="distractor 3 ('Oslo') has no rationale"),
            finding(item_id="q2", line=40),
        ]
    )
    fp_before, fp_after = _fingerprints(before, ctx), _fingerprints(after, ctx)
    assert fp_before == fp_after
    assert all(re.fullmatch(r"[0-9a-f]{64}", fp) for fp in fp_before)
    # Two findings of one rule on one item differ, and so do the same rule on different items.
    assert len(set(fp_before)) == 3


def test_sarif_fingerprints_differ_by_item_rule_and_file(ctx: ReportContext) -> None:
    report = LintReport(
        [
            finding(item_id="q1"),
            finding(item_id="q2"),
            finding(item_id="q1", code="QB201"),
            finding(item_id=None, path="a.yaml", code="QB001"),
            finding(item_id=None, path="b.yaml", code="QB001"),
            finding(item_id="a.yaml", path="a.yaml", code="QB001"),  # an id that looks like a path
        ]
    )
    fps = _fingerprints(report, ctx)
    assert len(set(fps)) == len(fps)


def test_sarif_fingerprints_do_not_depend_on_report_order(ctx: ReportContext) -> None:
    a, b, c = finding(line=3), finding(line=5), finding(item_id="q2", line=9)
    assert _fingerprints(LintReport([c, b, a]), ctx) == list(reversed(_fingerprints(LintReport([a, b, c]), ctx)))


# --- junit ---------------------------------------------------------------------------------------


def test_junit_counts_and_layout(ctx: ReportContext) -> None:
    report = sample_report()
    out = render("junit", report, ctx)
    assert out.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(out.encode("utf-8"))
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == "qbank"
    assert suite.get("tests") == root.get("tests") == "4"
    assert suite.get("failures") == root.get("failures") == "4"
    assert suite.get("errors") == "0"
    cases = suite.findall("testcase")
    assert len(cases) == 4
    assert cases[1].get("classname") == "items/a.yaml"
    assert cases[1].get("name") == "QB202 q1:7:5"
    failure = cases[1].find("failure")
    assert failure is not None
    assert failure.get("type") == "QB202"
    assert failure.get("message") == "distractor 2 has no rationale"
    assert "items/a.yaml:7:5" in (failure.text or "")
    assert cases[3].get("classname") == "items/b c.yaml"


def test_junit_clean_run_is_one_passing_testcase(ctx: ReportContext) -> None:
    root = ET.fromstring(render("junit", LintReport(files=2, items=5), ctx).encode("utf-8"))
    suite = root.find("testsuite")
    assert suite is not None and suite.get("tests") == "1" and suite.get("failures") == "0"
    (case,) = suite.findall("testcase")
    assert case.get("name") == "qbank lint"
    assert case.find("failure") is None


def test_junit_survives_xml_hostile_text(ctx: ReportContext) -> None:
    from lxml import etree

    message = "a <b> & c ]]> d \" ' \x1b\x00\x0b\ufffe end\nsecond line"
    report = LintReport([finding(message=message, item_id="<q&1>", path="items/<&>.yaml")], files=1, items=1)
    out = render("junit", report, ctx)
    assert "\x1b" not in out and "\x00" not in out and "\x0b" not in out and "\ufffe" not in out
    # Both a strict parser (lxml, no recovery) and ElementTree read it.
    strict = etree.fromstring(out.encode("utf-8"), etree.XMLParser(recover=False))
    root = ET.fromstring(out.encode("utf-8"))
    expected = "a <b> & c ]]> d \" ' \ufffd\ufffd\ufffd\ufffd end\nsecond line"
    for tree in (strict, root):
        case = tree.find("testsuite/testcase")
        assert case is not None
        assert case.get("classname") == "items/<&>.yaml"
        assert case.get("name") == "QB202 <q&1>:3:5"
        failure = case.find("failure")
        assert failure is not None
        assert failure.get("message") == expected  # the newline in the attribute survives too
        assert expected in (failure.text or "")


# --- through the CLI -----------------------------------------------------------------------------

FLAWED = """\
id: flawed
type: multiple_choice
stem: Which stage of change comes after contemplation?
options:
  - text: Preparation
    correct: true
    rationale: Planning follows deciding.
  - text: Maintenance
  - text: Relapse
    rationale: Relapse is a return to earlier behaviour.
explanation: Preparation follows contemplation in the transtheoretical model.
"""


@pytest.fixture
def bank(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "items").mkdir()
    (tmp_path / "items" / "flawed one.yaml").write_text(FLAWED, encoding="utf-8")
    return tmp_path


def lint(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["lint", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout


@pytest.mark.parametrize("fmt", ["json", "github", "sarif", "junit"])
def test_cli_formats_end_to_end(fmt: str, bank: Path) -> None:
    code, out = lint("items", "--format", fmt)
    assert code == 1
    assert lint("items", "--format", fmt) == (code, out)  # same input, same bytes
    if fmt == "json":
        (f,) = json.loads(out)
        assert (f["path"], f["line"], f["code"], f["item_id"]) == ("items/flawed one.yaml", 8, "QB202", "flawed")
    elif fmt == "github":
        assert out.splitlines()[0].startswith("::error file=items/flawed one.yaml,line=8,col=")
        assert out.splitlines()[-1] == "Found 1 error and 0 warnings (1 item in 1 file)."
    elif fmt == "sarif":
        run = json.loads(out)["runs"][0]
        (result,) = run["results"]
        assert result["ruleId"] == "QB202"
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "QB202"
        loc = result["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"] == {"uri": "items/flawed%20one.yaml", "uriBaseId": "%SRCROOT%"}
        assert loc["region"]["startLine"] == 8
        assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == bank.as_uri() + "/"
        # Every rule that ran is described, not only the ones that reported.
        assert len(run["tool"]["driver"]["rules"]) > 1
    else:
        root = ET.fromstring(out.encode("utf-8"))
        assert root.get("tests") == root.get("failures") == "1"


def test_cli_sarif_output_file_validates(bank: Path, shared_dir: Path) -> None:
    code, _ = lint("items", "--format", "sarif", "--output", "qbank.sarif")
    assert code == 1
    validate_sarif(json.loads((bank / "qbank.sarif").read_text(encoding="utf-8")), shared_dir)
