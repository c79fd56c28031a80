"""`make test-all`'s plumbing: finding the Pythons for nox, and reading the results into one table."""

from __future__ import annotations

import functools
import importlib.util
import json
import os

import pytest

from nbrun import ROOT

pytest.importorskip("nox", reason="nox is in the `matrix` extra (make test-all installs it)")


@functools.cache
def load(name, path):
    """Import the file at path once (nox refuses to register a session twice)."""
    saved = os.environ["PATH"]                     # noxfile prepends to PATH on import
    try:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        os.environ["PATH"] = saved
    return module


@pytest.fixture
def noxfile():
    return load("noxfile_under_test", ROOT / "noxfile.py")


@pytest.fixture
def matrix(monkeypatch, tmp_path):
    module = load("matrix_under_test", ROOT / "tests" / "matrix.py")
    monkeypatch.setattr(module, "OUT", tmp_path)
    return module


def test_installed_pythons_takes_the_newest_patch_release(noxfile, tmp_path, monkeypatch):
    for version in ("3.12.1", "3.12.10", "3.13.0", "3.9.18", "3.12.2-dev"):
        folder = tmp_path / "versions" / version / "bin"
        folder.mkdir(parents=True)
        minor = ".".join(version.split(".")[:2])
        (folder / f"python{minor}").touch()
    (tmp_path / "versions" / "3.10.4" / "bin").mkdir(parents=True)     # no interpreter inside
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path))
    found = noxfile.installed_pythons()
    assert found == {"3.12": str(tmp_path / "versions" / "3.12.10" / "bin"),
                     "3.13": str(tmp_path / "versions" / "3.13.0" / "bin"),
                     "3.9": str(tmp_path / "versions" / "3.9.18" / "bin")}


def test_no_pyenv_means_no_extra_pythons(noxfile, tmp_path, monkeypatch):
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "missing"))
    assert noxfile.installed_pythons() == {}


def test_colab_session_pins_colabs_versions(noxfile):
    if "3.12" in noxfile.installed_pythons() or noxfile.runs("3.12"):
        assert noxfile.COLAB_PYTHON == "3.12"
    assert noxfile.COLAB_PYTHON in noxfile.PYTHONS
    assert {"numpy": "2.1.3", "matplotlib": "3.10.0", "ipywidgets": "7.7.1",
            "ipykernel": "6.17.1"}.items() <= noxfile.COLAB_PINS.items()


def test_kernel_rows_read_pytests_junit_report(matrix, tmp_path):
    junit = tmp_path / "kernels.xml"
    junit.write_text(
        '<testsuites><testsuite>'
        '<testcase name="test_stored_outputs_hold_under_kernel[Prescott]" time="60">'
        '<failure message="differs"/></testcase>'
        '<testcase name="test_stored_outputs_hold_under_kernel[Haswell]" time="0.1">'
        '<skipped message="Haswell is the kernel of this run"/></testcase>'
        '<testcase name="test_stored_outputs_hold_under_kernel[SkylakeX]" time="90"/>'
        '</testsuite></testsuites>')
    rows = matrix.kernel_rows(junit, 1, 2.5)
    assert [(r[0], r[1]) for r in rows] == [("kernel Prescott", "failed"), ("kernel Haswell", "skipped"),
                                            ("kernel SkylakeX", "success")]
    assert rows[1][3] == "Haswell is the kernel of this run" and rows[2][2] == pytest.approx(1.5)


def test_a_missing_report_is_a_failure(matrix, tmp_path):
    assert matrix.kernel_rows(tmp_path / "none.xml", 2, 0.1)[0][1] == "failed"
    assert matrix.nox_rows(tmp_path / "none.json", 2, 0.1)[0][1] == "failed"


def test_nox_rows_show_versions_and_reasons(matrix, tmp_path):
    (tmp_path / "tests-3.12.versions").write_text("Python 3.12.1, NumPy 2.4.6, matplotlib 3.11.2\n")
    report = tmp_path / "nox.json"
    report.write_text(json.dumps({"result": 0, "sessions": [
        {"name": "tests", "signatures": ["tests-3.12"], "result": "success", "reason": None, "duration": 120},
        {"name": "tests", "signatures": ["tests-3.10"], "result": "skipped",
         "reason": "Python interpreter 3.10 not found.", "duration": 0},
        {"name": "colab", "signatures": ["colab"], "result": "failed", "reason": None, "duration": 60},
    ]}))
    rows = matrix.nox_rows(report, 1, 3.0)
    assert rows[0] == ("tests-3.12", "success", 2.0, "Python 3.12.1, NumPy 2.4.6, matplotlib 3.11.2")
    assert rows[1][1:] == ("skipped", 0.0, "Python interpreter 3.10 not found.")
    assert rows[2][:2] == ("colab", "failed")


def test_portability_failure_message_keeps_only_the_diffs():
    from test_portability import failed_cells

    output = ("....F\n=================== FAILURES ===================\n"
              "_____ solutions/05_training.ipynb::Cell 10 _____\n"
              "Input:\nclass SquaredError:\n    pass\nTraceback:\n mismatch 'stdout'\n"
              "  -  steps: 2.408\n  +  steps: 2.854\n"
              "=========== short test summary info ===========\nFAILED ...\n")
    message = failed_cells(output)
    assert "solutions/05_training.ipynb::Cell 10" in message and "steps: 2.408" in message
    assert "class SquaredError" not in message and "short test summary" not in message
