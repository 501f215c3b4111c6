"""Writing-flaw rules A: list options, absolute and vague wording, negative and unfocused stems,
combined options and blanks (QB301-QB304, QB306, QB309, QB311, QB312).

Each rule is tested both ways: realistic flawed items must fire, and the near-misses named in the
rule definitions (shared/lint-eval/README.md) must stay quiet, because a linter that cries wolf
on sound items teaches authors to ignore it.
"""

from __future__ import annotations

from typing import Any

import pytest

from qbank.lint.registry import find_rule
from qbank.model import Item
from qbank.text import blank_quoted, lead_in
from tests.conftest import fires, item, mc, run_rule

CODES = ["QB301", "QB302", "QB303", "QB304", "QB306", "QB309", "QB311", "QB312"]
STEM = "Which approach best supports a peer's recovery?"


def with_option(text: str, *, stem: str = STEM, key: int = 0) -> Item:
    """A four-option item whose last option is ``text``; the other options are neutral."""
    return mc(stem, "Honouring the peer's own goals", "Setting goals on the peer's behalf", "Ending contact after a lapse", text, key=key)


def stem_item(stem: str, **fields: Any) -> Item:
    return mc(stem, "Mutual support", "Clinical diagnosis", "Medication management", **fields)


# --- rule metadata ----------------------------------------------------------------------------------


@pytest.mark.parametrize("code", CODES)
def test_rule_is_documented_warning(code: str) -> None:
    rule = find_rule(code)
    assert rule is not None
    assert rule.severity.value == "warning"
    for part in (rule.doc.what, rule.doc.why, rule.doc.bad, rule.doc.good):
        assert part and "TODO" not in part
    assert "Haladyna" in rule.doc.why or "NBME" in rule.doc.why


@pytest.mark.parametrize("code", ["QB301", "QB302", "QB303", "QB304", "QB309", "QB312"])
def test_option_rules_apply_to_choice_items_only(code: str) -> None:
    assert find_rule(code).types == frozenset({"multiple_choice", "multiple_response"})  # type: ignore[union-attr]


@pytest.mark.parametrize("code", ["QB306", "QB311"])
def test_question_rules_skip_statement_and_instruction_types(code: str) -> None:
    rule = find_rule(code)
    assert rule is not None and rule.types is not None
    assert {"multiple_choice", "multiple_response", "short_answer"} <= rule.types
    assert not {"true_false", "matching", "essay"} & rule.types


# --- QB301 all-of-the-above -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["All of the above", "all the above", "All of these", "All of the preceding", "All of the options",
     "All of the answers", "**All of the above**", "(All of the above.)", "All of the above are correct"],
)
def test_all_of_the_above_fires(text: str) -> None:
    assert fires("QB301", with_option(text))


@pytest.mark.parametrize(
    "text", ["All-or-nothing thinking", "All peers set their own goals", "Allergies to the medication", "None of the above"]
)
def test_all_of_the_above_near_misses(text: str) -> None:
    assert not fires("QB301", with_option(text))


def test_all_of_the_above_in_the_stem_is_not_reported() -> None:
    assert not fires("QB301", stem_item("All of the following describe peer support. Which one is its foundation?"))


def test_all_of_the_above_path_and_key_message() -> None:
    (v,) = run_rule("QB301", with_option("All of the above", key=3))
    assert v.path == ("options", 3, "text")
    assert "option 4" in v.message and "multiple_response" in v.message


def test_all_of_the_above_extend_phrases() -> None:
    it = with_option("Everything listed")
    assert not fires("QB301", it)
    assert fires("QB301", it, **{"extend-phrases": ["everything listed"]})


@pytest.mark.parametrize("text", ["Any of the above are possible.", "All are correct", "Any of these", "Each of the above"])
def test_all_of_the_above_variants_real_authors_use(text: str) -> None:
    assert fires("QB301", with_option(text))


def test_all_of_the_above_on_multiple_response() -> None:
    it = item(type="multiple_response", stem="Which are SAMHSA recovery dimensions?",
              options=[{"text": "Home", "correct": True}, {"text": "Purpose", "correct": True}, {"text": "All of these"}])
    assert fires("QB301", it)


