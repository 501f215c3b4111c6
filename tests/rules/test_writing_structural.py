"""QB305, QB307, QB308, QB310 and QB313: cues in the options' shape and grammar, each both ways.

Every rule gets realistic flawed items that must fire and near-misses (the cases its definition
excludes) that must stay quiet. The items are written for these tests, not taken from the
evaluation set.
"""

from __future__ import annotations

from typing import Any

import pytest

from qbank.lint.registry import find_rule
from qbank.model import Item
from qbank.text import indefinite_article, noun_number, parse_quantity, same_family
from tests.conftest import fires, item, mc, run_rule


def mr(stem: str, *options: str, keys: list[int]) -> Item:
    """A multiple_response item; ``keys`` are the indices of the correct options."""
    return item(
        type="multiple_response",
        stem=stem,
        options=[{"text": t, "correct": i in keys, "rationale": "Reason."} for i, t in enumerate(options)],
    )


@pytest.mark.parametrize("code", ["QB305", "QB307", "QB308", "QB310", "QB313"])
def test_rules_are_documented_warnings(code: str) -> None:
    rule = find_rule(code)
    assert rule is not None
    assert rule.severity.value == "warning"
    assert all(part and part != "TODO" for part in (rule.doc.what, rule.doc.why, rule.doc.bad, rule.doc.good))


def test_single_key_rules_skip_multiple_response() -> None:
    for code in ("QB305", "QB307", "QB308"):
        assert find_rule(code).types == frozenset({"multiple_choice"})  # type: ignore[union-attr]
    for code in ("QB310", "QB313"):
        assert find_rule(code).types == frozenset({"multiple_choice", "multiple_response"})  # type: ignore[union-attr]


# --- QB305 longest-option-is-key -----------------------------------------------------------------

LONG_KEY_ITEMS = [
    mc(
        "A peer tells you she used again last weekend. What is the most helpful first response?",
        "Remind her of the rules",
        "Listen without judgment, ask what support she wants right now, and revisit her recovery plan together",
        "Refer her to a counselor",
        "Share your own story",
        key=1,
    ),
    mc(
        "A client's potassium is 6.1 mEq/L before a scheduled dose of spironolactone. What should the nurse do?",
        "Hold the dose, notify the prescriber, and place the client on a cardiac monitor while awaiting orders",
        "Give the dose as ordered",
        "Give half the dose",
        "Encourage potassium-rich foods",
    ),
    mc(
        "Why did the Articles of Confederation fail to fund the national government?",
        "Congress had no power to tax and could only request money from the states, which often refused to pay",
        "The states had no money",
        "Congress spent too much",
        key=0,
    ),
]


@pytest.mark.parametrize("it", LONG_KEY_ITEMS)
def test_longest_option_is_key_fires(it: Item) -> None:
    assert fires("QB305", it)


def test_longest_option_is_key_points_at_the_key_and_names_the_ratio() -> None:
    [v] = run_rule("QB305", LONG_KEY_ITEMS[0])
    assert v.path == ("options", 1, "text")
    assert "x as long as the longest distractor" in v.message


LONG_KEY_NEAR_MISSES = [
    # Key longer by a couple of words: ratio below 1.3.
    mc(
        "Which practice best supports a peer's self-determination?",
        "Helping her choose her own recovery goals",
        "Setting goals for her based on the program",
        "Asking her family what goals she should have",
        "Letting the treatment team decide her goals",
    ),
    # Key much longer in characters but under four words.
    mc("Which therapy uses induced seizures to treat severe depression?", "Electroconvulsive therapy", "CBT", "DBT", "EMDR"),
    # A distractor is the longest option.
    mc(
        "What is the primary goal of a warmline?",
        "Offer peer support before a crisis develops",
        "Dispatch emergency services, coordinate with police and hospitals, and arrange involuntary holds",
        "Prescribe medication",
    ),
]


