from __future__ import annotations

from typing import Any, Iterable, Mapping

from qbank.chars import BIDI_CONTROLS, BOM, C1_CONTROLS, SOFT_HYPHEN, ZWJ, ZWNJ, invisible_characters, parse_code_point
from qbank.lint.base import Rule, RuleDoc, RuleOption, Severity, Violation
from qbank.lint.rules._characters import joined, located
from qbank.model import Item, text_fields


class InvisibleCharacters(Rule):
    code = "QB505"
    name = "invisible-characters"
    summary = "Text contains invisible characters: soft hyphens, zero-width characters, bidi or C1 controls."
    severity = Severity.WARNING
    options = (
        RuleOption(
            "allow",
            [],
            "Code points to accept, written like U+200D (for example the zero-width joiner in emoji "
            "sequences or the zero-width non-joiner in Persian).",
        ),
    )
    doc = RuleDoc(
        what="Reports characters a reader cannot see: U+00AD SOFT HYPHEN, U+200B ZERO WIDTH "
        "SPACE, U+200C ZERO WIDTH NON-JOINER, U+200D ZERO WIDTH JOINER, U+2060 WORD JOINER, U+FEFF "
        "(a byte-order mark inside text), U+180E MONGOLIAN VOWEL SEPARATOR, the bidirectional "
        "embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), and DEL and the C1 "
        "control characters (U+007F-U+009F). Every text field is checked, tags and references "
        "included. Exports keep these characters: XML carries them.",
        why="They are nearly always pasted in by accident, from Word (soft hyphens), web pages and PDF "
        "files (zero-width spaces), or from text decoded with the wrong encoding (C1 controls, such "
        "as U+0092 where Windows-1252 meant a curly apostrophe). Invisible in review, they make two "
        "options that look identical compare different, can stop an accepted short answer from "
        "matching what a student types, and break searching the bank; bidirectional controls can make "
        "text display in a different order from how it is stored.",
        bad='stem: "Which stage of change comes after contem\\u00adplation?"   # soft hyphen\n',
        good="stem: Which stage of change comes after contemplation?\n",
        notes="A warning, not an error: the item still exports, with the characters kept. Scripts "
        "that need a joiner (the zero-width non-joiner in Persian, the zero-width joiner in emoji "
        "sequences and Indic scripts) can list it in `allow`. U+00A0 NO-BREAK SPACE is not reported "
        "(it is ordinary typography), nor are the bidirectional marks U+200E, U+200F and U+061C that "
        "right-to-left text needs. Characters that XML cannot carry at all are invalid-characters "
        "(QB503) errors.",
    )

    def check(self, item: Item, opts: Mapping[str, Any]) -> Iterable[Violation]:
        allowed = {parse_code_point(c) for c in opts.get("allow", [])}
        for path, text in text_fields(item):
            found = [(i, ch) for i, ch in invisible_characters(text) if ch not in allowed]
            if not found:
                continue
            distinct = list(dict.fromkeys(ch for _, ch in found))
            hints = list(dict.fromkeys(h for h in map(_hint, distinct[:3]) if h))
            it = "it" if len(distinct) == 1 else "them"
            advice = f" ({'; '.join(hints)})" if hints else ""
            yield Violation(f"contains {joined(located(text, found))}; delete {it}{advice}", path)


def _hint(ch: str) -> str:
    if ch == SOFT_HYPHEN:
        return "a soft hyphen is an invisible hyphenation hint, usually pasted from Word"
    if ch in (ZWJ, ZWNJ):
        return f"if the script or an emoji sequence needs it, add U+{ord(ch):04X} to the rule's allow option"
    if ch == BOM:
        return "a byte-order mark belongs at the start of a file, not inside text"
    if ch in BIDI_CONTROLS:
        return "bidirectional controls make text display in a different order from how it is stored"
    if ch in C1_CONTROLS:
        try:
            meant = bytes([ord(ch)]).decode("cp1252")
        except UnicodeDecodeError:
            return ""
        return f"U+{ord(ch):04X} usually stands for '{meant}' in Windows-1252 text read with the wrong encoding; type '{meant}' if that was meant"
    return ""
