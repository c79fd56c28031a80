"""Grade submitted notebooks: one command, one row per submission, feedback for each student.

    python -m helpers.grade SUBMISSION [SUBMISSION ...] --out grades.csv
                            [--json grades.json] [--feedback feedback/]
                            [--timeout 60] [--total-timeout 600] [--memory 2048] [--jobs 4]

Each SUBMISSION is a notebook or a folder searched recursively for ``*.ipynb``.
For each submission the grader

1. reads the file (never writes it) and rejects what is not a notebook
   (status ``unreadable``, with the reason);
2. recognises which course notebook it is: from ``metadata.nnfs.notebook``,
   else from its content (check cells, nbgrader ids, defined names), else from
   the file name;
3. runs every code cell except the calls to ``check``/``check_quiz``/
   ``show_quiz`` in a fresh, sandboxed Python process, each cell in its own
   try and under a time limit, so one broken cell does not stop the rest;
4. runs the registry's checks (public and hidden) against what the cells
   defined, and grades the quiz from ``quiz_answers``;
5. writes the CSV (and the JSON and the feedback reports) atomically.

Grades never come from what the notebook printed, nor from its check cells.
The design, and what is and is not defended against, is in docs/grading.md.

Everything lives in this one module on purpose: it ships inside the
``helpers`` package, and the sandboxed child process loads the same code (see
``_BOOTSTRAP``) from the sources the grader read when it started.
"""

from __future__ import annotations

import argparse
import ast
import csv
import hashlib
import hmac
import io
import json
import os
import re
import secrets
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

__all__ = ["Options", "SubmissionResult", "grade_submission", "grade_all", "collect_submissions",
           "read_notebook", "identify_notebook", "write_csv", "write_json", "write_feedback", "main"]

# ---------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------

STATUSES = ("graded", "timeout", "unreadable", "error")
MAX_FILE_BYTES = 100 * 1024 * 1024      # a notebook with many pictures is a few MB
MAX_LINE_BYTES = 4 * 1024 * 1024        # one message from the child
MAX_CHANNEL_BYTES = 64 * 1024 * 1024    # everything read from one child
MAX_RUNS = 40                           # child processes per submission (each restart skips something)
FEEDBACK_CHARS = 4000                   # longest verdict text kept per exercise
CHECK_CALLS = ("check", "check_quiz", "show_quiz")


@dataclass
class Options:
    """How to grade: time, memory and parallelism."""

    timeout: float = 60.0          # seconds per cell, and per exercise's check
    total_timeout: float = 600.0   # seconds per submission, all cells and checks and restarts
    memory_mb: int = 2048          # address-space limit of the child process
    file_mb: int = 64              # largest file the notebook may write (in its scratch folder)
    jobs: int = 1
    setup_timeout: float = 120.0   # starting Python and importing NumPy/matplotlib/helpers
    fork_server: bool = True       # fork each run from a pre-imported process (saves ~1-2 s per run)


# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------


@dataclass
class ExerciseGrade:
    id: str
    name: str
    title: str
    points: int
    max_points: int
    state: str            # passed, failed, not done, timeout, crashed, tampered, not checked
    feedback: str         # what the student reads (hidden inputs never shown)
    failed_step: str | None = None
    failed_hidden: bool = False


@dataclass
class QuestionGrade:
    key: str
    points: int
    max_points: int
    verdict: str          # right, wrong, invalid, missing
    message: str
    given: str | None = None


@dataclass
class CellReport:
    cell: int             # 1-based position among all the notebook's cells
    status: str           # ok, error, exit (sys.exit), timeout, crashed (then skipped), not run
    error: str = ""
    seconds: float = 0.0
    first_line: str = ""


@dataclass
class SubmissionResult:
    submission: str
    notebook: str = ""
    identified_by: str = ""
    status: str = "error"
    message: str = ""
    exercises: list[ExerciseGrade] = field(default_factory=list)
    quiz: str = ""                     # quiz id ("01"), empty when the notebook has none
    questions: list[QuestionGrade] = field(default_factory=list)
    quiz_max: int = 0
    cells: list[CellReport] = field(default_factory=list)
    seconds: float = 0.0
    runs: int = 0
    sha256: str = ""
    known_notebook: bool = False

    @property
    def total(self) -> int:
        return sum(e.points for e in self.exercises) + self.quiz_points

    @property
    def quiz_points(self) -> int:
        return sum(q.points for q in self.questions)

    @property
    def max(self) -> int | None:
        if not self.known_notebook:
            return None
        return sum(e.max_points for e in self.exercises) + self.quiz_max

    def to_dict(self) -> dict:
        data = asdict(self)
        data["total"] = self.total
        data["max"] = self.max
        data["quiz_points"] = self.quiz_points
        data.pop("known_notebook")
        return data


# ---------------------------------------------------------------------------
# Reading a submission (in the grader: plain JSON parsing, nothing executed)
# ---------------------------------------------------------------------------


class Unreadable(Exception):
    """The file is not a notebook the grader can read; the message says why."""


