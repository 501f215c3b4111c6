"""PLACEHOLDER: the Moodle XML reader is being written (issue 4)."""

from __future__ import annotations

from qbank.importers import Importer, ImportResult


class MoodleXmlImporter(Importer):
    name = "moodle-xml"
    label = "Moodle XML"
    extensions = ('.xml',)

    def detect(self, data: bytes, filename: str) -> bool:
        return False

    def read(self, data: bytes, filename: str) -> ImportResult:
        raise NotImplementedError("moodle-xml import is not written yet")
