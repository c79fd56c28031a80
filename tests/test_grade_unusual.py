"""Unusual submissions, graded in one run: each gets its row and the points its own code earns.

Found by red-teaming the grader after the hostile class of test_grade_hostile.py: quiz answers
that crash a comparison, forged protocol messages that would make the grader hold gigabytes, and
an honest notebook that is merely very long.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from test_grade_kit import SETUP, answers, needs_bwrap, notebook, results, rows, run_grader, save

pytestmark = needs_bwrap
NB = "01_activations"
ANSWERS = answers(NB)
ALL = ("step_function", "sigmoid", "sigmoid_grad", "relu", "relu_grad", "quiz_answers")


def right(*names: str) -> list[str]:
    return [ANSWERS[n] for n in names]


# relu, when the check calls it, writes a reply of its own on the channel: one 64 KB buffer that
# 2,000 arrays name (128 MB in the grader if each were decoded; a 256 MB frame so named was a
# grader out of memory).
FORGED_REPLY = """
import gc, sys
def relu(x):
    me = next(o for o in gc.get_objects() if type(o).__name__ == 'Child')
    frame = sys._getframe()
    while not (isinstance(frame.f_locals.get('msg'), dict) and frame.f_locals['msg'].get('op') == 'call'):
        frame = frame.f_back
    arrays = [{'~': 'a', 'i': 0, 'dt': '|u1', 'sh': [65536], 'k': f'c{900 + i}', 'w': True, 's': False}
              for i in range(2000)]
    me.channel.send({'op': 'reply', 'id': frame.f_locals['msg']['id'], 'ok': True,
                     'value': {'~': 't', 'v': arrays}, 'buf': [[0, 65536]], 'sync': []}, [b'x' * 65536])
    return np.maximum(x, 0)
"""


def forged_cell_report(seconds: str) -> str:
    """A cell that answers its own "cell" request with a report of its choosing (and drops the real one)."""
    return f"""
import gc, sys
me = next(o for o in gc.get_objects() if type(o).__name__ == 'Child')
frame = sys._getframe()
while not (isinstance(frame.f_locals.get('msg'), dict) and frame.f_locals['msg'].get('op') == 'cell'):
    frame = frame.f_back
from helpers.grading.protocol import pack
me.channel.send(*pack(me.codec, {{'op': 'reply', 'id': frame.f_locals['msg']['id'], 'ok': True}},
                      {{'value': {{'status': 'ok', 'error': '', 'seconds': {seconds}}}}}))
real_send = me.channel.send
def drop_once(*args, **kwargs):
    me.channel.send = real_send
