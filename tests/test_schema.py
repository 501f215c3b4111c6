"""The published JSON Schema: in sync with the models, draft-07, and accepting the sample bank."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from jsonschema import Draft7Validator

from qbank.cli import main
from qbank.loader import load_paths
from qbank.schema import item_schema, item_schema_json
from qbank.yamlnodes import compose_documents
from tests.conftest import ROOT

SCHEMA_FILE = ROOT / "schemas" / "item.schema.json"


def test_committed_schema_matches_the_models() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == item_schema_json(), (
        "schemas/item.schema.json is out of date; run `qbank schema -o schemas/item.schema.json`"
    )


def test_qbank_schema_prints_the_committed_schema() -> None:
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    assert result.output == SCHEMA_FILE.read_text(encoding="utf-8")


def test_schema_is_valid_draft_07() -> None:
    schema = item_schema()
    Draft7Validator.check_schema(schema)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert "$defs" not in json.dumps(schema)


def _bank_documents() -> list[tuple[Path, Any]]:
    """Every document of the sample bank, as plain JSON-like data (what an editor validates)."""
    from qbank.loader import SHAPES, _apply_shape

    docs = []
    for path in sorted((ROOT / "items").rglob("*.y*ml")):
        for doc in compose_documents(path.read_text(encoding="utf-8")):
            docs.append((path, _apply_shape(doc.data, SHAPES[str(doc.data["type"])])))
    return docs


def test_sample_bank_validates_with_draft7_validator() -> None:
    validator = Draft7Validator(item_schema())
    docs = _bank_documents()
    assert len(docs) >= 30
    for path, data in docs:
        errors = [e.message for e in validator.iter_errors(data)]
        assert not errors, f"{path}: {errors}"


@pytest.mark.parametrize(
    "change",
    [
        {"optoins": []},
        {"points": 0},
        {"status": "published"},
        {"id": "has space"},
        {"shuffle": "yes"},
        {"type": "multiple_choise"},
        {"language": "english language"},
    ],
)
def test_schema_and_models_reject_the_same_mistakes(change: dict[str, Any], tmp_path: Path) -> None:
    data: dict[str, Any] = {
        "id": "q1",
        "type": "multiple_choice",
        "stem": "Which?",
        "options": [{"text": "A", "correct": True}],
    }
    data.update(change)
    assert list(Draft7Validator(item_schema()).iter_errors(data)), "schema accepted it"
    path = tmp_path / "q.yaml"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = load_paths([path])
    assert not result.items and result.problems, "models accepted it"


def test_every_field_is_documented() -> None:
    schema = item_schema()
    for name, definition in schema["definitions"].items():
        for field, spec in definition.get("properties", {}).items():
            assert spec.get("description"), f"{name}.{field} has no description"
