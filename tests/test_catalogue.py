"""Every check rejects the catalogue's wrong answers and accepts its right ones.

See ``tests/catalogue/__init__.py`` for the format. ``fails_at`` must occur in
the label of the public step that fails, or in its failure's one-line summary
(for a write into an input, which the first step that calls the code catches). The run ends with one
line, ``wrong implementations rejected by the public check: N/M`` (printed by
``tests/conftest.py``).
"""

from __future__ import annotations

import textwrap

import pytest

from catalogue import Right, Wrong, all_cases
from helpers.checking import NotDone, all_exercises, format_result, get_exercise, run_exercise
from nbrun import ROOT, notebook_run

CASES = all_cases()
WRONG = [c for c in CASES if isinstance(c, Wrong)]
RIGHT = [c for c in CASES if isinstance(c, Right)]


def _namespace_with(case) -> dict:
    exercise = get_exercise(case.exercise)
    run = notebook_run(ROOT / "solutions" / f"{exercise.notebook}.ipynb")
    namespace = dict(run.namespace)
    exec(compile(textwrap.dedent(case.code), f"<catalogue {case.exercise}>", "exec"), namespace)
    return namespace


@pytest.mark.parametrize("case", WRONG, ids=[f"{c.exercise}: {c.mistake}" for c in WRONG])
def test_wrong_rejected(case):
    exercise = get_exercise(case.exercise)
    result = run_exercise(exercise, _namespace_with(case), hidden=False)
    verdict = format_result(result)
    assert not result.passed, f"the public check of {case.exercise} accepts: {case.mistake}"
    assert not isinstance(result.failure, NotDone), verdict
    # The step's label names the problem; a write into an input is caught by whichever step calls
    # the code first, and then the message itself names it ("modified its input `x`").
    named = f"{result.failed_step} | {result.failure.summary}".lower()
    assert case.fails_at.lower() in named, (
        f"caught at the wrong step (expected one about {case.fails_at!r}):\n{verdict}")
    assert "Traceback" not in verdict


@pytest.mark.parametrize("case", RIGHT, ids=[f"{c.exercise}: {c.variant}" for c in RIGHT])
def test_right_accepted(case):
    result = run_exercise(get_exercise(case.exercise), _namespace_with(case), hidden=True)
    assert result.passed, format_result(result, reveal_hidden=True)


def test_catalogue_is_large_enough():
    ids = [e.id for e in all_exercises()]
    for ex_id in ids:
        wrongs = sum(c.exercise == ex_id for c in WRONG)
        assert wrongs >= 4, f"exercise {ex_id} has {wrongs} wrong implementations in the catalogue (at least 4)"
        assert any(c.exercise == ex_id for c in RIGHT), f"exercise {ex_id} has no right-but-different answer"
    assert len(WRONG) >= 4 * len(ids)
