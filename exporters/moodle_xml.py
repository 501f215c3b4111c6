"""PLACEHOLDER: the Moodle XML writer is being written (issue 3)."""

from __future__ import annotations

from typing import Sequence

from qbank.exporters import BankItem, Exporter, ExportOptions, ExportResult


class MoodleXmlExporter(Exporter):
    name = "moodle-xml"
    label = "Moodle XML"
    extension = ".xml"
    description = "Moodle XML"

    def export(self, items: Sequence[BankItem], options: ExportOptions) -> ExportResult:
        raise NotImplementedError("moodle-xml export is not written yet")