# --- QB302 none-of-the-above ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["None of the above", "none of these", "None of the preceding", "None of the options", "None of the answers",
     "Neither of the above", "_None of the above._"],
)
def test_none_of_the_above_fires(text: str) -> None:
    assert fires("QB302", with_option(text))


@pytest.mark.parametrize("text", ["None", "`None`", "Nonetheless, continue the session", "No contact at all"])
def test_none_of_the_above_near_misses(text: str) -> None:
    assert not fires("QB302", mc("How many sessions does the peer have to attend?", "One", "Two", "Three", text))


def test_none_of_the_above_path() -> None:
    (v,) = run_rule("QB302", with_option("None of the above"))
    assert v.path == ("options", 3, "text")
    assert "None of the above" in v.message and "distractor" in v.message


# --- QB303 absolute-terms ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("Never share your own recovery story", "Never"),
        ("Always accept gifts from peers", "Always"),
        ("All peers need a clinical diagnosis first", "All"),
        ("Everyone recovers in the same way", "Everyone"),
        ("No one recovers without medication", "No one"),
        ("It is impossible to relapse after a year", "impossible"),
        ("Peer support guarantees recovery", "guarantees"),
        ("Only licensed clinicians can offer hope", "Only"),
        ("The specialist must report every lapse", "must"),
        ("Completely avoid talking about substance use", "Completely"),
        ('"You must stop using today."', "must"),
    ],
)
def test_absolute_terms_fire(text: str, term: str) -> None:
    (v,) = run_rule("QB303", with_option(text))
    assert repr(term) in v.message


@pytest.mark.parametrize(
    "text",
    [
        "All-or-nothing thinking",          # hyphenated fixed term
        "Absolute monarchy",                # not a lexicon word
        "All three goals of the plan",      # a definite, enumerated set
        "Every 4 hours while awake",        # a schedule
        "Every other week",
        "None",                             # a count
        "`None`",                           # a code value
        "An allele on chromosome 7",        # substrings of other words
        "Nevertheless, stay curious",
        "All of the above",                 # its own rule
        "None of the above",
        "Recovery is not always linear",    # negated
        "Report never events to the safety officer",
        "All Quiet on the Western Front",   # a title
        "A and C only",                     # refers to other options
    ],
)
def test_absolute_terms_near_misses(text: str) -> None:
    assert not fires("QB303", with_option(text))


def test_absolute_terms_read_options_only() -> None:
    it = mc("Peers always set their own goals. Which tool records them?", "A WRAP", "A treatment plan", "A discharge summary",
            explanation="WRAP is never written for someone else.")
    assert not fires("QB303", it)


def test_absolute_terms_read_the_false_options() -> None:
    """A sweeping claim cues a false option: a distractor, or the key of an exception question.
    In a true key it states a fact ('in all daughters and none of the sons')."""
    fact = mc("How is an X-linked dominant trait of a father inherited?",
              "In all daughters and none of the sons", "In half of the sons", "Always in every child")
    assert [v.path for v in run_rule("QB303", fact)] == [("options", 2, "text")]
    exception = mc("Which instruction should the nurse NOT give a patient starting warfarin?",
                   "Keep vitamin K intake steady", "Never take acetaminophen", "Report bleeding", key=1)
    [v] = run_rule("QB303", exception)
    assert v.path == ("options", 1, "text") and "the key of this exception question" in v.message


def test_absolute_terms_path_and_options() -> None:
    (v,) = run_rule("QB303", with_option("Always disclose your diagnosis"))
    assert v.path == ("options", 3, "text")
    it = with_option("Certainly disclose your diagnosis")
    assert not fires("QB303", it)
    assert fires("QB303", it, **{"extend-terms": ["certainly"]})
    assert not fires("QB303", with_option("Always disclose"), **{"ignore-phrases": ["always disclose"]})


