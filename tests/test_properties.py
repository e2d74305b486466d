"""Property tests: no text crashes the parser, and every task's line points at its text."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parser import parse_text

# Pieces of real circulars, shuffled into new documents so the parser meets its own shapes.
PIECES = [
    "一、深化党建引领", "（一）加强预期引导", "1. ", "2.", "12、", "(3)", "①", "六、",
    "坚持党组会议“第一议题”制度。", "力争年内新建15个绿色网点、1个绿色分拨中心。", "（办公室牵头）",
    "（普遍服务处、市场监管处按职责分工负责）", "(牵头单位:商务局;责任单位:交通运输局、各乡镇)",
    "市发改委牵头落实", "牵头领导:林静国 责任单位:市公安局 配合单位:市城管局", "序号", "工作任务", "责任单位",
    "完成时限", "12月底前", "县住建局", "|", " | ", "附件", "2016年民生实事目标任务分解表", "\u3000", "\t",
    "同比增长12.5%", "（", "）", "(", ")", "：", "。", "、", "2022年3月31日", "苏州市邮政管理局关于印发方案的通知",
]

documents = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=12)), max_size=40).map(
    lambda parts: "".join(p + ("\n" if i % 3 == 2 else "") for i, p in enumerate(parts)))


def starts_in(line: str, head: str) -> bool:
    """The text that begins with `head` begins on this line: all of head is in it, or a first
    part of head ends it (an item whose detail line follows: 1.增长12%。 / 全市……)."""
    if not head:
        return True      # a row's text before its first | may be empty: nothing to place
    for k in range(len(head), 0, -1):
        i = line.find(head[:k])
        if i >= 0 and (k == len(head) or not line[i + k:].strip()):
            return True
    return False


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_any_text_parses_and_lines_point_at_task_text(text):
    try:
        plan = parse_text(text)
    except Exception as exc:  # only "this is not a document" is allowed, never a crash
        from parser.errors import SourceError
        assert isinstance(exc, SourceError), repr(exc)
        return
    from parser.sources import CONTROLS, INVISIBLE   # control characters are read as spaces, one for
    # one; invisible format characters (a soft hyphen) are taken out at reading
    lines = [INVISIBLE.sub("", l.translate(CONTROLS)).rstrip() for l in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    for task in plan.tasks:
        assert 1 <= task.line <= len(lines)
        head = task.text.split("|")[0].strip()[:6]
        assert starts_in(lines[task.line - 1], head), (task, lines[task.line - 1])
    plan.to_json()


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_unicode_never_crashes(text):
    from parser.errors import SourceError
    try:
        parse_text(text)
    except SourceError:
        pass
