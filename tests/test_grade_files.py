"""Rows, names and files: reading submissions, recognising notebooks, writing outputs, stopping cleanly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers.grading.recognise import identify
from helpers.grading.reports import cell_text, feedback_name
from helpers.grading.submissions import Unreadable, code_cells, collect, read_bytes, read_notebook, shown
from test_grade_kit import ROOT, SANDBOX, SETUP, answers, grading_processes, load, notebook, run_grader, save

NB = "01_activations"


def test_names_are_shown_escaped_and_csv_cells_are_never_formulas():
    assert shown(os.fsdecode(b"M\xfcller.ipynb")) == "M\\xfcller.ipynb"
    assert shown("\x1b[2K\rfake") == "\\x1b[2K\\x0dfake"
    for text in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"]:
        assert cell_text(text).startswith("'")
    assert cell_text("a\x07b\nc") == "ab c"


def test_two_paths_never_show_the_same_name(tmp_path):
    # A byte that is not UTF-8 is shown as `\xfc`; a file named with those four characters must
    # not show the same (a row that passes for a classmate's, two rows no one can tell apart).
    for raw in (b"M\xfcller.ipynb", b"M\\xfcller.ipynb", b"a\x1bb.ipynb", b"a\\x1bb.ipynb"):
        save(notebook("x = 1"), os.fsdecode(bytes(tmp_path) + b"/" + raw))
    names = [s.name for s in collect([str(tmp_path)])]
    assert len(set(names)) == 4, names
    assert str(tmp_path / "M\\xfcller.ipynb") in names


def test_feedback_names_never_collide_and_are_stable():
    names = [feedback_name(p) for p in ["x/a b.ipynb", "x/a_b.ipynb", "y/a b.ipynb", "x/A B.ipynb"]]
    assert len(set(names)) == 4 and len({n.lower() for n in names}) == 4
    assert feedback_name("x/a b.ipynb") == names[0]


def test_unreadable_files_say_why(tmp_path):
    cases = {b"": "empty", b"\x00\x01binary": "binary", b'{"cells": [': "truncated",
             b'{"nbformat": 3, "worksheets": []}': "old notebook format", b"[1, 2]": "not a notebook",
             b"\xff\xfe{}": "not UTF-8",
             b'{"nbformat": 4, "cells": [], "n": ' + b"9" * 5000 + b"}": "number too long"}
    for data, why in cases.items():
        with pytest.raises(Unreadable, match=why):
            read_notebook(data)
    fifo = tmp_path / "pipe.ipynb"
    os.mkfifo(fifo)
    with pytest.raises(Unreadable, match="not a regular file"):
        read_bytes(str(fifo))                                  # never blocks on a FIFO


def test_recognition_uses_top_level_definitions_and_prefers_the_course_file_name():
    sol04 = load(ROOT / "solutions" / "04_backpropagation.ipynb")
    pasted = notebook(*[c for c in sol04["cells"] if c["cell_type"] == "code"])
    assert identify(pasted, "04_backpropagation.ipynb")[:2] == ("04_backpropagation", "file name")
    assert identify(pasted, "homework.ipynb")[0] == "04_backpropagation"
    methods_only = notebook("class Net:\n    def forward(self, x):\n        return x\n"
                            "    def relu(self, x):\n        return x\n    def sigmoid(self, x):\n        return x")
    assert identify(methods_only, "homework.ipynb")[0] is None
    assert identify(methods_only, "homework.ipynb", forced="05_training")[0] == "05_training"


def test_huge_cells_are_handled_in_linear_time_and_capped():
    nb = notebook("\n" * 999_000 + "def sigmoid(x):\n    return x", "x = 1\n" * 300_000)
    started = time.monotonic()
    cells = code_cells(nb)
    identify(nb, "work.ipynb")
    assert time.monotonic() - started < 30          # linear: seconds at most; quadratic would take hours
    assert [c.too_large for c in cells] == [False, True]


def test_a_notebook_of_a_million_tiny_cells_is_refused_quickly():
    # 30 MB of `1` cells: recognising it alone took minutes of the grader's own time (outside every
    # limit), and each cell would have been a report in the JSON.
    tiny = {"cell_type": "code", "metadata": {}, "source": "1"}
    data = json.dumps(notebook(*[tiny] * 1_000_000)).encode()
    started = time.monotonic()
    with pytest.raises(Unreadable, match="too many cells"):
        read_notebook(data)
    assert time.monotonic() - started < 10
    many = read_notebook(json.dumps(notebook(*[f"x{i} = {i}" for i in range(20_000)])).encode())
    assert len(code_cells(many)) == 20_000                 # long, but a notebook: it runs


def test_each_path_gets_its_own_row_and_links_outside_are_refused(tmp_path):
    inside = save(notebook("x = 1"), tmp_path / "class" / "a.ipynb")
    os.symlink(inside, tmp_path / "class" / "b.ipynb")
    outside = save(notebook("x = 1"), tmp_path / "elsewhere.ipynb")
    os.symlink(outside, tmp_path / "class" / "c.ipynb")
    subs = collect([str(tmp_path / "class"), str(inside)])
    assert [(Path(s.path).name, bool(s.refused)) for s in subs] == [
        ("a.ipynb", False), ("b.ipynb", False), ("c.ipynb", True)]


def test_a_folder_named_like_a_notebook_gets_a_row(tmp_path):
    # A student who hands in a folder `hw.ipynb` (an unpacked archive, say) had no row at all.
    (tmp_path / "class" / "hw.ipynb").mkdir(parents=True)
    inner = save(notebook("x = 1"), tmp_path / "class" / "hw.ipynb" / "inner.ipynb")
    subs = collect([str(tmp_path / "class")])
    assert [s.path for s in subs] == [str(tmp_path / "class" / "hw.ipynb"), str(inner)]
    with pytest.raises(Unreadable, match="a folder"):
        read_bytes(subs[0].path)


def test_without_a_sandbox_the_grader_warns_and_says_so(tmp_path):
    save(notebook(SETUP, *answers(NB).values(), name=NB), tmp_path / "mine.ipynb")
    done = run_grader("mine.ipynb", "--sandbox", "none", "--json", "g.json", "--out", "g.csv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "WARNING: --sandbox none" in done.stderr
    data = json.loads((tmp_path / "g.json").read_text())
    assert data["sandbox"] == "none" and data["results"][0]["total"] == 11


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_signal_stops_every_child_removes_scratch_and_keeps_earlier_outputs(tmp_path, signum):
    for i in range(2):
        save(notebook(SETUP, "import time\ntime.sleep(120)", name=NB), tmp_path / "class" / f"s{i}.ipynb")
    (tmp_path / "grades.csv").write_text("earlier table\n")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "helpers.grade", "class", "--jobs", "2", "--sandbox", SANDBOX,
                             "--timeout", "300"], cwd=tmp_path, env={**os.environ, "TMPDIR": str(scratch)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while len(grading_processes(str(scratch))) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert grading_processes(str(scratch)), "the children never started"
    time.sleep(1)
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 128 + signum, err
    assert (tmp_path / "grades.csv").read_text() == "earlier table\n"
    time.sleep(0.5)
    assert grading_processes(str(scratch)) == []
    assert list(scratch.iterdir()) == []
