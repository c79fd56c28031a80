"""The command line: ``python -m helpers.grade SUBMISSION... --out grades.csv``."""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from helpers.checking import hidden_seed

from .recognise import known_notebooks, resolve_name
from .reports import write_csv, write_feedback, write_json
from .results import STATUSES, SubmissionResult
from .sandbox import SandboxUnavailable, kill_all
from .scoring import Grader, Options
from .submissions import Submission, UsageError, collect, shown


class Stopped(BaseException):
    """SIGTERM, SIGHUP or SIGINT arrived: stop everything, write nothing."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def grade_all(subs: list[Submission], grader: Grader, progress=None) -> list[SubmissionResult]:
    """Grade every submission (``grader.opts.jobs`` at once); results in the order given.

    The hidden inputs of every check are drawn from one secret seed for this
    run, set here in the grader process; the sandbox never sees it.
    """
    results: list[SubmissionResult | None] = [None] * len(subs)

    def one(i):
        try:
            return grader.grade(subs[i])
        except Exception as exc:  # a bug in the grader: still a row, and the others go on
            return SubmissionResult(submission=subs[i].name, status="error",
                                    message=f"internal grader error: {type(exc).__name__}: {shown(str(exc))[:300]}")
        except KeyboardInterrupt:
            return SubmissionResult(submission=subs[i].name, status="error", message="grading was stopped")

    with hidden_seed(secrets.randbits(63)):
        pool = ThreadPoolExecutor(max_workers=max(1, grader.opts.jobs))
        try:
            futures = {pool.submit(one, i): i for i in range(len(subs))}
            done = 0
            for future in as_completed(futures):
                i = futures[future]
                results[i] = future.result()
                done += 1
                if progress:
                    progress(done, len(subs), results[i])
        except BaseException:
            for future in futures:
                future.cancel()
            kill_all()
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
    return [r for r in results if r is not None]


def duplicates(results: list[SubmissionResult]) -> None:
    """Rows whose files have the same bytes say so (a copied file, or a link to a classmate's)."""
    by_hash: dict[str, list[SubmissionResult]] = {}
    for r in results:
        if r.sha256:
            by_hash.setdefault(r.sha256, []).append(r)
    for group in by_hash.values():
        if len(group) > 1:
            for r in group:
                others = ", ".join(o.submission for o in group if o is not r)[:300]
                note = f"same file content as {others}"
                r.message = f"{r.message}; {note}" if r.message else note


def _writable_target(path: Path, what: str, subs: list[Submission]) -> None:
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise UsageError(f"{what} {shown(str(path))} is a folder; give a file name")
    if not parent.is_dir() or not os.access(parent, os.W_OK):
        raise UsageError(f"cannot write {what} {shown(str(path))}: folder {shown(str(parent))} is not writable")
    real = os.path.realpath(path)
    if any(os.path.realpath(s.path) == real for s in subs):
        raise UsageError(f"{what} {shown(str(path))} is one of the submissions: it must not be overwritten")


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m helpers.grade",
        description="Grade submitted course notebooks: one CSV row per submission, optional JSON and one "
                    "feedback report per student. Each submission runs in a bubblewrap sandbox (install the "
                    "`bubblewrap` package: apt-get install bubblewrap) and only answers calls; every check "
                    "runs in the grader. Exit status 0 when every submission got a row.")
    parser.add_argument("submissions", nargs="+", metavar="SUBMISSION",
                        help="a notebook, or a folder searched recursively for *.ipynb")
    parser.add_argument("--out", default="grades.csv", metavar="CSV", help="the grades table (default: grades.csv)")
    parser.add_argument("--json", metavar="FILE", help="also write every result in detail as JSON")
    parser.add_argument("--feedback", metavar="DIR", help="write one Markdown report per submission here")
    parser.add_argument("--report", metavar="HTML", help="also write the class report, one offline HTML page "
                        "(the same as python -m helpers.grading.report on the --json file)")
    parser.add_argument("--notebook", metavar="NN", help="every submission is this course notebook "
                        f"(a number or a name: {', '.join(known_notebooks())}); default: recognise each one")
    parser.add_argument("--sandbox", choices=("auto", "bwrap", "none"), default="auto",
                        help="auto (default): bubblewrap, and stop with an explanation if it cannot run here; "
                             "bwrap: the same, named explicitly; none: no sandbox at all, the notebooks' code runs "
                             "with your rights (only for submissions you trust, e.g. on macOS)")
    parser.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS",
                        help="time limit per cell and per exercise check (default: 60)")
    parser.add_argument("--total-timeout", type=float, default=600.0, metavar="SECONDS",
                        help="time limit per submission, everything included (default: 600)")
    parser.add_argument("--memory", type=int, default=2048, metavar="MB",
                        help="memory (address space) limit per submission (default: 2048)")
    parser.add_argument("--scratch", type=int, default=256, metavar="MB",
                        help="total size of the files a submission may write (default: 256)")
    parser.add_argument("--jobs", "-j", type=int, default=1, metavar="N", help="grade N submissions at once")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress lines on stderr")
    args = parser.parse_args(argv)
    for name in ("timeout", "total_timeout"):
        if not getattr(args, name) > 0:
            parser.error(f"--{name.replace('_', '-')} must be positive")
    if args.memory < 256:
        parser.error("--memory must be at least 256 (MB): NumPy alone needs that much address space")
    if args.jobs < 1 or args.scratch < 1:
        parser.error("--jobs and --scratch must be at least 1")
    if args.notebook is not None:
        name = resolve_name(args.notebook)
        if name is None:
            parser.error(f"--notebook {args.notebook!r} is not a course notebook ({', '.join(known_notebooks())})")
        args.notebook = name
    return parser, args


