"""PLACEHOLDER: the QTI 2.1 content package writer is being written (issue 3)."""

from __future__ import annotations

from typing import Sequence

from qbank.exporters import BankItem, Exporter, ExportOptions, ExportResult


class Qti21Exporter(Exporter):
    name = "qti21"
    label = "QTI 2.1 content package"
    extension = ".zip"
    description = "QTI 2.1 content package"

    def export(self, items: Sequence[BankItem], options: ExportOptions) -> ExportResult:
        raise NotImplementedError("qti21 export is not written yet")
