"""Shared fixtures for exporter tests: a bank of every item type with hostile text, the sample
bank, and the independent checkers from ../shared/tools (skipped with a reason when absent)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from qbank.config import Config
from qbank.export import load_bank, resolve_media
from qbank.exporters import BankItem, ExportOptions
from qbank.model import ITEM_ADAPTER
from tests.conftest import ROOT, SHARED

# A 1x1 transparent PNG, so image packaging is tested with a real image file.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)

# Text that breaks naive writers: GIFT's ~ = # { } : and backslash, XML's < & ]]>, CSV's quotes,
# commas and newlines, a formula-looking start, and non-ASCII.
HOSTILE = 'Use ~tilde, =equals, #hash, {braces}, colon: and back\\slash; XML <tag> & "quotes" ]]> done; café ≥ 5 ✓'

OPTIONS = ExportOptions(title="qbank test export", identifier="qbank-test-export")


def _item(**fields: Any) -> Any:
    base: dict[str, Any] = {"explanation": "General feedback with **bold** text.", "status": "approved"}
    base.update(fields)
    return ITEM_ADAPTER.validate_python(base)


def all_types_items() -> list[Any]:
    """One item of every type, each with feedback everywhere the model allows it."""
    return [
        _item(
            id="mc-basic", type="multiple_choice", title="Essential quality",
            stem="Which quality is essential for effective peer support?",
            options=[
                {"text": "Active listening and empathy", "correct": True, "rationale": "Being heard builds trust."},
                {"text": "Indifference", "rationale": "Indifference makes peers withdraw."},
                {"text": "Authority and control", "rationale": "Control undermines mutuality."},
                {"text": "Strict adherence to rules", "rationale": "Rigid rules stifle a personal approach."},
            ],
            tags=["core-skills"], points=2,
        ),
        _item(
            id="mc-hostile", type="multiple_choice",
            stem=HOSTILE + "\n\nA second paragraph after a blank line.\n\n- a list item\n- another",
            options=[
                {"text": "=SUM(A1:A2) looks like a formula", "correct": True, "rationale": HOSTILE},
                {"text": "Option with {braces} and ~tilde", "rationale": "Feedback with # hash and : colon"},
                {"text": "`code <b>` and 5 < 6 & 7 > 3", "rationale": "Line one\n\nParagraph two"},
            ],
            explanation=HOSTILE + "\n\nSecond paragraph of the explanation.",
            shuffle=False,
        ),
        _item(
            id="mr-basic", type="multiple_response",
            stem="Which are dimensions in SAMHSA's working definition of recovery? Select all that apply.",
            options=[
                {"text": "Health", "correct": True, "rationale": "Health is a dimension."},
                {"text": "Home", "correct": True, "rationale": "Home is a dimension."},
                {"text": "Purpose", "correct": True, "rationale": "Purpose is a dimension."},
                {"text": "Wealth", "rationale": "Wealth is not one of the four."},
                {"text": "Fame", "rationale": "Fame is not one of the four."},
            ],
        ),
        _item(
            id="tf-basic", type="true_false", stem="Recovery is a non-linear process.", answer=True,
            true_rationale="Right: setbacks are part of recovery.", false_rationale="Recovery rarely runs in a straight line.",
        ),
        _item(id="tf-false", type="true_false", stem="Peer support requires a clinical license.", answer=False),
        _item(
            id="sa-basic", type="short_answer", stem="What does the acronym WRAP stand for? (two words: Wellness ... Plan)",
            answers=["Wellness Recovery Action Plan", "WRAP"], case_sensitive=False,
        ),
        _item(id="sa-case", type="short_answer", stem="Type the acronym of the plan, in capitals.", answers=["WRAP"], case_sensitive=True),
        _item(id="num-basic", type="numerical", stem="How many guiding principles does SAMHSA list?", answer=10),
        _item(id="num-tolerance", type="numerical", stem="Give the crisis line temperature in degrees, within 0.5.", answer=-3.25, tolerance=0.5),
        _item(
            id="match-basic", type="matching", stem="Match each stage of change with its description.",
            pairs=[
                {"prompt": "Precontemplation", "match": "Not yet considering change"},
                {"prompt": "Contemplation", "match": "Weighing pros and cons"},
                {"prompt": "Action", "match": "Taking visible steps"},
            ],
            distractors=["Relapse prevention only"],
        ),
        _item(
            id="essay-basic", type="essay", stem="Describe how you would introduce the peer role at a first meeting.",
            guidance="Look for mutuality, hope and a clear account of the role.",
        ),
    ]


def bank_items(items: list[Any]) -> list[BankItem]:
    return [BankItem(it, {}, ("fixtures", it.type)) for it in items]


@pytest.fixture
def all_types() -> list[BankItem]:
    return bank_items(all_types_items())


@pytest.fixture
def image_item(tmp_path: Path) -> BankItem:
    """A multiple_choice item whose stem shows a local image, with the file resolved as the CLI does."""
    folder = tmp_path / "bank"
    (folder / "media").mkdir(parents=True)
    (folder / "media" / "ruler.png").write_bytes(PNG)
    (folder / "img.yaml").write_text(
        "id: mc-image\ntype: multiple_choice\n"
        "stem: \"Which stage does this ruler show? ![A readiness ruler at 3](media/ruler.png)\"\n"
        "options:\n"
        "  - {text: Contemplation, correct: true, rationale: Ambivalence.}\n"
        "  - {text: Action, rationale: Action is later.}\n"
        "  - {text: Maintenance, rationale: Maintenance is later still.}\n"
        "explanation: A low score suggests ambivalence.\n",
        encoding="utf-8",
    )
    result = load_bank([folder], Config())
    [entry] = result.items
    return BankItem(entry.item, resolve_media(entry), ())


@pytest.fixture(scope="session")
def sample_bank() -> list[BankItem]:
    """The bundled items/ bank, loaded and resolved the way `qbank export` does."""
    result = load_bank([ROOT / "items"], Config())
    assert not result.problems
    return [BankItem(e.item, resolve_media(e), ()) for e in result.items]


def _tool(name: str) -> Path:
    path = SHARED / "tools" / name
    if not path.exists():
        pytest.skip(f"../shared/tools/{name} is not present next to the checkout")
    return path


def qti_validate(*paths: Path, extra: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    """Run the official-XSD checker; asserts success and returns the completed process."""
    tool = _tool("qti-validate")
    proc = subprocess.run([sys.executable, str(tool), *extra, *map(str, paths)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def gift_parse(path: Path) -> list[dict[str, Any]]:
    """Parse a GIFT file with the independent gift-pegjs parser (needs node and npm)."""
    tool = _tool("gift-parse")
    if shutil.which("node") is None:
        pytest.skip("node is not installed; gift-parse needs it")
    proc = subprocess.run([str(tool), "--compact", str(path)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)  # type: ignore[no-any-return]
