"""One planted flaw per rule: each rule fires at the right file and line, in every output format.

The fixture files in tests/fixtures/planted mark the expected finding with `# expect: CODE` at the
end of the line. Everything else in them is clean, so a false positive fails here as well.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote

import pytest
from click.testing import CliRunner

from qbank.cli import main
from qbank.lint.registry import all_rules

# Every test here runs with libyaml and with ruamel.yaml's pure-Python parser (see conftest).
pytestmark = pytest.mark.usefixtures("yaml_parser")

PLANTED = Path(__file__).parent / "fixtures" / "planted"
Expected = set[tuple[str, int, str]]


def expected() -> Expected:
    found: Expected = set()
    for path in sorted(PLANTED.glob("*.yaml")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            m = re.search(r"# expect: (QB\d{3})\s*$", line)
            if m:
                found.add((path.name, number, m.group(1)))
    return found


def _gh_unescape(value: str) -> str:
    return value.replace("%2C", ",").replace("%3A", ":").replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")


def parse_text(out: str) -> Expected:
    return {(m[1], int(m[2]), m[3]) for m in re.finditer(r"^(.+?):(\d+):\d+: (QB\d{3}) ", out, re.M)}


def parse_json(out: str) -> Expected:
    return {(f["path"], f["line"], f["code"]) for f in json.loads(out)}


def parse_github(out: str) -> Expected:
    found = set()
    for m in re.finditer(r"^::(?:error|warning) (.*?)::", out, re.M):
        props = dict(part.split("=", 1) for part in m.group(1).split(","))
        found.add((_gh_unescape(props["file"]), int(props["line"]), _gh_unescape(props["title"]).split()[0]))
    return found


def parse_sarif(out: str) -> Expected:
    run = json.loads(out)["runs"][0]
    found = set()
    for r in run["results"]:
        loc = r["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        found.add((unquote(loc["artifactLocation"]["uri"]), loc["region"]["startLine"], r["ruleId"]))
    return found


def parse_junit(out: str) -> Expected:
    root = ET.fromstring(out.encode("utf-8"))
    found = set()
    for case in root.iter("testcase"):
        failure = case.find("failure")
        if failure is not None:
            found.add((case.get("file") or "", int(case.get("line") or 0), failure.get("type") or ""))
    return found


PARSERS = {"text": parse_text, "json": parse_json, "github": parse_github, "sarif": parse_sarif, "junit": parse_junit}


def test_every_rule_has_a_planted_flaw() -> None:
    planted = {code for _, _, code in expected()}
    assert planted == {r.code for r in all_rules()}


@pytest.mark.parametrize("fmt", sorted(PARSERS))
def test_each_rule_fires_at_its_planted_line(fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(PLANTED)
    opt_in = ",".join(r.code for r in all_rules() if not r.default_enabled)
    result = CliRunner().invoke(main, ["lint", ".", "--format", fmt, "--no-cache", "--extend-select", opt_in])
    assert result.exit_code == 1, result.output
    assert PARSERS[fmt](result.stdout) == expected()


def test_opt_in_rules_stay_quiet_unless_selected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(PLANTED)
    opt_in = {r.code for r in all_rules() if not r.default_enabled}
    assert opt_in, "no rule is opt-in"
    result = CliRunner().invoke(main, ["lint", ".", "--format", "json", "--no-cache", "--select", "ALL"])
    assert PARSERS["json"](result.stdout) == {e for e in expected() if e[2] not in opt_in}
    by_name = CliRunner().invoke(main, ["lint", ".", "--format", "json", "--no-cache", "--select", "QB3"])
    assert not {code for _, _, code in PARSERS["json"](by_name.stdout)} & opt_in
