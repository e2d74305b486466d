"""The plan model: typed, frozen records that carry every parsed fact with its source line.

This is the one contract between stages (text -> plan -> documents); it imports nothing from
the package.  `Plan.to_dict()` is the only serialiser; its shape is `data/plan.schema.json`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, Optional

SCHEMA_VERSION = 1

# What `source.format` and a warning's `code` may be.  data/plan.schema.json lists the same
# (tests/test_hostile.py holds the two together, and every code the parser writes to these):
# a plan written from a PDF was refused by build and diff when the schema lagged behind
SOURCE_FORMATS = ("txt", "docx", "html", "pdf", "doc")
WARNING_CODES = (
    "section-number-repeated", "section-number-skipped", "item-number-repeated", "item-number-skipped",
    "item-without-unit", "no-assignments", "item-cut-off", "inconsistent-target", "inconsistent-deadline",
    "unknown-unit", "undecodable-bytes", "invisible-characters")
EVIDENCE_RULES = ("bracket-list", "in-sentence", "spaced-columns", "row-span", "run-together", "unit-label",
                  "by-sentence",
                  # the task itself was found by a weak signal: a paragraph with no numeral and no
                  # label, told only by its clause; a text joined from lines a wrap broke
                  "unnumbered", "joined-lines")
EVIDENCE_TEXT = 20        # the evidence of a weak signal quotes the task's first characters

Role = Literal["lead", "responsible", "support"]
ROLES: tuple[Role, ...] = ("lead", "responsible", "support")     # strongest first


@dataclass(frozen=True)
class SourceInfo:
    """Where the plan was read from."""
    path: str
    sha256: str
    format: str            # one of SOURCE_FORMATS
    encoding: Optional[str]  # the detected text encoding; None for docx


@dataclass(frozen=True)
class Unit:
    """A unit named in an item's clause, as written, with its role."""
    name: str
    role: Role
    canonical: Optional[str] = None  # the profile's name for it, when an alias was used


@dataclass(frozen=True)
class Deadline:
    text: str                 # as printed: 年内, 6月底前
    date: Optional[date]      # None when the document year is unknown
    line: int


@dataclass(frozen=True)
class Target:
    text: str                 # the phrase as printed: 新建15个绿色网点
    indicator: str            # what is counted: 绿色网点
    value: float              # fully expanded: 20万个 -> 200000
    unit: str                 # without multiplier: 个
    comparator: str           # >= <= < = ~
    line: int


@dataclass(frozen=True)
class Evidence:
    """Where a task's units came from, when the rule that found them is of low certainty (a
    bare list in brackets, a column read from the right, a row span), or how the task was
    found, when that was a weak signal (no numeral, lines joined): for people to check."""
    rule: str                 # one of EVIDENCE_RULES
    text: str                 # the clause, cell or line as printed
    line: int


@dataclass(frozen=True)
class Task:
    id: str
    number: Optional[str]     # the numeral as printed, without punctuation
    part: Optional[str]
    section: Optional[str]
    text: str                 # without numeral and unit clause
    departments: tuple[Unit, ...]
    deadline: Optional[Deadline]
    targets: tuple[Target, ...]
    line: int
    clause: Optional[str] = None          # the unit clause as printed
    mentions: tuple[str, ...] = ()        # units named inside the text (由X会同Y…)
    section_number: Optional[str] = None  # the section heading's numeral as printed: 四 (民生实事四.1)
    leaders: tuple[str, ...] = ()         # persons named in charge (分管领导：张三): not units
    evidence: tuple[Evidence, ...] = ()   # only when a rule of low certainty found the units or the task


@dataclass(frozen=True)
class ListItem:
    """A numbered item that assigns no unit (a list of key works): plan content, not a task."""
    number: Optional[str]
    part: Optional[str]
    section: Optional[str]
    text: str
    line: int


@dataclass(frozen=True)
class Part:
    title: str
    line: int


@dataclass(frozen=True)
class Notice:
    """A warning about the document itself (a repeated numeral, an item with no unit), with its
    line.  Named so as not to shadow Python's built-in Warning."""
    code: str
    line: int
    message: str


