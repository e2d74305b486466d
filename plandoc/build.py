"""A build: from a plan to every unit's letter and checklist and the office's overview, as DOCX
and PDF, in a new version folder of the plan (versions.py) with a manifest.

    output/suzhou-post-2022/2022-03-01-5be0c2a1/
        manifest.json                  every file, its sha256 and the task ids in it; the version
                                       this one follows and the diff from it
        plan.json                      the plan the documents were made from (ids carried on)
        任务分解总表.docx / .pdf         the overview
        市场监管处/任务交办函.docx / .pdf
        市场监管处/任务清单.docx / .pdf
"""
from __future__ import annotations

import dataclasses
import json
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Optional

from parser.errors import PlandocError, SourceError
from parser.model import Plan
from parser.profile import Profile
from parser.rules import load_rules

from .assemble import Assignments, assemble, restarting_parts
from .errors import FontError
from .inputs import complete, file_in, renderer_digest
from .interrupt import held
from .output import (MANIFEST, check_writable, inside, locked, manifest_bytes, read_manifest,
                     read_record, record_bytes, safe_name, sha256, unique_names, write_atomic)
from .render import FORMATS, Meta, Renderer, make_renderer, needs_fonts, renderer_class
from .render import context
from .render.fonts import PreparedFonts, load_fonts, prepare, substitutions
from .result import BuildResult
from .review import REVIEW_FILE, render_review
from .versions import NAME, PIECES, PLAN_FILE, carry, clear_staging, free_name, read_latest, set_latest, staging, version_name
from .wording import Wording, load_wording

if TYPE_CHECKING:
    from .diff import Diff


@dataclass(frozen=True)
class Job:
    """One document to make: which template, with which context, to which file."""
    kind: str                  # letter | checklist | overview
    unit: Optional[str]
    path: str                  # relative to the plan's folder
    fmt: str
    context: dict
    task_ids: tuple[str, ...]
    # documents cut from this one, (kind, path): a packet's letter and checklist
    parts: tuple[tuple[str, str], ...] = ()

    @property
    def paths(self) -> tuple[str, ...]:
        return (self.path,) + tuple(p for _, p in self.parts)


def plan_jobs(plan: Plan, profile: Optional[Profile], formats: Iterable[str], only: Optional[list[str]] = None,
              wording: Optional[Wording] = None, issued: Optional[date] = None,
              number: Optional[str] = None) -> tuple[list[Job], Assignments]:
    """The documents to make.  `issued`: the date the letters bear (default: the circular's);
    `number`: their 发文字号 (default: the wording's or the profile's)."""
    wording = wording or load_wording()
    assignments = assemble(plan, profile, load_rules().same_work_similarity)
    sentences = context.Sentences(wording, profile, issued, number)
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
    folders = unique_names([a.unit for a in assignments.units] + list(assignments.idle),
                           (MANIFEST, PLAN_FILE, REVIEW_FILE, *overview.values()))
    jobs = []
    packets = [fmt for fmt in formats if renderer_class(fmt).packets]
    # a letter's place among all the letters, --only or not (the {n} of its 发文字号)
    place = {a.unit: n for n, a in enumerate((a for a in assignments.units if a.unit not in assignments.outside), 1)}
    for a in units:
        made = {"letter": context.letter(plan, a, sentences, place[a.unit]),
                "checklist": context.checklist(plan, a, sentences)}
        path = {kind: f"{folders[a.unit]}/{safe_name(files[kind])}" for kind in ("letter", "checklist", "packet")}
        for fmt in formats:
            if fmt in packets:
                # the letter with its checklist as its attachment, laid out once; the letter and
                # the checklist are cut from it
                ctx = context.packet(made["letter"], made["checklist"], sentences)
                jobs.append(Job("packet", a.unit, f"{path['packet']}.{fmt}", fmt, ctx, tuple(ctx["task_ids"]),
                                parts=tuple((kind, f"{path[kind]}.{fmt}") for kind in ("letter", "checklist"))))
                continue
            for kind, ctx in made.items():
                jobs.append(Job(kind, a.unit, f"{path[kind]}.{fmt}", fmt, ctx, tuple(ctx["task_ids"])))
    if not only:
        ctx = context.overview(plan, assignments, sentences)
        for fmt in formats:
            jobs.append(Job("overview", None, overview[fmt], fmt, ctx,
                            tuple(ctx["task_ids"])))
    return jobs, assignments


