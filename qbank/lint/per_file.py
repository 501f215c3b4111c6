"""Per-file ignores: ``[per-file-ignores]`` turns rules off for the files a glob matches (ruff's idea).

Glob semantics (the same for ``qbank.toml`` and ``[tool.qbank.per-file-ignores]``):

* A pattern is matched against the file's path relative to the folder of the configuration file
  (the current folder when there is none), with ``/`` separators, whatever folder qbank runs from
  and however the file was named on the command line (relative, absolute, through a symbolic link).
* ``*`` matches any run of characters within one path segment, ``?`` one character, ``[abc]`` /
  ``[!abc]`` one character of (not of) a set, ``{a,b}`` either alternative. None of them match ``/``.
* ``**`` as a whole segment matches any number of folders: ``legacy/**`` is everything below
  ``legacy/``, ``**/draft-*.yaml`` a draft file at any depth (the top folder included), and
  ``legacy/**/*.yaml`` a YAML file anywhere below ``legacy/``. Elsewhere ``**`` is a plain ``*``.
* A pattern with a ``/`` matches the whole relative path (``legacy/*.yaml`` does not match
  ``old/legacy/a.yaml``); a trailing ``/`` means everything below the folder (``legacy/`` is
  ``legacy/**``) and a leading ``./`` anchors a name to the top folder (``./draft.yaml``).
* A pattern without a ``/`` matches the file's name or the name of any folder on its relative path,
  at any depth: ``*.gen.yaml`` matches ``a/b/x.gen.yaml``, and ``imported`` everything under any
  folder called ``imported`` (as the ``exclude`` setting and ``.gitignore`` do).
* A file outside the configuration's folder has no relative path: only patterns without a ``/``
  can match it, and only by its file name.

``fnmatch`` is not used because its ``*`` crosses ``/`` (``legacy/*`` would match
``legacy/a/b.yaml``), and ``PurePath.full_match`` needs Python 3.13.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Iterable, Sequence

from qbank.lint.registry import expand_selector, find_rule

UNREADABLE_RULES = frozenset({"QB001", "QB002"})
"""Findings that mean qbank could not read a file (QB001 yaml-syntax) or an item (QB002
schema-violation) at all, so no other rule looked at it. A per-file ignore drops them only when it
names the rule itself (``"QB001"`` or ``"yaml-syntax"``): ``ALL`` or a prefix such as ``QB`` or
``QB0`` quiets a folder's style findings but never hides that some of its items were not checked."""

_EMPTY: frozenset[str] = frozenset()


def glob_to_regex(pattern: str) -> str:
    """The regular expression (for ``fullmatch``) of a path glob; ValueError if it is malformed."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "*":
            j = i
            while j < n and pattern[j] == "*":
                j += 1
            whole_segment = (i == 0 or pattern[i - 1] == "/") and (j == n or pattern[j] == "/")
            if j - i >= 2 and whole_segment:
                if j == n:
                    out.append(".*")  # "x/**": everything below x; "**": everything
                else:
                    out.append("(?:[^/]*/)*")  # "**/": no folder or any number of folders
                    j += 1
            else:
                out.append("[^/]*")
            i = j
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            j = i + 1
            negate = j < n and pattern[j] == "!"
            if negate:
                j += 1
            start = j
            if j < n and pattern[j] == "]":  # a leading ']' is a member, as in fnmatch
                j += 1
            while j < n and pattern[j] != "]":
                j += 1
            if j >= n:
                raise ValueError(f"'[' at position {i + 1} is never closed with ']'")
            members = pattern[start:j]
            if "/" in members:
                raise ValueError("a [set] cannot contain '/'")
            body = "".join(ch if ch == "-" and 0 < k < len(members) - 1 else re.escape(ch) for k, ch in enumerate(members))
            out.append(f"[^/{body}]" if negate else f"(?!/)[{body}]")
            i = j + 1
        elif c == "{":
            depth, j, parts, part_start = 0, i, [], i + 1
            while j < n:
                if pattern[j] == "{":
                    depth += 1
                elif pattern[j] == "}":
                    depth -= 1
                    if depth == 0:
                        break
                elif pattern[j] == "," and depth == 1:
                    parts.append(pattern[part_start:j])
                    part_start = j + 1
                j += 1
            if j >= n:
                raise ValueError(f"'{{' at position {i + 1} is never closed with '}}'")
            parts.append(pattern[part_start:j])
            out.append("(?:" + "|".join(glob_to_regex(p) for p in parts) + ")")
            i = j + 1
        else:
            out.append(re.escape(c))
            i += 1
    return "".join(out)


class FileGlob:
    """One ``[per-file-ignores]`` key, compiled; ValueError with the reason if it cannot be used."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        text = pattern.replace("\\", "/")
        if not text.strip():
            raise ValueError("the pattern is empty")
        if text.startswith("!"):
            raise ValueError("negated patterns ('!…') are not supported")
        if text.startswith("/") or re.match(r"^[A-Za-z]:/", text):
            raise ValueError("the pattern must be relative to the configuration file's folder, not absolute")
        anchored = "/" in text
        while text.startswith("./"):
            text = text[2:]
        if text.endswith("/"):
            text += "**"
        if ".." in text.split("/"):
            raise ValueError("'..' cannot be used: patterns match files inside the configuration file's folder")
        if not text:
            raise ValueError("the pattern names no file")
        self.anchored = anchored
        """Matched against the whole relative path; otherwise against each name on it."""
        self.regex = re.compile(glob_to_regex(text), re.DOTALL)

    def matches(self, relative: str | None, name: str) -> bool:
        """``relative`` is the POSIX path below the root (None outside it); ``name`` the file's name."""
        if self.anchored:
            return relative is not None and self.regex.fullmatch(relative) is not None
        if relative is None:
            return self.regex.fullmatch(name) is not None
        return any(self.regex.fullmatch(part) for part in relative.split("/"))


