"""PLACEHOLDER: the Canvas QTI 1.2 reader is being written (issue 4)."""

from __future__ import annotations

from qbank.importers import Importer, ImportResult


class CanvasImporter(Importer):
    name = "canvas"
    label = "Canvas QTI 1.2"
    extensions = ('.zip', '.xml')

    def detect(self, data: bytes, filename: str) -> bool:
        return False

    def read(self, data: bytes, filename: str) -> ImportResult:
        raise NotImplementedError("canvas import is not written yet")
