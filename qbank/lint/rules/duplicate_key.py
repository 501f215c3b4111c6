from qbank.lint.base import RuleDoc
from qbank.lint.rules._input import InputRule


class DuplicateKey(InputRule):
    code = "QB004"
    name = "duplicate-key"
    summary = "A YAML mapping defines the same key twice."
    doc = RuleDoc(
        what="Reports a key that appears twice in one mapping, such as two `explanation:` lines in one item "
        "or two `rationale:` lines in one option.",
        why="Most YAML loaders keep only the last value without a word, so half of the author's text "
        "vanishes. qbank keeps the first value and reports the second so nothing is lost silently.",
        bad="explanation: Empathy builds trust.\nexplanation: Listening shows respect.\n",
        good="explanation: |\n  Empathy builds trust.\n  Listening shows respect.\n",
    )
