"""The template context: what the letters say, whatever the circular gives (or lacks)."""
from __future__ import annotations

import dataclasses

import pytest

from parser import load_profile, parse_file
from plandoc.render import context
from plandoc.assemble import assemble
from plandoc.wording import load_wording

from .conftest import PROFILE, SAMPLE


@pytest.fixture(scope="module")
def sample():
    profile = load_profile(PROFILE)
    return parse_file(SAMPLE, profile), profile


def letter_of(plan, profile, unit="市场监管处"):
    wording = load_wording()
    a = next(a for a in assemble(plan, profile, wording.same_task_similarity).units if a.unit == unit)
    return context.letter(plan, a, context.Sentences(wording, profile))


def test_the_sample_letter_names_the_plan_and_cites_the_circular(sample):
    c = letter_of(*sample)
    assert c["title"] == "关于落实2022年工作目标任务分解方案和邮政快递业更贴近民生八件实事分工安排的任务交办函"
    assert c["opening"].startswith("苏州市邮政管理局于2022年3月31日印发《苏州市邮政管理局关于印发")
    assert "你单位承担任务42项（牵头29项、负责13项）" in c["opening"]
    assert [s["heading"] for s in c["sections"]] == ["一、牵头任务（29项）", "二、负责任务（13项）"]
    assert c["requirements_heading"] == "三、工作要求"
    assert c["mark"] == "苏州市邮政管理局" and c["date"] == "2022年3月31日"


def test_a_circular_that_hands_down_no_plan_is_cited_whole(sample):
    plan, profile = sample
    plan = dataclasses.replace(plan, title="苏州市邮政管理局关于对2022年民生实事进行重点督办的通知")
    c = letter_of(plan, profile)
    assert c["title"] == "关于落实《苏州市邮政管理局关于对2022年民生实事进行重点督办的通知》的任务交办函"


def test_without_issuer_or_date_the_opening_still_reads(sample):
    plan, _ = sample
    plan = dataclasses.replace(plan, issuer=None, date=None)
    c = letter_of(plan, None)
    assert c["mark"] == "" and c["issuer"] == ""
    assert c["opening"].startswith("根据《苏州市邮政管理局关于印发")
    bare = dataclasses.replace(plan, title=None)
    c = letter_of(bare, None)
    assert c["title"] == "任务交办函" and c["opening"].startswith("根据工作任务分工，你单位承担任务")


def test_a_task_without_a_number_is_cited_by_its_line(sample):
    plan, profile = sample
    first = dataclasses.replace(plan.tasks[0], number=None)
    plan = dataclasses.replace(plan, tasks=(first,) + plan.tasks[1:])
    c = letter_of(plan, profile, "办公室")
    refs = [e["refs"] for s in c["sections"] for g in s["groups"] for e in g["entries"]]
    assert refs[0] == f"分解方案第{first.line}行"
