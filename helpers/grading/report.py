"""The class report: one offline HTML page that sums up a grading run.

    python -m helpers.grading.report grades.json --out class.html
    python -m helpers.grade submissions/ --json grades.json --report class.html   (the same, in one go)

It reads the grader's JSON (``--json``) and shows, per notebook: the score distribution, the pass
rate of every exercise and quiz question, the most frequent failing step of each exercise with
its count and the hint the learners saw (among those who wrote code: blanks left as they were are
counted apart, as "not done"), and the submissions that need a look (timeouts, errors,
flags, unreadable or refused files). Figures are drawn with matplotlib and embedded as SVG, so
the page needs no network and no other file.
"""

from __future__ import annotations

import argparse
import html
import io
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

# Exercise states that count as passed (full points); everything else is a miss for the pass rate.
# "not done" (the blank left as it was) is counted on its own: the failing steps and hints are
# those of learners who wrote something.
PASSED = "passed"
NOT_DONE = "not done"
NEEDS_A_LOOK = ("timeout", "error", "unreadable", "refused", "flagged")
# Colour-blind-safe (Okabe-Ito) colours for the figures.
BLUE, ORANGE, GREY = "#0072B2", "#E69F00", "#999999"


@dataclass
class ExerciseSummary:
    id: str
    title: str
    attempted: int = 0                  # rows of this notebook that have the exercise
    passed: int = 0
    states: Counter = field(default_factory=Counter)
    failed_steps: Counter = field(default_factory=Counter)
    hints: dict = field(default_factory=dict)     # failed step -> Counter of hint texts

    @property
    def pass_rate(self) -> float:
        return self.passed / self.attempted if self.attempted else 0.0

    def top_failing_step(self) -> tuple[str, int, str] | None:
        """(step, how many failed there, the hint most of them saw), or None."""
        if not self.failed_steps:
            return None
        # Most frequent first; ties in the order of the label, so the page is the same every run.
        step, count = sorted(self.failed_steps.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        hints = self.hints.get(step, Counter())
        hint = sorted(hints.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] if hints else ""
        return step, count, hint


@dataclass
class QuestionSummary:
    key: str
    answered: int = 0
    right: int = 0

    @property
    def pass_rate(self) -> float:
        return self.right / self.answered if self.answered else 0.0


@dataclass
class NotebookSummary:
    notebook: str
    totals: list = field(default_factory=list)      # (total, max) per submission
    exercises: dict = field(default_factory=dict)    # id -> ExerciseSummary
    questions: dict = field(default_factory=dict)    # key -> QuestionSummary


_HINT = re.compile(r"^\s*Hint:\s*(.*)$", re.M)


def hint_seen(feedback: str) -> str:
    """The hint line of a verdict (what the learner read under the failure)."""
    match = _HINT.search(feedback or "")
    return match.group(1).strip() if match else ""


def summarise(results: list[dict]) -> dict[str, NotebookSummary]:
    """Per notebook, from the ``results`` list of the grader's JSON."""
    out: dict[str, NotebookSummary] = {}
    for r in results:
        if not r.get("notebook"):
            continue
        nb = out.setdefault(r["notebook"], NotebookSummary(r["notebook"]))
        if r.get("max") is not None:
            nb.totals.append((r["total"], r["max"]))
        for e in r.get("exercises", []):
            ex = nb.exercises.setdefault(e["id"], ExerciseSummary(e["id"], e.get("title", "")))
            ex.attempted += 1
            ex.states[e["state"]] += 1
            if e["state"] == PASSED:
                ex.passed += 1
            elif e["state"] != NOT_DONE and e.get("failed_step"):
                ex.failed_steps[e["failed_step"]] += 1
                ex.hints.setdefault(e["failed_step"], Counter())[hint_seen(e.get("feedback", ""))] += 1
        for q in r.get("questions", []):
            qs = nb.questions.setdefault(q["key"], QuestionSummary(q["key"]))
            qs.answered += 1
            qs.right += q["verdict"] == "right"
    return out


def _id_key(exercise_id: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"[._]", exercise_id))


# ---------------------------------------------------------------------------
# Figures (matplotlib, embedded as SVG)
# ---------------------------------------------------------------------------


def _svg(fig) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    text = buffer.getvalue()
    return text[text.index("<svg"):]   # drop the XML prologue: the SVG goes inline


def _figures():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    plt.rcParams.update({"font.size": 11, "svg.fonttype": "none", "svg.hashsalt": "class-report"})
    return plt


def score_figure(nb: NotebookSummary) -> str:
    plt = _figures()
    percents = [100.0 * t / m if m else 0.0 for t, m in nb.totals]
    fig, ax = plt.subplots(figsize=(6.4, 3.2))
    ax.hist(percents, bins=[0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100.0001], color=BLUE, edgecolor="white")
    ax.set_xlim(0, 100)
    ax.set_xlabel("score (% of the notebook's points)")
    ax.set_ylabel("submissions")
    ax.set_title(f"{nb.notebook}: score distribution ({len(percents)} graded)")
    ax.yaxis.get_major_locator().set_params(integer=True)
    try:
        return _svg(fig)
    finally:
        plt.close(fig)


