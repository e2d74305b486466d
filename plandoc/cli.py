"""The `plandoc` command (click).  The only module that prints or exits.

Exit codes: 0 ok; 1 a parse, rule or render error, or warnings under --strict;
2 a usage error or an input that cannot be used (missing, empty, binary, corrupt).
"""
from __future__ import annotations

import functools
import gc
import logging
import os
import sys
from pathlib import Path

import click

from parser.errors import PlandocError, SourceError
from parser.limits import MAX_INPUT_MB, MB

from . import __version__
from .output import write_atomic


class InputError(click.ClickException):
    """An input that cannot be used: exit 2, one line on stderr."""
    exit_code = 2


def _fail(exc: PlandocError):
    from .errors import TemplateLimitError
    from .output import OutputError
    if isinstance(exc, (SourceError, OutputError, TemplateLimitError)):
        raise InputError(str(exc)) from exc
    raise click.ClickException(str(exc)) from exc


def _formats(text: str, option: str) -> list[str]:
    """docx,pdf -> ["docx", "pdf"]; an unknown format is a usage error naming the option."""
    from .render import FORMATS
    chosen = [f.strip().lower() for f in text.split(",") if f.strip()]
    bad = [f for f in chosen if f not in FORMATS]
    if bad or not chosen:
        raise click.BadParameter(f"{', '.join(bad) or text!r}: choose from {', '.join(FORMATS)}", param_hint=option)
    return chosen


max_input_option = click.option(
    "--max-input-mb", type=click.FloatRange(min=0.001), default=MAX_INPUT_MB, show_default=True,
    help="Refuse inputs larger than this, unread (a circular is rarely over 5 MB).")


def _warnings_only(record: logging.LogRecord) -> bool:
    return record.levelno >= logging.WARNING


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="plandoc")
def main():
    """plandoc: turn a work-plan circular (通知) into per-department tasks.

    \b
    Start with:
      plandoc parse samples/suzhou-post-2022.txt --format table
      plandoc parse samples/suzhou-post-2022.txt -o output/plan.json
      plandoc build samples/suzhou-post-2022.txt --profile samples/suzhou-post.profile.toml
      plandoc diff old-plan.json samples/suzhou-post-2022.txt --notices output/notices
    """
    # jieba logs its dictionary loading, WeasyPrint every CSS property it skips and every font
    # fallback: plandoc reports what matters itself.  A filter, not a level: jieba sets its
    # logger's level when it is imported, which happens later and only when needed
    logging.getLogger("jieba").addFilter(_warnings_only)
    logging.getLogger("weasyprint").setLevel(logging.ERROR)


def _import_jieba_without_pkg_resources() -> None:
    """jieba imports pkg_resources only to open its dictionary beside its own module, and does
    without it when the import fails; importing it takes 0.12 s, a quarter of a rebuild that
    finds nothing to make.  So jieba is imported here, before a command parses, with that
    import failing."""
    if "jieba" in sys.modules or "pkg_resources" in sys.modules:
        return
    sys.modules["pkg_resources"] = None          # `import pkg_resources` now raises ImportError
    try:
        import jieba  # noqa: F401
    except ImportError:
        pass                                      # the parser names the missing package itself
    finally:
        del sys.modules["pkg_resources"]


@main.command()
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Write the result to this file instead of standard output ('-' is stdout); with "
                   "several circulars, a folder that gets one <name>.json (or .txt) each.")
@click.option("--profile", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Organisation profile (TOML): the issuer's units, aliases and groups.")
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="json", show_default=True,
              help="json: the plan as JSON (schema: `plandoc schema`); table: a view for people.")
@click.option("--strict", is_flag=True, help="Exit 1 when a document has warnings.")
@click.option("--force", is_flag=True,
              help="Replace an output file that is not the one parse last wrote there (corrected by hand?).")
