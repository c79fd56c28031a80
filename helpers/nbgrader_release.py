"""nbgrader's ``generate_assignment``, taught the course's one-expression blanks.

Loaded by nbgrader through the ``nbgrader_config.py`` that
``python -m helpers.build --nbgrader COURSE_DIR`` writes; learners never import
it (it needs the ``nbgrader`` extra).

nbgrader replaces a ``### BEGIN SOLUTION`` region by its stub, and a solution
cell without such a region by the stub alone. A cell with a ``### BLANK:``
line would therefore lose its function signature or its ``quiz_answers = {...}``
skeleton. ``ClearSolutionsAndBlanks`` gives such cells the student version that
``notebooks/`` has (the blank becomes ``...``, regions the same stub as
nbgrader's), and leaves every other cell to nbgrader.
"""

from __future__ import annotations

from nbgrader import utils
from nbgrader.converters import GenerateAssignment
from nbgrader.preprocessors import ClearSolutions

from helpers.build import BLANK, blank_code

__all__ = ["ClearSolutionsAndBlanks", "release_preprocessors"]


class ClearSolutionsAndBlanks(ClearSolutions):
    """nbgrader's ``ClearSolutions``, plus the course's ``### BLANK:`` lines."""

    def preprocess_cell(self, cell, resources, cell_index):
        if cell.cell_type == "code" and utils.is_solution(cell) and BLANK in cell.source:
            where = f"cell {cell_index + 1} ({cell.metadata['nbgrader'].get('grade_id')})"
            cell.source = blank_code(cell.source, where)
            return cell, resources
        return super().preprocess_cell(cell, resources, cell_index)


def release_preprocessors() -> list:
    """nbgrader's own ``GenerateAssignment`` steps, with ``ClearSolutionsAndBlanks``
    in place of ``ClearSolutions`` (read from the installed nbgrader, so the
    other steps stay whatever that version does)."""
    default = GenerateAssignment.class_traits()["preprocessors"].make_dynamic_default()
    if ClearSolutions not in default:
        raise RuntimeError("this nbgrader's generate_assignment has no ClearSolutions step; "
                           "helpers.nbgrader_release was written for nbgrader 0.9")
    return [ClearSolutionsAndBlanks if step is ClearSolutions else step for step in default]
