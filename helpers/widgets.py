"""Interactive explorers that fall back to a static figure.

``explore(draw, lr=(0.01, 1.0, 0.01), kind=["sigmoid", "relu"])`` shows
sliders and menus (ipywidgets 7.7 or 8) that redraw ``draw`` whenever a
control moves. Where widgets cannot be shown (no ipywidgets, plain Python, or
the environment variable ``NNFS_STATIC=1``, which the course's own test runs
and stored outputs use) it draws ``draw`` once per static case instead, so
every reader sees a picture, including on GitHub or in a PDF.
"""

from __future__ import annotations

import os
from typing import Callable

__all__ = ["widgets_available", "explore"]


def widgets_available() -> bool:
    """True when interactive widgets can be shown: ipywidgets plus a Jupyter kernel."""
    if os.environ.get("NNFS_STATIC", "") not in ("", "0"):
        return False
    try:
        import ipywidgets  # noqa: F401
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    # A kernel (JupyterLab, Notebook, VS Code, Colab) has a `kernel`
    # attribute; the terminal IPython shell does not and cannot draw widgets.
    return shell is not None and getattr(shell, "kernel", None) is not None


def explore(draw: Callable, static_cases: list[dict] | None = None, **controls) -> None:
    """Show ``draw`` with a control per keyword, or static figures as a fallback.

    ``controls`` use ipywidgets' short forms, which 7.7 and 8 understand alike:
    ``(min, max, step)`` for a slider, a list for a menu, a bool for a
    checkbox. The starting value of each control is the default in ``draw``'s
    signature. ``static_cases`` lists the keyword sets to draw when there are
    no widgets (default: one figure with the defaults).
    """
    if widgets_available():
        import ipywidgets as w
        from IPython.display import display

        # ipywidgets takes each control's starting value from draw's defaults.
        panel = w.interactive(draw, **controls)
        for control in panel.children:
            if hasattr(control, "continuous_update"):
                control.continuous_update = False  # redraw on release, not on every pixel
        display(panel)
        return
    for case in static_cases or [{}]:
        draw(**case)