@pytest.mark.parametrize("it", LONG_KEY_NEAR_MISSES)
def test_longest_option_is_key_near_misses(it: Item) -> None:
    assert not fires("QB305", it)


def test_longest_option_is_key_threshold_is_inclusive() -> None:
    # 15 characters against 10 is exactly the default 1.5: reported; 14 against 10 is not.
    assert fires("QB305", mc("Which?", "abc def gh ijkl", "klmnopqrst", "uvw"))
    assert not fires("QB305", mc("Which?", "abc def gh ijk", "klmnopqrst", "uvw"))
    # 13 against 10 is exactly 1.3, reported with ratio = 1.3.
    assert fires("QB305", mc("Which?", "abc def gh ij", "klmnopqrst", "uvw"), ratio=1.3)


def test_longest_option_is_key_options_and_applicability() -> None:
    it = mc("Which response?", "Validate her feelings and ask what she needs", "Tell her to calm down", "Change the subject", key=0)
    assert fires("QB305", it)
    assert not fires("QB305", it, ratio=2.5)
    assert not fires("QB305", it, **{"min-words": 10})
    two_keys = mc("Which?", "Validate her feelings and ask what she needs today", "Tell her to calm down", "Ignore it", key=[0, 1])
    assert not fires("QB305", two_keys)
    assert not fires("QB305", mr("Which?", "Validate her feelings and ask what she needs today", "Calm down", "Ignore", keys=[0]))


# --- QB307 word-repeat ---------------------------------------------------------------------------

WORD_REPEAT_ITEMS = [
    # contain -> Containment (derivational family)
    mc(
        "Which Cold War policy aimed to contain the spread of Soviet influence after 1947?",
        "Containment",
        "Appeasement",
        "Isolationism",
        "Détente",
    ),
    # directs -> Self-direction (part of a hyphenated compound)
    mc(
        "Which recovery principle holds that the peer, not the specialist, directs the recovery journey?",
        "Mutuality",
        "Self-direction",
        "Harm reduction",
        "Trauma-informed care",
        key=1,
    ),
    # Japan -> Japanese (nationality)
    mc(
        "Which poetic form from Japan arranges seventeen syllables in three lines?",
        "Sonnet",
        "Ghazal",
        "Japanese haiku",
        "Limerick",
        key=2,
    ),
    # Same word: boundaries -> boundaries
    mc(
        "Which reply to a peer's request for a loan keeps healthy boundaries?",
        "Decline and explain the boundaries of your role",
        "Lend a small amount this once",
        "Ask her supervisor",
        "Stop meeting with her",
    ),
]


@pytest.mark.parametrize("it", WORD_REPEAT_ITEMS)
def test_word_repeat_fires(it: Item) -> None:
    assert fires("QB307", it)


def test_word_repeat_points_at_the_key_and_names_the_word() -> None:
    [v] = run_rule("QB307", WORD_REPEAT_ITEMS[0])
    assert v.path == ("options", 0, "text")
    assert "'contain' (as 'Containment')" in v.message


