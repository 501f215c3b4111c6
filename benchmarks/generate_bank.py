"""Write a synthetic item bank of N items for benchmarks: ``python benchmarks/generate_bank.py N OUT``.

Items are valid, of every type, with varied wording drawn from a fixed vocabulary and a seeded
random generator, so the same N always gives the same files. By default one item per file (the
common layout); ``--per-file K`` packs K items per file as ``---``-separated documents.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

WORDS = (
    "recovery peer support empathy listening boundary trust hope choice wellness plan crisis stigma "
    "advocacy resilience mutuality strength culture trauma safety dignity respect community goal "
    "relapse coping skill journal housing employment family network purpose health routine sleep "
    "medication counselor supervisor agency referral consent privacy record ethics disclosure story "
    "motivation change stage readiness barrier resource outreach group session meeting feedback"
).split()


def _vocabulary(size: int = 6000) -> list[str]:
    """Real domain words plus pronounceable pseudo-words: real banks draw on thousands of terms."""
    rng = random.Random(99)
    consonants, vowels = "bcdfghklmnprstvz", "aeiou"
    extra = {"".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(rng.randint(2, 4))) for _ in range(size)}
    return WORDS + sorted(extra)


VOCABULARY = _vocabulary()
# Zipf-like weights: a few words are everywhere (as in real prose), most are rare.
WEIGHTS = [1 / (rank + 1) for rank in range(len(VOCABULARY))]


def _phrase(rng: random.Random, n: int) -> str:
    return " ".join(rng.choices(VOCABULARY, WEIGHTS, k=n))


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def make_item(i: int, rng: random.Random) -> str:
    kind = ("multiple_choice",) * 6 + ("multiple_response", "true_false", "short_answer", "numerical", "matching", "essay")
    item_type = kind[i % len(kind)]
    lines = [
        f"id: item-{i:06d}",
        f"type: {item_type}",
        f"stem: {_quote('Which ' + _phrase(rng, 9) + ' best fits ' + _phrase(rng, 4) + '?')}",
        f"explanation: {_quote(_phrase(rng, 20).capitalize() + '.')}",
        f"tags: [{rng.choice(WORDS)}, {rng.choice(WORDS)}]",
        "status: approved",
    ]
    if item_type in ("multiple_choice", "multiple_response"):
        key = rng.randrange(4)
        lines.append("options:")
        for j in range(4):
            lines.append(f"  - text: {_quote(_phrase(rng, 4).capitalize())}")
            if j == key or (item_type == "multiple_response" and j == (key + 1) % 4):
                lines.append("    correct: true")
            lines.append(f"    rationale: {_quote(_phrase(rng, 10).capitalize() + '.')}")
    elif item_type == "true_false":
        lines += [f"answer: {str(rng.random() < 0.5).lower()}", f"true_rationale: {_quote(_phrase(rng, 8))}",
                  f"false_rationale: {_quote(_phrase(rng, 8))}"]
    elif item_type == "short_answer":
        lines += ["answers:", f"  - {_quote(rng.choice(WORDS))}", f"  - {_quote(rng.choice(WORDS))}"]
    elif item_type == "numerical":
        lines += [f"answer: {rng.randint(1, 500)}", "tolerance: 0.5"]
    elif item_type == "matching":
        lines.append("pairs:")
        for _ in range(3):
            lines += [f"  - prompt: {_quote(_phrase(rng, 3))}", f"    match: {_quote(_phrase(rng, 2))}"]
        lines.append(f"distractors: [{_quote(_phrase(rng, 2))}]")
    else:
        lines.append(f"guidance: {_quote(_phrase(rng, 15))}")
    return "\n".join(lines) + "\n"


def generate(n: int, out: Path, per_file: int = 1, seed: int = 2024) -> list[Path]:
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for start in range(0, n, per_file):
        docs = [make_item(i, rng) for i in range(start, min(n, start + per_file))]
        path = out / f"{start // 100:04d}" / f"items-{start:06d}.yaml"
        path.parent.mkdir(exist_ok=True)
        path.write_text("---\n".join(docs), encoding="utf-8")
        files.append(path)
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("n", type=int, help="number of items")
    parser.add_argument("out", type=Path, help="output folder (created)")
    parser.add_argument("--per-file", type=int, default=1, help="items per file (default 1)")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    files = generate(args.n, args.out, args.per_file, args.seed)
    print(f"wrote {args.n} items in {len(files)} files under {args.out}")


if __name__ == "__main__":
    main()
