"""A build: from a plan to every unit's letter and checklist and the office's overview, as DOCX
and PDF, under output/<plan>/ with a manifest.

    output/suzhou-post-2022/
        manifest.json                  every file, its sha256 and the task ids in it
        任务分解总表.docx / .pdf         the overview
        市场监管处/任务交办函.docx / .pdf
        市场监管处/任务清单.docx / .pdf
"""
from __future__ import annotations

import json
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Optional

from parser.errors import SourceError
from parser.model import Plan
from parser.profile import Profile
from parser.rules import load_rules

from .assemble import Assignments, assemble, restarting_parts
from .output import (MANIFEST, check_writable, inside, locked, manifest_bytes, read_manifest, safe_name, sha256,
                     unique_names, write_atomic)
from .render import FORMATS, Meta, Renderer, make_renderer, renderer_class
from .render import context
from .render.fonts import PreparedFonts, load_fonts, prepare
from .wording import Wording, load_wording


@dataclass(frozen=True)
class Job:
    """One document to make: which template, with which context, to which file."""
    kind: str                  # letter | checklist | overview
    unit: Optional[str]
    path: str                  # relative to the plan's folder
    fmt: str
    context: dict
    task_ids: tuple[str, ...]


@dataclass
class BuildResult:
    folder: Path
    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    idle: tuple[str, ...] = ()
    outside: tuple[str, ...] = ()
    manifest: Optional[Path] = None
    kept: list[tuple[Path, Path]] = field(default_factory=list)   # (edited by hand, the new one beside it)


def plan_jobs(plan: Plan, profile: Optional[Profile], formats: Iterable[str], only: Optional[list[str]] = None,
              wording: Optional[Wording] = None) -> tuple[list[Job], Assignments]:
    wording = wording or load_wording()
    assignments = assemble(plan, profile, load_rules().same_work_similarity)
    sentences = context.Sentences(wording, profile)
    units = [a for a in assignments.units if a.unit not in assignments.outside]
    if only:
        if profile is not None:          # 市场处 is 市场监管处
            only = [profile.canonical(u) or u for u in only]
        known = {a.unit for a in assignments.units} | set(assignments.idle)
        unknown = [u for u in only if u not in known]
        if unknown:
            raise SourceError(f"--only: no such unit: {', '.join(unknown)} (units: {', '.join(sorted(known))})")
        units = [a for a in units if a.unit in only]
    files = wording.files
    overview = {fmt: f"{safe_name(files['overview'])}.{fmt}" for fmt in FORMATS}
    folders = unique_names([a.unit for a in assignments.units] + list(assignments.idle), (MANIFEST, *overview.values()))
    jobs = []
    for a in units:
        for kind, make in (("letter", context.letter), ("checklist", context.checklist)):
            ctx = make(plan, a, sentences)
            for fmt in formats:
                jobs.append(Job(kind, a.unit, f"{folders[a.unit]}/{safe_name(files[kind])}.{fmt}", fmt, ctx,
                                tuple(ctx["task_ids"])))
    if not only:
        ctx = context.overview(plan, assignments, sentences)
        for fmt in formats:
            jobs.append(Job("overview", None, overview[fmt], fmt, ctx,
                            tuple(ctx["task_ids"])))
    return jobs, assignments


