"""Each extractor on real lines from the corpus circulars (../shared/corpus/docs)."""
from datetime import date

import pytest

from parser.extract.clauses import clause_line, find_clause, parse_clause
from parser.extract.deadlines import find_deadlines, pick_deadline
from parser.extract.numbering import match_numeral
from parser.extract.targets import find_targets
from parser.normalize import fold


def _fold(rules, text):
    return fold(text, rules.fold)


def _units(clause):
    return [(u.name, u.role) for u in clause.units]


# --- unit clauses ------------------------------------------------------------------------------

CLAUSES = [
    pytest.param("推动市政府出台《苏州市建设快递强市实施方案》。（市场监管处牵头）",
                 [("市场监管处", "lead")], id="suzhou-13"),
    pytest.param("宣贯省政府关于加快农村寄递物流体系建设的实施意见。（普遍服务处、市场监管处按职责分工负责）",
                 [("普遍服务处", "responsible"), ("市场监管处", "responsible")], id="suzhou-18"),
    pytest.param("持续做好疫情防控工作。（各处室按职责分工负责）", [("各处室", "responsible")], id="suzhou-45-group"),
    pytest.param("深化放管服改革。（市政府办公室、市审改办牵头，市级各有关部门按职责分工负责）",
                 [("市政府办公室", "lead"), ("市审改办", "lead"), ("市级各有关部门", "responsible")], id="lead-then-others"),
    pytest.param("落实就业补贴。（市人社局、市财政局负责）",
                 [("市人社局", "responsible"), ("市财政局", "responsible")], id="responsible"),
    pytest.param("确保实现2024年底76个行政村综合寄递服务全覆盖。(牵头单位:商务局;责任单位:交通运输局、自然资源局、各乡镇、各快递公司)",
                 [("商务局", "lead"), ("交通运输局", "responsible"), ("自然资源局", "responsible"),
                  ("各乡镇", "responsible"), ("各快递公司", "responsible")], id="jincun-keyed-half-width"),
    pytest.param("新增托位400个。(牵头领导:庞超静,责任单位:区卫生健康局)",
                 [("区卫生健康局", "responsible")], id="fenghua-person-is-no-unit"),
    pytest.param("完成校安工程23万平方米。(牵头单位:市教育局;共同责任单位:市发改委、市财政局,各县区、功能板块)",
                 [("市教育局", "lead"), ("市发改委", "responsible"), ("市财政局", "responsible"),
                  ("各县区", "responsible"), ("功能板块", "responsible")], id="lyg-comma-in-list"),
    pytest.param("推进项目建设。责任单位：市发展改革委（牵头）、市商务局",
                 [("市发展改革委", "lead"), ("市商务局", "responsible")], id="inline-lead-marker"),
    pytest.param("轨道交通1号线一期工程投入试运营。 牵头领导:林静国 责任单位:市轨道交通工程建设指挥部 项目责任人:尹文德 实际完成情况:已于2014年5月30日通车试运营。",
                 [("市轨道交通工程建设指挥部", "responsible")], id="ningbo-inline-fields"),
    pytest.param("新辟公交线路10条。 牵头领导:王仁洲 责任单位:市交通委 项目责任人:劳可军 配合单位:市公安局、市城管局,各区政府 鄞州 海曙、江东 合计",
                 [("市交通委", "responsible"), ("市公安局", "support"), ("市城管局", "support"), ("各区政府", "support")],
                 id="ningbo-list-runs-into-table"),
    pytest.param("注重以圖表解讀等形式進行解讀。（綜合科、各業務科室負責）",
                 [("綜合科", "responsible"), ("各業務科室", "responsible")], id="traditional-characters"),
]


@pytest.mark.parametrize("text,expected", CLAUSES)
def test_find_clause(rules, text, expected):
    clause = find_clause(text, _fold(rules, text), rules)
    assert clause is not None
    assert _units(clause) == expected


