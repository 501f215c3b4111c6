"""Score ``qbank lint`` against a labelled evaluation set: precision and recall per rule.

    python benchmarks/lint_eval.py [DIR]

DIR holds ``items.yaml`` (items) and ``labels.json`` (item id -> every rule name that applies); it
defaults to ``../shared/lint-eval/dev`` beside the repository. Only the 19 item-writing and key
rules that the set labels are scored, over (item id, rule name) pairs, each selected by code (so an
opt-in rule is scored too). Every false positive and false negative is listed so that a rule's
author can see which item to look at.

Two readings are scored. The sets' README defines three rules more strictly than qbank's defaults,
which follow what reviewers judged on real banks (``benchmarks/realworld_precision.py``): a single
blank that ends the stem, and "Which is true about X?" stems that name a topic. The table scores the
rules as the set defines them (``LABELLED_DEFINITIONS``, the options that give that reading); a
second line scores the default configuration, whose extra misses are exactly those items.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

from qbank.config import Config
from qbank.lint.engine import Selection, lint_loaded
from qbank.lint.registry import all_rules
from qbank.loader import load_paths

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "shared" / "lint-eval" / "dev"
SCORED_CODES = ("QB101", "QB102", "QB103", "QB104", "QB201", "QB202") + tuple(f"QB3{n:02d}" for n in range(1, 14))

Pair = tuple[str, str]

# The sets' definitions, as rule options (see the module docstring).
LABELLED_DEFINITIONS: dict[str, dict[str, object]] = {
    "QB311": {"named-topic": True},
    "QB312": {"final-blank": True},
    "QB313": {"named-topic": True},
}


def scored_names() -> list[str]:
    """Names of the scored rules, in code order (labels use names, not codes)."""
    by_code = {r.code: r.name for r in all_rules()}
    missing = [c for c in SCORED_CODES if c not in by_code]
    if missing:
        raise SystemExit(f"rules not registered: {', '.join(missing)} (is qbank installed?)")
    return [by_code[c] for c in SCORED_CODES]


def predicted_pairs(items_file: Path, names: set[str], labelled: bool = True) -> tuple[set[Pair], list[str]]:
    """(item id, rule name) pairs that qbank reports, plus any input problems worth showing."""
    result = load_paths([items_file])
    config = Config()
    if labelled:
        config.rule_options.update({code: dict(opts) for code, opts in LABELLED_DEFINITIONS.items()})
    report = lint_loaded(result, Selection.from_config(config, select=[r.code for r in all_rules()]))
    pairs = {(f.item_id, f.name) for f in report.findings if f.item_id and f.name in names}
    problems = [f"{p.file}:{p.line}:{p.column} {p.code} {p.message}" for p in result.problems]
    return pairs, problems


def labelled_pairs(labels_file: Path, names: set[str]) -> tuple[set[Pair], set[str]]:
    labels: dict[str, list[str]] = json.loads(labels_file.read_text(encoding="utf-8"))
    pairs = {(item_id, name) for item_id, rules in labels.items() for name in rules if name in names}
    return pairs, set(labels)


def _ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


def print_table(names: list[str], gold: set[Pair], pred: set[Pair]) -> None:
    by_rule: dict[str, dict[str, int]] = defaultdict(lambda: {"pos": 0, "tp": 0, "fp": 0, "fn": 0})
    for _, name in gold:
        by_rule[name]["pos"] += 1
    for pair in pred | gold:
        key = "tp" if pair in gold and pair in pred else "fp" if pair in pred else "fn"
        by_rule[pair[1]][key] += 1
    width = max(len(n) for n in names)
    print(f"{'rule':<{width}}  {'pos':>4} {'TP':>4} {'FP':>4} {'FN':>4} {'prec':>6} {'recall':>6}")
    for name in names:
        c = by_rule[name]
        prec = _ratio(c["tp"], c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0
        rec = _ratio(c["tp"], c["pos"]) if c["pos"] else 1.0
        print(f"{name:<{width}}  {c['pos']:>4} {c['tp']:>4} {c['fp']:>4} {c['fn']:>4} {prec:>6.2f} {rec:>6.2f}")
    tp, fp, fn = len(gold & pred), len(pred - gold), len(gold - pred)
    p, r = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    f1 = _ratio(2 * p * r, p + r) if p + r else 0.0
    print(f"\nmicro: TP={tp} FP={fp} FN={fn}  precision={p:.3f} recall={r:.3f} F1={f1:.3f}")


def print_errors(gold: set[Pair], pred: set[Pair]) -> None:
    for title, pairs in (("false positives", pred - gold), ("false negatives", gold - pred)):
        print(f"\n{title} ({len(pairs)}):")
        for item_id, name in sorted(pairs, key=lambda p: (p[1], p[0])):
            print(f"  {name:<28} {item_id}")


def main(argv: list[str]) -> int:
    folder = Path(argv[1]) if len(argv) > 1 else DEFAULT_DIR
    items_file, labels_file = folder / "items.yaml", folder / "labels.json"
    if not folder.is_dir() or not items_file.is_file() or not labels_file.is_file():
        print(f"lint_eval: {folder} is not an evaluation set (needs items.yaml and labels.json)", file=sys.stderr)
        return 2
    names = scored_names()
    gold, labelled_ids = labelled_pairs(labels_file, set(names))
    pred, problems = predicted_pairs(items_file, set(names))
    unlabelled = sorted({item_id for item_id, _ in pred} - labelled_ids)
    print(f"{folder}: {len(labelled_ids)} labelled items, {len(gold)} positives over {len(names)} rules\n")
    for line in problems:
        print(f"input problem: {line}")
    print("scored as the set defines the rules (options in LABELLED_DEFINITIONS):\n")
    print_table(names, gold, pred)
    print_errors(gold, pred)
    default, _ = predicted_pairs(items_file, set(names), labelled=False)
    tp, fp, fn = len(gold & default), len(default - gold), len(gold - default)
    print(
        f"\nwith qbank's default options: TP={tp} FP={fp} FN={fn}  precision={_ratio(tp, tp + fp):.3f} "
        f"recall={_ratio(tp, tp + fn):.3f}; the extra misses: "
        + (", ".join(f"{name} {item_id}" for item_id, name in sorted(gold - default - (gold - pred))) or "none")
    )
    if unlabelled:
        print(f"\nfindings on items missing from labels.json (counted as FP): {', '.join(unlabelled)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