WORD_REPEAT_NEAR_MISSES = [
    # An exception question: the echo makes the key look right, so it points away from it.
    mc(
        "Which of the following is NOT a role of the financial system?",
        "Channelling savings to borrowers",
        "Pooling risk",
        "Providing liquidity",
        "Setting the role of the central bank by law",
        key=3,
    ),
    mc(
        "Which pair is mismatched with the factor it determines?",
        "Income - demand",
        "Costs - supply",
        "Weather determines interest rates",
        key=2,
    ),
    # The same head noun in different compounds names different things.
    mc(
        "Which survey design can show that a cause comes before its effect?",
        "A time-order design",
        "A cross-sectional snapshot",
        "A single interview",
    ),
    # The word also appears in a distractor.
    mc(
        "Which Cold War policy aimed to contain Soviet influence?",
        "Containment",
        "Containment through appeasement",
        "Isolationism",
    ),
    # Generic exam words (statement, correct, patient, nurse) and function words do not count.
    mc(
        "Which statement by the patient shows the nurse's teaching was correct?",
        "The patient statement that insulin goes in the abdomen",
        "I will skip meals",
        "I can stop my pills",
    ),
    # Vignette verbs (tells, asks) are not distinctive.
    mc(
        "A peer tells you she is lonely and asks for advice. What is the best first step?",
        "Ask what connection would look like for her",
        "Suggest a dating app",
        "Refer her to a psychiatrist",
    ),
    # Short words (< 4 letters) are ignored.
    mc("Which gas makes up most of the air we breathe?", "Nitrogen gas", "Oxygen", "Carbon dioxide"),
    # A word that sits only in code in the stem.
    mc(
        "What does the `sorted` function return for a list of names?",
        "A new list in ascending order",
        "The same list object, changed in place",
        "A generator over the names",
    ),
    # Look-alike words that are not one family: pain/paint, experience/expert.
    mc("Which symptom is typical of lead poisoning from old paint?", "Abdominal pain", "Hair loss", "Rash"),
    mc("What gives a peer specialist credibility with peers?", "Lived experience", "Expert training", "A degree"),
]


@pytest.mark.parametrize("it", WORD_REPEAT_NEAR_MISSES)
def test_word_repeat_near_misses(it: Item) -> None:
    assert not fires("QB307", it)


def test_word_repeat_extra_stop_words_and_applicability() -> None:
    it = WORD_REPEAT_ITEMS[3]
    assert fires("QB307", it)
    assert not fires("QB307", it, **{"extra-stop-words": ["Boundaries"]})
    assert not fires("QB307", mc("Which policy aimed to contain Soviet power?", "Containment", "Détente", "Appeasement", key=[0, 1]))
    assert not fires("QB307", mr("Which policy aimed to contain Soviet power?", "Containment", "Détente", "Appeasement", keys=[0]))


# --- QB308 grammatical-cue -----------------------------------------------------------------------

GRAMMAR_CUE_ITEMS = [
    # Stem ends with "an"; only the key starts with a vowel sound.
    mc(
        "A peer specialist who helps a peer speak up for her rights at a benefits hearing is acting as an",
        "advocate",
        "therapist",
        "sponsor",
        "case manager",
    ),
    # "a" before a blank; every distractor needs "an".
    mc(
        "Naloxone, which reverses an opioid overdose by blocking opioid receptors, is a ________.",
        "competitive antagonist",
        "opioid agonist",
        "anticonvulsant",
        "analgesic",
    ),
    # Plural verb in a completion stem: only the key is plural.
    mc(
        "Organisms that make their own food from sunlight are called",
        "a heterotroph",
        "autotrophs",
        "a decomposer",
        "a consumer",
        key=1,
    ),
    # Singular verb: only the key is singular.
    mc(
        "The organelle that modifies and packages proteins for export is",
        "the Golgi apparatus",
        "ribosomes",
        "lysosomes",
        "vacuoles",
    ),
    # Initialisms take the article of their first letter's name.
    mc("A test that images soft tissue with magnets and radio waves is an", "MRI", "CT scan", "PET scan", "bone scan"),
]


@pytest.mark.parametrize("it", GRAMMAR_CUE_ITEMS)
def test_grammatical_cue_fires(it: Item) -> None:
    assert fires("QB308", it)


def test_grammatical_cue_points_at_the_stem() -> None:
    [v] = run_rule("QB308", GRAMMAR_CUE_ITEMS[0])
    assert v.path == ("stem",)
    assert "'an'" in v.message and "option 1" in v.message
    [v] = run_rule("QB308", GRAMMAR_CUE_ITEMS[2])
    assert "plural" in v.message and "option 2" in v.message