def build(plan: Plan, profile: Optional[Profile], out_root: Path, *, formats: Iterable[str] = FORMATS,
          only: Optional[list[str]] = None, templates: Optional[Path] = None, name: Optional[str] = None,
          workers: int = 1, progress: Optional[Callable[[int, int, str], None]] = None,
          force: bool = False, trust_templates: bool = False, inputs: Optional[str] = None,
          strict_fonts: bool = False, issued: Optional[date] = None, number: Optional[str] = None,
          lines: Optional[Iterable] = None, started: Optional["Workers"] = None) -> BuildResult:
    """Make a new version of a plan's documents under out_root/<plan>/<version>/ (see versions.py).

    The plan is compared with the one of the latest version: a task matched there keeps its id,
    and a document made from the same content as one of the latest version is copied from it as
    it is (edits by hand included) instead of being made again; `force` makes every document
    again.  When nothing changed, nothing is made and `latest` names the version that holds
    these documents.  `inputs` (from `inputs_key`) is recorded for `made_already`.  A PDF face
    that would be substituted is noted in the result, or with `strict_fonts` refused before
    anything is made.  The letters made bear the date `issued`, by default the day they are
    made (one taken over keeps the date it bore), and the 发文字号 `number` (a sentence with
    {n} and {year}; default: the profile's).  Templates run in Jinja's sandbox and fetch
    nothing outside their folder unless `trust_templates`.  The version also gets the review
    page (review.html) of the plan, drawn from `lines`, the circular's lines as the parse read
    them (None: read again from the plan's source when it is there unchanged).  `started`:
    workers started already (see Workers) to lay the documents out in, instead of `workers` new."""
    from .diff import diff

    formats = tuple(formats)
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise SourceError(f"no such format: {', '.join(unknown)} (formats: {', '.join(FORMATS)})")
    if only:            # an unknown unit is refused before any folder is made
        plan_jobs(plan, profile, (), only)
    issued = issued or date.today()
    plan_folder = out_root / safe_name(name or Path(plan.source.path).stem or "plan")
    _check_destinations(out_root, plan_folder, [])
    with locked(plan_folder):
        clear_staging(plan_folder)
        last = _Latest.of(plan_folder)
        follows, before, previous = last.name, last.folder, last.files
        changes = diff(last.plan, plan, last.retired) if last.plan is not None else None
        if changes is not None:
            plan = _keep_ids(plan, changes.ids)
        jobs, assignments = plan_jobs(plan, profile, formats, only, issued=issued, number=number)
        if strict_fonts:        # refused before anything is made, or found made already
            _refuse_substitutes(jobs, formats)
        made_from = _made_from(jobs, templates, plan, trust_templates)
        version = version_name(_date(plan), [f"{p}:{d}" for p, d in made_from.items()])
        result = BuildResult(plan_folder / version, version, follows, changes=changes,
                             idle=assignments.idle, outside=assignments.outside)
        if not force and complete(plan_folder / version):
            set_latest(plan_folder, version)        # the same documents again (or back to them)
            result.same_as, result.manifest = version, plan_folder / version / MANIFEST
            return result
        version = result.version = free_name(plan_folder, version)
        kept = [] if force else [j for j in jobs if all(_can_carry(last.folder_of(p), previous.get(p), made_from[j.path])
                                                            for p in j.paths)]
        carried = {p: previous[p] for j in kept for p in j.paths}
        fresh = [j for j in jobs if j not in kept]
        info = {"source": plan.source.path, "sha256": plan.source.sha256, "title": plan.title,
                "tasks": len(plan.tasks), "idle_units": list(assignments.idle),
                "outside_units": list(assignments.outside)}
        with staging(plan_folder, version) as folder:
            _check_destinations(out_root, folder, jobs, folder / MANIFEST, folder / PLAN_FILE, folder / REVIEW_FILE)
            entries = []
            overview_fresh = any(j.kind == "overview" for j in fresh)
            pieces = plan_folder / PIECES
            with _Rendering(fresh, workers, started) as rendering:
                # the fonts cut while the workers start (and import WeasyPrint)
                prepared = _prepared_fonts(fresh, formats, notes=result.font_notes)
                rendering.submit(templates, _timestamp(plan), prepared, trust_templates, pieces, folder)
                # while the workers lay out PDFs: the documents taken over, the ledger, plan.json
                # and the review page
                for path, entry in carried.items():
                    carry(last.folder_of(path) / path, folder / path)
                    result.carried.append(plan_folder / version / path)
                    entries.append(dict(entry, made_in=entry.get("made_in") or follows))
                ledger = _write_ledger(plan, profile, before, folder, result, issued, assignments) if not only else None
                _give_back_memory()
                plan_bytes = plan.to_json().encode("utf-8")
                write_atomic(folder / PLAN_FILE, plan_bytes)
                # the review page, like plan.json a view of the whole plan (with the diff from `follows`)
                page = render_review(plan, lines, changes=changes, follows=follows, templates=templates,
                                     trusted=trust_templates).encode("utf-8")
                write_atomic(folder / REVIEW_FILE, page)
                review = {"path": REVIEW_FILE, "sha256": sha256(page), "bytes": len(page)}
                del page        # 6 MB for 2,000 tasks, not held while the workers lay out
                _give_back_memory()
                for n, (job, outputs) in enumerate(rendering, 1):
                    for kind, path, digest, size in outputs:
                        result.made.append(plan_folder / version / path)
                        if last.edited_by_hand(path):
                            result.redone_after_edit.append(last.folder_of(path) / path)
                        entries.append({"path": path, "kind": kind, "unit": job.unit, "format": job.fmt,
                                        "sha256": digest, "bytes": size, "task_ids": list(job.task_ids),
                                        "made_from": made_from[job.path], "made_in": version,
                                        "issued": issued.isoformat()})
                    if progress:
                        progress(n, len(fresh), job.path)
            if ledger is not None:        # the 督办台账, with what staff typed in the previous version's
                entries.append(ledger)
                result.made.append(plan_folder / version / ledger["path"])
            if overview_fresh:
                _forget_pieces(pieces, rendering.began)
            history = {"version": version, "follows": follows, "only": list(only or []), "inputs": inputs,
                       "plan_sha256": sha256(plan_bytes), "retired_ids": _retired(last, changes),
                       "diff": _diff_record(changes),
                       "review": review}
            write_atomic(folder / MANIFEST, manifest_bytes(info, entries, history))
        set_latest(plan_folder, version)
        result.folder, result.manifest = plan_folder / version, plan_folder / version / MANIFEST
        return result


