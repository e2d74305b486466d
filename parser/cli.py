"""The `plandoc` command (click).  The only module that prints or exits.

Exit codes: 0 ok; 1 a parse, rule or render error, or warnings under --strict;
2 a usage error or an input that cannot be used (missing, empty, binary, corrupt).
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import click

from . import __version__
from .errors import PlandocError, SourceError


class InputError(click.ClickException):
    """An input that cannot be used: exit 2, one line on stderr."""
    exit_code = 2


def _fail(exc: PlandocError):
    if isinstance(exc, SourceError):
        raise InputError(str(exc)) from exc
    raise click.ClickException(str(exc)) from exc


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="plandoc")
def main():
    """plandoc: turn a work-plan circular (通知) into per-department tasks.

    \b
    Start with:
      plandoc parse samples/suzhou-post-2022.txt --format table
      plandoc parse samples/suzhou-post-2022.txt -o output/plan.json
    """


@main.command()
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the result to this file instead of standard output ('-' is stdout).")
@click.option("--profile", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Organisation profile (TOML): the issuer's units, aliases and groups.")
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="json", show_default=True,
              help="json: the plan as JSON (schema: `plandoc schema`); table: a view for people.")
@click.option("--strict", is_flag=True, help="Exit 1 when the document has warnings.")
@click.option("-q", "--quiet", is_flag=True, help="Do not print warnings on stderr.")
def parse(source: Path, output: Path | None, profile: Path | None, fmt: str, strict: bool, quiet: bool):
    """Parse a circular (.txt in UTF-8/GB18030, .docx, .html) into a plan.

    Every numbered item that names units in charge becomes a task with its units and roles
    (lead / responsible / support), targets, deadline and source line.  Warnings about the
    document itself (a repeated numeral, an item with no unit) go to stderr.

    \b
    Examples:
      plandoc parse samples/suzhou-post-2022.txt
      plandoc parse plan.docx --profile samples/suzhou-post.profile.toml --format table
    """
    from . import parse_file

    try:
        plan = parse_file(source, profile)
    except PlandocError as exc:
        _fail(exc)
    text = plan.to_json() if fmt == "json" else render_table(plan)
    if output is None or str(output) == "-":
        click.echo(text, nl=False)
    else:
        write_atomic(output, text.encode("utf-8"))
        click.echo(f"wrote {output} ({len(plan.tasks)} tasks)", err=True)
    if not quiet:
        for w in plan.warnings:
            click.echo(f"warning: {source}:{w.line}: {w.message} [{w.code}]", err=True)
    if strict and plan.warnings:
        sys.exit(1)


@main.command()
def schema():
    """Print the JSON Schema of the plan that `plandoc parse` writes."""
    click.echo(plan_schema_text(), nl=False)


def plan_schema_text() -> str:
    return (Path(__file__).with_name("data") / "plan.schema.json").read_text(encoding="utf-8")


def render_table(plan) -> str:
    """A plain view of the plan for people: one block per task, then the warnings."""
    lines = []
    head = " · ".join(x for x in (plan.title, plan.issuer, plan.date and plan.date.isoformat()) if x)
    lines.append(head or str(plan.source.path))
    lines.append(f"{len(plan.tasks)} tasks, {len(plan.warnings)} warnings")
    roles = {"lead": "牵头", "responsible": "负责", "support": "配合"}
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


def write_atomic(path: Path, data: bytes) -> None:
    """Write through a temporary file in the same folder, then rename: never a half file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


if __name__ == "__main__":
    main()
