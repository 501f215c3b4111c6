"""qbank: exam item banks as YAML, linted before commit and exported to LMS formats.

The public API is re-exported lazily from the submodules so that `import qbank` stays cheap for the
CLI's start-up time.
"""

__version__ = "0.1.0"