def build(plan: Plan, profile: Optional[Profile], out_root: Path, *, formats: Iterable[str] = FORMATS,
          only: Optional[list[str]] = None, templates: Optional[Path] = None, name: Optional[str] = None,
          workers: int = 1, progress: Optional[Callable[[int, int, str], None]] = None,
          force: bool = False, trust_templates: bool = False) -> BuildResult:
    """Make the documents of a plan under out_root/<plan>/.  A document edited by hand since the
    last build (its bytes are not those the manifest records) is kept, and the new one is
    written beside it (任务交办函.new.docx) unless `force`.  Templates run in Jinja's sandbox and
    fetch nothing outside their folder unless `trust_templates`."""
    formats = tuple(formats)
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise SourceError(f"no such format: {', '.join(unknown)} (formats: {', '.join(FORMATS)})")
    jobs, assignments = plan_jobs(plan, profile, formats, only)
    folder = out_root / safe_name(name or Path(plan.source.path).stem or "plan")
    result = BuildResult(folder, idle=assignments.idle, outside=assignments.outside)
    _check_destinations(out_root, folder, jobs, folder / MANIFEST)
    with locked(folder):
        stamp = _timestamp(plan)
        previous = {f.get("path"): f for f in read_manifest(folder).get("files", []) if isinstance(f, dict)}
        # the manifest is rewritten after every document, and only ever describes files that exist
        # with the bytes it records: a build killed half-way leaves a manifest that is true
        entries = {p: f for p, f in previous.items() if _holds(folder / str(p), f)}
        prepared = _prepared_fonts(jobs, formats)
        info = {"source": plan.source.path, "sha256": plan.source.sha256, "title": plan.title,
                "tasks": len(plan.tasks), "idle_units": list(assignments.idle), "outside_units": list(assignments.outside)}
        result.manifest = folder / MANIFEST
        made: set[str] = set()
        for n, (job, data) in enumerate(_render_all(jobs, templates, stamp, workers, prepared, trust_templates), 1):
            path = folder / job.path
            if not force and _edited_by_hand(path, previous.get(job.path), data):
                beside = path.with_name(f"{path.stem}.new{path.suffix}")
                result.kept.append((path, beside))
                path = inside(out_root, beside)
            (result.written if write_atomic(path, data) else result.unchanged).append(path)
            entries.pop(str(path.relative_to(folder)), None)
            entries[job.path] = {"path": str(path.relative_to(folder)), "kind": job.kind, "unit": job.unit,
                                 "format": job.fmt, "sha256": sha256(data), "bytes": len(data),
                                 "task_ids": list(job.task_ids)}
            made.add(job.path)
            write_atomic(result.manifest, manifest_bytes(info, list(entries.values())))
            if progress:
                progress(n, len(jobs), job.path)
        if not only:       # a whole build: what it did not make is no longer part of the plan
            entries = {p: f for p, f in entries.items() if p in made}
        write_atomic(result.manifest, manifest_bytes(info, list(entries.values())))
        return result


def _check_destinations(root: Path, folder: Path, jobs: list[Job], *more: Path) -> None:
    """Where every file goes, checked before anything is made: inside `root` with no link on
    the way, in folders that take files.  Raises OutputError."""
    check_writable(root)
    for path in [folder / job.path for job in jobs] + list(more):
        inside(root, path)
    check_writable(folder)


def _prepared_fonts(jobs: list[Job], formats: Iterable[str]) -> Optional[PreparedFonts]:
    """The PDF fonts cut to the characters of these documents, when a format embeds fonts."""
    if not any(renderer_class(f).needs_fonts for f in formats):
        return None
    fonts = load_fonts()
    fonts.require_pdf_faces()
    return prepare(fonts, {c for job in jobs for c in json.dumps(job.context, ensure_ascii=False)})


