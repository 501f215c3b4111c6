"""PLACEHOLDER: the Aiken reader is being written (issue 4)."""

from __future__ import annotations

from qbank.importers import Importer, ImportResult


class AikenImporter(Importer):
    name = "aiken"
    label = "Aiken"
    extensions = ('.txt',)

    def detect(self, data: bytes, filename: str) -> bool:
        return False

    def read(self, data: bytes, filename: str) -> ImportResult:
        raise NotImplementedError("aiken import is not written yet")
