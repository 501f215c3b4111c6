"""`[per-file-ignores]` as users meet it: real files in a temporary folder, the CLI, every format."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from qbank.cli import main

# A distractor without rationale (QB202, error) and two options only (QB104, warning).
FLAWED = """\
id: {id}
type: multiple_choice
stem: {stem}
options:
  - text: Preparation
    correct: true
    rationale: Planning follows deciding.
  - text: Maintenance
explanation: Preparation follows contemplation in the transtheoretical model.
"""

GOOD = """\
id: {id}
type: multiple_choice
stem: {stem}
options:
  - text: Active listening and empathy
    correct: true
    rationale: Being heard builds trust.
  - text: Indifference
    rationale: Indifference makes peers withdraw.
  - text: Authority and control
    rationale: Control undermines mutuality.
explanation: Empathy and listening build the trust that peer support depends on.
"""

# No option is marked correct: QB101, which blocks an export.
KEYLESS = """\
id: {id}
type: multiple_choice
stem: {stem}
options:
  - text: Preparation
    rationale: Planning follows deciding.
  - text: Maintenance
    rationale: Maintenance sustains a change.
  - text: Action
    rationale: Action comes later.
explanation: Preparation follows contemplation.
"""

STEMS = [
    "Which stage of change follows contemplation?",
    "What should a peer worker do first when a client discloses self-harm?",
    "Which boundary is crossed by lending money to a client?",
    "Which document records a client's consent to share information?",
    "What is the main aim of a recovery plan written with the client?",
    "Which response shows active listening to a distressed peer?",
    "When may confidentiality be broken without the client's consent?",
    "Which principle of trauma-informed care concerns choice?",
    "What does a warm handover to another service involve?",
    "Which sign suggests a peer worker is nearing burnout?",
]


def write(path: Path, template: str = FLAWED, id: str | None = None, stem: str | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    ident = id or path.stem.replace(".", "-")
    stem = stem or f"Which stage of change follows contemplation for {ident}?"
    path.write_text(template.format(id=ident, stem=stem), encoding="utf-8")
    return path


def write_many(path: Path, n: int, template: str = FLAWED, prefix: str = "q") -> None:
    """``n`` items in one file, as YAML documents separated by ``---``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    docs = [
        template.format(id=f"{prefix}{i}", stem=f"Which stage of change follows contemplation in case {prefix}{i}?")
        for i in range(n)
    ]
    path.write_text("---\n".join(docs), encoding="utf-8")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def findings(*args: str) -> set[tuple[str, str]]:
    """``(path, code)`` of each finding of ``qbank lint --format json ARGS``."""
    code, out, err = run("lint", "--format", "json", *args)
    assert code in (0, 1), err
    return {(f["path"], f["code"]) for f in json.loads(out)}