def read_notebook(data: bytes) -> dict:
    """Parse a submission's bytes into a notebook dict, or raise ``Unreadable``.

    Deliberately lenient about what Jupyter front ends add (extra metadata,
    source as a string or a list of lines) and strict about what would make
    grading meaningless.
    """
    if not data.strip():
        raise Unreadable("empty file")
    if len(data) > MAX_FILE_BYTES:
        raise Unreadable(f"file too large ({len(data) / 2**20:.0f} MB; a notebook is a few MB)")
    if b"\x00" in data[:8192]:
        raise Unreadable("binary file, not a notebook (a notebook is JSON text)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Unreadable(f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
                         "a notebook is UTF-8 JSON") from None
    try:
        nb = json.loads(text)
    except json.JSONDecodeError as exc:
        stripped = text.strip()
        if exc.pos >= len(stripped) - 1 or exc.msg.startswith("Unterminated string") or (
                stripped.startswith("{") and not stripped.endswith("}")):
            raise Unreadable(f"truncated JSON: the file ends before the notebook does "
                             f"(line {exc.lineno}); was it copied completely?") from None
        raise Unreadable(f"not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    except RecursionError:
        raise Unreadable("not a notebook: JSON nested too deeply") from None
    if not isinstance(nb, dict):
        raise Unreadable(f"not a notebook: the JSON is a {type(nb).__name__}, not an object")
    major = nb.get("nbformat")
    if "worksheets" in nb or (isinstance(major, int) and not isinstance(major, bool) and major < 4):
        raise Unreadable(f"old notebook format (nbformat {major}); open it in a current Jupyter, "
                         "save it (nbformat 4) and submit it again")
    if major is None or "cells" not in nb:
        raise Unreadable("not a notebook: no `nbformat` or `cells` in the JSON")
    if not isinstance(major, int) or isinstance(major, bool) or major > 4:
        raise Unreadable(f"unsupported notebook format (nbformat {major!r}); expected 4")
    if not isinstance(nb["cells"], list):
        raise Unreadable("not a notebook: `cells` is not a list")
    for i, cell in enumerate(nb["cells"], start=1):
        if not isinstance(cell, dict) or not isinstance(cell.get("cell_type"), str):
            raise Unreadable(f"malformed notebook: cell {i} has no cell_type")
        source = cell.get("source", "")
        if not isinstance(source, str) and not (isinstance(source, list)
                                                and all(isinstance(s, str) for s in source)):
            raise Unreadable(f"malformed notebook: the source of cell {i} is not text")
    if not isinstance(nb.get("metadata", {}), dict):
        raise Unreadable("malformed notebook: `metadata` is not an object")
    return nb


def cell_source(cell: dict) -> str:
    source = cell.get("source", "")
    return source if isinstance(source, str) else "".join(source)


# ---------------------------------------------------------------------------
# Which notebook is it?
# ---------------------------------------------------------------------------

_CHECK_ID = re.compile(r"""\bcheck\(\s*["'](\d+\.\d+)["']""")
_QUIZ_ID = re.compile(r"""\b(?:check_quiz|show_quiz)\(\s*["'](\d+)["']""")
_GRADE_ID = re.compile(r"^(?:check|solution)_(\d+)_(\d+)$")
_DEFINED = re.compile(r"^\s*(?:def|class)\s+(\w+)|^(\w+)\s*=", re.M)


def _registry():
    """The grader's view of the registry: exercises and quizzes by notebook."""
    from helpers.checking import all_exercises
    from helpers.quiz import all_quizzes

    exercises: dict[str, list] = {}
    for ex in all_exercises():
        exercises.setdefault(ex.notebook, []).append(ex)
    quizzes = {q.notebook: q for q in all_quizzes()}
    return exercises, quizzes


def known_notebooks() -> list[str]:
    exercises, quizzes = _registry()
    return sorted(set(exercises) | set(quizzes))


def identify_notebook(nb: dict, filename: str) -> tuple[str | None, str, str]:
    """``(notebook, how, note)``: how is "metadata", "content" or "file name"."""
    exercises, quizzes = _registry()
    known = sorted(set(exercises) | set(quizzes))
    note = ""
    meta = nb.get("metadata", {}).get("nnfs", {})
    claimed = meta.get("notebook") if isinstance(meta, dict) else None
    if isinstance(claimed, str):
        if claimed in known:
            return claimed, "metadata", ""
        note = f"metadata names an unknown notebook {claimed[:60]!r}"

    scores = dict.fromkeys(known, 0)
    for cell in nb["cells"]:
        src = cell_source(cell)
        grade_id = cell.get("metadata", {}).get("nbgrader", {}) if isinstance(cell.get("metadata"), dict) else {}
        grade_id = grade_id.get("grade_id", "") if isinstance(grade_id, dict) else ""
        ids = set(_CHECK_ID.findall(src))
        m = _GRADE_ID.match(grade_id) if isinstance(grade_id, str) else None
        if m:
            ids.add(f"{int(m.group(1))}.{int(m.group(2))}")
        quiz_ids = set(_QUIZ_ID.findall(src))
        defined = {a or b for a, b in _DEFINED.findall(src)} if cell.get("cell_type") == "code" else set()
        for name in known:
            number = name.split("_")[0]
            scores[name] += 3 * sum(1 for ex in exercises.get(name, []) if ex.id in ids)
            scores[name] += 3 * (number in quiz_ids)
            scores[name] += sum(1 for ex in exercises.get(name, []) if set(ex.names) & defined)
    best = max(scores.values(), default=0)
    leaders = [name for name, score in scores.items() if score == best]
    if best > 0 and len(leaders) == 1:
        return leaders[0], "content", note

    stem = Path(filename).stem.lower()
    for name in known:
        if name.lower() in stem:
            return name, "file name", note
    numbers = set(re.findall(r"(?<!\d)(\d{2})(?!\d)", stem))
    by_number = [name for name in known if name.split("_")[0] in numbers]
    if len(by_number) == 1:
        return by_number[0], "file name", note
    reason = "could not tell which course notebook this is (no nnfs metadata, no check cells " \
             "of a known exercise, no notebook number in the file name)"
    return None, "", f"{note}; {reason}" if note else reason


# ---------------------------------------------------------------------------
# Preparing the cells: IPython syntax, and no check calls
# ---------------------------------------------------------------------------


def _transform_ipython(source: str) -> str:
    """Turn magics and shell escapes into calls of ``get_ipython()`` (a stub in the child)."""
    if not re.search(r"^\s*[%!]|\?\s*$|=\s*[%!]", source, re.M):
        return source
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError:  # no IPython: comment the magics out instead
        return re.sub(r"^(\s*)([%!].*)$", r"\1pass  # \2", source, flags=re.M)
    try:
        return TransformerManager().transform_cell(source)
    except Exception:
        return source


def _is_check_call(node: ast.stmt) -> bool:
    if not isinstance(node, ast.Expr) or not isinstance(node.value, ast.Call):
        return False
    func = node.value.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
    return name in CHECK_CALLS


def strip_check_calls(source: str) -> str | None:
    """The cell without its top-level ``check(...)``/``check_quiz(...)``/``show_quiz(...)`` calls.

    Returns None when nothing is left to run. A cell that does not parse is
    returned unchanged (running it records the SyntaxError).
    """
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return source
    kept = [node for node in tree.body if not _is_check_call(node)]
    if len(kept) == len(tree.body):
        return source
    if not kept:
        return None
    tree.body = kept
    try:
        return ast.unparse(tree)
    except Exception:
        return source


@dataclass
class Cell:
    index: int            # 1-based position among all cells
    source: str
    first_line: str


def prepare_cells(nb: dict) -> list[Cell]:
    cells = []
    for index, cell in enumerate(nb["cells"], start=1):
        if cell.get("cell_type") != "code":
            continue
        original = cell_source(cell)
        source = strip_check_calls(_transform_ipython(original))
        if source is None or not source.strip():
            continue
        lines = [ln.strip() for ln in original.splitlines() if ln.strip() and not ln.strip().startswith("#")]
        first = lines[0] if lines else ""
        cells.append(Cell(index, source, first[:60] + ("..." if len(first) > 60 else "")))
    return cells


# ---------------------------------------------------------------------------
# The sandboxed child process
# ---------------------------------------------------------------------------
#
# The child is started as `python -I -c _BOOTSTRAP`. The bootstrap reads its
# configuration (the helpers sources, the cells, the exercises, a per-run
# key) from stdin, serves the `helpers` package from those sources (so nothing
# a notebook writes to disk can change the checks of later submissions), and
# calls `_child_main`. Everything below `_child_main` runs in the child.

_BOOTSTRAP = r"""
import sys, json, importlib.abc, importlib.util
def _boot():
    size = int(sys.stdin.buffer.readline())
    cfg = json.loads(sys.stdin.buffer.read(size).decode("utf-8"))
    sources = cfg.pop("sources")
    codes = {}
    class HelpersFromMemory(importlib.abc.MetaPathFinder, importlib.abc.Loader):
        def find_spec(self, name, path=None, target=None):
            entry = sources.get(name)
            if entry is None:
                return None
            spec = importlib.util.spec_from_loader(name, self, origin=entry["file"], is_package=entry["package"])
            if entry["package"]:
                spec.submodule_search_locations = [entry["dir"]]
            return spec
        def create_module(self, spec):
            return None
        def exec_module(self, module):
            name = module.__name__
            if name not in codes:
                codes[name] = compile(sources[name]["source"], sources[name]["file"], "exec", dont_inherit=True)
            module.__file__ = sources[name]["file"]
            exec(codes[name], module.__dict__)
    sys.meta_path.insert(0, HelpersFromMemory())
    import helpers.grade
    helpers.grade._child_main(cfg, sources, codes)
_boot()
"""


class _Timeout(BaseException):
    """Raised in the child by the per-cell alarm (a BaseException: `except Exception` in a cell does not stop it)."""


class _Sink(io.TextIOBase):
    """Where the notebook's prints go: nowhere (grades never come from output)."""

    def writable(self):
        return True

    def write(self, s):
        return len(s) if isinstance(s, str) else 0

    def flush(self):
        pass

    @property
    def encoding(self):
        return "utf-8"


class _Shell:
    """Enough of ``get_ipython()`` for magics in a submission: they do nothing,
    except ``%time``/``%timeit``/``%%capture``-style magics whose code is run once."""

    RUN = {"time", "timeit", "prun", "capture"}

    def __init__(self, namespace):
        self._ns = namespace

    def run_line_magic(self, name, line, *args, **kwargs):
        if name in self.RUN and line.strip() and not line.strip().startswith("-"):
            exec(compile(line.strip(), "<magic>", "exec"), self._ns)
        return None

    def run_cell_magic(self, name, line, cell, *args, **kwargs):
        if name in self.RUN:
            exec(compile(cell, "<magic>", "exec"), self._ns)
        return None

    def system(self, *args, **kwargs):
        return None

    def getoutput(self, *args, **kwargs):
        return []

    def __getattr__(self, name):  # anything else IPython-specific: a no-op
        return lambda *args, **kwargs: None


def _sandbox_hook(workdir: str):
    """An audit hook (PEP 578) that keeps the notebook's code in its scratch folder.

    Installed just before the first cell runs and never removed (audit hooks
    cannot be removed). It refuses, with PermissionError: writing, creating,
    renaming or deleting files outside the scratch folder; starting processes;
    signals to other processes; network sockets; ctypes; enumerating the
    interpreter's objects or frames (gc, sys._current_frames, tracing);
    replacing a function's code; changing resource limits.

    The hook runs inside the notebook's process, where the notebook may have
    replaced any Python function (``os.path.realpath``, ``builtins.all``,
    ``pathlib``...). So it resolves paths itself and uses only what it
    captured here: C functions, and syntax.
    """
    import pathlib
    import stat

    lstat, readlink, getcwd, getpid = os.lstat, os.readlink, os.getcwd, os.getpid
    is_link, denied, type_, str_, bytes_, int_ = stat.S_ISLNK, PermissionError, type, str, bytes, int
    encoding = sys.getfilesystemencoding()
    path_classes = (pathlib.PosixPath, pathlib.PurePosixPath)
    path_fspath, path_str = pathlib.PurePath.__fspath__, pathlib.PurePath.__str__
    write_flags = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
    blocked = frozenset({
        "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty", "os.startfile",
        "subprocess.Popen", "pty.spawn", "os.killpg", "os.link", "os.symlink", "sys.settrace",
        "sys.setprofile", "sys._current_frames", "sys.addaudithook", "resource.setrlimit",
        "resource.prlimit", "webbrowser.open", "os.setxattr", "os.removexattr", "os.add_dll_directory",
    })
    blocked_prefixes = ("ctypes.", "socket.", "gc.get_", "_winapi.", "winreg.", "urllib.", "http.")
    # event -> (how many leading arguments are paths, whether an open file descriptor is fine)
    path_events = {"os.remove": (1, False), "os.rmdir": (1, False), "os.rename": (2, False),
                   "os.truncate": (1, True), "os.chmod": (1, False), "os.chown": (1, False),
                   "os.utime": (1, False), "os.mkdir": (1, False), "os.mkfifo": (1, False),
                   "os.mknod": (1, False), "shutil.rmtree": (1, False), "os.chflags": (1, False),
                   "os.lchflags": (1, False), "sqlite3.connect": (1, False)}
    with_dir_fd = frozenset({"os.remove", "os.rmdir", "os.chmod", "os.chown", "os.utime", "os.mkdir",
                             "os.mkfifo", "os.mknod"})

    def text(path):
        """The path as a str, or None if it cannot be trusted to name one file."""
        kind = type_(path)
        if kind is str_:
            return path
        if kind is bytes_:
            return path.decode(encoding, "surrogateescape")
        if kind in path_classes and kind.__fspath__ is path_fspath and kind.__str__ is path_str:
            return path_str(path)  # cached by the open() that is being audited
        return None  # a PathLike of the notebook's own could name another file the second time

    def resolve(path):
        """The real absolute path: symbolic links followed, '..' applied (like os.path.realpath)."""
        if not path.startswith("/"):
            path = getcwd() + "/" + path
        pending = [p for p in path.split("/") if p and p != "."][::-1]
        done, hops = [], 0
        while pending:
            part = pending.pop()
            if part == "..":
                if done:
                    done.pop()
                continue
            candidate = "/" + "/".join(done + [part])
            try:
                mode = lstat(candidate).st_mode
            except OSError:
                done.append(part)  # does not exist (yet)
                continue
            if is_link(mode):
                hops += 1
                if hops > 40:
                    raise denied("too many symbolic links")
                target = readlink(candidate)
                if target.startswith("/"):
                    done = []
                pending.extend([p for p in target.split("/") if p and p != "."][::-1])
            else:
                done.append(part)
        return "/" + "/".join(done)

    root = resolve(workdir)
    prefix = root + "/"

    def relative_to_fd(path, dir_fd):
        """``path`` relative to directory descriptor ``dir_fd`` (as shutil.rmtree uses), or None."""
        name = text(path)
        if name is None or type_(dir_fd) is not int_:
            return None
        if name.startswith("/"):
            return name
        try:
            return readlink(f"/proc/self/fd/{dir_fd}") + "/" + name  # Linux; elsewhere: refused
        except OSError:
            return None

    def inside(path, fd_ok):
        if type_(path) is int_:
            return fd_ok
        name = text(path)
        if name is None:
            return False
        if name == ":memory:":
            return True
        real = resolve(name)
        return real == root or real.startswith(prefix) or real == "/dev/null"

    def hook(event, args):
        if event == "open":
            path, mode, flags = (args + (None, None, None))[:3]
            writing = (type_(flags) is int_ and flags & write_flags) or (
                type_(mode) is str_ and ("w" in mode or "a" in mode or "x" in mode or "+" in mode))
            if not writing:
                return
            name = text(path)
            # os.open() may be relative to a directory descriptor the event does not show.
            if mode is None and type_(path) is not int_ and (name is None or not name.startswith("/")):
                raise denied(f"the grader lets a notebook open files for writing with os.open only "
                             f"by absolute path, not {path!r}"[:300])
            if not inside(path, True):
                raise denied(f"the grader lets a notebook write files only in its working folder, "
                             f"not {path!r}"[:300])
        elif event in path_events:
            count, fd_ok = path_events[event]
            if event == "os.rename":
                pairs = ((args[0], args[2]), (args[1], args[3]))
            else:
                pairs = ((args[0], args[-1] if event in with_dir_fd else None),)
            for path, dir_fd in pairs:
                if dir_fd not in (None, -1):  # CPython reports "no directory descriptor" as -1
                    path = relative_to_fd(path, dir_fd)
                if path is None or not inside(path, fd_ok):
                    raise denied(f"the grader does not allow {event} outside the notebook's working folder")
        elif event in blocked or event.startswith(blocked_prefixes):
            raise denied(f"the grader does not allow {event} while grading a notebook")
        elif event == "os.kill" or event == "signal.pthread_kill":
            if event == "os.kill" and args[0] != getpid():
                raise denied("the grader does not allow signals to other processes")
        elif event == "object.__setattr__" and args[1:2] == ("__code__",):
            raise denied("the grader does not allow replacing a function's code")

    return hook


# Top-level modules whose functions the checks rely on: a change to one of them
# during a check voids that check's verdict.
_WATCHED_TOP = frozenset({
    "numpy", "builtins", "math", "cmath", "warnings", "_warnings", "inspect", "functools", "_functools",
    "operator", "_operator", "copy", "types", "dataclasses", "re", "contextlib", "itertools", "collections",
    "enum", "abc", "_abc", "typing", "numbers", "json", "hmac", "hashlib", "os", "posixpath", "sys",
    "importlib", "_frozen_importlib", "_frozen_importlib_external", "io", "_io", "signal", "time", "helpers",
})
# Never restored: the notebook's own namespace, and plotting/front-end state
# that checks do not use (restoring it could only break a notebook's figures).
_UNRESTORED_TOP = frozenset({"__main__", "__mp_main__", "matplotlib", "mpl_toolkits", "PIL", "IPython",
                             "ipywidgets", "traitlets", "jupyter_client", "ipykernel", "comm"})


def _top(name: str) -> str:
    return name.split(".", 1)[0]


class _MissingValue:
    __slots__ = ()


_MISSING_VALUE = _MissingValue()


def _reset_namespace(current: dict, saved: dict, graveyard: list) -> bool:
    """Make ``current`` equal ``saved`` again; True if it had changed.

    Written with syntax and dict/list methods only (no builtins, no module
    globals), so a notebook that replaced ``builtins.len`` or a function of
    this module cannot fool it. It runs first in every restore; the rest of
    the restore may then rely on builtins.
    """
    if current.__len__() == saved.__len__():
        clean = True
        for key in saved:
            if current.get(key, graveyard) is not saved[key]:
                clean = False
                break
        if clean:
            return False
    graveyard.append(current.copy())   # replaced objects stay alive: no __del__ of theirs runs now
    current.clear()
    current.update(saved)
    return True


class _Snapshot:
    """What the checks rely on, as it was before the notebook's code ran.

    ``restore()`` puts back every module attribute, function default and
    closure cell, class attribute, ``sys.modules`` entry and import hook the
    notebook changed. ``changed()`` lists what differs now in the modules the
    checks use, so a check during which the notebook's code tampered with
    them is voided.
    """

    def __init__(self, module_names=None):
        import builtins
        import types
        import warnings

        self._graveyard = []      # objects the restore replaced: kept alive, so no __del__ runs
        self._reset = _reset_namespace
        self._core = []           # (dict, saved): builtins and this module, reset before anything else
        self.modules = []         # (name, module, dict copy, watched)
        self.functions = []       # (function, defaults, kwdefaults, closure contents, watched)
        self.classes = []         # (class, dict copy, watched)
        seen = set()
        full = module_names is None
        names = list(sys.modules) if full else list(module_names)
        for name in names:
            module = sys.modules.get(name)
            if module is None or (full and _top(name) in _UNRESTORED_TOP):
                continue
            try:
                namespace = module.__dict__
            except Exception:
                continue
            if type(namespace) is not dict:
                continue
            watched = (not full) or _top(name) in _WATCHED_TOP
            copy = dict(namespace)
            self.modules.append((name, module, copy, watched))
            if full and (module is builtins or namespace is globals()):
                self._core.append((namespace, copy))
            for value in copy.values():
                if id(value) in seen:
                    continue
                if type(value) is types.FunctionType:
                    seen.add(id(value))
                    self._add_function(value, watched)
                elif isinstance(value, type) and value.__flags__ & (1 << 9):  # a heap type: mutable
                    seen.add(id(value))
                    members = dict(value.__dict__)
                    self.classes.append((value, members, watched))
                    for member in members.values():
                        if type(member) in (types.FunctionType, staticmethod, classmethod):
                            member = getattr(member, "__func__", member)
                            if type(member) is types.FunctionType and id(member) not in seen:
                                seen.add(id(member))
                                self._add_function(member, watched)
        if full:
            self.sys_modules = dict(sys.modules)
            self.restored_tops = {_top(n) for n in self.sys_modules} - _UNRESTORED_TOP
            self.sys_lists = {n: list(getattr(sys, n)) for n in ("meta_path", "path_hooks", "path")}
            self.warnings_filters = list(warnings.filters)
            self.recursion_limit = sys.getrecursionlimit()
        else:
            self.sys_modules = None

    def _add_function(self, fn, watched):
        cells = ()
        if fn.__closure__:
            cells = []
            for cell in fn.__closure__:
                try:
                    cells.append((cell, cell.cell_contents, True))
                except ValueError:
                    cells.append((cell, None, False))
            cells = tuple(cells)
        self.functions.append((fn, fn.__defaults__, fn.__kwdefaults__, cells, watched))

    def _reset_core(self) -> bool:
        reset, graveyard, changed = self._reset, self._graveyard, False
        for current, saved in self._core:
            if reset(current, saved, graveyard):
                changed = True
        return changed

    def changed(self) -> list[str]:
        """Functions, classes and modules of the watched modules that differ from the snapshot.

        Only such "API" values count: a module that fills a cache variable
        while a check runs is not tampering, replacing a function is.
        """
        import types

        found = ["builtins"] if self._reset_core() else []
        api_types = (types.ModuleType, property, classmethod, staticmethod)

        def api(value):
            return callable(value) or isinstance(value, api_types)

        for name, module, saved, watched in self.modules:
            if not watched:
                continue
            current = module.__dict__
            if any(type(k) is not str for k in current):
                found.append(f"{name} (odd keys)")
                continue
            for key, value in saved.items():
                if current.get(key, _MISSING_VALUE) is not value and api(value):
                    found.append(f"{name}.{key}")
                    break
        for fn, defaults, kwdefaults, cells, watched in self.functions:
            if not watched:
                continue
            if fn.__defaults__ is not defaults or fn.__kwdefaults__ is not kwdefaults:
                found.append(f"{getattr(fn, '__qualname__', '?')} (defaults)")
            for cell, contents, filled in cells:
                try:
                    now = cell.cell_contents
                except ValueError:
                    now = _MISSING_VALUE
                if filled and now is not contents and api(contents):
                    found.append(f"{getattr(fn, '__qualname__', '?')} (closure)")
                    break
        for cls, saved, watched in self.classes:
            if watched and any(cls.__dict__.get(k, _MISSING_VALUE) is not v and api(v) for k, v in saved.items()):
                found.append(f"{getattr(cls, '__qualname__', '?')} (class attribute)")
        return found

    def restore(self) -> None:
        import gc
        import warnings

        self._reset_core()
        graveyard = self._graveyard
        enabled = gc.isenabled()
        gc.disable()
        try:
            if self.sys_modules is not None:
                for name, module in self.sys_modules.items():
                    if sys.modules.get(name) is not module and _top(name) not in _UNRESTORED_TOP:
                        graveyard.append(sys.modules.get(name))
                        sys.modules[name] = module
                # A submodule first imported by the notebook (numpy.polynomial, say) is
                # forgotten with its parent's restored attributes; it is imported again
                # when needed.
                for name in [n for n in sys.modules if n not in self.sys_modules
                             and _top(n) in self.restored_tops]:
                    graveyard.append(sys.modules.pop(name))
                for name, saved in self.sys_lists.items():
                    current = getattr(sys, name)
                    if type(current) is not list:
                        graveyard.append(current)
                        setattr(sys, name, list(saved))
                    elif len(current) != len(saved) or any(a is not b for a, b in zip(current, saved)):
                        graveyard.append(list(current))
                        current[:] = saved
            for name, module, saved, watched in self.modules:
                self._reset(module.__dict__, saved, graveyard)
            for fn, defaults, kwdefaults, cells, watched in self.functions:
                if fn.__defaults__ is not defaults:
                    graveyard.append(fn.__defaults__)
                    fn.__defaults__ = defaults
                if fn.__kwdefaults__ is not kwdefaults:
                    graveyard.append(fn.__kwdefaults__)
                    fn.__kwdefaults__ = kwdefaults
                for cell, contents, filled in cells:
                    try:
                        now = cell.cell_contents
                    except ValueError:
                        now = _MISSING_VALUE
                    if filled and now is not contents:
                        graveyard.append(now)
                        cell.cell_contents = contents
            for cls, saved, watched in self.classes:
                current = cls.__dict__
                for key in [k for k in current if type(k) is not str or k not in saved]:
                    try:
                        graveyard.append(current[key])
                        type.__delattr__(cls, key)
                    except (AttributeError, TypeError):
                        pass
                for key, value in saved.items():
                    if key in ("__dict__", "__weakref__"):
                        continue
                    if current.get(key, _MISSING_VALUE) is not value:
                        try:
                            graveyard.append(current.get(key))
                            type.__setattr__(cls, key, value)
                        except (AttributeError, TypeError):
                            pass
            if self.sys_modules is not None:
                warnings.filters[:] = self.warnings_filters
                sys.setrecursionlimit(self.recursion_limit)
        finally:
            if enabled:
                gc.enable()


class _HelpersFinder:
    """Serves the ``helpers`` package from code compiled before any notebook code ran."""

    def __init__(self, table):
        self._table = table     # read-only mapping: name -> (code, file, folder, is_package)

    def find_spec(self, name, path=None, target=None):
        import importlib.util

        entry = self._table.get(name)
        if entry is None:
            return None
        spec = importlib.util.spec_from_loader(name, self, origin=entry[1], is_package=entry[3])
        if entry[3]:
            spec.submodule_search_locations = [entry[2]]
        return spec

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        code, file = self._table[module.__name__][:2]
        if type(code) is str:
            code = compile(code, file, "exec", dont_inherit=True)
        module.__file__ = file
        exec(code, module.__dict__)


def _type_name(obj) -> str:
    """The name of ``obj``'s class without running a metaclass's code."""
    try:
        return type.__dict__["__name__"].__get__(type(obj), type)[:40]
    except Exception:
        return "object"


def _plain_answers(obj):
    """``quiz_answers`` as plain JSON data, read without calling the notebook's methods."""
    import numpy as np

    if obj is _MISSING_VALUE:
        return None, "no `quiz_answers` defined"
    try:
        items = list(dict.items(obj))
    except TypeError:
        return None, f"`quiz_answers` should be a dict, not {_type_name(obj)}"

    def plain(value, depth=0):
        kind = type(value)
        if value is None or value is Ellipsis:
            return None
        if kind in (bool, int, float):
            return value
        if kind is str:
            return value[:200]
        if issubclass(kind, str):
            return str.__str__(value)[:200]
        if issubclass(kind, float):
            return float.__float__(value)
        if issubclass(kind, int):
            return int.__int__(value)
        if issubclass(kind, np.generic) and issubclass(kind, (np.integer, np.floating, np.bool_)):
            item = np.generic.item(value)
            return item if type(item) in (bool, int, float) else None
        if issubclass(kind, np.ndarray) and depth == 0:
            array = np.ndarray.view(value, np.ndarray)
            if array.ndim == 0 and array.dtype.kind in "biuf":
                return plain(np.ndarray.item(array), depth + 1)
        return f"<a {_type_name(value)}>"

    answers = {}
    for key, value in items[:100]:
        if issubclass(type(key), str):
            try:
                answers[str.__str__(key)[:100]] = plain(value)
            except Exception:
                answers[str.__str__(key)[:100]] = "<unreadable>"
    return answers, ""


def _child_main(cfg: dict, sources: dict, codes: dict) -> None:
    """Entry point of a grading process (see ``_BOOTSTRAP``): a fork server or one run."""
    table = _prepare(sources, codes)
    if cfg.get("mode") == "fork-server":
        _fork_server_main(cfg, table)
    else:
        _run_child(cfg, table)


def _prepare(sources: dict, codes: dict):
    """Trusted set-up: import everything the checks use, before any notebook code."""
    from types import MappingProxyType

    sys.dont_write_bytecode = True
    import numpy as np
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401
    for name in ("helpers", "helpers.checking", "helpers.exercises", "helpers.nn", "helpers.quiz",
                 "helpers.plots", "helpers.widgets", "helpers.data", "helpers.display",
                 "numpy.random", "numpy.linalg", "numpy.fft", "_json", "_hashlib"):
        try:
            __import__(name)
        except Exception:
            pass
    np.random, np.linalg, np.fft  # numpy binds these lazily: bind them before any snapshot
    table = {}
    for name, entry in sources.items():  # code objects are immutable; source text is compiled on use
        table[name] = (codes.get(name) or entry["source"], entry["file"], entry["dir"], entry["package"])
    return MappingProxyType(table)


def _fork_server_main(cfg: dict, table) -> None:
    """Fork one grading process per request, from this pristine, fully imported process.

    Requests come over a private socket pair from the grader, with three
    file descriptors: the result pipe, a pipe carrying the run's
    configuration, and the stderr file. Exits are reported back, by request.
    """
    import socket

    sock = socket.socket(fileno=cfg["sock"])
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    children: dict[int, int] = {}

    def tell(**message):
        sock.send(json.dumps(message).encode("ascii"))

    tell(t="ready")
    poller = select.poll()
    poller.register(sock.fileno(), select.POLLIN)
    while True:
        while children:  # report every child that ended
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            tell(t="exited", id=children.pop(pid, -1), status=status)
        if not poller.poll(50):
            continue
        try:
            data, fds, _, _ = socket.recv_fds(sock, 1 << 16, 4)
        except OSError:
            os._exit(0)
        if not data:
            os._exit(0)  # the grader is gone
        request = json.loads(data)
        pid = os.fork()
        if pid == 0:
            try:
                sock.close()
                os.setsid()
                result_fd, cfg_fd, err_fd = fds
                os.dup2(err_fd, 2)
                os.close(err_fd)
                chunks = []
                while True:
                    chunk = os.read(cfg_fd, 1 << 20)
                    if not chunk:
                        break
                    chunks.append(chunk)
                os.close(cfg_fd)
                run_cfg = json.loads(b"".join(chunks))
                run_cfg["fd"] = result_fd
                os.environ["TMPDIR"] = run_cfg["workdir"]
                tempfile.tempdir = None
                _run_child(run_cfg, table)
            finally:
                os._exit(71)
        children[pid] = request["id"]
        for fd in fds:
            os.close(fd)
        tell(t="spawned", id=request["id"], pid=pid)


def _run_child(cfg: dict, table) -> None:
    """Run a submission's cells, then the checks, reporting over the result pipe.

    What the reporter needs (the key, the encoder, the MAC, os.write) is
    captured here, before the first cell, as C functions: a notebook that
    later replaces ``json``, ``hmac`` or ``builtins`` can garble its own
    reports (which the grader then ignores), not forge them.
    """
    import builtins
    import gc
    import resource
    import types
    from _json import encode_basestring_ascii as escape

    import numpy as np
    import matplotlib.pyplot as plt

    try:
        from _hashlib import hmac_digest
    except ImportError:  # no OpenSSL: the pure-Python HMAC
        def hmac_digest(key, msg, digest):
            return hmac.new(key, msg, digest).digest()

    key = bytes.fromhex(cfg["key"])
    fd = cfg["fd"]
    write, exit_now, monotonic = os.write, os._exit, time.monotonic
    type_, str_, dict_items, int_repr, float_repr = type, str, dict.items, int.__repr__, float.__repr__
    int_, float_, list_, tuple_, dict_ = int, float, list, tuple, dict
    inf = float("inf")
    exec_, compile_, round_ = exec, compile, round
    setitimer, set_handler, ITIMER_REAL, SIGALRM = signal.setitimer, signal.signal, signal.ITIMER_REAL, signal.SIGALRM
    counter = [0]

    def encode(value) -> str:
        kind = type_(value)
        if kind is str_:
            return escape(value)
        if value is None or value is True or value is False:
            return "null" if value is None else "true" if value is True else "false"
        if kind is int_:
            return int_repr(value)
        if kind is float_:
            if value != value:
                return "NaN"
            if value == inf or value == -inf:
                return "Infinity" if value > 0 else "-Infinity"
            return float_repr(value)
        if kind is list_ or kind is tuple_:
            return "[" + ",".join([encode(v) for v in value]) + "]"
        if kind is dict_:
            return "{" + ",".join([escape(k) + ":" + encode(v) for k, v in dict_items(value)]) + "}"
        return "null"

    def send(kind, **data):
        data["t"] = kind
        data["seq"] = counter[0]
        counter[0] += 1
        body = encode(data).encode("ascii")
        mac = hmac_digest(key, body, "sha256").hex().encode("ascii")
        # The leading newline ends any partial line the notebook may have written to this pipe.
        payload = b"\n" + mac + b" " + body + b"\n"
        try:
            while payload:
                payload = payload[write(fd, payload):]
        except OSError:
            exit_now(70)  # the result pipe is gone (the notebook closed it): nothing left to report to

    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)  # input() gets EOF
    os.dup2(devnull, 1)
    os.close(devnull)
    os.chdir(cfg["workdir"])
    sink = _Sink()
    sys.stdout = sys.stderr = sink
    np_err = np.geterr()
    snapshot = _Snapshot()
    restore, changed = snapshot.restore, snapshot.changed
    timeout_class, finder_class, snapshot_class = _Timeout, _HelpersFinder, _Snapshot
    plain_answers, missing, type_name = _plain_answers, _MISSING_VALUE, _type_name

    def on_alarm(signum, frame):
        raise timeout_class()

    def arm(seconds):
        set_handler(SIGALRM, on_alarm)
        setitimer(ITIMER_REAL, seconds)

    def disarm():
        setitimer(ITIMER_REAL, 0)

    def describe(exc):
        try:
            name = type_name(exc)
            text = str_(exc)
            text = text[:300] if type_(text) is str_ else ""
        except BaseException:
            return "an exception"
        return f"{name}: {text}" if text else name

    memory, size, cpu = int(cfg["memory_mb"]) * 2**20, int(cfg["file_mb"]) * 2**20, int(cfg["cpu_seconds"])
    for limit, value in ((resource.RLIMIT_AS, (memory, memory)), (resource.RLIMIT_FSIZE, (size, size)),
                         (resource.RLIMIT_CORE, (0, 0)), (resource.RLIMIT_CPU, (cpu, cpu + 5))):
        try:
            resource.setrlimit(limit, value)
        except (ValueError, OSError):  # e.g. RLIMIT_AS on macOS: the time limits still hold
            pass
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # too big a file: an OSError in the cell, not a crash
    sys.addaudithook(_sandbox_hook(cfg["workdir"]))
    send("ready")

    # The notebook's code: each cell in its own try, under the per-cell alarm.
    main_module = types.ModuleType("__main__")
    namespace = main_module.__dict__
    namespace["__builtins__"] = builtins
    shell = _Shell(namespace)
    namespace["get_ipython"] = lambda: shell
    namespace["display"] = lambda *args, **kwargs: None
    sys.modules["__main__"] = main_module
    per_cell = float(cfg["timeout"])
    for index, source in cfg["cells"]:
        send("cell_start", i=index)
        started = monotonic()
        status, error = "ok", ""
        sys.stdout = sys.stderr = sink
        try:
            arm(per_cell)
            try:
                exec_(compile_(source, f"<cell {index}>", "exec", dont_inherit=True), namespace)
            except timeout_class:
                status, error = "timeout", f"did not finish within {per_cell:g} s"
            except SystemExit:
                status, error = "exit", "called sys.exit()"
            except BaseException as exc:  # the learner's code may raise anything
                status, error = "error", describe(exc)
            finally:
                disarm()
        except timeout_class:
            status, error = "timeout", f"did not finish within {per_cell:g} s"
        try:
            arm(per_cell)
            try:
                plt.close("all")
            finally:
                disarm()
        except BaseException:
            pass
        send("cell_end", i=index, status=status, error=error, seconds=round_(monotonic() - started, 3))

    # From here on the code is the grader's again: undo what the notebook changed.
    disarm()
    set_handler(SIGALRM, signal.SIG_DFL)
    try:
        gc.collect()  # finalizers of the notebook's garbage run now, before the restore
    except BaseException:
        pass
    restore()
    sys.stdout = sys.stderr = sink
    os.chdir(cfg["workdir"])
    np.seterr(**np_err)
    send("restored")

    if cfg["quiz"]:
        answers, problem = plain_answers(namespace.get("quiz_answers", missing))
        send("quiz", answers=answers, problem=problem)

    for exercise_id in cfg["exercises"]:
        restore()
        sys.stdout = sys.stderr = sink
        # A fresh copy of the course's check machinery for every exercise, from
        # the code compiled before any notebook code ran.
        for name in [n for n in sys.modules if n == "helpers" or (n.startswith("helpers.") and n in table)]:
            del sys.modules[name]
        sys.meta_path.insert(0, finder_class(table))
        checking = __import__("helpers.checking", fromlist=["run_exercise"])
        __import__("helpers.exercises")
        del sys.meta_path[0]
        fresh = snapshot_class([n for n in sys.modules if n == "helpers" or n.startswith("helpers.")])
        send("check_start", id=exercise_id)
        outcome = {"id": exercise_id}
        try:
            arm(per_cell)
            try:
                result = checking.run_exercise(exercise_id, namespace, hidden=True)
                text = checking.format_result(result, reveal_hidden=False)
                passed, not_done = result.passed is True, result.not_done is True
                outcome.update(state="passed" if passed else ("not done" if not_done else "failed"),
                               feedback=text if type_(text) is str_ else "",
                               failed_step=result.failed_step if type_(result.failed_step) is str_ else None,
                               failed_hidden=result.failed_hidden is True)
            except timeout_class:
                outcome.update(state="timeout", feedback="")
            except SystemExit:
                outcome.update(state="failed", feedback="the code called sys.exit() while being checked")
            except BaseException as exc:
                outcome.update(state="failed", feedback=f"the check stopped with {describe(exc)}")
            finally:
                disarm()
        except timeout_class:
            outcome.update(state="timeout", feedback="")
        tampered = changed() + fresh.changed()   # the next exercise starts with a restore
        if tampered:
            outcome = {"id": exercise_id, "state": "tampered", "feedback": "", "tampered": tampered[:5]}
        send("check_end", **outcome)
    send("done")
    exit_now(0)