me.channel.send = drop_once
"""


CASES = {
    # A numeric quiz answer of 400 digits: float() overflows (it was an internal error, row lost).
    "huge_quiz_number.ipynb": [SETUP, *right(*ALL[:-1]),
                               "quiz_answers = {'q1': 'b', 'q2': 10**400, 'q3': 'b', 'q4': 1, 'q5': 'c'}"],
    # One answer that cannot travel at all (5,000 bits): the quiz is unreadable, the row stays.
    "untravelling_quiz.ipynb": [SETUP, *right(*ALL[:-1]),
                                "quiz_answers = {'q1': 'b', 'q2': 2**5000, 'q3': 'b', 'q4': 1, 'q5': 'c'}"],
    # A quiz_answers that claims to be a dict (`__class__ = dict`) and is not one.
    "lying_quiz.ipynb": [SETUP, *right(*ALL[:-1]), "class Fake:\n    __class__ = dict\nquiz_answers = Fake()"],
    # Answers that break when the child describes them to the grader (a lying `__class__`, an
    # attribute lookup that raises KeyboardInterrupt): the lookup failed, and the row was lost.
    "lying_class.ipynb": [SETUP, *right("step_function", "sigmoid", "sigmoid_grad", "relu_grad", "quiz_answers"),
                          "class Liar:\n    __class__ = type\n    def __call__(self, x):\n        return np.maximum(x, 0)\n"
                          "relu = Liar()"],
    "raising_lookup.ipynb": [SETUP, *right("step_function", "sigmoid", "sigmoid_grad", "relu_grad", "quiz_answers"),
                             "class Odd:\n    def __getattribute__(self, name):\n        raise KeyboardInterrupt\n"
                             "relu = Odd()"],
    "failing_lookup.ipynb": [SETUP, *right(*ALL),
                             "import gc\nme = next(o for o in gc.get_objects() if type(o).__name__ == 'Child')\n"
                             "served = me.dispatch\n"
                             "def dispatch(op, msg, args):\n"
                             "    if op == 'lookup' and msg.get('name') == 'relu':\n"
                             "        raise RuntimeError('no lookups today')\n"
                             "    return served(op, msg, args)\n"
                             "me.dispatch = dispatch"],
    "failing_cells.ipynb": [SETUP, *right(*ALL),
                            "import gc\nme = next(o for o in gc.get_objects() if type(o).__name__ == 'Child')\n"
                            "served = me.dispatch\n"
                            "def dispatch(op, msg, args):\n"
                            "    if op == 'cell':\n"
                            "        raise RuntimeError('no more cells')\n"
                            "    return served(op, msg, args)\n"
                            "me.dispatch = dispatch",
                            "x = 1"],
    "forged_reply.ipynb": [SETUP, *right("step_function", "sigmoid", "sigmoid_grad", "relu_grad", "quiz_answers"),
                           FORGED_REPLY],
    # Cell reports whose time is not a number JSON can hold (NaN), or too large for a float.
    "forged_cell_times.ipynb": [SETUP, forged_cell_report("float('nan')"), forged_cell_report("10**400"),
                                *right(*ALL)],
    # Honest and unusual: 10,000 cells (a long scratch notebook), then the answers.
    "long.ipynb": [SETUP, *[f"v{i} = {i}" for i in range(10_000)], *right(*ALL)],
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    work = tmp_path_factory.mktemp("unusual")
    for name, cells in CASES.items():
        save(notebook(*cells, name=NB), work / "class" / name)
    done = run_grader(work / "class", "--out", work / "grades.csv", "--json", work / "grades.json",
                      "--jobs", "2", "--timeout", "20", "--sandbox", "bwrap", cwd=work, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return {"rows": rows(work / "grades.csv"), "json": results(work / "grades.json"), "cls": work / "class",
            "text": (work / "grades.json").read_text()}


def result(graded, name):
    return graded["json"][str(graded["cls"] / name)]


def test_every_submission_has_its_row(graded):
    assert len(graded["rows"]) == len(CASES)


def test_a_quiz_number_too_large_for_a_float_is_a_wrong_answer(graded):
    r = result(graded, "huge_quiz_number.ipynb")
    q2 = next(q for q in r["questions"] if q["key"] == "q2")
    assert (r["status"], r["total"], q2["points"]) == ("graded", 10, 0), r["message"]


def test_a_quiz_that_cannot_be_read_costs_the_quiz_only(graded):
    r = result(graded, "untravelling_quiz.ipynb")
    assert (r["status"], r["total"]) == ("graded", 6), r["message"]
    assert all(q["points"] == 0 and "could not be read" in q["message"] for q in r["questions"])


def test_an_object_that_claims_to_be_a_dict_is_no_quiz(graded):
    r = result(graded, "lying_quiz.ipynb")
    assert (r["status"], r["total"]) == ("graded", 6), r["message"]
    assert all(q["points"] == 0 and "should be a dict" in q["message"] for q in r["questions"])


def test_objects_that_break_their_own_description_cost_their_exercise_only(graded):
    liar = result(graded, "lying_class.ipynb")
    assert (liar["status"], liar["total"]) == ("graded", 11), liar["message"]     # it is a ReLU, after all
    failing = result(graded, "failing_lookup.ipynb")
    assert failing["total"] == 10 and failing["exercises"][3]["state"] == "crashed", failing["message"]
    cells = result(graded, "failing_cells.ipynb")
    assert cells["total"] == 11 and cells["cells"][-1]["status"] == "error", cells["message"]
    odd = result(graded, "raising_lookup.ipynb")
    assert odd["total"] == 10 and odd["exercises"][3]["points"] == 0, odd["message"]


def test_a_reply_that_names_one_buffer_many_times_ends_that_check_only(graded):
    r = result(graded, "forged_reply.ipynb")
    states = {e["id"]: e["state"] for e in r["exercises"]}
    assert states == {"1.1": "passed", "1.2": "passed", "1.3": "passed", "1.4": "crashed", "1.5": "passed"}, r
    assert r["total"] == 10 and r["status"] == "error"


def test_a_long_honest_notebook_gets_full_marks(graded):
    r = result(graded, "long.ipynb")
    assert (r["status"], r["total"]) == ("graded", 11), r["message"]


def test_cell_reports_the_child_forges_give_valid_json(graded):
    def refuse(constant):
        raise ValueError(f"{constant} is not JSON")

    json.loads(graded["text"], parse_constant=refuse)       # no NaN or Infinity anywhere
    r = result(graded, "forged_cell_times.ipynb")
    assert (r["status"], r["total"]) == ("graded", 11), r["message"]
    assert [c["seconds"] for c in r["cells"][1:3]] == [0.0, 0.0]


def test_a_submission_cannot_change_the_check_data_of_the_next(tmp_path):
    # The steps hand the notebook the course's own module-level arrays (ex01's 3-D input, say); an
    # in-place write comes back into them (as it must, for `modifies=`), and stayed there for
    # every submission graded after it: the common `x[x < 0] = 0` bug changed the next
    # student's checks, and a hostile one could choose what they became.
    from helpers.exercises.ex01_activations import _X3

    writes = "def relu(x):\n    if x.ndim == 3:\n        x[...] = 7.0\n    return np.maximum(x, 0)"
    probe = (f"X3 = np.array({_X3.tolist()!r})\n"
             "def relu(x):\n    if x.shape == X3.shape and not np.array_equal(x, X3):\n"
             "        raise RuntimeError('the check data changed: ' + repr(x.tolist()))\n"
             "    return np.maximum(x, 0)")
    save(notebook(SETUP, *right("step_function", "sigmoid", "sigmoid_grad", "relu_grad", "quiz_answers"), writes,
                  name=NB), tmp_path / "class" / "a_writes.ipynb")
    save(notebook(SETUP, *right("step_function", "sigmoid", "sigmoid_grad", "relu_grad", "quiz_answers"), probe,
                  name=NB), tmp_path / "class" / "b_probe.ipynb")
    done = run_grader(tmp_path / "class", "--out", tmp_path / "g.csv", "--json", tmp_path / "g.json",
                      "--jobs", "1", "--sandbox", "bwrap", cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    graded = results(tmp_path / "g.json")
    writer = graded[str(tmp_path / "class" / "a_writes.ipynb")]
    prober = graded[str(tmp_path / "class" / "b_probe.ipynb")]
    assert "changed the values of its input" in writer["exercises"][3]["feedback"]
    assert prober["total"] == 11, prober["exercises"][3]["feedback"]


def test_warnings_of_one_notebooks_cells_do_not_fail_the_checks_of_another(tmp_path):
    # NumPy warnings come back with every reply and were raised again in the grader, cells
    # included; warning filters are process-wide, so a notebook whose cells warn (honest ones do)
    # made the concurrent checks of others fail "no overflow warning" steps (9 of 10 here).
    warns = "np.log(np.zeros(1)); np.exp(np.full(1, 1000.0)); np.zeros(1) / np.zeros(1)"
    save(notebook(SETUP, *[warns] * 10_000, name=NB), tmp_path / "class" / "a_warns.ipynb")
    for i in range(10):
        save(notebook(SETUP, *right(*ALL), f"v = {i}", name=NB), tmp_path / "class" / f"b{i}.ipynb")
    done = run_grader(tmp_path / "class", "--out", tmp_path / "g.csv", "--jobs", "2", "--sandbox", "bwrap",
                      cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    totals = {Path(name).name: row["total"] for name, row in rows(tmp_path / "g.csv").items()}
    assert totals == {"a_warns.ipynb": "0", **{f"b{i}.ipynb": "11" for i in range(10)}}
    assert "RuntimeWarning" not in done.stderr