# --- QB304 vague-terms ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["Usually wait for the next session", "Sometimes share personal contact details", "May increase the risk of relapse",
     "It could help the peer feel heard", "Many peers prefer group settings", "Several weeks of daily contact",
     "Rarely mention the lapse", "Perhaps refer the peer elsewhere", "Generally follow the peer's lead"],
)
def test_vague_terms_fire(text: str) -> None:
    assert fires("QB304", with_option(text))


@pytest.mark.parametrize(
    "text",
    ["Mount St. Helens, May 1980", "May 1980", "The training began in May", "May", "May and June", "Call `may_fail()` first",
     "Occasional check-ins", "Most peers", "About 30 minutes", "It cannot be determined"],
)
def test_vague_terms_near_misses(text: str) -> None:
    assert not fires("QB304", with_option(text))


def test_vague_terms_ignore_the_stem() -> None:
    it = mc("Which support is most often named first, and could belong in a WRAP?", "Family", "Work", "Faith")
    assert not fires("QB304", it)


def test_vague_terms_path_and_message() -> None:
    (v,) = run_rule("QB304", with_option("Rarely mention it, since the peer will probably bring it up"))
    assert v.path == ("options", 3, "text")
    assert "'Rarely'" in v.message and "'probably'" in v.message and "terms" in v.message


def test_vague_terms_options() -> None:
    assert fires("QB304", with_option("Occasional check-ins"), **{"extend-terms": ["occasional"]})
    it = mc("Which describes the sample?", "Normally distributed", "Skewed right", "Bimodal")
    assert fires("QB304", it)
    assert not fires("QB304", it, **{"ignore-phrases": ["normally distributed"]})


# --- QB306 negative-stem ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "stem",
    [
        "Which of the following is not a core value of peer support?",
        "All of the following are signs of compassion fatigue except:",
        "Which response would be least helpful to a peer in crisis?",
        "Which statement about WRAP is false?",
        "Which of these statements about recovery is incorrect?",
        "Which task isn't within a peer specialist's scope?",
        "Which of the following cannot be shared without the peer's consent?",
        "A peer has just left hospital. What should the peer specialist not do at the first visit?",
        "Which of the following are not elements of informed consent? Select all that apply.",
        "Peer specialists should not:",
        "Which of the following is mismatched with its stage of change?",
        "Which pair is incorrectly matched?",
        "In a study of recovery outcomes, ______ is not a variable.",
        "Identify the false statement about WRAP.",
    ],
)
def test_negative_stem_fires(stem: str) -> None:
    assert fires("QB306", stem_item(stem))


@pytest.mark.parametrize(
    "stem",
    [
        "Which of the following is NOT a core value of peer support?",
        "Which of the following is **not** a core value of peer support?",
        "Which of the following is __not__ a core value of peer support?",
        "All of the following are signs of compassion fatigue EXCEPT:",
        "Which response would be LEAST helpful to a peer in crisis?",
        # negatives in the vignette or a relative clause
        "The peer could not keep her job after the hospital stay. Which resource fits her goal?",
        "Which right applies to peer workers who are not paid for their time?",
        "Which term describes fear of harm from people who may not actually exist?",
        "When a peer is not ready to talk, which approach is best?",
        # quoted titles and speech
        'A chart carries a "Do Not Resuscitate" order. Which care continues?',
        'A peer says, "I can\'t do this anymore." What is your first response?',
        "Which play contains the line 'To be, or not to be'?",
        # fixed phrases
        "A peer has been in recovery for at least two years. Which role suits her?",
        "True or false: Peer specialists do not diagnose.",
        "Which test result is a false positive?",
        "Which setting is the least restrictive option for this peer?",
        # negatives that describe the answer rather than ask for the option that does not fit
        "The organelle that makes lipids does not have ribosomes.",
        "People who support a movement with their time, but do not stand to gain from it, are known as",
        "Marx called everything, except human labor, that is used to create wealth the",
        "This form of money is least liquid but keeps its value best.",
        "Which type of RNA is transcribed but not translated?",
    ],
)
def test_negative_stem_near_misses(stem: str) -> None:
    assert not fires("QB306", stem_item(stem))


