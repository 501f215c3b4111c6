"""Writers from the canonical model to LMS formats (installed as ``qbank.exporters``).

Each exporter is a pure function from items to bytes; the CLI does the file I/O. The formats
arrive with the export issue; this package exists now so the install layout is settled.
"""
