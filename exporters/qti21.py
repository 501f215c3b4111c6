"""QTI 2.1 content packages (IMS CP 1.2, QTI 2.1 profile) for TAO, Inspera, ONYX/OPAL and other QTI 2.x
platforms. The package structure and every item type are written by :mod:`qbank.exporters._qti2`,
shared with QTI 3.0; this module only picks the 2.1 dialect."""

from __future__ import annotations

from collections.abc import Sequence

from qbank.exporters import BankItem, Exporter, ExportOptions, ExportResult
from qbank.exporters._qti2 import QTI21, export_package


class Qti21Exporter(Exporter):
    name = "qti21"
    label = "QTI 2.1 content package"
    extension = ".zip"
    description = "IMS QTI 2.1 content package (zip): items, an assessment test and media, for TAO, Inspera, ONYX and other QTI 2.x platforms"

    def export(self, items: Sequence[BankItem], options: ExportOptions) -> ExportResult:
        return export_package(items, options, QTI21)