@max_input_option
@click.option("-q", "--quiet", is_flag=True, help="Do not print warnings on stderr.")
def parse(sources: tuple[Path, ...], output: Path | None, profile: Path | None, fmt: str, strict: bool,
          force: bool, max_input_mb: float, quiet: bool):
    """Parse circulars (.txt in UTF-8/GB18030, .docx, .html, .pdf with a text layer; .doc and
    .wps through LibreOffice) into plans.

    Every numbered item or table row that names units in charge becomes a task with its units
    and roles (lead / responsible / support), targets, deadline and source line.  Warnings about
    the document itself (a repeated numeral, an item with no unit, no task at all) go to stderr.

    \b
    Examples:
      plandoc parse samples/suzhou-post-2022.txt
      plandoc parse samples/suzhou-post-2022.txt --profile samples/suzhou-post.profile.toml --format table
      plandoc parse a.docx b.pdf c.html -o output/plans/
    """
    from parser import load_profile, parse_file

    several = len(sources) > 1
    if several and (output is None or str(output) == "-"):
        raise click.UsageError("several circulars need -o FOLDER (one plan file each)")
    if several and output.exists() and not output.is_dir():
        raise click.UsageError(f"{output} is a file; with several circulars -o names a folder")
    try:
        prof = load_profile(profile) if profile else None
    except PlandocError as exc:
        _fail(exc)
    suffix = ".json" if fmt == "json" else ".txt"
    targets = _plan_files(sources, output, suffix) if several else {sources[0]: output}
    failed, warned = 0, False
    for source, target in targets.items():
        # A plan is many small objects without cycles, and the cyclic collector's passes over
        # them grow with the document (a 20,000-item plan cost 2.4x a 10,000-item one): this
        # process only parses, so it does without while it does
        gc.disable()
        try:
            _import_jieba_without_pkg_resources()
            plan = parse_file(source, prof, max_mb=max_input_mb)
        except PlandocError as exc:
            if not several:
                _fail(exc)
            click.echo(f"Error: {exc}", err=True)
            failed += 1
            continue
        finally:
            gc.enable()
        text = plan.to_json() if fmt == "json" else render_table(plan)
        if target is None or str(target) == "-":
            click.echo(text, nl=False)
        else:
            data = text.encode("utf-8")
            if not force and _edited_by_hand(target, data):
                refusal = (f"{target} is not the file parse last wrote there (edited by hand?); "
                           "give --force to replace it, or another -o")
                if not several:
                    raise InputError(refusal)
                click.echo(f"Error: {refusal}", err=True)
                failed += 1
                continue
            try:
                write_atomic(target, data)
            except PlandocError as exc:
                _fail(exc)
            _record_written(target, data)
            click.echo(f"wrote {target} ({len(plan.tasks)} tasks)", err=True)
        if not quiet:
            for w in plan.warnings:
                click.echo(f"warning: {source}:{w.line}: {w.message} [{w.code}]", err=True)
        warned |= bool(plan.warnings)
    if failed:
        raise InputError(f"{failed} of {len(sources)} circulars could not be read or written (see above)")
    if strict and warned:
        sys.exit(1)


PARSE_RECORD = ".plandoc-parse.json"   # beside what parse -o wrote: each file's sha256, to tell a hand edit


def _edited_by_hand(target: Path, data: bytes) -> bool:
    """Whether `target` is a file holding neither `data` nor what parse last wrote there: a plan
    corrected by hand, which a parse run again replaced without a word (issue 18).  A link or a
    device is left to write_atomic (it refuses the one, writes into the other)."""
    import hashlib

    from .output import read_record, sha256
    if target.is_symlink() or not target.is_file():
        return False
    try:
        with open(target, "rb") as fh:
            now = hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return False
    return now != sha256(data) and now != read_record(target.parent / PARSE_RECORD).get(target.name)


def _record_written(target: Path, data: bytes) -> None:
    """Note what parse wrote at `target`; where the record cannot be written, the next parse
    there asks for --force rather than replacing the file."""
    from .output import read_record, record_bytes, sha256
    if target.is_symlink() or not target.is_file() or target.name == PARSE_RECORD:
        return
    record = {k: v for k, v in read_record(target.parent / PARSE_RECORD).items() if (target.parent / k).is_file()}
    record[target.name] = sha256(data)
    try:
        write_atomic(target.parent / PARSE_RECORD, record_bytes(record))
    except PlandocError:
        pass


def _plan_files(sources: tuple[Path, ...], folder: Path, suffix: str) -> dict[Path, Path]:
    """One plan file per circular in `folder`, named after it; the same name twice is numbered."""
    from .output import distinct_names
    unique = list(dict.fromkeys(sources))
    names = distinct_names([s.stem or "plan" for s in unique], (PARSE_RECORD.removesuffix(".json"),))
    return {s: folder / f"{n}{suffix}" for s, n in zip(unique, names)}


@main.command()
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", "out_root", type=click.Path(file_okay=False, path_type=Path), default=Path("output"),
              show_default=True, help="Folder to build into; the documents go to <folder>/<plan name>/<version>/.")