def test_clause_text_boundary(rules):
    text = "推动市政府出台《苏州市建设快递强市实施方案》。（市场监管处牵头）"
    clause = find_clause(text, _fold(rules, text), rules)
    assert text[:clause.start] == "推动市政府出台《苏州市建设快递强市实施方案》。"


@pytest.mark.parametrize("text", [
    pytest.param("采取“乡镇政府主导、优而信公司牵头、其他快递公司参与、市场化推进、村委会兜底”的方式,推进村级综合寄递服务站的建设。",
                 id="jincun-company-in-text"),
    pytest.param("制定并公开本部门政务公开重点任务清单,明确具体要求、责任科室及完成时限,逐项推动工作落实", id="chizhou-words-in-text"),
    pytest.param("局綜合科要建立一套完善的政府信息公開制度。", id="trad-unit-in-text"),
    pytest.param("认真抓好工作落实（2022年）", id="year-in-brackets"),
])
def test_no_clause_in_prose(rules, text):
    assert find_clause(text, _fold(rules, text), rules) is None


@pytest.mark.parametrize("line,expected", [
    ("市发改委牵头落实", [("市发改委", "lead")]),
    ("市金融办、人民银行潍坊市中心支行、潍坊银监分局分别牵头落实",
     [("市金融办", "lead"), ("人民银行潍坊市中心支行", "lead"), ("潍坊银监分局", "lead")]),
    ("（办公室牵头）", [("办公室", "lead")]),
    ("牵头单位：市教育局；配合单位：市财政局；完成时限：6月底前", [("市教育局", "lead"), ("市财政局", "support")]),
])
def test_clause_lines(rules, line, expected):
    clause = clause_line(line, _fold(rules, line), rules)
    assert clause is not None and _units(clause) == expected


def test_clause_line_keeps_its_deadline(rules):
    line = "牵头单位：市教育局；完成时限：6月底前"
    assert clause_line(line, _fold(rules, line), rules).deadline == "6月底前"


@pytest.mark.parametrize("line", ["认真抓好工作落实", "各县级市邮政管理局，机关各处室，市快递协会：", "2023年7月24日"])
def test_not_clause_lines(rules, line):
    assert clause_line(line, _fold(rules, line), rules) is None


def test_document_rule_first_listed_leads():
    """Stated anywhere, in a clause's note included, it holds for every task that names no lead."""
    from parser import parse_text
    plan = parse_text("1.全市GDP增长10%以上（由市发展改革委、统计局负责。一项任务涉及多个部门的，原则上由排名首位的部门"
                      "牵头负责。下同）。\n2.做好统计工作。（市统计局负责）\n3.做好宣传工作。（市委宣传部牵头，市文明办配合）\n")
    assert [[(u.name, u.role) for u in t.departments] for t in plan.tasks] == [
        [("市发展改革委", "lead"), ("统计局", "responsible")], [("市统计局", "lead")],
        [("市委宣传部", "lead"), ("市文明办", "support")]]


def test_conjunction_inside_a_name_is_not_a_split(rules):
    text = "市住房和城乡建设局、市交通运输局和市财政局负责"
    assert [u.name for u in parse_clause(text, text, rules).units] == ["市住房和城乡建设局", "市交通运输局", "市财政局"]


# --- targets -----------------------------------------------------------------------------------

