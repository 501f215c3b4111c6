"""Precision of every lint rule on three real banks that nobody here wrote, from a judged sample.

    python benchmarks/realworld_precision.py [--per-rule 12] [--export-unjudged FILE] [--show-fp]

The banks are PROOLA biology, macroeconomics and sociology (2,720 multiple-choice items by college
faculty, CC BY 4.0) in ``../shared/corpora/realworld``. They are imported exactly as
``qbank import --from qti21`` would, into a temporary folder, and linted with every rule selected,
opt-in rules included. For each rule a fixed-seed sample of up to ``--per-rule`` findings is drawn
and scored against ``realworld-judgments.json`` beside this script: one verdict per finding
("tp" when the finding is right by the rule's own written definition, "fp" when it is not), with
the reason. Findings are keyed by bank, item id, rule, line and message, so a verdict stays
attached to the finding it judged; a finding the rule no longer makes simply drops out, and a new
one is listed as unjudged until someone judges it (``--export-unjudged`` writes each with the item
and the rule's definition, for the judge).

The judgments are the data; this script only counts. Precision is TP / (TP + FP) over the judged
findings in the sample, and the sample is what a reviewer reading the lint output would see.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from qbank.config import Config
from qbank.lint.base import Finding
from qbank.lint.engine import Selection, lint_paths
from qbank.lint.registry import all_rules

ROOT = Path(__file__).resolve().parents[1]
REALWORLD = ROOT.parent / "shared" / "corpora" / "realworld"
BANKS = ("proola-bio", "proola-mac", "proola-soc")
JUDGMENTS = Path(__file__).resolve().parent / "realworld-judgments.json"
SEED = 8


@dataclass(frozen=True)
class Key:
    bank: str
    item_id: str
    code: str
    line: int
    message: str

    def as_dict(self) -> dict[str, object]:
        return {"bank": self.bank, "item_id": self.item_id, "code": self.code, "line": self.line, "message": self.message}


def import_banks(out: Path) -> None:
    """Import each bank as ``qbank import --from qti21 -o out/BANK`` would."""
    from qbank.importing import plan, read_sources, write

    for bank in BANKS:
        [source] = read_sources([REALWORLD / bank / f"{bank}-qti22.zip"], "qti21")
        if source.failure is not None:
            raise SystemExit(f"cannot import {bank}: {source.failure}")
        write(plan([source], out / bank, "item"), overwrite=False)


def lint_banks(folder: Path) -> list[tuple[str, Finding]]:
    """Every finding of every rule (opt-in rules too), with the bank it came from."""
    config = Config(root=folder)
    selection = Selection.from_config(config, select=[r.code for r in all_rules()])
    out = []
    for bank in BANKS:
        report = lint_paths([folder / bank], config, selection, relative_to=folder / bank)
        out.extend((bank, f) for f in report.findings)
    return out


def sample(findings: list[tuple[str, Finding]], per_rule: int) -> dict[str, list[Key]]:
    by_code: dict[str, list[Key]] = defaultdict(list)
    for bank, f in findings:
        by_code[f.code].append(Key(bank, f.item_id or "", f.code, f.line, f.message))
    chosen = {}
    for code, keys in by_code.items():
        keys.sort(key=lambda k: (k.bank, k.item_id, k.line, k.message))
        chosen[code] = random.Random(f"{SEED}-{code}").sample(keys, min(per_rule, len(keys)))
    return chosen


def load_judgments() -> dict[Key, dict[str, str]]:
    if not JUDGMENTS.is_file():
        return {}
    out = {}
    for entry in json.loads(JUDGMENTS.read_text(encoding="utf-8")):
        key = Key(entry["bank"], entry["item_id"], entry["code"], int(entry["line"]), entry["message"])
        out[key] = {"verdict": entry["verdict"], "reason": entry.get("reason", "")}
    return out


def export_unjudged(path: Path, keys: list[Key], folder: Path) -> None:
    """Each unjudged finding with its item's YAML and the rule's definition, for a judge."""
    rules = {r.code: r for r in all_rules()}
    parts = [
        "# Unjudged findings\n\nJudge each against the rule's definition below (and Haladyna & Downing's "
        "item-writing guidelines where the definition leaves room). Answer tp when the finding is right, "
        "fp when it is not, with a one-line reason.\n"
    ]
    for key in keys:
        rule = rules[key.code]
        text = (folder / key.bank / f"{key.item_id}.yaml").read_text(encoding="utf-8")
        other = re.search(r"item '([^']+)'", key.message) if rule.scope == "bank" else None
        if other and (folder / key.bank / f"{other.group(1)}.yaml").is_file():
            # A bank rule names the item it compares with: the judge needs to see both.
            text += f"# --- item {other.group(1)}, named in the finding ---\n"
            text += (folder / key.bank / f"{other.group(1)}.yaml").read_text(encoding="utf-8")
        parts.append(
            f"\n## {key.code} {rule.name} | {key.bank} | item {key.item_id} | line {key.line}\n\n"
            f"key: {json.dumps(key.as_dict(), ensure_ascii=False)}\n\n"
            f"finding: {key.message}\n\nrule: {rule.doc.what}\n\n```yaml\n{text}```\n"
        )
    path.write_text("".join(parts), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-rule", type=int, default=12)
    parser.add_argument("--export-unjudged", type=Path, default=None)
    parser.add_argument("--show-fp", action="store_true", help="list the false positives in the sample")
    args = parser.parse_args()
    if not REALWORLD.is_dir():
        print(f"realworld_precision: {REALWORLD} is not there (it comes with ../shared)", file=sys.stderr)
        return 2
    judged = load_judgments()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        import_banks(folder)
        findings = lint_banks(folder)
        chosen = sample(findings, args.per_rule)
        totals: dict[str, int] = defaultdict(int)
        items_hit: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for bank, f in findings:
            totals[f.code] += 1
            items_hit[f.code].add((bank, f.item_id or ""))
        rules = {r.code: r for r in all_rules()}
        print(f"{'rule':<36} {'findings':>8} {'items':>6} {'sample':>6} {'judged':>6} {'TP':>4} {'FP':>4} {'prec':>6}")
        unjudged: list[Key] = []
        fps: list[tuple[Key, str]] = []
        for code in sorted(rules):
            keys = chosen.get(code, [])
            verdicts = [judged.get(k) for k in keys]
            tp = sum(1 for v in verdicts if v and v["verdict"] == "tp")
            fp = sum(1 for v in verdicts if v and v["verdict"] == "fp")
            unjudged += [k for k, v in zip(keys, verdicts) if v is None]
            fps += [(k, v["reason"]) for k, v in zip(keys, verdicts) if v and v["verdict"] == "fp"]
            prec = f"{tp / (tp + fp):6.2f}" if tp + fp else "     -"
            label = f"{code} {rules[code].name}" + ("" if rules[code].default_enabled else " (opt-in)")
            print(f"{label:<36} {totals[code]:>8} {len(items_hit[code]):>6} {len(keys):>6} {tp + fp:>6} {tp:>4} {fp:>4} {prec}")
        print(f"\n{len(findings)} findings on {sum(1 for _ in folder.rglob('*.yaml'))} items; {len(unjudged)} sampled findings are unjudged")
        if args.show_fp:
            for key, reason in fps:
                print(f"FP {key.code} {key.bank}/{key.item_id}:{key.line} {key.message}\n   {reason}")
        if args.export_unjudged is not None:
            export_unjudged(args.export_unjudged, unjudged, folder)
            print(f"wrote {len(unjudged)} unjudged findings to {args.export_unjudged}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