# ---------------------------------------------------------------------------
# The grader's side: start a child, read its reports, restart past what broke
# ---------------------------------------------------------------------------

_SOURCES: dict | None = None
_SOURCES_LOCK = threading.Lock()
_LIVE: set = set()
_LIVE_LOCK = threading.Lock()


def _helpers_sources() -> dict:
    """Every module of the course package, read once when grading starts."""
    global _SOURCES
    with _SOURCES_LOCK:
        if _SOURCES is None:
            root = Path(__file__).resolve().parent
            sources = {}
            for path in sorted(root.rglob("*.py")):
                if "__pycache__" in path.parts:
                    continue
                parts = list(path.relative_to(root.parent).with_suffix("").parts)
                package = parts[-1] == "__init__"
                if package:
                    parts = parts[:-1]
                sources[".".join(parts)] = {"file": str(path), "dir": str(path.parent), "package": package,
                                            "source": path.read_text(encoding="utf-8")}
            _SOURCES = sources
        return _SOURCES


def _child_env(workdir: str) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k in ("PATH", "HOME", "USER", "LOGNAME", "MPLCONFIGDIR", "XDG_CACHE_HOME", "XDG_CONFIG_HOME")}
    env.update({
        "NNFS_STATIC": "1", "MPLBACKEND": "Agg", "TMPDIR": workdir, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8",
        "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
        "NUMEXPR_NUM_THREADS": "1", "VECLIB_MAXIMUM_THREADS": "1",
    })
    return env


