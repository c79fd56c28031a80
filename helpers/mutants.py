"""Mutation testing of the exercise checks: do the public steps notice small changes to a solution?

Each exercise's solution code (the ``### BEGIN SOLUTION`` regions and ``### BLANK`` lines of its
cell in ``solutions/``) is changed in one small place at a time, the way a learner's slip would
change it: an axis swapped, ``max`` turned into ``mean``, a ``.copy()``, ``keepdims`` or ``.T`` dropped,
the sides of ``@`` swapped, a sign flipped, a constant changed, ``>`` and ``>=`` or ``=`` and ``+=``
exchanged, a bound off by one, a statement removed. Each such *mutant* replaces the solution in the notebook's namespace and the exercise's
public steps run against it. A mutant is

* killed       when a public step fails (or the changed cell does not even run),
* survived     when every public step passes,
* equivalent   when it survives because it computes the same thing (listed in ``EQUIVALENT``
               below, with the reason).

Run ``python -m helpers.mutants [--exercise 4.4] [--report docs/mutants.md]`` (``make mutants``).
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import copy
import io
import signal
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import nbformat

from helpers.checking import Exercise, all_exercises, get_exercise, run_exercise

ROOT = Path(__file__).resolve().parent.parent

# Mutants that survive because they do not change what the code computes on any input the
# exercise allows. Key: (exercise, mutant description as printed in the report).
EQUIVALENT: dict[tuple[str, str], str] = {
    ("1.2", "swap comparison: `return np.where(x >= 0, 1 / (1 + e), e / (1 + e))` -> "
            "`return np.where(x > 0, 1 / (1 + e), e / (1 + e))`"):
        "at x = 0 both branches give 1 / 2",
    ("3.2", "remove statement: `y = np.asarray(y, dtype=float)` -> `pass`"):
        "y is a float array (the statement's input); the conversion only helps lists",
    ("3.2", "change constant: `t = t.reshape(1, -1) if t.size == y.size else t.reshape(1)` -> "
            "`t = t.reshape(1, -2) if t.size == y.size else t.reshape(1)`"):
        "NumPy reads any negative size as 'infer this axis'",
    ("3.5", "remove statement: `t = np.atleast_1d(np.asarray(t)).astype(int)` -> `pass`"):
        "t is an integer label or an integer array (the statement's input); indexing works with both as given",
    ("4.1", "= -> +=: `grad[idx] = (f_plus - f_minus) / (2 * h)` -> "
            "`grad[idx] += (f_plus - f_minus) / (2 * h)`"):
        "grad starts at zeros and each index is visited once",
    ("6.1", "= -> +=: `is_test[test_rows] = True` -> `is_test[test_rows] += True`"):
        "is_test is boolean: False + True is True",
    ("7.3", "change constant: `dU, dW, db = (np.zeros_like(U), np.zeros_like(W), np.zeros(W.shape[0]))` -> "
            "`dU, dW, db = (np.zeros_like(U), np.zeros_like(W), np.zeros(W.shape[1]))`"):
        "W is square (H, H)",
    ("7.3", "= -> +=: `dxs[:, t] = dx` -> `dxs[:, t] += dx`"):
        "dxs starts at zeros and each step t is visited once",
    ("7.4", "swap comparison: `if total > max_norm:` -> `if total >= max_norm:`"):
        "at total == max_norm the rate is 1, so scaling changes nothing",
}


# ---------------------------------------------------------------------------
# Mutation operators: each takes a node and yields (description, replacement node)
# ---------------------------------------------------------------------------

RENAMES = {"max": ("mean", "min"), "min": ("max",), "maximum": ("minimum",), "minimum": ("maximum",),
           "sum": ("mean",), "mean": ("sum",), "argmax": ("argmin",)}
SIGN = {ast.Add: ast.Sub, ast.Sub: ast.Add}
COMPARE = {ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Lt: ast.LtE, ast.LtE: ast.Lt}


def _replaced(node: ast.AST, **fields) -> ast.AST:
    new = copy.deepcopy(node)
    for name, value in fields.items():
        setattr(new, name, value)
    return new


def _plus(node: ast.expr, delta: int) -> ast.expr:
    op = ast.Add() if delta > 0 else ast.Sub()
    return ast.BinOp(left=copy.deepcopy(node), op=op, right=ast.Constant(abs(delta)))


def swap_axis(node):
    """axis=0 <-> axis=1, axis=-1 -> axis=0."""
    if isinstance(node, ast.keyword) and node.arg == "axis" and isinstance(node.value, ast.Constant):
        new = {0: 1, 1: 0, -1: 0}.get(node.value.value)
        if new is not None:
            yield "swap axis", _replaced(node, value=ast.Constant(new))
    if (isinstance(node, ast.keyword) and node.arg == "axis" and isinstance(node.value, ast.UnaryOp)
            and isinstance(node.value.op, ast.USub)):     # axis=-1 parses as -(1)
        yield "swap axis", _replaced(node, value=ast.Constant(0))


def drop_keepdims(node):
    if isinstance(node, ast.Call) and any(k.arg == "keepdims" for k in node.keywords):
        yield "drop keepdims", _replaced(node, keywords=[k for k in node.keywords if k.arg != "keepdims"])


def rename_reduction(node):
    """np.max -> np.mean / np.min, x.sum -> x.mean, argmax -> argmin, ..."""
    if isinstance(node, ast.Attribute):
        for new in RENAMES.get(node.attr, ()):
            yield f"{node.attr} -> {new}", _replaced(node, attr=new)


def drop_copy(node):
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "copy"
            and not node.args):
        yield "drop .copy()", copy.deepcopy(node.func.value)


def flip_sign(node):
    if isinstance(node, ast.BinOp) and type(node.op) in SIGN:
        yield "flip sign", _replaced(node, op=SIGN[type(node.op)]())
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        yield "flip sign", copy.deepcopy(node.operand)


def transpose(node):
    """Drop a `.T`, or swap the two sides of a matrix product: the classic backprop slips."""
    if isinstance(node, ast.Attribute) and node.attr == "T":
        yield "drop .T", copy.deepcopy(node.value)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
        yield "swap @ operands", _replaced(node, left=copy.deepcopy(node.right), right=copy.deepcopy(node.left))


def change_constant(node):
    value = getattr(node, "value", None)
    if isinstance(node, ast.Constant) and type(value) in (int, float):
        new = value + 1 if isinstance(value, int) else (value * 2 if value else 1.0)
        yield "change constant", ast.Constant(new)


def swap_comparison(node):
    """> <-> >= and < <-> <=: the off-by-one of comparisons."""
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in COMPARE:
        yield "swap comparison", _replaced(node, ops=[COMPARE[type(node.ops[0])]()])


def swap_assignment(node):
    """x = v  <->  x += v."""
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and not isinstance(node.targets[0], ast.Tuple):
        yield "= -> +=", ast.AugAssign(target=copy.deepcopy(node.targets[0]), op=ast.Add(),
                                       value=copy.deepcopy(node.value))
    if isinstance(node, ast.AugAssign):
        yield "+= -> =", ast.Assign(targets=[copy.deepcopy(node.target)], value=copy.deepcopy(node.value))


def off_by_one(node):
    """range(a, b) -> range(a, b - 1) / range(a + 1, b); x[a:b] -> x[a:b - 1] / x[a + 1:b]."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "range":
        for i, arg in enumerate(node.args[:2]):
            for delta in (-1, 1):
                args = list(node.args)
                args[i] = _plus(arg, delta)
                yield "off by one", _replaced(node, args=args)
    if isinstance(node, ast.Slice):
        for field in ("lower", "upper"):
            bound = getattr(node, field)
            if bound is not None:
                for delta in (-1, 1):
                    yield "off by one", _replaced(node, **{field: _plus(bound, delta)})


