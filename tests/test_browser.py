"""A real browser opens the generated HTML from disk: headless Debian chromium driven by Playwright.

Playwright cannot download its own browser here, so it is pointed at the
system chromium (``/usr/bin/chromium``; ``.ci/run`` installs it with apt-get).
Without chromium the tests are skipped with the reason, except in CI (the
``CI`` environment variable is set), where they fail.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from workspace_files import BASE, write_workspace

pytestmark = pytest.mark.slow

CHROMIUM = os.environ.get("CVLIB_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _browser_or_skip():
    missing = None
    if not Path(CHROMIUM).is_file():
        missing = f"no chromium at {CHROMIUM} (apt-get install chromium, or set CVLIB_CHROMIUM)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            missing = "playwright is not installed (pip install -e '.[dev]')"
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser test: {missing}")
        pytest.skip(missing)


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    _browser_or_skip()
    root = tmp_path_factory.mktemp("browser")
    features = BASE["features.csv"].replace("Report builder", "<script>alert(1)</script>")
    tickets = (
        BASE["tickets.csv"]
        + 'T3,2026-01-22T08:00:00Z,F-report-builder,complaint,"<img src=x onerror=alert(2)>"\n'
    )
    # every metric has a section: the base workspace's six, and feature retention
    hypotheses = BASE["hypotheses.yaml"] + (
        "  - id: H-reports-retention\n"
        "    feature_id: F-report-builder\n"
        "    statement: Teams who build a report come back to build another.\n"
        "    metric: feature_retention\n"
        "    target: 0.4\n"
        "    window_days: 14\n"
    )
    data = write_workspace(
        root / "ws",
        {"features.csv": features, "tickets.csv": tickets, "hypotheses.yaml": hypotheses},
    )
    out = root / "reports"
    run = subprocess.run(
        [sys.executable, "-m", "cvlib", "report", str(data), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    return out


@pytest.fixture(scope="module")
def browser():
    _browser_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def open_page(browser, path: Path, screenshot: Path):
    """Open a file, collecting console messages, page errors, dialogs and every request."""
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    seen = {"console": [], "errors": [], "requests": [], "dialogs": []}
    page.on("console", lambda m: seen["console"].append((m.type, m.text)))
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("request", lambda r: seen["requests"].append(r.url))
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_timeout(300)
    page.screenshot(path=str(screenshot), full_page=True)
    return page, seen


def assert_clean(seen):
    assert seen["errors"] == []
    assert [m for m in seen["console"] if m[0] == "error"] == []
    assert seen["dialogs"] == []  # no injected script ran
    assert [u for u in seen["requests"] if not u.startswith(("file://", "data:"))] == []


def assert_images_rendered(page):
    images = page.locator("img")
    assert images.count() >= 1
    for i in range(images.count()):
        img = images.nth(i)
        img.scroll_into_view_if_needed()
        box = img.bounding_box()
        assert box and box["width"] > 0 and box["height"] > 0
        assert img.evaluate("e => e.complete && e.naturalWidth > 0")
        assert img.get_attribute("alt")


def test_release_report_in_a_real_browser(reports, browser, tmp_path):
    page, seen = open_page(browser, reports / "2026.01" / "report.html", tmp_path / "report.png")
    assert_clean(seen)
    assert "value validation" in page.title()
    table = page.locator("table.cvlib-verdicts")
    assert table.is_visible()
    summary = json.loads((reports / "2026.01" / "summary.json").read_text())
    assert summary["hypotheses"]
    for h in summary["hypotheses"]:
        assert table.get_by_text(h["id"], exact=True).is_visible()
    assert "H-reports-retention" in {h["id"] for h in summary["hypotheses"]}
    section = page.locator("h3", has_text="H-reports-retention")
    section.scroll_into_view_if_needed()
    assert section.is_visible()
    assert page.get_by_text("feature retention", exact=False).first.is_visible()
    assert page.get_by_text("<script>alert(1)</script>").first.is_visible()  # shown as text
    assert_images_rendered(page)
    assert page.locator("a", has_text="All releases").get_attribute("href") == "../index.html"
    assert (tmp_path / "report.png").stat().st_size > 0


def test_an_evidence_grade_is_visible_beside_every_verdict(reports, browser, tmp_path):
    from cvlib.report.labels import GRADE_LABEL

    page, seen = open_page(browser, reports / "2026.01" / "report.html", tmp_path / "report.png")
    assert_clean(seen)
    summary = json.loads((reports / "2026.01" / "summary.json").read_text())
    rows = page.locator("table.cvlib-verdicts tbody tr")
    assert rows.count() == len(summary["hypotheses"])
    for h in summary["hypotheses"]:
        words = GRADE_LABEL[h["evidence"]["grade"]]
        row = rows.filter(has=page.get_by_text(h["id"], exact=True))
        verdict, evidence = row.locator("td.cvlib-verdict"), row.locator("td.cvlib-evidence")
        assert verdict.is_visible() and evidence.is_visible()
        assert evidence.inner_text().strip() == words
        # beside the verdict: the next cell of the same row, on the same line
        v, e = verdict.bounding_box(), evidence.bounding_box()
        assert abs(v["y"] - e["y"]) < v["height"] and e["x"] >= v["x"] + v["width"] - 1
        heading = page.locator(f"h3[id='h-{h['id']}']")
        # the paragraph right after the section's verdict
        verdict_line = "following-sibling::p[span[contains(@class, 'cvlib-verdict')]][1]"
        line = heading.locator(f"xpath={verdict_line}/following-sibling::p[1]")
        line.scroll_into_view_if_needed()
        assert line.is_visible() and line.get_attribute("class") == "cvlib-evidence"
        text = line.inner_text()
        assert text.startswith(f"Evidence: {words} (design {h['evidence']['design']})"), text
        if h["evidence"]["caveat"]:
            assert h["evidence"]["caveat"] in text


def test_index_in_a_real_browser(reports, browser, tmp_path):
    page, seen = open_page(browser, reports / "index.html", tmp_path / "index.png")
    assert_clean(seen)
    index = json.loads((reports / "index.json").read_text())
    table = page.locator("table.cvlib-index")
    for entry in index:
        assert table.get_by_text(entry["release_id"], exact=True).is_visible()
    assert_images_rendered(page)
    page.locator("a", has_text="report").first.click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/report.html")