def _write_ledger(plan: Plan, profile: Optional[Profile], before: Optional[Path], folder: Path,
                  result: BuildResult, issued: date, assignments: Optional[Assignments] = None) -> dict:
    """Write the version's ledger (plandoc/ledger) into `folder`; its manifest entry."""
    from .ledger.versioned import ledger_for_build, ledger_name
    path = ledger_name()
    data, note = ledger_for_build(plan, profile, before / path if before is not None else None, assignments)
    if note:
        result.notes.append(note)
    write_atomic(folder / path, data)
    return {"path": path, "kind": "ledger", "unit": None, "format": "xlsx", "sha256": sha256(data),
            "bytes": len(data), "task_ids": [t.id for t in plan.tasks], "made_from": sha256(data),
            "made_in": result.version, "issued": issued.isoformat()}


def _give_back_memory() -> None:
    """The memory the ledger or the review page held, given back to the system while the
    workers lay out PDFs: Python keeps freed memory for itself otherwise (the 2,000-task
    build's own process held 109 MB after its ledger, 79 MB once given back; 113 and 91 MB
    after the review page)."""
    import gc
    gc.collect()
    _trim()


def _trim() -> None:
    """Free memory at the top of the C heap returned to the system (glibc's malloc_trim;
    elsewhere there is nothing to call).  A worker does it after each document, so that what
    it held for a long one is not held through the next ones."""
    import ctypes
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


