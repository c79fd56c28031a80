"""Slides from the solution notebooks: one reveal.js deck per notebook, for a projector (1280×720).

    python -m helpers.slides --assets build/npm/node_modules --out build/slides   (what `make slides` runs)

The decks are made with nbconvert's slides exporter from a *copy* of each solution notebook; the
stored notebooks are never changed. On the copy, the generator sets the slideshow metadata from
the notebook's structure:

* the title cell and each ``##`` section start a new slide, each ``###`` part a sub-slide
  (reveal.js's vertical stack under its section);
* the explanation, the math and each demo with its output follow on that slide while they fit
  (a rough line budget), then a new sub-slide starts; a paragraph that comments on a demo
  appears as a fragment, one click after the demo;
* a picture (plot, diagram or the static fallback of a widget) gets a sub-slide of its own, its
  plotting code hidden and the figure scaled to fit;
* an exercise shows its statement only: its solution cell, its check cell and the setup cell are
  skipped, and markdown answers are blanked as in the student version.

Decks work offline: reveal.js, MathJax 2 (the version nbconvert's template configures),
require.js and jQuery come from npm packages that the Makefile installs into ``build/npm``, and
are copied beside the decks (``build/slides/assets``), so the folder can be zipped and
presented anywhere without a network.
"""

from __future__ import annotations

import argparse
import copy
import re
import shutil
import sys
import time
from pathlib import Path

import nbformat

from helpers.build import BuildError, _strip_hidden, blank_markdown, is_solution_cell

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
TEMPLATES = Path(__file__).resolve().parent / "slides_template"

# What each npm package contributes to build/slides/assets (only what the decks load).
ASSETS = {
    "reveal.js": ["dist", "plugin/notes"],
    "mathjax": ["MathJax.js", "config/TeX-AMS_CHTML-full.js", "config/Safe.js", "extensions", "jax/input/TeX",
                "jax/output/CommonHTML", "jax/element", "fonts/HTML-CSS/TeX/woff", "localization/en"],
    "requirejs": ["require.js"],
    "jquery": ["dist/jquery.min.js"],
}
HIDE_INPUT = "slides-hide-input"   # a tag on the copy only: nbconvert.s TagRemovePreprocessor
LINE_BUDGET = 20                   # about what a 1280×720 slide shows at the template's font size
LONG_CODE = 18                     # longer code is plumbing on a slide: show its output only

_BADGE = re.compile(r"^\[!\[Open In Colab\]\([^)]*\)\]\([^)]*\)\s*$\n?", re.M)
# The title cell's paragraph on how the check cells work is for a learner alone, not for the room.
_FOR_LEARNERS = re.compile(r"^\*\*How the exercises work\.\*\*.*?(?:\n\s*\n|\Z)", re.M | re.S)
_CHECK = re.compile(r"""^\s*(check|check_quiz)\(""", re.M)


def _has_picture(cell) -> bool:
    return any("image/png" in o.get("data", {}) or "image/svg+xml" in o.get("data", {})
               for o in cell.get("outputs", []))


def _output_lines(cell) -> int:
    lines = 0
    for o in cell.get("outputs", []):
        text = o.get("text") or o.get("data", {}).get("text/plain", "")
        lines += len(("".join(text) if isinstance(text, list) else text).splitlines())
    return lines


def _markdown_lines(source: str) -> int:
    # A wrapped paragraph line of the notebook is roughly a line on the slide; display math is taller.
    return len([ln for ln in source.splitlines() if ln.strip()]) + 2 * source.count("$$") // 2


def _slideshow(cell, slide_type: str) -> None:
    cell.metadata["slideshow"] = {"slide_type": slide_type}


def slide_notebook(solution, name: str = "notebook"):
    """A copy of ``solution`` with slideshow metadata set; the solution itself is not changed."""
    nb = copy.deepcopy(solution)
    nb.metadata.pop("widgets", None)           # widget state would load the widget manager from a CDN
    used = 0                                   # lines on the current slide so far
    previous_code = False
    for index, cell in enumerate(nb.cells):
        where = f"{name} cell {index}"
        tags = cell.metadata.get("tags", [])
        if cell.cell_type == "code":
            # Only pictures and text outputs: a widget's view needs a kernel.
            cell.outputs = [o for o in cell.get("outputs", [])
                            if "application/vnd.jupyter.widget-view+json" not in o.get("data", {})
                            or _has_picture({"outputs": [o]})]
            if (index == 0 or "setup" in tags or "solution-only" in tags or is_solution_cell(cell)
                    or _CHECK.search(cell.source)):
                _slideshow(cell, "skip")
                continue
            cell.source = _strip_hidden(cell.source, where)
            code_lines = len(cell.source.splitlines())
            if _has_picture(cell):
                cell.metadata.setdefault("tags", []).append(HIDE_INPUT)
                _slideshow(cell, "subslide")
                used = LINE_BUDGET                # the picture fills its slide
            else:
                if code_lines > LONG_CODE:
                    cell.metadata.setdefault("tags", []).append(HIDE_INPUT)
                    code_lines = 0
                lines = code_lines + _output_lines(cell) + 1
                if used and used + lines > LINE_BUDGET:
                    _slideshow(cell, "subslide")
                    used = lines
                else:
                    _slideshow(cell, "-")
                    used += lines
            previous_code = True
            continue
        if cell.cell_type != "markdown":
            _slideshow(cell, "skip")
            continue
        # The "Open in Colab" badge is for the notebook, and its image would come from the network.
        cell.source = _BADGE.sub("", blank_markdown(cell.source, where))
        cell.source = _FOR_LEARNERS.sub("", cell.source)
        lines = _markdown_lines(cell.source)
        first = cell.source.lstrip()
        if first.startswith("# ") or first.startswith("## "):
            _slideshow(cell, "slide")
            used = lines
        elif first.startswith("### ") or (used and used + lines > LINE_BUDGET):
            _slideshow(cell, "subslide")
            used = lines
        elif previous_code:
            _slideshow(cell, "fragment")       # the comment on a demo, one click after it
            used += lines
        else:
            _slideshow(cell, "-")
            used += lines
        previous_code = False
    return nb


