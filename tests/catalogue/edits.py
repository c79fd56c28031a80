"""Wrong answers as small edits of a right one: most learner mistakes are one changed line."""

from __future__ import annotations


def edit(code: str, old: str, new: str) -> str:
    """``code`` with ``old`` (which must occur exactly once) replaced by ``new``."""
    if code.count(old) != 1:
        raise ValueError(f"{old!r} occurs {code.count(old)} times in the code to edit, not once")
    return code.replace(old, new)
