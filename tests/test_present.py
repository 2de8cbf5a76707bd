"""HTML fragments from the Jinja templates: autoescaped, whatever the data hold."""

from cvlib.report.present import release_index_html
from cvlib.report.runner import _fallback_index

SCRIPT = "<script>alert(1)</script>"
ENTRY = {
    "release_id": "r1",
    "name": SCRIPT,
    "released_on": "2026-01-01",
    "status": "failed",
    "report": None,
    "summary": None,
    "scorecard": None,
    "generated_at": None,
    "error": "boom",
}


def test_release_index_escapes_names():
    table = release_index_html([ENTRY], product=SCRIPT)
    assert SCRIPT not in table
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in table
    assert "<a href='r1.error.txt'>last run failed</a>" in table


def test_fallback_index_holds_the_table_and_the_escaped_reason():
    page = _fallback_index([ENTRY], SCRIPT, f"kernel died {SCRIPT}")
    assert page.startswith("<!DOCTYPE html>") and page.endswith("</html>\n")
    assert SCRIPT not in page
    assert page.count("<table class='cvlib-index'>") == 1  # the table, not its escaped text
    assert "The portfolio could not be rendered: kernel died &lt;script&gt;" in page


def test_result_objects_show_as_escaped_tables():
    from cvlib.stats.results import Estimate

    table = Estimate(0.5, 0.4, 0.6, 10, 0.95, "wilson <b>")._repr_html_()
    assert "<th>ci_low</th>" in table and "<td>0.4</td>" in table
    assert "wilson &lt;b&gt;" in table and "<b>" not in table
