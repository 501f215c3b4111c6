"""Fuzz the YAML loader, format detection and every importer for a time budget (not a pytest test).

    python benchmarks/fuzz.py [--target all | loader,lint,detect,gift,moodle-xml,canvas,qti21,qti30,csv,aiken,rexams]
                              [--seconds 60] [--jobs 1] [--crashes DIR] [--timeout 2] [--memory-mb 200] [--seed N]
    python benchmarks/fuzz.py --target moodle-xml --replay DIR_OR_FILE ...

Examples: ``--target all --seconds 120 --jobs 2`` (every target for two minutes, two at a time);
``--target csv,aiken --seconds 300``; ``--target gift --replay /tmp/qbank-fuzz-x/gift`` (run saved
inputs again, say after a fix).

The contract checked for every input:

* ``loader``: ``qbank.loader.load_bytes`` returns normally (bad input becomes ``Problem`` records
  in the ``LoadResult``); any exception is a bug.
* ``lint``: the loader's inputs, then every lint rule over what loaded (``lint_loaded``); any
  exception is a bug, and so is a rule that stalls on pathological text.
* ``detect``: ``qbank.importers.detect_format`` returns a format name or None; any exception is a bug.
* an importer (``gift``, ``moodle-xml``, ...): ``detect(data, name)`` returns a bool or raises
  ``ImportFailure``, and ``read(data, name)`` returns an ``ImportResult`` or raises
  ``ImportFailure`` with a message; any other exception is a bug.
* every call finishes within ``--timeout`` seconds and its peak memory grows by at most
  ``--memory-mb`` (the resident-set high-water mark, reset before each input through
  ``/proc/self/clear_refs``, so memory allocated by C libraries such as libxml2 counts too;
  ``--tracemalloc`` adds Python's own allocation peak).

Inputs run in a worker process (one per target, restarted after a hang or a crash of the process
itself). The worker interrupts a slow call with ``SIGALRM`` (so the report says where it was
stuck) and the parent kills the worker when even that does not come back. Inputs come from
hypothesis, driven programmatically with a time budget: most are real files mutated with
knowledge of their structure (XML elements and attributes, zip members, YAML nodes, CSV cells,
GIFT/Aiken/R-exams tokens, deeply nested markup), some are XML generated from the vocabulary of
those files, some are random bytes or token soup. Seeds are the shared corpora
(``../shared/corpora`` and ``../shared/gift-samples``; ``--corpus`` replaces them), the sample bank
under ``items/`` exported to every format (the whole bank and each item alone, plus Aiken and
R/exams renderings of it), and the YAML fixtures.

A new failure (status + exception type + innermost qbank frame) is re-run to confirm it (a slow
input must be slow twice), then minimised (zip members, XML elements, attributes and text, lines,
then chunks of bytes; ``--minimize-seconds`` each, not counted in the fuzzing budget) and saved to
``--crashes`` (default: a new temporary folder, never the repository) as ``NAME.min.EXT`` (the
minimal input), ``NAME.orig.EXT`` (as found) and ``NAME.report.txt`` (signature, repr and
traceback). At the end each target reports inputs tried, the share accepted (read into at least
one item; loader: no problem; detect: a format found), time, distinct failures with their minimal
inputs, the slowest input and the peak memory growth. Exit status: 0 when no failure was found,
1 otherwise, 2 for a usage error.
"""

from __future__ import annotations

import argparse
import copy
import csv
import hashlib
import io
import json
import os
import random
import re
import resource
import selectors
import signal
import struct
import subprocess
import sys
import tempfile
import time
import traceback
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

TARGETS = ("loader", "lint", "detect", "gift", "moodle-xml", "canvas", "qti21", "qti30", "csv", "aiken", "rexams")
MAX_INPUT = 1 << 20  # mutated inputs are capped at 1 MiB
MAX_SEED = 256 * 1024  # bigger corpus files are used through their zip members

# --------------------------------------------------------------------------------------------------
# Worker: runs one target in-process, one input at a time, with a time and memory guard.
# --------------------------------------------------------------------------------------------------


class _Timeout(BaseException):
    """Raised by SIGALRM inside the call; a BaseException so that ``except Exception`` cannot swallow it."""


def _on_alarm(signum: int, frame: Any) -> None:
    raise _Timeout()


def _hwm_kb() -> int | None:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_hwm() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def _short_tb() -> str:
    """The current traceback, with the middle of a very deep one (recursion) left out."""
    lines = traceback.format_exc().splitlines()
    if len(lines) > 80:
        lines = lines[:30] + [f"    ... {len(lines) - 60} lines left out ..."] + lines[-30:]
    return "\n".join(lines)


def _frames(tb: Any) -> tuple[str, str]:
    """(innermost frame, innermost frame inside qbank) as 'path:line in function'."""
    frames = traceback.extract_tb(tb)
    if not frames:
        return "?", "?"

    def show(f: traceback.FrameSummary) -> str:
        name = f.filename
        try:
            name = Path(name).resolve().relative_to(REPO).as_posix()
        except ValueError:
            name = "/".join(Path(name).parts[-2:])
        return f"{name}:{f.lineno} in {f.name}"

    ours = [f for f in frames if _is_ours(f.filename)]
    return show(frames[-1]), show(ours[-1]) if ours else "?"


def _is_ours(filename: str) -> bool:
    try:
        rel = Path(filename).resolve().relative_to(REPO)
    except ValueError:
        return False
    return rel.parts[0] in ("qbank", "exporters")


def _make_call(target: str) -> Callable[[str, bytes], bool]:
    """The call under test; it returns whether the input was accepted (items or no problems)."""
    if target == "lint":
        # The loader's inputs, then every lint rule on whatever loaded: text rules run regexes over
        # the author's text, so a pathological stem must not stall them either.
        from qbank.config import Config
        from qbank.lint.engine import Selection, lint_loaded
        from qbank.loader import LoadResult, load_bytes

        selection = Selection.from_config(Config())

        def lint_call(name: str, data: bytes) -> bool:
            result = LoadResult()
            load_bytes(data, name, result)
            report = lint_loaded(result, selection)
            return bool(result.items) and not report.findings

        return lint_call
    if target == "loader":
        from qbank.loader import LoadResult, Problem, load_bytes

        def call(name: str, data: bytes) -> bool:
            result = LoadResult()
            load_bytes(data, name, result)
            for p in result.problems:
                if not isinstance(p, Problem) or not p.message:
                    raise AssertionError(f"contract: a problem without a message: {p!r}")
            return not result.problems

        return call
    from qbank.importers import ImportFailure, ImportResult, all_importers, detect_format

    if target == "detect":

        def call(name: str, data: bytes) -> bool:
            found = detect_format(data, name)
            if found is not None and found not in all_importers():
                raise AssertionError(f"contract: detect_format returned {found!r}")
            return found is not None

        return call
    importer = all_importers()[target]

    def call(name: str, data: bytes) -> bool:
        try:
            seen = importer.detect(data, name)
            if not isinstance(seen, bool):
                raise AssertionError(f"contract: detect returned {seen!r}, not a bool")
        except ImportFailure:
            pass
        try:
            result = importer.read(data, name)
        except ImportFailure as exc:
            if not isinstance(exc.message, str) or not exc.message.strip():
                raise AssertionError("contract: an ImportFailure without a message") from None
            return False
        if not isinstance(result, ImportResult):
            raise AssertionError(f"contract: read returned {type(result).__name__}, not an ImportResult")
        return bool(result.items)

    return call


