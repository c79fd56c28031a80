"""The nbgrader route: the export (helpers.nbgrader_export) and the real nbgrader.

The first tests need no nbgrader: the shape of the exported source notebooks,
and the rule that checks raise under nbgrader (and only there). The last test
runs the real ``nbgrader`` (the ``nbgrader`` extra) on every notebook of the
course in a temporary course directory; it takes minutes, so it carries the
``nbgrader`` marker: ``make test`` leaves it out, ``pytest -m nbgrader`` runs it.
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell

from helpers.build import (BEGIN_SOLUTION, BLANK, normalise_solution, repository_url, solution_files,
                           student_version)
from helpers.checking import check, exercises_for
from helpers.nbgrader_export import CONFIG_NAME, export
from helpers.quiz import Choice, check_quiz, get_quiz
from nbrun import ROOT

ASSIGNMENT = "ps1"
DISARM = "check = check_quiz = _nnfs_check = _nnfs_check_quiz = lambda *a, **k: None"
STUDENTS = ("perfect", "untouched", "disarmed")


def notebook_names() -> list[str]:
    return [p.stem for p in solution_files()]


def max_points(name: str) -> int:
    return sum(ex.points for ex in exercises_for(name)) + get_quiz(name).points


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """A course directory with the exported source notebooks of every solution."""
    course = tmp_path_factory.mktemp("course")
    export(course, ASSIGNMENT)
    return course


def read(path: Path):
    return nbformat.read(path, as_version=4)


def grade_ids(nb) -> dict:
    return {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells if "nbgrader" in c.metadata}


# ---------------------------------------------------------------------------
# The export, without nbgrader
# ---------------------------------------------------------------------------


def test_export_writes_one_source_per_solution_and_a_config(course):
    written = sorted(p.stem for p in (course / "source" / ASSIGNMENT).glob("*.ipynb"))
    assert written == notebook_names()
    assert "release_preprocessors()" in (course / CONFIG_NAME).read_text()


@pytest.mark.parametrize("name", notebook_names())
def test_source_notebook_is_gradable_by_nbgrader(course, name):
    nb = read(course / "source" / ASSIGNMENT / f"{name}.ipynb")
    ids = grade_ids(nb)
    # Every exercise has a graded cell that imports the check it calls, and hidden tests.
    for ex in exercises_for(name):
        cell = ids[f"check_{ex.id.replace('.', '_')}"]
        assert cell.metadata["nbgrader"]["points"] == ex.points and cell.metadata["nbgrader"]["locked"]
        assert cell.source.startswith("from helpers.checking import check as _nnfs_check\n")
        assert f'_nnfs_check("{ex.id}", hidden=True)' in cell.source
        assert not re.search(r"^check\(", cell.source, re.M), "graded cells must not call the learner's `check`"
    # One graded cell per quiz question, worth that question's points.
    quiz = get_quiz(name)
    for q in quiz.questions:
        cell = ids[f"check_quiz_{quiz.id}_{q.key}"]
        assert cell.metadata["nbgrader"]["points"] == q.points
        assert f'question="{q.key}"' in cell.source and "import check_quiz as _nnfs_check_quiz" in cell.source
    graded = sum(c.metadata["nbgrader"].get("points", 0) for c in ids.values() if c.metadata["nbgrader"]["grade"])
    assert graded == max_points(name)
    for cell in nb.cells:
        # No markdown answer cell for nbgrader to reject, nothing from the last run.
        if cell.cell_type == "markdown":
            assert BEGIN_SOLUTION not in cell.source
            assert "blob/main/solutions/" not in cell.source, "the badge must open the student notebook"
        else:
            assert cell.outputs == [] and cell.execution_count is None
    assert any(f"blob/main/notebooks/{name}.ipynb" in c.source for c in nb.cells if c.cell_type == "markdown")


def test_blank_cells_stay_solution_cells_in_the_source(course):
    nb = read(course / "source" / ASSIGNMENT / "01_activations.ipynb")
    blanks = [c for c in nb.cells if c.cell_type == "code" and BLANK in c.source]
    assert blanks and all(c.metadata["nbgrader"]["solution"] for c in blanks)


def test_release_step_gives_blank_cells_the_student_skeleton(course):
    pytest.importorskip("nbgrader", reason="needs the `nbgrader` extra")
    from nbgrader.preprocessors import ClearSolutions

    from helpers.nbgrader_release import ClearSolutionsAndBlanks, release_preprocessors

    steps = release_preprocessors()
    assert ClearSolutionsAndBlanks in steps and ClearSolutions not in steps
    nb = read(course / "source" / ASSIGNMENT / "01_activations.ipynb")
    nb, _ = ClearSolutionsAndBlanks().preprocess(nb, {})
    ids = grade_ids(nb)
    assert ids["solution_1_5"].source.endswith("return ....astype(float)")           # a one-expression blank
    assert ids["quiz_answers"].source.startswith('quiz_answers = {\n    "q1": ...,')  # the skeleton
    assert "    # YOUR CODE HERE\n    raise NotImplementedError()" in ids["solution_1_1"].source
    assert ids["solution_1_1"].source.startswith("def step_function(x):")


def test_export_keeps_an_instructors_config(tmp_path):
    (tmp_path / CONFIG_NAME).write_text("c = get_config()\n")
    report = export(tmp_path, "hw1", ["01_activations.ipynb"])
    assert (tmp_path / CONFIG_NAME).read_text() == "c = get_config()\n"
    assert any("release_preprocessors" in line for line in report)
    assert [p.name for p in (tmp_path / "source" / "hw1").iterdir()] == ["01_activations.ipynb"]


def test_build_command_exports_and_rejects_a_bad_assignment_name(tmp_path):
    run = [sys.executable, "-m", "helpers.build", "--nbgrader", str(tmp_path)]
    ok = subprocess.run(run + ["solutions/02_affine_and_forward.ipynb"], cwd=ROOT, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert (tmp_path / "source" / "ps1" / "02_affine_and_forward.ipynb").exists()
    bad = subprocess.run(run + ["--assignment", "../x"], cwd=ROOT, capture_output=True, text=True)
    assert bad.returncode == 2 and "assignment name" in bad.stderr


# ---------------------------------------------------------------------------
# Checks raise under nbgrader's autograde and validate, and only there
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("mode", [None, "validate", "autograde"])
def test_failing_checks_raise_only_under_nbgrader(monkeypatch, capsys, mode):
    if mode is None:
        monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
        check("1.4", namespace={})
        check_quiz("01", {"q1": ...})
        out = capsys.readouterr().out
        assert "Exercise 1.4" in out and "Score: 0/5" in out
        return
    monkeypatch.setenv("NBGRADER_EXECUTION", mode)
    with pytest.raises(AssertionError, match="Exercise 1.4 did not pass"):
        check("1.4", namespace={})
    with pytest.raises(AssertionError, match="Quiz 01"):
        check_quiz("01", {"q1": ...})
    answers = {q.key: q.answer for q in get_quiz("01").questions}
    check_quiz("01", answers)                                  # all right: no error
    check("1.4", namespace={"relu": lambda x: x * (x > 0)})     # passes: no error


def test_one_question_at_a_time(monkeypatch, capsys):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    quiz = get_quiz("01")
    first, second = quiz.questions[:2]
    answers = {first.key: first.answer}                         # q1 right, q2 missing
    check_quiz("01", answers, question=first.key)
    with pytest.raises(AssertionError, match=f"{second.key} not answered right"):
        check_quiz("01", answers, question=second.key)
    out = capsys.readouterr().out
    assert f"✅ {first.key}" in out and f"⏳ {second.key}" in out and "Score" not in out
    with pytest.raises(KeyError, match="no question 'q99'"):
        check_quiz("01", answers, question="q99")


def test_a_str_subclass_cannot_pass_for_the_right_choice():
    class Anything:
        def __eq__(self, other):
            return True

    class Sly(str):
        def strip(self, *args):
            return self

        def lower(self):
            return Anything()

    question = next(q for q in get_quiz("01").questions if isinstance(q, Choice))
    wrong = next(k for k in question.options if k != question.answer)
    assert not question.is_right(Sly(wrong))
    assert question.is_right(Sly(question.answer.upper() + " "))


# ---------------------------------------------------------------------------
# The real nbgrader, every notebook
# ---------------------------------------------------------------------------


def nbgrader(course: Path, *args: str, timeout: int = 1800) -> subprocess.CompletedProcess:
    """Run an nbgrader command in the course directory, as an instructor would."""
    # nbgrader runs `alembic` from PATH to set up its database: the environment's bin first.
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    env.pop("NBGRADER_EXECUTION", None)
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                          capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    assert "Exception while loading config file" not in done.stderr, done.stderr[-3000:]
    return done


def perfect(release, source):
    """A release notebook filled in with the solutions, as a perfect student would."""
    answers = {cid: c.source for cid, c in grade_ids(source).items() if c.metadata["nbgrader"]["solution"]}
    for cell in release.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            cell.source = answers[meta["grade_id"]]
    return release


def first_right_then_wrong(release, name):
    """The quiz answered: the first question right, every other one wrong."""
    quiz = get_quiz(name)
    lines = []
    for i, q in enumerate(quiz.questions):
        if i == 0:
            value = q.answer
        elif isinstance(q, Choice):
            value = next(k for k in q.options if k != q.answer)
        else:
            value = q.answer + 10 * q.tol + 1
        lines.append(f"    {q.key!r}: {value!r},")
    cell = grade_ids(release)["quiz_answers"]
    cell.source = "quiz_answers = {\n" + "\n".join(lines) + "\n}"
    return release


def disarmed(release, name):
    """The release with the one line that used to collect every point, and the
    quiz answered with only its first question right."""
    release = first_right_then_wrong(release, name)
    release.cells.insert(1, new_code_cell(DISARM))
    return release


def graded_cells(course: Path) -> dict:
    """{(student, notebook, grade_id): (score, max_score)} from nbgrader's gradebook."""
    from nbgrader.api import Gradebook

    scores = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in STUDENTS:
            submission = gb.find_submission(ASSIGNMENT, student)
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    scores[student, notebook.name, grade.name] = (grade.score, grade.max_score)
    return scores


