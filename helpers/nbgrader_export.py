"""The course as an nbgrader course: nbgrader *source* notebooks made from solutions/.

    python -m helpers.build --nbgrader COURSE_DIR [--assignment ps1] [NOTEBOOK ...]

writes ``COURSE_DIR/source/<assignment>/NN_topic.ipynb`` for every solution
notebook (or only those named), and ``COURSE_DIR/nbgrader_config.py`` when
the folder has none. In COURSE_DIR, ``nbgrader generate_assignment ps1`` then
makes the release. A source notebook is the solution notebook with these
changes, each needed for nbgrader to grade it the way the course means:

* **Check cells** import what they call, under a name the student does not
  define (``from helpers.checking import check as _nnfs_check``), so that
  redefining ``check`` in the notebook cannot switch a graded cell off. The
  hidden tests run there too, on inputs drawn from a fresh secret seed at
  every autograde (the course's own grader does the same).
* **The quiz** gets one graded cell per question (points from the registry),
  ``check_quiz("01", quiz_answers, question="q1")``: under nbgrader it raises
  unless that answer is right, so each right answer earns its points and a
  wrong or missing one earns nothing.
* **Free-text answers** (a markdown cell with a solution region, such as
  notebook 06's "What did you observe?") are not graded by the course, and
  nbgrader accepts a markdown answer cell only as a manually graded one. The
  source therefore holds the student version ("YOUR ANSWER HERE"), as an
  ordinary cell the student edits; the example answer stays in solutions/.
* **The Colab badge** points to ``notebooks/`` (the student version).
* Outputs are cleared and cells tagged ``solution-only`` are left out.

Solution regions and ``### BLANK:`` lines stay as they are in the solutions.
nbgrader on its own would replace a solution cell that has no
``### BEGIN SOLUTION`` region by a stub; the ``nbgrader_config.py`` written
here makes ``generate_assignment`` use ``helpers.nbgrader_release``, which
gives those cells the skeleton ``notebooks/`` has (the blank becomes ``...``).
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell

from helpers.build import (BEGIN_SOLUTION, CHECK_CALL, NBGRADER_SCHEMA, QUIZ_CALL, BuildError, blank_markdown,
                           dumps, handout_cells, normalise_solution, repository_url, solution_files)

__all__ = ["graded_check_source", "graded_question_source", "nbgrader_source", "export", "CONFIG"]

CONFIG_NAME = "nbgrader_config.py"
CONFIG = '''\
# nbgrader settings for the Neural Networks from Scratch course, written by
# `python -m helpers.build --nbgrader` (which never overwrites this file).
from helpers.nbgrader_release import release_preprocessors

c = get_config()  # noqa: F821 (nbgrader defines get_config when it reads this file)

# The course's one-expression blanks (`### BLANK:`) become `...` in the release,
# as in notebooks/; nbgrader alone would replace those cells by a stub.
c.GenerateAssignment.preprocessors = release_preprocessors()

# Training cells (notebook 07) can take longer than nbgrader's default of 30 s
# per cell on a busy machine.
c.Execute.timeout = 300
'''

ASSIGNMENT_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
# The lines a course check cell may hold: check("N.k"), check("N.k", hidden=True),
# the hidden-test markers, comments and blank lines.
CHECK_CELL_LINE = re.compile(r"""^\s*(#.*)?$|^\s*check\(\s*["'][\w.]+["']\s*(,\s*hidden\s*=\s*True\s*)?\)\s*(#.*)?$""")


def graded_check_source(exercise_id: str) -> str:
    """The graded check cell of an exercise: public steps, then (hidden from
    the student) the hidden steps on inputs from a secret seed."""
    return "\n".join([
        "from helpers.checking import check as _nnfs_check",
        f'_nnfs_check("{exercise_id}")',
        "### BEGIN HIDDEN TESTS",
        "import secrets as _nnfs_secrets",
        "from helpers.checking import hidden_seed as _nnfs_hidden_seed",
        "with _nnfs_hidden_seed(_nnfs_secrets.randbits(63)):",
        f'    _nnfs_check("{exercise_id}", hidden=True)',
        "### END HIDDEN TESTS",
    ])


def graded_question_source(quiz_id: str, key: str, variable: str) -> str:
    """The graded cell of one quiz question."""
    return "\n".join([
        "from helpers.quiz import check_quiz as _nnfs_check_quiz",
        f'_nnfs_check_quiz("{quiz_id}", {variable}, question="{key}")',
    ])


def _graded_metadata(grade_id: str, points: int) -> dict:
    return {"grade": True, "grade_id": grade_id, "locked": True, "points": points,
            "schema_version": NBGRADER_SCHEMA, "solution": False, "task": False}


def _exercise_of_check_cell(source: str, where: str) -> str:
    ids = set(CHECK_CALL.findall(source))
    odd = [line for line in source.split("\n") if not CHECK_CELL_LINE.match(line)]
    if len(ids) != 1 or odd:
        raise BuildError(f"{where}: a check cell holds only check(\"N.k\") calls for one exercise "
                         f"(and the hidden-test markers); found {sorted(ids)} and {odd}")
    return ids.pop()


def _question_cells(source: str, where: str) -> list:
    from helpers.quiz import get_quiz

    match = QUIZ_CALL.search(source)
    if source.strip().count("\n") or not match:
        raise BuildError(f"{where}: a quiz check cell holds only `check_quiz(\"NN\", quiz_answers)`")
    quiz = get_quiz(match.group(1))
    cells = []
    for q in quiz.questions:
        cell = new_code_cell(graded_question_source(quiz.id, q.key, quiz.variable))
        cell.id = f"check-quiz-{quiz.id}-{q.key}"            # stable ids: the export is reproducible
        cell.metadata["nbgrader"] = _graded_metadata(f"check_quiz_{quiz.id}_{q.key}", q.points)
        cells.append(cell)
    return cells


def nbgrader_source(solution_nb, name: str, url: str):
    """The nbgrader source notebook made from a (normalised) solution notebook."""
    nb = copy.deepcopy(solution_nb)
    cells = []
    for cell, where in handout_cells(nb, name, url):
        if cell.cell_type == "code":
            source = cell.source.rstrip("\n")     # as in the student version: no trailing blank lines
            if CHECK_CALL.search(source):
                source = graded_check_source(_exercise_of_check_cell(source, where))
            elif QUIZ_CALL.search(source):
                cells.extend(_question_cells(source, where))
                continue
            cell.source = source
        elif cell.cell_type == "markdown" and BEGIN_SOLUTION in cell.source:
            cell.source = blank_markdown(cell.source, where)
            cell.metadata.pop("nbgrader", None)
        cells.append(cell)
    nb.cells = cells
    return nb


def export(course_dir: Path, assignment: str = "ps1", names: list[str] | None = None) -> list[str]:
    """Write the source notebooks (and a config if there is none); return what was written or needs doing."""
    if not ASSIGNMENT_NAME.match(assignment):
        raise BuildError(f"assignment name {assignment!r}: use letters, digits, '_' and '-' only")
    url = repository_url()
    target = Path(course_dir) / "source" / assignment
    target.mkdir(parents=True, exist_ok=True)
    report = []
    for path in solution_files():
        if names and path.name not in names:
            continue
        solution = normalise_solution(nbformat.read(path, as_version=4), path.name, url)
        out = target / path.name
        out.write_text(dumps(nbgrader_source(solution, path.name, url)), encoding="utf-8")
        report.append(f"wrote {out}")
    config = Path(course_dir) / CONFIG_NAME
    if not config.exists():
        config.write_text(CONFIG, encoding="utf-8")
        report.append(f"wrote {config}")
    elif "helpers.nbgrader_release" not in config.read_text(encoding="utf-8"):
        report.append(f"note: {config} exists and was left alone; add these lines to it so that the "
                      "release keeps the course's one-expression blanks:\n"
                      "    from helpers.nbgrader_release import release_preprocessors\n"
                      "    c.GenerateAssignment.preprocessors = release_preprocessors()")
    return report
