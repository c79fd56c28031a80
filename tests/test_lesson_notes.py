"""Lesson notes (docs/instructors/): generated, complete, and true to the checks they quote."""

from __future__ import annotations

import re

import pytest

from helpers import lesson_notes
from helpers.checking import all_exercises, exercises_for
from nbrun import ROOT, SOLUTIONS

NOTEBOOKS = [p.stem for p in SOLUTIONS]


def page(name: str) -> str:
    return (ROOT / "docs" / "instructors" / f"{name}.md").read_text(encoding="utf-8")


def mistakes_of(text: str, exercise: str) -> list[str]:
    """The numbered mistakes listed under one exercise's heading."""
    part = re.search(rf"^### Exercise {re.escape(exercise)}:.*?(?=^### |\Z)", text, re.S | re.M)
    assert part, f"no section for exercise {exercise}"
    return re.findall(r"^\d+\. \*\*(.+?)\*\* — caught at", part.group(0), re.M)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_notebook_has_notes_with_objectives_timing_and_questions(name):
    text = page(name)
    info = lesson_notes.outline(ROOT / "solutions" / f"{name}.ipynb")
    assert info.objectives and info.prerequisites and info.minutes, f"{name}: the notebook's intro lacks a part"
    for objective in info.objectives:
        assert f"- {objective}" in text
    assert info.prerequisites in text
    # The section shares add up to the notebook's own estimate, and each section is in the table.
    assert sum(s.minutes for s in info.sections) == info.minutes
    for section in info.sections:
        assert f"| {section.title} | {section.minutes} |" in text
    assert "## Discussion questions" in text and "*Answer*" in text


@pytest.mark.parametrize("exercise", [e.id for e in all_exercises()])
def test_every_exercise_lists_at_least_three_mistakes_with_verdicts(exercise):
    ex = next(e for e in all_exercises() if e.id == exercise)
    found = mistakes_of(page(ex.notebook), exercise)
    assert len(found) >= 3, f"exercise {exercise}: {len(found)} common mistakes in the notes (at least 3)"


def test_a_fresh_run_gives_the_page_word_for_word():
    """Regenerate one page in full (notebook, registry, catalogue run) and compare."""
    assert lesson_notes.render("01_activations") == page("01_activations")


def test_the_quoted_verdicts_are_what_the_check_prints():
    text = page("01_activations")
    found = lesson_notes.common_mistakes("01_activations")
    assert found["1.2"], "the catalogue has wrong answers for 1.2"
    for m in found["1.2"]:
        assert m.verdict.startswith("❌ Exercise 1.2")
        block = "\n".join(f"   {line}".rstrip() for line in m.verdict.splitlines())
        assert block in text, f"verdict of {m.mistake!r} not quoted as printed"


def test_an_exercise_without_catalogue_entries_says_so(monkeypatch):
    monkeypatch.setattr(lesson_notes, "common_mistakes", lambda notebook: {})
    text = lesson_notes.render("01_activations")
    assert text.count("**No common mistakes catalogued yet**") == len(exercises_for("01_activations"))


def test_stale_notes_fail_the_check(tmp_path, monkeypatch):
    monkeypatch.setattr(lesson_notes, "NOTES", tmp_path)
    monkeypatch.setattr(lesson_notes, "common_mistakes", lambda notebook: {})   # no notebook runs here
    (tmp_path / "99_gone.md").write_text("old", encoding="utf-8")
    stale = lesson_notes.write_notes(check_only=True)
    assert "99_gone.md (no solution of that name)" in " ".join(stale)
    assert len(stale) == len(NOTEBOOKS) + 2            # every page missing, the index, the orphan
    assert not any(tmp_path.glob("0*.md")), "--check writes nothing"
    lesson_notes.write_notes()
    (tmp_path / "99_gone.md").unlink()
    assert lesson_notes.write_notes(check_only=True) == []
    # A hand edit makes the page stale; so does a change in any file the page is made from.
    target = tmp_path / "01_activations.md"
    target.write_text(target.read_text(encoding="utf-8").replace("## Objectives", "## Goals"), encoding="utf-8")
    assert lesson_notes.write_notes(check_only=True) == [str(target)]
    lesson_notes.write_notes()
    real = lesson_notes.inputs_digest
    monkeypatch.setattr(lesson_notes, "inputs_digest",
                        lambda nb: real(nb) if nb != "02_affine_and_forward" else "0" * 64)
    assert lesson_notes.write_notes(check_only=True) == [str(tmp_path / "02_affine_and_forward.md")]


def test_the_digest_covers_the_check_and_the_catalogue():
    files = {str(p.relative_to(ROOT)) for p in lesson_notes.input_files("04_backpropagation")}
    assert {"solutions/04_backpropagation.ipynb", "helpers/exercises/ex04_backpropagation.py",
            "tests/catalogue/nb04.py", "helpers/checking.py", "helpers/hints.py"} <= files


def test_the_verdicts_are_the_same_on_every_run():
    """A wrong answer that draws from NumPy's global generator still gets one fixed verdict."""
    import numpy as np

    first = [m.verdict for m in lesson_notes.common_mistakes("05_training")["5.2"]]
    np.random.seed(12345)
    np.random.random(7)
    assert [m.verdict for m in lesson_notes.common_mistakes("05_training")["5.2"]] == first