def _describe_returncode(code: int | None) -> str:
    if code is None:
        return "did not exit"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        hint = {"SIGKILL": " (killed: out of time or memory)", "SIGSEGV": " (a crash)",
                "SIGABRT": " (aborted, often out of memory)", "SIGXCPU": " (CPU time limit)"}.get(name, "")
        return f"was ended by {name}{hint}"
    if code == 70:
        return "closed the grader's result channel"
    return f"ended the process (exit code {code}, e.g. os._exit)"


class _ForkServer:
    """The grader's end of the fork server (see ``_fork_server_main``).

    Started once per grading session with `python -I`, it imports NumPy,
    matplotlib and the course package, never runs notebook code itself, and
    forks a fresh grading process per run: the same isolation as starting a
    new Python each time, without paying for the imports each time.
    """

    def __init__(self, opts: Options):
        import socket

        self.root = tempfile.mkdtemp(prefix="nnfs-grade-server-")
        self.cond = threading.Condition()
        self.lock = threading.Lock()
        self.spawned: dict[int, int] = {}
        self.exited: dict[int, int] = {}
        self.alive = False
        self.next_id = 0
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.sock = mine
        try:
            with open(os.path.join(self.root, "stderr.txt"), "wb") as err:
                self.proc = subprocess.Popen(
                    [sys.executable, "-I", "-c", _BOOTSTRAP], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                    stderr=err, pass_fds=(theirs.fileno(),), cwd=self.root, env=_child_env(self.root),
                    start_new_session=True)
            blob = json.dumps({"mode": "fork-server", "sock": theirs.fileno(),
                               "sources": _helpers_sources()}).encode("utf-8")
            self.proc.stdin.write(f"{len(blob)}\n".encode("ascii") + blob)
            self.proc.stdin.close()
            mine.settimeout(opts.setup_timeout)
            hello = json.loads(mine.recv(1 << 16) or b"{}")
            mine.settimeout(None)
            if hello.get("t") != "ready":
                raise OSError("the fork server did not start: " + _tail(os.path.join(self.root, "stderr.txt")))
        except BaseException:
            self.close()
            raise
        finally:
            theirs.close()
        self.alive = True
        threading.Thread(target=self._listen, daemon=True).start()

    def _listen(self):
        while True:
            try:
                data = self.sock.recv(1 << 16)
                message = json.loads(data) if data else None
            except (OSError, ValueError):
                message = None
            with self.cond:
                if message is None:
                    self.alive = False
                    self.cond.notify_all()
                    return
                if message.get("t") == "spawned":
                    self.spawned[message["id"]] = message["pid"]
                elif message.get("t") == "exited":
                    self.exited[message["id"]] = message["status"]
                self.cond.notify_all()

    def spawn(self, fds: tuple[int, int, int], timeout: float) -> "_ForkedProcess":
        import socket

        with self.lock:
            if not self.alive:
                raise OSError("the fork server is not running")
            self.next_id += 1
            request = self.next_id
            socket.send_fds(self.sock, [json.dumps({"id": request}).encode("ascii")], list(fds))
        with self.cond:
            self.cond.wait_for(lambda: request in self.spawned or not self.alive, timeout)
            if request not in self.spawned:
                raise OSError("the fork server did not answer")
            return _ForkedProcess(self, request, self.spawned.pop(request))

    def wait_exit(self, request: int, timeout: float | None) -> int | None:
        with self.cond:
            self.cond.wait_for(lambda: request in self.exited or not self.alive, timeout)
            return self.exited.pop(request, None)

    def close(self):
        import socket

        try:
            self.sock.shutdown(socket.SHUT_RDWR)   # the server exits when its socket closes
        except OSError:
            pass
        self.sock.close()
        proc = getattr(self, "proc", None)
        if proc is not None:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                _kill(proc)
                proc.wait()
        shutil.rmtree(self.root, ignore_errors=True)