def expand_codes(selectors: Iterable[str]) -> frozenset[str]:
    """The rule codes a per-file ignore list switches off (see :data:`UNREADABLE_RULES`)."""
    codes: set[str] = set()
    for sel in selectors:
        named = find_rule(sel)
        for rule in expand_selector(sel):
            if rule.code in UNREADABLE_RULES and (named is None or named.code != rule.code):
                continue
            codes.add(rule.code)
    return frozenset(codes)


class PerFileIgnores:
    """Which rule codes to drop for a file, from its path relative to ``root``."""

    def __init__(self, root: Path, entries: Sequence[tuple[FileGlob, frozenset[str]]]) -> None:
        self.root = os.path.abspath(root)
        self._real_root = os.path.realpath(root)
        self.entries = [(glob, codes) for glob, codes in entries if codes]
        self._memo: dict[str, frozenset[str]] = {}

    @classmethod
    def from_table(cls, root: Path, table: dict[str, list[str]]) -> "PerFileIgnores | None":
        """From a validated ``pattern -> selectors`` table; None when it turns nothing off."""
        made = cls(root, [(FileGlob(pattern), expand_codes(selectors)) for pattern, selectors in table.items()])
        return made if made.entries else None

    @staticmethod
    def _below(path: str, root: str) -> str | None:
        prefix = root if root.endswith(os.sep) else root + os.sep
        if not path.startswith(prefix):
            return None
        rest = path[len(prefix):]
        return rest.replace(os.sep, "/") if os.sep != "/" else rest

    def relative(self, path: Path | str) -> str | None:
        """``path`` below the root in POSIX form, or None when it lies outside.

        The lexical absolute path is tried first (no system call); a path that reaches the bank
        through a symbolic link is then resolved.
        """
        absolute = os.path.abspath(path)
        found = self._below(absolute, self.root)
        if found is None:
            found = self._below(os.path.realpath(absolute), self._real_root)
        return found

    def codes_for(self, path: Path | str) -> frozenset[str]:
        """The codes ignored in the file at ``path`` (a real path: absolute, or relative to the cwd)."""
        key = os.path.abspath(path)
        cached = self._memo.get(key)
        if cached is not None:
            return cached
        relative = self.relative(key)
        name = os.path.basename(key)
        codes: frozenset[str] = _EMPTY
        for glob, ignored in self.entries:
            if glob.matches(relative, name):
                codes = codes | ignored
        self._memo[key] = codes
        return codes


__all__ = ["UNREADABLE_RULES", "FileGlob", "PerFileIgnores", "expand_codes", "glob_to_regex"]