GRAMMAR_CUE_NEAR_MISSES = [
    # Neutral article forms.
    mc("A peer who speaks up for another at a hearing is acting as a(n)", "advocate", "therapist", "sponsor"),
    mc("A peer who speaks up for another at a hearing is acting as a/an ___", "advocate", "therapist", "sponsor"),
    # Every option agrees with the article.
    mc(
        "At a ___ plate boundary, two plates move apart.",
        "divergent",
        "convergent",
        "transform",
        "subduction",
    ),
    # A distractor agrees too.
    mc("A sustained fall in the general price level is called an", "deflation", "inflation", "recession", "boom"),
    # Question-form stem: the plural verb is conventional, even with "All of the above" as key.
    mc(
        "Which of these phrases are examples of person-first language?",
        "Person with schizophrenia",
        "Person in recovery",
        "All of the above",
        key=2,
    ),
    # Completion stem where options share the key's number.
    mc("The chambers that pump blood out of the heart are the", "ventricles", "atria", "valves"),
    # Article mid-stem with options that bring their own article.
    mc("Peer support is best described as an", "a relationship of equals", "a clinical service", "an expert consultation"),
    # Unclassifiable option (coordination): uncertainty never fires.
    mc("Organisms that make their own food are", "plants and algae", "a fungus", "a bacterium"),
]


@pytest.mark.parametrize("it", GRAMMAR_CUE_NEAR_MISSES)
def test_grammatical_cue_near_misses(it: Item) -> None:
    assert not fires("QB308", it)


def test_grammatical_cue_single_key_only() -> None:
    stem = "A peer specialist who speaks up for a peer's rights is acting as an"
    assert not fires("QB308", mc(stem, "advocate", "therapist", "sponsor", key=[0, 1]))
    assert not fires("QB308", mr(stem, "advocate", "therapist", "sponsor", keys=[0]))


# --- QB310 unordered-numeric-options -------------------------------------------------------------

UNORDERED_ITEMS = [
    mc("In what year did the French Revolution begin?", "1848", "1789", "1917", "1871", key=1),
    mc("What is the monthly rent after a 20% increase on $1,000?", "$1,200", "$950", "$2,400", "$1,020"),
    mc("At what rate should 1,000 mL infuse over 8 hours?", "40 mL/hr", "125 mL/hr", "83 mL/hr", "100 mL/hr", key=1),
    mc("What fraction of offspring of two carriers is affected?", "1/4", "1/2", "1/8", "3/4"),
    mc("What was the unemployment rate?", "5.2%", "4.8%", "6.1%", "3.9%"),
    mc("What is the change in temperature?", "-3 °C", "+2 °C", "-8 °C", "0 °C", key=2),
    mc("What was the deficit?", "$1.2 million", "$850,000", "$2 million"),
    mr("Which doses fall in the safe range (mg)?", "250", "125", "500", "375", keys=[0, 1]),
]


@pytest.mark.parametrize("it", UNORDERED_ITEMS)
def test_unordered_numeric_options_fires(it: Item) -> None:
    assert fires("QB310", it)


def test_unordered_numeric_options_points_at_options_and_suggests_order() -> None:
    [v] = run_rule("QB310", UNORDERED_ITEMS[0])
    assert v.path == ("options",)
    assert "1789, 1848, 1871, 1917" in v.message


UNORDERED_NEAR_MISSES = [
    mc("What is the probability of two sixes?", "1/36", "1/12", "1/6", "1/3"),
    mc("How many peers attended?", "40", "30", "20", "10"),
    mc("What is the dose?", "0.5 mL", "1 mL", "1 mL", "2 mL"),  # ties are allowed
    mc("At which stage is the tumour?", "Stage 3", "1", "4", "2"),
    mc("When does the shift change?", "3:00 a.m.", "7:00 a.m.", "11:00 p.m.", "1:00 p.m."),
    mc("How many unpaired electrons?", "None", "2", "1", "3"),
    mc("Which place did she finish?", "third", "first", "fourth"),
    mc("Which dose is safe?", "500 mg", "1 g", "250 mg"),  # mixed units: not comparable as written
    mc("Which range is normal?", "10-20", "5-10", "20-40"),
    mc("Which ratio?", "3:1", "1:2", "2:1"),
    mc("Pick one.", "20", "10"),  # two values are always ordered
]


