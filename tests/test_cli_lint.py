"""`qbank lint` as users run it: real files in a temporary folder, exit codes, config and options."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from qbank import __version__
from qbank.cli import main

# Every test here runs with libyaml and with ruamel.yaml's pure-Python parser (see conftest).
pytestmark = pytest.mark.usefixtures("yaml_parser")

GOOD = """\
id: good
type: multiple_choice
stem: Which quality is essential for effective peer support?
options:
  - text: Active listening and empathy
    correct: true
    rationale: Being heard builds trust.
  - text: Indifference
    rationale: Indifference makes peers withdraw.
  - text: Authority and control
    rationale: Control undermines mutuality.
  - text: Strict adherence to rules
    rationale: Rigid rules stifle a personal approach.
explanation: Empathy and listening build the trust that peer support depends on.
"""

# A distractor without rationale (QB202, error) and two options only (QB104, warning).
FLAWED = """\
id: flawed
type: multiple_choice
stem: Which stage of change comes after contemplation?
options:
  - text: Preparation
    correct: true
    rationale: Planning follows deciding.
  - text: Maintenance
explanation: Preparation follows contemplation in the transtheoretical model.
"""


@pytest.fixture
def bank(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    items = tmp_path / "items"
    items.mkdir()
    (items / "good.yaml").write_text(GOOD, encoding="utf-8")
    return tmp_path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_clean_bank_exits_0(bank: Path) -> None:
    code, out, _ = run("lint")
    assert code == 0
    assert out.strip() == "All checks passed (1 item in 1 file)."


def test_findings_exit_1_with_file_line_and_code(bank: Path) -> None:
    (bank / "items" / "flawed.yaml").write_text(FLAWED, encoding="utf-8")
    code, out, _ = run("lint", "items")
    assert code == 1
    assert "items/flawed.yaml:4:1: QB104 [warning] only 2 option(s)" in out
    assert "items/flawed.yaml:8:5: QB202 [error] distractor 2 ('Maintenance') has no rationale" in out
    assert out.strip().endswith("Found 1 error and 1 warning (2 items in 2 files).")


def test_fail_on_warning_and_ignore(bank: Path) -> None:
    (bank / "items" / "flawed.yaml").write_text(FLAWED, encoding="utf-8")
    assert run("lint", "--ignore", "QB202")[0] == 0
    assert run("lint", "--ignore", "missing-distractor-rationale", "--fail-on", "warning")[0] == 1
    assert run("lint", "--select", "QB1")[0] == 0
    code, out, _ = run("lint", "--select", "QB104,QB202", "--statistics")
    assert code == 1
    assert [line.split() for line in out.splitlines()[:2]] == [
        ["1", "QB104", "too-few-options", "[warning]"],
        ["1", "QB202", "missing-distractor-rationale", "[error]"],
    ]


def test_per_item_ignore_by_code_or_name(bank: Path) -> None:
    flawed = FLAWED + "lint:\n  ignore: [QB104, missing-distractor-rationale]\n"
    (bank / "items" / "flawed.yaml").write_text(flawed, encoding="utf-8")
    code, out, _ = run("lint", "--fail-on", "warning")
    assert code == 0, out


def test_config_discovered_upward_from_a_subfolder(bank: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (bank / "items" / "flawed.yaml").write_text(FLAWED, encoding="utf-8")
    (bank / "qbank.toml").write_text('paths = ["items"]\nignore = ["QB202"]\nfail-on = "warning"\n', encoding="utf-8")
    sub = bank / "docs"
    sub.mkdir()
    monkeypatch.chdir(sub)
    code, out, _ = run("lint")
    assert code == 1  # fail-on warning from the config; QB104 remains
    assert "QB202" not in out and "QB104" in out


def test_pyproject_tool_qbank_and_rule_options(bank: Path) -> None:
    (bank / "items" / "flawed.yaml").write_text(FLAWED, encoding="utf-8")
    (bank / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.qbank]\nselect = ["QB104"]\n\n[tool.qbank.rules.too-few-options]\nmin-options = 2\n',
        encoding="utf-8",
    )
    code, out, _ = run("lint", "--fail-on", "warning")
    assert code == 0, out


def test_severity_override_in_config(bank: Path) -> None:
    (bank / "items" / "flawed.yaml").write_text(FLAWED, encoding="utf-8")
    (bank / "qbank.toml").write_text('select = ["QB104"]\n[severity]\nQB104 = "error"\n', encoding="utf-8")
    code, out, _ = run("lint")
    assert code == 1 and "QB104 [error]" in out


@pytest.mark.parametrize(
    "config, expected",
    [
        ('selekt = ["QB1"]\n', "did you mean 'select'"),
        ('ignore = ["QB999"]\n', "unknown rule or prefix 'QB999'"),
        ('fail-on = "fatal"\n', "not a severity"),
        ("[rules.too-few-options]\nminimum = 2\n", "unknown option 'minimum'"),
        ('[rules.too-few-options]\nmin-options = "two"\n', "must be like the default"),
        ("paths = [\n", "not valid TOML"),
    ],
)
def test_config_errors_exit_2_with_the_file_and_fix(bank: Path, config: str, expected: str) -> None:
    (bank / "qbank.toml").write_text(config, encoding="utf-8")
    code, out, err = run("lint")
    assert code == 2
    assert "qbank.toml" in err and expected in err
    assert "Traceback" not in out + err


def test_usage_errors_exit_2(bank: Path) -> None:
    code, _, err = run("lint", "missing-folder")
    assert code == 2 and "missing-folder: no such file or folder" in err
    assert run("lint", "--select", "QB9")[0] == 2
    assert run("lint", "--format", "xml")[0] == 2


def test_output_file_is_written_atomically(bank: Path) -> None:
    (bank / "items" / "flawed.yaml").write_text(FLAWED, encoding="utf-8")
    code, out, err = run("lint", "--format", "json", "--output", "report.json")
    assert code == 1 and out == ""
    data = json.loads((bank / "report.json").read_text(encoding="utf-8"))
    assert {f["code"] for f in data} == {"QB104", "QB202"}
    assert "Found 1 error" in err
    assert not [p for p in bank.iterdir() if p.name.startswith(".report.json")]


def test_broken_yaml_is_a_finding_not_a_traceback(bank: Path) -> None:
    (bank / "items" / "broken.yaml").write_text("id: x\nstem: [unclosed\n", encoding="utf-8")
    code, out, err = run("lint")
    assert code == 1
    assert "items/broken.yaml:3:1: QB001 [error] invalid YAML" in out
    assert "Traceback" not in out + err


def test_version_and_help_with_examples() -> None:
    code, out, _ = run("--version")
    assert code == 0 and out.strip() == f"qbank {__version__}"
    for command in ([], ["lint"], ["rule"], ["schema"]):
        code, out, _ = run(*command, "--help")
        assert code == 0 and "Example" in out


def test_rule_docs_by_code_name_and_catalogue() -> None:
    code, out, _ = run("rule", "QB202")
    assert code == 0
    assert out.startswith("QB202 missing-distractor-rationale [error]")
    for heading in ("What it checks:", "Why it matters:", "Flawed:", "Fixed:"):
        assert heading in out
    assert run("rule", "missing-distractor-rationale")[1] == out
    code, out, _ = run("rule", "--all")
    assert code == 0 and len(out.splitlines()) == 30
    code, _, err = run("rule", "QB20")
    assert code == 2 and "did you mean" in err


def test_rule_json() -> None:
    code, out, _ = run("rule", "QB305", "--format", "json")
    data = json.loads(out)
    assert data["code"] == "QB305" and data["name"] == "longest-option-is-key"
