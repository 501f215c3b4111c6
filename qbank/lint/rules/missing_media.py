from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from qbank.lint.base import Rule, RuleDoc, Severity, Violation
from qbank.markup import media_refs
from qbank.media import locate
from qbank.model import text_fields

if TYPE_CHECKING:
    from qbank.loader import LoadedItem


class MissingMedia(Rule):
    code = "QB501"
    name = "missing-media"
    summary = "An item refers to an image or file that does not exist."
    severity = Severity.ERROR
    cacheable = False  # a referenced file can appear or vanish while the item file stays the same
    doc = RuleDoc(
        what="Resolves every local image (`![alt](path)`, `<img src>`) and linked file (`[text](path)`) "
        "in an item's Markdown relative to the item's own YAML file, and reports those that do not "
        "exist, are absolute paths, or lead outside the bank (above the folder with qbank.toml, "
        "pyproject.toml or .git, symbolic links included). URLs, `data:` URIs and `#anchors` are not "
        "checked (qbank never goes online).",
        why="Exports package the referenced files. A missing image becomes a broken picture in the LMS, "
        "and a question about a diagram that is not there cannot be answered. A path out of the bank "
        "would copy a file that is not part of it (a key, a private document) into a zip that gets "
        "shared, so qbank refuses it.",
        bad="stem: |\n  Which stage of change does this chart show?\n\n  ![Readiness ruler at 3](img/ruler.png)   # file not committed\n",
        good="stem: |\n  Which stage of change does this chart show?\n\n  ![Readiness ruler at 3](media/readiness-ruler.png)   # exists next to the item\n",
    )

    def check_entry(self, entry: LoadedItem, opts: Mapping[str, Any]) -> Iterable[Violation]:
        folder = (entry.source or Path(entry.file)).parent
        for path, text in text_fields(entry.item, markdown_only=True):
            for ref in media_refs(text):
                if not ref.is_local:
                    continue
                found = locate(folder, ref.local_path)
                if found.problem is not None:
                    kind = "image" if ref.is_image else "linked file"
                    yield Violation(f"{kind} '{ref.src}' {found.problem}", path)
