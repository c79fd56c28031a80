"""The exercise registry and the check machinery.

Every exercise of the course is registered once, here in the package (one
module per notebook under ``helpers/exercises``). The same registration serves

* the check cell in the notebook (``check("1.2")``: instant feedback),
* the grader (public and hidden steps, points),
* the test suite (each check passes on the solution and fails on the blank).

A check is a list of *steps*, run in order like a code review: "is it defined
and callable", then type and shape, then values on small hand-made cases, then
edge cases, then (for a backward pass) a numerical gradient check. The first
step that fails stops the check and becomes the verdict: what was tried, what
was expected, what came back, and a hint. A check never prints the answer's
code.

Writing an exercise (see ``helpers/exercises/ex01_activations.py``)::

    ex = Exercise("1.1", notebook="01_activations", name="step_function",
                  title="The step function", points=1,
                  hint="`x > 0` compares every element at once.")

    @ex.step("returns an array of the input's shape")
    def _(step_function):
        x = np.array([-1.0, 2.0])
        y = call(step_function, x, call_text="step_function(x)", inputs={"x": x})
        expect_array(y, shape=x.shape, what="step_function(x)")

    @ex.hidden_step("values on inputs the notebook does not show")
    def _(step_function): ...
"""

from __future__ import annotations

import contextlib
import inspect
import os
import zlib
import sys
import types
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from helpers.nn.gradcheck import relative_error  # re-exported for the exercise modules

__all__ = [
    "CheckFailure", "NotDone", "Exercise", "CheckResult",
    "call", "expect", "expect_array", "expect_close", "expect_equal",
    "expect_no_warning", "expect_scalar", "expect_scalar_call", "relative_error",
    "hidden_seed", "hidden_rng", "register", "get_exercise", "all_exercises", "exercises_for",
    "run_exercise", "format_result", "check",
]

# ---------------------------------------------------------------------------
# Failures
# ---------------------------------------------------------------------------


class CheckFailure(Exception):
    """A step found a problem in the learner's answer.

    ``summary`` is one short sentence that reveals no input values (the grader
    shows only this for hidden steps); ``details`` adds the input, the expected
    and the actual value.
    """

    def __init__(self, summary: str, details: str = "", hint: str | None = None):
        super().__init__(summary)
        self.summary = summary
        self.details = details
        self.hint = hint


class NotDone(CheckFailure):
    """The blank is still there (``raise NotImplementedError`` or a ``...``)."""


def _fmt(value: Any) -> str:
    """Short, rounded, deterministic text for a value shown in feedback."""
    if isinstance(value, np.ndarray) or isinstance(value, (list, tuple)) and value and all(
        isinstance(v, (int, float, np.number)) for v in value
    ):
        arr = np.asarray(value)
        text = np.array2string(arr, precision=4, suppress_small=True, threshold=20, edgeitems=3)
        if isinstance(value, np.ndarray):
            text += f"  (shape {arr.shape}, dtype {arr.dtype})"
        return text.replace("\n", "\n             ")
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.6g}"
    text = repr(value)
    return text if len(text) <= 200 else text[:200] + "..."


def _describe_inputs(inputs: dict | None) -> str:
    if not inputs:
        return ""
    return "".join(f"\n   input:    {k} = {_fmt(v)}" for k, v in inputs.items())


def _is_blank_error(exc: BaseException) -> bool:
    """True when an exception comes from an unfilled ``...`` blank."""
    return "ellipsis" in str(exc).lower()


# ---------------------------------------------------------------------------
# Building blocks for steps
# ---------------------------------------------------------------------------