def remove_statement(node):
    if isinstance(node, ast.stmt) and not isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Pass)):
        yield "remove statement", ast.Pass()


OPERATORS = (swap_axis, drop_keepdims, rename_reduction, drop_copy, flip_sign, transpose, change_constant,
             swap_comparison, swap_assignment, off_by_one, remove_statement)


# ---------------------------------------------------------------------------
# Mutants of a cell
# ---------------------------------------------------------------------------


@dataclass
class Mutant:
    description: str    # "flip sign: `z = x - m` -> `z = x + m`" (the first line that changed)
    source: str         # the whole mutated cell


def solution_lines(source: str) -> set[int]:
    """Line numbers (from 1) that the learner writes: solution regions and ``### BLANK`` lines."""
    lines, inside = set(), False
    for number, line in enumerate(source.splitlines(), start=1):
        if "### BEGIN SOLUTION" in line:
            inside = True
        elif "### END SOLUTION" in line:
            inside = False
        elif inside or "### BLANK" in line:
            lines.add(number)
    return lines


class _Mutator(ast.NodeTransformer):
    """Visits every node once, in a fixed order; replaces the ``target``-th mutation it meets."""

    def __init__(self, lines: set[int], target: int | None = None):
        self.lines, self.target = lines, target
        self.found: list[str] = []

    # Keywords and slices carry no line number of their own before Python 3.9: use their parent's.
    _parent_line = None

    def visit(self, node):
        line = getattr(node, "lineno", None) or self._parent_line
        if line in self.lines:
            for operator in OPERATORS:
                for label, new in operator(node):
                    self.found.append(label)
                    if self.target == len(self.found) - 1:
                        return ast.copy_location(new, node) if hasattr(node, "lineno") else new
        saved, self._parent_line = self._parent_line, line
        result = self.generic_visit(node)
        self._parent_line = saved
        return result


