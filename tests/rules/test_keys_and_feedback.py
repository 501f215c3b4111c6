"""QB101-QB104 and QB201-QB202: keys, options and feedback, each both ways."""

from __future__ import annotations

from tests.conftest import fires, item, mc, run_rule


def opts(*specs: tuple[str, bool, str | None]) -> list[dict[str, object]]:
    return [{"text": t, "correct": c, "rationale": r} for t, c, r in specs]


# QB101 no-correct-answer
def test_no_correct_answer_fires_without_a_key() -> None:
    it = item(options=opts(("A", False, "x"), ("B", False, "y"), ("C", False, "z")))
    [v] = run_rule("QB101", it)
    assert v.path == ("options",)


def test_no_correct_answer_quiet_with_one_key_and_for_multiple_response() -> None:
    assert not fires("QB101", mc("Which?", "A", "B", "C"))
    assert not fires("QB101", item(type="multiple_response", options=opts(("A", True, "x"), ("B", True, "y"))))
    assert fires("QB101", item(type="multiple_response", options=opts(("A", False, "x"), ("B", False, "y"))))


# QB102 multiple-correct-answers
def test_multiple_correct_answers_points_at_the_second_key() -> None:
    [v] = run_rule("QB102", mc("Which?", "A", "B", "C", key=[0, 2]))
    assert v.path == ("options", 2, "correct")
    assert "options 1, 3" in v.message


def test_multiple_correct_answers_quiet_for_multiple_response_and_single_key() -> None:
    assert not fires("QB102", mc("Which?", "A", "B", "C", key=1))
    assert not fires("QB102", item(type="multiple_response", options=opts(("A", True, "x"), ("B", True, "y"), ("C", False, "z"))))


# QB103 duplicate-options
def test_duplicate_options_after_case_and_whitespace_folding() -> None:
    [v] = run_rule("QB103", mc("Which monarch?", "Richard I", "King John", "richard   I ", key=1))
    assert v.path == ("options", 2, "text")


def test_duplicate_options_quiet_when_a_character_differs() -> None:
    assert not fires("QB103", mc("Which monarch?", "Richard I", "Richard II", "King John"))
    assert not fires("QB103", mc("Which?", "HAVING", "WHERE", "HAVING BY"))


# QB104 too-few-options
def test_too_few_options_two_options() -> None:
    [v] = run_rule("QB104", mc("Which?", "A", "B"))
    assert v.path == ("options",)


def test_too_few_options_quiet_with_three_and_configurable() -> None:
    assert not fires("QB104", mc("Which?", "A", "B", "C"))
    assert fires("QB104", mc("Which?", "A", "B", "C"), **{"min-options": 4})
    assert not fires("QB104", item(type="multiple_response", options=opts(("A", True, "x"), ("B", False, "y"))))


# QB201 missing-explanation
def test_missing_explanation_absent_or_blank() -> None:
    assert fires("QB201", mc("Which?", "A", "B", "C", explanation=None))
    [v] = run_rule("QB201", mc("Which?", "A", "B", "C", explanation="  \n"))
    assert v.path == ("explanation",)
    assert fires("QB201", item(type="essay", stem="Discuss.", explanation=None))


def test_missing_explanation_quiet_for_a_short_explanation() -> None:
    assert not fires("QB201", mc("Which?", "A", "B", "C", explanation="Short."))


# QB202 missing-distractor-rationale
def test_missing_distractor_rationale_absent_null_or_blank() -> None:
    it = item(options=opts(("Key", True, "ok"), ("D1", False, None), ("D2", False, " "), ("D3", False, "fine")))
    found = run_rule("QB202", it)
    assert [v.path for v in found] == [("options", 1), ("options", 2, "rationale")]


def test_missing_distractor_rationale_quiet_when_only_the_key_lacks_one() -> None:
    it = item(options=opts(("Key", True, None), ("D1", False, "no"), ("D2", False, "no")))
    assert not fires("QB202", it)


def test_missing_distractor_rationale_counts_every_option_without_a_key() -> None:
    it = item(options=opts(("A", False, None), ("B", False, "no"), ("C", False, "no")))
    assert len(run_rule("QB202", it)) == 1
