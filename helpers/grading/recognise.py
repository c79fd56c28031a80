"""Which course notebook is a submission? Decided without running anything.

In order: ``--notebook NN`` when the instructor says so; an exact course file
name (``04_backpropagation.ipynb``); the notebook's ``nnfs`` metadata; its
content (check cells of known exercises, nbgrader cell ids, and *top-level*
definitions of the names the exercises ask for: a method called ``forward``
inside a class does not count); a notebook number in the file name.
"""

from __future__ import annotations

import ast
import re
from functools import lru_cache
from pathlib import PurePath

from .submissions import cell_source, shown

_CHECK_ID = re.compile(r"""\bcheck\(\s{0,20}["'](\d{1,3}\.\d{1,3})["']""")
_QUIZ_ID = re.compile(r"""\b(?:check_quiz|show_quiz)\(\s{0,20}["'](\d{1,3})["']""")
_GRADE_ID = re.compile(r"^(?:check|solution)_(\d{1,3})_(\d{1,3})$")
_NUMBER = re.compile(r"(?<!\d)(\d{2})(?!\d)")


@lru_cache(maxsize=1)
def registry():
    """``(exercises by notebook, quizzes by notebook)`` from the course registry."""
    from helpers.checking import all_exercises
    from helpers.quiz import all_quizzes

    exercises: dict[str, list] = {}
    for ex in all_exercises():
        exercises.setdefault(ex.notebook, []).append(ex)
    return exercises, {q.notebook: q for q in all_quizzes()}


def known_notebooks() -> list[str]:
    exercises, quizzes = registry()
    return sorted(set(exercises) | set(quizzes))


def resolve_name(text: str) -> str | None:
    """``"04"``, ``"4"`` or ``"04_backpropagation"`` -> the course notebook's name."""
    for name in known_notebooks():
        if text == name or text.lstrip("0") == name.split("_")[0].lstrip("0"):
            return name
    return None


def top_level_names(source: str) -> set[str]:
    """Names a cell defines at its top level (def, class, assignment, import)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        # IPython syntax (magics) does not parse: read the unindented lines instead.
        names = set()
        for line in source.splitlines():
            for head in ("def ", "class ", "async def "):
                if line.startswith(head):
                    rest = line[len(head):]
                    names.add(rest.split("(")[0].split(":")[0].strip())
        return names
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def identify(nb: dict, filename: str, forced: str | None = None) -> tuple[str | None, str, str]:
    """``(notebook, how, note)``; how is "option", "file name", "metadata" or "content"."""
    exercises, quizzes = registry()
    known = known_notebooks()
    if forced:
        return forced, "option", ""
    base = PurePath(filename).name
    for name in known:
        if base == f"{name}.ipynb":
            return name, "file name", ""
    note = ""
    meta = nb.get("metadata", {}).get("nnfs", {})
    claimed = meta.get("notebook") if isinstance(meta, dict) else None
    if isinstance(claimed, str):
        if claimed in known:
            return claimed, "metadata", ""
        note = f"metadata names an unknown notebook {shown(claimed[:60])!r}"

    scores = dict.fromkeys(known, 0)
    for cell in nb["cells"]:
        if cell.get("cell_type") != "code":
            continue
        src = cell_source(cell)[:1_000_000]
        meta = cell.get("metadata") if isinstance(cell.get("metadata"), dict) else {}
        grading = meta.get("nbgrader") if isinstance(meta.get("nbgrader"), dict) else {}
        ids = set(_CHECK_ID.findall(src))
        m = _GRADE_ID.match(grading.get("grade_id", "")) if isinstance(grading.get("grade_id"), str) else None
        if m:
            ids.add(f"{int(m.group(1))}.{int(m.group(2))}")
        quiz_ids = set(_QUIZ_ID.findall(src))
        defined = top_level_names(src)
        for name in known:
            number = name.split("_")[0]
            scores[name] += 3 * sum(1 for ex in exercises.get(name, []) if ex.id in ids)
            scores[name] += 3 * (number in quiz_ids)
            scores[name] += 2 * sum(1 for ex in exercises.get(name, []) if set(ex.names) <= defined)
    best = max(scores.values(), default=0)
    leaders = [name for name, score in scores.items() if score == best]
    if best > 0 and len(leaders) == 1:
        return leaders[0], "content", note
    stem = PurePath(filename).stem.lower()
    numbers = set(_NUMBER.findall(stem))
    by_number = [name for name in (leaders if best > 0 else known) if name.split("_")[0] in numbers]
    if len(by_number) == 1:
        return by_number[0], "file name", note
    reason = "could not tell which course notebook this is (no nnfs metadata, no check cells " \
             "of a known exercise, no notebook number in the file name); use --notebook NN"
    return None, "", f"{note}; {reason}" if note else reason
