"""The copy of the course package that the sandbox sees while one notebook is graded.

While notebook NN is graded, the reference implementations of NN's exercises
(the names its exercises define, found in ``helpers``) are replaced by stubs
that raise ``CourseReferenceRemoved``: importing them still works (so the
package and earlier notebooks' code load), using them earns nothing. Course
code that does NN's work under another name (``OTHER_REFERENCES``) stays, but
is guarded: it runs in the notebook's cells and raises the same error while a
check runs. The references of other notebooks stay, as the notebooks build on
them. The check
steps and quizzes (``helpers/exercises``, with their expected values and
answers) are not in the copy at all, and ``solutions/`` is never mounted.
"""

from __future__ import annotations

import ast
import importlib.util
import shutil
import threading
from pathlib import Path

import helpers

STUB_MODULE = '''"""Stand-ins for the course's reference implementations that are withheld while grading.

Called from the notebook, a stand-in raises ``CourseReferenceRemoved``. Called
from the course package's own code (a Trainer that needs ``minibatches``), it
uses the notebook's own definition of that name instead: the package then
runs on the student's answers, and no reference code is in the sandbox.
"""

import sys


class CourseReferenceRemoved(Exception):
    """The course's own implementation of an exercise cannot be used while that exercise is graded."""


def _message(qualname):
    return (f"{qualname} is the course's reference answer to an exercise of this notebook; "
            "it is not available while the notebook is graded: write your own")


def _students(name, stub, depth):
    caller = sys._getframe(depth).f_globals.get("__name__", "")
    if not str(caller).startswith("helpers."):
        return None
    try:
        from IPython import get_ipython
        namespace = get_ipython().user_ns
    except Exception:
        namespace = vars(sys.modules["__main__"])
    own = namespace.get(name)
    return None if own is None or own is stub else own


# Set by the grading child while it answers the grader's requests for a check (not while it runs the
# notebook's cells): see ``guarded``.
CHECKING = False


def guarded(obj, qualname):
    """``obj``, a function or a class, unchanged for the notebook's cells, but refused while a check
    runs: it is course code that does the work of one of this notebook's exercises under another
    name (a layer's forward is an activation function). A class is guarded method by method, in
    place, so its subclasses and the modules that imported it are guarded too."""
    def guard(f):
        def checked(*args, **kwargs):
            if CHECKING:
                raise CourseReferenceRemoved(f"{qualname} does the work of an exercise of this notebook; "
                                             "it cannot be used in an answer while the notebook is graded: "
                                             "write your own")
            return f(*args, **kwargs)
        checked.__name__, checked.__qualname__, checked.__doc__ = f.__name__, f.__qualname__, f.__doc__
        return checked

    if not isinstance(obj, type):
        return guard(obj)
    for name, member in list(vars(obj).items()):
        if type(member).__name__ == "function":
            setattr(obj, name, guard(member))
    return obj


def function(qualname):
    name = qualname.rsplit(".", 1)[-1]

    def removed(*args, **kwargs):
        own = _students(name, removed, 2)
        if own is None:
            raise CourseReferenceRemoved(_message(qualname))
        return own(*args, **kwargs)

    removed.__name__ = removed.__qualname__ = name
    return removed


def cls(qualname):
    name = qualname.rsplit(".", 1)[-1]

    def new(klass, *args, **kwargs):
        own = _students(name, stub, 2)
        if own is None or klass is not stub:
            raise CourseReferenceRemoved(_message(qualname))
        return own(*args, **kwargs)

    def init_subclass(klass, **kwargs):
        if not klass.__module__.startswith("helpers."):
            raise CourseReferenceRemoved(_message(qualname))

    stub = type(name, (), {"__new__": new, "__init_subclass__": classmethod(init_subclass),
                           "__doc__": _message(qualname)})
    return stub
'''


# Course code that does an exercise's work under another name, per notebook. The notebooks' own cells
# may use it (06's explorer trains MLPClassifier, 07 trains with TimeRNN); an answer that calls it
# while a check runs raises CourseReferenceRemoved, which costs that exercise its points.
OTHER_REFERENCES = {
    "01": ["helpers.nn.layers.Sigmoid", "helpers.nn.layers.Relu", "helpers.nn.models.Tanh"],
    "02": ["helpers.nn.layers.MatMul", "helpers.nn.layers.Affine", "helpers.nn.layers.Network",
           "helpers.nn.models.MLPClassifier", "helpers.nn.rnn.TimeAffine"],
    "03": ["helpers.nn.layers.SoftmaxWithLoss", "helpers.nn.rnn.TimeSoftmaxWithLoss"],
    "04": ["helpers.nn.gradcheck.gradient_check", "helpers.nn.gradcheck.layer_gradient_check",
           "helpers.nn.rnn.TimeAffine", "helpers.nn.rnn.TimeSoftmaxWithLoss", "helpers.nn.layers.Network",
           "helpers.nn.models.MLPClassifier"],
    "05": ["helpers.nn.trainer.Trainer", "helpers.nn.models.train"],
    "06": ["helpers.data.train_test_split", "helpers.data.Standardizer", "helpers.textclass.split_parts",
           "helpers.nn.layers.Network", "helpers.nn.models.MLPClassifier", "helpers.nn.models.train",
           "helpers.nn.trainer.Trainer"],
    "07": ["helpers.nn.rnn.RNN", "helpers.nn.rnn.TimeRNN", "helpers.nn.rnn.NaiveTimeRNN"],
    "08": ["helpers.nn.rnn.Embedding", "helpers.nn.rnn.TimeEmbedding"],
}


