"""PLACEHOLDER: the GIFT reader is being written (issue 4)."""

from __future__ import annotations

from qbank.importers import Importer, ImportResult


class GiftImporter(Importer):
    name = "gift"
    label = "GIFT"
    extensions = ('.gift', '.txt')

    def detect(self, data: bytes, filename: str) -> bool:
        return False

    def read(self, data: bytes, filename: str) -> ImportResult:
        raise NotImplementedError("gift import is not written yet")
