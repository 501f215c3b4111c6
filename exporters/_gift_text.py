"""How text must be written so that Moodle's GIFT reader gives back exactly what the author wrote.

Everything here follows Moodle's reader (``question/format/gift/format.php``) and was checked against
the independent gift-pegjs parser:

* The reader first turns ``\\\\`` into a placeholder, then ``\\:`` ``\\#`` ``\\=`` ``\\{`` ``\\}``
  ``\\~`` and the two characters ``\\n``, then restores the placeholder to one backslash. So every
  backslash is doubled and each of ``~ = # { } :`` gets one backslash; the order does not matter
  because each character maps on its own.
* A blank line ends a question (the reader splits the file on lines that are empty after trimming),
  so a newline inside text is written as backslash-n, which the reader turns back into a newline.
  No question ever spans a blank line, and no text ever starts a physical line (where ``//`` would
  make it a comment).
* A field that starts with ``[moodle]``, ``[html]``, ``[plain]`` or ``[markdown]`` has that marker
  taken as its text format. Text that really starts with one gets an explicit ``[markdown]`` in front.
* Both readers trim every field, so fields are trimmed here too and compared trimmed.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from html.parser import HTMLParser

from qbank.markup import _INLINE, _REF_DEF, _REF_USE, _TAG, MediaRef
from qbank.text import code_regions

MARKDOWN = "[markdown]"
FORMAT_MARKERS = ("[moodle]", "[html]", "[plain]", "[markdown]")

_ESCAPES = str.maketrans(
    {"\\": "\\\\", "~": "\\~", "=": "\\=", "#": "\\#", "{": "\\{", "}": "\\}", ":": "\\:", "\n": "\\n"}
)
_WS = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Unix newlines, trimmed: what both readers keep of a field."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def escape(text: str) -> str:
    """``text`` as GIFT characters: specials escaped, newlines as backslash-n (never a real newline)."""
    return normalise(text).translate(_ESCAPES)


def one_line(text: str) -> str:
    """Plain text for places that are one line by nature (question names, category names, tags)."""
    return _WS.sub(" ", text).strip()


def stem(text: str) -> str:
    """The question text, written right after qbank's own ``[markdown]``: a marker in it is text."""
    return escape(text)


def rich(text: str) -> str:
    """A Markdown field: a leading format marker that is really text is kept as text."""
    text = normalise(text)
    if text.startswith(FORMAT_MARKERS):
        text = MARKDOWN + text
    return escape(text)


def choice_text(text: str) -> str:
    """An answer of a choice question.

    Moodle reads ``%50%`` at the start of a ``~`` answer as its weight, and gift-pegjs does so after
    ``=`` too (and rejects ``%abc%``). Text that really starts with ``%`` gets its first ``%`` as the
    HTML character reference ``&#37;``, which Markdown shows as ``%``.
    """
    text = normalise(text)
    if text.startswith("%"):
        text = "&#37;" + text[1:]
    return rich(text)


def without_arrows(markdown: str) -> tuple[str, bool]:
    """``->`` written as Markdown's ``-\\>``, which renders the same outside code.

    ``->`` ends a matching prompt in both readers, and after a ``=`` answer gift-pegjs reads a
    matching pair. The second value is True when an arrow sat inside code, where the backslash shows.
    """
    if "->" not in markdown:
        return markdown, False
    masked = _masked(markdown)
    in_code = any(masked[m.start()] == "\0" for m in re.finditer("->", markdown))
    return markdown.replace("->", "-\\>"), in_code


def short_answer(text: str) -> str:
    """An accepted short answer, after ``=``.

    Moodle's short-answer grading reads ``*`` as a wildcard and ``\\*`` as a literal star; answers
    are literal text, so every ``*`` is escaped. A leading ``%`` would be read as a weight, so such
    an answer gets an explicit ``%100%`` first.
    """
    text = normalise(text).replace("*", "\\*")
    prefix = "%100%" if text.startswith("%") else ""
    return prefix + rich(text)


def plain(text: str) -> str:
    """Plain text that neither reader checks for a format marker (matching answers)."""
    return escape(text)


# --- images and linked files: GIFT cannot carry files ------------------------------------------------


@dataclass(frozen=True, slots=True)
class Replaced:
    """A local file reference that was taken out of the text, and what stands in its place."""

    ref: MediaRef
    written: str


class _ImgAttrs(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.attrs: dict[str, str | None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.attrs = dict(attrs)

    handle_startendtag = handle_starttag


def image_placeholder(alt: str | None, src: str) -> str:
    """What a reader sees instead of an image: its alt text (else its file name) in brackets."""
    label = one_line(alt or "") or os.path.basename(src.replace("\\", "/")) or "image"
    return f"[image: {label}]"


def _masked(text: str) -> str:
    """``text`` with code (fences and spans) overwritten in place, so offsets still match ``text``."""
    out: list[str] = []
    done = 0
    for start, end, _ in code_regions(text):
        out.append(text[done:start])
        out.append("\0" * (end - start))
        done = end
    out.append(text[done:])
    return "".join(out)


def replace_local_media(markdown: str) -> tuple[str, list[Replaced]]:
    """Local images become ``[image: alt]`` and local links their link text; code is left alone.

    External images and links (``https:``, ``data:``) stay: Moodle shows them from where they are.
    HTML tags other than ``<img>`` that point at local files are not rewritten; the caller warns
    about every local reference anyway (see :func:`qbank.markup.media_refs`).
    """
    masked = _masked(markdown)
    if "[" not in masked and "<" not in masked:
        return markdown, []
    edits: list[tuple[int, int, Replaced]] = []

    def add(start: int, end: int, src: str, alt: str | None, is_image: bool, link_text: str) -> None:
        ref = MediaRef(src, alt, is_image)
        if not ref.is_local:
            return
        written = image_placeholder(alt, ref.local_path) if is_image else link_text
        edits.append((start, end, Replaced(ref, written)))

    for m in _INLINE.finditer(masked):
        alt = markdown[m.start("alt") : m.end("alt")]
        src_start, src_end = _src_span(m)
        add(m.start(), m.end(), markdown[src_start:src_end], alt, bool(m.group("bang")), alt)
    if "]:" in masked:
        defs = {m.group("ref").casefold(): m.group("src") for m in _REF_DEF.finditer(masked)}
        for m in _REF_USE.finditer(masked):
            alt = markdown[m.start("alt") : m.end("alt")]
            key = (m.group("ref") or m.group("alt")).casefold()
            if key in defs:
                add(m.start(), m.end(), defs[key], alt, bool(m.group("bang")), alt)
    for m in _TAG.finditer(masked):
        if m.group(1).lower() != "img":
            continue
        parser = _ImgAttrs()
        parser.feed(markdown[m.start() : m.end()])
        parser.close()
        add(m.start(), m.end(), parser.attrs.get("src") or "", parser.attrs.get("alt"), True, "")
    return _apply(markdown, edits)


def _src_span(m: re.Match[str]) -> tuple[int, int]:
    group = "src1" if m.group("src1") is not None else "src2"
    return m.start(group), m.end(group)


def _apply(text: str, edits: list[tuple[int, int, Replaced]]) -> tuple[str, list[Replaced]]:
    out: list[str] = []
    done: list[Replaced] = []
    pos = 0
    for start, end, replaced in sorted(edits, key=lambda e: (e[0], -e[1])):
        if start < pos:  # inside an edit already made (an image inside a link)
            continue
        out.append(text[pos:start])
        out.append(replaced.written)
        done.append(replaced)
        pos = end
    out.append(text[pos:])
    return "".join(out), done
