"""The review page's cost: writing it for the sample and for a generated 2,000-task plan beyond
the parse (goals 0.5 s and 3 s), and, in Debian's Chromium, how long the task table's filter
takes to answer there (goal < 200 ms).  Run on purpose (`make bench`), never in the tests."""
from __future__ import annotations

import logging
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_scale import median_time  # noqa: E402  (beside this file, found through the path above)


def filter_times(page: Path, units: list[str]) -> list[float]:
    """Milliseconds from choosing a unit in the filter to the table showing only its rows
    (the change handler runs synchronously; the layout it forces is counted too)."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        tab = browser.new_page(viewport={"width": 1280, "height": 900})
        tab.goto(page.resolve().as_uri())
        tab.wait_for_selector("body[data-ready='1']", state="attached")
        out = []
        for unit in units * 3:
            out.append(tab.evaluate("""unit => {
                const select = document.getElementById('f-unit');
                const start = performance.now();
                select.value = unit;
                select.dispatchEvent(new Event('change'));
                document.body.offsetHeight;
                return performance.now() - start; }""", unit))
        browser.close()
    return out


def main() -> None:
    logging.getLogger("jieba").addFilter(lambda record: record.levelno >= logging.WARNING)
    from bench_parse import generated_plan
    from parser import load_profile, parse_document
    from parser.sources import read_bytes, read_document
    from plandoc.review import render_review

    profile = load_profile(ROOT / "samples" / "suzhou-post.profile.toml")
    sample = read_document(ROOT / "samples" / "suzhou-post-2022.txt")
    plan = parse_document(sample, profile)
    render_review(plan, sample.lines)                  # the template compiled once, as any run has it
    a = median_time(lambda: render_review(plan, sample.lines), times=5)
    print(f"review page, sample ({len(plan.tasks)} tasks): {a:.3f} s beyond the parse, median of 5  (goal <= 0.5)")

    large = read_bytes(generated_plan(2000).encode("utf-8"), "generated.txt")
    big = parse_document(large)
    b = median_time(lambda: render_review(big, large.lines), times=3)
    html = render_review(big, large.lines)
    print(f"review page, generated ({len(big.tasks)} tasks): {b:.3f} s beyond the parse, median of 3, "
          f"{len(html.encode('utf-8')) / 2 ** 20:.1f} MB  (goal <= 3)")
    if shutil.which("chromium") is None:
        print("filter in Chromium: not measured (apt-get install chromium)")
        return
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "review.html"
        page.write_text(html, encoding="utf-8")
        units = sorted({u.canonical or u.name for t in big.tasks for u in t.departments}) + [""]
        times = filter_times(page, units)
    print(f"filter by unit in Chromium, {len(big.tasks)} rows: median {statistics.median(times):.1f} ms, "
          f"slowest {max(times):.1f} ms over {len(times)} choices  (goal < 200)")


if __name__ == "__main__":
    main()
