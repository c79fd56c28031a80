"""What a submission's code can see and do inside the bubblewrap sandbox (run as whoever runs the tests:
CI runs them as root)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from helpers.grading import Grader, Options
from helpers.grading.scoring import _Child
from test_grade_kit import ROOT, needs_bwrap

pytestmark = needs_bwrap

PROBE = r'''
import os, socket, resource, threading, glob, inspect
facts = {}
facts["root"] = sorted(os.listdir("/"))
facts["pids"] = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
facts["env"] = sorted(os.environ)
facts["hostname"] = socket.gethostname()
facts["cwd"] = os.getcwd()
def attempt(fn):
    try:
        fn()
        return "ok"
    except BaseException as exc:
        return type(exc).__name__
facts["net"] = attempt(lambda: socket.create_connection(("127.0.0.1", 22), timeout=2))
facts["dns"] = attempt(lambda: socket.getaddrinfo("example.org", 80))
facts["write_root"] = attempt(lambda: open("/evil", "w"))
facts["write_usr"] = attempt(lambda: open("/usr/evil", "w"))
facts["fork"] = attempt(os.fork)
facts["write_dev"] = attempt(lambda: open("/dev/evil", "w"))
facts["caps"] = open("/proc/self/status").read().split("CapEff:")[1].split()[0]
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
facts["ptrace"] = (libc.ptrace(16, 1, 0, 0), ctypes.get_errno())     # PTRACE_ATTACH to the sandbox's init
thread = threading.Thread(target=lambda: None)
facts["thread"] = attempt(thread.start)
facts["limits"] = {name: resource.getrlimit(getattr(resource, name))[1]
                   for name in ("RLIMIT_AS", "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_CORE")}
def fill():
    with open("fill.bin", "wb") as f:
        for _ in range(40):
            f.write(b"0" * 2**20)
facts["fill"] = attempt(fill)
facts["course"] = {p: sorted(os.listdir(p)) if os.path.isdir(p) else os.path.exists(p) for p in PATHS}
import helpers.nn.functions as F
facts["sigmoid_source"] = inspect.getsource(F)
facts["exercise_modules"] = sorted(os.listdir(os.path.dirname(__import__("helpers.exercises").exercises.__file__)))
'''


@pytest.fixture(scope="module")
def facts(tmp_path_factory):
    secret_dir = tmp_path_factory.mktemp("submissions")
    grader = Grader(Options(sandbox="bwrap", scratch_mb=16), [secret_dir])
    child = _Child(grader, "01_activations")
    try:
        paths = [str(secret_dir), str(ROOT / "solutions"), str(ROOT / "helpers"), os.getcwd(), str(Path.home() / ".ssh")]
        child.session.request("cell", src=f"PATHS = {paths!r}\n" + PROBE, timeout=60)
        found = child.session.request("lookup", name="facts")
        assert found["found"], "the probe cell failed"
        return found["value"]
    finally:
        child.close()
        grader.close()


def test_only_the_python_installation_and_the_course_copy_are_visible(facts):
    from helpers.grading import sandbox
    # The Python installation may live anywhere (CI clones into /check/..., a learner's venv in /home/...):
    # its top folder is visible as a mount point, nothing else outside the system folders.
    python_tops = {Path(root).parts[1] for root in sandbox._python_roots([])}
    system = {"bin", "sbin", "lib", "lib32", "lib64", "libx32", "usr", "etc", "proc", "dev", "tmp", "scratch", "course"}
    assert set(facts["root"]) <= system | python_tops, set(facts["root"]) - system
    # No submissions, solutions, course sources, instructor's folder or home: at most the mount point
    # of a virtual environment that lives inside the instructor's folder.
    assert all(seen in (False, [], [".venv"]) for seen in facts["course"].values()), facts["course"]
    assert facts["cwd"] == "/scratch"


def test_its_own_pid_namespace_network_and_environment(facts):
    assert max(facts["pids"]) < 10 and len(facts["pids"]) <= 4     # not the grader's /proc
    assert facts["hostname"] == "sandbox"
    assert facts["net"] != "ok" and facts["dns"] != "ok"
    assert set(facts["env"]) <= {"PATH", "HOME", "TMPDIR", "LANG", "MPLBACKEND", "MPLCONFIGDIR", "IPYTHONDIR",
                                 "PYTHONDONTWRITEBYTECODE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                                 "MKL_NUM_THREADS", "OPENBLAS_CORETYPE", "LC_CTYPE", "PWD",
                                 "KMP_DUPLICATE_LIB_OK"}       # set inside by threadpoolctl, which helpers imports


def test_read_only_outside_scratch_capped_scratch_no_new_processes(facts):
    assert facts["write_root"] != "ok" and facts["write_usr"] != "ok" and facts["write_dev"] != "ok"
    assert int(facts["caps"], 16) == 0 and facts["ptrace"] == (-1, 1)      # no capabilities, EPERM
    assert facts["fill"] == "OSError"                                # 16 MB of scratch, 40 MB written
    assert facts["fork"] == "BlockingIOError" and facts["thread"] == "ok"
    limits = facts["limits"]
    assert limits["RLIMIT_AS"] == 2048 * 2**20 and limits["RLIMIT_CORE"] == 0
    assert 0 < limits["RLIMIT_CPU"] < 10**6 and limits["RLIMIT_FSIZE"] == 64 * 2**20


def test_the_graded_notebooks_answers_are_withheld(facts):
    source = facts["sigmoid_source"]
    assert "def sigmoid(" not in source and "sigmoid = __import__('helpers._withheld'" in source
    assert "def softmax(" in source                     # other notebooks' references stay
    assert facts["exercise_modules"] == ["__init__.py"]  # no check steps, no quiz answers


def test_a_python_environment_under_tmp_is_mounted_on_a_read_only_tmp(monkeypatch):
    # A CI clone (and its .venv) under /tmp: /tmp cannot be the usual link into scratch then.
    from helpers.grading import sandbox
    monkeypatch.setattr(sandbox, "_python_roots", lambda hidden: ["/tmp/clone/.venv"])
    cmd = sandbox.bwrap_command("/course-copy", 16, [], None, [])
    tmpfs = cmd.index("/tmp", cmd.index("--tmpfs"))
    assert cmd[tmpfs - 1] == "--tmpfs" and tmpfs < cmd.index("/tmp/clone/.venv")
    assert any(cmd[i] == "--remount-ro" and cmd[i + 1] == "/tmp" for i in range(len(cmd) - 1))
    assert not any(cmd[i] == "--symlink" and cmd[i + 2] == "/tmp" for i in range(len(cmd) - 2))
    monkeypatch.setattr(sandbox, "_python_roots", lambda hidden: ["/opt/venv"])
    cmd = sandbox.bwrap_command("/course-copy", 16, [], None, [])
    assert "--tmpfs" not in [cmd[i] for i in range(len(cmd) - 1) if cmd[i + 1] == "/tmp"]
    assert any(cmd[i] == "--symlink" and cmd[i + 2] == "/tmp" for i in range(len(cmd) - 2))


def test_every_other_reference_is_guarded_in_its_notebooks_copy(tmp_path):
    # A renamed or moved class must not silently drop out of the list: each entry is found and guarded.
    from helpers.grading.course_copy import OTHER_REFERENCES, CourseCopies
    # A new notebook needs an entry too (an empty list when no course code does its exercises' work).
    notebooks = {path.stem[:2]: path.stem for path in sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))}
    assert set(OTHER_REFERENCES) == set(notebooks)
    copies = CourseCopies(tmp_path)
    for prefix, names in OTHER_REFERENCES.items():
        copies.get(notebooks[prefix])
        assert set(names) <= set(copies.withheld[notebooks[prefix]]), (prefix, names)
