"""Shared tools of the grader tests (no tests here): building notebooks, running the grader."""

from __future__ import annotations

import ast
import csv
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.grading.sandbox import probe_bwrap

ROOT = Path(__file__).resolve().parent.parent
WHY_NO_BWRAP = probe_bwrap()
needs_bwrap = pytest.mark.skipif(WHY_NO_BWRAP is not None,
                                 reason=f"sandbox tests need bubblewrap: {WHY_NO_BWRAP}")
SANDBOX = "none" if WHY_NO_BWRAP else "bwrap"


def load(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def save(nb: dict, path) -> Path:
    path = Path(os.fsdecode(path)) if isinstance(path, bytes) else Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(os.fsencode(path), "w", encoding="utf-8") as f:
        json.dump(nb, f)
    return path


def code(text: str, **metadata) -> dict:
    return {"cell_type": "code", "metadata": metadata, "execution_count": None, "outputs": [], "source": text}


def notebook(*cells, name: str | None = None, minor: int = 5) -> dict:
    """A notebook of code cells (strings or cell dicts), claiming course notebook ``name`` if given."""
    meta = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    if name:
        meta["nnfs"] = {"notebook": name}
    return {"nbformat": 4, "nbformat_minor": minor, "metadata": meta,
            "cells": [c if isinstance(c, dict) else code(c) for c in cells]}


SETUP = "import numpy as np\nfrom helpers import check, check_quiz, show_quiz, print_vec"


def answers(name: str) -> dict[str, str]:
    """The solution notebook's cell for each top-level name it defines: ``{"sigmoid": "def sigmoid..."}``."""
    found = {}
    for cell in load(ROOT / "solutions" / f"{name}.ipynb")["cells"]:
        if cell["cell_type"] != "code":
            continue
        text = "".join(cell["source"])
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                found.setdefault(node.name, text)
            elif isinstance(node, ast.Assign) and node.targets and isinstance(node.targets[0], ast.Name):
                found.setdefault(node.targets[0].id, text)
    return found


def sha(path) -> str:
    with open(os.fsencode(path), "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def run_grader(*args, cwd: Path, timeout: float = 600, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "helpers.grade", *map(os.fsdecode, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def rows(csv_path: Path) -> dict[str, dict]:
    with open(csv_path, encoding="utf-8", newline="") as f:
        return {row["submission"]: row for row in csv.DictReader(f)}


def results(json_path: Path) -> dict[str, dict]:
    return {r["submission"]: r for r in load(json_path)["results"]}


def grading_processes() -> list[str]:
    """Command lines of live processes of the grader's children (there must be none after a run)."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if "helpers.grading.child" in cmdline:
            found.append(f"{pid}: {cmdline[:200]}")
    return found