@pytest.mark.parametrize("it", UNORDERED_NEAR_MISSES)
def test_unordered_numeric_options_near_misses(it: Item) -> None:
    assert not fires("QB310", it)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("97", (97.0, "")),
        ("-3", (-3.0, "")),
        ("$1,200", (1200.0, "$")),
        ("1/36", (1 / 36, "")),
        ("25%", (25.0, "%")),
        ("120 mEq/hr", (120.0, "meq/hr")),
        ("80 beats/min", (80.0, "beats/min")),
        ("3.5 million", (3.5e6, "")),
        ("15 points", (15.0, "point")),
        ("6.02 × 10^23", (6.02e23, "")),
        ("`42`", None),
        ("Stage 3", None),
        ("3:00 a.m.", None),
        ("3 p.m.", None),
        ("3rd", None),
        ("2 to 3 liters", None),
        ("about 40", None),
    ],
)
def test_parse_quantity(text: str, expected: Any) -> None:
    got = parse_quantity(text)
    if expected is None:
        assert got is None
    else:
        assert got is not None and got[1] == expected[1] and got[0] == pytest.approx(expected[0])


# --- QB313 true-false-options --------------------------------------------------------------------

TRUE_FALSE_ITEMS = [
    mc("True or false: Peer specialists may share their own recovery story.", "True", "False"),
    mc("Is naloxone effective against a benzodiazepine overdose?", "Yes", "No", key=1),
    mc(
        "Which of the following statements about peer support is true?",
        "Peer specialists draw on their own lived experience of recovery",
        "Confidentiality rules do not apply to peer conversations",
        "Recovery requires the complete absence of symptoms",
        "Supervisors are not allowed to discuss boundaries",
    ),
    mc(
        "A client starts lithium therapy. Which statement about lithium is incorrect?",
        "It has a narrow therapeutic range",
        "Dehydration can raise serum levels",
        "Levels are checked with regular blood tests",
        "Sodium restriction lowers the risk of toxicity",
        key=3,
    ),
    mc(
        "Harm reduction:",
        "Naloxone kits are given to people who use opioids",
        "Abstinence must come before housing",
        "Syringe programs can lower HIV transmission",
        "Peer workers should report drug use to police",
    ),
    mr(
        "Which of the following statements about WRAP are true? Select all that apply.",
        "The plan is written by the person who will use it",
        "A clinician must approve each section",
        "Early warning signs are paired with action plans",
        "The crisis plan can name supporters",
        keys=[0, 2, 3],
    ),
]


# Under a lead-in that names nothing ("Which of the following is true?"): reported by default.
UNFOCUSED_CLAIMS = mc(
    "Which of the following is true?",
    "Peer specialists draw on their own lived experience of recovery",
    "Confidentiality rules do not apply to peer conversations",
    "Recovery requires the complete absence of symptoms",
    "Supervisors are not allowed to discuss boundaries",
)
# Items whose lead-in names a topic (or follows a scenario): the options are claims about one focus,
# judged only with named-topic = true (the labelled sets' reading; real-bank reviewers disagreed).
NAMED_TOPIC = {2, 3, 5}


@pytest.mark.parametrize("index", range(len(TRUE_FALSE_ITEMS)))
def test_true_false_options_fires(index: int) -> None:
    it = TRUE_FALSE_ITEMS[index]
    assert fires("QB313", it, **{"named-topic": True})
    assert fires("QB313", it) is (index not in NAMED_TOPIC)


def test_true_false_options_fires_under_a_lead_in_that_names_nothing() -> None:
    assert fires("QB313", UNFOCUSED_CLAIMS)


def test_true_false_options_points_at_options() -> None:
    [v] = run_rule("QB313", TRUE_FALSE_ITEMS[0])
    assert v.path == ("options",) and "true_false" in v.message
    [v] = run_rule("QB313", UNFOCUSED_CLAIMS)
    assert v.path == ("options",) and "separate claim" in v.message