def guard_others(source: str, qualnames: list[str], module: str) -> tuple[str, list[str]]:
    """``source`` with a line at its end that guards each of ``qualnames`` defined in ``module``."""
    names = [q.rsplit(".", 1)[1] for q in qualnames if q.rsplit(".", 1)[0] == module]
    defined = {node.name for node in ast.parse(source).body
               if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
    names = [n for n in names if n in defined]
    lines = [f"{n} = __import__('helpers._withheld', fromlist=['x']).guarded({n}, '{module}.{n}')" for n in names]
    return (source.rstrip("\n") + "\n\n" + "\n".join(lines) + "\n" if lines else source), names


def _stub(node: ast.stmt, qualname: str) -> ast.stmt:
    kind = "cls" if isinstance(node, ast.ClassDef) else "function"
    stmt = ast.parse(f"{node.name} = __import__('helpers._withheld', fromlist=['x']).{kind}({qualname!r})").body[0]
    return ast.copy_location(stmt, node)


def withhold(source: str, names: set[str], module: str) -> tuple[str, list[str]]:
    """``source`` with its top-level definitions of ``names`` replaced by stubs."""
    tree = ast.parse(source)
    removed = []
    for i, node in enumerate(tree.body):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name in names:
            tree.body[i] = _stub(node, f"{module}.{node.name}")
            removed.append(node.name)
    return (ast.unparse(ast.fix_missing_locations(tree)) if removed else source), removed


class CourseCopies:
    """One sanitised copy of ``helpers`` per notebook, made on first use, under ``root``."""

    def __init__(self, root: Path):
        self.root = root
        self.copies: dict[str, Path] = {}
        self.withheld: dict[str, list[str]] = {}
        self.lock = threading.Lock()

    def get(self, notebook: str) -> Path:
        with self.lock:
            if notebook not in self.copies:
                self.copies[notebook] = self._build(notebook)
            return self.copies[notebook]

    def _build(self, notebook: str) -> Path:
        from helpers.checking import exercises_for

        names = {n for ex in exercises_for(notebook) for n in ex.names}
        base = self.root / f"course-{len(self.copies)}"
        source = Path(helpers.__file__).resolve().parent
        target = base / "helpers"
        shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "exercises",
                                                                      "grade.py", "build.py"))
        (target / "exercises").mkdir()
        (target / "exercises" / "__init__.py").write_text(
            '"""The check steps are not available inside the grading sandbox."""\n')
        # The data files: ``data/`` next to ``helpers/`` (a clone) or ``helpers.datasets`` (an install).
        try:
            spec = importlib.util.find_spec("helpers.datasets")
        except ImportError:
            spec = None
        data = Path(list(spec.submodule_search_locations)[0]) if spec and spec.submodule_search_locations \
            else source.parent / "data"
        if data.is_dir():
            shutil.copytree(data, base / "data", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            if not (target / "datasets").exists():
                shutil.copytree(data, target / "datasets", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        (target / "_withheld.py").write_text(STUB_MODULE)
        withheld = []
        for path in sorted(target.rglob("*.py")):
            rel = path.relative_to(base).with_suffix("")
            if rel.parts[:2] in (("helpers", "grading"), ("helpers", "_withheld")):
                continue
            module = ".".join(p for p in rel.parts if p != "__init__")
            text, removed = withhold(path.read_text(encoding="utf-8"), names, module)
            text, guarded = guard_others(text, OTHER_REFERENCES.get(notebook[:2], []), module)
            if removed or guarded:
                path.write_text(text, encoding="utf-8")
                withheld += [f"{module}.{n}" for n in removed + guarded]
        self.withheld[notebook] = withheld
        self._font_cache(base / "mpl")
        for path in [base, *base.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        return base


    def _font_cache(self, target: Path) -> None:
        """Matplotlib's font list, built once here, copied by each child (see ``child.main``)."""
        import os
        import subprocess
        import sys

        built = self.root / "mpl"
        if not built.exists():
            env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "MPLCONFIGDIR": str(built), "MPLBACKEND": "Agg"}
            try:
                subprocess.run([sys.executable, "-I", "-c", "import matplotlib.font_manager"], env=env,
                               capture_output=True, timeout=120)
            except (OSError, subprocess.SubprocessError):
                return
        if built.is_dir():
            shutil.copytree(built, target, ignore=shutil.ignore_patterns("*.lock", "tex.cache"))


def installed_overlays(copy: Path, shown_roots: list[str]) -> list[tuple[str, str]]:
    """Where an installed (non-editable) ``helpers`` lies inside a folder the sandbox sees, hide it
    under the sanitised copy."""
    overlays = []
    for location in getattr(helpers, "__path__", []):
        real = str(Path(location).resolve())
        if any(real == r or real.startswith(r.rstrip("/") + "/") for r in shown_roots):
            overlays.append((str(copy / "helpers"), real))
    return overlays