@pytest.fixture
def bank(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """One flawed item per file at known places; every finding here is QB104 or QB202."""
    monkeypatch.chdir(tmp_path)
    for name in (
        "items/top.yaml",
        "items/draft-2.yaml",
        "items/x.gen.yaml",
        "legacy/a.yaml",
        "legacy/sub/b.yaml",
        "legacy/sub/c.gen.yaml",
        "other/legacy/d.yaml",
        "draft-1.yaml",
    ):
        write(tmp_path / name)
    return tmp_path


ALL_FILES = {
    "items/top.yaml", "items/draft-2.yaml", "items/x.gen.yaml", "legacy/a.yaml", "legacy/sub/b.yaml",
    "legacy/sub/c.gen.yaml", "other/legacy/d.yaml", "draft-1.yaml",
}


def config(root: Path, body: str, pyproject: bool = False) -> None:
    if pyproject:
        text = '[project]\nname = "x"\n\n[tool.qbank]\npaths = ["."]\n\n[tool.qbank.per-file-ignores]\n' + body
        (root / "pyproject.toml").write_text(text, encoding="utf-8")
    else:
        (root / "qbank.toml").write_text('paths = ["."]\n\n[per-file-ignores]\n' + body, encoding="utf-8")


# --- where it is configured, and how rules are named ------------------------------------------


def test_without_per_file_ignores_every_file_has_both_findings(bank: Path) -> None:
    config(bank, "")
    assert findings() == {(f, c) for f in ALL_FILES for c in ("QB104", "QB202")}


@pytest.mark.parametrize("pyproject", [False, True], ids=["qbank.toml", "pyproject.toml"])
@pytest.mark.parametrize("selectors", ['["QB202"]', '["missing-distractor-rationale"]', '["QB2"]'], ids=["code", "name", "prefix"])
def test_rules_by_code_name_or_prefix_in_either_file(bank: Path, pyproject: bool, selectors: str) -> None:
    config(bank, f'"legacy/**" = {selectors}\n', pyproject=pyproject)
    got = findings()
    legacy = {f for f in ALL_FILES if f.startswith("legacy/")}
    assert got == {(f, "QB104") for f in ALL_FILES} | {(f, "QB202") for f in ALL_FILES - legacy}


def test_all_and_several_patterns_add_up(bank: Path) -> None:
    config(bank, '"legacy/**" = ["ALL"]\n"*.gen.yaml" = ["QB104"]\n"items/top.yaml" = ["QB202"]\n')
    assert findings() == {
        ("items/top.yaml", "QB104"),
        ("items/draft-2.yaml", "QB104"), ("items/draft-2.yaml", "QB202"),
        ("items/x.gen.yaml", "QB202"),
        ("other/legacy/d.yaml", "QB104"), ("other/legacy/d.yaml", "QB202"),
        ("draft-1.yaml", "QB104"), ("draft-1.yaml", "QB202"),
    }


# --- glob semantics -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pattern, ignored",
    [
        ("legacy/**", {"legacy/a.yaml", "legacy/sub/b.yaml", "legacy/sub/c.gen.yaml"}),
        ("legacy/", {"legacy/a.yaml", "legacy/sub/b.yaml", "legacy/sub/c.gen.yaml"}),
        ("legacy/*", {"legacy/a.yaml"}),  # '*' stays within one folder
        ("legacy/*.yaml", {"legacy/a.yaml"}),
        ("legacy/**/*.yaml", {"legacy/a.yaml", "legacy/sub/b.yaml", "legacy/sub/c.gen.yaml"}),
        ("**/draft-*.yaml", {"draft-1.yaml", "items/draft-2.yaml"}),
        ("*.gen.yaml", {"items/x.gen.yaml", "legacy/sub/c.gen.yaml"}),  # no slash: the file name, anywhere
        ("legacy", {"legacy/a.yaml", "legacy/sub/b.yaml", "legacy/sub/c.gen.yaml", "other/legacy/d.yaml"}),
        ("./draft-1.yaml", {"draft-1.yaml"}),
        ("draft-?.yaml", {"draft-1.yaml", "items/draft-2.yaml"}),
        ("items/[dx]*.yaml", {"items/draft-2.yaml", "items/x.gen.yaml"}),
        ("items/[!dx]*.yaml", {"items/top.yaml"}),
        ("{items,other}/**", {"items/top.yaml", "items/draft-2.yaml", "items/x.gen.yaml", "other/legacy/d.yaml"}),
        ("**", ALL_FILES),
        ("sub/**", set()),  # a pattern with a slash is anchored at the config's folder
        ("a.yaml/**", set()),
    ],
)
def test_glob_semantics(bank: Path, pattern: str, ignored: set[str]) -> None:
    config(bank, f"{json.dumps(pattern)} = [\"QB202\"]\n")
    got = {f for f, c in findings("--select", "QB202")}
    assert got == ALL_FILES - ignored