def worker_main(target: str, timeout: float, memory_mb: int, use_tracemalloc: bool) -> None:
    """Read framed (name, data) requests on stdin, answer framed JSON on the original stdout."""
    out = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)  # anything the code under test prints goes to stderr, never into the protocol
    inp = sys.stdin.buffer
    call = _make_call(target)
    signal.signal(signal.SIGALRM, _on_alarm)
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    try:  # a hard cap well above the reporting threshold protects the machine from a real bomb
        cap = (memory_mb * 10 + 2048) * 2**20 + _vm_size()
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (ValueError, OSError):
        pass
    if use_tracemalloc:
        import tracemalloc

        tracemalloc.start()
    can_reset = _reset_hwm() and _hwm_kb() is not None
    while True:
        header = inp.read(8)
        if len(header) < 8:
            return
        name_len, data_len = struct.unpack("<II", header)
        name = inp.read(name_len).decode("utf-8", "replace")
        data = inp.read(data_len)
        reply: dict[str, Any] = {"status": "ok"}
        if can_reset:
            _reset_hwm()
            base = _hwm_kb() or 0
        else:
            base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        if use_tracemalloc:
            tracemalloc.reset_peak()
            py_base = tracemalloc.get_traced_memory()[0]
        start = time.perf_counter()
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            reply["accepted"] = call(name, data)
        except _Timeout:
            inner, ours = _frames(sys.exc_info()[2])
            reply = {"status": "timeout", "type": "Timeout", "frame": inner, "ours": ours, "tb": _short_tb()}
        except MemoryError:
            inner, ours = _frames(sys.exc_info()[2])
            reply = {"status": "memory", "type": "MemoryError", "frame": inner, "ours": ours, "tb": _short_tb()}
        except BaseException as exc:  # noqa: BLE001 - any other exception is what we are looking for
            inner, ours = _frames(exc.__traceback__)
            reply = {
                "status": "crash",
                "type": type(exc).__name__,
                "message": str(exc)[:500],
                "frame": inner,
                "ours": ours,
                "tb": _short_tb(),
            }
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        reply["seconds"] = time.perf_counter() - start
        after = _hwm_kb() if can_reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        reply["memory_mb"] = max(0, (after or 0) - base) / 1024
        if use_tracemalloc:
            reply["python_mb"] = (tracemalloc.get_traced_memory()[1] - py_base) / 2**20
            reply["memory_mb"] = max(reply["memory_mb"], reply["python_mb"])
        if reply["status"] == "ok" and reply["memory_mb"] > memory_mb:
            reply.update(status="memory", type="Memory", frame="?", ours="?", tb=f"peak grew by {reply['memory_mb']:.0f} MB")
        payload = json.dumps(reply).encode("utf-8")
        out.write(struct.pack("<I", len(payload)) + payload)


def _vm_size() -> int:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class Worker:
    """The parent's handle on a worker process; restarts it after a hang or a death."""

    def __init__(self, target: str, timeout: float, memory_mb: int, use_tracemalloc: bool, verbose: bool) -> None:
        self.args = [sys.executable, str(Path(__file__).resolve()), "--worker", target,
                     "--timeout", str(timeout), "--memory-mb", str(memory_mb)]
        if use_tracemalloc:
            self.args.append("--tracemalloc")
        self.timeout = timeout
        self.verbose = verbose
        self.proc: subprocess.Popen[bytes] | None = None

    def _start(self) -> subprocess.Popen[bytes]:
        env = dict(os.environ, PYTHONHASHSEED="0")
        self.proc = subprocess.Popen(
            self.args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=None if self.verbose else subprocess.DEVNULL, env=env, cwd=tempfile.gettempdir(),
        )
        return self.proc

    def stop(self) -> None:
        if self.proc is not None:
            try:
                self.proc.kill()  # our own child, by its handle
                self.proc.wait(5)
            except OSError:
                pass
            self.proc = None

    def run(self, name: str, data: bytes) -> dict[str, Any]:
        proc = self.proc or self._start()
        start = time.perf_counter()
        raw_name = name.encode("utf-8")
        try:
            assert proc.stdin is not None
            proc.stdin.write(struct.pack("<II", len(raw_name), len(data)) + raw_name + data)
            proc.stdin.flush()
        except (BrokenPipeError, OSError):
            return self._died(start)
        wait = max(3 * self.timeout, self.timeout + 5)
        reply = self._read(proc, wait)
        if reply is None:
            if proc.poll() is None:
                self.stop()
                return {"status": "timeout", "type": "Hang", "frame": "?", "ours": "?",
                        "tb": f"no answer within {wait:.0f} s (stuck in C code?); the worker was killed",
                        "seconds": time.perf_counter() - start, "memory_mb": 0}
            return self._died(start)
        return reply

    def _died(self, start: float) -> dict[str, Any]:
        code = self.proc.poll() if self.proc else None
        self.stop()
        return {"status": "died", "type": f"exit {code}", "frame": "?", "ours": "?",
                "tb": f"the worker process died (exit status {code}; a negative number is a signal)",
                "seconds": time.perf_counter() - start, "memory_mb": 0}

    @staticmethod
    def _read(proc: subprocess.Popen[bytes], wait: float) -> dict[str, Any] | None:
        """One framed reply, or None when none comes within ``wait`` seconds or the worker is gone."""
        assert proc.stdout is not None
        fd = proc.stdout.fileno()
        deadline = time.monotonic() + wait
        with selectors.DefaultSelector() as sel:
            sel.register(fd, selectors.EVENT_READ)

            def exactly(n: int) -> bytes | None:
                buf = b""
                while len(buf) < n:
                    left = deadline - time.monotonic()
                    if left <= 0 or not sel.select(left):
                        return None
                    chunk = os.read(fd, n - len(buf))
                    if not chunk:
                        return None
                    buf += chunk
                return buf

            header = exactly(4)
            if header is None:
                return None
            body = exactly(struct.unpack("<I", header)[0])
        return None if body is None else json.loads(body)


# --------------------------------------------------------------------------------------------------
# Seeds
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seed:
    name: str
    data: bytes
    origin: str


def _read_zip(data: bytes) -> list[tuple[str, bytes]] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return [(i.filename, z.read(i)) for i in z.infolist() if not i.is_dir()]
    except Exception:  # noqa: BLE001 - a damaged zip is simply not structured
        return None