def _arrays_in(value: Any, path: str):
    """Every NumPy array inside ``value`` (lists, tuples and dicts are opened), with its name."""
    if isinstance(value, np.ndarray):
        yield path, value
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from _arrays_in(item, f"{path}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _arrays_in(item, f"{path}[{key!r}]")


def _argument_names(fn: Callable, args: tuple, kwargs: dict) -> list[tuple[str, Any]]:
    """(name, value) for every argument, named as in the learner's signature where possible."""
    try:
        bound = inspect.signature(fn).bind(*args, **kwargs)
        return list(bound.arguments.items())
    except (TypeError, ValueError):  # no signature (a proxy, a builtin) or a mismatch
        return [(f"argument {i + 1}", a) for i, a in enumerate(args)] + list(kwargs.items())


def _snapshot(fn: Callable, args: tuple, kwargs: dict, modifies: tuple) -> list:
    """Copies of every array argument the code must leave alone."""
    allowed = {m for m in modifies}
    kept = []
    for position, (name, value) in enumerate(_argument_names(fn, args, kwargs)):
        if name in allowed or position in allowed:
            continue
        for path, arr in _arrays_in(value, name):
            kept.append((path, arr, arr.copy()))
    return kept


def call(fn: Callable, *args, call_text: str | None = None, inputs: dict | None = None,
         modifies: tuple = (), error_hint: str | None = None, modified_hint: str | None = None, **kwargs):
    """Call the learner's code and turn its exceptions into friendly failures.

    ``call_text`` is how the call is shown (``"sigmoid(x)"``), ``inputs`` the
    values worth showing when something goes wrong. The learner's code gets
    the check's own arrays, and any write into them fails the check: code
    that changes its input corrupts the caller's data (a later cell, the
    backward pass). ``modifies`` names the arguments (by parameter name or
    position) that the exercise asks to update in place.

    ``error_hint`` is the hint shown when the code raises (say, a shape
    mismatch that points at a wrong axis); ``modified_hint`` replaces the
    general advice when an input was changed (for code that must put back
    what it nudged, say).
    """
    shown = call_text or f"{getattr(fn, '__name__', 'your code')}(...)"
    before = _snapshot(fn, args, kwargs, tuple(modifies))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            result = fn(*args, **kwargs)
    except CheckFailure:
        raise
    except NotImplementedError:
        raise NotDone(
            "not done yet: the code still raises NotImplementedError",
            f"{shown} raised NotImplementedError.",
            "Replace `raise NotImplementedError()` with your code, run that cell, then run this check again.",
        ) from None
    except Exception as exc:  # the learner's code may raise anything
        if _is_blank_error(exc):
            raise NotDone(
                "not done yet: a `...` blank is still unfilled",
                f"{shown} raised {type(exc).__name__}: {exc}",
                "Replace every `...` in the exercise cell with your code, run that cell, then this check.",
            ) from None
        raise CheckFailure(
            f"{shown} raised {type(exc).__name__}",
            f"{shown} raised {type(exc).__name__}: {exc}{_describe_inputs(inputs)}",
            error_hint,
        ) from None
    for path, arr, saved in before:
        if arr.shape != saved.shape or not np.array_equal(arr, saved, equal_nan=True):
            raise CheckFailure(
                f"{shown} modified its input `{path}`",
                f"{shown} changed the values of its input `{path}`."
                f"\n   before:   {_fmt(saved)}\n   after:    {_fmt(arr)}",
                modified_hint or
                f"Leave `{path}` as it is: the caller still needs it (a later cell, the backward pass). "
                "An update like `x[x < 0] = 0` or `x -= ...` writes into the caller's array; "
                "build a new array instead (`np.maximum(x, 0)`, `x - ...`) or work on `x.copy()`.",
            )
    return result


def expect(condition: bool, summary: str, details: str = "", hint: str | None = None) -> None:
    """Fail with ``summary`` unless ``condition`` holds."""
    if not condition:
        raise CheckFailure(summary, details or summary, hint)


def expect_array(value: Any, shape: tuple | None = None, what: str = "the result",
                 inputs: dict | None = None, hint: str | None = None) -> np.ndarray:
    """``value`` must be a NumPy array (of ``shape`` if given) with numeric entries."""
    # type(), not isinstance(): a __class__ property cannot fake an array here.
    if not issubclass(type(value), np.ndarray):
        raise CheckFailure(
            f"{what} should be a NumPy array, not {type(value).__name__}",
            f"{what} returned {type(value).__name__}: {_fmt(value)}{_describe_inputs(inputs)}",
            hint or "Use NumPy operations on the whole array (no Python lists, no loops that build lists).",
        )
    if value.dtype.kind not in "biuf":
        raise CheckFailure(
            f"{what} should hold numbers, not dtype {value.dtype}",
            f"{what} has dtype {value.dtype}{_describe_inputs(inputs)}",
            hint,
        )
    if shape is not None and value.shape != tuple(shape):
        raise CheckFailure(
            f"{what} has the wrong shape",
            f"{what} has shape {value.shape}, expected {tuple(shape)}{_describe_inputs(inputs)}",
            hint or "Check which axis you sum or reduce over, and that the output keeps the input's shape.",
        )
    return value


def expect_scalar(value: Any, what: str = "the result", inputs: dict | None = None) -> float:
    """``value`` must be a single number (a Python or NumPy scalar, or a 0-d array)."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise CheckFailure(
            f"{what} should be a single number",
            f"{what} returned {type(value).__name__}: {_fmt(value)}{_describe_inputs(inputs)}",
            "Reduce to one number (for example with np.sum or np.mean) before returning.",
        )
    return float(value)


def expect_scalar_call(fn: Callable, args: tuple, expected: float, call_text: str,
                       inputs: dict | None = None, rtol: float = 1e-6, atol: float = 1e-8,
                       hint: str | None = None, error_hint: str | None = None) -> float:
    """Call ``fn(*args)``, require a single number back, compare it with ``expected``."""
    value = call(fn, *args, call_text=call_text, inputs=inputs, error_hint=error_hint)
    value = expect_scalar(value, what=call_text, inputs=inputs)
    expect_close(value, expected, what=call_text, inputs=inputs, rtol=rtol, atol=atol, hint=hint)
    return value


def expect_close(actual: Any, expected: Any, what: str = "the result", inputs: dict | None = None,
                 rtol: float = 1e-6, atol: float = 1e-8, hint: str | None = None) -> None:
    """``actual`` must equal ``expected`` to the tolerances, with the same shape."""
    a = np.asarray(actual, dtype=float) if _is_numeric(actual) else None
    e = np.asarray(expected, dtype=float)
    if a is None:
        raise CheckFailure(
            f"{what} should be numeric",
            f"{what} returned {type(actual).__name__}: {_fmt(actual)}{_describe_inputs(inputs)}",
            hint,
        )
    if a.shape != e.shape:
        raise CheckFailure(
            f"{what} has the wrong shape",
            f"{what} has shape {a.shape}, expected {e.shape}{_describe_inputs(inputs)}",
            hint,
        )
    if np.isnan(a).any() and not np.isnan(e).any():
        raise CheckFailure(
            f"{what} contains NaN",
            f"{what} contains NaN{_describe_inputs(inputs)}\n   got:      {_fmt(np.asarray(actual))}",
            hint or "NaN usually comes from inf - inf or 0 * inf: look for an overflow (exp of a large number).",
        )
    if not np.allclose(a, e, rtol=rtol, atol=atol, equal_nan=True):
        raise CheckFailure(
            f"{what} has wrong values",
            f"{what} has wrong values{_describe_inputs(inputs)}"
            f"\n   expected: {_fmt(np.asarray(expected))}\n   got:      {_fmt(np.asarray(actual))}",
            hint,
        )


def expect_equal(actual: Any, expected: Any, what: str = "the result", inputs: dict | None = None,
                 hint: str | None = None) -> None:
    """Exact equality (for shapes, integers, labels, strings)."""
    if _is_numeric(actual) and _is_numeric(expected):
        same = np.array_equal(np.asarray(actual), np.asarray(expected))
    else:
        # The exact type first: an object whose __eq__ always answers True
        # must not pass for a string or a tuple.
        same = type(actual) is type(expected) and bool(actual == expected)
    if not same:
        raise CheckFailure(
            f"{what} is not what was expected",
            f"{what} is not what was expected{_describe_inputs(inputs)}"
            f"\n   expected: {_fmt(expected)}\n   got:      {_fmt(actual)}",
            hint,
        )


def expect_no_warning(fn: Callable, *args, call_text: str | None = None, inputs: dict | None = None,
                      hint: str | None = None, **call_options):
    """Call ``fn`` and fail if NumPy warns (overflow, division by zero, invalid value)."""
    # Underflow (exp(-1000) -> 0) is harmless; overflow, 0/0 and log(0) are not.
    with warnings.catch_warnings(record=True) as caught, np.errstate(over="warn", divide="warn",
                                                                    invalid="warn", under="ignore"):
        warnings.simplefilter("always")
        result = call(fn, *args, call_text=call_text, inputs=inputs, **call_options)
    numeric = [w for w in caught if issubclass(w.category, RuntimeWarning)]
    if numeric:
        shown = call_text or "your code"
        raise CheckFailure(
            f"{shown} is not numerically stable (NumPy warned: {numeric[0].message})",
            f"{shown} made NumPy warn: {numeric[0].message}{_describe_inputs(inputs)}",
            hint,
        )
    return result


def _is_numeric(value: Any) -> bool:
    try:
        return np.asarray(value).dtype.kind in "biuf"
    except Exception:
        return False


# ---------------------------------------------------------------------------
# Values for hidden steps
# ---------------------------------------------------------------------------

# The notebook's hidden-test cells and the test suite use seed 0; the grader
# picks a fresh secret seed for every run, so hidden inputs cannot be
# precomputed by a submission.
_HIDDEN_SEED = [0]


@contextlib.contextmanager
def hidden_seed(seed: int):
    """Within the block, ``hidden_rng`` draws from ``seed`` (the grader's secret)."""
    saved = _HIDDEN_SEED[0]
    _HIDDEN_SEED[0] = int(seed)
    try:
        yield
    finally:
        _HIDDEN_SEED[0] = saved


def hidden_rng(salt: str) -> np.random.Generator:
    """A generator for one hidden step's inputs; ``salt`` keeps the steps' draws apart."""
    return np.random.default_rng([_HIDDEN_SEED[0], zlib.crc32(salt.encode())])


# ---------------------------------------------------------------------------
# Exercises and the registry
# ---------------------------------------------------------------------------


@dataclass
class Step:
    label: str
    fn: Callable
    hidden: bool = False


@dataclass
class Exercise:
    """One exercise: where it lives, what the learner defines, how it is checked.

    ``name`` is the name the learner defines (a function, a class or a
    variable); use a tuple when a step needs several names. ``kind`` says
    what the name must be: ``"function"``, ``"class"`` or ``"value"``.
    """

    id: str
    notebook: str
    name: str | tuple[str, ...]
    title: str
    points: int = 1
    kind: str = "function"
    hint: str = ""
    # Progressive hints for ``hint("N.k")``: first a nudge, then more, the
    # last one the finished line. ``hint`` above is what a failed check shows.
    hints: tuple[str, ...] = ()
    steps: list[Step] = field(default_factory=list)

    def __post_init__(self):
        register(self)

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name,) if isinstance(self.name, str) else tuple(self.name)

    def step(self, label: str) -> Callable:
        """Decorator: a public step, run by the notebook's check cell and the grader."""
        def add(fn):
            self.steps.append(Step(label, fn, hidden=False))
            return fn
        return add

    def hidden_step(self, label: str) -> Callable:
        """Decorator: a hidden step, with values the notebook does not show."""
        def add(fn):
            self.steps.append(Step(label, fn, hidden=True))
            return fn
        return add


_REGISTRY: dict[str, Exercise] = {}


def register(exercise: Exercise) -> None:
    if exercise.id in _REGISTRY and _REGISTRY[exercise.id] is not exercise:
        old = _REGISTRY[exercise.id]
        if old.notebook != exercise.notebook or old.names != exercise.names:
            raise ValueError(f"exercise id {exercise.id!r} is registered twice")
    _REGISTRY[exercise.id] = exercise


def _load_all() -> None:
    # Importing the package registers every exercise module it contains.
    import helpers.exercises  # noqa: F401


def get_exercise(exercise_id: str) -> Exercise:
    _load_all()
    try:
        return _REGISTRY[str(exercise_id)]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY, key=_id_key))
        raise KeyError(f"No exercise {exercise_id!r}. Known exercises: {known}") from None


