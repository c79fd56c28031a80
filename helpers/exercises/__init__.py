"""The registry of exercises and quizzes: one module per notebook.

Importing this package imports every ``exNN_*.py`` module in it, which
registers that notebook's exercises (``helpers.checking.Exercise``) and quiz
(``helpers.quiz.Quiz``).
"""

import importlib
import pkgutil

for _module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    if _module.startswith("ex"):
        importlib.import_module(f"{__name__}.{_module}")