def _write_zip(members: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return buf.getvalue()


def _zip_folder(folder: Path) -> bytes:
    return _write_zip([(p.relative_to(folder).as_posix(), p.read_bytes()) for p in sorted(folder.rglob("*")) if p.is_file()])


def _aiken_from(item: Any) -> str | None:
    if getattr(item, "type", None) != "multiple_choice" or len(item.options) > 26:
        return None
    lines = [item.stem.replace("\n", " ")]
    key = "A"
    for i, option in enumerate(item.options):
        letter = chr(ord("A") + i)
        lines.append(f"{letter}{'.' if i % 2 else ')'} {option.text.replace(chr(10), ' ')}")
        if option.correct:
            key = letter
    lines.append(f"ANSWER: {key}")
    return "\n".join(lines) + "\n"


def _rexams_from(item: Any, rnw: bool) -> str | None:
    """The item as an R/exams exercise (.Rmd or .Rnw), for seeds that import into items."""
    kind = getattr(item, "type", None)
    options: list[str] = []
    rationales: list[str] = []
    meta: dict[str, str] = {"exname": item.id}
    if kind in ("multiple_choice", "multiple_response"):
        options = [o.text.replace("\n", " ") for o in item.options]
        rationales = [("True. " if o.correct else "False. ") + (o.rationale or "").replace("\n", " ") for o in item.options]
        meta["extype"] = "schoice" if kind == "multiple_choice" else "mchoice"
        meta["exsolution"] = "".join("1" if o.correct else "0" for o in item.options)
        meta["exshuffle"] = "TRUE"
    elif kind == "numerical":
        meta.update(extype="num", exsolution=str(item.answer), extol=str(item.tolerance or 0))
    elif kind == "short_answer":
        meta.update(extype="string", exsolution=item.answers[0])
    elif kind == "essay":
        meta.update(extype="string", exsolution="-", exstringtype="essay")
    else:
        return None
    meta["expoints"] = str(item.points)
    explanation = item.explanation or "See the notes."
    if rnw:
        def answerlist(entries: list[str]) -> list[str]:
            return ["\\begin{answerlist}"] + [f"  \\item {e}" for e in entries] + ["\\end{answerlist}"] if entries else []

        lines = ["\\begin{question}", item.stem, *answerlist(options), "\\end{question}", "",
                 "\\begin{solution}", explanation, *answerlist(rationales), "\\end{solution}", ""]
        lines += [f"%% \\{k}{{{v}}}" for k, v in meta.items()]
    else:
        def answerlist(entries: list[str]) -> list[str]:
            return ["", "Answerlist", "----------"] + [f"* {e}" for e in entries] if entries else []

        lines = ["Question", "========", item.stem, *answerlist(options), "", "Solution", "========", explanation,
                 *answerlist(rationales), "", "Meta-information", "================", *[f"{k}: {v}" for k, v in meta.items()]]
    return "\n".join(lines) + "\n"


_HANDWRITTEN_AIKEN = [
    "Which stage comes first?\nA. Contemplation\nB) Precontemplation\nANSWER: B\n",
    "Q1 line one\nline two\nA) a\nB) b\nC) c\nanswer: c\n\nQ2\nA.x\nB.y\nANSWER:A\n",
    "What?\r\nA) yes\r\nB) no\r\nANSWER: A\r\n",
]


def collect_seeds(corpora: list[Path], log: Callable[[str], None]) -> dict[str, list[Seed]]:
    """Seeds per target: corpus files (by detected format), exports of the sample bank, fixtures."""
    from qbank.importers import detect_format

    seeds: dict[str, list[Seed]] = {t: [] for t in TARGETS}
    skip_suffix = {".md", ".png", ".jpg", ".rda", ".json", ".tex", ".sty"}
    extension_hint = {".gift": "gift", ".rmd": "rexams", ".rnw": "rexams", ".csv": "csv"}

    def add(target: str, name: str, data: bytes, origin: str) -> None:
        if len(data) <= MAX_SEED:
            seeds[target].append(Seed(name, data, origin))

    for corpus in corpora:
        if not corpus.is_dir():
            log(f"(no corpus at {corpus}; skipped)")
            continue
        for path in sorted(p for p in corpus.rglob("*") if p.is_file()):
            if path.suffix.lower() in skip_suffix or path.name.startswith(("LICENSE", "SOURCE")):
                continue
            data = path.read_bytes()
            origin = str(path)
            if len(data) <= MAX_SEED:
                seeds["detect"].append(Seed(path.name, data, origin))
            fmt = detect_format(data, path.name) or extension_hint.get(path.suffix.lower())
            if len(data) > MAX_SEED and path.suffix == ".zip":
                members = _read_zip(data) or []
                xmls = [(n, d) for n, d in members if n.endswith(".xml") and len(d) <= MAX_SEED and "manifest" not in n]
                for member, content in random.Random(n_hash(origin)).sample(xmls, min(12, len(xmls))):
                    member_fmt = detect_format(content, Path(member).name)
                    if member_fmt:
                        add(member_fmt, Path(member).name, content, f"{origin}!{member}")
                continue
            if fmt:
                add(fmt, path.name, data, origin)
        # Unzipped packages in the corpus (text2qti's output) become zip seeds again.
        for manifest in corpus.rglob("imsmanifest.xml"):
            data = _zip_folder(manifest.parent)
            fmt = detect_format(data, "package.zip")
            if fmt:
                add(fmt, "package.zip", data, f"{manifest.parent} (zipped)")
    _bank_seeds(seeds, log)
    for path in sorted((REPO / "items").rglob("*.yaml")) + sorted((REPO / "tests" / "fixtures").rglob("*.yaml")):
        seeds["loader"].append(Seed(path.name, path.read_bytes(), str(path)))
    extra = REPO / "benchmarks" / "lint-eval-extra" / "items.yaml"
    if extra.is_file():
        seeds["loader"].append(Seed(extra.name, extra.read_bytes(), str(extra)))
    try:
        sys.path.insert(0, str(REPO / "benchmarks"))
        from generate_bank import make_item

        rng = random.Random(7)
        for i in range(12):
            seeds["loader"].append(Seed(f"gen-{i}.yaml", make_item(i, rng).encode(), "generate_bank.make_item"))
    except ImportError:
        pass
    for text in _HANDWRITTEN_AIKEN:
        seeds["aiken"].append(Seed("questions.txt", text.encode(), "handwritten"))
    seeds["lint"] = list(seeds["loader"])
    for target in TARGETS:
        if target not in ("detect", "lint"):
            seeds["detect"].extend(seeds[target])
    return seeds


def n_hash(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)


def _bank_seeds(seeds: dict[str, list[Seed]], log: Callable[[str], None]) -> None:
    """The sample bank exported to every format: the whole bank and each item on its own."""
    try:
        from qbank.config import Config
        from qbank.export import _category, load_bank, resolve_media
        from qbank.exporters import BankItem, ExportOptions, all_exporters
    except ImportError as exc:  # pragma: no cover
        log(f"(no export seeds: {exc})")
        return
    bank = REPO / "items"
    loaded = load_bank([bank], Config())
    items = [BankItem(e.item, resolve_media(e), _category(e, [bank])) for e in loaded.items]
    options = ExportOptions(title="fuzz", identifier="fuzz")
    suffix = {"canvas": ".zip", "qti21": ".zip", "qti30": ".zip", "gift": ".gift", "moodle-xml": ".xml", "csv": ".csv"}
    for fmt, exporter in all_exporters().items():
        if fmt not in seeds:
            continue
        groups = [items] + [[one] for one in items]
        for n, group in enumerate(groups):
            try:
                data = exporter.export(group, options).data
            except Exception as exc:  # noqa: BLE001 - an exporter bug is not this script's business
                log(f"(export {fmt} failed: {type(exc).__name__}: {exc})")
                break
            name = f"{'bank' if n == 0 else group[0].item.id}{suffix.get(fmt, '.txt')}"
            seeds[fmt].append(Seed(name, data, f"items/ exported as {fmt}"))
            if fmt in ("qti21", "qti30") and n and n % 4 == 0:  # some single item XML files too
                for member, content in _read_zip(data) or []:
                    if member.endswith(".xml") and "manifest" not in member:
                        seeds[fmt].append(Seed(Path(member).name, content, f"items/ exported as {fmt}!{member}"))
    for entry in loaded.items:
        text = _aiken_from(entry.item)
        if text:
            seeds["aiken"].append(Seed("questions.txt", text.encode(), "items/ as Aiken"))
    for entry in loaded.items:
        for rnw in (False, True):
            text = _rexams_from(entry.item, rnw)
            if text:
                seeds["rexams"].append(Seed(f"{entry.item.id}.{'Rnw' if rnw else 'Rmd'}", text.encode(), "items/ as R/exams"))
    mc = [t for t in (_aiken_from(e.item) for e in loaded.items) if t]
    if mc:
        seeds["aiken"].append(Seed("bank.txt", "\n".join(mc).encode(), "items/ as Aiken"))


# --------------------------------------------------------------------------------------------------
# Mutations (driven by hypothesis draws, so a run is reproducible from its seed)
# --------------------------------------------------------------------------------------------------

COMMON_SPECIALS = ["\n", "\r\n", "\r", "\t", " ", "\x00", "\ufeff", "\u00a0", "\u2028", "\u202e", "\U0001F600", "é",
                   "\\", "\"", "'", "`", "$", "%", "&", "<", ">", "{", "}", "[", "]", "#", ":", "=", "~"]
NUMBERS = ["0", "-0", "-1", "1", "0.5", "1e309", "-1e309", "1e-400", "NaN", "nan", "inf", "-inf", "Infinity",
           "99999999999999999999999999", "0x10", "1_000", "1,5", "١٢", "½", " 7 ", "+3", "1e5", "1.", ".5", "--1"]
GIFT_SPECIALS = ["{", "}", "~", "=", "#", "##", "####", "->", ":", "::", "\\", "//", "// comment\n", "$CATEGORY: ",
                 "$CATEGORY: a/b\n\n", "[html]", "[markdown]", "[moodle]", "[plain]", "%50%", "%-100%", "%100%",
                 "%abc%", "%%", "..", ":1:2", "{#", "{T}", "{F}", "{TRUE#a#b}", "{=a -> b =c -> d}", "{#1..2}",
                 "{#3:0.5}", "{#=1:0 =%50%2:1}", "{}", "{=a ~b}", "{~%100%a ~%-50%b}", "{\n=a\n~b\n}", "\n\n",
                 "\\{", "\\}", "\\=", "\\~", "\\#", "\\:", "\\n", "::Title::", "::", "<p>", "</p>", "&amp;",
                 "@@PLUGINFILE@@/x.png", "![](x.png)", "{#\n}", "{=}", "{~}", "{#}", "{T#}", "{#:}", "{#..}", "{#1:}",
                 "{1:MULTICHOICE:=a~b}"]
YAML_SPECIALS = ["\n", ": ", "- ", "---\n", "...\n", "&a ", "*a", "&a [x, x]\n", "!!binary ", "!!str ", "!!int ", "!!float ",
                 "!!map ", "!!seq ", "!!set ", "!!omap ", "!!timestamp ", "!!python/object:os.system ", "!foo ", "! ",
                 "? ", "|", "|-", "|+", ">", ">-", "|2", "#", "{", "}", "[", "]", "'", '"', "\t", "%YAML 1.1\n---\n",
                 "%YAML 2.0\n---\n", "%TAG ! tag:x,2000:\n---\n", "<<: *a\n", "<<: ", "~", "null", ".inf", "-.inf", ".nan",
                 "0x1F", "0o17", "1e309", "yes", "no", "on", "2024-01-01", "2024-13-45", "12:30:00", "=", "@", "`", "%",
                 "\\u0000", '"\\x00"', '"\\ud800"', "\x85", "\u2028", "\ufeff", " #", "\n  ", "\n    ", ",", "- - - ",
                 "{a: 1, a: 2}", "[[[[[[[[", "]]]]]]]]", "{{{{{{{{", "}}}}}}}}"]
XML_TEXT_SPECIALS = ["<", ">", "&", "&amp;", "&#0;", "&#1;", "&#x10FFFF;", "&#xD800;", "&#65;", "&unknown;", "<![CDATA[x]]>",
                     "<![CDATA[", "]]>", "<!--", "-->", "<!-- c -->", "<?pi x?>", "<?xml version='1.0'?>", "<!DOCTYPE x>",
                     " xmlns=\"\"", " xmlns:a=\"urn:x\"", "\"", "'", "=", "/>", "</", "<a>", "</a>", "\x00", "\ufeff",
                     "\x0b", "\ud7ff", " encoding=\"latin-1\"", " encoding=\"UTF-16\"", " standalone=\"yes\""]
MARKUP_VALUES = ["", " ", "x", "<p>x</p>", "<p></p>", "<img src=\"@@PLUGINFILE@@/a.png\">", "<img src=\"a.png\" alt=\"\">",
                 "<img src=\"../../etc/passwd\">", "<img src=\"/abs.png\">", "<img src=\"data:image/png;base64,AAAA\">",
                 "<img src=\"http://example.invalid/x.png\">", "<img>", "<a href=\"javascript:alert(1)\">x</a>",
                 "<script>alert(1)</script>", "<table><tr><td>x</td></tr></table>", "&nbsp;", "$$x$$", "\\(x\\)",
                 "[[1]]", "{1:MULTICHOICE:=a~b}", "<math><mi>x</mi></math>", "<p>" * 60, "</div>", "<br>" * 5,
                 "x" * 5000, "\n\n\n", "\u202e", "\x00", "\ufffe", "é" * 3, "<b>a</b><i>b</i>", "<pre>a\n  b</pre>",
                 "@@PLUGINFILE@@/", "@@PLUGINFILE@@/../x.png", "<img src=\"@@PLUGINFILE@@/%2e%2e/x.png\">",
                 # deep nesting: converters that walk trees recursively stop at Python's recursion limit
                 "<b>" * 1200 + "x", "<div>" * 1200, "<ul><li>" * 400, "<table><tr><td>" * 300, "<span>" * 3000,
                 "<blockquote>" * 1000, "<p><i>" * 700, "</b>" * 1000, "<br>" * 20000]
DEEP_TEXT = ["> " * 1000 + "x", "- " * 600 + "x", "* " * 600, "[" * 3000, "(" * 3000, "*" * 5000, "_" * 5000, "`" * 3000,
             "<b>" * 1200 + "x", "<div>" * 1200, "\\" * 3000, "![" * 2000, "{" * 2000, "}" * 2000, "\n" * 5000,
             "1. " * 600, "    " * 800 + "x", "#" * 1000, "|" * 3000, "$" * 3000]
ATTRIBUTE_VALUES = ["", " ", "0", "-1", "1", "100", "50", "-100", "1e309", "NaN", "inf", "999999999999999999999", "0.0000001",
                    "true", "false", "Yes", "No", "x", "../../x", "/abs", "C:\\x", "a b", "%", "\u202e", "é", "1,5", " 1 ",
                    "100%", "html", "moodle_auto_format", "markdown", "plain_text", "base64", "multichoice", "truefalse",
                    "shortanswer", "numerical", "matching", "essay", "description", "category", "cloze", "ddwtos",
                    "single", "multiple", "identifier", "RESPONSE", "SCORE", "float", "integer", "string", "identifier",
                    "directedPair", "pair", "ordered", "cardinality", "multiple_choice_question", "true_false_question",
                    "short_answer_question", "essay_question", "numerical_question", "matching_question",
                    "multiple_answers_question", "fill_in_multiple_blanks_question", "text_only_question"]
CSV_VALUES = ["", " ", "[]", "[\"a\"]", "[\"a\",\"b\"]", "[1,2]", "[0]", "[-1]", "[99]", "[true]", "[null]", "[[]]", "{}",
              "[", "null", "true", "TRUE", "false", "x", "'", "''", "'=1+1", "=1+1", "-3.25", "1e309", "NaN", "-1", "0", "2",
              "multiple_choice", "multiple_response", "true_false", "short_answer", "numerical", "matching", "essay",
              "draft", "approved", "retired", "[\"x\",\"x\"]", "[{\"a\":1}]", "\"", "a\nb", "a,b", "a;b", "\ufeff",
              "[\"a\"", "[\"\\ud800\"]", "\"[\"", "1" * 400, "[" * 300 + "]" * 300]
AIKEN_SPECIALS = ["ANSWER: A", "ANSWER: B", "ANSWER:", "ANSWER: Z", "answer: b", "ANSWER: AB", "ANSWER:A", "ANSWER: 1",
                  "ANSWER: a", "Answer :  c", "A) ", "B. ", "A.", "B)", "Z) x", "a) x", "A) x\n", "C. y\n", "\n\n",
                  "ANSWER: A\n", "\nANSWER: B\n", "\n"]
REXAMS_SPECIALS = ["Question\n========\n", "Solution\n========\n", "Meta-information\n================\n",
                   "Answerlist\n----------\n", "* ", "\n* ", "exname: ", "extype: schoice", "extype: mchoice", "extype: num",
                   "extype: string", "extype: cloze", "extype: foo", "extype:", "exsolution: ", "exsolution: 0101",
                   "exsolution: 1", "exsolution: 10000000000000000000000", "exsolution: `r x`", "exsolution: abc",
                   "extol: ", "extol: abc", "extol: -1", "expoints: ", "expoints: -1", "expoints: x", "exshuffle: ",
                   "exshuffle: 3", "exshuffle: TRUE", "exshuffle: 0", "exstringtype: essay", "exclozetype: num|string",
                   "```{r}\n", "```\n", "`r x`", "\\Sexpr{x}", "\\begin{question}", "\\end{question}",
                   "\\begin{solution}", "\\end{solution}", "\\begin{answerlist}", "\\end{answerlist}", "\\item ",
                   "\\exname{", "\\extype{schoice}", "\\extype{", "\\exsolution{", "\\extol{", "%% ", "<<>>=\n", "@\n",
                   "\\emph{", "\\textbf{", "}", "{", "$", "$$", "\\%", "\\&", "\\_", "\\#", "~", "|", "=====", "-----",
                   "========\n", "----------\n", "\n\n", "&#", "\\", "\\\\"]


def _nested(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


@dataclass
class Vocab:
    """Pieces of the seeds that mutations recombine: tokens, XML names and values, YAML keys, CSV cells."""

    specials: list[str]
    tokens: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    attrs: list[str] = field(default_factory=list)
    values: list[str] = field(default_factory=list)
    subtrees: list[bytes] = field(default_factory=list)
    yaml_keys: list[str] = field(default_factory=list)
    yaml_scalars: list[Any] = field(default_factory=list)


def _xml_root(data: bytes) -> Any:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False)
    try:
        return etree.fromstring(data, parser)
    except Exception:  # noqa: BLE001
        return None


def build_vocab(target: str, seeds: list[Seed]) -> Vocab:
    specials = {
        "gift": GIFT_SPECIALS, "aiken": AIKEN_SPECIALS, "rexams": REXAMS_SPECIALS, "loader": YAML_SPECIALS, "lint": YAML_SPECIALS,
        "csv": CSV_VALUES + [",", ";", "\t", "\"", "\r\n"],
    }.get(target, XML_TEXT_SPECIALS)
    if target == "detect":
        specials = GIFT_SPECIALS + YAML_SPECIALS + XML_TEXT_SPECIALS + AIKEN_SPECIALS + REXAMS_SPECIALS
    vocab = Vocab(list(specials) + COMMON_SPECIALS + DEEP_TEXT)
    tags: set[str] = set()
    attrs: set[str] = set()
    values: set[str] = set()
    rng = random.Random(1)
    for seed in seeds:
        pieces = [seed.data]
        members = _read_zip(seed.data) if seed.data[:2] == b"PK" else None
        if members:
            pieces = [d for n, d in members if n.endswith(".xml")]
        for piece in pieces:
            root = _xml_root(piece) if piece.lstrip()[:1] == b"<" else None
            if root is not None:
                for el in root.iter():
                    if not isinstance(el.tag, str):
                        continue
                    tags.add(el.tag)
                    for k, v in el.attrib.items():
                        attrs.add(k)
                        if len(v) < 80:
                            values.add(v)
                    if el.text and el.text.strip() and len(el.text) < 200:
                        values.add(el.text)
                    if len(vocab.subtrees) < 400 and rng.random() < 0.05:
                        from lxml import etree

                        blob = etree.tostring(el)
                        if len(blob) < 4000:
                            vocab.subtrees.append(blob)
            else:
                text = piece.decode("utf-8", "replace")
                for line in text.splitlines():
                    if 0 < len(line) < 200:
                        vocab.tokens.append(line)
    vocab.tags, vocab.attrs = sorted(tags), sorted(attrs)
    vocab.values = sorted(values)[:5000]
    vocab.tokens = sorted(set(vocab.tokens))[:5000]
    if target in ("loader", "lint", "detect"):
        _yaml_vocab(vocab, [s for s in seeds if s.name.endswith((".yaml", ".yml"))])
    return vocab


def _yaml_safe() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=False)
    yaml.allow_duplicate_keys = True
    return yaml


