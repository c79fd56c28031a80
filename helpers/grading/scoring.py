"""Grading one submission: run its cells in a sandboxed child, then run every check step here.

The child only answers calls (``remote.Session``); each exercise's steps run in
this process through ``helpers.checking.run_exercise`` against proxies of the
student's objects, with the hidden inputs drawn from the run's secret seed
(set by ``grade_all``). A verdict is never read from the child.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import threading
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import helpers
from helpers.checking import format_result, run_exercise

from .course_copy import CourseCopies, installed_overlays
from .protocol import Channel, Deadline, ProtocolError
from .recognise import identify, registry
from .remote import RemoteError, Session
from .results import CellReport, ExerciseGrade, QuestionGrade, SubmissionResult
from .sandbox import Launcher, SandboxUnavailable, _python_roots, kill, probe_bwrap
from .submissions import (MAX_CELL_CHARS, Submission, Unreadable, cell_source, clean, code_cells,
                          read_bytes, read_notebook, sha256, shown)

MAX_STARTS = 6                 # child processes per submission (each restart skips a cell that stopped)
FEEDBACK_CHARS = 4000          # longest verdict text kept per exercise


@dataclass
class Options:
    """How to grade: sandbox, time, memory and parallelism."""

    timeout: float = 60.0          # seconds per cell, and per exercise's check
    total_timeout: float = 600.0   # seconds per submission, everything included
    memory_mb: int = 2048          # address-space limit of the child
    file_mb: int = 64              # largest file the notebook may write
    scratch_mb: int = 256          # all files the notebook writes, together (bubblewrap only)
    jobs: int = 1
    sandbox: str = "auto"          # auto, bwrap or none
    notebook: str | None = None    # the course notebook every submission is (else recognised)


def _fingerprint(nb: dict) -> str:
    """The notebook's code, with outputs and all whitespace ignored."""
    parts = []
    for cell in nb.get("cells", []):
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            text = re.sub(r"\s+", "", cell_source(cell))
            if text:
                parts.append(text)
    return "\x00".join(parts)


class Grader:
    """One grading run: the sandbox mode, the course copies, the live children, the scratch folder."""

    def __init__(self, opts: Options, hidden: list[Path]):
        self.opts = opts
        self.mode = opts.sandbox
        why = None
        if opts.sandbox in ("auto", "bwrap"):
            why = probe_bwrap()
            if why and opts.sandbox == "bwrap":
                raise SandboxUnavailable(why)
            self.mode = "none" if why else "bwrap"
        if self.mode == "none" and opts.sandbox == "auto":
            raise SandboxUnavailable(f"{why}; install bubblewrap, or run with --sandbox none to grade "
                                     "without a sandbox (only for submissions you trust)")
        self.workdir = Path(tempfile.mkdtemp(prefix="nnfs-grade-"))
        self.workdir.chmod(0o755)
        self.hidden = hidden
        self.launcher = Launcher(self.mode, self.workdir, hidden + [Path.cwd()], opts.memory_mb,
                                 int(opts.total_timeout) + 5, opts.file_mb, opts.scratch_mb)
        self.copies = CourseCopies(self.workdir)
        self.steps_lock = threading.Lock()      # warnings filters are process-wide: one step at a time
        self.solutions = self._solutions()
        if self.mode == "bwrap":
            copy = self.copies.get("01_activations") if "01_activations" in registry()[0] else self.workdir
            problem = self.launcher.self_test(copy, installed_overlays(copy, _python_roots(self.launcher.hidden)))
            if problem:
                self.close()
                raise SandboxUnavailable(problem)

    def close(self) -> None:
        shutil.rmtree(self.workdir, ignore_errors=True)

    @staticmethod
    def _solutions() -> dict[str, str]:
        folder = Path(helpers.__file__).resolve().parent.parent / "solutions"
        found = {}
        for path in sorted(folder.glob("*.ipynb")) if folder.is_dir() else []:
            try:
                found[_fingerprint(read_notebook(path.read_bytes()))] = path.name
            except (OSError, Unreadable):
                pass
        return found

    # -- one submission ------------------------------------------------------------

    def grade(self, sub: Submission) -> SubmissionResult:
        return _Grading(self, sub).run()


class _Child:
    """A started sandboxed child and the session talking to it."""

    def __init__(self, grader: Grader, notebook: str):
        copy = grader.copies.get(notebook)
        overlays = installed_overlays(copy, _python_roots(grader.launcher.hidden)) if grader.mode == "bwrap" else []
        self.proc = grader.launcher.start(copy, overlays)
        self.session = Session(Channel(self.proc.stdout.fileno(), self.proc.stdin.fileno()))

    def close(self) -> None:
        kill(self.proc)