def all_exercises() -> list[Exercise]:
    _load_all()
    return sorted(_REGISTRY.values(), key=lambda e: _id_key(e.id))


def exercises_for(notebook: str) -> list[Exercise]:
    return [e for e in all_exercises() if e.notebook == notebook]


def _id_key(exercise_id: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in exercise_id.split("."))


# ---------------------------------------------------------------------------
# Running a check
# ---------------------------------------------------------------------------


@dataclass
class CheckResult:
    exercise: Exercise
    passed: bool
    passed_steps: list[str]
    failed_step: str | None = None
    failure: CheckFailure | None = None
    failed_hidden: bool = False

    @property
    def not_done(self) -> bool:
        return isinstance(self.failure, NotDone)

    @property
    def points(self) -> int:
        return self.exercise.points if self.passed else 0


_MISSING = object()


def _lookup(exercise: Exercise, namespace: dict) -> list:
    """Find the learner's objects by name, checking they are what the exercise needs."""
    found = []
    for name in exercise.names:
        obj = namespace.get(name, _MISSING)
        if obj is _MISSING:
            raise NotDone(
                f"`{name}` is not defined",
                f"`{name}` is not defined yet.",
                f"Run the cell where you define `{name}` (and the cells above it), then this check again.",
            )
        if exercise.kind == "function" and not callable(obj):
            raise CheckFailure(
                f"`{name}` should be a function",
                f"`{name}` is a {type(obj).__name__}, not a function.",
                f"Define it with `def {name}(...):`.",
            )
        if exercise.kind == "class" and not inspect.isclass(obj):
            raise CheckFailure(
                f"`{name}` should be a class",
                f"`{name}` is a {type(obj).__name__}, not a class.",
                f"Define it with `class {name}:`.",
            )
        # The course's own implementation, imported under the exercise's name (`from helpers.nn import
        # sigmoid`), is not an answer. Only real functions and classes are looked at: the grader hands
        # the steps proxies, and withholds the references in its sandbox anyway.
        module = getattr(obj, "__module__", None) if type(obj) in (types.FunctionType, type) else None
        if isinstance(module, str) and (module == "helpers" or module.startswith("helpers.")):
            raise CheckFailure(
                f"`{name}` is the course's own implementation",
                f"`{name}` is {module}.{getattr(obj, '__qualname__', name)}, the course's reference, not your code.",
                f"Remove the import and write `{name}` yourself: that is the exercise.",
            )
        if exercise.kind == "value" and obj is Ellipsis:
            raise NotDone(
                f"`{name}` is still `...`",
                f"`{name}` is still the blank `...`.",
                f"Replace the `...` with your answer and run the cell.",
            )
        found.append(obj)
    return found


