"""Pictures for notebook 07 (recurrent networks): the unrolled graph.

Plumbing only: the notebook's lesson is in the notebook, this module draws it.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from .plots import COLORS

__all__ = ["plot_unrolled_rnn"]

_FORWARD = "0.15"       # dark grey: values flowing forward
_BACKWARD = COLORS[3]   # vermilion: gradients flowing backward
_BLOCK = (COLORS[5], COLORS[1])


def _box(ax, x, y, text, color, w=0.9, h=0.55, fontsize=11):
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.04,rounding_size=0.12",
                                facecolor=color, edgecolor="0.2", lw=1.2, zorder=3))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, zorder=4)


def _arrow(ax, start, end, color, style="-", rad=0.0, lw=1.6, label=None, label_at=0.5, label_offset=(0, 0)):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=13, color=color, lw=lw,
                                 linestyle=style, connectionstyle=f"arc3,rad={rad}", shrinkA=2, shrinkB=2,
                                 zorder=2))
    if label:
        x = start[0] + label_at * (end[0] - start[0]) + label_offset[0]
        y = start[1] + label_at * (end[1] - start[1]) + label_offset[1]
        ax.text(x, y, label, ha="center", va="center", fontsize=10, color=color, zorder=5,
                bbox=dict(facecolor="white", edgecolor="none", pad=0.5))


def plot_unrolled_rnn(T: int = 6, k: int | None = None, ax=None, title: str | None = None,
                      words: list[str] | None = None, targets: list[str] | None = None):
    """Draw a simple RNN unrolled over T steps, forward (grey) and backward (vermilion) arrows.

    k: truncation length of backpropagation through time; the steps are cut into
    blocks of k (shaded), the hidden state still flows forward across a cut, the
    gradient does not. None draws full BPTT. words, targets: optional labels for the
    inputs x_t and for the words each loss L_t scores.
    Returns the axes.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(1.55 * T + 2, 3.6))
    dx = 1.6
    y_in, y_h, y_out = 0.0, 1.35, 2.7
    block = T if k is None else k

    # Blocks of truncated BPTT, shaded in alternating colours.
    for b, start in enumerate(range(0, T, block)):
        stop = min(start + block, T)
        ax.add_patch(FancyBboxPatch((start * dx - 0.65, -0.45), (stop - start - 1) * dx + 1.3, 3.55,
                                    boxstyle="round,pad=0.02,rounding_size=0.15", facecolor=_BLOCK[b % 2],
                                    alpha=0.13 if k is not None else 0.0, edgecolor="none", zorder=0))
        if k is not None:
            ax.text((start + stop - 1) * dx / 2, 3.28, f"block {b + 1}: one backward pass",
                    ha="center", va="center", fontsize=9, color="0.3")

    # The initial state.
    _box(ax, -dx, y_h, "$h_{0}$", "0.92", w=0.75)
    for t in range(T):
        x = t * dx
        word = f"\n{words[t]}" if words and t < len(words) else ""
        _box(ax, x, y_in, f"$x_{{{t + 1}}}$" + word, "#DCEBF7", h=0.55 if not word else 0.75, fontsize=10)
        _box(ax, x, y_h, f"$h_{{{t + 1}}}$", "#FFF1D6")
        target = f"\n→ {targets[t]}" if targets and t < len(targets) else ""
        _box(ax, x, y_out, f"$L_{{{t + 1}}}$" + target, "#E3F2EC", h=0.55 if not target else 0.75, fontsize=10)
        first = t == 0
        _arrow(ax, (x, y_in + 0.3 + (0.1 if word else 0)), (x, y_h - 0.3), _FORWARD,
               label="U" if first else None, label_offset=(-0.22, 0))
        top = y_out - 0.3 - (0.1 if target else 0)
        _arrow(ax, (x, y_h + 0.3), (x, top), _FORWARD, label="V" if first else None,
               label_offset=(-0.22, 0))
        # Gradient from the loss down into h_t.
        _arrow(ax, (x + 0.25, top), (x + 0.25, y_h + 0.3), _BACKWARD, style="--", lw=1.3)
        # Forward recurrence h_{t-1} -> h_t, always (the state is carried across blocks).
        _arrow(ax, (x - dx + 0.45, y_h + 0.08), (x - 0.45, y_h + 0.08), _FORWARD,
               label="W" if first else None, label_offset=(0, 0.2))
        # Backward recurrence h_t -> h_{t-1}, unless a block starts at step t.
        cut = k is not None and t > 0 and t % block == 0
        if not cut:
            _arrow(ax, (x - 0.45, y_h - 0.12), (x - dx + 0.45, y_h - 0.12), _BACKWARD, style="--", lw=1.3)
        else:
            ax.plot([x - dx / 2] * 2, [y_h - 0.45, y_h - 0.05], color=_BACKWARD, lw=2.5, zorder=5)
            ax.text(x - dx / 2, y_h - 0.62, "gradient\ncut", ha="center", va="center", fontsize=8.5,
                    color=_BACKWARD, zorder=5)

    ax.plot([], [], color=_FORWARD, lw=1.6, label="forward: values")
    ax.plot([], [], color=_BACKWARD, lw=1.3, ls="--", label="backward: gradients")
    ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.02), ncol=2, fontsize=9)
    ax.set_xlim(-dx - 0.6, (T - 1) * dx + 0.7)
    ax.set_ylim(-0.6, 3.45)
    ax.set_aspect("equal")
    ax.axis("off")
    if title is None:
        title = "Full backpropagation through time" if k is None else \
            f"Truncated BPTT, blocks of k = {k} steps"
    ax.set_title(title)
    return ax
