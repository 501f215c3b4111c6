"""Shared base for the rules the loader reports (QB001, QB002, QB004).

They have no ``check``: the loader finds these problems while reading, before an item exists. They
are rules all the same so that they can be documented, selected, ignored and re-graded like any other.
"""

from qbank.lint.base import Rule, Severity


class InputRule(Rule):
    scope = "input"
    severity = Severity.ERROR
