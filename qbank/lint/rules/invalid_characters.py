from __future__ import annotations

from typing import Any, Iterable, Mapping

from qbank.chars import NOT_XML
from qbank.lint.base import Rule, RuleDoc, Severity, Violation
from qbank.lint.rules._characters import joined, located
from qbank.model import Item, text_fields


class InvalidCharacters(Rule):
    code = "QB503"
    name = "invalid-characters"
    summary = "Text contains control characters or other code points that XML 1.0 cannot carry."
    severity = Severity.ERROR
    # Until QB505 existed this rule also reported invisible characters and took an `allow` list for
    # them. Nothing XML cannot carry can be allowed, so the option moved with the characters.
    moved_options = {
        "allow": "the characters it could allow are now reported by invisible-characters (QB505); "
        "move the list to rules.invisible-characters",
    }
    doc = RuleDoc(
        what="Reports the characters that XML 1.0 cannot carry at all: control characters other than "
        "tab, line feed and carriage return (U+0000-U+0008, U+000B, U+000C, U+000E-U+001F), lone "
        "surrogates (U+D800-U+DFFF) and the non-characters U+FFFE and U+FFFF. Every text field is "
        "checked, tags and references included. This is exactly the set the Moodle XML, Canvas and "
        "QTI exporters would have to remove. Invisible characters that XML can carry (soft hyphen, "
        "zero-width characters, bidirectional controls, C1 controls) are invisible-characters "
        "(QB505) findings, which are warnings.",
        why="An XML document that contains one of these characters is not well-formed, so an LMS "
        "rejects the whole file, not just the item. qbank's exporters could only drop the character "
        "(which changes the text), so `qbank export` refuses to run while one is present. They "
        "usually come from text pasted out of terminals, old word processors or PDF files (a form "
        "feed between pages, a bell or an escape character).",
        bad='stem: "Which stage of change\\a comes after contemplation?"   # \\a is U+0007, the bell control\n',
        good="stem: Which stage of change comes after contemplation?\n",
        notes="Characters such as U+0007 can only get into a YAML file as an escape in a double-quoted "
        "string (`\\a`, `\\x07`, `\\u0007`); YAML refuses them written as they are. There is no "
        "`allow` option, since no setting makes an XML file carry them; a configuration that still "
        "sets the `allow` this rule had before invisible-characters (QB505) existed is refused with "
        "a pointer to that rule.",
    )

    def check(self, item: Item, opts: Mapping[str, Any]) -> Iterable[Violation]:
        for path, text in text_fields(item):
            found = [(m.start(), m.group(0)) for m in NOT_XML.finditer(text)]
            if found:
                it = "it" if len({ch for _, ch in found}) == 1 else "them"
                yield Violation(
                    f"contains {joined(located(text, found))}, which XML 1.0 cannot carry; delete {it} or retype the text",
                    path,
                )
