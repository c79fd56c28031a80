"""The mutation operators of helpers.mutants, on small hand-made cells (the full run: `make mutants`)."""

from __future__ import annotations

import ast

from helpers.checking import get_exercise
from helpers.mutants import EQUIVALENT, mutants, solution_cell, solution_lines

CELL = '''def f(x, rows):
    """Docstring lines are not the learner's."""
    ### BEGIN SOLUTION
    z = x - x.max(axis=1, keepdims=True)
    total = 0.0
    for i in range(0, len(rows)):
        total += z[i:i + 2].sum() if rows[i] > 0 else -1.5
    return (x.copy() @ z.T, total)
    ### END SOLUTION


def g(x):
    return x + 1  ### BLANK: x + 1
'''


def changes():
    return [m.description.split(":")[0] for m in mutants(CELL)]


def test_only_the_learners_lines_are_mutated():
    assert solution_lines(CELL) == {4, 5, 6, 7, 8, 13}
    for m in mutants(CELL):
        assert "Docstring" in m.source and "def g(x):" in m.source
        ast.parse(m.source)                        # every mutant is valid Python


def test_every_operator_fires():
    kinds = set(changes())
    assert {"swap axis", "drop keepdims", "max -> mean", "max -> min", "sum -> mean", "drop .copy()",
            "flip sign", "drop .T", "swap @ operands", "change constant", "swap comparison", "= -> +=",
            "+= -> =", "off by one", "remove statement"} <= kinds


def test_a_mutant_changes_one_place():
    by_text = {m.description: m.source for m in mutants(CELL)}
    axis = next(d for d in by_text if d.startswith("swap axis"))
    assert axis == "swap axis: `z = x - x.max(axis=1, keepdims=True)` -> `z = x - x.max(axis=0, keepdims=True)`"
    assert by_text[axis].count("axis=0") == 1 and "keepdims=True" in by_text[axis]
    assert any(d == "remove statement: `total = 0.0` -> `pass`" for d in by_text)
    assert any(d.startswith("off by one: `for i in range(0, len(rows)):` -> `for i in range(0, len(rows) - 1):`")
               for d in by_text)
    assert "change constant: `return x + 1` -> `return x + 2`" in by_text       # the ### BLANK line


def test_solution_cells_are_found_and_equivalents_name_real_mutants():
    for (exercise_id, description), reason in EQUIVALENT.items():
        assert reason
        assert description in {m.description for m in mutants(solution_cell(get_exercise(exercise_id)))}, description
