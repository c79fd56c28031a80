"""The grader: each submission runs in a sandbox and only answers calls; every check runs here.

One module per concern:

* ``submissions`` finds and reads the files (every path gets a row);
* ``recognise`` tells which course notebook a submission is;
* ``sandbox`` starts the child inside bubblewrap; ``course_copy`` builds the
  package it sees (without the answers of the notebook being graded);
* ``protocol``, ``peer``, ``child`` and ``remote`` are the call protocol: the
  child runs the cells and answers calls, the grader holds proxies;
* ``scoring`` grades one submission; ``results`` and ``reports`` hold and
  write the outcome; ``cli`` is the command line.

See docs/grading.md for the threat model.
"""

from .cli import grade_all, main
from .results import STATUSES, SubmissionResult
from .scoring import Grader, Options

__all__ = ["Grader", "Options", "STATUSES", "SubmissionResult", "grade_all", "main"]
