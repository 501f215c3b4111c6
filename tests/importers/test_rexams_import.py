"""R/exams import: the exercises shipped with the exams package through `qbank import`, two of them
field by field, dynamic (R code) exercises ending as notes, and malformed files as one clear error."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from qbank.cli import main
from qbank.importers import ImportFailure, detect_format
from qbank.importers.rexams import RexamsImporter
from qbank.loader import load_paths


def corpus(shared: Path) -> Path:
    return shared / "corpora" / "rexams" / "exams-package-exercises"


def run_import(files: list[Path], out: Path, *extra: str):
    result = CliRunner().invoke(main, ["import", *map(str, files), "-o", str(out), *extra])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


def loaded(out: Path) -> list:
    return [entry.item for entry in load_paths([out]).items] if out.exists() else []


def corpus_files(shared: Path) -> list[Path]:
    return sorted(p for p in corpus(shared).iterdir() if p.suffix in (".Rmd", ".Rnw"))


@pytest.mark.parametrize("named", [False, True])
def test_every_corpus_exercise_imports_as_an_item_or_a_note(shared_dir: Path, tmp_path: Path, named: bool) -> None:
    files = corpus_files(shared_dir)
    assert len(files) >= 16
    for n, path in enumerate(files):
        out = tmp_path / f"out{n}"
        result = run_import([path], out, *(["--from", "rexams"] if named else []))
        assert result.exit_code == 0, (path.name, result.output)
        assert "(rexams)" in result.output, (path.name, result.output)
        items = loaded(out)
        assert len(items) == 1 or ": note:" in result.output, (path.name, result.output)


def test_swisscapital_rmd_field_by_field(shared_dir: Path, tmp_path: Path) -> None:
    result = run_import([corpus(shared_dir) / "swisscapital.Rmd"], tmp_path / "out")
    assert result.exit_code == 0, result.output
    (it,) = loaded(tmp_path / "out")
    assert it.type == "multiple_choice"
    assert it.id == "swiss-capital" and it.title == "Swiss Capital"
    assert it.stem == "What is the seat of the federal authorities in Switzerland (i.e., the de facto capital)?"
    assert [o.text for o in it.options] == ["Basel", "Bern", "Geneva", "Lausanne", "Zurich", "St. Gallen", "Vaduz"]
    assert [o.correct for o in it.options] == [False, True, False, False, False, False, False]
    assert [o.rationale for o in it.options] == ["False", "True", "False", "False", "False", "False", "False"]
    assert it.explanation == "There is no de jure capital but the de facto capital and seat of the federal authorities is Bern."
    assert it.shuffle is True
    assert "exshuffle: 5" in result.output  # the random subset is noted
    assert "dynamic" not in result.output


def test_swisscapital_rnw_field_by_field(shared_dir: Path, tmp_path: Path) -> None:
    result = run_import([corpus(shared_dir) / "swisscapital.Rnw"], tmp_path / "out")
    assert result.exit_code == 0, result.output
    (it,) = loaded(tmp_path / "out")
    assert it.type == "multiple_choice"
    assert it.id == "swiss-capital" and it.title == "Swiss Capital"
    assert it.stem == "What is the seat of the federal authorities in Switzerland (i.e., the de facto capital)?"
    assert [o.text for o in it.options] == ["Basel", "Bern", "Geneva", "Lausanne", "Zurich", "St. Gallen", "Vaduz"]
    assert [o.correct for o in it.options] == [False, True, False, False, False, False, False]
    assert [o.rationale for o in it.options] == ["True." if i == 1 else "False." for i in range(7)]
    assert it.explanation == "There is no de jure capital but the de facto capital and seat of the federal authorities is Bern."


def test_mchoice_with_explained_rationales(shared_dir: Path, tmp_path: Path) -> None:
    result = run_import([corpus(shared_dir) / "switzerland.Rmd"], tmp_path / "out")
    (it,) = loaded(tmp_path / "out")
    assert it.type == "multiple_response"
    assert [o.correct for o in it.options] == [False, True, False, False, True]
    assert it.options[2].rationale == "False. The currency is the Swiss Franc (CHF)."
    assert result.exit_code == 0


@pytest.mark.parametrize("name", ["tstat.Rmd", "deriv2.Rmd"])
def test_dynamic_exercises_give_a_note(shared_dir: Path, tmp_path: Path, name: str) -> None:
    result = run_import([corpus(shared_dir) / name], tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert result.output.count("the exercise is dynamic") == 1
    assert "skipped" in result.output
    assert loaded(tmp_path / "out") == []


def test_cloze_is_noted(shared_dir: Path, tmp_path: Path) -> None:
    result = run_import([corpus(shared_dir) / "lm.Rmd"], tmp_path / "out")
    assert result.exit_code == 0 and "cloze" in result.output


DYNAMIC_KEY = """```{r data generation, echo = FALSE, results = "hide"}
sol <- sample(c(TRUE, FALSE), 3, replace = TRUE)
```

