"""export(import(file)) for third-party GIFT files: gift-pegjs reads our re-export as the same
questions it reads in the original (same kind, same number of answers, the same ones correct).

The originals' gift-pegjs parses are the .json files beside them; the re-export of every corpus
file goes through gift-pegjs in one call. Questions the import notes and skips (descriptions)
and constructs the model cannot hold (partial credit) are left out of the comparison by design:
the import reports them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from qbank.exporters import BankItem, ExportOptions
from qbank.exporters.gift import GiftExporter
from qbank.importers.gift import GiftImporter
from tests.exporters.conftest import gift_parse

QUESTION_KINDS = {"MC", "Short", "TF", "Matching", "Numerical", "Essay"}


def _shape(q: dict[str, Any]) -> tuple[Any, ...]:
    """What makes a question the same question, independent of text formatting."""
    kind = q["type"]
    if kind == "TF":
        return (kind, q["isTrue"])
    if kind == "Matching":
        return (kind, len(q["matchPairs"]))
    if kind == "Numerical":
        return (kind,)
    choices = q.get("choices") or []
    correct = tuple(bool(c["isCorrect"] or (c["weight"] or 0) > 0) for c in choices)
    return (kind, len(choices), correct)


def test_reexported_corpus_reads_as_the_same_questions(shared_dir: Path, tmp_path: Path) -> None:
    folder = shared_dir / "corpora" / "gift" / "gift-pegjs-tests" / "questions"
    importer, exporter = GiftImporter(), GiftExporter()
    expected: list[tuple[Any, ...]] = []
    bank: list[BankItem] = []
    compared_files = 0
    for source in sorted(folder.glob("*.gift")):
        original = [q for q in json.loads(source.with_suffix(".json").read_text(encoding="utf-8")) if q["type"] in QUESTION_KINDS]
        result = importer.read(source.read_bytes(), source.name)
        lossy = {n.item_id for n in result.notes if n.item_id}
        if len(result.items) != len(original) or lossy:
            continue  # skipped or partly mapped questions are reported by the import, not re-exported as equal
        compared_files += 1
        for q, imported in zip(original, result.items):
            expected.append(_shape(q))
            bank.append(BankItem(imported.item.model_copy(update={"id": f"f{compared_files}-{imported.item.id}"})))
    assert compared_files >= 25, "most corpus files should import without notes"
    exported = exporter.export(bank, ExportOptions(title="corpus", category="none"))
    target = tmp_path / "reexport.gift"
    target.write_bytes(exported.data)
    reparsed = [q for q in gift_parse(target) if q["type"] in QUESTION_KINDS]
    skipped = {w.item_id for w in exported.warnings if w.message.startswith("not exported")}
    kept = [shape for shape, entry in zip(expected, bank) if entry.item.id not in skipped]
    assert [_shape(q) for q in reparsed] == kept
