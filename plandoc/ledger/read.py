"""Reading a ledger as staff left it: every column by its heading (staff reorder and add
columns), the plan it was made from, and the refusals of what cannot be read as a ledger."""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Optional

from parser.limits import MB
from parser.model import plan_from_dict

from .model import META_MARK, META_SHEET, Ledger, LedgerError, Typed
from .spec import STATIC, Spec, load_spec

MAX_MB = 200                       # a ledger of 2,000 tasks is under 1 MB
HEADING_ROWS = 20                  # the headings are looked for in this many top rows
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"       # an encrypted xlsx (or an old .xls) is an OLE file
ENCRYPTED = "EncryptionInfo".encode("utf-16-le")


def lock_file(path: Path) -> Optional[Path]:
    """The lock file Excel, WPS or LibreOffice keeps beside a workbook that is open, if any."""
    for name in (f"~${path.name}", f"~${path.name[2:]}", f".~lock.{path.name}#"):
        candidate = path.parent / name
        if name != "~$" and candidate.exists():
            return candidate
    return None


def check_not_open(path: Path) -> None:
    lock = lock_file(path)
    if lock is not None:
        raise LedgerError(f"{path} is open in Excel or another spreadsheet program (lock file {lock.name} "
                          "beside it): close it there first; nothing was written")


def load_workbook_bytes(path: Path):
    """The workbook at path, read-only.  Raises LedgerError with one line for a file that is not
    an xlsx, is password-protected, corrupt or open elsewhere."""
    from openpyxl import load_workbook

    check_not_open(path)
    try:
        if path.stat().st_size > MAX_MB * MB:
            raise LedgerError(f"{path}: larger than {MAX_MB} MB, not a ledger")
        data = path.read_bytes()
    except OSError as exc:
        raise LedgerError(f"{path}: cannot read ({exc.strerror})") from None
    if data.startswith(OLE):
        if ENCRYPTED in data:
            raise LedgerError(f"{path}: the workbook is password-protected; save it without a password and try again")
        raise LedgerError(f"{path}: an old Excel 97-2003 file (.xls), not an .xlsx; save it as .xlsx")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise LedgerError(f"{path}: not an .xlsx workbook")
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:        # openpyxl raises what its parts raise (zip, XML, KeyError …)
        raise LedgerError(f"{path}: a corrupt .xlsx workbook ({type(exc).__name__})") from None


def read_ledger(path: Path, spec: Optional[Spec] = None) -> Ledger:
    """The ledger at path.  Raises LedgerError (one line) when it is not one that can be read."""
    spec = spec or load_spec()
    wb = load_workbook_bytes(path)
    try:
        return _read(wb, path, spec)
    except LedgerError:
        raise
    except Exception as exc:        # a damaged sheet part shows only as it is read
        raise LedgerError(f"{path}: a corrupt .xlsx workbook ({type(exc).__name__})") from None
    finally:
        wb.close()


