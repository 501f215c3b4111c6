"""PLACEHOLDER: the Canvas (QTI 1.2 zip) writer is being written (issue 3)."""

from __future__ import annotations

from typing import Sequence

from qbank.exporters import BankItem, Exporter, ExportOptions, ExportResult


class CanvasExporter(Exporter):
    name = "canvas"
    label = "Canvas (QTI 1.2 zip)"
    extension = ".zip"
    description = "Canvas (QTI 1.2 zip)"

    def export(self, items: Sequence[BankItem], options: ExportOptions) -> ExportResult:
        raise NotImplementedError("canvas export is not written yet")