Question
========
Which of these are even? The value is `r x`.

Answerlist
----------
* 2
* 3
* 4

Meta-information
================
exname: Even numbers
extype: mchoice
exsolution: `r mchoice2string(sol)`
expoints: 2
"""


def test_dynamic_key_imports_with_no_option_marked(tmp_path: Path) -> None:
    src = tmp_path / "even.Rmd"
    src.write_text(DYNAMIC_KEY, encoding="utf-8")
    result = run_import([src], tmp_path / "out")
    assert result.exit_code == 0, result.output
    (it,) = loaded(tmp_path / "out")
    assert it.type == "multiple_response" and it.points == 2
    assert it.stem == "Which of these are even? The value is `r x`."
    assert [o.text for o in it.options] == ["2", "3", "4"] and not any(o.correct for o in it.options)
    assert "key is unknown" in result.output
    assert result.output.count("the exercise is dynamic") == 1


def test_static_num_and_string(tmp_path: Path) -> None:
    num = "Question\n========\nWhat is $2+2$?\n\nSolution\n========\nFour.\n\nMeta-information\n================\nexname: add\nextype: num\nexsolution: 4\nextol: 0.5\n"
    string = "Question\n========\nCapital of France?\n\nMeta-information\n================\nexname: paris\nextype: string\nexsolution: Paris\n"
    (tmp_path / "num.Rmd").write_text(num, encoding="utf-8")
    (tmp_path / "str.Rmd").write_text(string, encoding="utf-8")
    result = run_import([tmp_path / "num.Rmd", tmp_path / "str.Rmd"], tmp_path / "out")
    assert result.exit_code == 0, result.output
    items = {it.id: it for it in loaded(tmp_path / "out")}
    assert items["add"].type == "numerical" and items["add"].answer == 4 and items["add"].tolerance == 0.5
    assert items["add"].stem == "What is $2+2$?" and items["add"].explanation == "Four."
    assert items["paris"].type == "short_answer" and items["paris"].answers == ["Paris"]


def test_rnw_latex_is_converted_minimally() -> None:
    src = (
        "\\begin{question}\nIs \\emph{this} \\textbf{bold} and $x_1 \\le 2$? 50\\%.\n"
        "\\begin{answerlist}\n  \\item Yes\n  \\item No\n\\end{answerlist}\n\\end{question}\n"
        "%% \\exname{latex}\n%% \\extype{schoice}\n%% \\exsolution{10}\n"
    )
    result = RexamsImporter().read(src.encode(), "latex.Rnw")
    (imported,) = result.items
    assert imported.item.stem == "Is *this* **bold** and $x_1 \\le 2$? 50%."
    assert [o.correct for o in imported.item.options] == [True, False]
    assert detect_format(src.encode(), "latex.Rnw") == "rexams"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Question\n========\nHello?\n", "Meta-information"),
        ("Question\n========\nHi\n\nMeta-information\n================\nextype: essayish\nexsolution: 1\n", "extype 'essayish'"),
        ("Question\n========\nHi\n\nMeta-information\n================\nexname: x\n", "no extype"),
        ("Meta-information\n================\nextype: num\nexsolution: 1\n", "no Question"),
        ("Question\n========\nHi\n\nMeta-information\n================\nextype: num\nexsolution: abc\n", "not a number"),
    ],
)
def test_malformed_files_fail_clearly(tmp_path: Path, text: str, expected: str) -> None:
    src = tmp_path / "bad.Rmd"
    src.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = run_import([src], out, "--from", "rexams")
    assert result.exit_code == 1
    assert expected in result.output and "nothing was written" in result.output
    assert not out.exists()
    with pytest.raises(ImportFailure):
        RexamsImporter().read(text.encode(), "bad.Rmd")


def test_not_utf8_fails_clearly() -> None:
    with pytest.raises(ImportFailure, match="UTF-8"):
        RexamsImporter().read(b"Question\n========\n\xff\n", "x.Rmd")


def test_xml_templates_never_traceback(shared_dir: Path, tmp_path: Path) -> None:
    folder = shared_dir / "corpora" / "rexams" / "exams-xml-templates"
    for n, path in enumerate(sorted(folder.glob("*.xml"))):
        for extra in ([], ["--from", "rexams"]):
            out = tmp_path / f"out{n}-{len(extra)}"
            result = run_import([path], out, *extra)
            assert result.exit_code in (0, 1), (path.name, result.output)
            if result.exit_code == 1:
                assert "error:" in result.output and not out.exists()
            else:
                assert "note:" in result.output or loaded(out)
