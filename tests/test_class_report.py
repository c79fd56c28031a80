"""The class report: a grading run over solutions, blanks and mixed answers, read back from the page.

One run of ``python -m helpers.grade ... --json grades.json --report class.html`` over a small class
of notebook 01; the page's pass rates must match the CSV, and its most frequent failing step of
each exercise (with its count) must match the steps in the JSON.
"""

from __future__ import annotations

import csv
import html
import re
from collections import Counter

import pytest

from catalogue import Wrong, all_cases
from helpers.checking import exercises_for
from helpers.grading.report import main as report_main
from test_grade_kit import ROOT, SANDBOX, SETUP, answers, load, notebook, run_grader, save

NB = "01_activations"
NAMES = ("step_function", "sigmoid", "sigmoid_grad", "relu", "relu_grad")


def wrong(exercise: str, mistake_starts: str) -> str:
    case = next(c for c in all_cases() if isinstance(c, Wrong) and c.exercise == exercise
                and c.mistake.startswith(mistake_starts))
    return case.code


def quiz(**changes) -> str:
    namespace: dict = {}
    exec(answers(NB)["quiz_answers"], namespace)
    return f"quiz_answers = {dict(namespace['quiz_answers'], **changes)!r}"


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    work = tmp_path_factory.mktemp("report")
    cls = work / "class"
    right = answers(NB)
    submissions = {
        "solved_1": [SETUP, *(right[n] for n in NAMES), quiz()],
        "solved_2": [SETUP, *(right[n] for n in NAMES), quiz(), "note = 'done'"],
        "mixed_1": [SETUP, right["step_function"], wrong("1.2", "the textbook formula"), right["sigmoid_grad"],
                    wrong("1.4", "np.clip"), right["relu_grad"], quiz(q1="zzz")],
        "mixed_2": [SETUP, right["step_function"], wrong("1.2", "the textbook formula"), quiz()],
        "mixed_3": [SETUP, wrong("1.1", "uses >="), wrong("1.2", "the stable branches swapped"),
                    right["relu"], wrong("1.5", "slope 1 at x = 0")],
        "stuck": [SETUP, right["step_function"], "while True:\n    pass"],
    }
    for name, cells in submissions.items():
        save(notebook(*cells, name=NB), cls / f"{name}.ipynb")
    for i in (1, 2):
        save(load(ROOT / "notebooks" / f"{NB}.ipynb"), cls / f"blank_{i}.ipynb")
    done = run_grader(cls, "--out", work / "grades.csv", "--json", work / "grades.json",
                      "--report", work / "class.html", "--sandbox", SANDBOX, "--timeout", "10",
                      "--jobs", "2", cwd=work, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    with open(work / "grades.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return {"work": work, "rows": rows, "json": load(work / "grades.json"),
            "page": (work / "class.html").read_text(encoding="utf-8")}


def page_rows(page: str, kind: str) -> dict[str, list[str]]:
    """The cells of each ``<tr data-KIND="...">`` row of the page, as text."""
    found = {}
    for key, body in re.findall(rf'<tr data-{kind}="([^"]+)">(.*?)</tr>', page, re.S):
        found[html.unescape(key)] = [html.unescape(re.sub(r"<[^>]+>", "", c)) for c in
                                     re.findall(r"<td[^>]*>(.*?)</td>", body, re.S)]
    return found


def test_pass_rates_per_exercise_match_the_csv(graded):
    shown = page_rows(graded["page"], "exercise")
    ours = [r for r in graded["rows"] if r["notebook"] == NB]
    assert len(ours) == 8
    for ex in exercises_for(NB):
        with_points = [r for r in ours if r[ex.id] != ""]
        passed = sum(int(r[ex.id]) == ex.points for r in with_points)
        assert shown[ex.id][1] == f"{passed}/{len(with_points)}", ex.id
        assert shown[ex.id][2] == f"{100 * passed / len(with_points):.0f}%"
    # The class as built: both solved notebooks pass 1.2; every mixed one fails it.
    assert shown["1.2"][1].startswith("2/")


def test_top_failing_step_and_its_count_match_the_json(graded):
    shown = page_rows(graded["page"], "exercise")
    for ex in exercises_for(NB):
        mine = [e for r in graded["json"]["results"] for e in r["exercises"] if e["id"] == ex.id]
        assert shown[ex.id][3] == str(sum(e["state"] == "not done" for e in mine))
        steps = Counter(e["failed_step"] for e in mine if e["state"] not in ("passed", "not done") and e["failed_step"])
        if not steps:
            assert shown[ex.id][4] == "–"
            continue
        best = max(steps.values())
        assert shown[ex.id][4] in {s for s, n in steps.items() if n == best}, ex.id
        assert shown[ex.id][5] == str(best)
    # Two learners used the textbook sigmoid: the top step of 1.2 is the large-|x| one, with its hint.
    assert "large |x|" in shown["1.2"][4] and shown["1.2"][5] == "2"
    assert "exp" in shown["1.2"][6], "the hint the learners saw is shown"
    # Blanks and missing definitions are "not done", not failures: of the learners who wrote 1.3, only
    # mixed_1 fails it (its right sigmoid_grad calls its overflowing sigmoid).
    assert shown["1.3"][5] == "1" and int(shown["1.3"][3]) >= 2


def test_quiz_pass_rates_match_the_json(graded):
    shown = page_rows(graded["page"], "question")
    questions = [q for r in graded["json"]["results"] for q in r["questions"]]
    assert shown and set(shown) == {q["key"] for q in questions}
    for key, cells in shown.items():
        mine = [q for q in questions if q["key"] == key]
        assert cells[1] == f"{sum(q['verdict'] == 'right' for q in mine)}/{len(mine)}"
    # One learner gave an invalid answer to q1 only.
    assert int(shown["q1"][1].split("/")[0]) == int(shown["q2"][1].split("/")[0]) - 1


def test_figures_are_embedded_and_the_page_is_offline(graded):
    page = graded["page"]
    assert page.count("<svg") >= 2                      # score distribution and pass rates
    assert not re.search(r'(src|href)="(https?:)?//', page), "the page must not fetch anything"


def test_submissions_that_need_a_look_are_listed(graded):
    look = re.search(r"<table class=\"look\">(.*?)</table>", graded["page"], re.S)
    assert look, "the timeout is listed"
    stuck = [r for r in graded["rows"] if r["submission"].endswith("stuck.ipynb")][0]
    assert stuck["status"] == "timeout"
    assert "stuck.ipynb" in look.group(1) and "timeout" in look.group(1)
    assert "solved_1.ipynb" not in look.group(1)
    assert "blank_1.ipynb" in look.group(1), "two files with the same bytes are listed"


def test_the_separate_command_writes_the_same_page(graded, tmp_path):
    out = tmp_path / "again.html"
    assert report_main([str(graded["work"] / "grades.json"), "--out", str(out)]) == 0
    assert page_rows(out.read_text(encoding="utf-8"), "exercise") == page_rows(graded["page"], "exercise")


def test_a_file_that_is_not_the_graders_json_is_refused(tmp_path, capsys):
    bad = tmp_path / "x.json"
    bad.write_text('{"rows": []}', encoding="utf-8")
    assert report_main([str(bad), "--out", str(tmp_path / "c.html")]) == 2
    assert "not the grader's JSON" in capsys.readouterr().err