def _yaml_vocab(vocab: Vocab, seeds: list[Seed]) -> None:
    keys: set[str] = set()
    scalars: list[Any] = []
    yaml = _yaml_safe()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                keys.add(str(k))
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
        elif len(scalars) < 3000:
            scalars.append(node)

    for seed in seeds:
        try:
            for doc in yaml.load_all(seed.data.decode("utf-8-sig")):
                walk(doc)
        except Exception:  # noqa: BLE001
            continue
    vocab.yaml_keys = sorted(keys)
    vocab.yaml_scalars = scalars


def _strategies(target: str, seeds: list[Seed], vocab: Vocab) -> Any:
    """The hypothesis strategy producing (name, data) for one target."""
    from hypothesis import strategies as st

    names = sorted({s.name for s in seeds}) or ["fuzz.txt"]

    def pick(draw: Any, pool: list[Any]) -> Any:
        return pool[draw(st.integers(0, len(pool) - 1))]

    # ---- byte and line level, for every format ------------------------------------------------
    def special(draw: Any) -> bytes:
        pools = [vocab.specials] + ([vocab.tokens] if vocab.tokens else []) + ([vocab.values] if vocab.values else [])
        return str(pick(draw, pick(draw, pools))).encode("utf-8", "surrogatepass")

    def position(draw: Any, data: bytes) -> int:
        if data and draw(st.booleans()):  # next to a byte that matters in this format
            marks = [i for i, b in enumerate(data[:65536]) if b in b"{}~=#:\\<>&\"'\n-*[]|$%@`"]
            if marks:
                return pick(draw, marks) + draw(st.integers(0, 1))
        return draw(st.integers(0, len(data)))

    def span(draw: Any, data: bytes) -> tuple[int, int]:
        a = draw(st.integers(0, len(data)))
        return a, min(len(data), a + draw(st.integers(0, max(1, min(len(data), 4096)))))

    def op_insert(draw: Any, data: bytes) -> bytes:
        at = position(draw, data)
        return data[:at] + special(draw) * draw(st.sampled_from([1, 1, 1, 2, 3, 50])) + data[at:]

    def op_replace(draw: Any, data: bytes) -> bytes:
        a, b = span(draw, data)
        b = min(b, a + draw(st.integers(0, 40)))
        return data[:a] + special(draw) + data[b:]

    def op_flip(draw: Any, data: bytes) -> bytes:
        if not data:
            return data
        at = draw(st.integers(0, len(data) - 1))
        value = draw(st.one_of(st.integers(0, 255), st.just(data[at] ^ (1 << draw(st.integers(0, 7))))))
        return data[:at] + bytes([value]) + data[at + 1:]

    def op_random_bytes(draw: Any, data: bytes) -> bytes:
        at = draw(st.integers(0, len(data)))
        return data[:at] + draw(st.binary(min_size=1, max_size=32)) + data[at:]

    def op_delete(draw: Any, data: bytes) -> bytes:
        a, b = span(draw, data)
        return data[:a] + data[b:]

    def op_duplicate(draw: Any, data: bytes) -> bytes:
        a, b = span(draw, data)
        return data[:b] + data[a:b] * draw(st.sampled_from([1, 1, 2, 10])) + data[b:]

    def op_truncate(draw: Any, data: bytes) -> bytes:
        return data[: draw(st.integers(0, len(data)))]

    def op_splice(draw: Any, data: bytes) -> bytes:
        other = pick(draw, seeds).data
        return data[: draw(st.integers(0, len(data)))] + other[draw(st.integers(0, len(other))):]

    def op_lines(draw: Any, data: bytes) -> bytes:
        lines = data.splitlines(keepends=True)
        if not lines:
            return data
        i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
        how = draw(st.sampled_from(["delete", "duplicate", "swap", "move", "indent", "dedent", "strip", "crlf", "other"]))
        if how == "delete":
            del lines[i]
        elif how == "duplicate":
            lines.insert(j, lines[i])
        elif how == "swap":
            lines[i], lines[j] = lines[j], lines[i]
        elif how == "move":
            lines.insert(j, lines.pop(i))
        elif how == "indent":
            lines[i] = b" " * draw(st.sampled_from([1, 2, 4, 8])) + lines[i]
        elif how == "dedent":
            lines[i] = lines[i].lstrip(b" \t")
        elif how == "strip":
            lines[i] = lines[i].rstrip(b"\r\n")
        elif how == "crlf":
            lines = [ln.rstrip(b"\r\n") + b"\r\n" if ln.endswith(b"\n") else ln for ln in lines]
        else:
            other = pick(draw, seeds).data.splitlines(keepends=True)
            if other:
                lines.insert(j, pick(draw, other))
        return b"".join(lines)

    byte_ops = [op_insert, op_insert, op_insert, op_replace, op_replace, op_flip, op_random_bytes, op_delete,
                op_duplicate, op_truncate, op_splice, op_lines, op_lines, op_lines]

    def text_mutation(draw: Any, data: bytes) -> bytes:
        return pick(draw, byte_ops)(draw, data)

    # ---- XML -------------------------------------------------------------------------------------
    def xml_mutation(draw: Any, data: bytes) -> bytes:
        from lxml import etree

        root = _xml_root(data)
        if root is None:
            return text_mutation(draw, data)
        for _ in range(draw(st.integers(1, 4))):
            if not xml_op(draw, root):
                return text_mutation(draw, data)
        try:
            return etree.tostring(root.getroottree(), encoding="UTF-8", xml_declaration=True)
        except Exception:  # noqa: BLE001
            return data

    def xml_op(draw: Any, root: Any) -> bool:
        """One change to the parsed tree; False when the draw asked for a byte-level change instead."""
        from lxml import etree

        elements = [e for e in root.iter() if isinstance(e.tag, str)]
        el = pick(draw, elements)
        how = draw(st.sampled_from(["delete", "duplicate", "move", "text", "text", "text", "attr", "attr", "delattr",
                                    "rename", "clear", "swap", "nest", "graft", "tail", "comment", "bytes"]))
        parent = el.getparent()

        def value(markup: bool = True) -> str:
            pools = [ATTRIBUTE_VALUES, NUMBERS] + ([MARKUP_VALUES] if markup else []) + ([vocab.values] if vocab.values else [])
            text = str(pick(draw, pick(draw, pools)))
            return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]", "", text)  # lxml refuses these

        if how == "delete" and parent is not None:
            parent.remove(el)
        elif how == "duplicate" and parent is not None:
            el.addnext(copy.deepcopy(el))
        elif how == "move" and parent is not None:
            target_el = pick(draw, elements)
            if target_el is not el and el not in target_el.iterancestors():
                target_el.append(el)
        elif how == "text":
            el.text = value()
        elif how == "tail" and parent is not None:
            el.tail = value()
        elif how == "attr":
            names = list(el.attrib) + vocab.attrs[:200] if draw(st.booleans()) else list(el.attrib) or vocab.attrs[:200]
            if names:
                try:
                    el.set(pick(draw, names), value(markup=False))
                except ValueError:
                    pass
        elif how == "delattr" and el.attrib:
            del el.attrib[pick(draw, list(el.attrib))]
        elif how == "rename" and vocab.tags:
            el.tag = pick(draw, vocab.tags)
        elif how == "clear":
            for child in list(el):
                el.remove(child)
        elif how == "swap" and parent is not None and len(parent) > 1:
            siblings = list(parent)
            other = pick(draw, siblings)
            if other is not el:
                a, b = siblings.index(el), siblings.index(other)
                parent.remove(el)
                parent.insert(b, el)
                parent.remove(other)
                parent.insert(a, other)
        elif how == "nest" and parent is not None:
            depth = draw(st.sampled_from([2, 10, 100, 200, 240, 300]))
            outer = inner = etree.Element(el.tag)
            for _ in range(depth - 1):
                inner = etree.SubElement(inner, el.tag)
            el.addprevious(outer)
        elif how == "graft" and vocab.subtrees:
            graft = _xml_root(pick(draw, vocab.subtrees))
            if graft is not None:
                el.append(graft)
        elif how == "comment":
            el.insert(0, etree.Comment("c"))
        elif how == "bytes":
            return False
        return True

    # ---- zip packages ----------------------------------------------------------------------------
    def zip_mutation(draw: Any, data: bytes) -> bytes:
        members = _read_zip(data)
        if not members or draw(st.integers(0, 9)) == 0:
            return text_mutation(draw, data)
        how = draw(st.sampled_from(["member", "member", "member", "member", "member", "delete", "rename", "add", "dup"]))
        i = draw(st.integers(0, len(members) - 1))
        name, content = members[i]
        if how == "member":
            mutate = xml_mutation if name.endswith(".xml") else text_mutation
            members[i] = (name, mutate(draw, content))
        elif how == "delete":
            del members[i]
        elif how == "rename":
            new = draw(st.sampled_from([name.upper(), name + ".bak", "./" + name, "a//" + name, name.replace("/", "\\"),
                                        "x/../" + name, "é/" + name, Path(name).name, name + "/", " " + name]))
            members[i] = (new, content)
        elif how == "add":
            members.append((draw(st.sampled_from(["extra.xml", "media/x.png", "imsmanifest.xml", "a/b/c.xml"])),
                            pick(draw, vocab.subtrees) if vocab.subtrees else b"<x/>"))
        else:
            members.insert(i, (name, content))
        try:
            return _write_zip(members)
        except Exception:  # noqa: BLE001 - duplicate names and the like: keep the raw bytes instead
            return data

    # ---- YAML ------------------------------------------------------------------------------------
    weird_values: list[Any] = [None, True, False, 0, -1, 2**70, -(2**70), 1.5, float("inf"), float("nan"), "", " ", "x" * 3000,
                               [], {}, [None], {"a": 1}, {"text": None}, [[[]]], "0", "true", "null", "multiple_choice",
                               "true_false", "numerical", "matching", "essay", "short_answer", "multiple_response",
                               "\x00", "\ufeff", "\u202e", "![](missing.png)", "<script>", "@@PLUGINFILE@@", *DEEP_TEXT,
                               "[" * 3000 + "]" * 3000, _nested(200), {"a": {"b": {"c": {"d": [[[[None]]]]}}}}]

    def yaml_mutation(draw: Any, data: bytes) -> bytes:
        yaml = _yaml_safe()
        try:
            docs = list(yaml.load_all(data.decode("utf-8-sig")))
        except Exception:  # noqa: BLE001
            return text_mutation(draw, data)
        if not docs:
            return text_mutation(draw, data)
        slots: list[tuple[Any, Any]] = []  # (container, key or index)

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                for k in list(node):
                    slots.append((node, k))
                    walk(node[k])
            elif isinstance(node, list):
                for n in range(len(node)):
                    slots.append((node, n))
                    walk(node[n])

        for _ in range(draw(st.integers(1, 4))):
            slots.clear()
            for doc in docs:
                walk(doc)
            how = draw(st.sampled_from(["value", "value", "value", "delete", "addkey", "renamekey", "dup", "doc", "scalar"]))
            if slots:
                container, key = pick(draw, slots)
                if how == "value":
                    container[key] = copy.deepcopy(pick(draw, weird_values))
                elif how == "scalar" and vocab.yaml_scalars:
                    container[key] = pick(draw, vocab.yaml_scalars)
                elif how == "delete":
                    del container[key]
                elif how == "addkey" and isinstance(container, dict):
                    container[pick(draw, vocab.yaml_keys or ["x"])] = copy.deepcopy(pick(draw, weird_values + vocab.yaml_scalars[:50]))
                elif how == "renamekey" and isinstance(container, dict):
                    new = pick(draw, vocab.yaml_keys or ["x"]) + draw(st.sampled_from(["", "", "s", "_", " "]))
                    container[new] = container.pop(key)
                elif how == "dup" and isinstance(container, list):
                    container.insert(key, copy.deepcopy(container[key]))
                elif how == "doc":
                    docs.append(copy.deepcopy(pick(draw, docs)))
        try:
            buf = io.StringIO()
            dumper = _yaml_safe()
            dumper.default_flow_style = draw(st.sampled_from([False, None]))
            dumper.dump_all(docs, buf)
            return buf.getvalue().encode("utf-8", "surrogatepass")
        except Exception:  # noqa: BLE001
            return data

    # ---- CSV ------------------------------------------------------------------------------------
    def csv_mutation(draw: Any, data: bytes) -> bytes:
        try:
            text = data.decode("utf-8-sig")
            rows = list(csv.reader(io.StringIO(text, newline="")))
        except Exception:  # noqa: BLE001
            return text_mutation(draw, data)
        if not rows:
            return text_mutation(draw, data)
        header = rows[0]
        how = draw(st.sampled_from(["cell", "cell", "cell", "cell", "row", "duprow", "col", "swapcol", "header", "delim", "ragged"]))
        r = draw(st.integers(0, len(rows) - 1))
        row = rows[r]
        if how == "cell" and row:
            c = draw(st.integers(0, len(row) - 1))
            pools = [CSV_VALUES, NUMBERS, MARKUP_VALUES, DEEP_TEXT] + ([vocab.tokens] if vocab.tokens else [])
            row[c] = str(pick(draw, pick(draw, pools)))
        elif how == "row" and len(rows) > 1:
            del rows[r]
        elif how == "duprow":
            rows.insert(r, list(row))
        elif how in ("col", "swapcol") and header:
            c = draw(st.integers(0, len(header) - 1))
            d = draw(st.integers(0, len(header) - 1))
            for each in rows:
                if c < len(each) and d < len(each):
                    if how == "col":
                        del each[c]
                    else:
                        each[c], each[d] = each[d], each[c]
        elif how == "header" and header:
            c = draw(st.integers(0, len(header) - 1))
            header[c] = draw(st.sampled_from([header[c].upper(), header[c].replace("_", " "), " " + header[c], "", "id",
                                              "type", "stem", "unknown", header[c] + "2"]))
        elif how == "ragged" and row:
            if draw(st.booleans()):
                row.pop()
            else:
                row.append("extra")
        buf = io.StringIO()
        delimiter = draw(st.sampled_from([",", ",", ",", ";", "\t"])) if how == "delim" else ","
        csv.writer(buf, delimiter=delimiter, lineterminator=draw(st.sampled_from(["\r\n", "\n", "\r"]))).writerows(rows)
        prefix = "\ufeff" if data.startswith(b"\xef\xbb\xbf") else ""
        return (prefix + buf.getvalue()).encode("utf-8", "surrogatepass")

    def structured(draw: Any, data: bytes) -> bytes:
        if data[:2] == b"PK":
            return zip_mutation(draw, data)
        head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
        if head == b"<":
            return xml_mutation(draw, data)
        if target in ("loader", "lint"):
            return yaml_mutation(draw, data)
        if target == "csv":
            return csv_mutation(draw, data)
        return text_mutation(draw, data)

    @st.composite
    def mutated(draw: Any) -> tuple[str, bytes]:
        seed = pick(draw, seeds)
        data = seed.data
        for _ in range(draw(st.sampled_from([1, 1, 1, 1, 2, 2, 3, 5]))):
            mutate = structured if draw(st.integers(0, 3)) else text_mutation
            new = mutate(draw, data)
            if len(new) <= MAX_INPUT:
                data = new
        name = seed.name
        if draw(st.integers(0, 30)) == 0:
            name = pick(draw, names)
        return name, data

    @st.composite
    def token_soup(draw: Any) -> tuple[str, bytes]:
        parts = draw(st.lists(st.one_of(st.none(), st.text(max_size=6)), max_size=40))
        out = []
        for part in parts:
            out.append(special(draw) if part is None else part.encode("utf-8", "surrogatepass"))
        return pick(draw, names), b"".join(out)

    @st.composite
    def generated_xml(draw: Any) -> tuple[str, bytes]:
        from lxml import etree

        def element(depth: int) -> Any:
            el = etree.Element(pick(draw, vocab.tags))
            for _ in range(draw(st.integers(0, 3))):
                if vocab.attrs:
                    el.set(pick(draw, vocab.attrs), str(pick(draw, ATTRIBUTE_VALUES + vocab.values[:300])))
            if draw(st.booleans()):
                el.text = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f]", "", str(pick(draw, MARKUP_VALUES + vocab.values[:300])))
            if depth < 6:
                for _ in range(draw(st.integers(0, 4))):
                    el.append(element(depth + 1))
            return el

        if not vocab.tags:
            return draw(mutated())
        try:
            data = etree.tostring(element(0), encoding="UTF-8", xml_declaration=True)
        except ValueError:
            return draw(mutated())
        zips = [s for s in seeds if s.data[:2] == b"PK"]
        if zips and draw(st.booleans()):  # put it into a real package in place of one XML member
            members = _read_zip(pick(draw, zips).data) or []
            xml_members = [n for n, (name, _) in enumerate(members) if name.endswith(".xml")]
            if xml_members:
                n = pick(draw, xml_members)
                members[n] = (members[n][0], data)
                return "package.zip", _write_zip(members)
        return pick(draw, [n for n in names if not n.endswith(".zip")] or ["fuzz.xml"]), data

    raw = st.tuples(st.sampled_from(names), st.binary(max_size=2048))
    branches = [mutated()] * 10 + [token_soup(), raw]
    if vocab.tags and target not in ("loader", "lint", "csv", "aiken", "rexams", "gift"):
        branches += [generated_xml()] * 2
    return st.one_of(*branches)