TARGETS = [
    pytest.param("宣贯《江苏省加快推进快递包装绿色转型的实施意见》，基本完成塑料污染治理三年禁塑目标，继续推进绿色网点和分拨中心建设，力争年内新建15个绿色网点、1个绿色分拨中心。",
                 [(15, "个"), (1, "个")], id="suzhou-43"),
    pytest.param("实施行业生态环保“9921工程”，年内采购使用符合标准的包装材料比例达到90%、规范包装操作比例达到90%、使用可循环快递箱20万个、回收复用瓦楞纸箱1000万个。",
                 [(90, "%"), (90, "%"), (200000, "个"), (10000000, "个")], id="suzhou-44"),
    pytest.param("完善快递服务制造业项目库，力争年内实施业务量超1000万件的3个，其中本年度新增1个。",
                 [(3, "个"), (1, "个")], id="suzhou-21-qualifier"),
    pytest.param("推动人员到位率低于80%的县级机构加快配备人员。", [], id="suzhou-24-threshold"),
    pytest.param("按照“四个100%”要求，督促邮政企业落实普遍服务标准。", [], id="suzhou-30-slogan"),
    pytest.param("进一步提升12305、12345、寒山闻钟等各类平台的申投诉处理正确率。", [], id="suzhou-61-hotlines"),
    pytest.param("宣贯《苏州市邮政快递业服务网络建设发展“十四五”专项规划》。", [], id="suzhou-11-plan-name"),
    pytest.param("做好2021年度专项资金支持项目的申报审核工作，发放2020年度补助资金。", [], id="suzhou-15-years"),
    pytest.param("新建(改建)10家标准化老年食堂,全年助餐配送餐服务人次达200万以上;全区千人托位数达4.2个。",
                 [(10, "家"), (2000000, "人次"), (4.2, "个")], id="fenghua-unit-before-number"),
    pytest.param("开展5万名40-74周岁居民上消化道癌和结直肠癌筛查", [(50000, "名")], id="fenghua-age-band"),
    pytest.param("新建中小学15所、改扩建8所。完成校安工程23万平方米。", [(15, "所"), (8, "所"), (230000, "平方米")], id="lyg-1"),
    pytest.param("教师交流比例占符合条件教师的15%以上。", [(15, "%")], id="lyg-3-percent-over"),
    pytest.param("轨道交通1号线一期工程投入试运营。", [], id="ningbo-line-number"),
    pytest.param("启动大竹县第十二小学建设,新建中心幼儿园2所。", [(2, "所")], id="dazhu-ordinal"),
    pytest.param("建设电动自行车“充电驿站”1440个", [(1440, "个")], id="yuyao-after-quote"),
    pytest.param("年内建成三个示范点、十五个服务站", [(3, "个"), (15, "个")], id="chinese-numerals"),
    pytest.param("增强四个意识、坚定四个自信、做到两个维护，落实中央八项规定", [], id="slogans-without-quotes"),
]


@pytest.mark.parametrize("text,expected", TARGETS)
def test_find_targets(rules, text, expected):
    found = find_targets(text, _fold(rules, text), rules, 7)
    assert [(t.value, t.unit) for t in found] == [(float(v), u) for v, u in expected]
    assert all(t.line == 7 and t.text and t.text in text for t in found)


def test_target_comparators_and_indicator(rules):
    text = "城镇登记失业率控制在3%以内，力争年内新建15个绿色网点，同比增长12.5%"
    found = find_targets(text, _fold(rules, text), rules, 1)
    assert [(t.comparator, t.indicator) for t in found] == [("<=", "城镇登记失业率"), (">=", "绿色网点"), ("=", "同比增长")]


def test_full_width_digits_fold(rules):
    text = "新建１５个绿色网点，比例达到９０％"
    assert [(t.value, t.unit) for t in find_targets(text, _fold(rules, text), rules, 1)] == [(15.0, "个"), (90.0, "%")]


# --- deadlines ---------------------------------------------------------------------------------

