"""QB003, QB401 and QB402: rules that look at the whole bank, each both ways."""

from __future__ import annotations

from pathlib import Path

from qbank.config import Config
from qbank.lint.engine import Selection, lint_paths

ITEM = """\
id: {id}
type: multiple_choice
stem: {stem}
shuffle: {shuffle}
options:
{options}explanation: x
"""


def write_item(folder: Path, name: str, stem: str, *, key: int = 0, n: int = 4, shuffle: bool = True, id: str | None = None) -> None:
    options = "".join(
        f"  - text: Option {i}\n" + ("    correct: true\n" if i == key else "") + "    rationale: r\n" for i in range(n)
    )
    text = ITEM.format(id=id or name, stem=stem, shuffle=str(shuffle).lower(), options=options)
    (folder / f"{name}.yaml").write_text(text, encoding="utf-8")


def findings(folder: Path, code: str, **options: object) -> list[tuple[str, int, str]]:
    config = Config()
    if options:
        config.rule_options[code] = dict(options)
    report = lint_paths([folder], config, Selection.from_config(config, select=[code]), relative_to=folder)
    return [(f.path, f.line, f.message) for f in report.findings]


def test_duplicate_id_reports_the_later_item_and_names_the_first(tmp_path: Path) -> None:
    write_item(tmp_path, "a", "Which role fits a peer?", id="same")
    write_item(tmp_path, "b", "Which boundary is sound?", id="same")
    [(path, line, message)] = findings(tmp_path, "QB003")
    assert path == "b.yaml" and line == 1 and "a.yaml:1" in message


def test_duplicate_id_quiet_for_distinct_ids(tmp_path: Path) -> None:
    write_item(tmp_path, "a", "Which role fits a peer?")
    write_item(tmp_path, "b", "Which boundary is sound?")
    assert findings(tmp_path, "QB003") == []


def test_near_duplicate_stems_are_reported_once_on_the_later_item(tmp_path: Path) -> None:
    write_item(tmp_path, "a", "Which quality is essential for effective peer support?")
    write_item(tmp_path, "b", "Which quality is most essential for effective peer support?")
    write_item(tmp_path, "c", "When should a peer specialist share their own recovery story?")
    [(path, line, message)] = findings(tmp_path, "QB401")
    assert path == "b.yaml" and line == 3 and "'a'" in message


def test_near_duplicate_quiet_for_related_but_different_questions(tmp_path: Path) -> None:
    write_item(tmp_path, "a", "Which quality is essential for effective peer support?")
    write_item(tmp_path, "b", "Which quality most damages trust in a peer support relationship?")
    write_item(tmp_path, "c", "Harm reduction")
    write_item(tmp_path, "d", "Harm reduction")  # shorter than min-words: labels repeat by nature
    assert findings(tmp_path, "QB401") == []


def test_near_duplicate_threshold_is_configurable(tmp_path: Path) -> None:
    write_item(tmp_path, "a", "Which quality is essential for effective peer support?")
    write_item(tmp_path, "b", "Which quality is essential for effective peer support in rural crisis outreach programmes?")
    assert findings(tmp_path, "QB401") == []  # 13 of 18 words shared: 0.72
    assert len(findings(tmp_path, "QB401", threshold=0.5)) == 1


MI_OPTIONS = "  - text: Reflective listening\n    correct: true\n  - text: Giving advice\n  - text: Confrontation\n"


def write_mc(folder: Path, name: str, stem: str, options: str = MI_OPTIONS) -> None:
    (folder / f"{name}.yaml").write_text(f"id: {name}\ntype: multiple_choice\nstem: {stem}\noptions:\n{options}", encoding="utf-8")