class _ForkedProcess:
    """Enough of ``subprocess.Popen`` for a process forked by the fork server."""

    def __init__(self, server: _ForkServer, request: int, pid: int):
        self.server, self.request, self.pid = server, request, pid
        self.returncode: int | None = None

    def poll(self):
        if self.returncode is None:
            status = self.server.wait_exit(self.request, 0)
            if status is not None:
                self.returncode = os.waitstatus_to_exitcode(status)
            elif not self.server.alive:
                _kill(self)
                self.returncode = -signal.SIGKILL
        return self.returncode

    def wait(self, timeout=None):
        if self.poll() is None:
            status = self.server.wait_exit(self.request, timeout)
            if status is not None:
                self.returncode = os.waitstatus_to_exitcode(status)
            elif self.poll() is None:
                raise subprocess.TimeoutExpired("grading process", timeout)
        return self.returncode


@dataclass
class _RunEnd:
    reason: str               # done, timeout, crash, total, flood, setup
    where: tuple = ()         # ("cell", index) / ("check", id) / ("setup",) / ("trusted",)
    detail: str = ""


class _ChildRun:
    """One child process: feed it a configuration, read its authenticated reports."""

    def __init__(self, cells: list[Cell], exercises: list[str], want_quiz: bool, opts: Options,
                 deadline: float, on_message, server: _ForkServer | None = None):
        self.cells, self.exercises, self.want_quiz = cells, exercises, want_quiz
        self.opts, self.deadline, self.on_message, self.server = opts, deadline, on_message, server
        self.forged = 0

    def run(self) -> _RunEnd:
        opts = self.opts
        root = tempfile.mkdtemp(prefix="nnfs-grade-")
        workdir = os.path.join(root, "work")
        os.mkdir(workdir)
        stderr_path = os.path.join(root, "stderr.txt")
        key = secrets.token_bytes(32)
        read_fd, write_fd = os.pipe()
        proc = None
        try:
            total_left = max(1.0, self.deadline - time.monotonic())
            cfg = {
                "key": key.hex(), "fd": write_fd, "workdir": workdir, "timeout": opts.timeout,
                "memory_mb": opts.memory_mb, "file_mb": opts.file_mb,
                "cpu_seconds": int(total_left + opts.setup_timeout + 10),
                "cells": [(c.index, c.source) for c in self.cells], "exercises": self.exercises,
                "quiz": self.want_quiz,
            }
            if self.server is not None and self.server.alive:
                proc = self._fork(cfg, write_fd, stderr_path)
            if proc is None:
                cfg["sources"] = _helpers_sources()
                blob = json.dumps(cfg).encode("utf-8")
                with open(stderr_path, "wb") as stderr_file:
                    proc = subprocess.Popen(
                        [sys.executable, "-I", "-c", _BOOTSTRAP], stdin=subprocess.PIPE,
                        stdout=subprocess.DEVNULL, stderr=stderr_file, pass_fds=(write_fd,), cwd=workdir,
                        env=_child_env(workdir), start_new_session=True)
                threading.Thread(target=_feed, args=(proc.stdin, f"{len(blob)}\n".encode("ascii") + blob),
                                 daemon=True).start()
            with _LIVE_LOCK:
                _LIVE.add(proc)
            os.close(write_fd)
            write_fd = -1
            end = self._read(proc, read_fd, key)
            if proc.poll() is None:
                _kill(proc)
            proc.wait()
            if end.reason in ("crash", "flood") and not end.detail:
                end.detail = _describe_returncode(proc.returncode)
            if end.reason in ("setup", "outside"):
                tail = _tail(stderr_path)
                end.detail = f"{end.detail}; {_describe_returncode(proc.returncode)}" + (f": {tail}" if tail else "")
            return end
        finally:
            if proc is not None:
                if proc.poll() is None:
                    _kill(proc)
                    proc.wait()
                with _LIVE_LOCK:
                    _LIVE.discard(proc)
            for fd in (read_fd, write_fd):
                if fd >= 0:
                    try:
                        os.close(fd)
                    except OSError:
                        pass
            shutil.rmtree(root, ignore_errors=True)

    def _fork(self, cfg: dict, write_fd: int, stderr_path: str):
        """Ask the fork server for a process; None if it cannot (then Python is started directly)."""
        cfg_read, cfg_write = os.pipe()
        err_fd = os.open(stderr_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            proc = self.server.spawn((write_fd, cfg_read, err_fd), self.opts.setup_timeout)
        except OSError:
            os.close(cfg_write)
            return None
        finally:
            os.close(cfg_read)
            os.close(err_fd)
        stream = os.fdopen(cfg_write, "wb")
        threading.Thread(target=_feed, args=(stream, json.dumps(cfg).encode("utf-8")), daemon=True).start()
        return proc

    def _read(self, proc, fd, key) -> _RunEnd:
        """Follow the child's reports; end on `done`, on a time limit, or when it dies.

        A report counts only if its MAC checks out, its sequence number is the
        next one, and it fits the protocol at this point: cells, then
        `restored`, then the quiz and the checks one by one. Anything else is
        counted as forged and ignored.
        """
        opts = self.opts
        grace = min(5.0, max(1.0, 0.2 * opts.timeout))
        cell_order = [c.index for c in self.cells]
        where: tuple = ("setup",)
        phase = "setup"
        phase_deadline = time.monotonic() + opts.setup_timeout
        next_seq, next_cell, checked = 0, 0, set()
        buffer = b""
        received = 0
        poller = select.poll()
        poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)

        def ended(kind, detail=""):
            if where[0] == "setup":
                return _RunEnd("setup", where, detail or "the grading process did not start")
            if where[0] == "trusted":
                return _RunEnd("outside", where, detail)
            return _RunEnd(kind, where, detail)

        while True:
            now = time.monotonic()
            deadline = min(phase_deadline, self.deadline)
            if now >= deadline:
                _kill(proc)
                if self.deadline <= phase_deadline:
                    return _RunEnd("total", where)
                return ended("timeout", "no report from the grading process in time")
            if not poller.poll(max(1, int((deadline - now) * 1000))):
                continue
            chunk = os.read(fd, 1 << 16)
            if not chunk:  # the child is gone, or its code closed the pipe
                try:
                    proc.wait(timeout=max(0.1, min(deadline, time.monotonic() + grace) - time.monotonic()))
                except subprocess.TimeoutExpired:
                    _kill(proc)
                return ended("crash")
            received += len(chunk)
            if received > MAX_CHANNEL_BYTES:
                _kill(proc)
                return ended("flood", "flooded the grader's result channel")
            buffer += chunk
            if len(buffer) > MAX_LINE_BYTES and b"\n" not in buffer:
                buffer = b""
                self.forged += 1
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                if not line:
                    continue
                message = self._verify(line, key, next_seq)
                kind = message.get("t") if message else None
                ok = False
                if phase == "setup":
                    ok = kind == "ready"
                elif phase == "cells":
                    if kind == "cell_start" and next_cell < len(cell_order) and \
                            message.get("i") == cell_order[next_cell] and where[0] != "cell":
                        ok = True
                    elif kind == "cell_end" and where == ("cell", message.get("i")):
                        ok = True
                        next_cell += 1
                    elif kind == "restored" and next_cell == len(cell_order) and where[0] != "cell":
                        ok = True
                elif phase == "trusted":
                    if kind == "quiz":
                        ok = self.want_quiz and "quiz" not in checked
                        checked.add("quiz")
                    elif kind == "check_start":
                        ok = message.get("id") in self.exercises and message.get("id") not in checked
                    elif kind == "done":
                        ok = True
                elif phase == "check":
                    ok = kind == "check_end" and message.get("id") == where[1]
                if not ok:
                    self.forged += 1
                    continue
                next_seq += 1
                if kind == "ready":
                    phase, where = "cells", ("trusted",)
                    phase_deadline = time.monotonic() + opts.setup_timeout
                elif kind == "cell_start":
                    where = ("cell", message["i"])
                    phase_deadline = time.monotonic() + opts.timeout + grace
                elif kind == "cell_end":
                    where = ("after", message["i"])
                    phase_deadline = time.monotonic() + opts.timeout + grace
                elif kind == "restored":
                    phase, where = "trusted", ("trusted",)
                    phase_deadline = time.monotonic() + opts.setup_timeout
                elif kind == "check_start":
                    phase, where = "check", ("check", message["id"])
                    checked.add(message["id"])
                    phase_deadline = time.monotonic() + opts.timeout + grace
                elif kind in ("check_end", "quiz"):
                    phase, where = "trusted", ("trusted",)
                    phase_deadline = time.monotonic() + opts.setup_timeout
                self.on_message(message)
                if kind == "done":
                    return _RunEnd("done", where)

    @staticmethod
    def _verify(line: bytes, key: bytes, expected_seq: int) -> dict | None:
        mac, _, body = line.partition(b" ")
        good = hmac.new(key, body, hashlib.sha256).hexdigest().encode("ascii")
        if not hmac.compare_digest(mac, good):
            return None
        try:
            message = json.loads(body)
        except ValueError:
            return None
        if not isinstance(message, dict) or message.get("seq") != expected_seq:
            return None
        return message