# --------------------------------------------------------------------------------------------------
# Minimisation
# --------------------------------------------------------------------------------------------------


def _ddmin(parts: list[bytes], test: Callable[[list[bytes]], bool], end: float) -> list[bytes]:
    n = 2
    while len(parts) >= 2 and time.monotonic() < end:
        chunk = -(-len(parts) // n)
        for i in range(0, len(parts), chunk):
            candidate = parts[:i] + parts[i + chunk:]
            if time.monotonic() >= end:
                return parts
            if test(candidate):
                parts = candidate
                n = max(n - 1, 2)
                break
        else:
            if n >= len(parts):
                break
            n = min(len(parts), n * 2)
    return parts


def _minimize_xml(data: bytes, still_fails: Callable[[bytes], bool], end: float) -> bytes:
    """Drop the prolog, then whole elements (largest first), attributes, and text, while the failure stays."""
    from lxml import etree

    root = _xml_root(data)
    if root is None:
        return data

    def serialize(with_prolog: bool = True) -> bytes:
        node = root.getroottree() if with_prolog else root
        return etree.tostring(node, encoding="UTF-8", xml_declaration=True)

    best = data
    candidate = serialize(with_prolog=False)
    if len(candidate) < len(best) and still_fails(candidate):
        best = candidate
        root = _xml_root(candidate)
    changed = True
    while changed and time.monotonic() < end:
        changed = False
        nodes = sorted((n for n in root.iter() if n is not root), key=lambda n: -len(etree.tostring(n)))
        for node in nodes:
            if time.monotonic() >= end:
                break
            parent = node.getparent()
            if parent is None or node.getroottree().getroot() is not root:
                continue  # already removed with an ancestor
            index, tail = parent.index(node), node.tail
            parent.remove(node)
            attempt = serialize()
            if len(attempt) < len(best) and still_fails(attempt):
                best, changed = attempt, True
            else:
                node.tail = tail
                parent.insert(index, node)
        for el in root.iter():
            if time.monotonic() >= end:
                break
            if not isinstance(el.tag, str):
                continue
            for key in list(el.attrib):
                value = el.attrib.pop(key)
                attempt = serialize()
                if len(attempt) < len(best) and still_fails(attempt):
                    best, changed = attempt, True
                else:
                    el.set(key, value)
            for attr in ("text", "tail"):
                value = getattr(el, attr)
                if not value or (attr == "tail" and el is root):
                    continue
                for shorter in ("", value[: len(value) // 2], value[len(value) // 2 :]):
                    setattr(el, attr, shorter)
                    attempt = serialize()
                    if len(attempt) < len(best) and still_fails(attempt):
                        best, changed = attempt, True
                        break
                    setattr(el, attr, value)
    return best


def minimize(data: bytes, still_fails: Callable[[bytes], bool], seconds: float) -> bytes:
    """A smaller input with the same failure: zip members, then lines, then bytes (ddmin), within ``seconds``."""
    end = time.monotonic() + seconds
    members = _read_zip(data) if data[:2] == b"PK" else None
    if members and _write_zip(members) and still_fails(_write_zip(members)):
        keep = _ddmin([json.dumps(n).encode() for n in range(len(members))],
                      lambda idx: still_fails(_write_zip([members[int(i)] for i in idx])), end)
        members = [members[int(i)] for i in keep]
        for n in sorted(range(len(members)), key=lambda k: -len(members[k][1])):
            name = members[n][0]

            def with_member(content: bytes, n: int = n, name: str = name) -> bytes:
                return _write_zip(members[:n] + [(name, content)] + members[n + 1:])

            content = members[n][1]
            if name.endswith(".xml"):
                content = _minimize_xml(content, lambda c: still_fails(with_member(c)), end)
            lines = _ddmin(content.splitlines(keepends=True), lambda ps: still_fails(with_member(b"".join(ps))), end)
            members[n] = (name, b"".join(lines))
        return _write_zip(members)
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<":
        data = _minimize_xml(data, still_fails, end)
    lines = _ddmin(data.splitlines(keepends=True), lambda ps: still_fails(b"".join(ps)), end)
    data = b"".join(lines)
    while len(data) > 1 and time.monotonic() < end:  # chunks of bytes, finer and finer
        size = max(1, len(data) // 2048)
        smaller = b"".join(_ddmin([data[i:i + size] for i in range(0, len(data), size)], lambda ps: still_fails(b"".join(ps)), end))
        if size == 1 or len(smaller) == len(data):
            data = smaller
            if size == 1 or len(data) > 8192:
                break
            size = 1
            data = b"".join(_ddmin([bytes([b]) for b in data], lambda ps: still_fails(b"".join(ps)), end))
            break
        data = smaller
    return data


# --------------------------------------------------------------------------------------------------
# The fuzzing loop
# --------------------------------------------------------------------------------------------------


class _Stop(BaseException):
    """Ends a hypothesis run when the time budget is spent (not an Exception, so hypothesis lets it through)."""


@dataclass
class Failure:
    signature: tuple[str, ...]
    reply: dict[str, Any]
    name: str
    data: bytes
    minimal: bytes = b""
    saved: Path | None = None


@dataclass
class Stats:
    target: str
    inputs: int = 0
    seconds: float = 0.0
    slowest: float = 0.0
    slowest_size: int = 0
    peak_mb: float = 0.0
    slow_reruns: int = 0
    minimizing: float = 0.0
    accepted: int = 0
    failures: dict[tuple[str, ...], Failure] = field(default_factory=dict)


def signature(reply: dict[str, Any]) -> tuple[str, ...]:
    status = reply["status"]
    if status in ("timeout", "memory"):  # where a slow call was interrupted varies: keep the function only
        ours = reply.get("ours", "?")
        return (status, ours.split(" in ")[-1] if ours != "?" else "?")
    if status == "died":
        return (status, reply.get("type", "?"))
    return (status, reply.get("type", "?"), reply.get("ours", "?"))


def fuzz_target(target: str, seeds: list[Seed], args: argparse.Namespace, crash_dir: Path, log: Callable[[str], None]) -> Stats:
    from hypothesis import HealthCheck, Phase, Verbosity, given, settings
    from hypothesis import seed as hypothesis_seed

    stats = Stats(target)
    if not seeds:
        log(f"{target}: no seeds; only generated inputs")
    worker = Worker(target, args.timeout, args.memory_mb, args.tracemalloc, args.verbose)
    vocab = build_vocab(target, seeds)
    strategy = _strategies(target, seeds or [Seed("fuzz.txt", b"", "empty")], vocab)
    started = time.monotonic()
    deadline = [started + args.seconds]

    def check(name: str, data: bytes) -> None:
        reply = worker.run(name, data)
        stats.inputs += 1
        took = reply.get("seconds", 0.0)
        stats.peak_mb = max(stats.peak_mb, reply.get("memory_mb", 0.0))
        if reply["status"] == "ok":
            stats.accepted += bool(reply.get("accepted"))
            if took > stats.slowest:
                stats.slowest, stats.slowest_size = took, len(data)
            return
        if reply["status"] in ("timeout", "memory", "died"):
            again = worker.run(name, data)  # confirm: a busy machine can make one run slow
            if again["status"] == "ok":
                stats.slow_reruns += 1
                stats.slowest = max(stats.slowest, again.get("seconds", 0.0))
                return
        took = max(took, reply.get("seconds", 0.0))
        stats.slowest = max(stats.slowest, took)
        sig = signature(reply)
        if sig in stats.failures:
            return
        paused = time.monotonic()
        failure = Failure(sig, reply, name, data)
        stats.failures[sig] = failure
        log(f"{target}: NEW {' | '.join(sig)} ({len(data)} bytes); minimising")

        def still_fails(candidate: bytes) -> bool:
            return signature(worker.run(name, candidate)) == sig

        failure.minimal = minimize(data, still_fails, args.minimize_seconds)
        failure.reply = worker.run(name, failure.minimal)
        if signature(failure.reply) != sig:  # should not happen; keep the original
            failure.minimal, failure.reply = data, reply
        failure.saved = _save(crash_dir, target, failure)
        log(f"{target}: minimised to {len(failure.minimal)} bytes -> {failure.saved}")
        stats.minimizing += time.monotonic() - paused
        deadline[0] += time.monotonic() - paused  # minimising is not fuzzing time

    try:
        for s in seeds:  # every seed once, as is
            check(s.name, s.data)

        @settings(max_examples=10**9, deadline=None, database=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet, report_multiple_bugs=False)
        @given(strategy)
        def one(example: tuple[str, bytes]) -> None:
            if time.monotonic() >= deadline[0]:
                raise _Stop
            check(*example)

        run = 0
        while time.monotonic() < deadline[0]:
            run += 1
            try:
                hypothesis_seed(args.seed * 1000 + run)(one)() if args.seed is not None else one()
            except _Stop:
                break
    finally:
        worker.stop()
    stats.seconds = time.monotonic() - started - stats.minimizing
    return stats


def _save(crash_dir: Path, target: str, failure: Failure) -> Path:
    folder = crash_dir / target
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256("|".join(failure.signature).encode()).hexdigest()[:10]
    suffix = Path(failure.name).suffix or ".bin"
    stem = f"{failure.signature[0]}-{failure.reply.get('type', 'x')}-{digest}".replace(" ", "_")
    minimal = folder / f"{stem}.min{suffix}"
    minimal.write_bytes(failure.minimal)
    (folder / f"{stem}.orig{suffix}").write_bytes(failure.data)
    report = [
        f"target: {target}",
        f"file name given: {failure.name}",
        f"signature: {' | '.join(failure.signature)}",
        f"innermost frame: {failure.reply.get('frame')}",
        f"seconds: {failure.reply.get('seconds', 0):.3f}  memory: {failure.reply.get('memory_mb', 0):.0f} MB",
        f"minimal input ({len(failure.minimal)} bytes): {failure.minimal[:2000]!r}",
        "",
        failure.reply.get("tb", ""),
    ]
    (folder / f"{stem}.report.txt").write_text("\n".join(report), encoding="utf-8")
    return minimal


def replay(target: str, paths: list[Path], args: argparse.Namespace) -> int:
    worker = Worker(target, args.timeout, args.memory_mb, args.tracemalloc, args.verbose)
    files = [f for p in paths for f in (sorted(x for x in p.rglob("*") if x.is_file() and not x.name.endswith(".report.txt")) if p.is_dir() else [p])]
    bad = 0
    try:
        for path in files:
            reply = worker.run(path.name.replace(".orig", "").replace(".min", ""), path.read_bytes())
            ok = reply["status"] == "ok"
            bad += not ok
            extra = "" if ok else f" {' | '.join(signature(reply))}: {reply.get('message', '')}"
            print(f"{'ok  ' if ok else 'FAIL'} {path} ({reply.get('seconds', 0):.3f} s){extra}")
            if not ok and args.verbose:
                print(reply.get("tb", ""))
    finally:
        worker.stop()
    return 1 if bad else 0


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _fuzz_one(target: str, seeds: list[Seed], args: argparse.Namespace, crash_dir: Path) -> Stats:
    """One target in a pool process (``--jobs``)."""
    import warnings

    warnings.filterwarnings("ignore", message="Duplicate name", category=UserWarning)
    return fuzz_target(target, seeds, args, crash_dir, _log)


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--target", default="all", metavar="|".join(TARGETS + ("all",)),
                        help="what to fuzz; several separated by commas (default: all)")
    parser.add_argument("--seconds", type=float, default=60.0, help="fuzzing time per target (default 60)")
    parser.add_argument("--crashes", type=Path, default=None, help="folder for failing inputs (default: a new temporary folder)")
    parser.add_argument("--timeout", type=float, default=2.0, help="per-input time limit in seconds (default 2)")
    parser.add_argument("--memory-mb", type=int, default=200, help="per-input peak memory growth limit (default 200)")
    parser.add_argument("--tracemalloc", action="store_true", help="also measure Python allocations (slower)")
    parser.add_argument("--minimize-seconds", type=float, default=60.0, help="time to minimise each new failure (default 60)")
    parser.add_argument("--corpus", type=Path, action="append", default=None, help="seed folder (default: ../shared/corpora and ../shared/gift-samples)")
    parser.add_argument("--seed", type=int, default=None, help="hypothesis seed, for a reproducible run")
    parser.add_argument("--jobs", type=int, default=1, help="targets fuzzed at the same time (each uses two processes; default 1)")
    parser.add_argument("--replay", type=Path, nargs="+", default=None, help="run these files (or folders) through --target and report")
    parser.add_argument("--verbose", action="store_true", help="show the worker's stderr and full tracebacks")
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(list(argv) if argv is not None else None)
    if args.worker:
        worker_main(args.worker, args.timeout, args.memory_mb, args.tracemalloc)
        return 0
    chosen = [t.strip() for t in args.target.split(",") if t.strip()]
    unknown = [t for t in chosen if t not in TARGETS + ("all",)]
    if unknown or not chosen:
        parser.error(f"unknown --target {', '.join(unknown) or repr(args.target)} (choose from {', '.join(TARGETS)}, all)")
    targets = TARGETS if "all" in chosen else tuple(dict.fromkeys(chosen))
    if args.replay:
        if len(targets) != 1:
            parser.error("--replay needs one --target")
        args.target = targets[0]
        return replay(args.target, args.replay, args)

    log = _log
    import warnings

    warnings.filterwarnings("ignore", message="Duplicate name", category=UserWarning)  # the "dup" zip mutation

    shared = REPO.parent / "shared"
    corpora = args.corpus or [shared / "corpora", shared / "gift-samples"]
    crash_dir = args.crashes or Path(tempfile.mkdtemp(prefix="qbank-fuzz-"))
    crash_dir = crash_dir.resolve()
    if args.crashes is None or not crash_dir.exists():
        crash_dir.mkdir(parents=True, exist_ok=True)
    seeds = collect_seeds(corpora, log)
    log(f"seeds: {', '.join(f'{t} {len(seeds[t])}' for t in targets)}; failures go to {crash_dir}")
    for target in targets:
        log(f"{target}: fuzzing for {args.seconds:.0f} s")
    if args.jobs > 1 and len(targets) > 1:
        import concurrent.futures
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        with concurrent.futures.ProcessPoolExecutor(args.jobs, mp_context=context) as pool:
            futures = [pool.submit(_fuzz_one, t, seeds[t], args, crash_dir) for t in targets]
            results = [f.result() for f in futures]
    else:
        results = [fuzz_target(t, seeds[t], args, crash_dir, log) for t in targets]
    print()
    # accepted: inputs read into at least one item (loader: no problem; detect: a format found), the
    # share of inputs that got past the first checks into the deeper code.
    print(f"{'target':<11} {'inputs':>8} {'accepted':>9} {'seconds':>8} {'failures':>8} {'slowest':>9} {'peak MB':>8}")
    for s in results:
        share = f"{100 * s.accepted / max(s.inputs, 1):.0f}%"
        print(f"{s.target:<11} {s.inputs:>8} {share:>9} {s.seconds:>8.0f} {len(s.failures):>8} {s.slowest:>8.3f}s {s.peak_mb:>8.0f}")
    for s in results:
        for f in s.failures.values():
            where = f.reply.get("ours") if f.reply.get("ours") not in (None, "?") else f.reply.get("frame", "?")
            print(f"  {s.target}: {f.signature[0]} {f.reply.get('type')} at {where}: {str(f.reply.get('message', ''))[:120]}")
            print(f"      minimal ({len(f.minimal)} bytes) {f.minimal[:300]!r}")
            print(f"      saved: {f.saved}")
        if s.slow_reruns:
            print(f"  {s.target}: {s.slow_reruns} input(s) were over the limit once but not when re-run (machine noise)")
    print(f"\nfailing inputs (if any) are in {crash_dir}")
    return 1 if any(s.failures for s in results) else 0


if __name__ == "__main__":
    sys.exit(main())
