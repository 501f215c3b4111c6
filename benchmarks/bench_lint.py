"""Time ``qbank lint`` on a synthetic bank beside the bare parse of the same files.

    python benchmarks/bench_lint.py [--items 10000] [--per-file 1] [--repeat 3]

Prints, for the same files: reading and composing them with the C composer only (the floor any
linter must pay without a cache), loading them into validated items, the full in-process lint,
and the ``qbank lint`` command end to end (a new process, as pre-commit and CI run it), without the
cache and with a warm cache (nothing changed since the last run). Best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate_bank import generate  # noqa: E402
from timing import best_of  # noqa: E402

from qbank.config import Config  # noqa: E402
from qbank.lint.engine import Selection, lint_loaded  # noqa: E402
from qbank.loader import iter_yaml_files, load_paths  # noqa: E402
from qbank.yamlnodes import compose_documents  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark qbank lint")
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--per-file", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        bank = Path(tmp) / "bank"
        files = generate(args.items, bank, args.per_file)
        size = sum(f.stat().st_size for f in files)
        print(f"bank: {args.items} items in {len(files)} files, {size / 1e6:.1f} MB")

        def parse_only() -> None:
            for path in iter_yaml_files([bank]):
                for _ in compose_documents(path.read_text(encoding="utf-8")):
                    pass

        def load_only() -> None:
            result = load_paths([bank])
            assert len(result.items) == args.items and not result.problems

        selection = Selection.from_config(Config())

        def lint_in_process() -> None:
            lint_loaded(load_paths([bank]), selection)

        cache = Path(tmp) / "cache"

        def lint_cli(*extra: str) -> None:
            env = dict(os.environ, NO_COLOR="1")
            proc = subprocess.run(
                [sys.executable, "-m", "qbank", "lint", str(bank), *extra],
                capture_output=True, text=True, env=env, check=False,
            )
            if proc.returncode not in (0, 1):
                raise SystemExit(proc.stderr)

        def lint_cli_cold() -> None:
            lint_cli("--no-cache")

        def lint_cli_warm() -> None:
            lint_cli("--cache-dir", str(cache))

        lint_cli_warm()  # fill the cache once

        rows = [
            ("parse only (read + libyaml events to data)", best_of(args.repeat, parse_only)),
            ("load (compose + validate with pydantic)", best_of(args.repeat, load_only)),
            ("lint in process (load + all rules)", best_of(args.repeat, lint_in_process)),
            ("qbank lint --no-cache (new process)", best_of(args.repeat, lint_cli_cold)),
            ("qbank lint, warm cache (new process)", best_of(args.repeat, lint_cli_warm)),
        ]
        for label, seconds in rows:
            print(f"{label:<45} {seconds:7.3f} s  {args.items / seconds:9.0f} items/s")


if __name__ == "__main__":
    main()