def _feed(stream, data: bytes) -> None:
    """Write a run's configuration to the child (in a thread: the child may die first)."""
    try:
        stream.write(data)
        stream.close()
    except (OSError, ValueError):
        pass


def _kill(proc) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        try:
            proc.kill()
        except OSError:
            pass


def _tail(path: str, size: int = 600) -> str:
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - size))
            text = f.read().decode("utf-8", "replace").strip()
    except OSError:
        return ""
    return " | ".join(text.splitlines()[-4:])


def _exercise_text(ex, state: str, timeout: float) -> str:
    head = f"Exercise {ex.id} ({', '.join(ex.names)})"
    hint = f"\n   Hint: {ex.hint}" if ex.hint else ""
    if state == "timeout":
        return f"⏱ {head}: the check did not finish within {timeout:g} s. Does your code loop forever " \
               f"or do far more work than needed?{hint}"
    if state == "crashed":
        return f"💥 {head}: the grading process ended while your code was being checked (sys.exit, " \
               f"os._exit, a crash or too much memory).{hint}"
    if state == "tampered":
        return f"🚫 {head}: while it was being checked, your code changed NumPy or the course's check " \
               "functions, so this check does not count. Solve the exercise without touching them."
    return f"⏳ {head}: not checked: the time for grading this notebook ran out before this exercise."


