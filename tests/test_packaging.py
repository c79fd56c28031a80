"""The course installs with pip, data included, without a clone (what Colab does)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile

from nbrun import ROOT
from helpers.build import repository_url


def test_wheel_ships_the_data_and_loads_it_outside_the_repo(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(wheels), str(ROOT)],
                   check=True, capture_output=True)
    wheel = next(wheels.glob("nnfs_course-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for expected in ("helpers/datasets/iris.csv", "helpers/datasets/corpus.txt", "helpers/datasets/textclass.csv",
                     "helpers/checking.py",
                     "helpers/exercises/ex01_activations.py", "helpers/nn/layers.py"):
        assert expected in names, f"{expected} missing from the wheel"
    assert not any(n.startswith(("tests/", "solutions/", "notebooks/")) for n in names)

    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target),
                    str(wheel)], check=True, capture_output=True)
    code = ("import helpers, helpers.data as d; X, y, names, _ = helpers.load_iris(); "
            "print(X.shape, helpers.__file__.startswith(%r), d.data_path('iris.csv'))" % str(target))
    env = dict(os.environ, PYTHONPATH=str(target))
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("(150, 4) True") and "datasets" in out.stdout
    code = "import helpers.textclass as t; d = t.load_textclass(); print(len(d.texts), len(d.class_names))"
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[1] == "6" and int(out.stdout.split()[0]) >= 2000


def test_readme_links_use_the_one_repository_url():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    path = repository_url().split("github.com/")[1]
    links = re.findall(r"colab\.research\.google\.com/github/([^)\s]+?)/blob/main/(notebooks/[\w.]+)", readme)
    assert links, "the README has Colab links"
    for repo, notebook in links:
        assert repo == path, f"README links to {repo}, pyproject names {path}"
        assert (ROOT / notebook).exists(), f"README links to missing {notebook}"


def test_make_test_is_what_ci_runs():
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, re.M)
    readme = (ROOT / "README.md").read_text()
    assert "make lab" in readme and "make test" in readme
