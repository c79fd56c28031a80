"""Progressive hints: ``hint("N.k")`` shows one more nudge each time, the finished line last.

The behaviour a learner sees (first call, next calls, the last hint, a chosen
hint, an unknown id, the "More help" line of a failed check), and the content
rules every exercise follows: two to four hints, and the finished line only in
the last hint, never in the exercise's statement.
"""

from __future__ import annotations

import re

import nbformat
import numpy as np
import pytest

import helpers.hints as hints_module
from helpers import check, hint
from helpers.checking import all_exercises
from helpers.hints import hints_of
from nbrun import ROOT

EXERCISES = all_exercises()


@pytest.fixture(autouse=True)
def fresh_kernel(monkeypatch):
    """Each test starts as a fresh kernel would: no hint shown yet."""
    monkeypatch.setattr(hints_module, "_shown", {})


def _hint_text(capsys, *args) -> str:
    hint(*args)
    return capsys.readouterr().out


# --- what the learner sees -----------------------------------------------------------------


def test_first_call_shows_the_first_hint_only(capsys):
    hints = hints_of(_exercise("1.2"))
    out = _hint_text(capsys, "1.2")
    assert f"Hint 1 of {len(hints)} for Exercise 1.2" in out
    assert hints[0] in out
    assert not any(h in out for h in hints[1:])
    assert 'Run hint("1.2") again for the next one' in out


def test_next_calls_show_the_next_hints_in_order(capsys):
    hints = hints_of(_exercise("1.2"))
    for number in range(1, len(hints) + 1):
        out = _hint_text(capsys, "1.2")
        assert f"Hint {number} of {len(hints)}" in out
        assert hints[number - 1] in out


def test_the_last_hint_says_so_and_repeats_when_called_again(capsys):
    hints = hints_of(_exercise("3.3"))
    for _ in hints:
        out = _hint_text(capsys, "3.3")
    assert hints[-1] in out
    assert "That was the last hint" in out and 'hint("3.3", 1)' in out
    again = _hint_text(capsys, "3.3")
    assert f"Hint {len(hints)} of {len(hints)}" in again and hints[-1] in again


def test_a_chosen_hint_by_number(capsys):
    hints = hints_of(_exercise("4.4"))
    out = _hint_text(capsys, "4.4", 2)
    assert f"Hint 2 of {len(hints)}" in out and hints[1] in out
    assert hints[0] not in out
    # Asking for hint 2 counts hints 1 and 2 as seen: the next call shows hint 3.
    assert f"Hint 3 of {len(hints)}" in _hint_text(capsys, "4.4")
    # Going back to the first hint does not reset the count.
    assert hints[0] in _hint_text(capsys, "4.4", 1)
    assert f"Hint 4 of {len(hints)}" in _hint_text(capsys, "4.4")


@pytest.mark.parametrize("number", [0, 99, -1])
def test_a_hint_number_out_of_range(capsys, number):
    n = len(hints_of(_exercise("2.1")))
    out = _hint_text(capsys, "2.1", number)
    assert f"Exercise 2.1 has hints 1 to {n}; there is no hint {number}." in out
    assert hints_module._shown == {}


def test_an_unknown_exercise_lists_the_known_ones(capsys):
    out = _hint_text(capsys, "9.9")
    assert "There is no exercise '9.9'" in out
    assert "1.1" in out and "4.5" in out


def test_a_number_given_as_a_float_like_id_still_finds_the_exercise(capsys):
    # hint(1.2) instead of hint("1.2"): the id is turned into text.
    assert "Hint 1 of" in _hint_text(capsys, 1.2)


def test_hint_is_plain_printing(capsys):
    # No widgets and no display objects: the same text in JupyterLab, Colab's
    # static output and a terminal.
    result = hint("1.1")
    assert result is None
    out = capsys.readouterr().out
    assert out.startswith("💡 Hint 1 of")
    assert "<" not in out and "ipywidgets" not in out


# --- the "More help" line after a failed check -------------------------------------------------


def _wrong_step_function(x):
    return (x >= 0).astype(int)      # step(0) = 1: fails the small-cases step