@dataclass(frozen=True)
class _Latest:
    """The latest version of a plan's documents, as a new build finds it.  A version made with
    --only holds that unit's documents only: the others are looked for in the version it
    follows, and so on back (a letter edited by hand in the whole version came back unedited
    after an --only build and then a whole one)."""
    name: Optional[str] = None
    folder: Optional[Path] = None
    files: dict = field(default_factory=dict)       # path -> its manifest entry
    plan: Optional[Plan] = None                     # what it was made from, when that reads
    folders: dict = field(default_factory=dict)     # path -> the version folder holding it, when not `folder`
    retired: frozenset = frozenset()                # ids of tasks removed in this version or before

    BACK = 20           # versions looked through behind --only ones (a loop of hand-edited names ends)

    @classmethod
    def of(cls, plan_folder: Path) -> "_Latest":
        name = read_latest(plan_folder)
        if name is None:
            return cls()
        folder = plan_folder / name
        recorded = read_manifest(folder)
        files = {f.get("path"): f for f in recorded.get("files", []) if isinstance(f, dict)}
        folders: dict = {}
        older, seen = recorded, {name}
        for _ in range(cls.BACK):
            back = older.get("follows")
            if not older.get("only") or not isinstance(back, str) or back in seen or not NAME.fullmatch(back):
                break
            seen.add(back)
            behind = plan_folder / back
            if not behind.is_dir() or behind.is_symlink():
                break
            older = read_manifest(behind)
            for f in older.get("files", []):
                if isinstance(f, dict) and isinstance(f.get("path"), str) and f["path"] not in files:
                    files[f["path"]] = f
                    folders[f["path"]] = behind
        retired = recorded.get("retired_ids")
        retired = frozenset(i for i in retired if isinstance(i, str)) if isinstance(retired, list) else frozenset()
        return cls(name, folder, files, _read_plan(folder, recorded.get("plan_sha256")), folders, retired)

    def folder_of(self, path: str) -> Optional[Path]:
        """The version folder that holds the document at `path`."""
        return self.folders.get(path, self.folder)

    def edited_by_hand(self, path: str) -> bool:
        """Whether this version's file at `path` no longer holds the bytes it was made with."""
        where = self.folder_of(path)
        return where is not None and path in self.files and not _holds(where / path, self.files[path])


def _retired(last: _Latest, changes: Optional["Diff"]) -> list[str]:
    """The ids no task may take again: those retired before, and those of the tasks removed now."""
    removed = {c.id for c in changes.changes if c.kind == "removed"} if changes is not None else set()
    return sorted(last.retired | removed)


def _read_plan(folder: Path, written: Optional[str]) -> Optional[Plan]:
    """The plan a version was made from, or None when it has none that reads (ids then start
    afresh; documents are still carried over by what they were made from)."""
    from parser.sources import read_plan_json
    try:
        return read_plan_json(folder / PLAN_FILE, written_sha256=written if isinstance(written, str) else None)
    except PlandocError:
        return None


def _keep_ids(plan: Plan, ids: dict[str, str]) -> Plan:
    """The plan with each task matched in the previous version under that version's id."""
    new = [ids.get(t.id, t.id) for t in plan.tasks]
    if len(set(new)) != len(new):       # never two tasks under one id: then ids stay as parsed
        return plan
    return dataclasses.replace(plan, tasks=tuple(dataclasses.replace(t, id=i) for t, i in zip(plan.tasks, new)))


def _made_from(jobs: list[Job], templates: Optional[Path], plan: Plan, trusted: bool) -> dict[str, str]:
    """For each document, a digest of everything its bytes follow from: its content, its
    format's templates (and whether they ran trusted) and fonts, the circular's date and
    plandoc's own code.  Not the day the letter bears: a document whose content has not
    changed is the one already sent, with its date (--force makes all again, dated anew)."""
    base = {fmt: renderer_digest(fmt, templates, trusted) for fmt in {j.fmt for j in jobs}}
    stamp = _timestamp(plan).isoformat()
    out = {}
    for job in jobs:
        ctx = _undated(job.context)
        content = json.dumps([job.kind, job.fmt, stamp, ctx], ensure_ascii=False, sort_keys=True,
                             default=str)
        out[job.path] = sha256(f"{base[job.fmt]}\n{content}".encode("utf-8"))
    return out


