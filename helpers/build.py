"""The single-source generator: solutions/ -> notebooks/.

    python -m helpers.build                 regenerate notebooks/ from solutions/
    python -m helpers.build --check         exit 1 (naming the files) if anything is stale
                                            (student notebooks and docs/instructors/ lesson notes)
    python -m helpers.build --execute solutions/01_activations.ipynb
                                            re-run a solution in a fresh kernel, store its
                                            outputs, then regenerate
    python -m helpers.build --nbgrader COURSE_DIR [--assignment ps1]
                                            write nbgrader source notebooks into
                                            COURSE_DIR/source/ps1/ (see helpers.nbgrader_export)

What the solution notebooks may contain, and what the student version gets:

* ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` (code, whole lines): replaced
  by ``# YOUR CODE HERE`` and ``raise NotImplementedError()`` at the same
  indentation. In markdown cells the region becomes "YOUR ANSWER HERE".
* ``### BLANK: <text>`` at the end of a line: the last occurrence of
  ``<text>`` on that line becomes ``...`` (a "fill in the key part" blank;
  the last, so that in ``"q3": 3,  ### BLANK: 3`` the answer is blanked, not
  the key); the marker comment itself is removed.
* ``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN TESTS``: removed.
* a cell tagged ``solution-only``: removed.
* outputs and execution counts: cleared.

The generator also keeps the solutions tidy (in place, idempotently): the
"Open in Colab" badge and the Colab install line are rebuilt from the
repository URL in ``pyproject.toml``, nbgrader's cell metadata is set on
solution and check cells (points from the exercise registry), and
run-dependent metadata (timings, widget state) is dropped.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
NOTEBOOKS = ROOT / "notebooks"

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"
BLANK = "### BLANK:"
INSTALL_MARKER = "# colab-install"
BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"
PACKAGE = "nnfs-course"
NBGRADER_SCHEMA = 3

CHECK_CALL = re.compile(r"""^\s*check\(\s*["']([\w.]+)["']""", re.M)
QUIZ_CALL = re.compile(r"""^\s*check_quiz\(\s*["']([\w.]+)["']""", re.M)


class BuildError(Exception):
    """A solution notebook breaks the marker rules (named with the cell)."""


# ---------------------------------------------------------------------------
# The repository URL, defined once in pyproject.toml
# ---------------------------------------------------------------------------


def repository_url(pyproject: Path = ROOT / "pyproject.toml") -> str:
    text = pyproject.read_text(encoding="utf-8")
    match = re.search(r'^Repository\s*=\s*"([^"]+)"', text, re.M)
    if not match:
        raise BuildError(f"{pyproject}: no `Repository = \"...\"` under [project.urls]")
    return match.group(1).rstrip("/")


def colab_badge(url: str, folder: str, name: str) -> str:
    path = url.split("github.com/", 1)[-1]
    return f"[![Open In Colab]({BADGE_IMAGE})](https://colab.research.google.com/github/{path}/blob/main/{folder}/{name})"


def install_line(url: str, indent: str) -> str:
    return (f'{indent}subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", '
            f'"{PACKAGE} @ git+{url}"], check=True)  {INSTALL_MARKER}')


# ---------------------------------------------------------------------------
# Transforming sources
# ---------------------------------------------------------------------------


def blank_code(source: str, where: str) -> str:
    """The student version of a code cell's solution regions and ``### BLANK:`` lines."""
    out: list[str] = []
    in_solution = False
    for line in source.split("\n"):
        stripped = line.strip()
        if stripped == BEGIN_SOLUTION:
            if in_solution:
                raise BuildError(f"{where}: nested {BEGIN_SOLUTION}")
            in_solution = True
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}# YOUR CODE HERE")
            out.append(f"{indent}raise NotImplementedError()")
            continue
        if stripped == END_SOLUTION:
            if not in_solution:
                raise BuildError(f"{where}: {END_SOLUTION} without {BEGIN_SOLUTION}")
            in_solution = False
            continue
        if in_solution:
            continue
        if BLANK in line:
            code, target = line.split(BLANK, 1)
            target = target.strip()
            code = code.rstrip()
            if not target or target not in code:
                raise BuildError(f"{where}: blank {target!r} does not occur in {code.strip()!r}")
            at = code.rfind(target)
            code = code[:at] + "..." + code[at + len(target):]
            line = code
        out.append(line)
    if in_solution:
        raise BuildError(f"{where}: {BEGIN_SOLUTION} without {END_SOLUTION}")
    return "\n".join(out)


def _strip_hidden(source: str, where: str) -> str:
    out: list[str] = []
    hidden = False
    for line in source.split("\n"):
        stripped = line.strip()
        if stripped == BEGIN_HIDDEN:
            hidden = True
            continue
        if stripped == END_HIDDEN:
            if not hidden:
                raise BuildError(f"{where}: {END_HIDDEN} without {BEGIN_HIDDEN}")
            hidden = False
            continue
        if not hidden:
            out.append(line)
    if hidden:
        raise BuildError(f"{where}: {BEGIN_HIDDEN} without {END_HIDDEN}")
    # No dangling blank lines where the hidden block was.
    return "\n".join(out).rstrip("\n")


def blank_markdown(source: str, where: str) -> str:
    """The student version of a markdown cell: each solution region becomes "YOUR ANSWER HERE"."""
    if BEGIN_SOLUTION not in source:
        return source
    pattern = re.compile(re.escape(BEGIN_SOLUTION) + r".*?" + re.escape(END_SOLUTION), re.S)
    if source.count(BEGIN_SOLUTION) != source.count(END_SOLUTION):
        raise BuildError(f"{where}: unbalanced solution markers")
    return pattern.sub("YOUR ANSWER HERE", source)


def is_solution_cell(cell) -> bool:
    src = cell.source
    return BEGIN_SOLUTION in src or (cell.cell_type == "code" and BLANK in src)


# ---------------------------------------------------------------------------
# Normalising a solution (in place) and deriving the student version
# ---------------------------------------------------------------------------


def _defined_names(source: str) -> set[str]:
    names = set(re.findall(r"^\s*(?:def|class)\s+(\w+)", source, re.M))
    names |= set(re.findall(r"^(\w+)\s*=", source, re.M))
    return names


def _nbgrader_metadata(cell, index: int, nb_name: str) -> dict | None:
    from helpers.checking import exercises_for, get_exercise
    from helpers.quiz import get_quiz

    src = cell.source
    if cell.cell_type == "code":
        m = CHECK_CALL.search(src)
        if m:
            ex = get_exercise(m.group(1))
            return {"grade": True, "grade_id": f"check_{ex.id.replace('.', '_')}", "locked": True,
                    "points": ex.points, "schema_version": NBGRADER_SCHEMA, "solution": False, "task": False}
        m = QUIZ_CALL.search(src)
        if m:
            quiz = get_quiz(m.group(1))
            return {"grade": True, "grade_id": f"check_quiz_{quiz.id}", "locked": True,
                    "points": quiz.points, "schema_version": NBGRADER_SCHEMA, "solution": False, "task": False}
    if is_solution_cell(cell):
        defined = _defined_names(src)
        grade_id = None
        for ex in exercises_for(nb_name):
            if set(ex.names) & defined:
                grade_id = f"solution_{ex.id.replace('.', '_')}"
                break
        if grade_id is None and "quiz_answers" in defined:
            grade_id = "quiz_answers"
        return {"grade": False, "grade_id": grade_id or f"solution_cell_{index}", "locked": False,
                "schema_version": NBGRADER_SCHEMA, "solution": True, "task": False}
    return None


def rewrite_links(source: str, url: str, folder: str, name: str) -> str:
    """Rebuild the Colab badge (pointing into ``folder``) and the Colab install line."""
    lines = source.split("\n")
    for i, line in enumerate(lines):
        if BADGE_IMAGE in line:
            lines[i] = colab_badge(url, folder, name)
        elif INSTALL_MARKER in line:
            indent = line[: len(line) - len(line.lstrip())]
            lines[i] = install_line(url, indent)
    return "\n".join(lines)


def normalise_solution(nb, name: str, url: str):
    """The tidy form of a solution notebook (a new object; ``nb`` is untouched)."""
    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)
    nb.metadata.setdefault("nnfs", {})["notebook"] = Path(name).stem
    for index, cell in enumerate(nb.cells):
        cell.source = rewrite_links(cell.source, url, "solutions", name)
        cell.metadata.pop("execution", None)
        cell.metadata.pop("collapsed", None)
        meta = _nbgrader_metadata(cell, index, Path(name).stem)
        if meta is None:
            cell.metadata.pop("nbgrader", None)
        else:
            cell.metadata["nbgrader"] = meta
    return nb