def write_notices(d, old: Plan, new: Plan, profile: Optional[Profile], folder: Path, *,
                  formats: Iterable[str] = FORMATS, templates: Optional[Path] = None, trust_templates: bool = False,
                  progress: Optional[Callable[[int, int, str], None]] = None) -> list[Path]:
    """A change notice (任务调整通知) for each unit the diff `d` from `old` to `new` concerns, as
    <folder>/<unit>/任务调整通知.docx / .pdf.  Returns the files written."""
    from .notices import changes_by_unit

    formats = tuple(formats)
    wording = load_wording()
    sentences = context.Sentences(wording, profile)
    restarts = restarting_parts(old) | restarting_parts(new)
    units = changes_by_unit(d, profile)
    folders = unique_names([u.unit for u in units])
    jobs = []
    for u in units:
        ctx = context.notice(new, u, sentences, restarts)
        for fmt in formats:
            jobs.append(Job("notice", u.unit, f"{folders[u.unit]}/{safe_name(wording.files['notice'])}.{fmt}", fmt,
                            ctx, tuple(ctx["task_ids"])))
    _check_destinations(folder, folder, jobs)
    written = []
    with locked(folder):
        prepared = _prepared_fonts(jobs, formats)
        for n, (job, data) in enumerate(_render_all(jobs, templates, _timestamp(new), 1, prepared, trust_templates), 1):
            write_atomic(folder / job.path, data)
            written.append(folder / job.path)
            if progress:
                progress(n, len(jobs), job.path)
    return written


def _holds(path: Path, entry: dict) -> bool:
    """Whether path is a file with the bytes a manifest entry records."""
    try:
        return path.is_file() and sha256(path.read_bytes()) == entry.get("sha256")
    except OSError:
        return False


def _edited_by_hand(path: Path, recorded: Optional[dict], data: bytes) -> bool:
    """Whether the file at path holds bytes plandoc did not write there (and not the new ones):
    edited since the last build, or never recorded by a manifest."""
    if not path.is_file():
        return False
    current = path.read_bytes()
    if current == data:
        return False
    return recorded is None or recorded.get("sha256") != sha256(current)


def _timestamp(plan: Plan) -> datetime:
    """Documents carry the plan's date, not the build's time, so a rebuild gives the same bytes."""
    d = plan.date or (datetime(plan.year, 1, 1).date() if plan.year else None)
    return datetime(d.year, d.month, d.day, tzinfo=timezone.utc) if d else datetime(1980, 1, 1, tzinfo=timezone.utc)


def _render_all(jobs: list[Job], templates: Optional[Path], stamp: datetime, workers: int,
                prepared: Optional[PreparedFonts], trusted: bool):
    """Yield (job, bytes) as documents are made; PDFs (the slow part) spread over `workers` processes."""
    if workers <= 1 or len(jobs) < 2:
        for job in jobs:
            yield job, render_job(job, templates, stamp, prepared, trusted)
        return
    # the slowest first (the overview's PDF, then the other PDFs: the formats that embed fonts),
    # so no worker waits at the end
    order = sorted(jobs, key=lambda j: (not renderer_class(j.fmt).needs_fonts, j.kind != "overview"))
    with ProcessPoolExecutor(max_workers=workers, initializer=_end_with_parent) as pool:
        futures = {pool.submit(render_job, job, templates, stamp, prepared, trusted): job for job in order}
        for future in as_completed(futures):
            yield futures[future], future.result()


def _end_with_parent() -> None:
    """A worker ends when the build that started it is killed (Linux), instead of rendering on
    for nobody."""
    try:
        import ctypes
        import signal
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)     # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


KEPT_RENDERERS = 4
_RENDERERS: dict[tuple, Renderer] = {}     # per process: a renderer loads its templates and fonts once


def render_job(job: Job, templates: Optional[Path], stamp: datetime, prepared: Optional[PreparedFonts],
               trusted: bool = False) -> bytes:
    """The bytes of one document."""
    key = (job.fmt, templates, prepared.font_faces if prepared else None, trusted)
    if key not in _RENDERERS:
        if len(_RENDERERS) >= KEPT_RENDERERS:       # a long-lived process builds many plans
            del _RENDERERS[next(iter(_RENDERERS))]
        _RENDERERS[key] = make_renderer(job.fmt, templates, prepared, trusted)
    meta = Meta(title=job.context["title"], author=job.context["issuer"], created=stamp,
                landscape=job.kind != "letter")
    return _RENDERERS[key].render(job.kind, job.context, meta)


__all__ = ["build", "plan_jobs", "render_job", "BuildResult", "Job", "FORMATS"]
