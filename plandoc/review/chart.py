"""The review page's chart: tasks per unit, one stacked bar a unit, a segment a role.

The geometry is computed here and drawn by the template as inline SVG (no charting library, no
service).  Widths are percentages of the chart's width and heights are pixels, so the bars
follow the page's width while the labels keep a legible size on a 390 px phone screen.
"""
from __future__ import annotations

from dataclasses import dataclass

from parser.model import ROLES, Plan

BAR_AREA = 88.0        # % of the width the longest bar takes; the rest holds its count
ROW = 46               # px per unit: its label above its bar
LABEL_Y = 16           # the label's baseline in its row
BAR_Y = 22
BAR_HEIGHT = 16


@dataclass(frozen=True)
class Segment:
    role: str
    count: int
    x: float             # % of the chart's width
    width: float         # %


@dataclass(frozen=True)
class Bar:
    unit: str
    total: int
    counts: dict         # role -> count
    segments: tuple[Segment, ...]
    y: int               # px: the top of its row
    end: float           # % where the bar ends (its count is written after it)


@dataclass(frozen=True)
class Chart:
    bars: tuple[Bar, ...]
    height: int
    label_y: int = LABEL_Y
    bar_y: int = BAR_Y
    bar_height: int = BAR_HEIGHT
    row: int = ROW


def unit_counts(plan: Plan) -> dict[str, dict[str, int]]:
    """unit -> role -> number of tasks, as the parse names them (a profile's name when it gave
    one; a group such as 各处室 stays one unit: this is what the circular says, before the
    letters hand a group's task to each member).  A unit named twice in one task counts once,
    in its strongest role.

    >>> from parser import parse_text
    >>> plan = parse_text("1.甲项工作。（办公室牵头，财务科配合）\\n2.乙项工作。（办公室负责）\\n")
    >>> unit_counts(plan)
    {'办公室': {'lead': 1, 'responsible': 1, 'support': 0}, '财务科': {'lead': 0, 'responsible': 0, 'support': 1}}
    """
    out: dict[str, dict[str, int]] = {}
    for task in plan.tasks:
        strongest: dict[str, str] = {}
        for u in task.departments:
            name = u.canonical or u.name
            if name not in strongest or ROLES.index(u.role) < ROLES.index(strongest[name]):
                strongest[name] = u.role
        for name, role in strongest.items():
            out.setdefault(name, dict.fromkeys(ROLES, 0))[role] += 1
    return out


def unit_chart(counts: dict[str, dict[str, int]]) -> Chart:
    """Bars for `unit_counts`, the unit with most tasks first (then by name, so the same plan
    always draws the same chart)."""
    order = sorted(counts, key=lambda u: (-sum(counts[u].values()), u))
    largest = max((sum(c.values()) for c in counts.values()), default=0) or 1
    bars = []
    for n, unit in enumerate(order):
        x, segments = 0.0, []
        for role in ROLES:
            count = counts[unit][role]
            if count:
                width = round(BAR_AREA * count / largest, 3)
                segments.append(Segment(role, count, round(x, 3), width))
                x += width
        bars.append(Bar(unit, sum(counts[unit].values()), dict(counts[unit]), tuple(segments), n * ROW, round(x, 3)))
    return Chart(tuple(bars), max(len(bars), 1) * ROW)