def run_exercise(exercise: Exercise | str, namespace: dict, hidden: bool = True,
                 only_hidden: bool = False) -> CheckResult:
    """Run an exercise's steps against the learner's ``namespace``.

    ``hidden=False`` runs the public steps only (the notebook's check cell);
    ``hidden=True`` runs all of them (the grader); ``only_hidden=True`` runs the
    hidden ones only (nbgrader's hidden-test block).
    """
    if isinstance(exercise, str):
        exercise = get_exercise(exercise)
    passed: list[str] = []
    step_label = f"`{'`, `'.join(exercise.names)}` is defined"
    try:
        objects = _lookup(exercise, namespace)
        passed.append("defined")
        for step in exercise.steps:
            if step.hidden and not hidden:
                continue
            if only_hidden and not step.hidden:
                continue
            step_label = step.label
            with np.errstate(all="ignore"):
                step.fn(*objects)
            passed.append(step.label)
    except CheckFailure as failure:
        hidden_step = any(s.label == step_label and s.hidden for s in exercise.steps)
        if failure.hint is None:
            failure.hint = exercise.hint
        return CheckResult(exercise, False, passed, step_label, failure, hidden_step)
    except Exception as exc:  # a bug in a step, or learner code called without call()
        failure = CheckFailure(
            f"the check stopped with {type(exc).__name__}",
            f"the check stopped with {type(exc).__name__}: {exc}",
            exercise.hint,
        )
        if isinstance(exc, NotImplementedError):
            failure = NotDone("not done yet: the code still raises NotImplementedError",
                              "Your code still raises NotImplementedError.",
                              "Replace `raise NotImplementedError()` with your code.")
        return CheckResult(exercise, False, passed, step_label, failure, False)
    return CheckResult(exercise, True, passed)


