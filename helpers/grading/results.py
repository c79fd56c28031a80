"""What grading produces: one ``SubmissionResult`` per submission, with its exercises, quiz and cells."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

# graded: everything ran; timeout: a time limit stopped a cell or a check; error: something else
# went wrong (a crash, a cell that took the process down); unreadable: not a notebook;
# refused: not graded on purpose (a link outside the folders given); flagged: the course's own
# solution notebook, handed in.
STATUSES = ("graded", "timeout", "error", "unreadable", "refused", "flagged")


@dataclass
class ExerciseGrade:
    id: str
    name: str
    title: str
    points: int
    max_points: int
    state: str            # passed, failed, not done, timeout, crashed, reference, flagged, not checked
    feedback: str         # what the student reads (hidden inputs never shown)
    failed_step: str | None = None
    failed_hidden: bool = False


@dataclass
class QuestionGrade:
    key: str
    points: int
    max_points: int
    verdict: str          # right, wrong, invalid, missing
    message: str
    given: str | None = None


@dataclass
class CellReport:
    cell: int             # 1-based position among all the notebook's cells
    status: str           # ok, error, exit (sys.exit), timeout, crashed (then skipped), too large, not run
    error: str = ""
    seconds: float = 0.0
    first_line: str = ""


@dataclass
class SubmissionResult:
    submission: str
    notebook: str = ""
    identified_by: str = ""
    status: str = "error"
    message: str = ""
    exercises: list[ExerciseGrade] = field(default_factory=list)
    quiz: str = ""                     # quiz id ("01"), empty when the notebook has none
    questions: list[QuestionGrade] = field(default_factory=list)
    quiz_max: int = 0
    cells: list[CellReport] = field(default_factory=list)
    seconds: float = 0.0
    runs: int = 0
    sha256: str = ""
    feedback: str = ""                 # the report file written for this row (--feedback)
    known_notebook: bool = False

    @property
    def total(self) -> int:
        return sum(e.points for e in self.exercises) + self.quiz_points

    @property
    def quiz_points(self) -> int:
        return sum(q.points for q in self.questions)

    @property
    def max(self) -> int | None:
        if not self.known_notebook:
            return None
        return sum(e.max_points for e in self.exercises) + self.quiz_max

    def to_dict(self) -> dict:
        data = asdict(self)
        data["total"] = self.total
        data["max"] = self.max
        data["quiz_points"] = self.quiz_points
        data.pop("known_notebook")
        return data
