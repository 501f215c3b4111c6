"""Cases found by the independently written evaluation set (benchmarks/lint-eval-extra)."""

from __future__ import annotations

from tests.conftest import fires, item, mc, run_rule


def test_true_false_options_reads_past_tense_claims() -> None:
    it = mc(
        "Which statement about the Industrial Revolution is untrue?",
        "The spinning jenny was invented in the 1760s",
        "Railways spread across Britain in the 1830s",
        "Steam power replaced water wheels in many mills",
        "The revolution ended with the abolition of factories",
        key=3,
    )
    assert fires("QB313", it, **{"named-topic": True})  # the labelled set's reading of a named topic


def test_true_false_options_treats_code_as_a_subject() -> None:
    it = item(
        type="multiple_response",
        stem="Which of the following are true about Python dictionaries? Select all that apply.",
        options=[
            {"text": "Keys must be hashable", "correct": True, "rationale": "r"},
            {"text": "Dictionaries keep insertion order", "correct": True, "rationale": "r"},
            {"text": "`dict.get()` raises KeyError for a missing key", "rationale": "r"},
            {"text": "`len(d)` returns the number of values plus keys", "rationale": "r"},
        ],
    )
    assert fires("QB313", it, **{"named-topic": True})


def test_true_false_options_stays_quiet_for_past_tense_answers_to_one_question() -> None:
    it = mc(
        "In which year did the Berlin Wall fall?",
        "1987",
        "1989",
        "1991",
        key=1,
    )
    assert not fires("QB313", it)


def test_combined_options_with_a_trailing_word() -> None:
    it = mc("Which property of sound changes with the medium?", "Speed", "Frequency", "Amplitude", "A and C together")
    assert fires("QB309", it)
    assert not fires("QB309", mc("Which pair works together?", "Salt and pepper together", "Oil", "Water"))


# --- cases from the judged sample of real banks (benchmarks/realworld-judgments.json) ------------


def test_combined_options_quiet_for_picture_labels() -> None:
    """'1 & 3' among options '1', '2', '3' names labels in a picture, a fair answer to 'which number(s)'."""
    it = mc("In the diagram, which number(s) mark the 5' end of a template strand?", "1", "2", "3", "1 & 3", key=2)
    assert not fires("QB309", it)


def test_true_false_options_quiet_when_a_short_topic_is_named() -> None:
    it = mc(
        "Which of the following is NOT true about M1?",
        "M2 is included in M1.",
        "M1 consists of the most liquid forms of money.",
        "Checking account deposits are included in M1.",
        "Savings account deposits are not part of M1.",
    )
    assert not fires("QB313", it)
    assert fires("QB313", it, **{"named-topic": True})


def test_true_false_options_quiet_for_a_completion_stem() -> None:
    it = mc(
        "The Latino paradox refers to the observation that",
        "immigrants from Cuba have large numbers of children.",
        "second-generation Puerto Ricans are healthier than Puerto Rican immigrants.",
        "poor Latinos have better health outcomes than richer white people.",
        key=2,
    )
    assert not fires("QB313", it)


def test_absolute_terms_quiet_when_the_key_uses_the_word_too() -> None:
    it = mc("What happens to output when demand rises in the short run?",
            "Output must increase", "Output must increase and prices must fall", "Output stays the same")
    assert not fires("QB303", it)


def test_absolute_terms_quiet_for_all_in_a_definition_or_a_named_set() -> None:
    assert not fires("QB303", mc("What is the price level?", "The index of costs", "The average of all prices", "A wage rate"))
    assert not fires("QB303", mc("What is the unit of analysis?", "Each student", "All sororities on that campus", "One town"))
    assert fires("QB303", mc("Which holds for bacteria?", "Most have cell walls", "All bacteria are pathogens", "None"))


def test_combined_options_with_an_exclusion() -> None:
    it = mc("Which conditions raise the risk?", "Smoking", "Inactivity", "Obesity", "Answers B and C, but not A.", key=3)
    assert fires("QB309", it)


TYPE_K_STEM = "Which are true of the vertebral column? I. 7 cervical vertebrae II. 10 thoracic vertebrae III. 5 lumbar vertebrae"


def test_complex_type_k_items_are_reported() -> None:
    it = mc(TYPE_K_STEM, "I, II and III are true", "Only I is true", "Only II is true", "I and III are true", key=3)
    [v] = run_rule("QB314", it)
    assert v.path == ("options", 0, "text") and "Type K" in v.message


def test_complex_type_k_quiet_for_orderings_numbers_and_letters() -> None:
    ordering = mc("Order the events: 1) Cytokinesis 2) DNA replication 3) Signal 4) Segregation",
                  "2, 3, 4, 1", "3, 1, 2, 4", "3, 2, 4, 1", key=2)
    numbers = mc("How many years does it take to double income at 4% growth?", "18", "1,800", "5", "500")
    letters = mc("Which dimension concerns a place to live?", "Health", "Home", "Both A and B", key=1)
    for it in (ordering, numbers, letters):
        assert not fires("QB314", it)