def format_result(result: CheckResult, reveal_hidden: bool = False) -> str:
    """One clear verdict, as the learner sees it."""
    ex = result.exercise
    head = f"Exercise {ex.id} ({', '.join(ex.names)})"
    if result.passed:
        steps = " · ".join(result.passed_steps)
        return f"✅ {head} passed: {steps}."
    failure = result.failure
    assert failure is not None
    if result.not_done:
        lines = [f"⏳ {head} is not done yet: {failure.details or failure.summary}"]
    else:
        lines = [f"❌ {head} failed at: {result.failed_step}"]
        if result.failed_hidden and not reveal_hidden:
            lines.append(f"   {failure.summary} (on a hidden test case).")
        else:
            lines.append(f"   {failure.details or failure.summary}")
        if result.passed_steps:
            lines.append(f"   (passed before that: {' · '.join(result.passed_steps)})")
    if failure.hint:
        lines.append(f"   Hint: {failure.hint}")
    return "\n".join(lines)


def _caller_namespace() -> dict:
    """The namespace of the notebook (or script) that called ``check``."""
    try:
        from IPython import get_ipython  # type: ignore
        shell = get_ipython()
        if shell is not None:
            return shell.user_ns
    except ImportError:
        pass
    frame = inspect.currentframe()
    # Walk out of this module to the first foreign frame.
    while frame is not None and frame.f_globals.get("__name__") == __name__:
        frame = frame.f_back
    return frame.f_globals if frame is not None else vars(sys.modules["__main__"])


