"""Figures of notebook 05's optimizer section: plumbing that would distract from the lesson.

The optimizers themselves are the learner's code; these functions only draw
what the notebook computed. Colours follow ``helpers.plots`` (Okabe-Ito,
colour-blind safe), one per optimizer, in the order given.
"""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np

from .plots import COLORS

__all__ = ["plot_optimizer_paths", "plot_optimizer_comparison"]


def plot_optimizer_paths(paths: Mapping[str, np.ndarray], loss: Callable[[np.ndarray], float],
                         xlim: tuple[float, float], ylim: tuple[float, float],
                         levels: Sequence[float], ncols: int = 3, panel_size: tuple[float, float] = (4.6, 2.6)):
    """One panel per optimizer: contours of ``loss`` and the path (steps + 1, 2) taken on them.

    Each title gives the loss at the end of the path. A spare panel, if the grid has one, shows
    the loss along every path.
    """
    n = len(paths)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(panel_size[0] * ncols, panel_size[1] * nrows + 0.4),
                             squeeze=False)
    g0, g1 = np.meshgrid(np.linspace(*xlim, 241), np.linspace(*ylim, 121))
    grid = np.array([[loss(np.array([a, b])) for a, b in zip(r0, r1)] for r0, r1 in zip(g0, g1)])
    for k, (ax, (name, path)) in enumerate(zip(axes.ravel(), paths.items())):
        ax.contour(g0, g1, grid, levels=levels, colors="0.75", linewidths=1)
        ax.plot(path[:, 0], path[:, 1], "o-", color=COLORS[k % len(COLORS)], ms=2.5, lw=1.2)
        ax.plot(*path[0], "s", color="0.3", ms=6)
        ax.plot(0, 0, "*", color=COLORS[3], ms=11)
        ax.set(xlim=xlim, ylim=ylim, xlabel="$w_0$", ylabel="$w_1$",
               title=f"{name}: loss {loss(path[-1]):.2g} after {len(path) - 1} steps")
        ax.title.set_fontsize(10)
    spare = axes.ravel()[n:]
    if len(spare):                       # a free panel: the loss along each path, all in one
        for k, (name, path) in enumerate(paths.items()):
            spare[0].semilogy([loss(w) for w in path], color=COLORS[k % len(COLORS)], lw=1.8,
                              label=name.split(",")[0])
        spare[0].set(xlabel="step", ylabel="loss (log scale)", title="The loss along each path")
        spare[0].title.set_fontsize(10)
        spare[0].legend(fontsize=8)
    for ax in spare[1:]:
        ax.axis("off")
    fig.tight_layout()
    return axes


def plot_optimizer_comparison(curves: Mapping[str, Sequence[float]], sweep: Mapping[str, Mapping[float, float]]):
    """Left: the training loss per epoch of each optimizer at its chosen rate (log scale).
    Right: the final training loss of each optimizer against the learning rate (both log scales).
    ``sweep[name]`` maps each tried learning rate to its final loss."""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.3))
    for k, (name, losses) in enumerate(curves.items()):
        ax1.semilogy(np.arange(1, len(losses) + 1), losses, color=COLORS[k % len(COLORS)], lw=2, label=name)
    ax1.set(title="Spiral data: training loss at each one's chosen rate", xlabel="epoch",
            ylabel="mean training loss (log scale)")
    if curves:
        ax1.legend(fontsize=9)
    for k, (name, results) in enumerate(sweep.items()):
        rates = sorted(results)
        ax2.loglog(rates, [results[r] for r in rates], "o-", color=COLORS[k % len(COLORS)], lw=2,
                   label=name.split(",")[0])
    ax2.set(title="Mean training loss in the last epoch, by rate", xlabel="learning rate (log scale)",
            ylabel="final training loss (log scale)")
    if sweep:
        ax2.legend(fontsize=9)
    fig.tight_layout()
    return ax1, ax2