def mutants(source: str) -> list[Mutant]:
    """Every single-change mutant of the solution lines of ``source`` (a notebook cell)."""
    lines = solution_lines(source)
    tree = ast.parse(source)
    count = _Mutator(lines)
    count.visit(copy.deepcopy(tree))
    original = ast.unparse(tree).splitlines()
    result = []
    for target, label in enumerate(count.found):
        new_tree = ast.fix_missing_locations(_Mutator(lines, target).visit(copy.deepcopy(tree)))
        changed = ast.unparse(new_tree)
        old_line, new_line = _first_difference(original, changed.splitlines())
        result.append(Mutant(f"{label}: `{old_line}` -> `{new_line}`", changed))
    return result


def _first_difference(old: list[str], new: list[str]) -> tuple[str, str]:
    """The first line that differs (a removed line shows as `pass`)."""
    for a, b in zip(old, new):
        if a != b:
            return a.strip(), b.strip()
    return (old[len(new)].strip() if len(old) > len(new) else ""), ""


# ---------------------------------------------------------------------------
# Running the public steps against each mutant
# ---------------------------------------------------------------------------


def solution_cell(exercise: Exercise) -> str:
    """The solution notebook's cell that defines the exercise's (first) name."""
    nb = nbformat.read(ROOT / "solutions" / f"{exercise.notebook}.ipynb", as_version=4)
    name = exercise.names[0]
    for cell in nb.cells:
        if cell.cell_type == "code" and solution_lines(cell.source) and (
                f"def {name}(" in cell.source or f"class {name}" in cell.source):
            return cell.source
    raise LookupError(f"no solution cell defines `{name}` in {exercise.notebook}")


_NAMESPACES: dict[str, dict] = {}


def notebook_namespace(notebook: str) -> dict:
    """The namespace the whole solution notebook leaves behind (run once per notebook)."""
    if notebook not in _NAMESPACES:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        nb = nbformat.read(ROOT / "solutions" / f"{notebook}.ipynb", as_version=4)
        namespace: dict = {"__name__": "__main__"}
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for cell in nb.cells:
                if cell.cell_type == "code":
                    with contextlib.suppress(Exception):
                        exec(compile(cell.source, notebook, "exec"), namespace)
                    plt.close("all")
        _NAMESPACES[notebook] = namespace
    return _NAMESPACES[notebook]


class _TimeOut(Exception):
    pass


def _alarm(signum, frame):
    raise _TimeOut()


