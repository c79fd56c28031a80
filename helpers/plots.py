"""Plotting helpers: the figures that would distract from the lesson if written out.

Colours come from the Okabe-Ito palette, which stays distinguishable for the
common kinds of colour blindness; every plot gets a title, axis labels and a
legend where more than one thing is drawn.
"""

from __future__ import annotations

from typing import Callable, Sequence

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["COLORS", "use_course_style", "plot_functions", "plot_loss_curve", "plot_decision_boundary"]

# Okabe & Ito (2008), "Color Universal Design".
COLORS = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
MARKERS = ["o", "s", "^", "D", "v", "P"]


def use_course_style() -> None:
    """Readable defaults for every figure of the course (call once in the setup cell)."""
    plt.rcParams.update({
        "figure.figsize": (6.4, 4.0),
        "figure.dpi": 90,
        "font.size": 11,
        "axes.titlesize": 12,
        "axes.labelsize": 11,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.prop_cycle": plt.cycler(color=COLORS),
        "legend.frameon": False,
    })


def plot_functions(functions: dict[str, Callable], x: np.ndarray | None = None, ax=None,
                   title: str = "", ylabel: str = "f(u)", xlabel: str = "u", ylim=None,
                   colors: Sequence[str] | None = None):
    """Draw several functions of one variable on one axes; returns the axes.

    functions: {"label": f} where f maps an array of inputs to outputs.
    colors: one colour per function (default: the palette in order), so a
    function and its derivative can share a colour across two plots.
    """
    colors = list(colors) if colors is not None else COLORS
    x = np.linspace(-5, 5, 401) if x is None else x
    if ax is None:
        _, ax = plt.subplots()
    styles = ["-", "--", "-.", ":"]
    for i, (label, f) in enumerate(functions.items()):
        ax.plot(x, f(x), styles[i % len(styles)], color=colors[i % len(colors)], lw=2, label=label)
    ax.axhline(0, color="0.6", lw=0.8)
    ax.axvline(0, color="0.6", lw=0.8)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.legend()
    return ax


def plot_loss_curve(losses: Sequence[float] | dict[str, Sequence[float]], ax=None, xlabel: str = "iteration",
                    ylabel: str = "loss", title: str = "Training loss", log: bool = False, smooth: int = 0):
    """Loss against iteration (or epoch). Pass a dict to compare several runs.

    ``smooth`` > 1 overlays a moving average over that many points, which
    shows the trend of a noisy mini-batch loss.
    """
    if ax is None:
        _, ax = plt.subplots()
    runs = losses if isinstance(losses, dict) else {"loss": losses}
    for i, (label, values) in enumerate(runs.items()):
        values = np.asarray(values, dtype=float)
        color = COLORS[i % len(COLORS)]
        if smooth > 1 and len(values) >= smooth:
            ax.plot(values, color=color, alpha=0.3, lw=1)
            kernel = np.ones(smooth) / smooth
            ax.plot(np.arange(smooth - 1, len(values)), np.convolve(values, kernel, mode="valid"),
                    color=color, lw=2, label=f"{label} (moving average of {smooth})")
        else:
            ax.plot(values, color=color, lw=2, label=label)
    if log:
        ax.set_yscale("log")
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    if len(runs) > 1 or smooth > 1:
        ax.legend()
    return ax


def plot_decision_boundary(predict: Callable[[np.ndarray], np.ndarray], X: np.ndarray, y: np.ndarray,
                           class_names: Sequence[str] | None = None, ax=None, title: str = "Decision regions",
                           resolution: int = 200, xlabel: str = "$x_0$", ylabel: str = "$x_1$"):
    """Colour the plane by the predicted class and scatter the data on top.

    predict: maps (M, 2) points to (M,) integer classes. X: (N, 2), y: (N,).
    """
    from matplotlib.colors import ListedColormap

    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary draws 2-D inputs; X has shape {X.shape}")
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 5))
    n_classes = int(max(y.max(), 0)) + 1
    pad = 0.1 * (X.max(axis=0) - X.min(axis=0))
    lo, hi = X.min(axis=0) - pad, X.max(axis=0) + pad
    xx, yy = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    zz = np.asarray(predict(grid)).reshape(xx.shape)
    cmap = ListedColormap(COLORS[:n_classes])
    ax.contourf(xx, yy, zz, levels=np.arange(n_classes + 1) - 0.5, cmap=cmap, alpha=0.25)
    names = class_names or [f"class {k}" for k in range(n_classes)]
    for k in range(n_classes):
        pts = X[y == k]
        ax.scatter(pts[:, 0], pts[:, 1], s=22, color=COLORS[k], marker=MARKERS[k % len(MARKERS)],
                   edgecolor="white", linewidth=0.5, label=names[k])
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel, xlim=(lo[0], hi[0]), ylim=(lo[1], hi[1]))
    ax.legend(loc="upper right")
    return ax
