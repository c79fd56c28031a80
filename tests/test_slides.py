"""Slides, lesson notes and the class report, opened in a real browser (headless Chromium).

The decks are built here, from the solution notebooks, into a temporary folder. The browser tests
(marker ``browser``) open every deck offline (any request that leaves the machine fails the test),
wait for MathJax, and fail on a console error, a page error, a figure that did not load, math left
as TeX source or a MathJax error. They skip, saying why, without Debian's Chromium
(``apt-get install chromium``; ``.ci/run`` does it) or the npm assets (``make slides``).

Screenshots for a person to look at: ``NNFS_SCREENSHOTS=build/screenshots pytest -m browser
tests/test_slides.py`` writes, per deck, the title slide, a slide with a formula and one with a figure
(1280×720), and one of each generated page.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import nbformat
import pytest

from helpers import slides
from helpers.grading.report import render as render_report
from nbrun import ROOT, SOLUTIONS

CHROMIUM = Path("/usr/bin/chromium")
NODE_MODULES = ROOT / "build" / "npm" / "node_modules"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SHOTS = os.environ.get("NNFS_SCREENSHOTS")
NAMES = [p.stem for p in SOLUTIONS]


def _why_no_assets() -> str | None:
    missing = [p for p in slides.ASSETS if not (NODE_MODULES / p / "package.json").exists()]
    return f"npm assets missing in build/npm ({', '.join(missing)}): run `make slides`" if missing else None


needs_assets = pytest.mark.skipif(_why_no_assets() is not None, reason=str(_why_no_assets()))


@pytest.fixture(scope="module")
def decks(tmp_path_factory):
    if _why_no_assets():
        pytest.skip(_why_no_assets())
    out = tmp_path_factory.mktemp("slides")
    before = {p: p.read_bytes() for p in SOLUTIONS}
    started = time.monotonic()
    written = slides.build_decks(out, NODE_MODULES)
    seconds = time.monotonic() - started
    return {"out": out, "written": written, "seconds": seconds, "before": before}


# ---------------------------------------------------------------------------
# The generator (no browser)
# ---------------------------------------------------------------------------


def _slide_type(cell) -> str:
    return cell.metadata.get("slideshow", {}).get("slide_type", "-")


@pytest.mark.parametrize("name", NAMES)
def test_metadata_follows_the_notebooks_structure(name):
    solution = nbformat.read(ROOT / "solutions" / f"{name}.ipynb", as_version=4)
    nb = slides.slide_notebook(solution, name)
    assert "slideshow" not in json.dumps([c.metadata for c in solution.cells]), "the solution itself is unchanged"
    assert len(nb.cells) == len(solution.cells)
    for cell in nb.cells:
        kind = _slide_type(cell)
        if cell.cell_type == "markdown" and re.match(r"#{1,2} ", cell.source):
            assert kind == "slide", cell.source[:60]            # a slide per section
        elif cell.cell_type == "markdown" and cell.source.startswith("### "):
            assert kind == "subslide", cell.source[:60]
        if cell.cell_type == "code" and ("### BEGIN SOLUTION" in cell.source or "### BLANK" in cell.source
                                         or re.search(r"^\s*check(_quiz)?\(", cell.source, re.M)):
            assert kind == "skip", cell.source[:60]             # no solution code, no check cells
        if cell.cell_type == "code" and slides._has_picture(cell):
            assert kind == "subslide" and slides.HIDE_INPUT in cell.metadata.get("tags", [])


def test_a_comment_on_a_demo_comes_one_click_after_it():
    nb = slides.slide_notebook(nbformat.read(ROOT / "solutions" / "04_backpropagation.ipynb", as_version=4))
    kinds = [(c.cell_type, _slide_type(c)) for c in nb.cells]
    assert any(k == ("markdown", "fragment") and kinds[i - 1][0] == "code" for i, k in enumerate(kinds))


@needs_assets
def test_all_decks_build_in_under_a_minute_without_touching_the_solutions(decks):
    print(f"built {len(decks['written'])} decks in {decks['seconds']:.1f} s")
    assert [p.name for p in decks["written"]] == [f"{n}.slides.html" for n in NAMES]
    assert decks["seconds"] < 60
    assert {p: p.read_bytes() for p in SOLUTIONS} == decks["before"]


@needs_assets
def test_decks_hold_no_solution_code_and_fetch_nothing_from_the_network(decks):
    for path in decks["written"]:
        html = path.read_text(encoding="utf-8")
        assert not re.search(r'(?:src|href)="(?:https?:)?//[^"]*\.(?:js|css|svg|png|mjs)', html), path.name
        assert '<script src="http' not in html and "import mermaid" not in html
        solution = nbformat.read(ROOT / "solutions" / f"{path.name.split('.')[0]}.ipynb", as_version=4)
        statements = "\n".join(c.source for c in solution.cells if c.cell_type == "markdown")
        for cell in solution.cells:
            if cell.cell_type == "code" and "### BEGIN SOLUTION" in cell.source:
                body = cell.source.split("### BEGIN SOLUTION", 1)[1].split("### END SOLUTION", 1)[0]
                # Lines of the answer (not those the statement itself quotes as a fact to use).
                lines = [ln.strip() for ln in body.splitlines() if len(ln.strip()) > 25 and ln.strip() not in statements]
                for line in lines:
                    assert line not in html.replace("&quot;", '"').replace("&#39;", "'"), (path.name, line)


# ---------------------------------------------------------------------------
# In the browser
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("headless browser tests need Debian's Chromium at /usr/bin/chromium (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (the test extra)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


class Visit:
    """A page opened offline: console errors, page errors and every request that left the machine."""

    def __init__(self, browser, url: str):
        self.context = browser.new_context(viewport={"width": 1280, "height": 720})
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("requestfailed", lambda r: self.problems.append(f"failed request: {r.url}"))

        def offline(route):
            if route.request.url.startswith(("file:", "data:")):
                route.continue_()
            else:
                self.problems.append(f"network request: {route.request.url}")
                route.abort()

        self.page.route("**/*", offline)
        self.page.goto(url, wait_until="load")

    def close(self):
        self.context.close()


# JS: text outside scripts/styles that still looks like TeX (math MathJax did not typeset).
_RAW_TEX = """() => {
  const walker = document.createTreeWalker(document.querySelector('.slides') || document.body, NodeFilter.SHOW_TEXT);
  const bad = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const p = n.parentElement;
    if (!p || p.closest('script, style, pre, code, .highlight, .jp-OutputArea')) continue;
    if (/\\$\\$|\\\\frac|\\\\sum|\\\\mathbf|\\\\partial|\\$[^$\\s][^$]*\\\\/.test(n.textContent)) bad.push(n.textContent.slice(0, 80));
  }
  return bad;
}"""

_MATHJAX_DONE = """() => window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0
    && MathJax.Hub.queue.running === 0 && document.readyState === 'complete'"""


# reveal.js is loaded through require.js (AMD), so there is no global `Reveal`: slides are found in
# the DOM and reached through the URL (the decks use reveal's `history`, #/h/v).
_SLIDES = """() => {
  const out = [];
  [...document.querySelectorAll('.slides > section')].forEach((top, h) => {
    const inner = [...top.querySelectorAll(':scope > section')];
    (inner.length ? inner : [top]).forEach((s, v) => out.push({h, v}));
  });
  return out; }"""


def _indices_of(page, selector: str):
    return page.evaluate("""(sel) => {
        const tops = [...document.querySelectorAll('.slides > section')];
        for (let h = 0; h < tops.length; h++) {
            const inner = [...tops[h].querySelectorAll(':scope > section')];
            const list = inner.length ? inner : [tops[h]];
            for (let v = 0; v < list.length; v++) if (list[v].querySelector(sel)) return {h, v};
        }
        return null; }""", selector)


def _go(page, at) -> None:
    page.evaluate("(i) => { location.hash = '#/' + i.h + '/' + i.v; }", at)
    page.wait_for_function("""(i) => {
        const top = document.querySelectorAll('.slides > section')[i.h];
        const inner = top.querySelectorAll(':scope > section');
        const s = inner.length ? inner[i.v] : top;
        return s.classList.contains('present'); }""", arg=at, timeout=10000)
    page.wait_for_timeout(900)                                   # the slide transition


@pytest.mark.browser
@pytest.mark.parametrize("name", NAMES)
def test_deck_renders_offline_with_math_and_figures(browser, decks, name):
    path = decks["out"] / f"{name}.slides.html"
    visit = Visit(browser, path.as_uri())
    page = visit.page
    try:
        page.wait_for_selector(".reveal.ready", timeout=30000)
        page.wait_for_function(_MATHJAX_DONE, timeout=60000)
        rendered = page.locator(".MathJax_CHTML, .MathJax_Display").count()
        assert rendered > 0, "no math rendered"
        assert page.locator(".MathJax_Error, merror").count() == 0, "MathJax reported an error"
        assert page.evaluate(_RAW_TEX) == [], "math left as TeX source"
        images = page.evaluate("() => [...document.querySelectorAll('.slides img')].map("
                               "i => ({ok: i.complete && i.naturalWidth > 0, src: i.src.slice(0, 40)}))")
        assert images, "no figure in the deck"
        assert all(i["ok"] for i in images), [i["src"] for i in images if not i["ok"]]
        # A figure on its slide fills a good part of a 1280×720 screen and stays inside it.
        at = _indices_of(page, ".jp-OutputArea-output img")
        _go(page, at)
        box = page.locator("section.present .jp-OutputArea-output img").first.bounding_box()
        assert box["height"] >= 400 and box["width"] >= 500, box
        assert box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= 1280 + 1
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(SHOTS) / f"{name}-figure.png"))
            for label, selector in (("title", None), ("formula", ".MJXc-display, .MathJax_Display")):
                where = {"h": 0, "v": 0} if selector is None else _indices_of(page, selector)
                if where:
                    _go(page, where)
                    page.wait_for_function(_MATHJAX_DONE, timeout=30000)
                    page.screenshot(path=str(Path(SHOTS) / f"{name}-{label}.png"))
        assert visit.problems == []
    except Exception:
        print("\n".join(visit.problems))
        raise
    finally:
        visit.close()


def _report_data() -> dict:
    def exercise(id_, state, step=None, hint=""):
        return {"id": id_, "name": "f", "title": f"exercise {id_}", "points": int(state == "passed"),
                "max_points": 1, "state": state, "failed_step": step, "failed_hidden": False,
                "feedback": f"❌ failed at: {step}\n   Hint: {hint}" if step else "✅ passed"}

    def result(name, states, status="graded", message=""):
        ex = [exercise("1.1", *states[0]), exercise("1.2", *states[1])]
        total = sum(e["points"] for e in ex)
        q = [{"key": "q1", "points": 1, "max_points": 1, "verdict": "right", "message": "", "given": "b"}]
        return {"submission": name, "notebook": "01_activations", "status": status, "message": message,
                "exercises": ex, "questions": q, "quiz": "01", "quiz_max": 1, "total": total + 1, "max": 3}

    return {"sandbox": "bwrap", "results": [
        result("a.ipynb", [("passed",), ("passed",)]),
        result("b.ipynb", [("passed",), ("failed", "large |x|", "Use the stable form for negative x.")]),
        result("c.ipynb", [("not done", "defined"), ("timeout", "values")], "timeout", "a cell ran out of time"),
    ]}


@pytest.mark.browser
def test_class_report_and_lesson_notes_render(browser, tmp_path):
    from nbconvert.filters.markdown import markdown2html

    report = tmp_path / "class.html"
    report.write_text(render_report(_report_data()), encoding="utf-8")
    notes_md = (ROOT / "docs" / "instructors" / "04_backpropagation.md").read_text(encoding="utf-8")
    notes = tmp_path / "04_backpropagation.html"
    notes.write_text(f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>notes</title></head><body>"
                     f"{markdown2html(notes_md)}</body></html>", encoding="utf-8")
    for path, check in ((report, "svg"), (notes, "pre")):
        visit = Visit(browser, path.as_uri())
        try:
            # Every figure of the report is drawn; the notes' verdict blocks are shown (the learners'
            # code sits in closed <details>, so it has no box until opened).
            boxes = [visit.page.locator(check).nth(i).bounding_box() for i in range(visit.page.locator(check).count())]
            shown = [b for b in boxes if b and b["width"] > 100 and b["height"] > 20]
            assert len(shown) >= (2 if check == "svg" else 3 * 5), (path.name, boxes)
            if SHOTS:
                Path(SHOTS).mkdir(parents=True, exist_ok=True)
                visit.page.screenshot(path=str(Path(SHOTS) / f"{path.stem}.png"), full_page=path is report)
            assert visit.problems == []
        finally:
            visit.close()