def test_patterns_are_relative_to_the_config_folder_from_a_subfolder(bank: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config(bank, '"legacy/sub/**" = ["QB202"]\n"items/draft-*.yaml" = ["QB202"]\n')
    monkeypatch.chdir(bank / "legacy")
    # The configured paths (shown relative to the current folder when inside it, else absolute).
    got = findings("--select", "QB202")
    assert {f for f, _ in got if f == "a.yaml"} == {"a.yaml"}
    assert {Path(os.path.abspath(f)).relative_to(bank).as_posix() for f, _ in got} == ALL_FILES - {
        "legacy/sub/b.yaml", "legacy/sub/c.gen.yaml", "items/draft-2.yaml",
    }
    # Paths on the command line, relative to the subfolder: still matched from the config's folder.
    assert findings("--select", "QB202", ".") == {("a.yaml", "QB202")}
    assert findings("--select", "QB202", "sub/b.yaml", "../items") == {
        ("../items/top.yaml", "QB202"), ("../items/x.gen.yaml", "QB202"),
    }


def test_absolute_paths_on_the_command_line(bank: Path) -> None:
    config(bank, '"legacy/**" = ["QB202"]\n')
    absolute = str(bank / "legacy")
    assert findings("--select", "QB202", absolute) == set()
    assert findings("--select", "QB202", str(bank / "items" / "top.yaml")) == {("items/top.yaml", "QB202")}


def test_a_path_through_a_symbolic_link_is_matched_by_where_it_leads(bank: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    config(bank, '"legacy/**" = ["QB202"]\n')
    link = tmp_path_factory.mktemp("elsewhere") / "bank"
    try:
        link.symlink_to(bank, target_is_directory=True)
    except OSError:
        pytest.skip("no symbolic links here")
    code, out, _ = run("lint", "--format", "json", "--select", "QB202", str(link / "legacy"), str(link / "items/top.yaml"))
    assert code == 1
    assert {Path(f["path"]).name for f in json.loads(out)} == {"top.yaml"}


def test_without_a_config_file_patterns_are_relative_to_the_current_folder(bank: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from qbank.config import Config
    from qbank.lint.engine import Selection, lint_paths

    monkeypatch.chdir(bank / "legacy")
    cfg = Config(select=["QB202"], per_file_ignores={"sub/*.yaml": ["QB202"]})
    report = lint_paths([bank / "legacy"], cfg, relative_to=Path.cwd())
    assert {f.path for f in report.findings} == {"a.yaml"}
    assert Selection.from_config(Config()).per_file is None


# --- configuration errors -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, expected",
    [
        ('"legacy/**" = ["QB999"]\n', "per-file-ignores.\"legacy/**\": unknown rule or prefix 'QB999'"),
        ('"legacy/**" = ["missing-distractor"]\n', "per-file-ignores.\"legacy/**\": unknown rule or prefix 'missing-distractor'"),
        ('"legacy/**" = "QB202"\n', "per-file-ignores.\"legacy/**\": must be a list of rule codes"),
        ('"legacy/**" = 3\n', "per-file-ignores.\"legacy/**\": must be a list of rule codes"),
        ('"legacy/**" = [3]\n', "per-file-ignores.\"legacy/**\": must be a list of rule codes"),
        ('"legacy/[ab" = ["QB202"]\n', "per-file-ignores.\"legacy/[ab\": not a usable glob ('[' at position 8 is never closed"),
        ('"/legacy/**" = ["QB202"]\n', "must be relative to the configuration file's folder"),
        ('"../legacy/**" = ["QB202"]\n', "'..' cannot be used"),
        ('"!legacy/**" = ["QB202"]\n', "negated patterns"),
    ],
)
@pytest.mark.parametrize("pyproject", [False, True], ids=["qbank.toml", "pyproject.toml"])
def test_bad_entries_exit_2_with_one_line_naming_the_file_and_key(bank: Path, body: str, expected: str, pyproject: bool) -> None:
    config(bank, body, pyproject=pyproject)
    code, out, err = run("lint")
    assert code == 2, out
    name = "pyproject.toml" if pyproject else "qbank.toml"
    assert err.startswith(f"qbank: error: {bank / name}: ")
    assert expected in err
    assert err.count("\n") == 1 and "Traceback" not in out + err


def test_per_file_ignores_must_be_a_table(bank: Path) -> None:
    (bank / "qbank.toml").write_text('per-file-ignores = ["legacy/**"]\n', encoding="utf-8")
    code, _, err = run("lint")
    assert code == 2 and "qbank.toml: 'per-file-ignores' must be a table" in err
    assert err.count("\n") == 1


def test_glob_compiler_on_its_own() -> None:
    from qbank.lint.per_file import FileGlob

    assert FileGlob("legacy/**").regex.pattern == "legacy/.*"
    assert FileGlob("**/x.yaml").regex.fullmatch("x.yaml") and FileGlob("**/x.yaml").regex.fullmatch("a/b/x.yaml")
    assert not FileGlob("legacy/*.yaml").regex.fullmatch("legacy/a/b.yaml")
    assert FileGlob("a**b.yaml").regex.fullmatch("axyb.yaml") and not FileGlob("a**b.yaml").regex.fullmatch("ax/b.yaml")
    assert FileGlob("items/[]]x").regex.fullmatch("items/]x")
    assert not FileGlob("items/[+-0]").regex.fullmatch("items//")  # a set never matches '/'
    assert FileGlob("a.b(c)+").regex.fullmatch("a.b(c)+") and not FileGlob("a.b").regex.fullmatch("axb")
    assert FileGlob("{a,b/{c,d}}/x").regex.fullmatch("b/d/x")


# --- findings from every path through the engine -------------------------------------------------


def test_a_warm_cache_after_changing_only_the_config(bank: Path) -> None:
    config(bank, "")
    before = findings()
    assert len(before) == 16
    cache_files = list((bank / ".qbank_cache").glob("lint-*.bin"))
    assert len(cache_files) == 1
    config(bank, '"legacy/**" = ["QB202"]\n')
    assert findings() == before - {(f, "QB202") for f in ("legacy/a.yaml", "legacy/sub/b.yaml", "legacy/sub/c.gen.yaml")}
    # The same cache served both runs: per-file ignores apply after it, so it stayed valid.
    assert list((bank / ".qbank_cache").glob("lint-*.bin")) == cache_files
    config(bank, '"items/**" = ["QB104"]\n')
    assert findings() == before - {(f, "QB104") for f in ("items/top.yaml", "items/draft-2.yaml", "items/x.gen.yaml")}
    config(bank, "")
    assert findings() == before
    assert findings("--no-cache") == before


def test_worker_processes_give_the_same_findings(bank: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from qbank.lint import engine

    config(bank, '"legacy/**" = ["QB202"]\n"*.gen.yaml" = ["QB104"]\n')
    serial = findings("--no-cache")
    monkeypatch.setattr(engine, "PARALLEL_MIN_FILES", 1)
    assert findings("--no-cache") == serial
    assert ("legacy/a.yaml", "QB202") not in serial and ("items/x.gen.yaml", "QB104") not in serial


def test_bank_rules_respect_the_ignores_of_the_file_they_report_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # QB401 and QB003 report the later item (in path order): the copy in legacy/.
    write(tmp_path / "items" / "original.yaml", GOOD, id="shared-id", stem=STEMS[5])
    write(tmp_path / "legacy" / "copy.yaml", GOOD, id="shared-id", stem=STEMS[5])
    (tmp_path / "docs").mkdir()
    monkeypatch.chdir(tmp_path / "docs")  # shown paths are then not relative to the config's folder
    qbank = tmp_path / "qbank.toml"
    head = 'paths = ["items", "legacy"]\nselect = ["QB003", "QB401"]\n'
    qbank.write_text(head, encoding="utf-8")
    got = {(Path(p).relative_to(tmp_path).as_posix(), c) for p, c in findings()}
    assert got == {("legacy/copy.yaml", "QB003"), ("legacy/copy.yaml", "QB401")}
    qbank.write_text(head + '[per-file-ignores]\n"legacy/**" = ["duplicate-id", "QB4"]\n', encoding="utf-8")
    assert findings() == set()
    # Ignoring them where the first item is does not hide what is reported on the second.
    qbank.write_text(head + '[per-file-ignores]\n"items/**" = ["QB003", "QB401"]\n', encoding="utf-8")
    assert {c for _, c in findings()} == {"QB003", "QB401"}


def test_syntax_errors_are_hidden_only_when_named(bank: Path) -> None:
    (bank / "legacy" / "broken.yaml").write_text("id: x\nstem: [unclosed\n", encoding="utf-8")
    (bank / "legacy" / "schemaless.yaml").write_text("id: y\ntype: multiple_choice\nstem: What?\ncolour: red\n", encoding="utf-8")
    config(bank, '"legacy/**" = ["ALL"]\n')
    assert {(f, c) for f, c in findings() if f.startswith("legacy/")} == {
        ("legacy/broken.yaml", "QB001"), ("legacy/schemaless.yaml", "QB002"),
    }
    config(bank, '"legacy/**" = ["QB", "QB0"]\n')
    assert {c for f, c in findings() if f.startswith("legacy/")} == {"QB001", "QB002"}
    config(bank, '"legacy/**" = ["ALL", "yaml-syntax", "QB002"]\n')
    assert {f for f, _ in findings() if f.startswith("legacy/")} == set()


@pytest.mark.parametrize("selectors", ['["QB101"]', '["ALL"]'])
def test_per_file_ignores_never_unblock_an_export(bank: Path, selectors: str) -> None:
    for path in bank.rglob("*.yaml"):
        path.unlink()
    write(bank / "items" / "fine.yaml", GOOD, stem=STEMS[1])
    write(bank / "legacy" / "keyless.yaml", KEYLESS, stem=STEMS[2])
    config(bank, f'"legacy/**" = {selectors}\n')
    code, out, _ = run("lint")
    assert code == 0, out  # lint honours the ignore
    result = CliRunner().invoke(main, ["export", "-f", "gift", "-o", "bank.gift"])
    assert result.exit_code == 1
    assert "legacy/keyless.yaml" in result.stderr and "QB101" in result.stderr
    assert not (bank / "bank.gift").exists()


def test_every_format_sees_the_same_reduced_findings(bank: Path) -> None:
    config(bank, '"legacy/**" = ["QB202"]\n"other/**" = ["ALL"]\n')
    expected = findings()
    assert len(expected) == 16 - 3 - 2
    _, out, _ = run("lint", "--statistics")
    assert [line.split()[:2] for line in out.splitlines()[:2]] == [["7", "QB104"], ["4", "QB202"]]
    _, out, _ = run("lint", "--format", "github")
    assert out.count("::error ") == 4 and out.count("::warning ") == 7
    _, out, _ = run("lint", "--format", "sarif")
    results = json.loads(out)["runs"][0]["results"]
    assert sorted(r["ruleId"] for r in results) == ["QB104"] * 7 + ["QB202"] * 4
    _, out, _ = run("lint", "--format", "junit")
    assert len(ET.fromstring(out.encode("utf-8")).findall(".//failure")) == 11
    _, out, _ = run("lint")
    assert out.strip().endswith("Found 4 errors and 7 warnings (8 items in 8 files).")
