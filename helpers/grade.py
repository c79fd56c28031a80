"""Grade submitted notebooks: ``python -m helpers.grade SUBMISSION... --out grades.csv``.

The grader itself lives in the package ``helpers.grading`` (one module per
concern); this module is the command's entry point. See docs/grading.md.
"""

import sys

from helpers.grading.cli import main

if __name__ == "__main__":
    sys.exit(main())