def _undated(ctx: dict) -> dict:
    """A context without the day the document bears (nor its attachment's)."""
    out = {k: v for k, v in ctx.items() if k != "issued"}
    if isinstance(out.get("annex"), dict):
        out["annex"] = _undated(out["annex"])
    return out


def _can_carry(before: Optional[Path], entry: Optional[dict], made_from: str) -> bool:
    """Whether the previous version holds this document made from the same content."""
    return (before is not None and entry is not None and entry.get("made_from") == made_from
            and isinstance(entry.get("path"), str) and file_in(before, entry["path"]))


def _date(plan: Plan) -> Optional[str]:
    return plan.date.isoformat() if plan.date else str(plan.year) if plan.year else None


def _diff_record(changes) -> Optional[dict]:
    """The diff from the previous version, as the manifest keeps it: which task, what kind of
    change, which aspects, whom it concerns."""
    if changes is None:
        return None
    return {"changes": [{"kind": c.kind, "id": c.id, "aspects": list(c.aspects),
                         "units_concerned": list(c.units_concerned)} for c in changes.changes],
            "renumbered": [new.id for _, new in changes.renumbered],
            "unchanged": changes.unchanged}


def _check_destinations(root: Path, folder: Path, jobs: list[Job], *more: Path) -> None:
    """Where every file goes, checked before anything is made: inside `root` with no link on
    the way, in folders that take files.  Raises OutputError."""
    check_writable(root)
    for path in [folder / p for job in jobs for p in job.paths] + list(more):
        inside(root, path)
    check_writable(folder)


def _prepared_fonts(jobs: list[Job], formats: Iterable[str],
                    notes: Optional[list[str]] = None) -> Optional[PreparedFonts]:
    """The PDF fonts cut to the characters of these documents, when a format embeds fonts.
    What would be set in another face than the one asked for goes to `notes`."""
    if not jobs or not any(needs_fonts(f) for f in formats):
        return None
    fonts = load_fonts()
    fonts.require_pdf_faces()
    chars = _pdf_characters(jobs)
    if notes is not None:
        notes.extend(substitutions(fonts, chars))
    return prepare(fonts, chars)


def _refuse_substitutes(jobs: list[Job], formats: Iterable[str]) -> None:
    """--strict-fonts: a FontError when a PDF face would be set in another font than its own."""
    if not any(needs_fonts(f) for f in formats):
        return
    found = substitutions(load_fonts(), _pdf_characters(jobs))
    if found:
        raise FontError("--strict-fonts: " + "; ".join(found))


def _pdf_characters(jobs: list[Job]) -> set[str]:
    """Every character the PDFs among these documents may print."""
    return {c for job in jobs if needs_fonts(job.fmt)
            for c in json.dumps(job.context, ensure_ascii=False)}


def write_notices(d, old: Plan, new: Plan, profile: Optional[Profile], folder: Path, *,
                  formats: Iterable[str] = FORMATS, templates: Optional[Path] = None, trust_templates: bool = False,
                  progress: Optional[Callable[[int, int, str], None]] = None,
                  kept: Optional[list] = None) -> list[Path]:
    """A change notice (任务调整通知) for each unit the diff `d` from `old` to `new` concerns, as
    <folder>/<unit>/任务调整通知.docx / .pdf.  Returns the files written.  A notice there that is
    not the one plandoc wrote (edited by hand) is kept, the new one written beside it, and the
    pair (kept, new) appended to `kept`."""
    from .notices import changes_by_unit

    formats = tuple(formats)
    wording = load_wording()
    sentences = context.Sentences(wording, profile, date.today())        # a notice bears the day it is made
    restarts = restarting_parts(old) | restarting_parts(new)
    units = changes_by_unit(d, profile)
    folders = unique_names([u.unit for u in units], (NOTICES_RECORD,))
    jobs = []
    for u in units:
        ctx = context.notice(new, u, sentences, restarts)
        for fmt in formats:
            jobs.append(Job("notice", u.unit, f"{folders[u.unit]}/{safe_name(wording.files['notice'])}.{fmt}", fmt,
                            ctx, tuple(ctx["task_ids"])))
    return write_notice_jobs(folder, jobs, _timestamp(new), formats, templates, trust_templates,
                             progress=progress, kept=kept)