def test_a_failed_check_points_to_hint_with_the_number_left(capsys):
    n = len(hints_of(_exercise("1.1")))
    check("1.1", namespace={"step_function": _wrong_step_function})
    out = capsys.readouterr().out
    assert "❌ Exercise 1.1" in out
    assert f'More help: hint("1.1") ({n} hints left).' in out
    hint("1.1")
    capsys.readouterr()
    check("1.1", namespace={"step_function": _wrong_step_function})
    assert f'More help: hint("1.1") ({n - 1} hint{"s" if n - 1 > 1 else ""} left).' in capsys.readouterr().out


def test_no_more_help_line_once_every_hint_was_shown(capsys):
    hint("1.1", len(hints_of(_exercise("1.1"))))
    capsys.readouterr()
    check("1.1", namespace={"step_function": _wrong_step_function})
    out = capsys.readouterr().out
    assert "❌ Exercise 1.1" in out and "More help" not in out


def test_a_passing_check_has_no_more_help_line(capsys):
    check("1.1", namespace={"step_function": lambda x: (np.asarray(x) > 0).astype(int)})
    out = capsys.readouterr().out
    assert "✅ Exercise 1.1" in out and "More help" not in out


# --- content rules, for every exercise ----------------------------------------------------------


def _exercise(exercise_id):
    return next(e for e in EXERCISES if e.id == exercise_id)


def _statement(ex) -> str:
    """The markdown cell of the solution notebook that states the exercise."""
    nb = nbformat.read(ROOT / "solutions" / f"{ex.notebook}.ipynb", as_version=4)
    heading = re.compile(rf"^#+ Exercise {re.escape(ex.id)}\b", re.M)
    cells = [c.source for c in nb.cells if c.cell_type == "markdown" and heading.search(c.source)]
    assert len(cells) == 1, f"exercise {ex.id}: expected one statement cell with '### Exercise {ex.id}'"
    return cells[0]


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.parametrize("ex", EXERCISES, ids=[e.id for e in EXERCISES])
def test_every_exercise_has_two_to_four_progressive_hints(ex):
    assert 2 <= len(ex.hints) <= 4, f"exercise {ex.id} has {len(ex.hints)} hints, not 2 to 4"
    assert len(set(ex.hints)) == len(ex.hints), f"exercise {ex.id} repeats a hint"
    assert all(h.strip() for h in ex.hints)


@pytest.mark.parametrize("ex", EXERCISES, ids=[e.id for e in EXERCISES])
def test_the_finished_line_is_the_last_hint_and_not_in_the_statement(ex):
    assert ex.hints, f"exercise {ex.id} has no hints"
    # The finished line, as `code` in backticks (the whole hint when it has none).
    code = [span for span in re.findall(r"`([^`]+)`", ex.hints[-1]) if len(span) >= 8] or [ex.hints[-1]]
    statement = _squash(_statement(ex))
    for span in code:
        assert _squash(span) not in statement, (
            f"exercise {ex.id}: the statement already contains the last hint's code `{span}`")
    # The first hint is a nudge: it never shows the finished line.
    for span in code:
        assert _squash(span) not in _squash(ex.hints[0]), f"exercise {ex.id}: the first hint gives the answer"


NOTEBOOKS_WITH_EXERCISES = sorted({e.notebook for e in EXERCISES})


@pytest.mark.parametrize("notebook", NOTEBOOKS_WITH_EXERCISES)
def test_every_notebook_with_exercises_imports_hint_in_its_setup_cell(notebook):
    nb = nbformat.read(ROOT / "solutions" / f"{notebook}.ipynb", as_version=4)
    setup = next(c.source for c in nb.cells if c.cell_type == "code")
    imports = re.findall(r"^from helpers import (.+)$", setup, re.M)
    assert any("hint" in [name.strip() for name in line.split(",")] for line in imports), (
        f"{notebook}: the setup cell should import `hint` (from helpers import ..., hint)")
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "hint(" in text, f"{notebook}: tell the learner about hint(\"N.k\")"
