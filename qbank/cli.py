"""The ``qbank`` command line: parse options, find the config, call the library, set the exit code.

Exit codes follow ruff and most linters: 0 when nothing at or above ``fail-on`` was found, 1 when
something was, 2 for usage, configuration and I/O errors. Every command is a thin wrapper over a
public function, so anything the CLI does can be done from Python.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import NoReturn, Sequence

import click

from qbank import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _fail(message: str) -> NoReturn:
    click.echo(f"qbank: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def _split(values: Sequence[str]) -> list[str]:
    out: list[str] = []
    for value in values:
        out.extend(v.strip() for v in value.split(",") if v.strip())
    return out


class _Group(click.Group):
    """Turns an unexpected exception into one line and exit 2: users never see a traceback.

    Set QBANK_DEBUG=1 to get the traceback when reporting a bug.
    """

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:  # pragma: no cover - exercised only by bugs
            if os.environ.get("QBANK_DEBUG"):
                raise
            _fail(f"internal error: {type(exc).__name__}: {exc} (set QBANK_DEBUG=1 for details and please report it)")


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="qbank", message="%(prog)s %(version)s")
def main() -> None:
    """Author exam item banks as YAML, lint them, and export them to Moodle, Canvas and QTI.

    \b
    Examples:
      qbank lint                     lint the configured paths (default: items/)
      qbank lint items/ --format sarif --output qbank.sarif
      qbank rule QB202               explain a rule
      qbank export items/ --format canvas -o peer-support.zip
      qbank schema > item.schema.json
    """


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--select", multiple=True, metavar="RULES", help="Only these rules (codes, names or prefixes such as QB3; comma-separated). Replaces the configured select.")
@click.option("--extend-select", multiple=True, metavar="RULES", help="Add rules to the configured selection.")
@click.option("--ignore", multiple=True, metavar="RULES", help="Skip these rules (codes, names or prefixes).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github", "sarif", "junit"]), default="text", show_default=True, help="Output format.")
@click.option("--fail-on", type=click.Choice(["error", "warning"]), default=None, help="Lowest severity that makes the exit code 1 [config, else error].")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None, help="Write the report to FILE (atomically) instead of standard output.")
@click.option("--statistics", is_flag=True, help="Print the number of findings per rule instead of each finding (text format).")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False), default=None, help="Use this qbank.toml or pyproject.toml instead of discovering one.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True, help="Colour text output (auto: only on a terminal, and not when NO_COLOR is set).")
@click.option("--no-cache", is_flag=True, help="Do not read or write the lint cache.")
@click.option("--cache-dir", type=click.Path(path_type=Path, file_okay=False), default=None, envvar="QBANK_CACHE_DIR", help="Where the cache lives [env QBANK_CACHE_DIR; default: .qbank_cache beside the config file, else in the current folder].")
def lint(
    paths: tuple[Path, ...],
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    fmt: str,
    fail_on: str | None,
    output: Path | None,
    statistics: bool,
    config_path: Path | None,
    color: str,
    no_cache: bool,
    cache_dir: Path | None,
) -> None:
    """Check item files for broken and poorly written items.

    PATHS are files or folders (default: `paths` from the config, else items/). Every finding is
    reported as FILE:LINE:COL with a rule code; `qbank rule CODE` explains a rule.

    \b
    Examples:
      qbank lint
      qbank lint items/ethics --select QB1,QB2 --fail-on warning
      qbank lint --format github            # in a GitHub Actions step
      qbank lint --format sarif -o qbank.sarif
      qbank lint --statistics

    Unchanged files are not re-checked: results are cached per file content in .qbank_cache/
    (use --no-cache to bypass it).
    """
    from qbank.config import ConfigError, check_selectors, load_config
    from qbank.lint.base import Severity
    from qbank.lint.engine import Selection, lint_paths
    from qbank.lint.registry import RuleLoadError
    from qbank.reporters import ReportContext, get_renderer

    try:
        config = load_config(config_path)
        sel, ext, ign = _split(select), _split(extend_select), _split(ignore)
        check_selectors(sel + ext + ign, "command line")
        selection = Selection.from_config(config, select=sel or None, ignore=ign, extend_select=ext)
    except ConfigError as exc:
        _fail(str(exc))
    except RuleLoadError as exc:
        _fail(str(exc))
    targets = list(paths) if paths else config.paths
    for target in targets:
        if not target.exists():
            _fail(f"{target}: no such file or folder")
    root = config.root if config.source is not None else Path.cwd()
    if no_cache:
        cache_dir = None
    elif cache_dir is None:
        cache_dir = root / ".qbank_cache"
    report = lint_paths(targets, config, selection, relative_to=Path.cwd(), cache_dir=cache_dir)
    threshold = Severity(fail_on) if fail_on else config.fail_on
    use_color = output is None and (
        color == "always" or (color == "auto" and sys.stdout.isatty() and "NO_COLOR" not in os.environ)
    )
    ctx = ReportContext(
        root=Path.cwd(),
        rules=[s.rule for s in selection.settings.values()],
        color=use_color,
        fail_on=threshold,
        version=__version__,
        statistics=statistics,
        extra={"config": str(config.source) if config.source else "", "root": str(root)},
    )
    text = get_renderer(fmt)(report, ctx)
    if output is not None:
        from qbank.fsio import atomic_write_text, describe_failure

        try:
            atomic_write_text(output, text)
        except (OSError, KeyboardInterrupt) as exc:
            _fail(describe_failure(output, exc))
        from qbank.reporters import summary_line

        click.echo(summary_line(report), err=True)
    else:
        click.echo(text, nl=False)
    sys.exit(EXIT_FINDINGS if report.fails(threshold) else EXIT_OK)


@main.command()
@click.argument("rule", required=False)
@click.option("--all", "show_all", is_flag=True, help="List every rule with its code, name, severity and summary.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True, help="markdown with --all writes the catalogue page (docs/rules.md).")
def rule(rule: str | None, show_all: bool, fmt: str) -> None:
    """Explain a lint rule: what it checks, why it matters, and a flawed and a fixed example.

    \b
    Examples:
      qbank rule QB202
      qbank rule missing-distractor-rationale
      qbank rule --all
    """
    from qbank.lint.docs import (
        rule_as_dict,
        rule_catalogue,
        rule_markdown,
        rule_text,
        rules_markdown,
    )
    from qbank.lint.registry import all_rules, find_rule

    if show_all or rule is None:
        if rule is None and not show_all:
            click.echo(main.get_command(click.get_current_context(), "rule").get_help(click.get_current_context()))  # type: ignore[union-attr]
            sys.exit(EXIT_ERROR)
        if fmt == "json":
            click.echo(json.dumps([rule_as_dict(r) for r in all_rules()], indent=2, ensure_ascii=False))
        elif fmt == "markdown":
            click.echo(rules_markdown(all_rules()), nl=False)
        else:
            click.echo(rule_catalogue(all_rules()), nl=False)
        return
    found = find_rule(rule)
    if found is None:
        import difflib

        keys = [r.code for r in all_rules()] + [r.name for r in all_rules()]
        close = difflib.get_close_matches(rule, keys, n=1)
        hint = f"; did you mean {close[0]}?" if close else "; see `qbank rule --all`"
        _fail(f"no rule {rule!r}{hint}")
    if fmt == "json":
        click.echo(json.dumps(rule_as_dict(found), indent=2, ensure_ascii=False))
    elif fmt == "markdown":
        click.echo(rule_markdown(found), nl=False)
    else:
        click.echo(rule_text(found), nl=False)


EXPORT_FORMATS = "canvas, qti21, qti30, gift, moodle-xml, csv"


@main.command(name="export")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("-f", "--format", "fmt", required=True, metavar="FORMAT", help=f"One of: {EXPORT_FORMATS}.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), required=True, help="The file to write (replaced atomically; nothing is written on failure). Its folder must exist.")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="Only items with this tag (repeat for any of several).")
@click.option("--status", "statuses", multiple=True, type=click.Choice(["draft", "review", "approved", "retired"]), help="Only items with this status (repeatable). Default: every status but retired.")
@click.option("--id", "ids", multiple=True, metavar="GLOB", help="Only items whose id matches this glob, such as 'ethics-*' (repeatable).")
@click.option("--title", default=None, help="Quiz or bank title in the export [default: the output file's name].")
@click.option("--category", type=click.Choice(["folder", "tag", "none"]), default="folder", show_default=True, help="GIFT/Moodle XML categories from the item's folder, its first tag, or none.")
@click.option("--bom", "csv_bom", is_flag=True, help="CSV: start with a UTF-8 byte-order mark, for spreadsheet programs.")
@click.option("--strict", is_flag=True, help="Treat anything the format cannot carry as an error: write nothing and exit 1.")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False), default=None, help="Use this qbank.toml or pyproject.toml instead of discovering one.")
def export_cmd(
    paths: tuple[Path, ...],
    fmt: str,
    output: Path,
    tags: tuple[str, ...],
    statuses: tuple[str, ...],
    ids: tuple[str, ...],
    title: str | None,
    category: str,
    csv_bom: bool,
    strict: bool,
    config_path: Path | None,
) -> None:
    """Export the bank for an LMS: Canvas, QTI 2.1/3.0, Moodle GIFT or XML, or CSV.

    PATHS default to the configured paths (else items/). The export refuses to start while the
    bank has problems that would break an import (unreadable items, no key or two keys, missing
    media, characters XML cannot carry), and lists them. Anything the format cannot express is
    reported as a warning naming the item; --strict makes that an error.

    \b
    Examples:
      qbank export items/ --format canvas -o peer-support.zip
      qbank export --format moodle-xml -o bank.xml --status approved
      qbank export --format gift -o ethics.gift --tag ethics
      qbank export --format qti21 -o bank-qti21.zip --id 'crisis-*'
      qbank export --format csv -o bank.csv --bom
    """
    from qbank.config import ConfigError, load_config
    from qbank.export import Filters, default_identifier, run_export
    from qbank.exporters import ExporterLoadError, ExportOptions, all_exporters
    from qbank.fsio import atomic_write_bytes, describe_failure
    from qbank.reporters import ReportContext, get_renderer

    try:
        exporters = all_exporters()
        config = load_config(config_path)
    except (ConfigError, ExporterLoadError) as exc:
        _fail(str(exc))
    if fmt not in exporters:
        import difflib

        close = difflib.get_close_matches(fmt, list(exporters), n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        _fail(f"unknown export format {fmt!r}{hint} (formats: {', '.join(exporters)})")
    targets = list(paths) if paths else config.paths
    for target in targets:
        if not target.exists():
            _fail(f"{target}: no such file or folder")
    name = title or output.stem
    options = ExportOptions(title=name, identifier=default_identifier(name), category=category, csv_bom=csv_bom)
    run = run_export(targets, fmt, options, Filters(tags, statuses, ids), config, relative_to=Path.cwd())
    if run.blocking:
        from qbank.lint.engine import LintReport

        report = LintReport(run.blocking)
        ctx = ReportContext(root=Path.cwd(), color=False)
        click.echo(get_renderer("text")(report, ctx).rsplit("\n", 2)[0], err=True)
        for f in run.overridden:
            click.echo(
                f"qbank: note: {f.item_id}: its `lint: ignore` lists {f.code}, but an item-level ignore cannot "
                "let through a problem that breaks the import",
                err=True,
            )
        _fail_findings(f"not exported: fix the {len(run.blocking)} problem(s) above first (nothing was written)")
    assert run.result is not None
    for w in run.result.warnings:
        click.echo(f"qbank: {'error' if strict else 'warning'}: {w.item_id}: {w.message}", err=True)
    for entry, reason in run.omitted:
        click.echo(f"{entry.file}:{entry.line}:{entry.column}: error: {entry.id}: not exported: {reason}", err=True)
    chosen = run.exported + len(run.omitted)
    if chosen == 0:
        _fail_findings("no items matched the filters; nothing was written")
    if strict and (run.result.warnings or run.omitted):
        lost = len(run.result.warnings) + len(run.omitted)
        _fail_findings(f"not exported: --strict and {lost} thing(s) {fmt} cannot carry (nothing was written)")
    if run.exported == 0:
        _fail_findings(f"none of the {chosen} item(s) can be written as {fmt}; nothing was written")
    try:
        atomic_write_bytes(output, run.result.data)
    except (OSError, KeyboardInterrupt) as exc:
        _fail(describe_failure(output, exc))
    skipped = f", {run.skipped} filtered out" if run.skipped else ""
    warned = f", {len(run.result.warnings)} warning(s)" if run.result.warnings else ""
    if run.omitted:
        click.echo(
            f"Exported {run.exported} of {chosen} item(s) to {output} ({fmt}{skipped}{warned}); "
            f"{len(run.omitted)} item(s) left out, listed above.",
            err=True,
        )
        sys.exit(EXIT_FINDINGS)
    click.echo(f"Exported {run.exported} item(s) to {output} ({fmt}{skipped}{warned}).", err=True)


def _fail_findings(message: str) -> NoReturn:
    click.echo(f"qbank: {message}", err=True)
    sys.exit(EXIT_FINDINGS)


IMPORT_FORMATS = "gift, moodle-xml, canvas, qti21, qti30, csv, aiken, rexams"


@main.command(name="import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--from", "fmt", default=None, metavar="FORMAT", help=f"Source format: {IMPORT_FORMATS} [default: detected from the content].")
@click.option("-o", "--output", "out", type=click.Path(path_type=Path, file_okay=False), required=True, help="Folder for the YAML items (created if needed).")
@click.option("--group-by", type=click.Choice(["item", "category"]), default="item", show_default=True, help="One file per item (named by id), or one file per source category.")
@click.option("--overwrite", is_flag=True, help="Replace item files that already exist (never done otherwise).")
@click.option("--strict", is_flag=True, help="All or nothing: write nothing if any question or file cannot be read (default: import the rest, exit 1).")
def import_cmd(files: tuple[Path, ...], fmt: str | None, out: Path, group_by: str, overwrite: bool, strict: bool) -> None:
    """Bring questions in from GIFT, Moodle XML, Canvas or QTI packages, CSV, Aiken or R/exams.

    Writes one YAML item per question into OUT (ids come from the source's names, so importing
    the same file again gives the same ids), images beside them, and reports with the source line
    anything it could not map exactly. A question that cannot be read is reported as
    FILE:LINE: error: and left out, as is a file that cannot be read at all; everything else is
    written and the exit code is 1. With --strict nothing is written unless every question of
    every file converts. An existing item file is never replaced without --overwrite. Writing is
    all or nothing: if any file cannot be written (a full disk, Ctrl-C), no file is written or
    changed.

    \b
    Exit codes: 0 everything imported; 1 something was left out, or nothing was written
    (--strict, existing files); 2 usage error or a file that cannot be written.

    \b
    Examples:
      qbank import questions.gift -o items/
      qbank import questions.gift -o items/ --strict
      qbank import moodle-export.xml -o items/imported --group-by category
      qbank import canvas-quiz.zip --from canvas -o items/
      qbank import bank.csv -o items/ --overwrite
    """
    from qbank.fsio import describe_failure, transaction
    from qbank.importers import ImporterLoadError, ImportFailure, all_importers
    from qbank.importing import plan, read_sources, schema_reference, write

    try:
        importers = all_importers()
    except ImporterLoadError as exc:
        _fail(str(exc))
    if fmt is not None and fmt not in importers:
        _fail(f"unknown import format {fmt!r} (formats: {', '.join(importers)})")
    for path in files:
        if not path.is_file():
            _fail(f"{path}: no such file")
    results = read_sources(list(files), fmt)
    read = [s for s in results if s.failure is None]
    refused = [s for s in results if s.failure is not None]
    left_out = sum(len(s.errors) for s in read)
    missing = [f"{left_out} question(s) with errors"] if left_out else []
    if refused:
        missing.append(f"{len(refused)} file(s) that could not be read")
    left = f"left out {' and '.join(missing)} (above)"

    def report(notes: bool) -> None:
        """Each file's notes (unless nothing is written anyway) and its errors, in file order."""
        for source in read:
            name = source.path.as_posix()
            if notes:
                for note in source.notes:
                    where = f"{name}:{note.line}" if note.line else name
                    who = f" {note.item_id}:" if note.item_id else ""
                    click.echo(f"{where}: note:{who} {note.message}", err=True)
            for error in source.errors:
                where = f"{name}:{error.line}" if error.line else name
                click.echo(f"{where}: error: {error.message}", err=True)

    def refusals(outcome: str) -> None:
        for source in refused:
            click.echo(f"qbank: error: {source.failure}; {outcome}", err=True)

    if strict and (left_out or refused):
        report(notes=False)
        refusals("nothing was written")
        readable = sum(len(s.items) for s in read)
        _fail_findings(f"error: --strict: {left}, so none of the {readable} readable item(s) was imported; nothing was written")
    if not read:
        refusals("nothing was written")
        sys.exit(EXIT_FINDINGS)
    try:
        planned = plan(read, out, group_by, schema_reference(out))
    except ImportFailure as exc:
        report(notes=False)
        refusals("nothing was written")
        _fail_findings(f"error: {exc.message}; nothing was written")
    report(notes=True)
    refusals("the file was left out")
    try:
        with transaction(out):
            write(planned, overwrite)
    except ImportFailure as exc:
        _fail_findings(f"error: {exc.message}; nothing was written")
    except (OSError, KeyboardInterrupt) as exc:
        _fail(describe_failure(out, exc, several=True))
    notes = sum(len(s.notes) for s in read)
    formats = ", ".join(sorted({s.fmt for s in read if s.fmt}))
    counted = f"{len(read)} of {len(results)} file(s)" if refused else f"{len(read)} file(s)"
    summary = f"Imported {planned.items} item(s) from {counted}" + (f" ({formats})" if formats else "")
    noted = f"; {notes} note(s) above" if notes else ""
    if missing and not planned.files:
        summary += f"; {left}{noted}; nothing was written"
    else:
        summary += f" into {out}" + (f"; {left}" if missing else "") + f"{noted}. Next: qbank lint {out}"
    click.echo(summary, err=True)
    if missing:
        sys.exit(EXIT_FINDINGS)


@main.command()
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None, help="Write the schema to FILE instead of standard output.")
def schema(output: Path | None) -> None:
    """Print the JSON Schema (draft-07) of one item, for editors and other tools.

    The committed copy is schemas/item.schema.json. Point the YAML language server at it with a
    first line such as:

    \b
      # yaml-language-server: $schema=../schemas/item.schema.json

    \b
    Examples:
      qbank schema
      qbank schema -o schemas/item.schema.json
    """
    from qbank.schema import item_schema_json

    text = item_schema_json()
    if output is None:
        click.echo(text, nl=False)
        return
    from qbank.fsio import atomic_write_text

    try:
        atomic_write_text(output, text)
    except OSError as exc:
        _fail(f"{output}: cannot write the schema ({exc.strerror or exc})")


if __name__ == "__main__":  # pragma: no cover
    main()
