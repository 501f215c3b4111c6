"""PLACEHOLDER: the CSV reader is being written (issue 4)."""

from __future__ import annotations

from qbank.importers import Importer, ImportResult


class CsvImporter(Importer):
    name = "csv"
    label = "CSV"
    extensions = ('.csv',)

    def detect(self, data: bytes, filename: str) -> bool:
        return False

    def read(self, data: bytes, filename: str) -> ImportResult:
        raise NotImplementedError("csv import is not written yet")
