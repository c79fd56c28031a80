"""The version matrix: the tests under each Python, the oldest and newest NumPy, and Colab's versions.

    make test-all          # make test, the BLAS-kernel runs, then these sessions; one table
    .venv/bin/nox -l       # list the sessions
    .venv/bin/nox -s colab # run one

Every session builds its own virtual environment under .nox/, installs the course
with its test tools and runs the part of the suite that can differ between
versions: the package's unit tests, the exercise checks and nbval over the
solutions. (The grader, the wrong-answer catalogue, packaging and the BLAS-kernel
runs stay in the main environment: `make test-all` runs them once, with `make test`.)

- tests-3.X: Python 3.X with the newest NumPy 2.x and matplotlib pip finds for it;
- numpy-1.26: NumPy 1.26.4, the oldest the course supports;
- colab: Colab's versions, which installing the course must not move;
- nbgrader: the real nbgrader on every notebook (generate, autograde, export, validate), in an
  environment of its own, since nbgrader switches on its Jupyter extensions where it is installed.

A Python that is not on this machine is skipped with a message, not downloaded:
nox looks for `python3.X` on the PATH, and we add the interpreters that pyenv
installed, if any, without needing pyenv itself.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import nox

PYTHONS = ["3.10", "3.11", "3.12", "3.13"]
# What Colab's runtime ships (Python 3.12 and these packages): installing the course
# must not move them. Without a Python 3.12 here, the session takes the closest we have.
COLAB_PYTHONS_BY_CLOSENESS = ["3.12", "3.11", "3.13", "3.10"]
COLAB_PINS = {
    "numpy": "2.1.3",
    "matplotlib": "3.10.0",
    "ipywidgets": "7.7.1",
    "ipykernel": "6.17.1",
    # Colab has threadpoolctl because scikit-learn needs it (3.6.0 in its 2025 images);
    # the course asks for >=3.5, the first that sees the OpenBLAS of NumPy 2's wheels.
    "threadpoolctl": "3.6.0",
}
# The version-sensitive part of the suite; -n 2: the CI machine has two cores.
MAIN_ENVIRONMENT_ONLY = ["test_grade*.py", "test_catalogue.py", "test_packaging.py", "test_portability.py",
                         "test_class_report.py", "test_lesson_notes.py", "test_slides.py", "test_mutants.py",
                         "test_matrix.py", "test_nbgrader.py"]
PYTEST = ["pytest", "-n", "2", "--dist", "loadfile", "-p", "no:cacheprovider",
          *[f"--ignore-glob=tests/{name}" for name in MAIN_ENVIRONMENT_ONLY],
          "--nbval", "--nbval-sanitize-with", "tests/nbval_sanitize.cfg", "tests", "solutions"]

nox.options.default_venv_backend = "venv"
nox.options.error_on_missing_interpreters = False   # also on CI, where nox would fail them
nox.options.download_python = "never"               # only interpreters already installed
nox.options.reuse_venv = "yes"                       # a second run skips the environments' set-up


def installed_pythons() -> dict[str, str]:
    """'3.X' -> the newest pythonX.Y that pyenv installed (no pyenv command needed)."""
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    found: dict[str, tuple[tuple[int, ...], str]] = {}
    for folder in root.glob("3.*") if root.is_dir() else []:
        match = re.fullmatch(r"(3\.\d+)\.(\d+)", folder.name)
        executable = folder / "bin" / f"python{match.group(1)}" if match else None
        if executable and executable.exists():
            version = tuple(int(p) for p in folder.name.split("."))
            if version > found.get(match.group(1), ((0,), ""))[0]:
                found[match.group(1)] = (version, str(executable.parent))
    return {minor: folder for minor, (_, folder) in found.items()}


def runs(version: str) -> bool:
    """Whether `python3.X` on the PATH starts (a pyenv shim for another version does not)."""
    executable = shutil.which(f"python{version}")
    return executable is not None and subprocess.run([executable, "-c", ""], capture_output=True).returncode == 0


# Put them ahead of pyenv's shims, which fail for a version that is not selected.
_extra = [folder for minor, folder in sorted(installed_pythons().items()) if minor in PYTHONS]
os.environ["PATH"] = os.pathsep.join(_extra + [os.environ.get("PATH", "")])
COLAB_PYTHON = next((v for v in COLAB_PYTHONS_BY_CLOSENESS if runs(v)), "3.12")
NBGRADER_PYTHON = next((v for v in ["3.11", "3.12", "3.13", "3.10"] if runs(v)), "3.11")


def run_tests(session: nox.Session) -> None:
    """Record the versions under test (for `make test-all`'s table), then run the suite."""
    code = ("import platform, numpy, matplotlib; "
            "print(f'Python {platform.python_version()}, NumPy {numpy.__version__}, '"
            "f'matplotlib {matplotlib.__version__}')")
    versions = session.run("python", "-c", code, silent=True).strip().splitlines()[-1]
    session.log(versions)
    report = Path("build") / "matrix"
    report.mkdir(parents=True, exist_ok=True)
    (report / f"{session.name}.versions").write_text(versions + "\n")
    session.run(*PYTEST)


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """One Python version, with the newest NumPy 2.x and matplotlib that pip finds for it."""
    session.install("-e", ".[test]", "numpy>=2")
    run_tests(session)


@nox.session(name="numpy-1.26", python="3.11")
def numpy_126(session: nox.Session) -> None:
    """The oldest NumPy the course supports (pyproject.toml says numpy>=1.26)."""
    session.install("-e", ".[test]", "numpy==1.26.4")
    run_tests(session)


@nox.session(python=COLAB_PYTHON)
def colab(session: nox.Session) -> None:
    """Colab: its versions first, then the course as its setup cell installs it; nothing may move."""
    pins = [f"{name}=={version}" for name, version in COLAB_PINS.items()]
    session.install(*pins)
    session.install(".")                       # what `pip install git+<repository>` does on Colab
    assert_versions(session, "installing the course")
    # The test tools must fit around the same versions (a constraints file keeps them).
    constraints = Path(session.create_tmp()) / "colab-pins.txt"
    constraints.write_text("\n".join(pins) + "\n")
    session.install("-e", ".[test]", "-c", str(constraints))
    assert_versions(session, "installing the test tools")
    run_tests(session)


def assert_versions(session: nox.Session, after: str) -> None:
    """Fail the session if a package of COLAB_PINS is not at Colab's version."""
    code = ("import importlib.metadata as m, json, sys; "
            "print(json.dumps({n: m.version(n) for n in sys.argv[1:]}))")
    out = session.run("python", "-c", code, *COLAB_PINS, silent=True)
    found = json.loads(out.strip().splitlines()[-1])
    moved = {n: f"{COLAB_PINS[n]} -> {v}" for n, v in found.items() if v != COLAB_PINS[n]}
    if moved:
        session.error(f"{after} changed Colab's packages: {moved}")
    session.log(f"after {after}, Colab's versions are unchanged: {found}")


@nox.session(python=NBGRADER_PYTHON)
def nbgrader(session: nox.Session) -> None:
    """The nbgrader route, proven with the real nbgrader (tests/test_nbgrader.py, marker `nbgrader`)."""
    session.install("-e", ".[test,nbgrader]")
    version = session.run("python", "-c", "import nbgrader; print(nbgrader.__version__)", silent=True)
    report = Path("build") / "matrix"
    report.mkdir(parents=True, exist_ok=True)
    (report / f"{session.name}.versions").write_text(f"nbgrader {version.strip().splitlines()[-1]}\n")
    session.run("pytest", "-p", "no:cacheprovider", "-m", "nbgrader", "tests/test_nbgrader.py")
