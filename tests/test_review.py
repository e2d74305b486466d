"""The review page (issue 19), opened in headless Chromium: every task marked at its line, the
filter, the chart, no request leaving the page, a circular's HTML shown and never run."""
from __future__ import annotations

import json
import os
import re
import shutil
import unicodedata

import pytest

from parser import load_profile, parse_file, parse_text
from plandoc.cli import main
from plandoc.review import REVIEW_FILE, render_review

from .conftest import PROFILE, SAMPLE

TEXT = SAMPLE.read_text(encoding="utf-8")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright (no browser of Playwright's own is downloaded).
    CI installs it (.ci/run); elsewhere the tests are skipped without it, saying why."""
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have chromium (.ci/run installs it)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        # --no-sandbox: the tests run as root in CI, where Chromium's sandbox refuses to start
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The sample's plan and its page, written by `plandoc review`."""
    from click.testing import CliRunner
    out = tmp_path_factory.mktemp("review") / "sample.html"
    result = CliRunner().invoke(main, ["review", str(SAMPLE), "--profile", str(PROFILE), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"wrote {out} (96 tasks, 1 warnings)" in result.stderr
    return parse_file(SAMPLE, load_profile(PROFILE)), out


class Opened:
    """A page opened from the file system, with every request it makes recorded."""

    def __init__(self, browser, path, width=1280, height=900):
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.requests, self.errors, self.console = [], [], []
        self.context.route("**/*", self._route)
        # what the page's Content-Security-Policy blocked, recorded from before the page loads
        self.context.add_init_script("window.__blocked = []; document.addEventListener('securitypolicyviolation',"
                                     " e => window.__blocked.push(e.violatedDirective + ' ' + e.blockedURI));")
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: self.console.append(m.text))
        self.page.on("dialog", lambda d: (self.errors.append(f"dialog: {d.message}"), d.dismiss()))
        self.url = path.resolve().as_uri()
        self.page.goto(self.url)
        self.page.wait_for_selector("body[data-ready='1']", state="attached")

    def _route(self, route):
        self.requests.append(route.request.url)
        if route.request.url == self.url:
            route.continue_()
        else:
            route.abort()

    def close(self):
        self.context.close()


@pytest.fixture
def opened(browser, sample):
    page = Opened(browser, sample[1])
    yield page
    page.close()


def marks(page) -> list[dict]:
    """Every piece marked for a task: its task, classes, text and line."""
    return page.evaluate("""() => Array.from(document.querySelectorAll('[data-t]')).map(e => ({
        t: e.getAttribute('data-t'), cls: e.className, text: e.textContent,
        line: +e.closest('.ln').id.slice(1)}))""")


def pieces(found: list[dict], task: str, cls: str) -> dict[int, str]:
    """line -> the text of a task's pieces of one kind on it, in order (a piece may be cut by
    pieces inside it: a target's value)."""
    out: dict[int, str] = {}
    for m in found:
        if m["t"] == task and cls in m["cls"].split():
            out[m["line"]] = out.get(m["line"], "") + m["text"]
    return out


def test_every_task_of_the_sample_is_marked_at_its_line(opened, sample):
    plan, _ = sample
    page = opened.page
    on_line = dict(page.evaluate("""() => Array.from(document.querySelectorAll('.ln[data-tasks]'))
        .map(e => [+e.id.slice(1), e.getAttribute('data-tasks').split(' ')])"""))
    found = marks(page)
    assert len(plan.tasks) == 96
    for t in plan.tasks:
        assert t.id in on_line[t.line], t.line
        numeral = pieces(found, t.id, "numeral")
        assert re.fullmatch(rf"{t.number}[.、]", numeral[t.line]), (t.line, numeral)
        text = "".join(pieces(found, t.id, "tasktext").values())
        assert t.text in text
        units = [(m["text"], m["cls"]) for m in found if m["t"] == t.id and "unit" in m["cls"].split()]
        assert [(u.name, u.role) for u in t.departments] == \
               [(name, next(c[2:] for c in cls.split() if c.startswith("r-"))) for name, cls in units], t.line
        assert pieces(found, t.id, "clause") == {t.line: t.clause}
        for g in t.targets:
            assert g.text in pieces(found, t.id, "target")[g.line]
        if t.deadline:
            assert t.deadline.text in pieces(found, t.id, "deadline")[t.deadline.line]
    # 21: 力争年内实施业务量超1000万件的3个: 3 is the value, 1000万 only qualifies what is counted
    t21 = next(t for t in plan.tasks if t.line == 52)
    assert [m["text"] for m in found if m["t"] == t21.id and "value" in m["cls"].split()] == ["3", "1"]
    assert [m["text"] for m in found if m["t"] == t21.id and "qualifier" in m["cls"].split()] == ["1000万"]
    # no line holds a task the plan does not have there
    assert sorted(i for ids in on_line.values() for i in ids) == sorted(t.id for t in plan.tasks)


def test_lines_that_gave_no_task_and_numbers_not_taken_as_targets_are_marked_apart(opened, sample):
    plan, _ = sample
    page = opened.page
    listed = page.evaluate("() => Array.from(document.querySelectorAll('.ln.listitem')).map(e => +e.id.slice(1))")
    assert listed == [i.line for i in plan.items] == list(range(20, 29))       # 9项重点工作: no units
    # 低于80%: a threshold, not a target; 12305、12345 are telephone numbers
    not_targets = page.evaluate("""() => Array.from(document.querySelectorAll('#lines .nottarget'))
        .map(e => [+e.closest('.ln').id.slice(1), e.textContent])""")
    assert [56, "80%"] in not_targets and [96, "12305"] in not_targets and [96, "12345"] in not_targets
    assert not any(text == "2022" for _, text in not_targets)            # a year is never a target
    values = page.evaluate("() => Array.from(document.querySelectorAll('#lines .value')).map(e => e.textContent)")
    assert not set(values) & {text for _, text in not_targets}


def test_a_numbered_line_that_gave_no_task_and_a_unit_of_low_certainty_are_marked(browser, tmp_path):
    text = ("关于印发工作要点的通知\n一、重点工作\n1. 完善制度建设。（办公室牵头）\n2. 加强队伍建设。\n"
            "3. 推进信息化。（财务科负责）\n4. 做好统计工作。（办公室、财务科）\n")
    plan = parse_text(text)
    assert [t.line for t in plan.tasks] == [3, 5, 6] and [i.line for i in plan.items] == [4]
    # a numbered line the plan says nothing of (as a reader that lost an item would leave it)
    path = tmp_path / "plan.html"
    path.write_text(render_review(plan, _lines(text + "5. 其他事项。\n")), encoding="utf-8")
    page = Opened(browser, path)
    try:
        classes = dict(page.page.evaluate("() => Array.from(document.querySelectorAll('.ln')).map(e => [+e.id.slice(1), e.className])"))
        assert "listitem" in classes[4] and "warned" in classes[4]          # item-without-unit
        assert "missed" in classes[7] and "有编号，未成任务" in page.page.inner_text("#L7")
        assert "heading" in classes[2] and "missed" not in classes[2]
        assert all("missed" not in classes[n] for n in (1, 3, 5, 6))
        evidence = page.page.evaluate("() => Array.from(document.querySelectorAll('#L6 .evidence')).map(e => e.textContent).join('')")
        assert evidence == "（办公室、财务科）"
        assert "括号内的单位列表" in page.page.get_attribute("#L6 .evidence", "title")
        page.page.hover("#L6 .tasktext")
        assert "低确定度出处" in page.page.inner_text("#card") and "括号内的单位列表" in page.page.inner_text("#card")
        assert "item-without-unit" in page.page.inner_text("#warnings")
    finally:
        page.close()


def test_a_task_found_by_a_weak_signal_is_marked_as_such(browser, tmp_path):
    """A task whose text a wrap broke, and a paragraph told a task by its clause alone, are
    marked for checking, named as how the task was found, not where its units came from."""
    wrapped = ("1.深入推进政策解读，创新解读形式，注重以图\n表解读等形式进行解读。（综合科负责）\n"
               "2.注重回应关切。（办公室负责）\n3.加强重点领域信息公开工作。注重政务服务办\n理流程、办理结果等信息发布。（各科室负责）\n")
    paragraph = "加强寄递渠道安全管理，开展专项检查。（安全监管处牵头）\n"
    found = []
    for name, text in (("wrapped", wrapped), ("paragraph", paragraph)):
        plan = parse_text(text)
        path = tmp_path / f"{name}.html"
        path.write_text(render_review(plan, _lines(text)), encoding="utf-8")
        page = Opened(browser, path)
        try:
            found += page.page.evaluate("() => Array.from(document.querySelectorAll('.ln .evidence'))"
                                        ".map(e => [e.closest('.ln').id, e.title.split('：')[0]])")
        finally:
            page.close()
    assert found == [["L1", "任务出处（由断行拼接的文字，确定度低，请核对）"], ["L4", "任务出处（由断行拼接的文字，确定度低，请核对）"],
                     ["L1", "任务出处（无编号的段落，仅凭分工条款认作任务，确定度低，请核对）"]]


def _lines(text: str):
    from parser.sources import Line
    return tuple(Line(n, t) for n, t in enumerate(text.splitlines(), 1))


def test_hovering_a_task_shows_its_fields_and_a_warning_links_to_its_line(opened, sample):
    plan, _ = sample
    page = opened.page
    t21 = next(t for t in plan.tasks if t.line == 52)
    assert page.is_hidden("#card")
    page.hover("#L52 .tasktext")
    card = page.inner_text("#card")
    for field in (t21.id, "三、深化协同发展", "牵头", "市场监管处", "（市场监管处牵头）", "≥ 3个", "年内 → 2022-12-31"):
        assert field in card, field
    assert "active" in page.get_attribute("#L52", "class")
    page.click("#warnings a")
    assert page.evaluate("location.hash") == "#L78"
    top = page.evaluate("document.getElementById('L78').getBoundingClientRect().top")
    assert 0 <= top < 200                                          # scrolled to it
    assert "section numeral 六 repeats line 59" in page.inner_text("#L78")


def test_the_filter_by_unit_shows_exactly_that_unit_s_tasks(opened, sample):
    plan, _ = sample
    page = opened.page
    units = page.evaluate("() => Array.from(document.querySelectorAll('#f-unit option')).map(o => o.value).filter(Boolean)")
    assert sorted(units) == sorted({u.canonical or u.name for t in plan.tasks for u in t.departments})
    for unit in units:
        page.select_option("#f-unit", unit)
        shown = page.evaluate("() => Array.from(document.querySelectorAll('#task-rows .tr:not([hidden])')).map(r => r.dataset.id)")
        assert shown == [t.id for t in plan.tasks if unit in {u.canonical or u.name for u in t.departments}], unit
        assert page.inner_text("#shown") == f"显示 {len(shown)} / 96 项"
    page.select_option("#f-unit", "普遍服务处")
    page.select_option("#f-role", "lead")
    shown = page.evaluate("() => Array.from(document.querySelectorAll('#task-rows .tr:not([hidden])')).map(r => r.dataset.id)")
    assert shown == [t.id for t in plan.tasks
                     if any((u.canonical or u.name) == "普遍服务处" and u.role == "lead" for u in t.departments)]
    assert 0 < len(shown) < 28
    page.select_option("#f-unit", "")
    page.select_option("#f-role", "")
    assert page.evaluate("document.querySelectorAll('#task-rows .tr[hidden]').length") == 0


def test_the_table_sorts_by_deadline(opened, sample):
    page = opened.page
    page.click("#sort-due")
    dues = page.evaluate("() => Array.from(document.querySelectorAll('#task-rows .tr')).map(r => r.dataset.due)")
    dated = [d for d in dues if d]
    assert dated == sorted(dated) and dues == dated + [""] * (len(dues) - len(dated)) and dated
    page.click("#sort-due")
    dues = page.evaluate("() => Array.from(document.querySelectorAll('#task-rows .tr')).map(r => r.dataset.due)")
    assert [d for d in dues if d] == sorted(dated, reverse=True)
    page.click("#sort-due")
    order = page.evaluate("() => Array.from(document.querySelectorAll('#task-rows .tr')).map(r => +r.dataset.i)")
    assert order == list(range(96))                     # back to the circular's order


def test_the_chart_has_one_bar_per_unit_with_the_right_counts(opened, sample):
    plan, _ = sample
    expected: dict[str, dict[str, int]] = {}
    for t in plan.tasks:
        best: dict[str, int] = {}
        for u in t.departments:
            name = u.canonical or u.name
            best[name] = min(best.get(name, 9), ("lead", "responsible", "support").index(u.role))
        for name, r in best.items():
            counts = expected.setdefault(name, {"lead": 0, "responsible": 0, "support": 0})
            counts[("lead", "responsible", "support")[r]] += 1
    bars = opened.page.evaluate("""() => Array.from(document.querySelectorAll('svg.chart g.bar')).map(g => ({
        unit: g.dataset.unit, lead: +g.dataset.lead, responsible: +g.dataset.responsible, support: +g.dataset.support,
        total: +g.dataset.total, rects: Array.from(g.querySelectorAll('rect[data-role]')).map(r => [r.dataset.role, +r.dataset.count,
        r.getBoundingClientRect().width]), label: g.querySelector('text.count').textContent}))""")
    assert sorted(b["unit"] for b in bars) == sorted(expected)
    assert expected["市场监管处"] == {"lead": 35, "responsible": 14, "support": 0}      # counted by hand in the sample
    for b in bars:
        assert {r: b[r] for r in ("lead", "responsible", "support")} == expected[b["unit"]]
        assert b["total"] == sum(expected[b["unit"]].values()) == int(b["label"])
        assert [(role, n) for role, n, _ in b["rects"]] == [(r, n) for r, n in expected[b["unit"]].items() if n]
    # drawn to one scale: a segment's width is its count's share
    per_task = [w / n for b in bars for _, n, w in b["rects"]]
    assert max(per_task) - min(per_task) < 0.5
    assert [b["total"] for b in bars] == sorted((b["total"] for b in bars), reverse=True)


def test_no_request_leaves_the_page(opened):
    page = opened.page
    page.hover("#L30 .tasktext")
    page.click("#L43 .tasktext")
    page.select_option("#f-unit", "办公室")
    page.click("#sort-due")
    page.click("svg.chart g.bar")
    page.emulate_media(media="print")
    assert opened.requests == [opened.url]
    assert opened.errors == [] and opened.console == []
    assert page.evaluate("performance.getEntriesByType('resource').length") == 0
    assert page.evaluate("window.__blocked") == []
    # and a request the page would make is stopped before it leaves (the check above can see one)
    page.evaluate("() => { const i = document.createElement('img'); i.src = 'http://127.0.0.1:9/x.png';"
                  " document.body.appendChild(i); }")
    page.wait_for_function("window.__blocked.length > 0")
    assert page.evaluate("window.__blocked") == ["img-src http://127.0.0.1:9/x.png"]
    assert opened.requests == [opened.url]
    policy = page.get_attribute("meta[http-equiv='Content-Security-Policy']", "content")
    assert "default-src 'none'" in policy and re.search(r"script-src 'sha256-[A-Za-z0-9+/=]+';", policy)


def test_a_circular_with_html_in_its_text_runs_no_script(browser, tmp_path):
    hostile = ("关于<script>window.pwned=1</script>的通知\n"
               "1. 推进<img src=\"http://127.0.0.1:9/x.png\" onerror=\"window.pwned=2\">建设。（办公室牵头）\n"
               "2. 做好</div></script><script>window.pwned=3</script>工作，新建15个<b onmouseover=\"window.pwned=4\">网点</b>。（财务科负责）\n"
               "3. 防止\"><svg onload=window.pwned=5>注入。（办公室牵头）\n")
    source = tmp_path / "hostile.txt"
    source.write_text(hostile, encoding="utf-8")
    out = tmp_path / "hostile.html"
    from click.testing import CliRunner
    result = CliRunner().invoke(main, ["review", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    page = Opened(browser, out)
    try:
        p = page.page
        p.hover("#L3 .target")
        p.click("#L2 .tasktext")
        p.select_option("#f-unit", p.evaluate("document.querySelector('#f-unit option:nth-child(2)').value"))
        assert p.evaluate("window.pwned") is None
        assert p.evaluate("document.querySelectorAll('main img, main svg:not(.chart), main b, #lines script').length") == 0
        assert p.evaluate("document.scripts.length") == 2           # the data and the page's own script
        assert "<script>window.pwned=1</script>" in p.inner_text("h1")
        assert '<img src="http://127.0.0.1:9/x.png" onerror="window.pwned=2">' in p.inner_text("#L2")
        assert "</div></script><script>window.pwned=3</script>" in p.inner_text("#L3")
        p.click("#L3 .tasktext")
        assert '<b onmouseover="window.pwned=4">网点</b>' in p.inner_text("#card")
        assert page.requests == [page.url] and page.errors == [] and p.evaluate("window.__blocked") == []
        assert p.get_attribute("body", "data-ready") == "1"        # the page's own script did run
    finally:
        page.close()


def test_usable_at_1280_and_on_a_390_px_phone(browser, sample):
    wide = Opened(browser, sample[1], 1280, 900)
    try:
        p = wide.page
        text, panel = p.locator("#lines").bounding_box(), p.locator("#panel").bounding_box()
        assert panel["x"] >= text["x"] + text["width"]               # the fields beside the text
        assert p.evaluate("document.documentElement.scrollWidth") == 1280
    finally:
        wide.close()
    phone = Opened(browser, sample[1], 390, 844)
    try:
        p = phone.page
        assert p.evaluate("document.documentElement.scrollWidth") == 390      # nothing runs off the side
        assert p.is_hidden("#panel")
        p.click("#L52 .tasktext")
        box = p.locator("#panel").bounding_box()
        assert box["width"] == 390 and box["y"] + box["height"] <= 844 + 1     # a sheet at the bottom
        line = p.locator("#L52").bounding_box()
        assert line["y"] + 20 < box["y"]                              # the tapped line stays in view above it
        size = p.evaluate("parseFloat(getComputedStyle(document.querySelector('.chart .label')).fontSize)")
        assert size >= 13
    finally:
        phone.close()


def test_the_review_page_prints_the_text_and_the_table(browser, sample):
    page = Opened(browser, sample[1])
    try:
        page.page.emulate_media(media="print")
        assert page.page.is_hidden("#panel") and page.page.is_hidden("nav.jump")
        assert page.page.is_visible("#L52") and page.page.is_visible("#task-rows .tr")
        pdf = page.page.pdf(format="A4")
        assert pdf.startswith(b"%PDF") and len(pdf) > 20_000
    finally:
        page.close()
    import io

    import pdfplumber
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        # NFKC: the PDF's text layer gives some characters as Kangxi radicals (⼯ for 工)
        texts = ["".join(unicodedata.normalize("NFKC", pg.extract_text() or "").split()) for pg in doc.pages]
    # the text, warnings and legend on the first page; the chart; the table from a page of its own
    assert "苏州市邮政管理局关于印发" in texts[0] and "第78行" in texts[0]
    first = next(n for n, t in enumerate(texts) if "任务表" in t)
    pages = range(first, len(texts))
    assert len(pages) >= 2 and "显示96/96项" in texts[first]
    for n in pages:                                   # every page of the table repeats its headings
        assert "部分·章节" in texts[n] and "完成时限" in texts[n], n


def generated(items: int) -> str:
    """A circular in the sample's shape with `items` numbered tasks over four units."""
    units = ["办公室", "普遍服务处", "市场监管处", "普遍服务处、市场监管处"]
    roles = ["牵头", "牵头", "负责", "按职责分工负责"]
    lines = ["关于印发2022年工作目标任务分解方案的通知", "", "2022年工作目标任务分解方案"]
    for n in range(1, items + 1):
        if n % 25 == 1:
            lines.append(f"{'一二三四五六七八九'[(n // 25) % 9]}、第{n // 25 + 1}组重点工作")
        extra = f"力争年内新建{n % 50 + 1}个绿色网点。" if n % 3 == 0 else f"{n % 12 + 1}月底前完成。"
        lines.append(f"{n}. 加强行业监管第{n}项工作，{extra}（{units[n % 4]}{roles[n % 4]}）")
    return "\n".join(lines) + "\n"


def test_a_2000_task_page_filters_in_chromium_and_fits_a_phone(browser, tmp_path, capsys):
    """The filter on 2,000 rows shows exactly each unit's tasks; how long it takes to answer in
    Chromium is measured here and reported (goal < 200 ms; `make bench` reports it too), not
    asserted: a shared test machine's timings say little."""
    plan = parse_text(generated(2000))
    assert len(plan.tasks) == 2000
    path = tmp_path / "large.html"
    path.write_text(render_review(plan, _lines(generated(2000))), encoding="utf-8")
    page = Opened(browser, path)
    try:
        p, times = page.page, []
        units = sorted({u.canonical or u.name for t in plan.tasks for u in t.departments})
        for unit in units + [""]:
            times.append(p.evaluate("""unit => {
                const select = document.getElementById('f-unit'), start = performance.now();
                select.value = unit;
                select.dispatchEvent(new Event('change'));
                document.body.offsetHeight;                  // the layout the change forces
                return performance.now() - start; }""", unit))
            shown = p.evaluate("document.querySelectorAll('#task-rows .tr:not([hidden])').length")
            assert shown == sum(1 for t in plan.tasks if not unit or unit in {u.name for u in t.departments}), unit
        assert page.errors == [] and page.requests == [page.url]
    finally:
        page.close()
    with capsys.disabled():
        print(f"\n  review page, 2,000 tasks: the filter answered in {max(times):.0f} ms at most "
              f"over {len(times)} choices (goal < 200 ms)")
    phone = Opened(browser, path, 390, 844)
    try:
        assert phone.page.evaluate("document.documentElement.scrollWidth") == 390
    finally:
        phone.close()


def revised(tmp_path, *edits):
    text = TEXT
    for old, new in edits:
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "suzhou-post-2022.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_review_against_a_previous_version_marks_the_changes_in_place(browser, tmp_path, runner):
    new = revised(tmp_path, ("15个绿色网点", "20个绿色网点"), ("（普遍服务处牵头）\n30.", "（市场监管处牵头）\n30."),
                  ("8. 开展行政许可、申诉工作专项整治。（办公室牵头）\n", ""))
    out = tmp_path / "changes.html"
    result = runner.invoke(main, ["review", str(new), "--against", str(SAMPLE), "--profile", str(PROFILE),
                                  "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    page = Opened(browser, out)
    try:
        p = page.page
        changed = p.evaluate("() => Array.from(document.querySelectorAll('.ln.changed')).map(e => [+e.id.slice(1), e.textContent])")
        lines = dict(changed)
        assert sorted(lines) == [61, 75, 134]           # two targets raised (分解方案 and 民生实事), one reassigned
        assert "变更：指标" in lines[75] and "15个绿色网点" in p.text_content("#L75 .delta del")
        assert "20个绿色网点" in p.text_content("#L75 .delta ins")
        assert "变更：单位" in lines[61] and "普遍服务处" in lines[61] and "市场监管处" in lines[61]
        assert "开展行政许可、申诉工作专项整治" in p.inner_text("#diff del")
        assert "删除 1 项，变更 3 项" in p.inner_text("#diff")
        p.click("#L75 .tasktext")
        assert "变更内容" in p.inner_text("#card") and "提高" in p.inner_text("#card")
    finally:
        page.close()


def test_build_writes_the_review_page_into_every_version_with_the_diff(tmp_path, font_cache):
    from plandoc.build import build
    profile = load_profile(PROFILE)
    first = build(parse_file(SAMPLE, profile), profile, tmp_path / "out", formats=("docx",), workers=1)
    page = (first.folder / REVIEW_FILE).read_text(encoding="utf-8")
    manifest = json.loads(first.manifest.read_text(encoding="utf-8"))
    assert manifest["review"]["path"] == REVIEW_FILE
    assert manifest["review"]["sha256"] == __import__("hashlib").sha256(page.encode("utf-8")).hexdigest()
    assert 'id="L52"' in page and 'id="diff"' not in page and "原文件不在计划记录的位置" not in page
    second = build(parse_file(revised(tmp_path, ("15个绿色网点", "20个绿色网点")), profile), profile,
                   tmp_path / "out", formats=("docx",), workers=1)
    assert second.folder != first.folder
    page = (second.folder / REVIEW_FILE).read_text(encoding="utf-8")
    assert f"与上一版本（{first.version}）相比" in page and page.count('class="ln task changed"') == 2
    assert (first.folder / REVIEW_FILE).read_text(encoding="utf-8") != page        # the first one untouched


def test_a_plan_json_shows_its_circular_when_it_is_there_and_its_tasks_when_not(tmp_path, runner, in_root):
    plan_json = tmp_path / "plan.json"
    assert runner.invoke(main, ["parse", "samples/suzhou-post-2022.txt", "-o", str(plan_json)]).exit_code == 0
    assert runner.invoke(main, ["review", str(plan_json), "-o", str(tmp_path / "a.html"), "-q"]).exit_code == 0
    page = (tmp_path / "a.html").read_text(encoding="utf-8")
    assert "原文件不在计划记录的位置" not in page and 'id="L17"' in page     # 总体工作要求, no task, shown
    data = json.loads(plan_json.read_text(encoding="utf-8"))
    data["source"]["path"] = "elsewhere/gone.txt"
    plan_json.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert runner.invoke(main, ["review", str(plan_json), "-o", str(tmp_path / "b.html"), "-q"]).exit_code == 0
    page = (tmp_path / "b.html").read_text(encoding="utf-8")
    assert "原文件不在计划记录的位置" in page and 'id="L17"' not in page
    assert all(f'data-tasks="{t["id"]}"' in page or t["id"] in page for t in data["tasks"])
    assert page.count('class="numeral" title=') == 96


def test_the_review_template_runs_in_the_sandbox(tmp_path, runner):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "review.html").write_text("{{ title.__class__.__mro__ }}\n", encoding="utf-8")
    result = runner.invoke(main, ["review", str(SAMPLE), "--templates", str(mine), "-o", str(tmp_path / "x.html"), "-q"])
    assert result.exit_code == 1 and "review.html" in result.stderr and "unsafe" in result.stderr
    assert not (tmp_path / "x.html").exists()


def test_the_same_plan_gives_the_same_page(sample):
    plan, path = sample
    from parser.sources import read_document
    document = read_document(SAMPLE)
    assert render_review(plan, document.lines) == render_review(plan, document.lines)
