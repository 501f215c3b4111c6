"""Time and memory of ``qbank lint`` on hostile YAML, and on one very large valid file.

    python benchmarks/bench_hostile.py [--big-items 33000]

Each hostile file must end in one QB001 at its line, fast and in a few MB; the large valid file
must be linted in memory that grows with the bank, not with anything an attacker controls. For
each case this prints the wall time and peak RSS of a ``qbank lint --no-cache`` process, and for
the small hostile files also the peak memory the loader itself allocated (tracemalloc), which
leaves out the interpreter and the imports.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generate_bank import generate  # noqa: E402

from qbank.loader import LoadResult, load_text  # noqa: E402
from qbank.yamlnodes import MAX_SCALAR_CHARS  # noqa: E402


def billion_laughs() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefghi", "bcdefghij"):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


# Made one at a time and dropped before qbank runs: a child process starts as a copy of this one,
# and its peak RSS would count a 50 MB test string that this process still held.
HOSTILE = {
    "billion laughs (377 bytes)": billion_laughs,
    "flow nesting 1,000,000 deep": lambda: "id: x\ntype: essay\nstem: " + "[" * 1_000_000 + "]" * 1_000_000 + "\n",
    "block nesting 5,000 deep": lambda: "id: x\ntype: essay\nstem:\n" + "".join(" " * i + "-\n" for i in range(5000)),
    "scalar of 50,000,000 characters": lambda: "id: x\ntype: essay\nstem: '" + "a" * 50_000_000 + "'\n",
    "scalar of 1,000,000 characters (at the limit)": lambda: "id: x\ntype: essay\nstem: '" + "a" * MAX_SCALAR_CHARS + "'\n",
}


def lint_process(path: Path) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MB, and the first finding line of a fresh ``qbank lint``."""
    out = path.with_suffix(".out")
    start = time.perf_counter()
    with out.open("wb") as fh:
        proc = subprocess.Popen([sys.executable, "-m", "qbank", "lint", "--no-cache", str(path)], stdout=fh, close_fds=False)
        _, _, usage = os.wait4(proc.pid, 0)  # this child's own rusage, not the largest child's so far
    wall = time.perf_counter() - start
    lines = out.read_text(encoding="utf-8").splitlines()
    first = next((line for line in lines if ": QB" in line), lines[-1] if lines else "")
    return wall, usage.ru_maxrss / 1024, first.replace(str(path.parent) + "/", "")[:110]


def loader_peak(text: str) -> float:
    tracemalloc.start()
    try:
        load_text(text, "hostile.yaml", LoadResult())
        return tracemalloc.get_traced_memory()[1] / 1024 / 1024
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--big-items", type=int, default=33_000, help="items in the one large valid file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print(f"{'case':48} {'wall s':>7} {'RSS MB':>7} {'loader MB':>9}  first finding")
        for i, (name, make) in enumerate(HOSTILE.items()):
            path = folder / f"hostile-{i}.yaml"
            path.write_text(make(), encoding="utf-8")
            wall, rss, first = lint_process(path)
            size = path.stat().st_size
            peak = loader_peak(path.read_text(encoding="utf-8")) if size < 10_000_000 else float("nan")
            print(f"{name:48} {wall:7.2f} {rss:7.0f} {peak:9.1f}  {first}")
        big = generate(args.big_items, folder / "big", per_file=args.big_items)[0]
        size = big.stat().st_size / 1e6
        wall, rss, first = lint_process(big)
        print(f"{f'{args.big_items:,} valid items in one {size:.0f} MB file':48} {wall:7.2f} {rss:7.0f} {'':>9}  {first}")
        print("\n(RSS is the whole lint process, interpreter and imports included; the first rows, which stop at")
        print("once, show that floor.)")


if __name__ == "__main__":
    main()
