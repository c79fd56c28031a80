"""Neural Networks from Scratch: the course's helper package.

What a notebook imports from here is plumbing (printing, loading data,
plotting, checking); the neural-network code itself is what you write, and
the reference versions of it live in ``helpers.nn``.
"""

from .checking import check
from .data import Standardizer, load_iris, load_spiral, one_hot, train_test_split
from .display import print_vec
from .hints import hint
from .quiz import check_quiz, show_quiz
from .widgets import explore, widgets_available

__all__ = [
    "print_vec", "check", "hint", "show_quiz", "check_quiz", "explore", "widgets_available",
    "load_iris", "load_spiral", "one_hot", "train_test_split", "Standardizer",
]
__version__ = "0.1.0"
