"""A hostile class, graded in one run: every case of issue 11's *Seen* list, built as notebooks here.

Each submission must get the right row; no submitted file may change; nothing
may be written outside the sandbox's scratch; no process may be left; no
secret of the instructor, no classmate's work and no hidden input may reach
any output.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

import pytest

from test_grade_kit import (SETUP, answers, grading_processes, needs_bwrap, notebook, results, rows,
                            run_grader, save, sha)

pytestmark = needs_bwrap
NB = "01_activations"
TOKEN = secrets.token_hex(8)
SECRET = f"instructor-secret-{TOKEN}"
CLASSMATE = f"classmate-answer-{TOKEN}"
LEAK = "LEAKED"


def right(*names: str) -> list[str]:
    ans = answers(NB)
    return [ans[n] for n in names]


ALL = ("step_function", "sigmoid", "sigmoid_grad", "relu", "relu_grad", "quiz_answers")

CASES: dict[str, list] = {
    # A notebook that is right: the yardstick (11/11).
    "honest.ipynb": [SETUP, *right(*ALL)],
    # Points for free: the course's own answers, imported in three ways, and called from an answer.
    "imports_reference.ipynb": [
        SETUP,
        "import helpers.nn.functions as F\nstep_function = F.step_function",
        "from helpers.nn import sigmoid",
        "import importlib\nrelu = importlib.import_module('helpers.nn.functions').relu",
        "import helpers.nn.functions as G\ndef sigmoid_grad(x):\n    s = G.sigmoid(x)\n    return s * (1 - s)",
        *right("relu_grad"),
        "import pathlib, helpers.nn.functions as H\nsource = pathlib.Path(H.__file__).read_text()\n"
        "assert 'np.exp' not in source.split('def tanh')[0]",
    ],
    # The course's code that does an exercise's work under another name: a layer's forward and backward.
    "other_reference.ipynb": [
        SETUP, *right("step_function", "sigmoid_grad"),
        "from helpers.nn.layers import Relu, Sigmoid\n"
        "def sigmoid(x):\n    return Sigmoid().forward(x)\n"
        "def relu(x):\n    return Relu().forward(x)\n"
        "def relu_grad(x):\n    layer = Relu()\n    layer.forward(x)\n    return layer.backward(np.ones_like(x))\n"
        "print(relu(np.array([-1.0, 2.0])))",
    ],
    # Forged report: walk the frames and objects of the child, send "passed" on its channel, print verdicts.
    "forged.ipynb": [
        SETUP,
        "import sys, gc, os\nf = sys._getframe()\nwhile f is not None:\n    f = f.f_back\n"
        "for obj in gc.get_objects():\n"
        "    if type(obj).__name__ == 'Child':\n"
        "        obj.channel.send({'op': 'reply', 'id': 1, 'ok': True, 'value': {'passed': True}}, [])\n"
        "for fd in range(3, 20):\n"
        "    try:\n        os.write(fd, b'\\x10\\x00\\x00\\x00\\x00\\x00\\x00\\x00{\"op\":\"reply\"}')\n"
        "    except OSError:\n        pass\n"
        "print('✅ Exercise 1.1 (step_function) passed')",
        "def step_function(x):\n    print('✅ passed')\n    return 'passed'",
    ],
    # Escape: new processes by every route; each must fail, none may outlive the grader.
    "escape.ipynb": [
        SETUP,
        "import multiprocessing.util, os, subprocess, sys\nreport = []\n"
        f"cmd = [sys.executable, '-c', 'import time; time.sleep(20)  # escaped-{TOKEN}']\n"
        "for name, start in [('spawnv_passfds', lambda: multiprocessing.util.spawnv_passfds(cmd[0], cmd, [])),\n"
        "                    ('fork', os.fork), ('popen', lambda: subprocess.Popen(cmd)),\n"
        "                    ('posix_spawn', lambda: os.posix_spawn(cmd[0], cmd, {}))]:\n"
        "    try:\n        pid = start()\n        if pid == 0:\n            os._exit(0)\n"
        "        report.append(name)\n    except Exception as exc:\n        pass\n"
        "assert not report, report",
        *right(*ALL),
    ],
    # Leaks: environment, /proc, the instructor's and classmates' files, raised as exceptions.
    "leaks.ipynb": [
        SETUP,
        "import os, glob\nfound = [repr(dict(os.environ))]\n"
        "for path in glob.glob('/proc/*/environ') + glob.glob('/proc/*/cmdline'):\n"
        "    try:\n        found.append(open(path, 'rb').read().decode('latin-1'))\n    except OSError:\n        pass\n"
        "for pattern in ['/*', '/*/*', '/*/*/*', '/*/*/*/*', '/*/*/*/*/*', '/*/*/*/*/*/*']:\n"
        "    for path in glob.glob(pattern):\n"
        "        if path.endswith(('.ipynb', '.csv', '.txt', '.json', '.md')) and not path.startswith('/proc'):\n"
        "            try:\n                found.append(open(path, errors='replace').read(100000))\n"
        "            except OSError:\n                pass\n"
        "everything = '\\n'.join(found)\n"
        f"assert '{SECRET}' not in everything and '{CLASSMATE}' not in everything, 'found it'\n"
        "raise RuntimeError(everything[:3000])",
        "def step_function(x):\n    raise RuntimeError(everything[-3000:])",
        *right("sigmoid"),
    ],
    # An exception class named after the hidden input, only on hidden inputs (the public steps use
    # hand-made values with at most two decimals; the hidden ones are random draws).
    "hidden_leak.ipynb": [
        SETUP, *right("step_function", "sigmoid", "sigmoid_grad", "relu_grad"),
        "def relu(x):\n    if not np.all(np.round(x * 100) == x * 100):\n"
        f"        raise type('{LEAK}_' + str(abs(hash(x.tobytes()))), (Exception,), {{}})('{LEAK} ' + repr(x.tolist()))\n"
        "    return np.maximum(x, 0)",
    ],
    # Hidden inputs kept by one answer and shown by another's public step or by the quiz answers.
    "stash.ipynb": [
        SETUP, *right("sigmoid_grad", "relu", "relu_grad"),
        "seen = []\ndef step_function(x):\n    if not np.all(np.round(x * 100) == x * 100):\n        seen.append(x.tolist())\n"
        "    return (x > 0).astype(int)",
        "def sigmoid(x):\n    if seen:\n"
        f"        raise RuntimeError('{LEAK} ' + repr(seen))\n"
        "    return 0.5 * (1 + np.tanh(x / 2))",
        "class Answers(dict):\n    def __getitem__(self, key):\n"
        f"        return '{LEAK} ' + repr(seen)\n"
        "quiz_answers = Answers(q1=seen, q2=seen)",
    ],
    # Text that is not UTF-8 and terminal escapes, in a cell error and in a public step's feedback.
    "odd_text.ipynb": [
        SETUP, *right("sigmoid", "sigmoid_grad", "relu", "relu_grad"),
        "raise ValueError('\\udcff\\x1b[2J\\x1b[31m cleared your screen')",
        "def step_function(x):\n    raise ValueError('\\udcff\\x1b[2J\\x1b[31m cleared your screen')",
    ],
    # Freeze: a cell of a million blank lines, then right answers.
    "blank_lines.ipynb": [SETUP, "\n" * 999_000 + "x = 1\n", *right(*ALL)],
    # A cell that never ends, and a cell that prints forever: both stopped, the rest still graded.
    "loops.ipynb": [SETUP, "while True:\n    pass", "while True:\n    print('x' * 10000)", *right(*ALL)],
    # Disk: 960 MB in 60 MB files; memory bombs in a cell and in an answer.
    "resources.ipynb": [
        SETUP,
        "for i in range(16):\n    with open(f'big{i}.bin', 'wb') as f:\n        f.write(b'0' * 60_000_000)",
        "hog = bytearray(16 * 2**30)",
        *right("step_function", "sigmoid_grad", "relu", "relu_grad"),
        "def sigmoid(x):\n    junk = np.ones((2**17, 2**17))\n    return 1 / (1 + np.exp(-x))",
    ],
    # Killing the parent and the process group, then right answers.
    "kills.ipynb": [SETUP, "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)",
                    "import os, signal\nos.killpg(0, signal.SIGKILL)", *right(*ALL)],
    # Hostile objects: exceptions with hostile __str__/__class__/__del__, objects that pretend to be arrays.
    "objects.ipynb": [
        SETUP,
        "class Liar:\n    __class__ = np.ndarray\n    shape = (3,)\n    dtype = np.dtype(float)\n"
        "    def __eq__(self, other):\n        return True\n    def __array__(self, *a, **k):\n"
        "        return np.zeros(3)\n"
        "def step_function(x):\n    return Liar()",
        "class Boom(Exception):\n    def __str__(self):\n        raise SystemExit(3)\n"
        "    def __del__(self):\n        import os\n        os._exit(9)\n"
        "def sigmoid(x):\n    raise Boom()",
        "class Sub(np.ndarray):\n    def __eq__(self, other):\n        return np.ones(np.shape(other), bool)\n"
        "    def __array_finalize__(self, obj):\n        pass\n"
        "def relu(x):\n    return np.zeros(np.shape(x)).view(Sub)",
        *right("sigmoid_grad", "relu_grad"),
    ],
}


def colab_copy() -> dict:
    """An honest notebook as Colab saves it: nbformat 4.4, no cell ids, widget state, odd order."""
    nb = notebook(SETUP, *right(*ALL), minor=4)
    nb["metadata"].update({"colab": {"provenance": [], "name": "01_activations.ipynb"},
                           "accelerator": "GPU",
                           "widgets": {"application/vnd.jupyter.widget-state+json": {"state": {}}}})
    for i, cell in enumerate(nb["cells"]):
        cell["execution_count"] = 40 - i
        cell["metadata"] = {"id": f"c{i}", "colab": {"base_uri": "https://localhost:8080/"}}
    nb["cells"].insert(2, nb["cells"].pop(4))            # an answer moved below where it is used
    return nb


HONEST = {
    "colab.ipynb": colab_copy(),
    "merged.ipynb": notebook(SETUP, "\n\n".join(right(*ALL)), "scratch = sigmoid(np.zeros(3))", name=NB),
    "magics.ipynb": notebook(
        "%%writefile activations.py\nimport numpy as np\n\n" + "\n\n".join(right(*ALL[:-1])),
        "%load_ext autoreload\n%autoreload 2\nfrom activations import *\n%time y = sigmoid(np.zeros(3))",
        "import asyncio\nawait asyncio.sleep(0)\nasync_result = 1",
        SETUP, *right("quiz_answers"), name=NB),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    work = tmp_path_factory.mktemp("hostile")
    tmp = tmp_path_factory.mktemp("grader-tmp")
    (work / "instructor_notes.txt").write_text(SECRET)
    (work / "grades_2024.csv").write_text(f"name,grade\n{SECRET},20\n")
    cls = work / "class"
    for name, cells in CASES.items():
        save(notebook(*cells, name=NB), cls / name)
    for name, nb in HONEST.items():
        save(nb, cls / name)
    save(notebook(SETUP, f"# {CLASSMATE}", *right(*ALL), name=NB), cls / "classmate.ipynb")
    os.symlink(cls / "classmate.ipynb", cls / "link_to_classmate.ipynb")
    outside = save(notebook(SETUP, *right(*ALL), name=NB), work / "outside" / "elsewhere.ipynb")
    os.symlink(outside, cls / "link_outside.ipynb")
    save(notebook(SETUP, *right(*ALL), name=NB), cls / os.fsdecode(b"M\xfcller.ipynb"))
    save(notebook(SETUP, *right(*ALL), name=NB), cls / "=HYPERLINK(1).ipynb")
    save(notebook(SETUP, *right(*ALL), name=NB), cls / "\x1b[2K\r[60-60] fake.ipynb")
    save(notebook(SETUP, *right(*ALL), name=NB), cls / "a b.ipynb")
    save(notebook(SETUP, *right(*ALL), name=NB), cls / "a_b.ipynb")
    from test_grade_kit import ROOT, load
    shipped = load(ROOT / "solutions" / "03_softmax_and_losses.ipynb")
    save(shipped, cls / "my_work.ipynb")
    pasted = [c for c in load(ROOT / "solutions" / "04_backpropagation.ipynb")["cells"] if c["cell_type"] == "code"]
    fresh = notebook(*pasted, "print('my own cell')")
    save(fresh, cls / "04_backpropagation.ipynb")
    before = {p: sha(p) for p in cls.iterdir()}
    started = time.monotonic()
    done = run_grader(cls, "--out", work / "grades.csv", "--json", work / "grades.json", "--feedback",
                      work / "feedback", "--jobs", "2", "--timeout", "8", "--sandbox", "bwrap", cwd=work,
                      env={"NNFS_TEST_SECRET": SECRET, "TMPDIR": str(tmp)}, timeout=900)
    seconds = time.monotonic() - started
    time.sleep(1)
    return {"work": work, "tmp": tmp, "cls": cls, "done": done, "before": before, "seconds": seconds,
            "rows": rows(work / "grades.csv"), "json": results(work / "grades.json")}


def row(graded, name):
    return graded["rows"][str(graded["cls"] / name)]


def test_every_submission_has_its_row_and_nothing_changed(graded):
    assert graded["done"].returncode == 0, graded["done"].stderr[-3000:]
    assert len(graded["rows"]) == len(graded["before"])
    assert {p: sha(p) for p in graded["cls"].iterdir()} == graded["before"]
    assert sorted(p.name for p in graded["work"].iterdir()) == sorted(
        ["instructor_notes.txt", "grades_2024.csv", "class", "outside", "grades.csv", "grades.json", "feedback"])


def test_no_process_is_left_and_nothing_escaped(graded):
    assert grading_processes(str(graded["tmp"])) == [] and list(graded["tmp"].iterdir()) == []
    for pid in os.listdir("/proc"):
        try:
            assert f"escaped-{TOKEN}" not in Path(f"/proc/{pid}/cmdline").read_text(errors="replace")
        except OSError:
            pass
    assert row(graded, "escape.ipynb")["total"] == "11"


def test_honest_notebooks_get_full_marks(graded):
    for name in ["honest.ipynb", "classmate.ipynb", "blank_lines.ipynb", *HONEST]:
        r = row(graded, name)
        assert (r["total"], r["status"]) == ("11", "graded"), (name, r["message"])


def test_the_courses_own_answers_earn_nothing(graded):
    r = graded["json"][str(graded["cls"] / "imports_reference.ipynb")]
    states = {e["id"]: e["state"] for e in r["exercises"]}
    assert states == {"1.1": "reference", "1.2": "reference", "1.3": "reference", "1.4": "reference",
                      "1.5": "passed"}, r["message"]
    assert r["total"] == 1 and "reference" in r["exercises"][0]["feedback"]
    assert r["cells"][-1]["status"] == "ok"          # the withheld source is not in the sandbox either
    # Under another name: usable in a cell (the last one prints), refused in the answers.
    r = graded["json"][str(graded["cls"] / "other_reference.ipynb")]
    states = {e["id"]: e["state"] for e in r["exercises"]}
    assert states["1.1"] == "passed" and states["1.2"] == states["1.4"] == states["1.5"] == "reference", states
    assert all(c["status"] == "ok" for c in r["cells"]), r["cells"]
    shipped = row(graded, "my_work.ipynb")
    assert shipped["status"] == "flagged" and "03_softmax_and_losses" in shipped["message"]
    assert shipped["total"] == "0"


def test_printed_or_forged_verdicts_earn_nothing(graded):
    r = row(graded, "forged.ipynb")
    assert r["total"] == "0" and r["status"] in ("graded", "error")


def test_secrets_classmates_and_hidden_inputs_never_reach_any_output(graded):
    work = graded["work"]
    texts = [(work / "grades.csv").read_text(), (work / "grades.json").read_text()]
    texts += [p.read_text() for p in (work / "feedback").iterdir()]
    for text in texts:
        assert SECRET not in text and LEAK not in text
    leaks = graded["json"][str(graded["cls"] / "leaks.ipynb")]
    assert CLASSMATE not in (work / "grades.json").read_text().replace(
        f"# {CLASSMATE}", "")                               # only the classmate's own row could hold it
    assert leaks["cells"][1]["status"] == "error"           # it found nothing: its own assertion passed
    assert "found it" not in leaks["cells"][1]["error"]
    hidden = graded["json"][str(graded["cls"] / "hidden_leak.ipynb")]
    relu = next(e for e in hidden["exercises"] if e["id"] == "1.4")
    assert relu["points"] == 0 and relu["failed_hidden"] and "hidden test case" in relu["feedback"]


def test_limits_stop_cells_and_say_so(graded):
    loops = row(graded, "loops.ipynb")
    assert loops["status"] == "timeout" and "time limit: cell(s) 2, 3" in loops["message"] and loops["total"] == "11"
    printing = graded["json"][str(graded["cls"] / "loops.ipynb")]["cells"][2]
    assert printing["status"] == "timeout"                  # printing forever costs time, not memory
    res = graded["json"][str(graded["cls"] / "resources.ipynb")]
    # 1.1, 1.4, 1.5: sigmoid asks for 128 GiB, and sigmoid_grad uses the notebook's own sigmoid
    assert res["total"] == 3 and res["status"] == "graded"
    assert "No space left" in res["cells"][1]["error"] and "MemoryError" in res["cells"][2]["error"]
    kills = row(graded, "kills.ipynb")
    assert kills["total"] == "11" and kills["status"] == "error"


def test_odd_text_is_stored_escaped(graded):
    r = graded["json"][str(graded["cls"] / "odd_text.ipynb")]
    assert r["total"] == 5 and "\\x1b[2J" in r["exercises"][0]["feedback"]
    text = (graded["work"] / "grades.json").read_text() + (graded["work"] / "grades.csv").read_text()
    assert "\x1b" not in text


def test_hostile_objects_earn_nothing_and_cost_nothing_else(graded):
    r = graded["json"][str(graded["cls"] / "objects.ipynb")]
    points = {e["id"]: e["points"] for e in r["exercises"]}
    # sigmoid_grad calls the notebook's own (hostile) sigmoid, so it fails too
    assert points == {"1.1": 0, "1.2": 0, "1.3": 0, "1.4": 0, "1.5": 1}, r["message"]


def test_names_links_and_csv_cells(graded):
    cls = graded["cls"]
    names = set(graded["rows"])
    assert str(cls / "M\\xfcller.ipynb") in names
    assert row(graded, "link_to_classmate.ipynb")["total"] == "11"
    assert row(graded, "classmate.ipynb")["total"] == "11"
    assert "same file content" in row(graded, "classmate.ipynb")["message"]
    outside = row(graded, "link_outside.ipynb")
    assert outside["status"] == "refused" and "outside the folders" in outside["message"]
    csv_text = (graded["work"] / "grades.csv").read_text()
    assert "\x1b" not in csv_text and ",=HYPERLINK" not in csv_text and "/=HYPERLINK" in csv_text
    feedback = {r["feedback"] for r in graded["rows"].values()}
    assert len(feedback) == len(graded["rows"]) and all(Path(f).exists() for f in feedback)
    assert row(graded, "a b.ipynb")["feedback"] != row(graded, "a_b.ipynb")["feedback"]


def test_a_notebook_pasted_into_a_fresh_file_is_recognised_by_its_name(graded):
    r = row(graded, "04_backpropagation.ipynb")
    assert (r["notebook"], r["total"], r["max"]) == ("04_backpropagation", "14", "14"), r["message"]
