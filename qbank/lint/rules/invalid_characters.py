from __future__ import annotations

import re
import unicodedata
from typing import Any, Iterable, Mapping

from qbank.lint.base import Rule, RuleDoc, RuleOption, Severity, Violation
from qbank.model import Item, text_fields

# Invisible characters that change nothing a reader can see but break search, comparison and
# exports: zero-width space/joiners, word joiner, byte-order mark, soft hyphen, bidi controls.
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# XML 1.0 allows #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
_BAD = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff" + _INVISIBLE + "]"
)


def describe_char(ch: str) -> str:
    name = unicodedata.name(ch, "")
    if not name:
        name = "control character" if ord(ch) < 0xA0 else "non-character"
    return f"U+{ord(ch):04X} {name}".rstrip()


class InvalidCharacters(Rule):
    code = "QB503"
    name = "invalid-characters"
    summary = "Text contains control, zero-width or other characters that XML 1.0 cannot carry."
    severity = Severity.ERROR
    options = (
        RuleOption(
            "allow",
            [],
            "Code points to accept, written like U+200D (for example the zero-width joiner in emoji or "
            "the zero-width non-joiner in Persian).",
        ),
    )
    doc = RuleDoc(
        what="Reports control characters (other than tab and newline), characters that XML 1.0 forbids "
        "(surrogates, U+FFFE, U+FFFF), and invisible formatting characters: zero-width space and "
        "joiners, word joiner, byte-order mark, soft hyphen and bidirectional controls. Every text "
        "field is checked, tags and references included.",
        why="QTI and Moodle XML files that contain a forbidden character fail to import as a whole. "
        "Invisible characters, usually pasted from word processors or PDFs, make two options look "
        "identical while comparing different, and bidirectional controls can make text read "
        "differently from how it is stored.",
        bad='stem: "Which stage of change\\u200b comes after contemplation?"   # zero-width space\n',
        good="stem: Which stage of change comes after contemplation?\n",
    )

    def check(self, item: Item, opts: Mapping[str, Any]) -> Iterable[Violation]:
        allowed = {_parse_cp(c) for c in opts.get("allow", [])}
        for path, text in text_fields(item):
            found = [m.group(0) for m in _BAD.finditer(text) if m.group(0) not in allowed]
            if found:
                unique = sorted(set(found), key=found.index)
                names = ", ".join(describe_char(c) for c in unique[:3])
                more = f" and {len(unique) - 3} more" if len(unique) > 3 else ""
                yield Violation(f"contains {names}{more}; delete it or retype the text", path)


def _parse_cp(value: str) -> str:
    value = value.strip().upper().removeprefix("U+")
    try:
        return chr(int(value, 16))
    except ValueError:
        return value