def _read(wb, path: Path, spec: Spec) -> Ledger:
    main_name = spec.sheets["main"]
    meta = _meta(wb, path)
    if meta is None:
        if main_name in wb.sheetnames:
            raise LedgerError(f"{path}: not a ledger written by plandoc (its record of the plan is missing); "
                              f"write one with `plandoc ledger`")
        raise LedgerError(f"{path}: not a ledger: it has no sheet {main_name}")
    kind = meta.get("kind")
    if kind == "office":
        if main_name not in wb.sheetnames:
            raise LedgerError(f"{path}: a ledger with no sheet {main_name} (renamed or deleted?): "
                              f"{main_name} is where the ledger's cells are read from")
        sheet = wb[main_name]
    else:
        sheets = [n for n in wb.sheetnames if n != META_SHEET]
        if not sheets:
            raise LedgerError(f"{path}: a unit's copy with no sheet")
        sheet = wb[sheets[0]]
    headings, rows = _table(sheet, spec.headings["id"])
    if headings is None:
        raise LedgerError(f"{path}: sheet {sheet.title} has no heading {spec.headings['id']} "
                          "(the hidden column of task ids): not a ledger, or that column was deleted")
    withdrawn_headings, withdrawn = ((), [])
    if spec.sheets["withdrawn"] in wb.sheetnames:
        found, rows_w = _table(wb[spec.sheets["withdrawn"]], spec.headings["id"])
        if found is not None:
            withdrawn_headings, withdrawn = tuple(found), [r for _, r in rows_w]      # with an id or not
    by = meta.get("by") if meta.get("by") in ("month", "quarter") else "month"
    ours = _our_headings(spec)
    tracking = set(spec.tracking("month")) | set(spec.tracking("quarter"))
    extra = [h for h in headings if h not in ours]
    typed = Typed(extra=extra, rows=[row for tid, row in rows if not tid])
    by_id = {}
    for tid, row in rows:
        if not tid:
            continue
        by_id.setdefault(tid, row)       # a row copied by hand: the first one counts
        cells = {h: v for h, v in row.items() if (h in tracking or h in extra) and v not in (None, "")}
        if cells:
            typed.cells.setdefault(tid, cells)
    plan = None
    if kind == "office":
        try:
            plan = plan_from_dict(meta["plan"])
        except (KeyError, TypeError, ValueError) as exc:
            raise LedgerError(f"{path}: its record of the plan is damaged ({exc})") from None
    units = meta.get("units") if isinstance(meta.get("units"), dict) else {}
    base = meta.get("base") if isinstance(meta.get("base"), dict) else {}
    return Ledger(path=path, kind=kind if kind in ("office", "unit") else "office", plan=plan,
                  title=str(meta.get("title") or ""), unit=meta.get("unit"), by=by,
                  warn_days=int(meta.get("warn_days") or 30), units=units, headings=tuple(headings),
                  rows=by_id, typed=typed, withdrawn=tuple(withdrawn), withdrawn_headings=withdrawn_headings,
                  base=base, unit_order=tuple(u for u in meta.get("unit_order") or () if isinstance(u, str)),
                  changed=meta.get("changed") if isinstance(meta.get("changed"), dict) else {})


def _our_headings(spec: Spec) -> set[str]:
    h = spec.headings
    return ({h[k] for k in STATIC} | set(spec.tracking("month")) | set(spec.tracking("quarter")) | {h["id"]})


def _meta(wb, path: Path) -> Optional[dict]:
    if META_SHEET not in wb.sheetnames:
        return None
    cells = [row[0] for row in wb[META_SHEET].iter_rows(min_col=1, max_col=1, values_only=True)]
    if not cells or cells[0] != META_MARK:
        return None
    try:
        meta = json.loads("".join(str(c) for c in cells[1:] if c is not None))
    except ValueError:
        raise LedgerError(f"{path}: its record of the plan is damaged") from None
    return meta if isinstance(meta, dict) else None


def _table(ws, id_heading: str) -> tuple[Optional[list[str]], list[tuple[str, dict]]]:
    """The headings (the first row among the top ones that holds `id_heading`) and every row
    below with a task id, as (id, {heading: value}); a row with no id but something in it (one
    staff added) has the id ""."""
    it = ws.iter_rows(values_only=True)
    headings = None
    for n, row in enumerate(it, 1):
        if id_heading in [str(x).strip() if x is not None else None for x in row]:
            headings = [str(x).strip() if x is not None else "" for x in row]
            break
        if n >= 20:
            return None, []
    if headings is None:
        return None, []
    at = headings.index(id_heading)
    rows = []
    for row in it:
        if (at >= len(row) or row[at] in (None, "")) and all(v in (None, "") for v in row):
            continue
        cells = {}
        for h, v in zip(headings, row):
            if h and h not in cells:
                cells[h] = v
        rows.append((str(row[at]).strip() if at < len(row) and row[at] is not None else "", cells))
    return [h for h in headings if h], rows


def read_ledger_bytes(data: bytes, name: str = "<ledger>", spec: Optional[Spec] = None) -> Ledger:
    """A ledger just made, read from its bytes (to hand out copies holding its cells)."""
    from openpyxl import load_workbook
    spec = spec or load_spec()
    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        return _read(wb, Path(name), spec)
    finally:
        wb.close()