def main(argv: list[str] | None = None) -> int:
    parser, args = parse_args(argv)
    try:
        subs = collect(args.submissions)
        _writable_target(Path(args.out), "--out", subs)
        if args.json:
            _writable_target(Path(args.json), "--json", subs)
        if args.report:
            _writable_target(Path(args.report), "--report", subs)
        if args.feedback:
            folder = Path(args.feedback)
            if folder.exists() and not folder.is_dir():
                raise UsageError(f"--feedback {shown(str(folder))} exists and is not a folder")
    except UsageError as exc:
        parser.print_usage(sys.stderr)
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        return 2
    opts = Options(timeout=args.timeout, total_timeout=args.total_timeout, memory_mb=args.memory,
                   scratch_mb=args.scratch, jobs=args.jobs, sandbox=args.sandbox, notebook=args.notebook)
    hidden = [Path(os.path.realpath(s.path)).parent for s in subs] + \
             [Path(os.path.realpath(p)) for p in (args.out, args.json, args.feedback, args.report) if p]
    try:
        grader = Grader(opts, hidden)
    except SandboxUnavailable as exc:
        print(f"{parser.prog}: error: no sandbox: {exc}", file=sys.stderr)
        return 4
    if grader.mode == "none":
        print("WARNING: --sandbox none: the submissions' code runs unsandboxed, with your rights. "
              "Grade only notebooks you trust this way.", file=sys.stderr)
    width = len(str(len(subs)))

    def progress(done, total, r):
        if args.quiet:
            return
        score = f"{r.total}/{r.max}" if r.max is not None else "-"
        note = f": {r.message[:100]}" if r.status != "graded" and r.message else ""
        print(f"[{done:>{width}}/{total}] {r.submission}: {score} {r.status} ({r.seconds:.1f} s){note}",
              file=sys.stderr, flush=True)

    def stop(signum, frame):
        raise Stopped(signum)

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)}
    started = time.monotonic()
    try:
        results = grade_all(subs, grader, progress)
    except (Stopped, KeyboardInterrupt) as exc:
        kill_all()
        grader.close()
        signum = exc.signum if isinstance(exc, Stopped) else signal.SIGINT
        print(f"stopped by signal {signum}: every grading process ended, nothing written", file=sys.stderr)
        return 128 + signum
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    grader.close()
    duplicates(results)
    try:
        if args.feedback:
            write_feedback(results, [s.path for s in subs], Path(args.feedback))
        if args.json:
            write_json(results, Path(args.json), opts, grader.mode)
        write_csv(results, Path(args.out))
        if args.report:
            from .report import write_report
            write_report({"sandbox": grader.mode, "results": [r.to_dict() for r in results]}, Path(args.report))
    except OSError as exc:
        print(f"{parser.prog}: error: could not write the results: {exc}", file=sys.stderr)
        return 3
    if not args.quiet:
        counts = {s: sum(r.status == s for r in results) for s in STATUSES}
        summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
        print(f"graded {len(results)} submission(s) in {time.monotonic() - started:.1f} s ({summary}); "
              f"sandbox: {grader.mode}; wrote {shown(args.out)}", file=sys.stderr)
    return 0
