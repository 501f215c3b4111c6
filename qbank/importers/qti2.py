"""PLACEHOLDER: the QTI 2.1 / 3.0 readers are being written (issue 4)."""

from __future__ import annotations

from qbank.importers import Importer, ImportResult


class Qti21Importer(Importer):
    name = "qti21"
    label = "QTI 2.1"
    extensions = (".zip", ".xml")

    def detect(self, data: bytes, filename: str) -> bool:
        return False

    def read(self, data: bytes, filename: str) -> ImportResult:
        raise NotImplementedError("qti21 import is not written yet")


class Qti30Importer(Qti21Importer):
    name = "qti30"
    label = "QTI 3.0"

    def read(self, data: bytes, filename: str) -> ImportResult:
        raise NotImplementedError("qti30 import is not written yet")