def test_negative_stem_path_and_message() -> None:
    (v,) = run_rule("QB306", stem_item("Which is not part of the WRAP?"))
    assert v.path == ("stem",)
    assert "'not'" in v.message and "'NOT'" in v.message


def test_negative_stem_ignores_code() -> None:
    assert not fires("QB306", stem_item("What does `x is not None` test in Python?"))


def test_negative_stem_extend_terms() -> None:
    it = stem_item("Which action should a peer specialist avoid?")
    assert not fires("QB306", it)
    assert fires("QB306", it, **{"extend-terms": ["avoid"]})


def test_negative_stem_short_answer_but_not_true_false() -> None:
    assert fires("QB306", item(type="short_answer", stem="Which vitamin is not fat-soluble?", answers=["C"]))
    assert not fires("QB306", item(type="true_false", stem="Peer specialists are not clinicians.", answer=True))


# --- QB309 combined-options -------------------------------------------------------------------------

DIMENSIONS = ("Health", "Home", "Purpose")


@pytest.mark.parametrize(
    "text",
    ["Both A and B", "A and C", "All but C", "Neither A nor B", "A, B, and C are correct", "Options 1 and 3",
     "(A) and (C)", "Health and home", "Both health and purpose", "Both of the above"],
)
def test_combined_options_fire(text: str) -> None:
    assert fires("QB309", mc("Which SAMHSA dimension covers a stable place to live?", *DIMENSIONS, text, key=1))


@pytest.mark.parametrize(
    "options",
    [
        ("Clear and convincing evidence", "Preponderance of the evidence", "Beyond a reasonable doubt"),
        ("Use and disuse", "Natural selection", "Genetic drift"),
        ("Epinephrine and norepinephrine", "Insulin", "Glucagon"),
        ("Hepatitis A and B", "Hepatitis C", "Hepatitis E"),
        ("Health", "Home", "All of the above"),
        ("Health", "Home", "None of the above"),
        # statements I-III live in the stem: the options only combine labels
        ("I only", "I and II", "II and III", "I, II and III"),
    ],
)
def test_combined_options_near_misses(options: tuple[str, ...]) -> None:
    assert not fires("QB309", mc("Which fits?", *options))


def test_combined_options_path_and_message() -> None:
    (v,) = run_rule("QB309", mc("Which fits?", *DIMENSIONS, "Both A and C"))
    assert v.path == ("options", 3, "text")
    assert "options 1 and 3" in v.message


def test_combined_options_joined_texts_can_be_turned_off() -> None:
    it = mc("Which fits?", *DIMENSIONS, "Health and home")
    assert not fires("QB309", it, **{"match-joined-texts": False})


# --- QB311 unfocused-stem ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "stem",
    [
        "Which of the following is true?",
        "Which statement is correct?",
        "Which of these is accurate?",
        "Which of the following are true? Select all that apply.",
        "Select the correct statement.",
        "Harm reduction",
        "Type II error",
        "The Romantic movement in English poetry",
        "Lithium therapy:",
    ],
)
def test_unfocused_stem_fires(stem: str) -> None:
    assert fires("QB311", stem_item(stem))


@pytest.mark.parametrize(
    "stem",
    [
        "Which of the following statements about peer support is true?",
        "Which statement about the recovery model is correct?",
        "Which of the following is accurate regarding WRAP?",
        "A peer relapses after two years of recovery. Which statement is correct?",
        "Which of the following statements about self-disclosure is incorrect?",
        "Which of the following are true about trauma-informed care? Select all that apply.",
        "What is true about harm reduction?",
    ],
)
def test_unfocused_stem_with_a_named_topic_only_with_the_option(stem: str) -> None:
    """Real-bank reviewers judged a lead-in that names its topic, or follows a scenario, focused enough."""
    assert not fires("QB311", stem_item(stem))
    assert fires("QB311", stem_item(stem), **{"named-topic": True})


