"""QTI 3.0 content packages (IMS CP 1.2, QTI 3.0 profile). The same items, test and manifest as the QTI 2.1
writer, rendered with QTI 3.0's ``qti-`` element names, kebab-case attributes and namespaces by
:mod:`qbank.exporters._qti2`."""

from __future__ import annotations

from collections.abc import Sequence

from qbank.exporters import BankItem, Exporter, ExportOptions, ExportResult
from qbank.exporters._qti2 import QTI30, export_package


class Qti30Exporter(Exporter):
    name = "qti30"
    label = "QTI 3.0 content package"
    extension = ".zip"
    description = "IMS QTI 3.0 content package (zip): items, an assessment test and media, for QTI 3 platforms"

    def export(self, items: Sequence[BankItem], options: ExportOptions) -> ExportResult:
        return export_package(items, options, QTI30)