def write_notice_jobs(folder: Path, jobs: list[Job], stamp: datetime, formats: tuple[str, ...],
                      templates: Optional[Path], trust_templates: bool, *,
                      progress: Optional[Callable[[int, int, str], None]] = None,
                      kept: Optional[list] = None) -> list[Path]:
    """The documents of `jobs` (change notices, 催办通知) written into the notices folder
    `folder`; returns the files written.  One there that is not the one plandoc wrote (edited
    by hand) is kept and the new one written beside it, the pair (kept, new) appended to `kept`;
    the folder's record (notices.json) says what was written."""
    _check_destinations(folder, folder, jobs, folder / NOTICES_RECORD)
    written = []
    with locked(folder):
        record = read_record(folder / NOTICES_RECORD)
        prepared = _prepared_fonts(jobs, formats)
        # a few small documents: made in this process
        for n, job in enumerate(jobs, 1):
            for _, path, data in render_job(job, templates, stamp, prepared, trust_templates):
                target = _unedited(folder, path, record, kept)
                write_atomic(folder / target, data)
                record[target] = sha256(data)
                written.append(folder / target)
            if progress:
                progress(n, len(jobs), job.path)
        write_atomic(folder / NOTICES_RECORD, record_bytes(record))
    return written


NOTICES_RECORD = "notices.json"     # what `write_notices` wrote into a folder, with each file's sha256


def _unedited(folder: Path, path: str, record: dict[str, str], kept: Optional[list]) -> str:
    """`path`, or when the file there is not the one plandoc wrote (edited by hand since, or
    never written by plandoc) a free name beside it (任务调整通知-2.docx): a notice run again
    replaced an edited one without a word.  (kept, made) pairs go to `kept`."""
    existing = folder / path
    if not existing.exists() and not existing.is_symlink():
        return path
    if existing.is_file() and not existing.is_symlink() and record.get(path) == _digest(existing):
        return path
    stem, dot, suffix = path.rpartition(".")
    n = 2
    while (folder / f"{stem}-{n}.{suffix}").exists() or (folder / f"{stem}-{n}.{suffix}").is_symlink():
        n += 1
    if kept is not None:
        kept.append((existing, folder / f"{stem}-{n}.{suffix}"))
    return f"{stem}-{n}.{suffix}"


def _digest(path: Path) -> Optional[str]:
    try:
        return sha256(path.read_bytes())
    except OSError:
        return None


def _holds(path: Path, entry: dict) -> bool:
    """Whether path is a file with the bytes a manifest entry records."""
    try:
        return path.is_file() and sha256(path.read_bytes()) == entry.get("sha256")
    except OSError:
        return False


def _timestamp(plan: Plan) -> datetime:
    """Documents carry the plan's date, not the build's time, so a rebuild gives the same bytes."""
    d = plan.date or (datetime(plan.year, 1, 1).date() if plan.year else None)
    return datetime(d.year, d.month, d.day, tzinfo=timezone.utc) if d else datetime(1980, 1, 1, tzinfo=timezone.utc)


