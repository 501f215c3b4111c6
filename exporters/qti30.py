"""PLACEHOLDER: the QTI 3.0 content package writer is being written (issue 3)."""

from __future__ import annotations

from typing import Sequence

from qbank.exporters import BankItem, Exporter, ExportOptions, ExportResult


class Qti30Exporter(Exporter):
    name = "qti30"
    label = "QTI 3.0 content package"
    extension = ".zip"
    description = "QTI 3.0 content package"

    def export(self, items: Sequence[BankItem], options: ExportOptions) -> ExportResult:
        raise NotImplementedError("qti30 export is not written yet")
