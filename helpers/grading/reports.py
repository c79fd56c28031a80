"""The grades table (CSV), the full results (JSON) and one feedback report per submission.

Everything is written atomically (a reader sees the old file or the new one),
and only once grading has finished: an interrupted run leaves earlier output
files as they were.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import tempfile
from dataclasses import asdict
from pathlib import Path

from .results import SubmissionResult
from .submissions import shown

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the new one, never half."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent or ".", prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def cell_text(value) -> str:
    """A CSV cell that a spreadsheet shows as text: no formula, no control characters."""
    text = str(value)
    formula = text.lstrip(" ").startswith(_FORMULA_START)
    text = _CONTROL.sub("", text.replace("\r", " ").replace("\t", " ").replace("\n", " "))
    return "'" + text if formula else text


def _id_key(exercise_id: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in exercise_id.split("."))


def csv_text(results: list[SubmissionResult]) -> str:
    exercise_ids = sorted({e.id for r in results for e in r.exercises}, key=_id_key)
    quiz_ids = sorted({r.quiz for r in results if r.quiz})
    header = ["submission", "notebook", "identified_by", *exercise_ids,
              *[f"quiz_{q}" for q in quiz_ids], "total", "max", "status", "message", "feedback"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for r in results:
        points = {e.id: e.points for e in r.exercises}
        row = [cell_text(r.submission), r.notebook, r.identified_by]
        row += [points.get(i, "") for i in exercise_ids]
        row += [r.quiz_points if r.quiz == q else "" for q in quiz_ids]
        row += [r.total, "" if r.max is None else r.max, r.status, cell_text(r.message), cell_text(r.feedback)]
        writer.writerow(row)
    return out.getvalue()


def write_csv(results: list[SubmissionResult], path: Path) -> None:
    atomic_write(path, csv_text(results))


def write_json(results: list[SubmissionResult], path: Path, options, sandbox: str) -> None:
    data = {"grader": "helpers.grade", "sandbox": sandbox, "options": asdict(options),
            "results": [r.to_dict() for r in results]}
    atomic_write(path, json.dumps(data, indent=1, ensure_ascii=False) + "\n")


def feedback_text(r: SubmissionResult) -> str:
    lines = [f"# Feedback on {shown(Path(r.submission).name)}", ""]
    if r.status in ("unreadable", "refused"):
        lines += [f"Your file was not graded: {r.message}.", "",
                  "Please check that you submitted the notebook file itself (`.ipynb`, saved from Jupyter) "
                  "and submit it again."]
        return "\n".join(lines) + "\n"
    if not r.notebook:
        lines += [f"Your notebook could not be graded: {r.message}.", ""]
        return "\n".join(lines) + "\n"
    lines += [f"- Notebook: {r.notebook}", f"- Score: **{r.total} / {r.max}**"]
    if r.status == "flagged":
        lines.append(f"- Note: {r.message}.")
    elif r.status != "graded":
        lines.append(f"- Note: grading stopped early or hit a problem ({r.status}); the score counts "
                     "everything that did pass.")
    lines.append("")
    if r.exercises:
        lines += ["## Exercises", ""]
        for e in r.exercises:
            lines += [f"### Exercise {e.id}: {e.title} ({e.points} / {e.max_points})", "", "```text",
                      e.feedback.strip().replace("```", "'''"), "```", ""]
    if r.questions:
        lines += [f"## Check your understanding ({r.quiz_points} / {r.quiz_max})", ""]
        symbols = {"right": "✅", "wrong": "❌", "invalid": "⚠️", "missing": "⏳"}
        for q in r.questions:
            text = f"- {symbols.get(q.verdict, '')} {q.key} ({q.points} / {q.max_points})"
            text += f": {q.message}" if q.message else ""
            lines.append(text)
        lines.append("")
    notes = [c for c in r.cells if c.status not in ("ok", "not run")]
    if notes:
        lines += ["## Cells that did not run cleanly", "",
                  "Grading runs every code cell of your notebook from top to bottom in a fresh Python; "
                  "these cells stopped with a problem:", ""]
        for c in notes:
            where = f"cell {c.cell}" + (f" (`{c.first_line}`)" if c.first_line else "")
            lines.append(f"- {where}: {c.error or c.status}")
        lines.append("")
    return "\n".join(lines)


def feedback_name(submission: str) -> str:
    """A report name that never collides: the readable file name plus a hash of the full path.

    ``a b.ipynb`` and ``a_b.ipynb`` (or the same name in two folders) get
    different names, and the same path gets the same name in every run.
    """
    raw = os.fsencode(os.path.abspath(submission)) if isinstance(submission, str) else submission
    digest = hashlib.sha256(raw).hexdigest()[:10]
    stem = re.sub(r"[^\w.-]+", "_", Path(shown(submission)).stem, flags=re.ASCII).strip("._")[:80] or "submission"
    return f"{stem}-{digest}.md"


def write_feedback(results: list[SubmissionResult], paths: list[str], folder: Path) -> None:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for r, path in zip(results, paths):
        target = folder / feedback_name(path)
        r.feedback = str(target)
        atomic_write(target, feedback_text(r))
