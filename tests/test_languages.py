"""Wording rules know their languages: they run on items they can read and say what they skipped."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from qbank.cli import main
from qbank.lang import guess_language, language_of
from tests.conftest import mc

RUSSIAN = """\
id: pm-{n}
type: multiple_choice
stem: Какой процесс используется для определения границ проекта номер {n}?
options:
  - text: Только сбор требований заказчика
    rationale: Требования необходимы, но не определяют границы сами по себе.
  - text: Определение содержания проекта
    correct: true
    rationale: Содержание проекта задаёт его границы.
  - text: Все вышеперечисленное
    rationale: Не все варианты верны.
  - text: Обычно это делает спонсор
    rationale: Спонсор утверждает, но не определяет содержание.
explanation: Границы проекта задаются при определении содержания.
{extra}"""

ENGLISH_ONLY = ["QB306", "QB307", "QB308", "QB309", "QB311", "QB313", "QB314"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Какой процесс используется для определения границ проекта?", "ru"),
        ("Який процес визначає межі проєкту? Їх визначає спонсор.", "uk"),
        ("Which process defines the scope of the project?", "en"),
        ("Welcher Prozess ist für die Abgrenzung des Projekts nicht zuständig?", "de"),
        ("Quel est le processus qui définit le périmètre du projet ?", "fr"),
        ("¿Cuál es el proceso que define el alcance del proyecto?", "es"),
        ("Ποια διαδικασία ορίζει το εύρος του έργου;", "el"),
        ("どのプロセスがプロジェクトの範囲を定義しますか", "ja"),
        ("Mitochondria", None),
        ("42", None),
    ],
)
def test_guess_language(text: str, expected: str | None) -> None:
    assert guess_language(text) == expected


def test_an_items_own_language_wins_then_the_bank_default_then_the_guess() -> None:
    russian = mc("Какой процесс определяет границы проекта?", "Планирование", "Исполнение")
    assert language_of(russian) == "ru"
    assert language_of(russian, "de") == "de"
    assert language_of(mc("Какой процесс?", "Да", "Нет", language="pt-BR"), "de") == "pt"
    assert language_of(mc("Mitochondria", "ATP", "DNA")) == "en"  # nothing to go on: English, the rules' language


def lint(folder: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["lint", "--no-cache", str(folder), *args])
    return result.exit_code, result.stdout


def test_a_russian_bank_gets_russian_word_lists_and_a_note_for_the_rest(tmp_path: Path) -> None:
    for n in range(3):
        (tmp_path / f"pm{n}.yaml").write_text(RUSSIAN.format(n=n, extra=""), encoding="utf-8")
    code, out = lint(tmp_path, "--extend-select", "QB304")  # vague-terms is opt-in
    assert code == 0
    found = {(line.split(": ")[1].split()[0], line.split("'")[1]) for line in out.splitlines() if ": QB" in line}
    assert found == {("QB303", "Только"), ("QB301", "Все вышеперечисленное"), ("QB304", "Обычно")}
    [note] = [line for line in out.splitlines() if line.startswith("note:")]
    assert note.startswith("note: 3 items are in ru (Russian), which QB306 negative-stem,")
    assert all(note.count(code) == 1 for code in ENGLISH_ONLY) and "QB303" not in note


def test_declared_languages_decide_and_an_unknown_one_is_said_out_loud(tmp_path: Path) -> None:
    (tmp_path / "qbank.toml").write_text('language = "it"\n', encoding="utf-8")
    (tmp_path / "pm.yaml").write_text(RUSSIAN.format(n=1, extra=""), encoding="utf-8")
    (tmp_path / "ru.yaml").write_text(RUSSIAN.format(n=2, extra="language: ru\n"), encoding="utf-8")
    result = CliRunner().invoke(main, ["lint", "--no-cache", "--extend-select", "QB304", "--config", str(tmp_path / "qbank.toml"), str(tmp_path)])
    notes = [line for line in result.stdout.splitlines() if line.startswith("note:")]
    # The item without its own language takes the bank's Italian, which no wording rule reads.
    assert any(n.startswith("note: 1 item is in it (Italian), which QB301 all-of-the-above,") for n in notes), notes
    codes = {line.split(": ")[1].split()[0] for line in result.stdout.splitlines() if ": QB" in line}
    assert codes == {"QB301", "QB303", "QB304"}  # from ru.yaml only


def test_an_english_bank_has_no_language_note(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        "id: a\ntype: multiple_choice\nstem: Which skill is core to peer support?\noptions:\n"
        "  - text: Active listening\n    correct: true\n    rationale: r\n  - text: Diagnosis\n    rationale: r\n"
        "  - text: Prescribing\n    rationale: r\nexplanation: e\n",
        encoding="utf-8",
    )
    code, out = lint(tmp_path)
    assert code == 0 and "note:" not in out


def test_a_bad_language_setting_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "qbank.toml").write_text("language = 5\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["lint", "--config", str(tmp_path / "qbank.toml"), str(tmp_path)])
    assert result.exit_code == 2 and "language must be a BCP 47 tag" in result.stderr
