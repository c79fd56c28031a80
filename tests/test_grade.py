"""The grader: fair to honest work, unmoved by hostile notebooks, safe with bad files.

Every submission here is made by the tests from solutions/ and notebooks/:
for each course notebook a solution (full marks) and the untouched student
version (zero); for the first notebooks a partly done one (exact points);
for notebook 01 a set of hostile notebooks (forged output, patched checks,
exits, hangs, crashes, memory, files, processes) with exact expected scores.
The grader runs as a command (a separate process), so a defence that failed
could not take the test run down with it. New notebooks in solutions/ are
picked up automatically.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nbrun import ROOT, SOLUTIONS
from helpers import grade
from helpers.checking import exercises_for
from helpers.quiz import Choice, get_quiz

NB01 = "01_activations"
HOSTILE_TIMEOUT = 3          # seconds per cell in the hostile batch


# ---------------------------------------------------------------------------
# Making submissions
# ---------------------------------------------------------------------------


def load(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def save(nb: dict, path: Path) -> Path:
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")
    return path


def source(cell: dict) -> str:
    return cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])


def code(text: str) -> dict:
    return {"cell_type": "code", "metadata": {}, "source": text, "outputs": [], "execution_count": None}


def grade_id(cell: dict) -> str:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")


def position(nb: dict, gid: str) -> int:
    return next(i for i, c in enumerate(nb["cells"]) if grade_id(c) == gid)


def insert_after(nb: dict, gid: str, text: str) -> dict:
    nb["cells"].insert(position(nb, gid) + 1, code(text))
    return nb


def append(nb: dict, text: str) -> dict:
    nb["cells"].append(code(text))
    return nb


def student_cell(name: str, gid: str) -> dict:
    nb = load(ROOT / "notebooks" / f"{name}.ipynb")
    return nb["cells"][position(nb, gid)]


def quiz_source(name: str, wrong=(), missing=()) -> str:
    """A `quiz_answers` cell: right answers except the keys in `wrong` and `missing`."""
    lines = ["quiz_answers = {"]
    for q in get_quiz(name).questions:
        if q.key in missing:
            value = "..."
        elif q.key in wrong:
            value = repr(next(k for k in q.options if k != q.answer)) if isinstance(q, Choice) else repr(q.answer + 1000)
        else:
            value = repr(q.answer)
        lines.append(f"    {q.key!r}: {value},")
    return "\n".join(lines + ["}"])


def set_quiz(nb: dict, text: str) -> dict:
    nb["cells"][position(nb, "quiz_answers")]["source"] = text
    return nb


def partly_done(name: str) -> dict:
    """The student notebook with its first exercise filled in and half the quiz answered."""
    solution = load(ROOT / "solutions" / f"{name}.ipynb")
    nb = load(ROOT / "notebooks" / f"{name}.ipynb")
    first = exercises_for(name)[0]
    gid = f"solution_{first.id.replace('.', '_')}"
    nb["cells"][position(nb, gid)] = solution["cells"][position(solution, gid)]
    return set_quiz(nb, quiz_source(name, missing=[q.key for q in answered_half(name)[1]]))


def answered_half(name: str) -> tuple[list, list]:
    questions = get_quiz(name).questions
    return questions[:len(questions) // 2], questions[len(questions) // 2:]


def sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def run_grader(*args, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "helpers.grade", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout)


class Batch:
    """Submissions graded by one command; results by file name."""

    def __init__(self, folder: Path, files: dict[str, Path], *options):
        self.folder, self.files = folder, files
        self.hashes = {name: sha(path) for name, path in files.items()}
        self.mtimes = {name: path.stat().st_mtime_ns for name, path in files.items()}
        self.csv, self.json, self.feedback = folder / "grades.csv", folder / "grades.json", folder / "feedback"
        self.proc = run_grader(folder / "subs", "--out", self.csv, "--json", self.json, "--feedback",
                               self.feedback, "--jobs", 2, *options, cwd=folder)
        assert self.proc.returncode == 0, self.proc.stderr[-3000:]
        data = json.loads(self.json.read_text(encoding="utf-8"))
        self.results = {Path(r["submission"]).name: r for r in data["results"]}
        with open(self.csv, newline="", encoding="utf-8") as f:
            self.rows = {Path(row["submission"]).name: row for row in csv.DictReader(f)}

    def __getitem__(self, name: str) -> dict:
        return self.results[name]

    def points(self, name: str) -> dict[str, int]:
        return {e["id"]: e["points"] for e in self[name]["exercises"]}


# ---------------------------------------------------------------------------
# Every course notebook: solution, student version, partly done
# ---------------------------------------------------------------------------

NAMES = [p.stem for p in SOLUTIONS]
PARTLY = NAMES[:2]   # partly done: the first notebooks (each one costs a full run of its cells)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    folder = tmp_path_factory.mktemp("course")
    subs = folder / "subs"
    subs.mkdir()
    files = {}
    for name in NAMES:
        files[f"{name}__solution.ipynb"] = save(load(ROOT / "solutions" / f"{name}.ipynb"),
                                                subs / f"{name}__solution.ipynb")
        files[f"{name}__student.ipynb"] = save(load(ROOT / "notebooks" / f"{name}.ipynb"),
                                               subs / f"{name}__student.ipynb")
        if name in PARTLY:
            files[f"{name}__partly.ipynb"] = save(partly_done(name), subs / f"{name}__partly.ipynb")
    return Batch(folder, files)


def max_points(name: str) -> int:
    return sum(ex.points for ex in exercises_for(name)) + get_quiz(name).points


@pytest.mark.parametrize("name", NAMES)
def test_a_solution_gets_full_marks(course, name):
    r = course[f"{name}__solution.ipynb"]
    assert (r["status"], r["notebook"], r["identified_by"]) == ("graded", name, "metadata"), r["message"]
    assert r["total"] == r["max"] == max_points(name), [e["feedback"] for e in r["exercises"] if not e["points"]]
    assert all(c["status"] == "ok" for c in r["cells"]), [c for c in r["cells"] if c["status"] != "ok"]
    assert r["runs"] == 1


@pytest.mark.parametrize("name", NAMES)
def test_an_untouched_student_notebook_gets_zero(course, name):
    r = course[f"{name}__student.ipynb"]
    assert (r["status"], r["notebook"]) == ("graded", name), r["message"]
    assert r["total"] == 0 and r["max"] == max_points(name)
    assert {e["state"] for e in r["exercises"]} <= {"not done", "failed"}
    assert {q["verdict"] for q in r["questions"]} == {"missing"}
    for e in r["exercises"]:
        assert e["feedback"].startswith(("⏳", "❌")) and "Traceback" not in e["feedback"], e["feedback"]


@pytest.mark.parametrize("name", PARTLY)
def test_a_partly_done_notebook_gets_exactly_the_points_it_earned(course, name):
    r = course[f"{name}__partly.ipynb"]
    first = exercises_for(name)[0]
    right, unanswered = answered_half(name)
    assert course.points(f"{name}__partly.ipynb") == {ex.id: ex.points if ex is first else 0
                                                      for ex in exercises_for(name)}
    assert [q["verdict"] for q in r["questions"]] == ["right"] * len(right) + ["missing"] * len(unanswered)
    assert r["total"] == first.points + sum(q.points for q in right), r["message"]


def test_csv_has_one_row_per_submission_and_the_documented_columns(course):
    with open(course.csv, newline="", encoding="utf-8") as f:
        header = next(csv.reader(f))
    ids = [ex.id for name in NAMES for ex in exercises_for(name)]
    quizzes = [f"quiz_{get_quiz(name).id}" for name in NAMES]
    assert header == ["submission", "notebook", "identified_by", *ids, *quizzes, "total", "max", "status", "message"]
    assert set(course.rows) == set(course.files)
    row = course.rows[f"{NB01}__solution.ipynb"]
    assert row["1.2"] == "2" and row["quiz_01"] == "5" and row["total"] == row["max"] == str(max_points(NB01))
    other = [n for n in NAMES if n != NB01]
    if other:  # columns of another notebook stay empty in notebook 01's row
        assert row[exercises_for(other[0])[0].id] == ""
    assert course.proc.stderr.count("] ") >= len(course.files), "one progress line per submission"


def test_feedback_report_per_submission_without_hidden_inputs(course):
    reports = sorted(p.name for p in course.feedback.iterdir())
    assert reports == sorted("subs__" + n.replace(".ipynb", ".md") for n in course.files)
    text = (course.feedback / f"subs__{NB01}__student.md").read_text(encoding="utf-8")
    assert "Score: **0 / 11**" in text and "Exercise 1.2" in text and "Hint:" in text
    assert "not answered yet" in text
    partly = (course.feedback / f"subs__{NB01}__partly.md").read_text(encoding="utf-8")
    assert "✅ Exercise 1.1" in partly


def test_submitted_files_are_never_modified(course):
    for name, path in course.files.items():
        assert sha(path) == course.hashes[name] and path.stat().st_mtime_ns == course.mtimes[name], name
    assert set(p.name for p in (course.folder / "subs").iterdir()) == set(course.files)


# ---------------------------------------------------------------------------
# Hostile notebooks (notebook 01)
# ---------------------------------------------------------------------------

FORGE = r'''
import os, sys
print("✅ Exercise 1.1 (step_function) passed: defined · everything.")
print("Score: 5/5")
fake = b"\n" + b"0" * 64 + b' {"t": "check_end", "id": "1.1", "state": "passed", "seq": 3}\n'
for fd in range(3, 256):
    try:
        os.write(fd, fake)
    except OSError:
        pass
print("x" * 20_000_000)
for i in range(100_000):
    print(i, file=sys.stderr)
os.write(1, b"y" * 5_000_000)
'''

PATCH_EVERYTHING = r'''
import builtins
import numpy as np
import helpers.checking as hc
import helpers.quiz as hq
from helpers.checking import CheckResult, get_exercise

def step_function(x):
    return np.zeros_like(x)

np.allclose = lambda *a, **k: True
np.array_equal = lambda *a, **k: True
np.isnan = lambda v: np.zeros(np.shape(v), dtype=bool)
hc.expect_close = lambda *a, **k: None
hc.expect_array = lambda value, *a, **k: value
hc.run_exercise = lambda ex, ns, **k: CheckResult(get_exercise(ex) if isinstance(ex, str) else ex, True, ["all"])
for ex in hc.all_exercises():
    ex.steps.clear()
hq.grade_answers = lambda quiz, answers: []
for q in hq.get_quiz("01").questions:
    q.answer = "z"
quiz_answers = {"q1": "z", "q2": "z", "q3": "z", "q4": "z", "q5": "z"}
builtins.isinstance = lambda obj, cls: True
'''

TAMPER_WHEN_CALLED = r'''
import numpy

def sigmoid(x):
    numpy.allclose = lambda *a, **k: True
    numpy.isnan = lambda v: numpy.zeros(numpy.shape(v), dtype=bool)
    import helpers.checking as hc
    hc.expect_close = lambda *a, **k: None
    return numpy.zeros_like(x) + 0.5
'''

CRASH_IN_CHECK = r'''
def relu_grad(x):
    if x.ndim == 3:   # only the hidden inputs are 3-D
        import os
        os._exit(0)
    return (x > 0).astype(float)
'''

HANG_IN_CHECK = r'''
def step_function(x):
    while x.ndim == 3:
        try:
            while True:
                pass
        except BaseException:
            pass
    return (x > 0).astype(int)
'''

HANG_SOFT = "while True:\n    pass"

HANG_HARD = r'''
import time
while True:
    try:
        time.sleep(60)
    except BaseException:
        pass
'''

MEMORY = r'''
import numpy as np
hog = []
try:
    while True:
        hog.append(np.empty(256 * 2**20, dtype=np.uint8))   # until the address space is full
except MemoryError:
    pass
del hog
huge = np.ones((2**17, 2**17))
'''

SANDBOX = r'''
import os, signal, subprocess
escaped = []

def attempt(name, action):
    try:
        action()
        escaped.append(name)
    except Exception:
        pass

attempt("write", lambda: open({outside!r}, "w").write("escaped"))
attempt("csv", lambda: open({csv!r}, "w").write("submission,total\nx,999\n"))
attempt("remove", lambda: os.remove({me!r}))
attempt("rename", lambda: os.rename({me!r}, {me!r} + ".moved"))
attempt("chmod", lambda: os.chmod({me!r}, 0))
attempt("subprocess", lambda: subprocess.run(["touch", {proc!r}]))
attempt("system", lambda: os.system("touch " + {proc!r}))
attempt("kill", lambda: os.kill(os.getppid(), signal.SIGKILL))
attempt("ctypes", lambda: __import__("ctypes").CDLL(None).getpid())
attempt("socket", lambda: __import__("socket").create_connection(("127.0.0.1", 9), timeout=1))
attempt("scratch", lambda: open("scratch.txt", "w").write("allowed"))
print(escaped)
'''

SLY_QUIZ = r'''
class Sly(str):
    def strip(self, *args):
        return self
    def lower(self):
        return self
    def __eq__(self, other):
        return True
    __hash__ = str.__hash__

class Num(float):
    def __float__(self):
        return 0.25
    def __sub__(self, other):
        return 0.0

class Answers(dict):
    def get(self, key, default=None):
        return Sly("b")

quiz_answers = Answers(q1=Sly("z"), q2=Num(7.0), q3=Sly("z"), q4=Num(9.0), q5=Sly("z"))
'''


def moved_and_reordered(nb: dict) -> dict:
    """No check cells; every answer moved into one cell at the very end."""
    cells = [c for c in nb["cells"] if not grade_id(c).startswith("check_")]
    answers = [c for c in cells if grade_id(c).startswith("solution_")]
    rest = [c for c in cells if c not in answers]
    nb["cells"] = rest + [code("\n\n".join(source(c) for c in answers))]
    return nb


def raise_everywhere(nb: dict) -> dict:
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["source"] = "raise RuntimeError('boom')\n" + source(cell)
    return nb


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    subs = folder / "subs"
    subs.mkdir()
    solution = lambda: load(ROOT / "solutions" / f"{NB01}.ipynb")  # noqa: E731
    student = lambda: load(ROOT / "notebooks" / f"{NB01}.ipynb")  # noqa: E731
    outside, proc = folder / "escaped.txt", folder / "spawned.txt"
    me = subs / "sandbox.ipynb"
    exact = solution()
    exact["cells"][position(exact, "solution_1_2")] = student_cell(NB01, "solution_1_2")
    set_quiz(exact, quiz_source(NB01, wrong={"q1"}, missing={"q2"}))
    made = {
        "exact_partial": exact,
        "forge": append(student(), FORGE),
        "patch_everything": append(student(), PATCH_EVERYTHING),
        "tamper_when_called": append(solution(), TAMPER_WHEN_CALLED),
        "exits": insert_after(insert_after(insert_after(solution(), "solution_1_2", "import sys\nsys.exit(3)"),
                                           "solution_1_4", "import os\nos._exit(3)"),
                              "solution_1_5", "import faulthandler\nfaulthandler._sigsegv()"),
        "crash_in_check": append(solution(), CRASH_IN_CHECK),
        "hangs": insert_after(insert_after(solution(), "solution_1_1", HANG_SOFT), "solution_1_3", HANG_HARD),
        "hang_in_check": append(solution(), HANG_IN_CHECK),
        "raise_everywhere": raise_everywhere(solution()),
        "memory": insert_after(solution(), "solution_1_1", MEMORY),
        "sandbox": append(solution(), SANDBOX.format(outside=str(outside), csv=str(folder / "grades.csv"),
                                                     me=str(me), proc=str(proc))),
        "sly_quiz": set_quiz(solution(), SLY_QUIZ),
        "moved": moved_and_reordered(solution()),
        "closes_pipe": insert_after(solution(), "solution_1_2", "import os\nos.closerange(3, 4096)"),
    }
    files = {f"{name}.ipynb": save(nb, subs / f"{name}.ipynb") for name, nb in made.items()}
    batch = Batch(folder, files, "--timeout", HOSTILE_TIMEOUT, "--total-timeout", 120, "--memory", 1536)
    batch.outside, batch.spawned = outside, proc
    return batch


def test_exact_partial_score(hostile):
    r = hostile["exact_partial.ipynb"]
    # 1.2 left blank, so 1.3 (which uses sigmoid) fails too; quiz q1 wrong, q2 unanswered.
    assert hostile.points("exact_partial.ipynb") == {"1.1": 1, "1.2": 0, "1.3": 0, "1.4": 1, "1.5": 1}
    assert [q["verdict"] for q in r["questions"]] == ["wrong", "missing", "right", "right", "right"]
    assert (r["total"], r["max"], r["status"]) == (6, 11, "graded")
    assert hostile.rows["exact_partial.ipynb"]["total"] == "6"


def test_printed_verdicts_and_forged_messages_earn_nothing(hostile):
    r = hostile["forge.ipynb"]
    assert r["total"] == 0 and r["status"] == "graded"
    assert "forged" in r["message"]


def test_patching_numpy_and_the_course_checks_earns_nothing(hostile):
    r = hostile["patch_everything.ipynb"]
    assert r["total"] == 0, [e["feedback"] for e in r["exercises"] if e["points"]]
    assert {q["verdict"] for q in r["questions"]} == {"invalid"}


def test_tampering_while_being_checked_voids_that_check(hostile):
    r = hostile["tamper_when_called.ipynb"]
    assert hostile.points("tamper_when_called.ipynb") == {"1.1": 1, "1.2": 0, "1.3": 0, "1.4": 1, "1.5": 1}
    states = {e["id"]: e["state"] for e in r["exercises"]}
    assert states["1.2"] == "tampered"
    assert r["total"] == 8 and r["status"] == "error" and "does not count" in r["message"]


def test_sys_exit_os_exit_and_a_crash_in_cells_cost_nothing_else(hostile):
    r = hostile["exits.ipynb"]
    assert r["total"] == 11 and r["status"] == "error" and r["runs"] == 3
    statuses = sorted(c["status"] for c in r["cells"] if c["status"] != "ok")
    assert statuses == ["crashed", "crashed", "exit"], r["cells"]
    assert "exit code 3" in r["message"] and "SIGSEGV" in r["message"] and "skipped" in r["message"]


def test_a_crash_while_checking_loses_only_that_exercise(hostile):
    r = hostile["crash_in_check.ipynb"]
    assert hostile.points("crash_in_check.ipynb")["1.5"] == 0
    assert r["total"] == 10 and r["status"] == "error"
    assert {e["id"]: e["state"] for e in r["exercises"]}["1.5"] == "crashed"


def test_hanging_cells_are_stopped_and_skipped(hostile):
    r = hostile["hangs.ipynb"]
    assert r["total"] == 11 and r["status"] == "timeout", r["message"]
    assert sorted(c["status"] for c in r["cells"] if c["status"] != "ok") == ["timeout", "timeout"]
    assert r["runs"] == 2  # the uninterruptible one needed a kill and a second run
    assert r["seconds"] < 4 * HOSTILE_TIMEOUT + 10  # neither hang ran twice


def test_a_check_that_hangs_loses_only_that_exercise(hostile):
    r = hostile["hang_in_check.ipynb"]
    assert {e["id"]: e["state"] for e in r["exercises"]}["1.1"] == "timeout"
    assert r["total"] == 10 and r["status"] == "timeout"


def test_exceptions_everywhere_give_a_row_with_zero(hostile):
    r = hostile["raise_everywhere.ipynb"]
    assert (r["total"], r["status"]) == (0, "graded")
    assert {c["status"] for c in r["cells"]} == {"error"}


def test_memory_limit_is_an_error_in_the_cell_not_a_crash(hostile):
    r = hostile["memory.ipynb"]
    assert r["total"] == 11, r["message"]
    assert [c["error"].split(":")[0] for c in r["cells"] if c["status"] != "ok"] == ["MemoryError"]


def test_the_sandbox_keeps_files_processes_and_the_grader_safe(hostile):
    r = hostile["sandbox.ipynb"]
    assert r["total"] == 11 and r["status"] == "graded", r["message"]
    assert not hostile.outside.exists() and not hostile.spawned.exists()
    assert hostile.rows["sandbox.ipynb"]["total"] == "11"  # the CSV is the grader's, not the notebook's
    assert sha(hostile.files["sandbox.ipynb"]) == hostile.hashes["sandbox.ipynb"]


def test_quiz_answers_are_read_as_plain_values(hostile):
    r = hostile["sly_quiz.ipynb"]
    assert r["quiz_points"] == 0 and r["total"] == 6
    assert [q["verdict"] for q in r["questions"]] == ["invalid", "wrong", "invalid", "wrong", "invalid"]


def test_moved_answers_and_deleted_check_cells_still_count(hostile):
    r = hostile["moved.ipynb"]
    assert r["total"] == 11 and r["identified_by"] == "metadata"


def test_closing_the_result_channel_only_costs_that_cell(hostile):
    r = hostile["closes_pipe.ipynb"]
    assert r["total"] == 11 and r["status"] == "error" and r["runs"] == 2


def test_hostile_submissions_are_never_modified(hostile):
    for name, path in hostile.files.items():
        assert sha(path) == hostile.hashes[name] and path.stat().st_mtime_ns == hostile.mtimes[name], name
    assert set(p.name for p in (hostile.folder / "subs").iterdir()) == set(hostile.files)


def test_feedback_never_shows_hidden_inputs(hostile):
    text = (hostile.feedback / "subs__hang_in_check.md").read_text(encoding="utf-8")
    assert "did not finish within 3 s" in text
    report = hostile["exact_partial.ipynb"]
    for e in report["exercises"]:
        if e["failed_hidden"]:
            assert "on a hidden test case" in e["feedback"] and "input:" not in e["feedback"]


# ---------------------------------------------------------------------------
# Unreadable files and recognising the notebook (no code runs for these)
# ---------------------------------------------------------------------------

SOLUTION01 = (ROOT / "solutions" / f"{NB01}.ipynb").read_bytes()

UNREADABLE = {
    "not_json.ipynb": (b"print('hello')\n", "not JSON"),
    "truncated.ipynb": (SOLUTION01[: len(SOLUTION01) // 2], "truncated JSON"),
    "old_format.ipynb": (json.dumps({"nbformat": 3, "nbformat_minor": 0, "worksheets": [{"cells": []}],
                                     "metadata": {}}).encode(), "old notebook format"),
    "empty.ipynb": (b"", "empty file"),
    "binary.ipynb": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary file"),
    "latin1.ipynb": (SOLUTION01.replace(b"Activation functions", "Fonctions d'activation é".encode("latin-1")),
                     "not UTF-8"),
    "a_list.ipynb": (b"[1, 2, 3]", "not a notebook"),
    "no_cells.ipynb": (b'{"nbformat": 4, "metadata": {}}', "not a notebook"),
}


@pytest.mark.parametrize("name", sorted(UNREADABLE))
def test_unreadable_input_gets_a_reason(tmp_path, name):
    data, reason = UNREADABLE[name]
    path = tmp_path / name
    path.write_bytes(data)
    r = grade.grade_submission(path)
    assert r.status == "unreadable" and reason in r.message, r.message
    assert r.total == 0 and r.max is None and path.read_bytes() == data


def test_the_notebook_is_recognised_from_metadata_then_content_then_file_name():
    nb = load(ROOT / "solutions" / f"{NB01}.ipynb")
    assert grade.identify_notebook(nb, "whatever.ipynb")[:2] == (NB01, "metadata")
    del nb["metadata"]["nnfs"]
    assert grade.identify_notebook(nb, "whatever.ipynb")[:2] == (NB01, "content")
    nb["cells"] = [c for c in nb["cells"] if c["cell_type"] == "markdown"]
    assert grade.identify_notebook(nb, "alice-01_activations.ipynb")[:2] == (NB01, "file name")
    assert grade.identify_notebook(nb, "alice_01.ipynb")[:2] == (NB01, "file name")
    name, how, why = grade.identify_notebook(nb, "alice.ipynb")
    assert name is None and "could not tell" in why


def test_check_calls_are_removed_and_magics_do_not_break_a_cell():
    cells = grade.prepare_cells({"cells": [
        code('check("1.1")\n### hidden\ncheck("1.1", hidden=True)'),
        code('def f():\n    return 1\ncheck("1.1"); check_quiz("01", quiz_answers)'),
        code("%matplotlib inline\nx = 1\n!pip install nothing"),
        code('show_quiz("01")'),
        {"cell_type": "markdown", "metadata": {}, "source": "check('1.1')"},
    ]})
    assert [c.index for c in cells] == [2, 3]
    assert "check" not in cells[0].source and "def f" in cells[0].source
    namespace = {"get_ipython": lambda: grade._Shell(namespace)}
    exec(cells[1].source, namespace)
    assert namespace["x"] == 1


# ---------------------------------------------------------------------------
# The command: exit codes, usage errors, atomic output
# ---------------------------------------------------------------------------


def test_exit_0_with_a_row_for_every_submission_even_unreadable_ones(tmp_path):
    subs = tmp_path / "subs"
    (subs / "deep" / ".ipynb_checkpoints").mkdir(parents=True)
    (subs / "deep" / "empty.ipynb").write_bytes(b"")
    (subs / "deep" / ".ipynb_checkpoints" / "ignored.ipynb").write_bytes(b"")
    (subs / "notes.txt").write_text("not a notebook file name, not collected")
    only_text = {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                 "cells": [{"cell_type": "markdown", "metadata": {}, "source": "My essay"}]}
    save(only_text, subs / "essay.ipynb")
    proc = run_grader(subs, "--out", "out.csv", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    with open(tmp_path / "out.csv", newline="", encoding="utf-8") as f:
        rows = {Path(r["submission"]).name: r for r in csv.DictReader(f)}
    assert (rows["empty.ipynb"]["status"], rows["empty.ipynb"]["message"]) == ("unreadable", "empty file")
    assert rows["essay.ipynb"]["status"] == "error" and "could not tell" in rows["essay.ipynb"]["message"]
    assert rows["essay.ipynb"]["total"] == "0" and rows["essay.ipynb"]["max"] == ""
    assert set(rows) == {"empty.ipynb", "essay.ipynb"}
    assert "[2/2]" in proc.stderr


@pytest.mark.parametrize("args, message", [
    (["missing.ipynb"], "no such file"),
    (["subs", "--out", "nowhere/grades.csv"], "does not exist"),
    (["subs", "--jobs", "0"], "--jobs"),
    (["subs", "--timeout", "-1"], "--timeout"),
    (["subs", "--out", "subs/a.ipynb"], "is one of the submissions"),
    (["empty_folder"], "no notebooks"),
])
def test_usage_errors_exit_2_and_grade_nothing(tmp_path, args, message):
    (tmp_path / "subs").mkdir()
    (tmp_path / "empty_folder").mkdir()
    (tmp_path / "subs" / "a.ipynb").write_bytes(b"")
    proc = run_grader(*args, cwd=tmp_path)
    assert proc.returncode == 2 and message in proc.stderr, proc.stderr
    assert not (tmp_path / "grades.csv").exists()


def test_unwritable_output_exits_3(tmp_path, monkeypatch):
    (tmp_path / "a.ipynb").write_bytes(b"")
    monkeypatch.chdir(tmp_path)

    def refuse(path, text):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(grade, "atomic_write", refuse)
    assert grade.main(["a.ipynb", "--out", "grades.csv", "-q"]) == 3


def test_output_is_written_atomically(tmp_path, monkeypatch):
    target = tmp_path / "grades.csv"
    target.write_text("old complete table\n")
    grade.atomic_write(target, "new table\n")
    assert target.read_text() == "new table\n"

    def crash(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(grade.os, "replace", crash)
    with pytest.raises(OSError):
        grade.atomic_write(target, "half")
    assert target.read_text() == "new table\n"
    assert [p.name for p in tmp_path.iterdir()] == ["grades.csv"]  # no temporary file left behind


SANDBOX_SCRIPT = r'''
import builtins, os, pathlib, posixpath, shutil, sys
from helpers.grade import _sandbox_hook

work, outside = sys.argv[1], sys.argv[2]
os.chdir(work)
os.symlink(os.path.dirname(outside), os.path.join(os.path.dirname(work), "link"))
sys.addaudithook(_sandbox_hook(work))
results = {}

def attempt(name, action):
    try:
        action()
        results[name] = "allowed"
    except PermissionError:
        results[name] = "denied"

attempt("inside", lambda: (open("a.txt", "w").write("x"), pathlib.Path("b.txt").write_text("x"),
                           os.makedirs("d/e"), shutil.rmtree("d"), os.remove("a.txt")))
# What a notebook might patch to fool a naive sandbox:
posixpath.realpath = os.path.realpath = lambda p, **k: os.path.join(work, "x")
builtins.all, builtins.any = (lambda it: True), (lambda it: False)

class Shifty(os.PathLike):
    calls = 0
    def __fspath__(self):
        Shifty.calls += 1
        return outside if Shifty.calls % 2 else os.path.join(work, "ok.txt")

attempt("outside", lambda: open(outside, "w").write("x"))
attempt("parent", lambda: open("../escaped.txt", "w").write("x"))
attempt("via link", lambda: open(os.path.join(os.path.dirname(work), "link", "escaped.txt"), "w").write("x"))
attempt("shifty path", lambda: open(Shifty(), "w").write("x"))
attempt("relative os.open", lambda: os.open("c.txt", os.O_WRONLY | os.O_CREAT))
attempt("dir_fd", lambda: os.remove(os.path.basename(outside), dir_fd=os.open(os.path.dirname(outside), os.O_RDONLY)))
attempt("fork", lambda: os.fork())
print(results)
os._exit(0)
'''


def test_the_sandbox_survives_a_patched_standard_library(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    target = tmp_path / "outside" / "precious.txt"
    target.parent.mkdir()
    target.write_text("keep me")
    proc = subprocess.run([sys.executable, "-c", SANDBOX_SCRIPT, str(work), str(target)],
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    results = eval(proc.stdout.strip().splitlines()[-1])
    assert results.pop("inside") == "allowed", proc.stderr
    assert set(results.values()) == {"denied"}, results
    assert target.read_text() == "keep me" and not (tmp_path / "escaped.txt").exists()
    assert not (tmp_path / "outside" / "escaped.txt").exists()
