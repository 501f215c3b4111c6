from __future__ import annotations

from typing import Any, Iterable, Mapping

from qbank.lint.base import Rule, RuleDoc, Severity, Violation
from qbank.markup import media_refs
from qbank.model import Item, text_fields


class MissingAltText(Rule):
    code = "QB502"
    name = "missing-alt-text"
    summary = "An image has no alt text."
    severity = Severity.WARNING
    doc = RuleDoc(
        what="Reports each image whose alt text is missing or blank: `![](chart.png)`, or an `<img>` "
        "without a non-empty `alt` attribute.",
        why="Screen-reader users hear only the alt text. Without it an item with an image is "
        "inaccessible, which fails WCAG 2.1 (1.1.1) and the accessibility duties of most "
        "certification bodies. Describe what the student needs, without giving the answer away.",
        bad="stem: |\n  What does this handout describe?\n\n  ![](media/wrap-page.png)\n",
        good="stem: |\n  What does this handout describe?\n\n  ![A WRAP page titled 'Early warning signs' with three blank lines](media/wrap-page.png)\n",
    )

    def check(self, item: Item, opts: Mapping[str, Any]) -> Iterable[Violation]:
        for path, text in text_fields(item, markdown_only=True):
            for ref in media_refs(text):
                if ref.is_image and not (ref.alt or "").strip():
                    yield Violation(f"image '{ref.src}' has no alt text; describe what it shows", path)