def pass_rate_figure(nb: NotebookSummary) -> str:
    plt = _figures()
    items = [(f"Ex {e.id}", e.pass_rate, BLUE) for e in sorted(nb.exercises.values(), key=lambda e: _id_key(e.id))]
    items += [(f"Quiz {q.key}", q.pass_rate, ORANGE) for q in sorted(nb.questions.values(), key=lambda q: _id_key(q.key))]
    fig, ax = plt.subplots(figsize=(6.4, 0.35 * len(items) + 1.2))
    labels = [i[0] for i in items][::-1]
    rates = [100 * i[1] for i in items][::-1]
    ax.barh(labels, rates, color=[i[2] for i in items][::-1])
    for y, rate in enumerate(rates):
        ax.text(min(rate + 1, 92), y, f"{rate:.0f}%", va="center", fontsize=9)
    ax.set_xlim(0, 100)
    ax.set_xlabel("passed (% of submissions)")
    ax.set_title(f"{nb.notebook}: pass rate per exercise and quiz question")
    try:
        return _svg(fig)
    finally:
        plt.close(fig)


# ---------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.6rem; text-align: left; vertical-align: top; }
td.num { text-align: right; }
figure { margin: 1rem 0; } figure svg { max-width: 100%; height: auto; }
.muted { color: #666; }
"""


def _e(value) -> str:
    return html.escape(str(value))


def _pct(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.0f}%" if whole else "–"


DUPLICATE = "same file content as"   # the grader's note on files with the same bytes


def needs_a_look(results: list[dict]) -> list[dict]:
    """Rows with a status other than graded, and rows whose file is byte for byte another's."""
    return [r for r in results if r.get("status") in NEEDS_A_LOOK or DUPLICATE in (r.get("message") or "")]


def render(data: dict, title: str = "Class report") -> str:
    results = data.get("results", [])
    notebooks = summarise(results)
    statuses = Counter(r.get("status", "?") for r in results)
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>",
           f"<h1>{_e(title)}</h1>",
           f"<p>{len(results)} submission(s): " + ", ".join(f"{n} {_e(s)}" for s, n in sorted(statuses.items()))
           + f". Sandbox: {_e(data.get('sandbox', '?'))}.</p>"]
    for name in sorted(notebooks):
        nb = notebooks[name]
        out.append(f'<section class="notebook" id="nb-{_e(name)}"><h2>{_e(name)}</h2>')
        if nb.totals:
            mean = sum(100.0 * t / m for t, m in nb.totals if m) / len(nb.totals)
            out.append(f"<p>Mean score {mean:.0f}% over {len(nb.totals)} submission(s).</p>")
            out.append(f'<figure class="figure">{score_figure(nb)}</figure>')
        if nb.exercises or nb.questions:
            out.append(f'<figure class="figure">{pass_rate_figure(nb)}</figure>')
        out.append('<h3>Exercises</h3><table class="exercises"><tr><th>Exercise</th><th>Passed</th>'
                   "<th>Pass rate</th><th>Not done</th><th>Most frequent failing step (of those who wrote code)</th><th>Count</th>"
                   "<th>Hint the learners saw</th></tr>")
        for ex in sorted(nb.exercises.values(), key=lambda e: _id_key(e.id)):
            top = ex.top_failing_step()
            step, count, hint = top if top else ("–", "", "")
            out.append(f'<tr data-exercise="{_e(ex.id)}"><td>{_e(ex.id)} {_e(ex.title)}</td>'
                       f'<td class="num">{ex.passed}/{ex.attempted}</td>'
                       f'<td class="num pass-rate">{_pct(ex.passed, ex.attempted)}</td>'
                       f'<td class="num not-done">{ex.states[NOT_DONE]}</td>'
                       f'<td class="top-step">{_e(step)}</td><td class="num top-count">{count}</td>'
                       f"<td>{_e(hint)}</td></tr>")
        out.append("</table>")
        if nb.questions:
            out.append('<h3>Quiz</h3><table class="questions"><tr><th>Question</th><th>Right</th><th>Pass rate</th></tr>')
            for q in sorted(nb.questions.values(), key=lambda q: _id_key(q.key)):
                out.append(f'<tr data-question="{_e(q.key)}"><td>{_e(q.key)}</td>'
                           f'<td class="num">{q.right}/{q.answered}</td>'
                           f'<td class="num pass-rate">{_pct(q.right, q.answered)}</td></tr>')
            out.append("</table>")
        out.append("</section>")
    look = needs_a_look(results)
    out.append('<h2>Submissions that need a look</h2>')
    if look:
        out.append('<table class="look"><tr><th>Submission</th><th>Notebook</th><th>Status</th><th>Message</th></tr>')
        for r in look:
            out.append(f'<tr><td>{_e(r.get("submission", ""))}</td><td>{_e(r.get("notebook", ""))}</td>'
                       f'<td class="status">{_e(r.get("status", ""))}</td><td>{_e(r.get("message", ""))}</td></tr>')
        out.append("</table>")
    else:
        out.append('<p class="muted">None: every submission was graded to the end.</p>')
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def write_report(data: dict, path: Path) -> None:
    from .reports import atomic_write
    atomic_write(Path(path), render(data))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.grading.report",
                                     description="Write the class report (one offline HTML page) from the "
                                                 "grader's JSON (python -m helpers.grade ... --json FILE).")
    parser.add_argument("json", metavar="GRADES_JSON")
    parser.add_argument("--out", default="class.html", metavar="HTML", help="default: class.html")
    args = parser.parse_args(argv)
    try:
        data = json.loads(Path(args.json).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        print(f"{parser.prog}: error: cannot read {args.json}: {exc}", file=sys.stderr)
        return 2
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        print(f"{parser.prog}: error: {args.json} is not the grader's JSON (no `results` list)", file=sys.stderr)
        return 2
    write_report(data, Path(args.out))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