class Workers:
    """The processes a build lays its documents out in, WeasyPrint imported in each (0.35–0.55 s)
    as soon as they start.  `plandoc build` starts them before it parses, so that the import
    runs beside the parse instead of after it.  A context manager: leaving on an error (Ctrl-C
    included) ends the processes at once instead of letting them finish for nobody."""

    def __init__(self, count: int, pdf: bool = True):
        self.count, self.pdf = max(1, count), pdf
        self.pool: Optional[ProcessPoolExecutor] = None
        self.used = False          # given jobs; workers never used are ended, not waited for

    def __enter__(self) -> "Workers":
        if self.count > 1:
            self.pool = ProcessPoolExecutor(max_workers=self.count, initializer=_start_worker, initargs=(self.pdf,))
            with held():
                for _ in range(self.count):       # the pool starts a process for each job it cannot give one
                    self.pool.submit(int)
        return self

    def __exit__(self, kind, value, tb) -> None:
        if self.pool is None:
            return
        with held():           # a second Ctrl-C does not leave the pool half shut
            if kind is not None or not self.used:
                # the pool keeps its processes in a private field: ended by hand because shutdown()
                # waits for the jobs at work (and, before any, for WeasyPrint's import)
                for process in list((getattr(self.pool, "_processes", None) or {}).values()):
                    process.terminate()
                self.pool.shutdown(wait=True, cancel_futures=True)
            else:
                self.pool.shutdown()
            self.pool = None


class _Rendering:
    """The documents of a build being made, each written into a folder where it is made, the
    PDFs (the slow part) spread over `workers` processes, the longest first so that no worker
    waits at the end, the DOCX files made by the workers as they come free and by this process
    while it waits; iterated, (job, [(kind, path, sha256, bytes)]) as each is done.  The
    workers are `started` ones, or start on entering, so that the caller can do its own work
    while they import WeasyPrint; they get the jobs by `submit`."""

    def __init__(self, jobs: list[Job], workers: int, started: Optional[Workers] = None):
        self.jobs = jobs
        self.workers = started if started is not None and started.pool is not None else None
        self.own = self.workers is None and len(jobs) >= 2 and workers >= 2     # started here, ended here
        if self.own:
            self.workers = Workers(min(workers, len(jobs)), any(needs_fonts(j.fmt) for j in jobs))
        self.args: tuple = ()
        self.futures: dict = {}
        self.began = datetime.now().timestamp()

    @property
    def pool(self) -> Optional[ProcessPoolExecutor]:
        return self.workers.pool if self.workers is not None else None

    def __enter__(self) -> "_Rendering":
        if self.own:
            self.workers.__enter__()
        return self

    def submit(self, *args) -> None:
        """Give the jobs to the workers: make_job(job, *args) each, the longest first, the PDFs
        before the DOCX files; a worker takes the next as it comes free, also while this process
        makes the ledger and the review page.  The shortest DOCX files not yet taken are made by
        this process when it would only wait (see __iter__)."""
        self.args = args
        if self.pool is not None:
            self.workers.used = self.workers.used or bool(self.jobs)     # nothing to make: not waited for
            with held():
                for job in longest_first(self.jobs):
                    self.futures[self.pool.submit(make_job, job, *args)] = job

    def __iter__(self):
        if self.pool is None:
            for job in self.jobs:
                yield job, make_job(job, *self.args)
            return
        pending = set(self.futures)
        # DOCX files this process may take back from the pool, the shortest last (a revision of
        # the sample waited on its three DOCX files after its two PDFs)
        takeable = [f for f, job in self.futures.items() if not needs_fonts(job.fmt)]
        while pending:
            taken = None
            # the pool's locks are taken only inside held() (see plandoc/interrupt.py); the wait
            # has a timeout so that a Ctrl-C held back is raised soon
            with held():
                done = [f for f in pending if f.done()]
                while not done and takeable and taken is None:
                    future = takeable.pop()
                    if future.cancel():         # no worker has it yet: this process makes it
                        taken = future
                        pending.discard(future)
                if not done and taken is None:
                    done = list(wait(pending, timeout=0.25, return_when=FIRST_COMPLETED).done)
                made = [(self.futures[f], f.result()) for f in done]
                pending.difference_update(done)
            yield from made
            if taken is not None:
                job = self.futures[taken]
                yield job, make_job(job, *self.args)

    def __exit__(self, kind, value, tb) -> None:
        # workers started by the caller are the caller's to end, unless on an error
        if self.workers is not None and (self.own or kind is not None):
            self.workers.__exit__(kind, value, tb)