@pytest.mark.parametrize(
    "stem",
    [
        "Which of the following novels was written by Toni Morrison?",
        "What must be true of a list before binary search can be used?",
        "Which of the following is the correct first step in a crisis plan?",
        "Which response is correct when a peer discloses a lapse?",
        "Identify the WRAP section that lists triggers",
        "The primary purpose of a WRAP crisis plan is to",
        "An organism that makes its own food is called an",
        "In an ionic bond, electrons are ________ from one atom to another.",
        "Photosynthesis converts light energy into",
    ],
)
def test_unfocused_stem_near_misses(stem: str) -> None:
    assert not fires("QB311", stem_item(stem))


def test_unfocused_stem_label_completed_by_lowercase_options() -> None:
    assert not fires("QB311", mc("The Romantic poets' chief concern", "emotion and nature", "reason and order", "urban industry"))


def test_unfocused_stem_path_and_option() -> None:
    (v,) = run_rule("QB311", stem_item("Harm reduction"))
    assert v.path == ("stem",)
    assert "topic label" in v.message
    assert not fires("QB311", stem_item("Harm reduction"), **{"check-labels": False})
    (q,) = run_rule("QB311", stem_item("Which of the following is true?"))
    assert "focused question" in q.message


# --- QB312 fill-in-the-blank ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "stem",
    [
        "The ___ section of a WRAP lists what to do every day to stay well.",
        "Peer support rests on ______ and shared lived experience.",
        "Recovery is ____ and ____.",
    ],
)
def test_fill_in_the_blank_fires(stem: str) -> None:
    assert fires("QB312", stem_item(stem))


@pytest.mark.parametrize(
    "stem",
    [
        "Sharing one's own recovery story to inspire hope is called ________.",
        "A sustained rise in prices is called \\_\\_\\_\\_.",
        "The stage after contemplation is ____",
    ],
)
def test_one_blank_that_ends_the_stem_only_with_the_option(stem: str) -> None:
    """A single final blank completes the sentence, which the guidelines accept."""
    assert not fires("QB312", stem_item(stem))
    assert fires("QB312", stem_item(stem), **{"final-blank": True})


@pytest.mark.parametrize(
    "stem",
    [
        "What does the `__init__` method of a Python class do?",
        "Which method does Python call for `a == b`: `__eq__` or `__hash__`?",
        "Which of these is __not__ a peer support value?",
        "```python\nif __name__ == '__main__':\n    x = ____\n```\nWhat does this guard do?",
        "An organism that makes its own food using sunlight is called an",
    ],
)
def test_fill_in_the_blank_near_misses(stem: str) -> None:
    assert not fires("QB312", stem_item(stem))


def test_fill_in_the_blank_path_and_option() -> None:
    (v,) = run_rule("QB312", stem_item("Hope is ___ in recovery."))
    assert v.path == ("stem",)
    assert "'___'" in v.message
    assert not fires("QB312", stem_item("Hope is ___ in recovery."), **{"min-underscores": 4})


def test_fill_in_the_blank_leaves_short_answer_cloze_alone() -> None:
    assert not fires("QB312", item(type="short_answer", stem="Peer support rests on ______.", answers=["mutuality"]))


# --- shared text helpers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stem", "lead"),
    [
        ("A peer could not keep her job. Which resource fits her goal?", "Which resource fits her goal?"),
        ("Which are elements of consent? Select all that apply.", "Which are elements of consent?"),
        ("Under Miranda v. Arizona, which warning is required?", "Under Miranda v. Arizona, which warning is required?"),
        ('She says, "Why can\'t I stop?" What is your best response?', "What is your best response?"),
        ("All of the following are signs of burnout except:", "All of the following are signs of burnout except:"),
    ],
)
def test_lead_in_is_the_asking_sentence(stem: str, lead: str) -> None:
    assert lead_in(stem) == lead


def test_blank_quoted_keeps_offsets() -> None:
    text = 'A "Do Not Resuscitate" order; the peer\'s reply'
    out = blank_quoted(text)
    assert len(out) == len(text) and "Not" not in out and "peer's" in out
