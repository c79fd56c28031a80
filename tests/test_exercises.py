"""Every exercise check bites: it passes on the solution and fails on the blank.

The solution and the student notebook of each exercise are run in-process
(plain exec, cell by cell); then the exercise's registered steps run against
the namespaces they leave behind.
"""

from __future__ import annotations

import re

import nbformat
import pytest

from nbrun import ROOT, SOLUTIONS, notebook_run
from helpers.checking import all_exercises, format_result, run_exercise
from helpers.quiz import all_quizzes, grade_answers

EXERCISES = all_exercises()
QUIZZES = all_quizzes()
NOTEBOOK_NAMES = [p.stem for p in SOLUTIONS]


def _ids(items, attr):
    return [str(getattr(item, attr)) for item in items]


def test_registry_is_not_empty():
    assert EXERCISES, "no exercises registered"
    assert QUIZZES, "no quizzes registered"


@pytest.mark.parametrize("ex", EXERCISES, ids=_ids(EXERCISES, "id"))
def test_exercise_is_well_formed(ex):
    assert ex.notebook in NOTEBOOK_NAMES, f"exercise {ex.id}: no solutions/{ex.notebook}.ipynb"
    assert ex.id.split(".")[0] == str(int(ex.notebook[:2])), "exercise ids start with the notebook number"
    assert any(not s.hidden for s in ex.steps), f"exercise {ex.id} has no public step"
    assert any(s.hidden for s in ex.steps), f"exercise {ex.id} has no hidden step"
    assert ex.points > 0 and ex.hint, f"exercise {ex.id} needs points and a hint"
    source = (ROOT / "solutions" / f"{ex.notebook}.ipynb").read_text(encoding="utf-8")
    assert f'check(\\"{ex.id}\\")' in source, f"no check cell for exercise {ex.id}"
    assert f'check(\\"{ex.id}\\", hidden=True)' in source, f"no hidden check for exercise {ex.id}"


@pytest.mark.parametrize("ex", EXERCISES, ids=_ids(EXERCISES, "id"))
def test_check_passes_on_solution(ex):
    run = notebook_run(ROOT / "solutions" / f"{ex.notebook}.ipynb")
    assert not run.errors, f"the solution raised: {run.errors[0]!r}"
    result = run_exercise(ex, run.namespace, hidden=True)
    assert result.passed, format_result(result, reveal_hidden=True)
    assert len(result.passed_steps) == len(ex.steps) + 1  # "defined" + every step


@pytest.mark.parametrize("ex", EXERCISES, ids=_ids(EXERCISES, "id"))
def test_check_fails_on_blank_with_a_friendly_message(ex):
    run = notebook_run(ROOT / "notebooks" / f"{ex.notebook}.ipynb")
    result = run_exercise(ex, run.namespace, hidden=False)
    assert not result.passed, f"exercise {ex.id} passes on the untouched student notebook"
    text = format_result(result)
    assert "Traceback" not in text
    assert text.startswith(("⏳", "❌")), text
    assert f"Exercise {ex.id}" in text
    # The check cell printed the same kind of verdict in the student run.
    assert f"Exercise {ex.id}" in run.stdout


@pytest.mark.parametrize("quiz", QUIZZES, ids=_ids(QUIZZES, "notebook"))
def test_quiz_full_marks_on_solution_zero_on_blank(quiz):
    assert 3 <= len(quiz.questions) <= 6, "a quiz has 3 to 6 questions"
    solution = notebook_run(ROOT / "solutions" / f"{quiz.notebook}.ipynb").namespace
    student = notebook_run(ROOT / "notebooks" / f"{quiz.notebook}.ipynb").namespace
    right = grade_answers(quiz, solution.get(quiz.variable))
    assert [r.verdict for r in right] == ["right"] * len(quiz.questions)
    keys = {q.key for q in quiz.questions}
    assert set(solution[quiz.variable]) == keys and set(student[quiz.variable]) == keys
    assert all(v is Ellipsis for v in student[quiz.variable].values()), "every answer is blanked"
    blank = grade_answers(quiz, student.get(quiz.variable))
    assert sum(r.points for r in blank) == 0
    assert {r.verdict for r in blank} == {"missing"}


@pytest.mark.parametrize("path", SOLUTIONS, ids=[p.stem for p in SOLUTIONS])
def test_every_notebook_has_exercises_and_a_quiz(path):
    assert any(ex.notebook == path.stem for ex in EXERCISES), f"{path.name} has no registered exercise"
    assert any(q.notebook == path.stem for q in QUIZZES), f"{path.name} has no registered quiz"
    nb = nbformat.read(path, as_version=4)
    checks = {m for c in nb.cells if c.cell_type == "code" for m in re.findall(r'check\("([\d.]+)"\)', c.source)}
    registered = {ex.id for ex in EXERCISES if ex.notebook == path.stem}
    assert checks == registered, f"check cells {sorted(checks)} vs registry {sorted(registered)}"
