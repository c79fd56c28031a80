"""Every registered exercise, checked through the call protocol as the grader checks it.

The solution notebooks must pass every step (hidden ones included) when each
step runs in the grader against proxies of the notebook's objects, and the
student notebooks must fail every exercise. Whatever steps exist, this proves
they work remotely (arrays written in place, attributes read and set, classes
constructed, callbacks, warnings).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.checking import all_exercises
from helpers.grading import Grader, Options, grade_all
from helpers.grading.submissions import Submission
from test_grade_kit import ROOT, SANDBOX, code, load, save

NOTEBOOKS = sorted(p.stem for p in (ROOT / "solutions").glob("*.ipynb"))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("course")
    subs = []
    for name in NOTEBOOKS:
        nb = load(ROOT / "solutions" / f"{name}.ipynb")
        nb["cells"].append(code("my_own_note = 'worked through every exercise'"))  # not the shipped file
        subs.append(Submission(str(save(nb, folder / "solved" / f"{name}.ipynb")), f"solved/{name}"))
        subs.append(Submission(str(ROOT / "notebooks" / f"{name}.ipynb"), f"blank/{name}"))
    grader = Grader(Options(jobs=2, sandbox=SANDBOX, timeout=120), [folder])
    try:
        return {r.submission: r for r in grade_all(subs, grader)}
    finally:
        grader.close()


@pytest.mark.parametrize("exercise", [e.id for e in all_exercises()])
def test_the_solution_passes_every_step_through_the_protocol(graded, exercise):
    ex = next(e for e in all_exercises() if e.id == exercise)
    row = graded[f"solved/{ex.notebook}"]
    grade = next(g for g in row.exercises if g.id == exercise)
    assert grade.state == "passed" and grade.points == ex.points, grade.feedback


@pytest.mark.parametrize("exercise", [e.id for e in all_exercises()])
def test_the_student_notebook_fails_every_exercise(graded, exercise):
    ex = next(e for e in all_exercises() if e.id == exercise)
    grade = next(g for g in graded[f"blank/{ex.notebook}"].exercises if g.id == exercise)
    assert grade.points == 0 and grade.state in ("not done", "failed"), grade.feedback


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_solutions_get_full_marks_and_a_clean_row(graded, name):
    row = graded[f"solved/{name}"]
    assert row.status == "graded" and row.total == row.max, (row.message, [q for q in row.questions])
    assert graded[f"blank/{name}"].status == "graded"
