"""The published JSON Schema, generated from the pydantic models.

pydantic emits JSON Schema 2020-12, but the YAML language server (what editors use for completion
and hover) reads draft-07 and older. The differences that matter for our models are mechanical:
``$defs`` becomes ``definitions`` and the references follow. We publish draft-07 and test it with
jsonschema's Draft7Validator, so editors and third-party tools see exactly what qbank enforces.
"""

from __future__ import annotations

import json
from typing import Any

from qbank.model import ITEM_ADAPTER

SCHEMA_ID = "https://qbank.invalid/schemas/item.schema.json"
DRAFT_07 = "http://json-schema.org/draft-07/schema#"


def _to_draft07(node: Any) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$defs":
                out["definitions"] = _to_draft07(value)
            elif key == "$ref" and isinstance(value, str):
                out[key] = value.replace("#/$defs/", "#/definitions/")
            elif key == "format" and value == "markdown":
                out["contentMediaType"] = "text/markdown"
            elif key == "discriminator" and isinstance(value, dict):
                # An OpenAPI keyword; keep it for tools that use it, with draft-07 refs.
                out[key] = _to_draft07(value)
            else:
                out[key] = _to_draft07(value)
        return out
    if isinstance(node, list):
        return [_to_draft07(v) for v in node]
    if isinstance(node, str) and node.startswith("#/$defs/"):
        return node.replace("#/$defs/", "#/definitions/")
    return node


def item_schema() -> dict[str, Any]:
    """The draft-07 JSON Schema of one item (one YAML document)."""
    raw = ITEM_ADAPTER.json_schema(ref_template="#/$defs/{model}")
    schema = _to_draft07(raw)
    return {
        "$schema": DRAFT_07,
        "$id": SCHEMA_ID,
        "title": "qbank item",
        "description": (
            "One exam item (one YAML document) of a qbank item bank. A file may hold several items "
            "separated by '---'. Generated from qbank's models; do not edit by hand."
        ),
        **schema,
    }


def item_schema_json() -> str:
    return json.dumps(item_schema(), indent=2, ensure_ascii=False) + "\n"