def verdict(exercise: Exercise, mutant: Mutant, seconds: int = 20) -> str:
    """"killed", "crashed" (killed because the code raised), "survived", or "hidden only"
    (survives the public steps, a hidden one fails)."""
    namespace = dict(notebook_namespace(exercise.notebook))
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(seconds)
    try:
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                exec(compile(mutant.source, f"<mutant of {exercise.id}>", "exec"), namespace)
            except Exception:
                return "crashed"                      # the changed cell does not even run
            public = run_exercise(exercise, namespace, hidden=False)
            if not public.passed:
                return "crashed" if " raised " in public.failure.summary else "killed"
            return "hidden only" if not run_exercise(exercise, namespace, hidden=True).passed else "survived"
    except _TimeOut:
        return "killed"                               # a loop that no longer ends
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@dataclass
class Outcome:
    exercise: str
    mutant: Mutant
    verdict: str            # killed / crashed / survived / hidden only / equivalent
    reason: str = ""


def run(exercises: list[Exercise], progress=None) -> list[Outcome]:
    outcomes = []
    for exercise in exercises:
        for mutant in mutants(solution_cell(exercise)):
            result = verdict(exercise, mutant)
            reason = EQUIVALENT.get((exercise.id, mutant.description), "")
            if result in ("survived", "hidden only") and reason:
                result = "equivalent"
            outcomes.append(Outcome(exercise.id, mutant, result, reason))
            if progress:
                progress(outcomes[-1])
    return outcomes


def report(outcomes: list[Outcome]) -> str:
    """The Markdown report: one row per exercise, then every mutant that was not killed."""
    ids = list(dict.fromkeys(o.exercise for o in outcomes))
    rows = ["| exercise | mutants | killed | of which crashed | survived | equivalent | killed / non-equivalent |",
            "|---|---:|---:|---:|---:|---:|---:|"]
    totals = [0, 0, 0, 0]
    for ex_id in ids + ["all"]:
        mine = [o for o in outcomes if ex_id in ("all", o.exercise)]
        killed = sum(o.verdict in ("killed", "crashed") for o in mine)
        crashed = sum(o.verdict == "crashed" for o in mine)
        equivalent = sum(o.verdict == "equivalent" for o in mine)
        survived = len(mine) - killed - equivalent
        share = killed / (len(mine) - equivalent) if len(mine) > equivalent else 1.0
        name = "**all**" if ex_id == "all" else ex_id
        rows.append(f"| {name} | {len(mine)} | {killed} | {crashed} | {survived} | {equivalent} | {100 * share:.0f} % |")
        if ex_id == "all":
            totals = [len(mine), killed, survived, equivalent]
    text = [
        "# Mutation run over the exercise checks",
        "",
        "Generated by `python -m helpers.mutants --report docs/mutants.md` (`make mutants`). Each mutant "
        "changes one place in an exercise's solution code (the `### BEGIN SOLUTION` regions and `### BLANK` "
        "lines of `solutions/`); the exercise's **public** steps run against it. See `helpers/mutants.py` for "
        "the operators.",
        "",
        *rows,
        "",
        f"Non-equivalent mutants killed by the public steps: {totals[1]} of {totals[0] - totals[3]} "
        f"({100 * totals[1] / max(1, totals[0] - totals[3]):.1f} %). \"Crashed\" mutants raise an exception "
        "(a name used before it is set, mismatched shapes): the check reports the error, but they are easier "
        "to kill than the others, which return a wrong value.",
        "",
        "## Equivalent mutants (they compute the same thing)",
        "",
    ]
    text += [f"- {o.exercise}: {o.mutant.description} — {o.reason}" for o in outcomes if o.verdict == "equivalent"] \
        or ["- none"]
    text += ["", "## Survivors (public steps pass; \"hidden only\" means a hidden step fails)", ""]
    text += [f"- {o.exercise} ({o.verdict}): {o.mutant.description}"
             for o in outcomes if o.verdict in ("survived", "hidden only")] or ["- none"]
    return "\n".join(text) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--exercise", action="append", help="only this exercise (repeatable), e.g. 4.4")
    parser.add_argument("--report", type=Path, help="write the Markdown report to this file")
    args = parser.parse_args(argv)
    exercises = [get_exercise(e) for e in args.exercise] if args.exercise else all_exercises()

    def progress(o: Outcome):
        if o.verdict not in ("killed", "crashed"):
            print(f"  {o.exercise} {o.verdict}: {o.mutant.description}", file=sys.stderr)

    outcomes = run(exercises, progress)
    text = report(outcomes)
    if args.report:
        args.report.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