class _Grading:
    def __init__(self, grader: Grader, sub: Submission):
        self.g, self.sub, self.opts = grader, sub, grader.opts
        self.started = time.monotonic()
        self.deadline = self.started + self.opts.total_timeout
        self.result = SubmissionResult(submission=sub.name)
        self.incidents: list[str] = []
        self.problems: set[str] = set()
        self.child: _Child | None = None
        self.starts = 0

    def finish(self, status: str, message: str) -> SubmissionResult:
        if self.child is not None:
            self.child.close()
            self.child = None
        self.result.status, self.result.message = status, message
        self.result.seconds = round(time.monotonic() - self.started, 3)
        return self.result

    def run(self) -> SubmissionResult:
        try:
            return self._run()
        finally:
            if self.child is not None:
                self.child.close()

    def _run(self) -> SubmissionResult:
        r = self.result
        if self.sub.refused:
            return self.finish("refused", self.sub.refused)
        try:
            data = read_bytes(self.sub.path)
            r.sha256 = sha256(data)
            nb = read_notebook(data)
        except Unreadable as exc:
            return self.finish("unreadable", str(exc))
        notebook, how, note = identify(nb, self.sub.name, self.opts.notebook)
        if notebook is None:
            return self.finish("error", note)
        if note:
            self.incidents.append(note)
        r.notebook, r.identified_by, r.known_notebook = notebook, how, True
        exercises_by_nb, quizzes = registry()
        self.exercises = exercises_by_nb.get(notebook, [])
        quiz = quizzes.get(notebook)
        if quiz is not None:
            r.quiz, r.quiz_max = quiz.id, quiz.points
        shipped = self.g.solutions.get(_fingerprint(nb))
        if shipped:
            r.exercises = [self._grade(ex, "flagged", "🚫 Not graded: this is the course's own solution notebook.")
                           for ex in self.exercises]
            return self.finish("flagged", f"this is the course's shipped solution notebook solutions/{shipped} "
                                          "(code cells identical up to outputs and whitespace): 0 points")

        self.cells = code_cells(nb)
        self.reports = {c.index: CellReport(c.index, "not run", "", 0.0, c.first_line) for c in self.cells}
        self.skipped = set()
        for c in self.cells:
            if c.too_large:
                self.skipped.add(c.index)
                self.reports[c.index].status = "too large"
                self.reports[c.index].error = f"not run: a cell may hold at most {MAX_CELL_CHARS:,} characters " \
                                              "(and a notebook 5,000,000)"
        self.timed_out_cells: list[int] = []
        if quiz is not None:            # read before any check has shown the notebook a hidden input
            self._quiz(quiz, notebook)
        r.exercises = self._exercises(notebook)
        r.cells = [self.reports[c.index] for c in self.cells]
        return self._close_row()

    # -- cells -------------------------------------------------------------------------

    def _ensure_child(self, notebook: str) -> bool:
        """A child that has run every cell not skipped; False when no more time or starts are left."""
        while self.child is None:
            if self.starts >= MAX_STARTS:
                self.problems.add("error")
                self.incidents.append(f"gave up after {self.starts} starts of the notebook")
                return False
            if time.monotonic() >= self.deadline:
                self._total_timeout()
                return False
            self.starts += 1
            self.result.runs = self.starts
            child = _Child(self.g, notebook)
            self.child = child
            for cell in self.cells:
                if cell.index in self.skipped:
                    continue
                report = self.reports[cell.index]
                left = self.deadline - time.monotonic()
                if left <= 0:
                    self._stop_at_cell(cell.index, "stopped: the time limit per submission was reached", "timeout")
                    return False
                limit = min(self.opts.timeout, left)
                child.session.until = time.monotonic() + limit + 5
                try:
                    reply = child.session.request("cell", src=cell.source, timeout=limit)
                except Deadline:
                    self._stop_at_cell(cell.index, f"did not stop within {limit:g} s: skipped, and the notebook "
                                                   "run again without it", "timeout")
                    break
                except ProtocolError:
                    self._stop_at_cell(cell.index, "the process ended during this cell (sys.exit, os._exit, a "
                                                   "crash or too much memory): skipped, and the notebook run "
                                                   "again without it", "crashed")
                    break
                except RemoteError:         # the child failed to run it at all: a report of no report
                    reply = None
                self._record_cell(report, reply)
        return True

    def _record_cell(self, report: CellReport, reply) -> None:
        if not isinstance(reply, dict):
            reply = {"status": "error", "error": "no report from the cell"}
        status = reply.get("status")
        report.status = status if status in ("ok", "error", "exit", "timeout") else "error"
        report.error = shown(str(reply.get("error", ""))[:500])
        seconds = reply.get("seconds")      # the child's word: NaN, inf or a 400-digit int are not times
        report.seconds = round(float(seconds), 3) if type(seconds) in (int, float) and 0 <= seconds < 1e6 else 0.0
        if report.status == "timeout":
            self.problems.add("timeout")
            self.timed_out_cells.append(report.cell)
            self.skipped.add(report.cell)       # a later restart does not wait for it again

    def _stop_at_cell(self, index: int, why: str, status: str) -> None:
        self.child.close()
        self.child = None
        self.skipped.add(index)
        report = self.reports[index]
        report.status, report.error = status, why
        if status == "timeout":
            self.problems.add("timeout")
            self.timed_out_cells.append(index)
        else:
            self.problems.add("error")
            self.incidents.append(f"cell {index} ended the process: skipped")

    def _total_timeout(self) -> None:
        self.problems.add("timeout")
        self.incidents.append(f"the time limit per submission ({self.opts.total_timeout:g} s) was reached")

    # -- exercises ---------------------------------------------------------------------

    def _grade(self, ex, state, text, step=None, hidden=False) -> ExerciseGrade:
        points = ex.points if state == "passed" else 0
        return ExerciseGrade(ex.id, ", ".join(ex.names), ex.title, points, ex.points, state,
                             clean(text[:FEEDBACK_CHARS]), step, hidden)

    def _exercises(self, notebook: str) -> list[ExerciseGrade]:
        """Every exercise's public steps first, then the hidden steps of those that passed them.

        So no public step ever runs after the notebook's code has seen a hidden
        input: whatever the code shows in a public step's feedback (an exception
        message, a returned string) cannot carry a hidden value.
        """
        grades: dict[str, ExerciseGrade] = {}
        public: dict[str, object] = {}
        for ex in self.exercises:
            outcome = self._check(ex, notebook, hidden=False)
            if isinstance(outcome, ExerciseGrade):
                grades[ex.id] = outcome
            else:
                public[ex.id] = outcome
        for ex in self.exercises:
            if ex.id in grades:
                continue
            first = public[ex.id]
            if not first.passed:
                grades[ex.id] = self._verdict(ex, first, [])
                continue
            outcome = self._check(ex, notebook, hidden=True)
            grades[ex.id] = outcome if isinstance(outcome, ExerciseGrade) else \
                self._verdict(ex, outcome, first.passed_steps)
        return [grades[ex.id] for ex in self.exercises]

    def _check(self, ex, notebook: str, hidden: bool):
        """A CheckResult, or an ExerciseGrade when the check could not run (time, crash, reference)."""
        head = f"Exercise {ex.id} ({', '.join(ex.names)})"
        hint = f"\n   Hint: {ex.hint}" if ex.hint else ""
        if not self._ensure_child(notebook):
            return self._grade(ex, "not checked", f"⏳ {head}: not checked: the time for grading this notebook "
                                                  "ran out before this exercise.")
        session = self.child.session
        with self.g.steps_lock:
            session.until = min(time.monotonic() + self.opts.timeout, self.deadline)
            session.reference_used.clear()
            try:
                session.request("forget")
                session.forget()
                namespace = {}
                for name in ex.names:
                    found = session.request("lookup", name=name)
                    if isinstance(found, dict) and found.get("found") is True and "value" in found:
                        namespace[name] = found["value"]
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    session.relay_warnings = True      # for the steps only: never printed on the terminal
                    outcome = run_exercise(ex, namespace, hidden=hidden, only_hidden=hidden)
            except Deadline:
                self.child.close()
                self.child = None
                self.problems.add("timeout")
                self.incidents.append(f"the check of exercise {ex.id} stopped at the time limit "
                                      f"({self.opts.timeout:g} s)")
                return self._grade(ex, "timeout", f"⏱ {head}: the check did not finish within "
                                                  f"{self.opts.timeout:g} s. Does your code loop forever or do far "
                                                  f"more work than needed?{hint}")
            except RemoteError:       # `forget` or a lookup failed in the child: it is in no state to be checked
                self.child.close()
                self.child = None
                self.problems.add("error")
                self.incidents.append(f"the notebook's objects for exercise {ex.id} could not be read")
                return self._grade(ex, "crashed", f"💥 {head}: your notebook's {', '.join(ex.names)} could not be "
                                                  f"handed to the grader (reading it raised an error).{hint}")
            except ProtocolError:
                self.child.close()
                self.child = None
                self.problems.add("error")
                self.incidents.append(f"the process ended during the check of exercise {ex.id}")
                return self._grade(ex, "crashed", f"💥 {head}: the grading process ended while your code was "
                                                  "being checked (sys.exit, os._exit, a crash or too much "
                                                  f"memory).{hint}")
            finally:
                session.until = None
                session.relay_warnings = False
                session.codec.restore()     # the course's own check data, as it was, for the next check
        if session.reference_used:
            self.incidents.append(f"exercise {ex.id} uses the course's own reference implementation: 0 points")
            return self._grade(ex, "reference", f"🚫 {head}: your answer uses the course's own reference "
                                                f"implementation ({session.reference_used[0][:200]}), so it earns "
                                                "no points. Write the code yourself.")
        return outcome

    def _verdict(self, ex, outcome, public_steps: list[str]) -> ExerciseGrade:
        head = f"Exercise {ex.id} ({', '.join(ex.names)})"
        hint = f"\n   Hint: {ex.hint}" if ex.hint else ""
        if outcome.passed:
            steps = public_steps + [s for s in outcome.passed_steps if s != "defined"]
            return self._grade(ex, "passed", f"✅ {head} passed: {' · '.join(steps)}.")
        hidden = any(s.hidden and s.label == outcome.failed_step for s in ex.steps)
        if hidden:
            text = f"❌ {head} failed at: {outcome.failed_step}\n   (a hidden test case: what it tried and what " \
                   f"your code did are not shown.){hint}"
        else:
            text = format_result(outcome)
        state = "not done" if outcome.not_done and not hidden else "failed"
        return self._grade(ex, state, text, outcome.failed_step, hidden)

    # -- quiz ----------------------------------------------------------------------------

    def _quiz(self, quiz, notebook: str) -> None:
        from helpers.quiz import grade_answers

        given, problem = None, "the quiz could not be read (the notebook did not finish)"
        if self._ensure_child(notebook):
            session = self.child.session
            session.until = min(time.monotonic() + self.opts.timeout, self.deadline)
            try:
                reply = session.request("quiz")
                if isinstance(reply, dict) and isinstance(reply.get("answers"), dict):
                    given = {shown(str(k))[:100]: v if (v is None or type(v) in (bool, int, float)) else
                             shown(str(v))[:200] for k, v in list(reply["answers"].items())[:100]}
                    problem = ""
                elif isinstance(reply, dict) and isinstance(reply.get("problem"), str):
                    problem = shown(reply["problem"])[:200]
            except (Deadline, ProtocolError):
                self.child.close()
                self.child = None
            except RemoteError as exc:      # the child could not send its answers (an int of 5,000 bits)
                problem = f"`quiz_answers` could not be read: {shown(str(exc))[:150]}"
            finally:
                if self.child is not None:
                    session.until = None
        for q in grade_answers(quiz, given):
            message = problem if (given is None and problem) else q.message
            answer = None if not isinstance(given, dict) or given.get(q.key) is None else repr(given[q.key])[:100]
            self.result.questions.append(QuestionGrade(q.key, q.points, q.max_points, q.verdict, message, answer))

    # -- the row ---------------------------------------------------------------------------

    def _close_row(self) -> SubmissionResult:
        r = self.result
        if self.timed_out_cells:
            cells = sorted(set(self.timed_out_cells))
            self.incidents.append("stopped at the time limit: cell(s) " + ", ".join(map(str, cells[:10])))
        errors = [c.cell for c in r.cells if c.status in ("error", "exit")]
        if errors:
            self.incidents.append(f"{len(errors)} cell(s) raised an error: " + ", ".join(map(str, errors[:8]))
                                  + (", ..." if len(errors) > 8 else ""))
        uses = [c.cell for c in r.cells if c.error.startswith("CourseReferenceRemoved")]
        if uses:
            self.incidents.append("cell(s) " + ", ".join(map(str, uses[:8])) + " call the course's reference "
                                  "answers to this notebook's exercises, which are withheld while grading")
        large = [c.cell for c in r.cells if c.status == "too large"]
        if large:
            self.incidents.append("cell(s) too large to run: " + ", ".join(map(str, large[:8])))
        status = "timeout" if "timeout" in self.problems else "error" if "error" in self.problems else "graded"
        return self.finish(status, "; ".join(dict.fromkeys(self.incidents)))