def test_the_same_question_with_a_qualifier_and_the_same_options_is_a_near_duplicate(tmp_path: Path) -> None:
    """Stem-only similarity misses this pair (6 of 9 stem words); stem plus options does not."""
    write_mc(tmp_path, "a", "Which skill is central to motivational interviewing?")
    write_mc(tmp_path, "b", "Which skill is central to motivational interviewing in peer work?")
    [(path, line, message)] = findings(tmp_path, "QB401")
    assert path == "b.yaml" and line == 3 and "item 'a'" in message and "plus a qualifier" in message


def test_sibling_items_on_one_stimulus_are_not_near_duplicates(tmp_path: Path) -> None:
    """Same table, same options, a different good asked about: enemy items, not duplicates."""
    stem = "Using the table of output per worker above, which country has the comparative advantage in {}?"
    options = "  - text: Hungary\n    correct: true\n  - text: Slovakia\n  - text: Neither\n"
    write_mc(tmp_path, "a", stem.format("tables"), options)
    write_mc(tmp_path, "b", stem.format("chairs"), options)
    write_mc(tmp_path, "c", "Which one of the following is the definition of inflation?",
             "  - text: A rise in the general price level\n    correct: true\n  - text: A fall in output\n")
    write_mc(tmp_path, "d", "Which one of the following is the definition of disinflation?",
             "  - text: A slower rise in the general price level\n    correct: true\n  - text: A fall in output\n")
    assert findings(tmp_path, "QB401") == []


def test_one_stem_with_different_options_or_pictures_is_not_a_near_duplicate(tmp_path: Path) -> None:
    write_mc(tmp_path, "a", "Which of the following statements about recovery is accurate?",
             "  - text: Recovery is a personal journey\n    correct: true\n  - text: Recovery ends at discharge\n")
    write_mc(tmp_path, "b", "Which of the following statements about recovery is accurate?",
             "  - text: Hope is a core element\n    correct: true\n  - text: Relapse means failure\n")
    write_mc(tmp_path, "c", "'![Chart 1](c1.png) What does the chart show about relapse rates?'")
    write_mc(tmp_path, "d", "'![Chart 2](c2.png) What does the chart show about relapse rates?'")
    assert findings(tmp_path, "QB401") == []


def test_near_duplicates_scale_without_comparing_all_pairs(tmp_path: Path) -> None:
    """A bank of many distinct stems plus one planted pair finds exactly that pair."""
    import random

    rng = random.Random(7)
    vocabulary = [f"word{i}" for i in range(3000)]
    for i in range(400):
        write_item(tmp_path, f"i{i:04d}", " ".join(rng.sample(vocabulary, 8)) + "?")
    write_item(tmp_path, "z1", "Which stage of change involves planning a concrete step soon?")
    write_item(tmp_path, "z2", "Which stage of change involves planning a concrete step very soon?")
    assert [p for p, _, _ in findings(tmp_path, "QB401")] == ["z2.yaml"]


def test_answer_position_bias_fires_when_unshuffled_keys_cluster(tmp_path: Path) -> None:
    for i in range(12):
        write_item(tmp_path, f"q{i:02d}", f"Question number {i}?", key=0 if i < 9 else i % 4, shuffle=False)
    [(path, line, message)] = findings(tmp_path, "QB402")
    assert path == "q00.yaml" and line == 4  # the shuffle: false line of the first biased item
    assert "option 1 in 9 of 12" in message


def test_answer_position_bias_quiet_for_balanced_or_shuffled_banks(tmp_path: Path) -> None:
    for i in range(12):
        write_item(tmp_path, f"q{i:02d}", f"Question number {i}?", key=i % 4, shuffle=False)
    for i in range(12):
        write_item(tmp_path, f"s{i:02d}", f"Shuffled question {i}?", key=0, shuffle=True)
    assert findings(tmp_path, "QB402") == []


def test_answer_position_bias_needs_enough_items(tmp_path: Path) -> None:
    for i in range(5):
        write_item(tmp_path, f"q{i}", f"Question number {i}?", key=0, shuffle=False)
    assert findings(tmp_path, "QB402") == []