_IN_WORKER = False       # set in a worker process at its start


def _start_worker(pdf: bool) -> None:
    """A worker's start: WeasyPrint imported (while the build prepares the fonts), and ended
    with the build (see _end_with_parent)."""
    global _IN_WORKER
    _IN_WORKER = True
    _end_with_parent()
    if pdf:
        from .render.weasy import import_weasyprint
        try:
            import_weasyprint()     # (slow to import; the renderer reports it missing)
        except (ImportError, OSError):
            pass


def longest_first(jobs: list[Job]) -> list[Job]:
    """The jobs, those that take longest first: the PDFs (laid out page by page) by the size of
    their content, then the DOCX files, also by size."""
    return sorted(jobs, key=lambda j: (not needs_fonts(j.fmt),
                                       -len(json.dumps(j.context, ensure_ascii=False, default=str))))


def _end_with_parent() -> None:
    """A worker ends when the build that started it is killed (Linux), instead of rendering on
    for nobody; and leaves Ctrl-C to the build, which ends it (a worker interrupted in the
    middle of WeasyPrint printed a traceback)."""
    import signal
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        import ctypes
        import signal
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)     # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


KEPT_RENDERERS = 4
_RENDERERS: dict[tuple, Renderer] = {}     # per process: a renderer loads its templates and fonts once


def make_job(job: Job, templates: Optional[Path], stamp: datetime, prepared: Optional[PreparedFonts],
             trusted: bool, pieces: Optional[Path], folder: Path) -> list[tuple[str, str, str, int]]:
    """Make a job's documents into `folder`: (kind, path, sha256, bytes) of each.  A worker
    writes what it makes and returns no bytes to the build."""
    out = []
    for kind, path, data in render_job(job, templates, stamp, prepared, trusted, pieces):
        write_atomic(folder / path, data)
        out.append((kind, path, sha256(data), len(data)))
    if _IN_WORKER:
        _trim()
    return out


def render_job(job: Job, templates: Optional[Path], stamp: datetime, prepared: Optional[PreparedFonts],
               trusted: bool = False, pieces: Optional[Path] = None) -> list[tuple[str, str, bytes]]:
    """(kind, path, bytes) of the document a job makes, and of those cut from it.  A long
    overview's PDF pieces are kept in `pieces` and taken from there when laid out already."""
    key = (job.fmt, templates, prepared.font_faces if prepared else None, trusted)
    if key not in _RENDERERS:
        if len(_RENDERERS) >= KEPT_RENDERERS:       # a long-lived process builds many plans
            del _RENDERERS[next(iter(_RENDERERS))]
        _RENDERERS[key] = make_renderer(job.fmt, templates, prepared, trusted)
    renderer = _RENDERERS[key]

    def meta(kind: str, ctx: dict) -> Meta:
        return Meta(title=ctx["title"], author=ctx["issuer"], created=stamp,
                    landscape=kind not in ("letter", "packet", "notice"))
    if job.parts:
        made = renderer.render_packet(job.context, meta(job.kind, job.context),
                                      (meta("letter", job.context), meta("checklist", job.context["annex"])))
        return [(job.kind, job.path, made[0])] + [(kind, path, data) for (kind, path), data in zip(job.parts, made[1:])]
    if pieces is not None and renderer.keeps_pieces:
        return [(job.kind, job.path, renderer.render(job.kind, job.context, meta(job.kind, job.context), kept=pieces,
                                                     key=renderer_digest(job.fmt, templates, trusted)))]
    return [(job.kind, job.path, renderer.render(job.kind, job.context, meta(job.kind, job.context)))]


def _forget_pieces(folder: Path, since: float) -> None:
    """Remove the overview pieces the build that started at `since` did not use: the newest
    version's pieces are kept for the next, the others go."""
    try:
        for path in folder.glob("*.pdf"):
            if path.is_file() and not path.is_symlink() and path.stat().st_mtime < since - 1:
                path.unlink()
    except OSError:
        pass


__all__ = ["build", "Workers", "plan_jobs", "render_job", "make_job", "BuildResult", "Job", "FORMATS"]
