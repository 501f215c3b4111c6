"""PLACEHOLDER: the Moodle GIFT writer is being written (issue 3)."""

from __future__ import annotations

from typing import Sequence

from qbank.exporters import BankItem, Exporter, ExportOptions, ExportResult


class GiftExporter(Exporter):
    name = "gift"
    label = "Moodle GIFT"
    extension = ".gift"
    description = "Moodle GIFT"

    def export(self, items: Sequence[BankItem], options: ExportOptions) -> ExportResult:
        raise NotImplementedError("gift export is not written yet")
