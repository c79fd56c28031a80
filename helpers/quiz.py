"""Check-your-understanding quizzes: multiple choice and numeric questions.

A quiz is registered once (in ``helpers/exercises/exNN_*.py``, beside the
notebook's exercises) and used three ways:

* ``show_quiz("01")`` shows the questions: clickable with instant feedback
  when ipywidgets and a front end are there, as plain text otherwise;
* the learner records answers in a dictionary, ``quiz_answers = {"q1": "b", ...}``,
  and ``check_quiz("01", quiz_answers)`` gives feedback on each of them;
* the grader reads the same ``quiz_answers`` dictionary and gives a point per
  right answer.

Under nbgrader (``nbgrader autograde`` and ``nbgrader validate``),
``check_quiz`` raises ``AssertionError`` unless every answer it checks is
right, because nbgrader gives a cell its points when it runs without an error.
The nbgrader export (``helpers/nbgrader_export.py``) therefore makes one graded
cell per question: ``check_quiz("01", quiz_answers, question="q2")``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Choice", "Numeric", "Quiz", "get_quiz", "all_quizzes", "show_quiz", "check_quiz", "grade_answers"]

ANSWERS_VARIABLE = "quiz_answers"


@dataclass
class Choice:
    """A multiple-choice question. ``options`` maps a letter to its text."""

    key: str
    text: str
    options: dict[str, str]
    answer: str
    explain: str = ""
    points: int = 1

    def is_right(self, given: Any) -> bool:
        # str's own methods: a str subclass cannot redefine what "equal" means here.
        return isinstance(given, str) and str.lower(str.strip(given)) == self.answer.lower()

    def problem(self, given: Any) -> str | None:
        """Why ``given`` is not a valid answer at all (None when it is one)."""
        if given is None or given is Ellipsis:
            return "not answered yet"
        if not isinstance(given, str) or given.strip().lower() not in self.options:
            return f"answer with one of {', '.join(repr(k) for k in self.options)}, not {given!r}"
        return None


@dataclass
class Numeric:
    """A question whose answer is a number, accepted within ``tol`` (absolute)."""

    key: str
    text: str
    answer: float
    tol: float = 1e-2
    explain: str = ""
    points: int = 1

    def is_right(self, given: Any) -> bool:
        try:
            value = float(given)
        except (TypeError, ValueError, OverflowError):     # OverflowError: an int of 400 digits
            return False
        return math.isfinite(value) and abs(value - self.answer) <= self.tol

    def problem(self, given: Any) -> str | None:
        if given is None or given is Ellipsis:
            return "not answered yet"
        if isinstance(given, bool):
            return f"answer with a number, not {given!r}"
        try:
            float(given)
        except (TypeError, ValueError, OverflowError):
            return f"answer with a number, not {given!r}"
        return None


@dataclass
class Quiz:
    notebook: str
    questions: list = field(default_factory=list)
    variable: str = ANSWERS_VARIABLE

    def __post_init__(self):
        keys = [q.key for q in self.questions]
        if len(set(keys)) != len(keys):
            raise ValueError(f"duplicate question keys in quiz {self.notebook}")
        _QUIZZES[self.notebook] = self

    @property
    def id(self) -> str:
        return self.notebook.split("_")[0]

    @property
    def points(self) -> int:
        return sum(q.points for q in self.questions)


_QUIZZES: dict[str, Quiz] = {}


def _load_all() -> None:
    import helpers.exercises  # noqa: F401  (registers every quiz)


def get_quiz(quiz_id: str) -> Quiz:
    """The quiz of a notebook, by number (``"01"``) or full name (``"01_activations"``)."""
    _load_all()
    for quiz in _QUIZZES.values():
        if quiz_id in (quiz.notebook, quiz.id):
            return quiz
    raise KeyError(f"No quiz {quiz_id!r}. Known quizzes: {', '.join(sorted(_QUIZZES))}")


def all_quizzes() -> list[Quiz]:
    _load_all()
    return [_QUIZZES[k] for k in sorted(_QUIZZES)]


@dataclass
class QuestionResult:
    key: str
    points: int
    max_points: int
    verdict: str  # "right", "wrong", "invalid", "missing"
    message: str


def grade_answers(quiz: Quiz, answers: Any) -> list[QuestionResult]:
    """Grade a dictionary of answers: one result per question, in order."""
    results = []
    if not isinstance(answers, dict):
        for q in quiz.questions:
            results.append(QuestionResult(q.key, 0, q.points, "missing",
                                          f"no answers recorded (expected a dict named `{quiz.variable}`)"))
        return results
    for q in quiz.questions:
        given = answers.get(q.key)
        problem = q.problem(given)
        if problem:
            verdict = "missing" if problem == "not answered yet" else "invalid"
            results.append(QuestionResult(q.key, 0, q.points, verdict, problem))
        elif q.is_right(given):
            results.append(QuestionResult(q.key, q.points, q.points, "right", q.explain))
        else:
            results.append(QuestionResult(q.key, 0, q.points, "wrong", "not quite: think again"))
    return results


def check_quiz(quiz_id: str, answers: Any, question: str | None = None) -> None:
    """Print feedback on each recorded answer, and the score.

    ``question="q2"`` checks that one question only. Under nbgrader's
    autograde and validate, raise ``AssertionError`` (after the feedback) when
    an answer checked is not right; in a learner's own kernel only print.
    """
    from helpers.checking import nbgrader_is_grading

    quiz = get_quiz(quiz_id)
    results = grade_answers(quiz, answers)
    if question is not None:
        results = [r for r in results if r.key == question]
        if not results:
            keys = ", ".join(q.key for q in quiz.questions)
            raise KeyError(f"Quiz {quiz.id} has no question {question!r} (it has {keys})")
    symbols = {"right": "✅", "wrong": "❌", "invalid": "⚠️", "missing": "⏳"}
    for r in results:
        print(f"{symbols[r.verdict]} {r.key}: {r.message}" if r.message else f"{symbols[r.verdict]} {r.key}")
    score = sum(r.points for r in results)
    if question is None:
        print(f"Score: {score}/{quiz.points}")
    not_right = [r.key for r in results if r.verdict != "right"]
    if not_right and nbgrader_is_grading():
        raise AssertionError(f"Quiz {quiz.id}: {', '.join(not_right)} not answered right")


# ---------------------------------------------------------------------------
# Showing the questions
# ---------------------------------------------------------------------------


def _question_text(q) -> str:
    lines = [f"{q.key}. {q.text}"]
    if isinstance(q, Choice):
        lines += [f"    ({k}) {v}" for k, v in q.options.items()]
    else:
        lines.append("    (answer with a number)")
    return "\n".join(lines)


def show_quiz(quiz_id: str) -> None:
    """Show the questions: clickable with feedback if widgets work, else as text."""
    from helpers.widgets import widgets_available

    quiz = get_quiz(quiz_id)
    if not widgets_available():
        print("\n\n".join(_question_text(q) for q in quiz.questions))
        print(f"\nRecord your answers in `{quiz.variable}` below and run the check.")
        return
    import ipywidgets as w
    from IPython.display import display

    boxes = []
    for q in quiz.questions:
        label = w.HTML(f"<b>{q.key}.</b> {q.text}")
        feedback = w.HTML("")
        if isinstance(q, Choice):
            picker = w.RadioButtons(options=[(f"({k}) {v}", k) for k, v in q.options.items()],
                                    value=None, layout=w.Layout(width="auto"))
        else:
            picker = w.Text(placeholder="a number", layout=w.Layout(width="12em"))
        button = w.Button(description="Check")

        def on_click(_, q=q, picker=picker, feedback=feedback):
            given = picker.value
            if q.problem(given):
                feedback.value = f"⏳ {q.problem(given)}"
            elif q.is_right(given):
                feedback.value = f"✅ right. {q.explain} (record <code>{given!r}</code> in {quiz.variable})"
            else:
                feedback.value = "❌ not quite: think again"

        button.on_click(on_click)
        boxes.append(w.VBox([label, picker, w.HBox([button, feedback])]))
    display(w.VBox(boxes))
