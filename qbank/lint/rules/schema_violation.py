from qbank.lint.base import RuleDoc
from qbank.lint.rules._input import InputRule


class SchemaViolation(InputRule):
    code = "QB002"
    name = "schema-violation"
    summary = "An item does not match the item schema: a missing or unknown field, or a value of the wrong type."
    doc = RuleDoc(
        what="Validates every item against the canonical schema (`schemas/item.schema.json`): required "
        "fields, field types, allowed values, and no unknown fields. An unknown field comes with a "
        "'did you mean' suggestion.",
        why="A misspelt field such as `optoins` is otherwise silently ignored by many tools, and the "
        "item exports without its options. qbank reads YAML 1.2, so `yes`/`no`/`on`/`off` are text, "
        "not booleans: write `true` or `false`.",
        bad="id: q1\ntype: multiple_choice\nstem: Pick one.\noptoins:\n  - text: A\n    correct: yes\n",
        good="id: q1\ntype: multiple_choice\nstem: Pick one.\noptions:\n  - text: A\n    correct: true\n",
    )