TRUE_FALSE_NEAR_MISSES = [
    # Parallel answers to one focused question, even though they are sentences.
    mc(
        "A peer says she wants to quit her job. What is the most helpful response?",
        "You could list what matters most to you about the job",
        "You should quit right away",
        "Your employer will not miss you",
    ),
    mc(
        "What must be true of an array before binary search can be used?",
        "It must be sorted",
        "It must contain unique values",
        "Its length must be a power of two",
    ),
    # Two-option category choice.
    mc("'Her words were daggers' is an example of which figure of speech?", "Metaphor", "Simile"),
    # A truth lead-in over short noun phrases: not claims.
    mc("Which of the following is correct about erythrocytes?", "Biconcave shape", "Large nucleus", "Rapid division"),
    # Not literally True/False.
    mc("Is the statement supported?", "True", "False", "Cannot be determined"),
    # Quoted client statements answer one question about understanding.
    mc(
        "Which statement by the client is correct?",
        '"I will take lithium with plenty of water."',
        '"I can cut salt out of my diet."',
        '"I only need blood tests if I feel sick."',
    ),
    # A truth lead-in over parallel claims about one facet (which measure is greater).
    mc(
        "Which of the following is true about the mean and median of a right-skewed distribution?",
        "The mean is greater than the median",
        "The median is greater than the mean",
        "The mode is greater than both",
    ),
    # Focused "Which of the following ..." with sentence options.
    mc(
        "Which of the following best describes mutuality in peer support?",
        "Both people learn from the relationship",
        "The specialist is the expert",
        "The peer follows the treatment plan",
    ),
]


@pytest.mark.parametrize("it", TRUE_FALSE_NEAR_MISSES)
def test_true_false_options_near_misses(it: Item) -> None:
    assert not fires("QB313", it)


# --- shared helpers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "article"),
    [("advocate", "an"), ("therapist", "a"), ("hour", "an"), ("unit", "a"), ("umbrella", "an"), ("MRI", "an"),
     ("NATO", "a"), ("SAMHSA", "a"), ("8", "an"), ("European", "a"), ("one-time", "a"), ("mRNA", None)],
)
def test_indefinite_article(word: str, article: str | None) -> None:
    assert indefinite_article(word) == article


@pytest.mark.parametrize(
    ("a", "b", "related"),
    [("contain", "Containment", True), ("India", "Indian", True), ("commit", "commit", True),
     ("convened", "Convention", True), ("Mexico", "Mexican", True), ("diagnosis", "diagnostic", True),
     ("pain", "paint", False), ("experience", "expert", False), ("police", "policies", False),
     ("general", "generate", False)],
)
def test_same_family(a: str, b: str, related: bool) -> None:
    assert same_family(a, b) is related


@pytest.mark.parametrize(
    ("phrase", "number"),
    [("autotrophs", "plural"), ("a heterotroph", "singular"), ("members of the board", "plural"),
     ("the mitochondria", "plural"), ("stimulus", "singular"), ("clear and convincing evidence", None)],
)
def test_noun_number(phrase: str, number: str | None) -> None:
    assert noun_number(phrase) == number


# --- documentation examples ------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["QB305", "QB307", "QB308", "QB310", "QB313"])
def test_doc_examples_behave_as_documented(code: str) -> None:
    """The flawed snippet in each rule's doc fires and the fixed one does not."""
    from qbank.loader import LoadResult, load_text

    rule = find_rule(code)
    assert rule is not None
    for snippet, expected in ((rule.doc.bad, True), (rule.doc.good, False)):
        result = LoadResult()
        load_text(f"id: doc\ntype: multiple_choice\nexplanation: Why.\n{snippet}", "doc.yaml", result)
        assert not result.problems, result.problems
        [entry] = result.items
        assert bool(list(rule.check(entry.item, rule.defaults()))) is expected, snippet