@click.option("--profile", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Organisation profile (TOML): the units that get letters, aliases, groups, letter wording.")
@click.option("--templates", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder with the office's own templates (see `plandoc templates export`); "
                   "a template it lacks comes from the defaults.")
@click.option("--only", multiple=True, metavar="UNIT",
              help="Build only this unit's letter and checklist (repeat, or separate with commas).")
@click.option("--format", "formats", default="docx,pdf", show_default=True, metavar="LIST",
              help="Comma-separated: docx, pdf.")
@click.option("--name", help="Name of the plan's folder [default: the source file's name].")
@click.option("-j", "--jobs", type=click.IntRange(1, 32), default=min(2, os.cpu_count() or 1), show_default=True,
              help="Processes that render documents at once.")
@click.option("--trust-templates", is_flag=True,
              help="Run the templates outside Jinja's sandbox and let them fetch any file or URL. "
                   "Templates are code: give this only for templates you wrote or checked.")
@click.option("--force", is_flag=True,
              help="Make every document again, even those the latest version holds already made from "
                   "the same content (a new version all the same: none is ever overwritten).")
@click.option("--date", "issued", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="The date the letters made bear (YYYY-MM-DD) [default: today; a letter taken over "
                   "unchanged from the previous version keeps its own date, --force dates all anew].")
@click.option("--number", metavar="TEXT",
              help="The letters' 发文字号, e.g. 苏邮管函〔2022〕{n}号 ({n}: the letter's place among the units, "
                   "{year}: the plan's year) [default: the profile's [letters] number, else none].")
@click.option("--strict-fonts", is_flag=True,
              help="Refuse to make PDFs when a face would be set in another font than the one asked for "
                   "(Fandol not installed, or characters the 仿宋 lacks); without it the build says so.")
@max_input_option
@click.option("-q", "--quiet", is_flag=True, help="Print only errors and the summary.")
def build(source: Path, out_root: Path, profile: Path | None, templates: Path | None, only: tuple[str, ...],
          formats: str, name: str | None, jobs: int, trust_templates: bool, force: bool, issued, number: str | None,
          strict_fonts: bool, max_input_mb: float, quiet: bool):
    """Write every unit's letter (任务交办函) and checklist (任务清单), the two as one PDF
    (任务交办函（含附件）), and the overview (任务分解总表), as DOCX and PDF.

    SOURCE is a circular (.txt, .docx, .html, .pdf, .doc) or a plan JSON written by `plandoc
    parse` (which may have been corrected by hand).  Each build is a version of its own,
    <output>/<plan>/<version>/ (the circular's date and a short digest of the content), and
    <output>/<plan>/latest names the newest; no earlier version is ever changed.  Each unit
    of the profile with tasks gets a folder <version>/<unit>/; groups such as 各处室 are given
    to each of their units.

    Run it again on a revised circular: tasks are matched with the latest version's (a task
    keeps its id), only the documents whose content changed are made again, the others are
    copied from the latest version as they are (with any edits made by hand), and when
    nothing changed nothing is made.  manifest.json lists every file with its sha256 and task
    ids, the version it follows and what changed since.  The same input gives the same bytes.

    \b
    Examples:
      plandoc build samples/suzhou-post-2022.txt --profile samples/suzhou-post.profile.toml
      plandoc build plan.json --profile office.toml --only 市场监管处 --format pdf
      plandoc build plan.json --templates my-templates/
      plandoc build revised.txt --name suzhou-post-2022 --date 2022-06-01 --number '苏邮管函〔{year}〕{n}号'
    """
    from .inputs import inputs_key, made_already

    chosen = _formats(formats, "--format")
    units = [u.strip() for item in only for u in item.replace("、", ",").split(",") if u.strip()]
    if number is not None:
        _check_number(number)

    def progress(n: int, total: int, path: str):
        if not quiet:
            click.echo(f"[{n:>{len(str(total))}}/{total}] {path}", err=True)

    try:
        try:        # a source that cannot be read is reported when it is read below
            key = inputs_key(source, profile, chosen, units, templates, trust_templates,
                             issued.date() if issued else None, number, max_input_mb) \
                if source.stat().st_size <= max_input_mb * MB else None
        except OSError:
            key = None
        # the folder of a circular is named after its file; a plan JSON's after the circular it
        # names inside, known only once it is read
        folder = name or (source.stem if source.suffix.lower() != ".json" else None)
        same = made_already(out_root, folder, key) if key and folder and not (force or strict_fonts) else None
        if same is not None:
            _report_build(same)
            _report_units(same, profile)
            return
        from parser import load_profile

        from .build import Workers, build as run_build
        # the workers start now and import WeasyPrint while this process parses
        with Workers(jobs, pdf="pdf" in chosen) as started:
            prof = load_profile(profile) if profile else None
            _import_jieba_without_pkg_resources()
            plan, lines = _plan_and_lines(source, prof, max_input_mb)
            _check_date(issued.date() if issued else None, plan)
            if not plan.tasks:
                raise InputError(f"{source}: no tasks found, nothing to build "
                                 f"(see `plandoc parse {source} --format table`)")
            if "pdf" in chosen and not quiet:
                from .render.pdf import HARFBUZZ_PACKAGE, PdfRenderer
                if PdfRenderer.slow_subsetting():
                    click.echo("note: HarfBuzz's font subsetter is not installed, so each PDF takes seconds; "
                               f"install {HARFBUZZ_PACKAGE}", err=True)
            result = run_build(plan, prof, out_root, formats=chosen, only=units or None, templates=templates,
                               name=name, workers=jobs, progress=progress, force=force,
                               trust_templates=trust_templates, inputs=key, strict_fonts=strict_fonts,
                               issued=issued.date() if issued else None, number=number, lines=lines,
                               started=started)
    except PlandocError as exc:
        _fail(exc)
    except KeyboardInterrupt:
        click.echo("interrupted: the new version was not made; the earlier ones are as they were", err=True)
        sys.exit(130)
    except OSError as exc:          # a full disk where plandoc did not expect one (a font cache)
        raise InputError(f"{exc.filename or out_root}: {exc.strerror or exc}; the new version was not made") \
            from None
    _report_build(result)
    _report_units(result, profile)


def _plan_and_lines(source: Path, profile, max_mb: float):
    """The plan of a circular with the lines it was read from (for the review page), or of a
    plan JSON (whose lines the review page seeks itself)."""
    from parser import load_plan, parse_document
    from parser.sources import read_document

    if source.suffix.lower() == ".json":
        return load_plan(source, profile, max_mb=max_mb), None
    document = read_document(source, max_mb)
    return parse_document(document, profile), document.lines


def _check_number(number: str) -> None:
    """--number is a sentence with {n} and {year} only: anything else is a usage error."""
    from parser.errors import RuleFileError

    import regex

    from .wording import fill
    try:
        filled = fill(number, {"n": 1, "year": 2022}, "--number", "the command line")
    except RuleFileError as exc:
        raise click.BadParameter(exc.message, param_hint="--number") from None
    # a 发文字号 is 机关代字〔年份〕序号号: 20,000 characters, newlines and right-to-left marks were taken
    if len(number) > MAX_NUMBER or not regex.fullmatch(r"[\p{Han}A-Za-z0-9]{1,20}[〔\[［][0-9]{4}[〕\]］][0-9]{1,6}号",
                                                        filled):
        shown = number[:40].encode("unicode_escape").decode("ascii") if not number[:40].isprintable() else number[:40]
        raise click.BadParameter(f"{shown!r}{'…' if len(number) > 40 else ''} is not a 发文字号 such as "
                                 "苏邮管函〔{year}〕{n}号 (机关代字〔年份〕序号号, printable, at most "
                                 f"{MAX_NUMBER} characters)", param_hint="--number")


MAX_NUMBER = 40
DATE_BEFORE, DATE_AFTER = 1, 2      # --date: years before and after the plan's year a letter may bear


def _check_date(issued, plan) -> None:
    """--date within a window around the plan's year (a letter dated 1年1月1日 was made)."""
    year = plan.year or (plan.date.year if plan.date else None)
    if issued is None or year is None:
        if issued is not None and not 2000 <= issued.year <= 2100:
            raise click.BadParameter(f"{issued.isoformat()}: a letter is dated between 2000 and 2100",
                                     param_hint="--date")
        return
    if not year - DATE_BEFORE <= issued.year <= year + DATE_AFTER:
        raise click.BadParameter(f"{issued.isoformat()}: the plan is of {year}, so its letters are dated from "
                                 f"{year - DATE_BEFORE} to {year + DATE_AFTER}", param_hint="--date")


def _report_units(result, profile: Path | None) -> None:
    if result.idle:
        click.echo(f"no tasks, so no letter: {'、'.join(result.idle)}", err=True)
    if result.outside:
        click.echo(f"named by tasks but not units of the profile, so no letter (they are in the overview): "
                   f"{'、'.join(result.outside)}", err=True)
    if not profile:
        click.echo("note: without --profile every unit named by a task gets a letter and groups such as "
                   "各处室 are not expanded", err=True)


def _report_build(result) -> None:
    """What the build made, what it took over, and what changed for whom, on stderr."""
    where = result.folder.parent / "latest"
    if result.same_as:
        click.echo(f"nothing changed: version {result.same_as} holds these documents already, nothing made "
                   f"({where}/; --force makes them again)", err=True)
        return
    since = f", {len(result.carried)} unchanged taken over from {result.follows}" if result.follows else ""
    click.echo(f"version {result.version}: {len(result.made)} files made{since}; in {where}/ "
               f"(manifest: {result.manifest})", err=True)
    if result.changes is not None:
        kinds = [c.kind for c in result.changes.changes]
        counts = "，".join(f"{k} {kinds.count(k)}" for k in ("added", "removed", "changed") if k in kinds)
        units = list(dict.fromkeys(u for c in result.changes.changes for u in c.units_concerned))
        click.echo(f"since {result.follows}: " + (f"{counts} task(s), for {'、'.join(units)}" if kinds
                                                  else "no task changed") +
                   (f"; {len(result.changes.renumbered)} only renumbered" if result.changes.renumbered else ""),
                   err=True)
    for note in result.font_notes:
        click.echo(f"note: PDF fonts: {note} (--strict-fonts refuses this)", err=True)
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    for path in result.redone_after_edit:
        click.echo(f"note: {path} was edited by hand; its content changed, so the new version has it made anew "
                   "(the edited one stays in its version: carry the edits over by hand)", err=True)


@main.command("diff")
@click.argument("old", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--profile", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Organisation profile (TOML): units named by an alias count as the same unit.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="table: a view for people; json: every change with both versions of the task.")
@max_input_option
@click.option("--notices", "notices", type=click.Path(file_okay=False, path_type=Path),
              help="Also write a change notice (任务调整通知) for each unit concerned into this folder: "
                   "<folder>/<unit>/任务调整通知.docx and .pdf.")
@click.option("--notice-format", default="docx,pdf", show_default=True, metavar="LIST",
              help="Formats of the notices, comma-separated: docx, pdf.")
@click.option("--templates", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder with the office's own templates (notice.docx, notice.html).")
@click.option("--trust-templates", is_flag=True, help="Run the templates outside Jinja's sandbox (see build).")
def diff_command(old: Path, new: Path, profile: Path | None, fmt: str, max_input_mb: float, notices: Path | None,
                 notice_format: str, templates: Path | None, trust_templates: bool):
    """What changed from OLD to NEW (circulars in any input format, or plan JSON), task by task.

    Tasks are matched by content and place, not by number: renumbering after an insertion, a
    moved section or a reworded sentence is recognised, and renumbering alone is no change.
    Each change says what changed (units, targets, deadline, text, section) and whom it
    concerns.  Exit code: 0 no change, 1 changes (like diff), 2 an input that cannot be used.

    \b
    Examples:
      plandoc diff output/suzhou-post-2022/plan.json samples/suzhou-post-2022.txt
      plandoc diff old.docx new.docx --format json > changes.json
    """
    from parser import load_plan, load_profile

    from .build import write_notices
    from .diff import diff, to_json, to_table

    chosen = _formats(notice_format, "--notice-format")
    try:
        prof = load_profile(profile) if profile else None
        _import_jieba_without_pkg_resources()
        before, after = load_plan(old, prof, max_mb=max_input_mb), load_plan(new, prof, max_mb=max_input_mb)
        result = diff(before, after)
        kept: list = []
        written = [] if notices is None else write_notices(
            result, before, after, prof, notices, formats=chosen, templates=templates, trust_templates=trust_templates,
            kept=kept)
    except PlandocError as exc:
        _fail(exc)
    click.echo(to_json(result) if fmt == "json" else to_table(result), nl=False)
    if notices is not None:
        click.echo(f"wrote {len(written)} change notices in {notices}", err=True)
        for edited, made in kept:
            click.echo(f"note: kept {edited}: it is not the notice plandoc wrote there (edited by hand?); "
                       f"the new one is {made.name}", err=True)
    sys.exit(1 if result.changes else 0)


class _LedgerGroup(click.Group):
    """`plandoc ledger SOURCE …` writes a ledger; `plandoc ledger collect …` collects copies."""

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = ["write", *args]
        return super().parse_args(ctx, args)


@main.group(cls=_LedgerGroup)
def ledger():
    """The 督办台账 (ledger): an .xlsx to track every task all year.

    \b
      plandoc ledger SOURCE [--profile P] [-o FILE.xlsx] [--by quarter] [--warn-days N]
      plandoc ledger SOURCE --update OLD.xlsx -o NEW.xlsx     (a revised plan, nothing typed lost)
      plandoc ledger SOURCE --per-unit DIR                    (one copy per unit to hand out)
      plandoc ledger collect OFFICE.xlsx UNIT.xlsx…           (their typed cells back into OFFICE)

    总台账 is the one place of record: staff type there, each unit's sheet shows its rows of it
    by formulas, and --update, collect and `plandoc remind` read it.
    """


@ledger.command("write")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--profile", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Organisation profile (TOML): the units that get sheets, aliases, groups.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="The workbook to write [default: <source name>-督办台账.xlsx here].")
@click.option("--by", type=click.Choice(["month", "quarter"]), default=None,
              help="进展情况 columns by month or by quarter [default: month, or the --update ledger's].")
@click.option("--warn-days", type=click.IntRange(0, 366), default=None,
              help="Yellow this many days before a deadline [default: 30, or the --update ledger's].")
@click.option("--update", "old", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The ledger of an earlier version: every cell typed in it is carried over (it is never changed).")
@click.option("--per-unit", type=click.Path(file_okay=False, path_type=Path),
              help="Also write one copy per unit into this folder, to hand out and collect back.")
@click.option("--force", is_flag=True, help="Overwrite the output (and copies) if they exist.")
@max_input_option
def ledger_write(source: Path, profile: Path | None, output: Path | None, by: str | None, warn_days: int | None,
                 old: Path | None, per_unit: Path | None, force: bool, max_input_mb: float):
    """Write the ledger of SOURCE (a circular or a plan JSON)."""
    from parser import load_plan, load_profile

    from . import ledger as L
    from .output import safe_name

    spec = L.load_spec()
    output = output or Path(f"{safe_name(source.stem)}-{spec.file}.xlsx")
    try:
        if old is not None and output.resolve() == old.resolve():
            raise InputError(f"{output}: that is the ledger to update, which is never changed: give another -o")
        _refuse_existing(output, force)
        prof = load_profile(profile) if profile else None
        _import_jieba_without_pkg_resources()
        plan = load_plan(source, prof, max_mb=max_input_mb)
        if not plan.tasks:
            raise InputError(f"{source}: no tasks found, no ledger to write")
        units_of = functools.partial(L.task_units, profile=prof)
        if old is not None:
            before = L.read_ledger(old)
            options = L.Options(by or before.by, before.warn_days if warn_days is None else warn_days)
            data, report = L.update_ledger(plan, units_of, before, options)
            plan = report.plan
            typed = L.read_ledger_bytes(data).typed if per_unit else None
        else:
            report, typed = None, None
            options = L.Options(by or "month", 30 if warn_days is None else warn_days)
            data = L.render_ledger(plan, units_of(plan), options)
        copies = {}
        if per_unit is not None:
            units = units_of(plan)
            for unit, name in zip(units.order, L.copy_names(units.order)):
                copies[per_unit / name] = L.render_copy(plan, units, unit, options, typed)
            for path in copies:
                _refuse_existing(path, force)
        write_atomic(output, data)
        for path, copy in copies.items():
            write_atomic(path, copy)
    except PlandocError as exc:
        _fail(exc)
    click.echo(f"wrote {output} ({len(plan.tasks)} tasks)", err=True)
    if report is not None:
        click.echo(f"from {old}: {report.kept} tasks kept with their cells ({report.typed} with cells typed), "
                   f"{len(report.changed)} changed (marked, old values in comments), {len(report.added)} new, "
                   f"{len(report.withdrawn)} withdrawn to {spec.sheets['withdrawn']}"
                   + (f", {len(report.restored)} back from it with their cells" if report.restored else ""), err=True)
    if copies:
        click.echo(f"wrote {len(copies)} copies for the units in {per_unit}", err=True)


def _refuse_existing(path: Path, force: bool) -> None:
    from .ledger import check_not_open
    if path.exists():
        check_not_open(path)
        if not force:
            raise InputError(f"{path} exists: give --force to replace it, or another -o")


@ledger.command("collect")
@click.argument("office", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("copies", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the collected ledger here [default: OFFICE itself, replaced whole].")
def ledger_collect(office: Path, copies: tuple[Path, ...], output: Path | None):
    """Bring the cells units typed in their copies (UNIT.xlsx…) into the office's ledger.

    Rows are matched by task id.  A cell that both the unit and the office changed since the
    copy was handed out is reported and left as the office has it.  Exit code 1 when a cell
    conflicts (the rest is collected all the same), 2 for a file that cannot be used.
    """
    from . import ledger as L

    output = output or office
    try:
        before = L.read_ledger(office)
        theirs = [L.read_ledger(p) for p in copies]
        if output.exists():
            L.check_not_open(output)
        data, report = L.collect(before, theirs)
        write_atomic(output, data)
    except PlandocError as exc:
        _fail(exc)
    for c in report.conflicts:
        click.echo(f"conflict: {c.copy}: task {c.n} ({c.task_id}) {c.heading}: the office has {_cell(c.office)}, "
                   f"{c.unit} typed {_cell(c.theirs)}: kept the office's", err=True)
    for copy, tid in report.unknown:
        click.echo(f"note: {copy}: task {tid} is no longer in {office}: its cells were not taken", err=True)
    click.echo(f"wrote {output}: {report.taken} cells taken from {len(copies)} copies, "
               f"{len(report.conflicts)} conflicts", err=True)
    sys.exit(1 if report.conflicts else 0)


def _cell(value) -> str:
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return "(empty)" if value in (None, "") else repr(value) if not isinstance(value, str) else f"“{value}”"


@main.command()
@click.argument("ledger_file", metavar="LEDGER", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--date", "on", type=click.DateTime(formats=["%Y-%m-%d"]), help="The day to remind on [default: today].")
@click.option("--warn-days", type=click.IntRange(0, 366), default=None,
              help="Due soon: within this many days [default: the ledger's, 30].")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--notices", type=click.Path(file_okay=False, path_type=Path),
              help="Also write a 催办通知 for each unit listed into this folder: <unit>/催办通知.docx and .pdf.")
@click.option("--notice-format", default="docx,pdf", show_default=True, metavar="LIST",
              help="Formats of the notices, comma-separated: docx, pdf.")
@click.option("--profile", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Organisation profile (TOML): the issuer and wording the notices bear.")
@click.option("--templates", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder with the office's own templates (notice.docx, notice.html).")
@click.option("--trust-templates", is_flag=True, help="Run the templates outside Jinja's sandbox (see build).")
def remind(ledger_file: Path, on, warn_days: int | None, fmt: str, notices: Path | None, notice_format: str,
           profile: Path | None, templates: Path | None, trust_templates: bool):
    """Per unit, the tasks of the ledger (as staff left it) that are overdue or due soon and not done."""
    from datetime import date

    from parser import load_profile

    from . import ledger as L
    from .ledger.notice import write_reminder_notices
    from .ledger.remind import to_json, to_table
    from .wording import load_wording

    day = on.date() if on else date.today()
    chosen = _formats(notice_format, "--notice-format")
    written = []
    try:
        found = L.read_ledger(ledger_file)
        warn = found.warn_days if warn_days is None else warn_days
        result = L.reminders(found, day, warn)
        if notices is not None:
            written = write_reminder_notices(found, result, day, warn, notices, formats=chosen,
                                             profile=load_profile(profile) if profile else None,
                                             templates=templates, trust_templates=trust_templates)
    except PlandocError as exc:
        _fail(exc)
    click.echo(to_json(result, day, warn) if fmt == "json" else to_table(result, day, warn, load_wording().roles),
               nl=False)
    if notices is not None:
        click.echo(f"wrote {len(written)} reminder notices in {notices}", err=True)


@main.command()
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="The page to write ('-' is stdout) [default: <source name>.review.html here].")
@click.option("--profile", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Organisation profile (TOML): units named by an alias shown under the profile's name.")
@click.option("--against", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A previous version (circular or plan JSON): what changed since is marked in place.")
@click.option("--templates", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder with the office's own templates (review.html).")
@click.option("--trust-templates", is_flag=True, help="Run the template outside Jinja's sandbox (see build).")
@max_input_option
@click.option("-q", "--quiet", is_flag=True, help="Do not print warnings on stderr.")
def review(source: Path, output: Path | None, profile: Path | None, against: Path | None, templates: Path | None,
           trust_templates: bool, max_input_mb: float, quiet: bool):
    """Write the review page of SOURCE (a circular, or a plan JSON): one HTML file that loads
    nothing, to check a parse before any letter goes out.

    The circular's text line by line, with every piece the parse took marked in place (item
    numerals, units coloured by role, the clause each unit came from, targets, deadlines),
    numbered lines that gave no task and numbers not taken as targets marked apart; each
    task's fields on hover or click; the warnings, linked to their lines; a task table to
    filter by unit and role and sort by deadline; a chart of tasks per unit and role.

    \b
    Examples:
      plandoc review samples/suzhou-post-2022.txt --profile samples/suzhou-post.profile.toml
      plandoc review revised.txt --against output/suzhou-post-2022/latest/plan.json -o review.html
    """
    from parser import load_plan, load_profile

    from .diff import diff
    from .review import render_review

    try:
        prof = load_profile(profile) if profile else None
        _import_jieba_without_pkg_resources()
        plan, lines = _plan_and_lines(source, prof, max_input_mb)
        changes = diff(load_plan(against, prof, max_mb=max_input_mb), plan) if against else None
        page = render_review(plan, lines, changes=changes, follows=str(against) if against else None,
                             templates=templates, trusted=trust_templates)
        target = output or Path(f"{source.stem or 'plan'}.review.html")
        if str(target) == "-":
            click.echo(page, nl=False)
        else:
            write_atomic(target, page.encode("utf-8"))
            click.echo(f"wrote {target} ({len(plan.tasks)} tasks, {len(plan.warnings)} warnings)", err=True)
    except PlandocError as exc:
        _fail(exc)
    if not quiet:
        for w in plan.warnings:
            click.echo(f"warning: {source}:{w.line}: {w.message} [{w.code}]", err=True)


@main.group()
def templates():
    """The document templates: Word (.docx with Jinja tags) and HTML/CSS (for PDF)."""


@templates.command("export")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite templates already in FOLDER.")
def templates_export(folder: Path, force: bool):
    """Copy the default templates into FOLDER, to edit and use with `plandoc build --templates FOLDER`.

    Edit the .docx files in Word, WPS or LibreOffice (keep the {{ … }} and {%p … %} tags) and the
    .html/.css files in any text editor.  Existing files are kept unless --force is given.
    """
    from .render.templates import NAMES, export

    try:
        written = export(folder, overwrite=force)
    except PlandocError as exc:
        _fail(exc)
    except OSError as exc:
        raise InputError(f"{folder}: {exc.strerror}") from None
    for path in written:
        click.echo(f"wrote {path}", err=True)
    kept = len(NAMES) - len(written)
    if kept:
        click.echo(f"kept {kept} existing file(s); use --force to overwrite", err=True)


@main.command()
def schema():
    """Print the JSON Schema of the plan that `plandoc parse` writes."""
    click.echo(plan_schema_text(), nl=False)


def plan_schema_text() -> str:
    from parser.rules import DATA_DIR
    return (DATA_DIR / "plan.schema.json").read_text(encoding="utf-8")


def render_table(plan) -> str:
    """A plain view of the plan for people: one block per task, then the warnings."""
    lines = []
    head = " · ".join(x for x in (plan.title, plan.issuer, plan.date and plan.date.isoformat()) if x)
    lines.append(head or str(plan.source.path))
    lines.append(f"{len(plan.tasks)} tasks, {len(plan.warnings)} warnings")
    from .wording import load_wording
    roles = load_wording().roles
    part = object()
    for t in plan.tasks:
        if t.part != part:
            part = t.part
            lines.append("")
            lines.append(f"== {t.part or '(no part)'}")
        units = "、".join(f"{u.name}[{roles[u.role]}]" for u in t.departments)
        num = t.number or "-"
        lines.append(f"{num:>4}  L{t.line:<4} {t.text}")
        lines.append(f"      units: {units}")
        if t.deadline:
            lines.append(f"      deadline: {t.deadline.text} -> {t.deadline.date.isoformat() if t.deadline.date else '?'}")
        for g in t.targets:
            value = int(g.value) if float(g.value).is_integer() else g.value
            lines.append(f"      target: {g.text}  ({g.comparator} {value} {g.unit})")
    if plan.warnings:
        lines.append("")
        lines.append("warnings:")
        for w in plan.warnings:
            lines.append(f"  line {w.line}: {w.message} [{w.code}]")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