def handout_cells(nb, name: str, url: str):
    """(cell, where) for each cell of ``nb`` that a learner's copy keeps, changed in place.

    Shared by the student version and the nbgrader export: ``solution-only``
    cells are left out, links point to ``notebooks/``, code cells lose their
    outputs. ``where`` names the cell in error messages.
    """
    for index, cell in enumerate(nb.cells):
        if "solution-only" in cell.metadata.get("tags", []):
            continue
        cell.source = rewrite_links(cell.source, url, "notebooks", name)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        yield cell, f"{name}, cell {index + 1}"


def student_version(solution_nb, name: str, url: str):
    """The student notebook made from a (normalised) solution notebook."""
    nb = copy.deepcopy(solution_nb)
    cells = []
    for cell, where in handout_cells(nb, name, url):
        if cell.cell_type == "code":
            cell.source = blank_code(_strip_hidden(cell.source, where), where)
        elif cell.cell_type == "markdown":
            cell.source = blank_markdown(cell.source, where)
        cells.append(cell)
    nb.cells = cells
    return nb


def dumps(nb) -> str:
    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


def solution_files() -> list[Path]:
    return sorted(SOLUTIONS.glob("[0-9][0-9]_*.ipynb"))


def build(check_only: bool = False, names: list[str] | None = None) -> list[str]:
    """Normalise solutions and write student notebooks; return the stale paths.

    With ``check_only`` nothing is written: the returned list names every file
    that differs from what the generator would write.
    """
    url = repository_url()
    stale: list[str] = []
    expected_students = set()
    for path in solution_files():
        if names and path.name not in names:
            continue
        raw = path.read_text(encoding="utf-8")
        nb = nbformat.reads(raw, as_version=4)
        tidy = dumps(normalise_solution(nb, path.name, url))
        if tidy != raw:
            stale.append(str(path.relative_to(ROOT)))
            if not check_only:
                path.write_text(tidy, encoding="utf-8")
        student = dumps(student_version(nbformat.reads(tidy, as_version=4), path.name, url))
        target = NOTEBOOKS / path.name
        expected_students.add(target.name)
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current != student:
            stale.append(str(target.relative_to(ROOT)))
            if not check_only:
                NOTEBOOKS.mkdir(exist_ok=True)
                target.write_text(student, encoding="utf-8")
    if not names:
        for orphan in sorted(NOTEBOOKS.glob("*.ipynb")):
            if orphan.name not in expected_students:
                stale.append(f"{orphan.relative_to(ROOT)} (no solution of that name)")
    from helpers.lesson_notes import write_notes  # here: it runs the catalogue from tests/
    stale += write_notes(check_only=check_only, names=names)
    return stale