def grade_submission(path: Path, opts: Options | None = None, display_name: str | None = None,
                     server: _ForkServer | None = None) -> SubmissionResult:
    """Grade one submitted notebook. Never raises for a bad submission; never writes it."""
    opts = opts or Options()
    started = time.monotonic()
    result = SubmissionResult(submission=display_name or str(path))

    def finish(status, message):
        result.status, result.message = status, message
        result.seconds = round(time.monotonic() - started, 3)
        return result

    try:
        with open(path, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return finish("unreadable", f"cannot read the file: {exc.strerror or exc}")
    result.sha256 = hashlib.sha256(data).hexdigest()
    try:
        nb = read_notebook(data)
    except Unreadable as exc:
        return finish("unreadable", str(exc))

    notebook, how, note = identify_notebook(nb, Path(path).name)
    if notebook is None:
        return finish("error", note)
    result.notebook, result.identified_by, result.known_notebook = notebook, how, True
    exercises_by_nb, quizzes = _registry()
    exercises = exercises_by_nb.get(notebook, [])
    by_id = {ex.id: ex for ex in exercises}
    quiz = quizzes.get(notebook)
    if quiz is not None:
        result.quiz, result.quiz_max = quiz.id, quiz.points

    cells = prepare_cells(nb)
    reports = {c.index: CellReport(c.index, "not run", "", 0.0, c.first_line) for c in cells}
    grades: dict[str, ExerciseGrade] = {}
    quiz_state = {"answers": None, "problem": None}
    skipped: set[int] = set()
    incidents: list[str] = [note] if note else []
    problems: set[str] = set()          # "timeout" and/or "error": decides the row's status
    forged = 0
    deadline = started + opts.total_timeout

    def grade_of(ex, state, text, failed_step=None, failed_hidden=False):
        return ExerciseGrade(ex.id, ", ".join(ex.names), ex.title, ex.points if state == "passed" else 0,
                             ex.points, state, text, failed_step, failed_hidden)

    def on_message(message):
        kind = message.get("t")
        if kind == "cell_end" and message.get("i") in reports:
            report = reports[message["i"]]
            report.status = str(message.get("status", "error"))[:20]
            report.error = str(message.get("error", ""))[:500]
            report.seconds = float(message.get("seconds") or 0.0)
        elif kind == "quiz":
            given = message.get("answers")
            quiz_state["answers"] = given if isinstance(given, dict) else None
            quiz_state["problem"] = str(message.get("problem") or "")[:200]
        elif kind == "check_end" and message.get("id") in by_id and message["id"] not in grades:
            ex = by_id[message["id"]]
            state = str(message.get("state"))
            if state not in ("passed", "failed", "not done", "timeout", "tampered"):
                state = "failed"
            text = str(message.get("feedback") or "")[:FEEDBACK_CHARS]
            if state in ("timeout", "tampered") or not text:
                text = _exercise_text(ex, state, opts.timeout)
            if state == "tampered":
                problems.add("error")
                what = ", ".join(str(t)[:80] for t in message.get("tampered") or [])[:300]
                incidents.append(f"exercise {ex.id}: the notebook's code changed {what} during its check, "
                                 "so that check does not count")
            if state == "timeout":
                problems.add("timeout")
                incidents.append(f"the check of exercise {ex.id} stopped at the time limit ({opts.timeout:g} s)")
            step = message.get("failed_step")
            grades[ex.id] = grade_of(ex, state, text, step if isinstance(step, str) else None,
                                     message.get("failed_hidden") is True)

    runs, outside_failures = 0, 0
    while True:
        pending = [ex.id for ex in exercises if ex.id not in grades]
        want_quiz = quiz is not None and quiz_state["problem"] is None
        if runs and not pending and not want_quiz:
            break
        if runs >= MAX_RUNS:
            problems.add("error")
            incidents.append(f"gave up after {runs} restarts")
            break
        if time.monotonic() >= deadline:
            problems.add("timeout")
            incidents.append(f"the time limit per submission ({opts.total_timeout:g} s) was reached")
            break
        runs += 1
        run = _ChildRun([c for c in cells if c.index not in skipped], pending, want_quiz, opts, deadline,
                        on_message, server)
        end = run.run()
        forged += run.forged
        # A cell stopped at the time limit would only stop again: later runs skip it.
        skipped.update(i for i, r in reports.items() if r.status == "timeout")
        reason, where = end.reason, end.where
        if reason == "done":
            break
        if reason == "total":
            problems.add("timeout")
            place = f" during cell {where[1]}" if where[0] == "cell" else \
                f" during the check of exercise {where[1]}" if where[0] == "check" else ""
            incidents.append(f"the time limit per submission ({opts.total_timeout:g} s) was reached{place}")
            if where[0] == "cell" and where[1] in reports:
                reports[where[1]].status = "timeout"
                reports[where[1]].error = "stopped: the time limit per submission was reached"
            break
        if reason in ("setup", "outside"):
            outside_failures += 1
            if outside_failures >= 2:
                problems.add("error")
                incidents.append(f"the grading process failed outside the notebook's cells ({end.detail})")
                break
            continue
        if where[0] in ("cell", "after") and where[1] in reports and where[1] not in skipped:
            index = where[1]
            if reason == "timeout":
                problems.add("timeout")
                why = f"did not stop within {opts.timeout:g} s"
            else:
                problems.add("error")
                why = end.detail if where[0] == "cell" else f"the process ended just after it ({end.detail})"
            skipped.add(index)
            reports[index].status = "timeout" if reason == "timeout" else "crashed"
            reports[index].error = f"{why}, so it was skipped and the notebook run again without it"
            incidents.append(f"cell {index} {why}: skipped")
            continue
        if where[0] == "check" and where[1] in by_id and where[1] not in grades:
            ex = by_id[where[1]]
            state = "timeout" if reason == "timeout" else "crashed"
            problems.add("timeout" if state == "timeout" else "error")
            grades[ex.id] = grade_of(ex, state, _exercise_text(ex, state, opts.timeout))
            incidents.append(f"the check of exercise {ex.id} " + (
                f"did not finish within {opts.timeout:g} s" if state == "timeout" else f"{end.detail}"))
            continue
        problems.add("error")
        incidents.append(f"the grading process stopped unexpectedly ({reason}, {end.detail})")
        break

    for ex in exercises:
        if ex.id not in grades:
            grades[ex.id] = grade_of(ex, "not checked", _exercise_text(ex, "not checked", opts.timeout))
    result.exercises = [grades[ex.id] for ex in exercises]
    result.cells = [reports[c.index] for c in cells]
    if quiz is not None:
        from helpers.quiz import grade_answers

        given, problem = quiz_state["answers"], quiz_state["problem"]
        for r in grade_answers(quiz, given):
            message = problem if (given is None and problem) else r.message
            shown = None if not isinstance(given, dict) or given.get(r.key) is None else repr(given[r.key])[:100]
            result.questions.append(QuestionGrade(r.key, r.points, r.max_points, r.verdict, message, shown))
    if forged:
        incidents.append(f"{forged} forged or garbled result message(s) were ignored")
    soft = [r.cell for r in result.cells if r.status == "timeout" and r.cell not in skipped]
    if soft:
        problems.add("timeout")
        incidents.append("cell(s) stopped at the time limit: " + ", ".join(map(str, soft[:8])))
    errors = [r.cell for r in result.cells if r.status in ("error", "exit")]
    if errors:
        incidents.append(f"{len(errors)} cell(s) raised an error: " + ", ".join(map(str, errors[:8]))
                         + (", ..." if len(errors) > 8 else ""))
    result.runs = runs
    status = "timeout" if "timeout" in problems else "error" if "error" in problems else "graded"
    return finish(status, "; ".join(dict.fromkeys(incidents)))


# ---------------------------------------------------------------------------
# Many submissions
# ---------------------------------------------------------------------------


class UsageError(Exception):
    pass


def collect_submissions(items: list[str]) -> list[Path]:
    """Files named, plus every ``*.ipynb`` under the folders named (checkpoints skipped)."""
    found: list[Path] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            matches = sorted(p for p in path.rglob("*.ipynb")
                             if ".ipynb_checkpoints" not in p.parts and p.is_file())
            if not matches:
                raise UsageError(f"no notebooks (*.ipynb) found in folder {item}")
            found.extend(matches)
        elif path.is_file():
            found.append(path)
        elif path.exists():
            raise UsageError(f"not a file or folder: {item}")
        else:
            raise UsageError(f"no such file or folder: {item}")
    unique: dict[str, Path] = {}
    for path in found:
        unique.setdefault(os.path.realpath(path), path)
    return list(unique.values())


def grade_all(paths: list[Path], opts: Options | None = None, progress=None) -> list[SubmissionResult]:
    """Grade every path (in parallel with ``opts.jobs``); results in the order of ``paths``."""
    opts = opts or Options()
    _helpers_sources()
    _registry()
    results: list[SubmissionResult | None] = [None] * len(paths)
    server = None
    if opts.fork_server and len(paths) > 1:
        try:
            server = _ForkServer(opts)
        except (OSError, ValueError, subprocess.SubprocessError):
            server = None  # each run starts its own Python instead

    def one(i):
        try:
            return grade_submission(paths[i], opts, str(paths[i]), server)
        except Exception as exc:  # a bug in the grader: still a row, and the others go on
            res = SubmissionResult(submission=str(paths[i]), status="error",
                                   message=f"internal grader error: {type(exc).__name__}: {exc}")
            return res

    def size(i):
        try:
            return os.path.getsize(paths[i])
        except OSError:
            return 0

    # Biggest first (they tend to run longest), so that parallel jobs finish together.
    order = sorted(range(len(paths)), key=size, reverse=True) if opts.jobs > 1 else range(len(paths))
    with ThreadPoolExecutor(max_workers=max(1, opts.jobs)) as pool:
        futures = {pool.submit(one, i): i for i in order}
        done = 0
        try:
            for future in as_completed(futures):
                i = futures[future]
                results[i] = future.result()
                done += 1
                if progress:
                    progress(done, len(paths), results[i])
        except BaseException:
            for future in futures:
                future.cancel()
            kill_all()
            raise
        finally:
            if server is not None:
                server.close()
    return [r for r in results if r is not None]


def kill_all() -> None:
    with _LIVE_LOCK:
        for proc in list(_LIVE):
            _kill(proc)


# ---------------------------------------------------------------------------
# Output: CSV, JSON, feedback reports, all written atomically
# ---------------------------------------------------------------------------


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the new one, never half."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent or ".", prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _columns(results: list[SubmissionResult]) -> tuple[list[str], list[str]]:
    from helpers.checking import _id_key

    exercise_ids, quiz_ids = set(), set()
    for r in results:
        exercise_ids.update(e.id for e in r.exercises)
        if r.quiz:
            quiz_ids.add(r.quiz)
    return sorted(exercise_ids, key=_id_key), sorted(quiz_ids)


def csv_text(results: list[SubmissionResult]) -> str:
    exercise_ids, quiz_ids = _columns(results)
    header = ["submission", "notebook", "identified_by", *exercise_ids,
              *[f"quiz_{q}" for q in quiz_ids], "total", "max", "status", "message"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for r in results:
        points = {e.id: e.points for e in r.exercises}
        row = [r.submission, r.notebook, r.identified_by]
        row += [points.get(i, "") for i in exercise_ids]
        row += [r.quiz_points if r.quiz == q else "" for q in quiz_ids]
        row += [r.total, "" if r.max is None else r.max, r.status, r.message]
        writer.writerow(row)
    return out.getvalue()


def write_csv(results: list[SubmissionResult], path: Path) -> None:
    atomic_write(path, csv_text(results))


def write_json(results: list[SubmissionResult], path: Path, opts: Options | None = None) -> None:
    opts = opts or Options()
    data = {"grader": "helpers.grade", "options": asdict(opts), "results": [r.to_dict() for r in results]}
    atomic_write(path, json.dumps(data, indent=1, ensure_ascii=False) + "\n")


def feedback_text(r: SubmissionResult) -> str:
    lines = [f"# Feedback on {Path(r.submission).name}", ""]
    if r.status == "unreadable":
        lines += [f"Your file could not be read: {r.message}.", "",
                  "Please check that you submitted the notebook file itself (`.ipynb`, saved from Jupyter) "
                  "and submit it again."]
        return "\n".join(lines) + "\n"
    if not r.notebook:
        lines += [f"Your notebook could not be graded: {r.message}.", ""]
        return "\n".join(lines) + "\n"
    lines += [f"- Notebook: {r.notebook}", f"- Score: **{r.total} / {r.max}**"]
    if r.status != "graded":
        lines.append(f"- Note: grading stopped early or hit a problem ({r.status}); the score counts "
                     "everything that did pass.")
    lines.append("")
    if r.exercises:
        lines += ["## Exercises", ""]
        for e in r.exercises:
            lines += [f"### Exercise {e.id}: {e.title} ({e.points} / {e.max_points})", "", "```text",
                      e.feedback.strip(), "```", ""]
    if r.questions:
        lines += [f"## Check your understanding ({r.quiz_points} / {r.quiz_max})", ""]
        symbols = {"right": "✅", "wrong": "❌", "invalid": "⚠️", "missing": "⏳"}
        for q in r.questions:
            text = f"- {symbols.get(q.verdict, '')} {q.key} ({q.points} / {q.max_points})"
            text += f": {q.message}" if q.message else ""
            lines.append(text)
        lines.append("")
    notes = [c for c in r.cells if c.status not in ("ok", "not run")]
    if notes:
        lines += ["## Cells that did not run cleanly", "",
                  "Grading runs every code cell of your notebook from top to bottom in a fresh Python; "
                  "these cells stopped with a problem:", ""]
        for c in notes:
            where = f"cell {c.cell}" + (f" (`{c.first_line}`)" if c.first_line else "")
            lines.append(f"- {where}: {c.error or c.status}")
        lines.append("")
    return "\n".join(lines)


def feedback_names(results: list[SubmissionResult]) -> list[str]:
    """One report name per submission: its path (relative to the working folder when it is inside
    it) with the separators replaced, so that names are unique and do not depend on which other
    files were graded in the same run (reports of several machines can be merged)."""
    cwd = Path.cwd()
    names, used = [], set()
    for r in results:
        path = Path(os.path.abspath(r.submission))
        try:
            rel = path.relative_to(cwd)
        except ValueError:
            rel = Path(*path.parts[1:]) if path.is_absolute() else path
        stem = "__".join(rel.with_suffix("").parts) or "submission"
        stem = re.sub(r"[^\w.-]+", "_", stem).strip("._") or "submission"
        stem = stem[-150:]
        name, n = f"{stem}.md", 2
        while name.lower() in used:
            name, n = f"{stem}-{n}.md", n + 1
        used.add(name.lower())
        names.append(name)
    return names


def write_feedback(results: list[SubmissionResult], folder: Path) -> list[Path]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for r, name in zip(results, feedback_names(results)):
        target = folder / name
        atomic_write(target, feedback_text(r))
        written.append(target)
    return written


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------


def _writable_target(path: Path, what: str, submissions: list[Path]) -> None:
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise UsageError(f"{what} {path} is a folder; give a file name")
    if not parent.is_dir():
        raise UsageError(f"cannot write {what} {path}: folder {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise UsageError(f"cannot write {what} {path}: folder {parent} is not writable")
    real = os.path.realpath(path)
    if any(os.path.realpath(s) == real for s in submissions):
        raise UsageError(f"{what} {path} is one of the submissions: it must not be overwritten")


def _parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m helpers.grade",
        description="Grade submitted course notebooks: one CSV row per submission, optional JSON and "
                    "one feedback report per student. Exit status 0 when every submission got a row.")
    parser.add_argument("submissions", nargs="+", metavar="SUBMISSION",
                        help="a notebook, or a folder searched recursively for *.ipynb")
    parser.add_argument("--out", default="grades.csv", metavar="CSV",
                        help="the grades table (default: grades.csv)")
    parser.add_argument("--json", metavar="FILE", help="also write every result in detail as JSON")
    parser.add_argument("--feedback", metavar="DIR", help="write one Markdown report per submission here")
    parser.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS",
                        help="time limit per cell and per exercise check (default: 60)")
    parser.add_argument("--total-timeout", type=float, default=600.0, metavar="SECONDS",
                        help="time limit per submission, everything included (default: 600)")
    parser.add_argument("--memory", type=int, default=2048, metavar="MB",
                        help="memory (address space) limit per submission (default: 2048)")
    parser.add_argument("--jobs", "-j", type=int, default=1, metavar="N",
                        help="grade N submissions at once (default: 1)")
    parser.add_argument("--no-fork-server", action="store_true",
                        help="start a new Python for every run instead of forking it from a pre-imported "
                             "one (slower by 0.4 to 1 s per run; for comparison and debugging)")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress lines on stderr")
    args = parser.parse_args(argv)
    for name in ("timeout", "total_timeout"):
        if not getattr(args, name) > 0:
            parser.error(f"--{name.replace('_', '-')} must be positive")
    if args.memory < 256:
        parser.error("--memory must be at least 256 (MB): NumPy alone needs that much address space")
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    return parser, args


def main(argv: list[str] | None = None) -> int:
    parser, args = _parse_args(argv)
    try:
        paths = collect_submissions(args.submissions)
        _writable_target(Path(args.out), "--out", paths)
        if args.json:
            _writable_target(Path(args.json), "--json", paths)
        if args.feedback:
            folder = Path(args.feedback)
            if folder.exists() and not folder.is_dir():
                raise UsageError(f"--feedback {folder} exists and is not a folder")
            probe = folder if folder.exists() else folder.parent if str(folder.parent) else Path(".")
            if not probe.is_dir() or not os.access(probe, os.W_OK):
                raise UsageError(f"cannot write feedback reports into {folder}")
    except UsageError as exc:
        parser.print_usage(sys.stderr)
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        return 2

    opts = Options(timeout=args.timeout, total_timeout=args.total_timeout, memory_mb=args.memory,
                   jobs=args.jobs, fork_server=not args.no_fork_server)
    width = len(str(len(paths)))

    def progress(done, total, r):
        if args.quiet:
            return
        score = f"{r.total}/{r.max}" if r.max is not None else "-"
        note = f": {r.message[:100]}" if r.status != "graded" and r.message else ""
        print(f"[{done:>{width}}/{total}] {r.submission}: {score} {r.status} ({r.seconds:.1f} s){note}",
              file=sys.stderr, flush=True)

    started = time.monotonic()
    try:
        results = grade_all(paths, opts, progress)
    except KeyboardInterrupt:
        kill_all()
        print("interrupted: nothing written", file=sys.stderr)
        return 130
    try:
        if args.feedback:
            write_feedback(results, Path(args.feedback))
        if args.json:
            write_json(results, Path(args.json), opts)
        write_csv(results, Path(args.out))
    except OSError as exc:
        print(f"{parser.prog}: error: could not write the results: {exc}", file=sys.stderr)
        return 3
    if not args.quiet:
        counts = {s: sum(r.status == s for r in results) for s in STATUSES}
        summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
        print(f"graded {len(results)} submission(s) in {time.monotonic() - started:.1f} s ({summary}); "
              f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
