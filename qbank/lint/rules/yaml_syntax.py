from qbank.lint.base import RuleDoc
from qbank.lint.rules._input import InputRule


class YamlSyntax(InputRule):
    code = "QB001"
    name = "yaml-syntax"
    summary = "The file is not valid YAML (or not UTF-8), so none of its items can be read."
    doc = RuleDoc(
        what="Reports a YAML syntax error, an unreadable or non-UTF-8 file, or a YAML construct qbank "
        "does not accept (custom tags, recursive aliases, non-text mapping keys).",
        why="A syntax error hides every item in the file from the bank: nothing after it is linted or "
        "exported. The message gives the line and the usual fix.",
        bad="stem: Which of these is true: A or B?\n",
        good="stem: 'Which of these is true: A or B?'\n",
        notes="Text containing ': ' or starting with a YAML indicator (`@`, `` ` ``, `*`, `&`, `!`, `|`, `>`) must be quoted.",
    )
