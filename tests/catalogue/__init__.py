"""The catalogue of wrong (and right-but-different) answers, one module per notebook.

Each module ``nbNN.py`` defines ``CASES``, a list of :class:`Wrong` and
:class:`Right` entries. ``tests/test_catalogue.py`` runs every entry against
the exercise's check: a ``Wrong`` must fail a *public* step whose label
contains ``fails_at`` (the step that names its problem); a ``Right`` must pass
every step, hidden ones included.

``code`` is what a learner would have in the exercise cell. It runs in a copy
of the namespace that the solution notebook leaves behind, so it may use
``np`` and whatever the notebook defined earlier.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass


@dataclass(frozen=True)
class Wrong:
    exercise: str   # "1.2"
    mistake: str    # what the learner got wrong, in an instructor's words
    code: str       # the learner's cell
    fails_at: str   # part of the label of the public step that must catch it


@dataclass(frozen=True)
class Right:
    exercise: str
    variant: str    # how this correct answer differs from the solution
    code: str


def all_cases() -> list[Wrong | Right]:
    cases: list[Wrong | Right] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("nb"):
            cases.extend(importlib.import_module(f"{__name__}.{info.name}").CASES)
    return cases
