from __future__ import annotations

from typing import Any, Iterable, Mapping

from qbank.lint.base import Rule, RuleDoc, Severity, Violation
from qbank.model import Item, MultipleChoice, MultipleResponse, text_fields
from qbank.text import is_blank

# Blank explanations are QB201's finding, and blank distractor rationales QB202's: each problem is
# reported once, by the rule that owns it.
_OWNED_ELSEWHERE = {"explanation"}


class EmptyText(Rule):
    code = "QB504"
    name = "empty-text"
    summary = "A stem, option, rationale or other text field is present but empty."
    severity = Severity.ERROR
    doc = RuleDoc(
        what="Reports text fields that are present but empty or only whitespace: the stem, an option's "
        "text, a key's rationale, true/false feedback, accepted short answers, matching prompts, "
        "matches and distractors, essay guidance and the title. An empty distractor rationale is "
        "reported by QB202 and an empty explanation by QB201 instead.",
        why="An empty option is still a choice the student can pick, an empty stem is a question "
        "without a question, and an empty accepted answer makes every blank response correct. "
        "LMS imports either reject such items or import something nobody can answer.",
        bad="options:\n  - text: Active listening and empathy\n    correct: true\n    rationale: ''\n  - text: ' '\n    rationale: Placeholder.\n",
        good="options:\n  - text: Active listening and empathy\n    correct: true\n    rationale: Empathy builds trust.\n  - text: Indifference\n    rationale: Indifference makes clients withdraw.\n",
    )

    def check(self, item: Item, opts: Mapping[str, Any]) -> Iterable[Violation]:
        for path, text in text_fields(item):
            if path[0] in _OWNED_ELSEWHERE or path[0] in ("tags", "objectives", "references", "author"):
                continue
            if path[-1] == "rationale" and isinstance(item, (MultipleChoice, MultipleResponse)):
                if not item.options[path[1]].correct:  # type: ignore[index]
                    continue
            if is_blank(text):
                yield Violation(f"{_label(path)} is empty; write it or remove the field", path)


def _label(path: tuple[str | int, ...]) -> str:
    parts = []
    for p in path:
        parts.append(f"{p + 1}" if isinstance(p, int) else str(p).replace("_", " "))
    text = " ".join(parts)
    return text.replace("options ", "option ").replace("pairs ", "pair ").replace("answers ", "answer ").replace("distractors ", "distractor ")