@pytest.mark.nbgrader
def test_real_nbgrader_grades_every_notebook(tmp_path, capsys):
    pytest.importorskip("nbgrader", reason="the real-nbgrader test needs the `nbgrader` extra")
    names = notebook_names()
    course = tmp_path / "course"
    export(course, ASSIGNMENT)
    timings = {}

    start = time.perf_counter()
    nbgrader(course, "generate_assignment", ASSIGNMENT)
    timings["generate_assignment"] = time.perf_counter() - start
    release_dir = course / "release" / ASSIGNMENT
    for name in names:
        # The release has the student notebook's skeletons (blanks as `...`), graded cells apart.
        release = read(release_dir / f"{name}.ipynb")
        url = repository_url()
        solution = normalise_solution(read(ROOT / "solutions" / f"{name}.ipynb"), f"{name}.ipynb", url)
        student = student_version(solution, f"{name}.ipynb", url)
        kept = [c.source for c in release.cells if "_nnfs_check" not in c.source]
        expected = [c.source for c in student.cells if not re.match(r"check(_quiz)?\(", c.source)]
        assert kept == expected, f"{name}: the release differs from notebooks/ outside the graded cells"

    submissions = {"perfect": lambda nb, name: perfect(nb, read(course / "source" / ASSIGNMENT / f"{name}.ipynb")),
                   "untouched": lambda nb, name: nb,
                   "disarmed": disarmed}
    for student, make in submissions.items():
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        for name in names:
            nbformat.write(make(read(release_dir / f"{name}.ipynb"), name), folder / f"{name}.ipynb")

    start = time.perf_counter()
    nbgrader(course, "autograde", ASSIGNMENT)
    timings[f"autograde ({len(STUDENTS)} students)"] = time.perf_counter() - start
    start = time.perf_counter()
    nbgrader(course, "export")
    timings["export"] = time.perf_counter() - start
    start = time.perf_counter()
    nbgrader(course, "generate_feedback", ASSIGNMENT, "--student", "untouched")
    timings["generate_feedback"] = time.perf_counter() - start

    with open(course / "grades.csv", newline="") as f:
        totals = {row["student_id"]: (float(row["score"]), float(row["max_score"])) for row in csv.DictReader(f)}
    full = sum(max_points(name) for name in names)
    assert totals["perfect"] == (full, full)
    assert totals["untouched"] == (0, full)

    # Disarmed: no exercise points; the quiz earns exactly its right answers.
    scores = graded_cells(course)
    for name in names:
        for ex in exercises_for(name):
            assert scores["disarmed", name, f"check_{ex.id.replace('.', '_')}"] == (0, ex.points)
        quiz = get_quiz(name)
        for i, q in enumerate(quiz.questions):
            got = scores["disarmed", name, f"check_quiz_{quiz.id}_{q.key}"]
            assert got == ((q.points if i == 0 else 0), q.points), f"{name} {q.key}: {got}"
    first_points = sum(get_quiz(name).questions[0].points for name in names)
    assert totals["disarmed"] == (first_points, full)

    feedback = (course / "feedback" / "untouched" / ASSIGNMENT / "01_activations.html").read_text()
    assert "is not done yet" in feedback, "the feedback shows the course's own verdicts"

    start = time.perf_counter()
    failing = nbgrader(course, "validate", *sorted(str(p) for p in release_dir.glob("*.ipynb")))
    timings["validate (untouched release)"] = time.perf_counter() - start
    assert failing.stdout.count("VALIDATION FAILED") == len(names), failing.stdout[-3000:]
    start = time.perf_counter()
    solved = sorted(str(p) for p in (course / "submitted" / "perfect" / ASSIGNMENT).glob("*.ipynb"))
    passing = nbgrader(course, "validate", *solved)
    timings["validate (perfect)"] = time.perf_counter() - start
    assert passing.stdout.count("Success! Your notebook passes all the tests.") == len(names), passing.stdout[-3000:]
    assert "FAILED" not in passing.stdout

    with capsys.disabled():
        print(f"\nnbgrader on {len(names)} notebooks, {full} points: "
              + ", ".join(f"{step} {seconds:.0f} s" for step, seconds in timings.items())
              + f"; totals {totals}")
