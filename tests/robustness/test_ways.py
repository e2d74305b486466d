"""Every corpus circular laid out the ways real pages arrive gives the tasks of its plain text.

Scored with the corpus scorer's own matching (tests/robustness/measure.py) over the whole
corpus: for each way, task F1 and unit F1 must stay at 0.97 of the plain text's figure, which
is computed in the same run (so a change of the parser moves both).
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from . import measure
from .ways import WAYS, combined, wrap

pytestmark = pytest.mark.skipif(not measure.available(),
                                reason="the shared corpus (../shared/corpus and ../shared/tools) is not beside the project")

RATIO = 0.97
# Ways the parser does not hold yet, with the cause (see the notes); strict, so a way
# that starts to hold fails here until it is taken off the list.
KNOWN: dict[str, str] = {}


@pytest.fixture(scope="module")
def plain():
    return measure.score_way(WAYS["plain"])


def _ways():
    for name in WAYS:
        if name == "plain":
            continue
        marks = [pytest.mark.xfail(reason=KNOWN[name], strict=True)] if name in KNOWN else []
        yield pytest.param(name, marks=marks, id=name)


@pytest.mark.parametrize("name", list(_ways()))
def test_way_keeps_the_plain_figures(name, plain):
    base, base_docs = plain
    total, docs = measure.score_way(WAYS[name])
    lost = sorted(d for d, c in docs.items() if (c.tp, c.utp) < (base_docs[d].tp, base_docs[d].utp))
    said = (f"{name}: task F1 {total.task_f1:.3f} (plain {base.task_f1:.3f}), unit F1 {total.unit_f1:.3f} "
            f"(plain {base.unit_f1:.3f}); documents that lost tasks or units: {', '.join(lost) or 'none'}")
    assert total.task_f1 >= RATIO * base.task_f1, said
    assert total.unit_f1 >= RATIO * base.unit_f1, said


@pytest.mark.parametrize("width", [20, 31, 45])
def test_wrapped_tasks_keep_their_source_lines(width):
    """A task found in a wrapped text names the wrapped line its text begins on."""
    checked = 0
    for doc in measure.corpus():
        text = wrap(doc.text, width)
        lines = text.split("\n")
        for task in measure.parsed_tasks(text, doc.name):
            start = task["text"].strip()[:4]
            line = lines[task["line"] - 1]
            # the first characters are on the line, or the line ends inside them (a cut there)
            assert start in line or any(line.endswith(start[:k]) for k in range(1, len(start))), \
                f"{doc.name} at {width}: task {task['number']} {task['text'][:20]!r} is not on line {task['line']}: {line!r}"
            checked += 1
    assert checked > 250


# documents of the kinds the corpus has: a plain list, labelled lines, a run-together page, a
# table of | rows, a traditional page with reading aids, the sample itself
FEW = ("anshan-gov-report-2024", "ningbo-2014-minsheng-progress", "jiayu-gov-report-2021",
       "yueyang-weicheng-wenti-2019", "guangdong-qunzhong-luxian-zhenggai-2013", "suzhou-post-2022")
HOLDING = sorted(n for n in WAYS if n != "plain" and n not in KNOWN and not n.startswith("wrap-"))
# one page is wrapped once, at one width; blank lines are added or removed, not both
OTHERS = st.sets(st.sampled_from(HOLDING), min_size=1, max_size=3).filter(
    lambda ways: not {"blank-added", "blank-removed"} <= ways)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ways=OTHERS, width=st.sampled_from([None, "wrap-20", "wrap-31", "wrap-45"]), name=st.sampled_from(FEW))
def test_ways_combined_keep_the_tasks(ways, width, name, plain):
    """Ways met together (a traditional page, wrapped, inside its site's chrome, with CRLF) give
    the tasks and units the plain text gives."""
    doc = next(d for d in measure.corpus() if d.name == name)
    base = plain[1][name]
    ways = ways | ({width} if width else set())
    got, _ = measure.score_doc(doc, combined(ways))
    assert (got.tp, got.utp) >= (base.tp, base.utp) and got.npred <= base.npred, \
        f"{name} laid out {'+'.join(sorted(ways))}: {got} (plain {base})"