def nbgrader_is_grading() -> bool:
    """True inside ``nbgrader autograde`` or ``nbgrader validate`` (nbgrader sets
    ``NBGRADER_EXECUTION`` in the kernel's environment); never in a learner's own kernel."""
    return os.environ.get("NBGRADER_EXECUTION") in ("autograde", "validate")


def check(exercise_id: str, namespace: dict | None = None, hidden: bool = False) -> None:
    """Check an exercise and print the verdict: the call in every check cell.

    ``check("1.2")`` looks up the names the exercise needs in the notebook's
    namespace and runs the public steps. ``hidden=True`` runs the hidden steps
    instead and raises ``AssertionError`` on failure (that is what nbgrader's
    autograder needs); so does any check run by ``nbgrader autograde`` or
    ``nbgrader validate``. In a learner's own kernel a failing public check
    only prints.
    """
    ns = namespace if namespace is not None else _caller_namespace()
    if hidden:
        result = run_exercise(exercise_id, ns, hidden=True, only_hidden=True)
    else:
        result = run_exercise(exercise_id, ns, hidden=False)
    print(format_result(result))
    if not result.passed and not hidden:
        from helpers.hints import more_help_line  # here, not at the top: hints imports this module
        note = more_help_line(result.exercise)
        if note:
            print(note)
    if not result.passed and (hidden or nbgrader_is_grading()):
        raise AssertionError(f"Exercise {exercise_id} did not pass. {format_result(result)}")
