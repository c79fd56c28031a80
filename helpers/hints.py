"""Progressive hints: ``hint("4.4")`` shows one more nudge for an exercise.

Each exercise in the registry carries a short list of hints, from a first
nudge (which idea to use) to the last one (the finished line). Calling
``hint`` again shows the next one, so a learner takes only as much help as
they need. Plain printing: it works the same in JupyterLab, Colab and a
terminal.
"""

from __future__ import annotations

from helpers.checking import Exercise, all_exercises, get_exercise

__all__ = ["hint", "hints_of"]

# How many hints of each exercise this kernel has shown so far.
_shown: dict[str, int] = {}


def hints_of(exercise: Exercise) -> tuple[str, ...]:
    """The exercise's hints in order; its single failure hint if it has no list."""
    if exercise.hints:
        return tuple(exercise.hints)
    return (exercise.hint,) if exercise.hint else ()


def hint(exercise_id: str, number: int | None = None) -> None:
    """Print the next hint for ``exercise_id`` (or hint ``number``, counting from 1)."""
    exercise_id = str(exercise_id)
    try:
        exercise = get_exercise(exercise_id)
    except KeyError:
        known = ", ".join(e.id for e in all_exercises())
        print(f"There is no exercise {exercise_id!r}. Exercises with hints: {known}.")
        return
    hints = hints_of(exercise)
    if not hints:
        print(f"Exercise {exercise_id} has no hints.")
        return
    if number is None:
        number = min(_shown.get(exercise_id, 0) + 1, len(hints))
    if not 1 <= number <= len(hints):
        print(f"Exercise {exercise_id} has hints 1 to {len(hints)}; there is no hint {number}.")
        return
    _shown[exercise_id] = max(_shown.get(exercise_id, 0), number)
    print(f"💡 Hint {number} of {len(hints)} for Exercise {exercise_id} ({exercise.title}):")
    print(f"   {hints[number - 1]}")
    if number < len(hints):
        print(f'   Still stuck? Run hint("{exercise_id}") again for the next one.')
    else:
        print(f'   That was the last hint. hint("{exercise_id}", 1) shows the first one again.')


def more_help_line(exercise: Exercise) -> str:
    """The line a failed check adds when hints are left to show ('' when none are)."""
    left = len(hints_of(exercise)) - _shown.get(exercise.id, 0)
    if left <= 0:
        return ""
    return f'   More help: hint("{exercise.id}") ({left} hint{"s" if left > 1 else ""} left).'