@dataclass(frozen=True)
class Plan:
    source: SourceInfo
    title: Optional[str]
    issuer: Optional[str]
    recipients: tuple[str, ...]
    date: Optional[date]
    year: Optional[int]
    publication: Optional[str]
    parts: tuple[Part, ...]
    targets: tuple[Target, ...]          # plan-wide targets (主要工作目标)
    items: tuple[ListItem, ...]          # numbered items that carry no unit
    tasks: tuple[Task, ...]
    warnings: tuple[Notice, ...] = field(default=())
    number: Optional[str] = None         # the circular's own 文号: 竹府办〔2016〕20号

    def to_dict(self) -> dict:
        return {
            "schema_version": SCHEMA_VERSION,
            "source": _plain(self.source),
            "title": self.title,
            "issuer": self.issuer,
            **({"number": self.number} if self.number else {}),      # written only when printed
            "recipients": list(self.recipients),
            "date": _iso(self.date),
            "year": self.year,
            "publication": self.publication,
            "parts": [_plain(p) for p in self.parts],
            "targets": [_target(t) for t in self.targets],
            "items": [_plain(i) for i in self.items],
            "tasks": [task_dict(t) for t in self.tasks],
            "warnings": [_plain(w) for w in self.warnings],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"


def _iso(d: Optional[date]) -> Optional[str]:
    return d.isoformat() if d else None


def _plain(obj) -> dict:
    return dict(obj.__dict__)


def _number(v: float):
    return int(v) if float(v).is_integer() else v


def _target(t: Target) -> dict:
    return {"text": t.text, "indicator": t.indicator, "value": _number(t.value), "unit": t.unit,
            "comparator": t.comparator, "line": t.line}


def task_dict(t: Task) -> dict:
    """A task as the plan JSON holds it."""
    return {
        "id": t.id,
        "number": t.number,
        "part": t.part,
        "section": t.section,
        "section_number": t.section_number,
        "text": t.text,
        "departments": [{k: v for k, v in u.__dict__.items() if v is not None} for u in t.departments],
        "deadline": None if t.deadline is None else {
            "text": t.deadline.text, "date": _iso(t.deadline.date), "line": t.deadline.line},
        "targets": [_target(x) for x in t.targets],
        "line": t.line,
        "clause": t.clause,
        "mentions": list(t.mentions),
        # written only when present, so plans without them keep their shape
        **({"leaders": list(t.leaders)} if t.leaders else {}),
        **({"evidence": [_plain(e) for e in t.evidence]} if t.evidence else {}),
    }


def plan_from_dict(data: dict) -> Plan:
    """The inverse of `Plan.to_dict`, for a plan JSON written by `plandoc parse` (possibly edited
    by hand).  Raises ValueError naming the first field that is missing or of the wrong kind."""
    where = "plan"
    try:
        if data.get("schema_version") != SCHEMA_VERSION:
            raise ValueError(f"schema_version {data.get('schema_version')!r}, expected {SCHEMA_VERSION}")
        tasks = []
        for n, t in enumerate(data["tasks"]):
            where = f"tasks[{n}]"
            d = t.get("deadline")
            tasks.append(Task(
                id=str(t["id"]), number=t.get("number"), part=t.get("part"), section=t.get("section"),
                text=str(t["text"]),
                departments=tuple(Unit(u["name"], u["role"], u.get("canonical")) for u in t["departments"]),
                deadline=None if not d else Deadline(d["text"], _date(d.get("date")), int(d.get("line", t["line"]))),
                targets=tuple(_target_from(x) for x in t.get("targets", ())),
                line=int(t["line"]), clause=t.get("clause"), mentions=tuple(t.get("mentions", ())),
                section_number=t.get("section_number"),
                leaders=tuple(str(x) for x in t.get("leaders", ())),
                evidence=tuple(Evidence(str(e["rule"]), str(e["text"]), int(e["line"])) for e in t.get("evidence", ()))))
            if any(u.role not in ROLES for u in tasks[-1].departments):
                raise ValueError("role must be lead, responsible or support")
        ids: dict[str, int] = {}
        for n, t in enumerate(tasks):
            where = f"tasks[{n}]"
            if t.id in ids:
                # a task block copied to split it keeps its id: every document would show one
                raise ValueError(f'id "{t.id}" is also the id of tasks[{ids[t.id]}]; give each task its own id')
            ids[t.id] = n
        where = "plan"
        s = data["source"]
        return Plan(
            source=SourceInfo(s["path"], s.get("sha256", ""), s.get("format", "txt"), s.get("encoding")),
            title=data.get("title"), issuer=data.get("issuer"), recipients=tuple(data.get("recipients", ())),
            date=_date(data.get("date")), year=data.get("year"), publication=data.get("publication"),
            parts=tuple(Part(p["title"], int(p["line"])) for p in data.get("parts", ())),
            targets=tuple(_target_from(x) for x in data.get("targets", ())),
            items=tuple(ListItem(i.get("number"), i.get("part"), i.get("section"), i["text"], int(i["line"]))
                        for i in data.get("items", ())),
            tasks=tuple(tasks),
            warnings=tuple(Notice(w["code"], int(w["line"]), w["message"]) for w in data.get("warnings", ())),
            number=data.get("number"))
    except KeyError as exc:
        raise ValueError(f"{where}: missing field {exc.args[0]!r}") from None
    except (TypeError, AttributeError, ValueError) as exc:
        raise ValueError(f"{where}: {exc}") from None


def _date(text: Optional[str]) -> Optional[date]:
    return date.fromisoformat(text) if text else None


def _target_from(x: dict) -> Target:
    return Target(x["text"], x.get("indicator", ""), float(x.get("value", 0)), x.get("unit", ""),
                  x.get("comparator", "="), int(x["line"]))
