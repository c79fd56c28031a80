"""Lesson notes for instructors, one page per notebook: ``docs/instructors/NN_topic.md``.

Written by ``python -m helpers.build`` (and compared by ``--check``) from three sources, so
the notes never drift from the course:

* the **solution notebook**: title, objectives, prerequisites, estimated time, sections;
* the **registry** (``helpers.exercises``): the exercises, their points and hints, and the quiz,
  whose questions serve as discussion questions;
* the **catalogue of wrong answers** (``tests/catalogue``): every ``Wrong`` entry is run against
  the exercise's public check, exactly as ``tests/test_catalogue.py`` does, and the notes quote
  the verdict the learner sees (``format_result``).

The catalogue lives in the test suite, so this module is a contributor's tool: it loads the
catalogue only when the notes are generated, never when a learner imports ``helpers``.

Generating runs every solution notebook and the whole catalogue (minutes on a busy machine), so
each page records a digest of the files its verdicts depend on (:func:`inputs_digest`); ``--check``
and a rebuild compare digests and regenerate only pages whose inputs changed.
``tests/test_lesson_notes.py`` regenerates a page in full and compares it word for word.

Timing per section is an *estimate*: the notebook states its total time, and each section gets a
share proportional to its reading and doing load (words of text, code cells, exercises). The
notes say so.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import numpy as np

from helpers.build import BuildError

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
NOTES = ROOT / "docs" / "instructors"
TESTS = ROOT / "tests"

# Load units used to share the stated time among sections (see `section_weight`).
WORDS_PER_UNIT = 100        # about a minute of careful reading of technical text
UNITS_PER_CODE_CELL = 1     # run it, read its output
UNITS_PER_EXERCISE = 6      # write, check, fix: the bulk of the time
CLOSING_SECTIONS = ("check your understanding", "summary", "going further")


@dataclass
class Section:
    title: str
    words: int = 0
    code_cells: int = 0
    exercises: list[str] = field(default_factory=list)
    minutes: int = 0


@dataclass
class Outline:
    name: str                    # "04_backpropagation"
    title: str
    objectives: list[str]
    prerequisites: str
    minutes: int | None          # the notebook's own estimate
    sections: list[Section]


class NotesError(BuildError):
    """The notes cannot be generated (named with the notebook); `python -m helpers.build` reports it."""


# ---------------------------------------------------------------------------
# Reading the notebook
# ---------------------------------------------------------------------------

_EXERCISE_HEADING = re.compile(r"^#+\s*Exercise\s+(\d+\.\d+)", re.M)
_CHECK_CALL = re.compile(r"""^\s*check\(\s*["'](\d+\.\d+)["']\s*\)""", re.M)


def _paragraph_after(text: str, label: str) -> str:
    """The text after ``**label**`` up to the next bold label or blank line."""
    match = re.search(rf"\*\*{label}\*\*:?\s*(.*?)(?=\n\s*\n|\*\*[A-Z][^*]*\*\*:|\Z)", text, re.S)
    return " ".join(match.group(1).split()) if match else ""


def _objectives(text: str) -> list[str]:
    match = re.search(r"\*\*You will be able to\*\*\s*\n((?:[-*] .*(?:\n(?![-*] |\s*\n).*)*\n?)+)", text)
    if not match:
        return []
    items = re.split(r"\n[-*] ", "\n" + match.group(1).strip())
    return [" ".join(item.split()).rstrip(";.") for item in items if item.strip()]


def _minutes(text: str) -> int | None:
    match = re.search(r"\*\*Time\*\*:?\s*about\s+(\d+(?:\.\d+)?)\s+(minutes|hours?)", text)
    if not match:
        return None
    amount = float(match.group(1))
    return round(amount * 60) if match.group(2).startswith("hour") else round(amount)


def section_weight(section: Section) -> float:
    return (section.words / WORDS_PER_UNIT + UNITS_PER_CODE_CELL * section.code_cells
            + UNITS_PER_EXERCISE * len(section.exercises))


def _share_minutes(sections: list[Section], total: int) -> None:
    """Give each section a share of ``total`` by its weight, rounded to whole minutes (sum kept)."""
    weights = [section_weight(s) for s in sections]
    scale = total / sum(weights) if sum(weights) else 0.0
    exact = [w * scale for w in weights]
    minutes = [int(x) for x in exact]
    # Largest remainders get the minutes lost to rounding down, so the shares add up to the total.
    for i in sorted(range(len(exact)), key=lambda i: exact[i] - minutes[i], reverse=True)[:total - sum(minutes)]:
        minutes[i] += 1
    for section, m in zip(sections, minutes):
        section.minutes = m


def outline(path: Path) -> Outline:
    nb = nbformat.read(path, as_version=4)
    markdown = [c for c in nb.cells if c.cell_type == "markdown"]
    if not markdown or not markdown[0].source.lstrip().startswith("# "):
        raise NotesError(f"{path.name}: the first markdown cell must start with the title (`# ...`)")
    intro = markdown[0].source
    title = intro.lstrip().splitlines()[0][2:].strip()
    sections: list[Section] = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            heading = re.match(r"^##\s+(.*)", cell.source)
            if heading:
                sections.append(Section(heading.group(1).strip()))
            if sections:
                sections[-1].words += len(re.sub(r"\$[^$]*\$", " x ", cell.source).split())
                sections[-1].exercises += _EXERCISE_HEADING.findall(cell.source)
        elif sections and cell.cell_type == "code":
            sections[-1].code_cells += 1
            # An exercise whose statement has no heading still counts where its check is.
            for ex_id in _CHECK_CALL.findall(cell.source):
                if ex_id not in sections[-1].exercises:
                    sections[-1].exercises.append(ex_id)
    minutes = _minutes(intro)
    if minutes and sections:
        _share_minutes(sections, minutes)
    return Outline(name=path.stem, title=title, objectives=_objectives(intro),
                   prerequisites=_paragraph_after(intro, "Prerequisites"), minutes=minutes,
                   sections=sections)


# ---------------------------------------------------------------------------
# Running the catalogue (the same way tests/test_catalogue.py does)
# ---------------------------------------------------------------------------


@dataclass
class Mistake:
    mistake: str
    code: str
    failed_step: str
    verdict: str


def _catalogue():
    """The catalogue's cases and the notebook runner from the test suite (contributor tools)."""
    if not (TESTS / "catalogue" / "__init__.py").exists():
        raise NotesError("tests/catalogue is missing: lesson notes are generated in a clone of the repository")
    if str(TESTS) not in sys.path:
        sys.path.insert(0, str(TESTS))
    from catalogue import Wrong, all_cases  # noqa: E402  (tests/ on the path just above)
    from nbrun import notebook_run          # noqa: E402
    return [c for c in all_cases() if isinstance(c, Wrong)], notebook_run


def common_mistakes(notebook: str) -> dict[str, list[Mistake]]:
    """For each exercise of ``notebook``: its catalogue's wrong answers and the verdicts they get."""
    from helpers.checking import exercises_for, format_result, run_exercise

    exercises = exercises_for(notebook)
    wrongs, notebook_run = _catalogue()
    ours = [c for c in wrongs if any(c.exercise == e.id for e in exercises)]
    found: dict[str, list[Mistake]] = {e.id: [] for e in exercises}
    if not ours:
        return found
    run = notebook_run(SOLUTIONS / f"{notebook}.ipynb")
    by_id = {e.id: e for e in exercises}
    for case in ours:
        namespace = dict(run.namespace)
        # A wrong answer may draw from NumPy's global generator (instead of the rng it was given):
        # seed it, so that the verdict quoted, and so the page, is the same on every run.
        np.random.seed(0)
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(textwrap.dedent(case.code), f"<catalogue {case.exercise}>", "exec"), namespace)
            result = run_exercise(by_id[case.exercise], namespace, hidden=False)
        # A wrong answer the public check accepts is listed as such, never as "caught"
        # (tests/test_catalogue.py fails on it until the check is fixed).
        step = result.failed_step or "nowhere: THE PUBLIC CHECK ACCEPTS THIS WRONG ANSWER"
        found[case.exercise].append(Mistake(case.mistake, textwrap.dedent(case.code).strip(),
                                            step, format_result(result)))
    return found


# ---------------------------------------------------------------------------
# Writing the page
# ---------------------------------------------------------------------------


def _quiz_lines(notebook: str) -> list[str]:
    from helpers.quiz import Choice, all_quizzes

    quiz = next((q for q in all_quizzes() if q.notebook == notebook), None)
    if quiz is None:
        return ["This notebook has no quiz yet."]
    lines = ["The notebook's quiz questions, to ask the room before anyone runs `check_quiz` "
             "(let pairs argue, then take answers):", ""]
    for number, q in enumerate(quiz.questions, 1):
        lines.append(f"{number}. {' '.join(q.text.split())}")
        if isinstance(q, Choice):
            for letter, option in q.options.items():
                lines.append(f"   - ({letter}) {' '.join(str(option).split())}")
            answer = f"({q.answer})"
        else:
            answer = f"{q.answer:g} (accepted within ±{q.tol:g})"
        lines.append(f"   - *Answer*: {answer}" + (f" — {' '.join(q.explain.split())}" if q.explain else ""))
    return lines


def render(notebook: str) -> str:
    """The Markdown page of one notebook."""
    from helpers.checking import exercises_for

    path = SOLUTIONS / f"{notebook}.ipynb"
    info = outline(path)
    exercises = exercises_for(notebook)
    mistakes = common_mistakes(notebook)
    out = [f"# Lesson notes: {info.title}", "",
           f"*Generated by `python -m helpers.build` from `solutions/{notebook}.ipynb`, the exercise "
           "registry and the catalogue of wrong answers (`tests/catalogue/`). Do not edit by hand.*", ""]
    out += ["## Objectives", ""] + [f"- {o}" for o in info.objectives or ["(the notebook lists none)"]] + [""]
    out += ["## Prerequisites", "", info.prerequisites or "(the notebook states none)", ""]

    out += ["## Timing", ""]
    if info.minutes:
        out += [f"The notebook's own estimate is **about {info.minutes} minutes**. The split below is an "
                "estimate derived from the notebook's structure, not a measurement: each section gets a share "
                f"proportional to its load (one unit per {WORDS_PER_UNIT} words of text, {UNITS_PER_CODE_CELL} "
                f"per code cell, {UNITS_PER_EXERCISE} per exercise).", ""]
    else:
        out += ["The notebook states no estimated time; the table shows each section's load only.", ""]
    out += ["| Section | Minutes | Words | Code cells | Exercises |", "|---|---:|---:|---:|---|"]
    for s in info.sections:
        minutes = str(s.minutes) if info.minutes else "–"
        out.append(f"| {s.title} | {minutes} | {s.words} | {s.code_cells} | {', '.join(s.exercises) or '–'} |")
    out.append("")

    out += ["## Discussion questions", ""] + _quiz_lines(notebook) + [""]

    out += ["## Exercises and their common mistakes", "",
            "Each mistake below is a wrong answer from the catalogue, run against the exercise's public "
            "check; the block quotes the verdict the learner sees. A failing check also prints "
            "`More help: hint(\"N.k\")`, which reveals the progressive hints one at a time.", ""]
    if not exercises:
        out += ["This notebook has no exercises.", ""]
    for ex in exercises:
        found = mistakes.get(ex.id, [])
        out += [f"### Exercise {ex.id}: {ex.title}", "",
                f"Defines `{'`, `'.join(ex.names)}` · {ex.points} point{'s' if ex.points != 1 else ''} · "
                f"{len(ex.hints)} progressive hint{'s' if len(ex.hints) != 1 else ''} · "
                f"public steps: {' → '.join(s.label for s in ex.steps if not s.hidden)}", ""]
        if not found:
            out += ["**No common mistakes catalogued yet** for this exercise (add `Wrong` entries to "
                    "`tests/catalogue/`).", ""]
        for number, m in enumerate(found, 1):
            out += [f"{number}. **{m.mistake}** — caught at *{m.failed_step}*", "", "   ```text"]
            out += [f"   {line}".rstrip() for line in m.verdict.splitlines()]
            out += ["   ```", "", "   <details><summary>the learner's code</summary>", "", "   ```python"]
            out += [f"   {line}".rstrip() for line in m.code.splitlines()]
            out += ["   ```", "", "   </details>", ""]
    body = "\n".join(out).rstrip() + "\n"
    return f"<!-- inputs: {inputs_digest(notebook)} page: {_sha(body)} -->\n" + body


def render_index(notebooks: list[str]) -> str:
    out = ["# Lesson notes for instructors", "",
           "*Generated by `python -m helpers.build`; do not edit by hand.*", "",
           "One page per notebook: objectives, prerequisites, an estimated timing per section, "
           "discussion questions, and for every exercise the common mistakes with the verdict the "
           "check prints for each.", ""]
    for name in notebooks:
        out.append(f"- [{outline(SOLUTIONS / f'{name}.ipynb').title}]({name}.md)")
    return "\n".join(out) + "\n"


# The files whose content a page's text depends on, besides its own notebook's ones.
SHARED_INPUTS = ("helpers/checking.py", "helpers/hints.py", "helpers/quiz.py", "helpers/lesson_notes.py",
                 "helpers/nn/*.py", "tests/catalogue/__init__.py", "tests/catalogue/edits.py", "tests/nbrun.py")
# First line of a page: the digest of its inputs and of the page's own text below that line, so
# that a changed input and a hand edit both make the page stale.
_HEADER = re.compile(r"\A<!-- inputs: ([0-9a-f]{64}) page: ([0-9a-f]{64}) -->\n")


def input_files(notebook: str) -> list[Path]:
    number = notebook.split("_")[0]
    files = [SOLUTIONS / f"{notebook}.ipynb"]
    files += sorted((ROOT / "helpers" / "exercises").glob(f"ex{number}_*.py"))
    files += sorted((TESTS / "catalogue").glob(f"nb{number}*.py"))
    for pattern in SHARED_INPUTS:
        files += sorted(ROOT.glob(pattern))
    return files


def inputs_digest(notebook: str) -> str:
    """SHA-256 over the names and contents of the files the page of ``notebook`` is made from."""
    digest = hashlib.sha256()
    for path in input_files(notebook):
        digest.update(_shown(path).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def stored_digest(path: Path) -> str | None:
    """The inputs digest a page was made from; None if missing, or edited since it was generated."""
    if not path.exists():
        return None
    text = path.read_text(encoding="utf-8")
    match = _HEADER.match(text)
    if not match or _sha(text[match.end():]) != match.group(2):
        return None
    return match.group(1)


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def write_notes(check_only: bool = False, names: list[str] | None = None) -> list[str]:
    """Write (or with ``check_only`` compare) the notes; return the stale paths."""
    notebooks = [p.stem for p in sorted(SOLUTIONS.glob("[0-9][0-9]_*.ipynb"))]
    stale: list[str] = []

    def update(target: Path, make) -> None:
        stale.append(_shown(target))
        if not check_only:
            NOTES.mkdir(parents=True, exist_ok=True)
            target.write_text(make(), encoding="utf-8")

    index = NOTES / "README.md"
    text = render_index(notebooks)
    if not index.exists() or index.read_text(encoding="utf-8") != text:
        update(index, lambda: text)
    for name in notebooks:
        if names and f"{name}.ipynb" not in names:
            continue
        target = NOTES / f"{name}.md"
        if stored_digest(target) != inputs_digest(name):
            update(target, lambda name=name: render(name))
    if not names:
        for orphan in sorted(NOTES.glob("[0-9][0-9]_*.md")):
            if orphan.stem not in notebooks:
                stale.append(f"{_shown(orphan)} (no solution of that name)")
    return stale