DEADLINES = [
    pytest.param("推动吴江区成立邮政管理机构，力争年内挂牌。", 2022, False, date(2022, 12, 31), id="suzhou-66"),
    pytest.param("6月底前出台实施细则", 2022, False, date(2022, 6, 30), id="june-end"),
    pytest.param("10月底前完成验收", 2022, False, date(2022, 10, 31), id="october-end"),
    pytest.param("三季度末前完成", 2022, False, date(2022, 9, 30), id="third-quarter"),
    pytest.param("上半年完成换届", 2022, False, date(2022, 6, 30), id="first-half"),
    pytest.param("2022年9月15日前报送", 2021, False, date(2022, 9, 15), id="explicit-date"),
    pytest.param("确保实现2024年底76个行政村综合寄递服务全覆盖", None, False, date(2024, 12, 31), id="jincun-explicit-year"),
    pytest.param("9月投入使用", 2016, True, date(2016, 9, 30), id="dazhu-cell-milestone"),
    pytest.param("5月底前动工", 2016, True, date(2016, 5, 31), id="dazhu-cell"),
    pytest.param("年底前", None, True, None, id="chizhou-no-year"),
    pytest.param("2月30日前", 2022, False, None, id="impossible-date"),
]


@pytest.mark.parametrize("text,year,cell,expected", DEADLINES)
def test_deadlines(rules, text, year, cell, expected):
    pick = pick_deadline(find_deadlines(_fold(rules, text), rules, year, cell=cell))
    assert pick is not None and pick.date == expected


@pytest.mark.parametrize("text", ["持续推进", "实施期限至2025年底", "全年邮政业务总量完成266.76亿元", "9月投入使用"])
def test_not_deadlines(rules, text):
    assert find_deadlines(_fold(rules, text), rules, 2022) == []


def test_latest_deadline_is_the_completion(rules):
    pick = pick_deadline(find_deadlines("6月底前出台方案，年底前全面完成", rules, 2022))
    assert pick.date == date(2022, 12, 31)


# --- numerals ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text,style,number,value", [
    ("1. 坚持党组会议“第一议题”制度", "arabic", "1", 1),
    ("75. 加强档案、保密", "arabic", "75", 75),
    ("1.贯彻落实省政府关于", "arabic", "1", 1),
    ("12、加强", "arabic", "12", 12),
    ("六、提升治理能力", "cn", "六", 6),
    ("(一)加强预期引导", "cn-paren", "一", 1),
    ("(3)完善制度", "arabic-paren", "3", 3),
    ("③建立台账", "circled", "③", 3),
])
def test_numerals(rules, text, style, number, value):
    n = match_numeral(_fold(rules, text), rules)
    assert (n.style, n.text, n.value) == (style, number, value)


@pytest.mark.parametrize("text", ["2022年邮政业更贴近民生八件实事分工安排", "9项重点工作：", "1.5万人次", "第一议题"])
def test_not_numerals(rules, text):
    assert match_numeral(_fold(rules, text), rules) is None


@pytest.mark.parametrize("head, number", [
    ("竹府办〔2016〕20号\n大竹县人民政府办公室关于对2016年民生实事进行重点督办的通知\n", "竹府办〔2016〕20号"),
    ("长春市人民政府办公厅关于印发任务分工的通知\n(长府办发〔2012〕19号)\n", "长府办发〔2012〕19号"),
    ("【发文字号】 黄政办发〔2007〕9号\n", "黄政办发〔2007〕9号"),
    ("文件编号: | 盐政办发〔2022〕16号 | 组配分类: | 政府工作报告 |\n", "盐政办发〔2022〕16号"),
    ("发布机构 区人民政府办公室 文    号 蔡政办〔2023〕1号\n", "蔡政办〔2023〕1号"),
    ("穗府辦〔2006〕19號\n", "穗府辦〔2006〕19號"),
    # another document's number cited in a sentence is not the circular's own
    ("根据《xx省人民政府办公厅关于印发〈方案〉的通知》(x府厅发〔2024〕6号)文件精神,现就有关事项通知如下:\n", None),
])
def test_the_circular_s_own_document_number(head, number):
    from parser import parse_text
    plan = parse_text(head + "1.做好统计工作。（办公室牵头）\n")
    assert plan.number == number
    assert ("number" in plan.to_dict()) == (number is not None)