# Figures scaled to the slide, and the slide's text a little smaller than nbconvert's default so a
# section's explanation and its demo share a 1280×720 slide.
_EXTRA_CSS = """<style type="text/css">
.reveal .jp-OutputArea-output img { display: block; margin: 0 auto; height: 560px; width: auto; max-width: 100%;
                                    object-fit: contain; }
.reveal .slides { text-align: left; }
.reveal .jp-RenderedHTMLCommon p, .reveal .jp-RenderedHTMLCommon li { font-size: 22px; line-height: 1.35; }
</style>
"""


def exporter(prefix: str = "assets"):
    """nbconvert's SlidesExporter set up for local assets under ``prefix`` (relative to the deck)."""
    from nbconvert import SlidesExporter
    from traitlets.config import Config

    config = Config()
    config.TagRemovePreprocessor.remove_input_tags = {HIDE_INPUT}
    config.TagRemovePreprocessor.enabled = True
    config.SlidesExporter.preprocessors = ["nbconvert.preprocessors.TagRemovePreprocessor"]
    ex = SlidesExporter(config=config, extra_template_basedirs=[str(TEMPLATES)], template_name="nnfs_reveal")
    ex.reveal_url_prefix = f"{prefix}/reveal.js"
    ex.reveal_theme = "white"
    ex.reveal_scroll = True
    ex.reveal_width, ex.reveal_height = "1280", "720"
    ex.reveal_number = "c/t"
    ex.exclude_input_prompt = ex.exclude_output_prompt = True   # the room needs the width more than "In [3]:"
    ex.mathjax_url = f"{prefix}/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"
    ex.require_js_url = f"{prefix}/require.js"
    ex.jquery_url = f"{prefix}/jquery.min.js"
    return ex


def deck(path: Path, ex=None) -> str:
    """The HTML of one deck, from the solution notebook at ``path``."""
    nb = slide_notebook(nbformat.read(path, as_version=4), path.name)
    html, _ = (ex or exporter()).from_notebook_node(nb, resources={"metadata": {"name": path.stem}})
    return html.replace("</head>", _EXTRA_CSS + "</head>", 1)


def copy_assets(node_modules: Path, target: Path) -> None:
    """Copy what the decks load from the npm packages into ``target`` (build/slides/assets)."""
    missing = [pkg for pkg in ASSETS if not (node_modules / pkg / "package.json").exists()]
    if missing:
        raise BuildError(f"{node_modules}: npm packages missing: {', '.join(missing)} "
                         "(`make slides` installs them into build/npm)")
    for pkg, parts in ASSETS.items():
        for part in parts:
            source = node_modules / pkg / part
            # reveal.js and mathjax keep their layout; the single scripts lie at the top.
            dest = target / (Path(part).name if pkg in ("requirejs", "jquery") else Path(pkg) / part)
            dest.parent.mkdir(parents=True, exist_ok=True)
            if source.is_dir():
                shutil.copytree(source, dest, dirs_exist_ok=True)
            else:
                shutil.copy2(source, dest)


def build_decks(out: Path, node_modules: Path, names: list[str] | None = None) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    copy_assets(node_modules, out / "assets")
    ex = exporter("assets")
    written = []
    for path in sorted(SOLUTIONS.glob("[0-9][0-9]_*.ipynb")):
        if names and path.stem not in names and path.name not in names:
            continue
        target = out / f"{path.stem}.slides.html"
        target.write_text(deck(path, ex), encoding="utf-8")
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.slides", description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", metavar="NOTEBOOK", help="only these (default: all)")
    parser.add_argument("--out", default=str(ROOT / "build" / "slides"), help="default: build/slides")
    parser.add_argument("--assets", default=str(ROOT / "build" / "npm" / "node_modules"),
                        help="node_modules with reveal.js, mathjax, requirejs, jquery (default: build/npm/node_modules)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        written = build_decks(Path(args.out), Path(args.assets), args.notebooks or None)
    except BuildError as exc:
        print(f"slides: error: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path}")
    print(f"{len(written)} deck(s) in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
