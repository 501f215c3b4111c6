"""Time every registered exporter on a synthetic bank, beside text2qti converting as many questions.

    python benchmarks/bench_export.py [--items 10000] [--repeat 3] [--format canvas ...] [--no-text2qti]

The bank comes from ``generate_bank.generate`` (every item type, feedback on every item). It is
loaded and its media resolved once, as ``qbank export`` does, so each timing is the exporter alone:
items in, bytes out, best of ``--repeat`` runs. An exporter that raises ``NotImplementedError`` is
reported as skipped. For an end-to-end figure comparable with a command-line converter, the
``canvas`` export is also timed as ``qbank export`` in a new process (load, blocking checks, export,
write).

text2qti is the closest tool in spirit (plain text to Canvas QTI 1.2). The script writes the same
bank as a text2qti quiz (its plain-text syntax: ``1.`` questions, ``*a)`` choices, ``[*]``
multiple answers, ``*`` short answers, ``=`` numerical, ``___`` essays, ``...`` feedback) and times
``text2qti quiz.md`` in a new process with the same repeat policy. Items map one to one:
true/false becomes a two-choice question and matching, which text2qti lacks, becomes a
multiple-choice question over the matches, so both tools convert the same number of questions with
about the same amount of text. text2qti is used from the current interpreter when importable;
otherwise it is installed once (``text2qti==0.8.0`` from PyPI) into a virtualenv under the system
temporary folder and reused by later runs. If that fails, the reason is printed and the rest of
the benchmark still runs. text2qti runs with ``HOME`` set to a scratch folder, because it writes a
default config file into the home folder on first use.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Sequence

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate_bank import generate  # noqa: E402
from timing import best_of  # noqa: E402

from qbank.config import Config  # noqa: E402
from qbank.export import load_bank, resolve_media  # noqa: E402
from qbank.exporters import BankItem, ExportOptions, ExportResult, all_exporters  # noqa: E402
from qbank.model import Item  # noqa: E402

TEXT2QTI_VERSION = "0.8.0"
TEXT2QTI_VENV = Path(tempfile.gettempdir()) / f"qbank-bench-text2qti-{TEXT2QTI_VERSION}"
OPTIONS = ExportOptions(title="bench", identifier="bench")


def load_items(bank: Path) -> list[BankItem]:
    result = load_bank([bank], Config())
    assert not result.problems, result.problems[:3]
    items = []
    for entry in result.items:
        folder = Path(entry.source or entry.file).resolve().parent
        category = folder.relative_to(bank.resolve()).parts
        items.append(BankItem(entry.item, resolve_media(entry), category))
    return items


def report(label: str, seconds: float, count: int, extra: str = "") -> None:
    print(f"  {label:<34} {seconds:8.3f} s  {count / seconds:10.0f} items/s  {extra}")


def time_exporters(items: list[BankItem], repeat: int, formats: Sequence[str]) -> dict[str, float]:
    timings: dict[str, float] = {}
    for name, exporter in all_exporters().items():
        if formats and name not in formats:
            continue
        try:
            first: ExportResult = exporter.export(items, OPTIONS)  # warm-up, and the size/warnings shown
        except NotImplementedError as exc:
            print(f"  {name:<34} skipped: {exc}")
            continue
        seconds = best_of(repeat, lambda: exporter.export(items, OPTIONS))
        timings[name] = seconds
        report(name, seconds, len(items), f"{len(first.data) / 1e6:7.1f} MB, {len(first.warnings)} warning(s)")
    return timings


def time_cli_export(bank: Path, out: Path, fmt: str, repeat: int, count: int) -> float | None:
    cmd = [sys.executable, "-m", "qbank", "export", str(bank), "--format", fmt, "-o", str(out)]

    def run() -> None:
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise RuntimeError(proc.stderr.strip()[-500:])

    try:
        seconds = best_of(repeat, run)
    except RuntimeError as exc:
        print(f"  qbank export --format {fmt} failed: {exc}")
        return None
    report(f"qbank export --format {fmt}", seconds, count, "(new process: load, checks, export, write)")
    return seconds


# --- text2qti ------------------------------------------------------------------------------------------


def text2qti_command() -> tuple[list[str] | None, str]:
    """The command that runs text2qti, installing it on first use; (None, reason) when impossible."""
    if importlib.util.find_spec("text2qti") is not None:
        return [sys.executable, "-c", "from text2qti.cmdline import main; main()"], "current interpreter"
    exe = TEXT2QTI_VENV / ("Scripts" if os.name == "nt" else "bin") / "text2qti"
    if not exe.exists():
        print(f"  installing text2qti=={TEXT2QTI_VERSION} into {TEXT2QTI_VENV} (first run only)...", flush=True)
        python = TEXT2QTI_VENV / ("Scripts" if os.name == "nt" else "bin") / "python"
        steps = [
            [sys.executable, "-m", "venv", str(TEXT2QTI_VENV)],
            [str(python), "-m", "pip", "install", "--quiet", f"text2qti=={TEXT2QTI_VERSION}"],
        ]
        for step in steps:
            try:
                proc = subprocess.run(step, capture_output=True, text=True, check=False, timeout=600)
            except (OSError, subprocess.TimeoutExpired) as exc:
                return None, f"{' '.join(step[:4])} failed: {exc}"
            if proc.returncode != 0:
                lines = (proc.stderr or proc.stdout).strip().splitlines()
                return None, f"{' '.join(step[:4])} failed: {lines[-1] if lines else proc.returncode}"
    return [str(exe)], str(TEXT2QTI_VENV)


def _block(marker: str, text: str) -> list[str]:
    """One text2qti element: the marker, then the text; continuation lines indented to match."""
    indent = " " * (len(marker) + 1)
    first, *rest = text.strip().splitlines() or [""]
    return [f"{marker} {first}", *(indent + line if line.strip() else "" for line in rest)]


def _choices(marker_for: Callable[[int, bool], str], texts: Sequence[tuple[str, bool, str | None]]) -> list[str]:
    lines: list[str] = []
    seen: set[str] = set()
    for i, (text, correct, feedback) in enumerate(texts):
        if text in seen:  # text2qti refuses duplicate choices; generated phrases can repeat
            text = f"{text} ({i + 1})"
        seen.add(text)
        lines += _block(marker_for(i, correct), text)
        if feedback:
            lines += _block("...", feedback)
    return lines


def _letter(i: int, correct: bool) -> str:
    return ("*" if correct else "") + "abcdefghijklmnopqrstuvwxyz"[i % 26] + ")"


def _box(i: int, correct: bool) -> str:
    return "[*]" if correct else "[ ]"


def text2qti_question(number: int, item: Item) -> list[str]:
    lines = [f"Title: {item.title or item.id}", f"Points: {item.points:g}"]
    lines += _block(f"{number}.", item.stem)
    if item.explanation:
        lines += _block("...", item.explanation)
    kind = item.type
    if kind in ("multiple_choice", "multiple_response"):
        marker = _box if kind == "multiple_response" else _letter
        lines += _choices(marker, [(o.text, o.correct, o.rationale) for o in item.options])  # type: ignore[union-attr]
    elif kind == "true_false":
        lines += _choices(_letter, [("True", item.answer, item.true_rationale), ("False", not item.answer, item.false_rationale)])  # type: ignore[union-attr]
    elif kind == "short_answer":
        for answer in dict.fromkeys(item.answers):  # type: ignore[union-attr]
            lines.append(f"*   {answer}")
    elif kind == "numerical":
        lines.append(f"=   {item.answer:g} +- {item.tolerance:g}")  # type: ignore[union-attr]
    elif kind == "matching":
        pairs = item.pairs  # type: ignore[union-attr]
        lines += _choices(_letter, [(p.match, i == 0, None) for i, p in enumerate(pairs)])
    else:
        lines.append("____")
    return lines


def text2qti_quiz(items: Sequence[BankItem]) -> str:
    lines = ["Quiz title: bench", "Quiz description: The qbank benchmark bank.", ""]
    for number, entry in enumerate(items, 1):
        lines += text2qti_question(number, entry.item)
        lines.append("")
    return "\n".join(lines)


def time_text2qti(items: Sequence[BankItem], workdir: Path, repeat: int) -> float | None:
    command, where = text2qti_command()
    if command is None:
        print(f"  text2qti: not run: {where}")
        return None
    quiz = workdir / "quiz.md"
    quiz.write_text(text2qti_quiz(items), encoding="utf-8")
    home = workdir / "home"
    home.mkdir(exist_ok=True)
    env = dict(os.environ, HOME=str(home), USERPROFILE=str(home))

    def run() -> None:
        proc = subprocess.run([*command, quiz.name], cwd=workdir, env=env, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise RuntimeError((proc.stderr or proc.stdout).strip()[-800:])

    try:
        seconds = best_of(repeat, run)
    except RuntimeError as exc:
        print(f"  text2qti failed on the generated quiz: {exc}")
        return None
    size = (workdir / "quiz.zip").stat().st_size
    report(f"text2qti {TEXT2QTI_VERSION} quiz.md", seconds, len(items), f"{size / 1e6:7.1f} MB (new process; text2qti from {where})")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark qbank exporters (and text2qti)")
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--format", dest="formats", action="append", default=[], help="only this format (repeatable)")
    parser.add_argument("--no-text2qti", action="store_true", help="skip the text2qti comparison")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        bank = Path(tmp) / "bank"
        generate(args.items, bank)
        start = time.perf_counter()
        items = load_items(bank)
        kinds = sorted({b.item.type for b in items})
        print(f"bank: {len(items)} items ({', '.join(kinds)}), loaded in {time.perf_counter() - start:.1f} s")
        print(f"exporters, in process, best of {args.repeat}:")
        timings = time_exporters(items, args.repeat, args.formats)

        if args.no_text2qti:
            return
        print(f"end to end, new process, best of {args.repeat}:")
        cli = time_cli_export(bank, Path(tmp) / "out.zip", "canvas", args.repeat, len(items)) if "canvas" in timings else None
        workdir = Path(tmp) / "text2qti"
        workdir.mkdir()
        t2q = time_text2qti(items, workdir, args.repeat)
        if t2q is None:
            return
        if "canvas" in timings:
            print(f"  text2qti / qbank canvas (in process): {t2q / timings['canvas']:.1f}x the time")
        else:
            print("  no ratio: the canvas exporter is not written yet")
        if cli is not None:
            print(f"  text2qti / qbank export canvas (both new processes): {t2q / cli:.1f}x the time")


if __name__ == "__main__":
    main()
