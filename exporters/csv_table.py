"""PLACEHOLDER: the CSV writer is being written (issue 3)."""

from __future__ import annotations

from typing import Sequence

from qbank.exporters import BankItem, Exporter, ExportOptions, ExportResult


class CsvExporter(Exporter):
    name = "csv"
    label = "CSV"
    extension = ".csv"
    description = "CSV"

    def export(self, items: Sequence[BankItem], options: ExportOptions) -> ExportResult:
        raise NotImplementedError("csv export is not written yet")