def execute(path: Path, timeout: int = 300) -> None:
    """Run a solution top to bottom in a fresh kernel and store its outputs."""
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    # The kernel inherits this environment: stored outputs show the static
    # figures, and one BLAS thread keeps small matrix products from slowing
    # down when other work shares the cores (printed results are the same).
    settings = {"NNFS_STATIC": "1", "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS", "1"),
                "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1")}
    saved = {k: os.environ.get(k) for k in settings}
    os.environ.update(settings)
    try:
        NotebookClient(nb, timeout=timeout, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        has_picture = any("image/png" in o.get("data", {}) or
                          "application/vnd.jupyter.widget-view+json" in o.get("data", {})
                          for o in cell.get("outputs", []))
        tags = cell.metadata.setdefault("tags", [])
        if has_picture and "nbval-ignore-output" not in tags:
            tags.append("nbval-ignore-output")
        if not tags:
            cell.metadata.pop("tags")
    nbformat.write(nb, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.build", description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", metavar="NOTEBOOK",
                        help="only these solution notebooks (default: all)")
    parser.add_argument("--check", action="store_true", help="only report stale files; exit 1 if any")
    parser.add_argument("--execute", nargs="+", metavar="NOTEBOOK",
                        help="re-run these solution notebooks and store their outputs first")
    parser.add_argument("--nbgrader", metavar="COURSE_DIR",
                        help="write nbgrader source notebooks into COURSE_DIR/source/ASSIGNMENT/ "
                             "(and COURSE_DIR/nbgrader_config.py if missing); solutions/ and notebooks/ "
                             "are not touched")
    parser.add_argument("--assignment", default="ps1", help="the nbgrader assignment name (default: ps1)")
    args = parser.parse_args(argv)
    if args.nbgrader and (args.check or args.execute):
        parser.error("--nbgrader cannot be combined with --check or --execute")
    try:
        names = [Path(n).name for n in args.notebooks + (args.execute or [])]
        for name in names:
            if not (SOLUTIONS / name).exists():
                parser.error(f"no such solution notebook: solutions/{name}")
        if args.nbgrader:
            from helpers.nbgrader_export import export

            for line in export(Path(args.nbgrader), args.assignment, names or None):
                print(line)
            return 0
        if args.execute:
            for item in args.execute:
                path = SOLUTIONS / Path(item).name
                print(f"executing {path} ...", file=sys.stderr)
                execute(path)
        stale = build(check_only=args.check, names=names or None)
    except BuildError as exc:
        print(f"build error: {exc}", file=sys.stderr)
        return 2
    if args.check:
        if stale:
            print("Stale (run `python -m helpers.build` and commit the result):", file=sys.stderr)
            for item in stale:
                print(f"  {item}", file=sys.stderr)
            return 1
        print(f"notebooks/ is up to date with solutions/ ({len(solution_files())} notebooks).")
        return 0
    for item in stale:
        print(f"wrote {item}")
    if not stale:
        print("nothing to do: notebooks/ is up to date.")
    return 0


if __name__ == "__main__":
    # Run main() of the module `helpers.build`, not of this `__main__` copy of it,
    # so that helpers.nbgrader_export raises the same BuildError that main() catches.
    from helpers.build import main as build_main

    sys.exit(build_main())
