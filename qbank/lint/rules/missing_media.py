from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from qbank.lint.base import Rule, RuleDoc, Severity, Violation
from qbank.markup import media_refs
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
        "exist. URLs, `data:` URIs and `#anchors` are not checked (qbank never goes online).",
        why="Exports package the referenced files. A missing image becomes a broken picture in the LMS, "
        "and a question about a diagram that is not there cannot be answered.",
        bad="stem: |\n  Which stage of change does this chart show?\n\n  ![Readiness ruler at 3](img/ruler.png)   # file not committed\n",
        good="stem: |\n  Which stage of change does this chart show?\n\n  ![Readiness ruler at 3](media/readiness-ruler.png)   # exists next to the item\n",
    )

    def check_entry(self, entry: LoadedItem, opts: Mapping[str, Any]) -> Iterable[Violation]:
        folder = (entry.source or Path(entry.file)).parent
        for path, text in text_fields(entry.item, markdown_only=True):
            for ref in media_refs(text):
                if not ref.is_local:
                    continue
                target = Path(ref.local_path)
                resolved = target if target.is_absolute() else folder / target
                if not resolved.is_file():
                    kind = "image" if ref.is_image else "linked file"
                    yield Violation(
                        f"{kind} '{ref.src}' does not exist; "
                        "add the file or fix the path (paths are relative to the item's YAML file)",
                        path,
                    )
