"""The YAML writer: what it writes loads back to the same items, and reads like hand-written YAML."""

from __future__ import annotations

from hypothesis import given, settings

from qbank.loader import LoadResult, load_text
from qbank.yamlwriter import dump_items
from tests.exporters.conftest import all_types_items
from tests.exporters.strategies import banks


def reload(text: str) -> LoadResult:
    result = LoadResult()
    load_text(text, "written.yaml", result)
    return result


def test_every_type_round_trips_with_comments_and_schema_header() -> None:
    items = all_types_items()
    text = dump_items([(it, f"from source line {i}") for i, it in enumerate(items)], schema="../schemas/item.schema.json")
    assert text.startswith("# yaml-language-server: $schema=../schemas/item.schema.json\n# from source line 0\nid: mc-basic\n")
    result = reload(text)
    assert not result.problems
    assert [e.item for e in result.items] == items


def test_reads_like_a_person_wrote_it() -> None:
    [mc] = [it for it in all_types_items() if it.id == "mc-basic"]
    text = dump_items([(mc, None)])
    keys = [line.split(":")[0] for line in text.splitlines() if line and not line.startswith(" ")]
    assert keys == ["id", "type", "title", "stem", "options", "explanation", "points", "tags", "status"]
    assert "correct: false" not in text and "shuffle" not in text  # defaults are left out
    assert "tags: [core-skills]" in text
    hostile = next(it for it in all_types_items() if it.id == "mc-hostile")
    assert "stem: |-\n" in dump_items([(hostile, None)])  # multi-line Markdown as a literal block


@settings(max_examples=30, deadline=None)
@given(banks(max_size=4))
def test_generated_banks_round_trip(items: list) -> None:  # type: ignore[type-arg]
    result = reload(dump_items([(it, None) for it in items]))
    assert not result.problems, result.problems
    assert [e.item for e in result.items] == items
