"""Figures of notebook 06 (the iris capstone): plumbing that would distract from the lesson.

Every function draws on a given ``ax`` (or makes a figure) and returns the
axes; the notebook calls ``plt.show()``. Colours and markers follow
``helpers.plots`` (Okabe-Ito, colour-blind safe), one per species.
"""

from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np

from .plots import COLORS, MARKERS

__all__ = ["draw_network", "plot_iris", "plot_label_order", "plot_confusion_matrix",
           "plot_misclassified", "plot_split_accuracies", "plot_training_run"]


def _axes(ax, figsize):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def draw_network(sizes: Sequence[int] = (4, 6, 3), input_labels: Sequence[str] | None = None,
                 output_labels: Sequence[str] | None = None,
                 layer_titles: Sequence[str] | None = None, ax=None, title: str = "The network"):
    """Units as circles, every connection as a line, one column per layer."""
    ax = _axes(ax, (8.5, 4.6))
    n_layers = len(sizes)
    xs = np.linspace(0, 1, n_layers)
    tallest = max(sizes)
    positions = []
    for x, n in zip(xs, sizes):
        ys = (np.arange(n) - (n - 1) / 2) / max(tallest - 1, 1)
        positions.append([(x, yy) for yy in ys[::-1]])
    for left, right in zip(positions[:-1], positions[1:]):
        for (x0, y0) in left:
            for (x1, y1) in right:
                ax.plot([x0, x1], [y0, y1], color="0.75", lw=0.8, zorder=1)
    for i, layer in enumerate(positions):
        color = COLORS[0] if i == 0 else COLORS[1] if i < n_layers - 1 else COLORS[2]
        for (x, yy) in layer:
            ax.scatter([x], [yy], s=380, color=color, edgecolor="black", linewidth=0.8, zorder=2)
    if input_labels is not None:
        for (x, yy), text in zip(positions[0], input_labels):
            ax.text(x - 0.05, yy, text, ha="right", va="center", fontsize=10)
    if output_labels is not None:
        for (x, yy), text in zip(positions[-1], output_labels):
            ax.text(x + 0.05, yy, text, ha="left", va="center", fontsize=10)
    if layer_titles is not None:
        for x, text in zip(xs, layer_titles):
            ax.text(x, 0.64, text, ha="center", va="bottom", fontsize=10, fontweight="bold",
                    linespacing=1.3)
    ax.set_title(title)
    ax.set_xlim(-0.55, 1.45)
    ax.set_ylim(-0.62, 0.95)
    ax.axis("off")
    return ax


def plot_iris(X: np.ndarray, y: np.ndarray, class_names: Sequence[str], feature_names: Sequence[str],
              features: tuple[int, int] = (2, 3), ax=None, title: str = "Iris flowers"):
    """Scatter two features (columns ``features`` of X, in cm), one colour and marker per species."""
    ax = _axes(ax, (5.5, 4.5))
    i, j = features
    for k, name in enumerate(class_names):
        pts = X[y == k]
        ax.scatter(pts[:, i], pts[:, j], s=26, color=COLORS[k], marker=MARKERS[k], edgecolor="white",
                   linewidth=0.5, label=name)
    ax.set(title=title, xlabel=feature_names[i], ylabel=feature_names[j])
    ax.legend(loc="best")
    return ax


def plot_label_order(y: np.ndarray, class_names: Sequence[str], train_rows: slice = slice(0, 50), ax=None,
                     title: str = "Species of each row of the file"):
    """One coloured cell per row of the file, and the rows a naive split would train on."""
    from matplotlib.colors import ListedColormap

    ax = _axes(ax, (9, 2.6))
    n_classes = len(class_names)
    ax.imshow(y.reshape(1, -1), aspect="auto", cmap=ListedColormap(COLORS[:n_classes]),
              vmin=-0.5, vmax=n_classes - 0.5, extent=(-0.5, len(y) - 0.5, 0, 1))
    for k, name in enumerate(class_names):
        rows = np.flatnonzero(y == k)
        if rows.size:
            ax.text(rows.mean(), 0.5, name, ha="center", va="center", color="white", fontsize=11,
                    fontweight="bold")
    start = train_rows.start or 0
    stop = train_rows.stop if train_rows.stop is not None else len(y)
    ax.annotate("", xy=(start - 0.5, -0.2), xytext=(stop - 0.5, -0.2),
                arrowprops=dict(arrowstyle="<->", color="black", lw=1.5))
    ax.text(stop + 2, -0.2, f"rows {start}-{stop - 1}: the naive training part, one species only",
            ha="left", va="center", fontsize=10)
    ax.set_xlim(-0.5, len(y) - 0.5)
    ax.set_ylim(-0.4, 1)
    ax.set_yticks([])
    ax.set_xticks([0, 50, 100, len(y) - 1])
    ax.grid(False)
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.set(title=title, xlabel="row of iris.csv")
    return ax


def plot_confusion_matrix(M: np.ndarray, class_names: Sequence[str], ax=None,
                          title: str = "Confusion matrix (test part)"):
    """Counts with the true class down the rows and the prediction across the columns."""
    ax = _axes(ax, (4.8, 4.2))
    M = np.asarray(M)
    ax.imshow(M, cmap="Blues", vmin=0, vmax=max(int(M.max()), 1))
    threshold = M.max() / 2 if M.size else 0
    for i in range(M.shape[0]):
        for j in range(M.shape[1]):
            ax.text(j, i, f"{int(M[i, j])}", ha="center", va="center", fontsize=13,
                    color="white" if M[i, j] > threshold else "black")
    ticks = np.arange(len(class_names))
    ax.set_xticks(ticks)
    ax.set_xticklabels(class_names)
    ax.set_yticks(ticks)
    ax.set_yticklabels(class_names)
    ax.set(title=title, xlabel="predicted species", ylabel="true species")
    ax.grid(False)
    return ax


def plot_misclassified(X: np.ndarray, y_true: np.ndarray, y_pred: np.ndarray, class_names: Sequence[str],
                       feature_names: Sequence[str], features: tuple[int, int] = (2, 3), ax=None,
                       title: str = "Test flowers; misclassified ones ringed"):
    """Scatter the test flowers by true species; ring and label the wrong predictions."""
    ax = _axes(ax, (6.2, 4.8))
    i, j = features
    for k, name in enumerate(class_names):
        pts = X[y_true == k]
        ax.scatter(pts[:, i], pts[:, j], s=30, color=COLORS[k], marker=MARKERS[k], edgecolor="white",
                   linewidth=0.5, label=f"{name} (true species)")
    wrong = np.flatnonzero(y_true != y_pred)
    if wrong.size:
        ax.scatter(X[wrong, i], X[wrong, j], s=260, facecolor="none", edgecolor="black", linewidth=1.8,
                   label="misclassified")
        # Labels in a column at the upper left (the empty corner of the petal plot), highest point first,
        # so the leader lines do not cross.
        for n, r in enumerate(wrong[np.argsort(-X[wrong, j], kind="stable")]):
            ax.annotate(f"true {class_names[y_true[r]]}, predicted {class_names[y_pred[r]]}",
                        xy=(X[r, i], X[r, j]), xytext=(0.03, 0.95 - 0.075 * n), textcoords="axes fraction",
                        ha="left", va="center", fontsize=9,
                        arrowprops=dict(arrowstyle="-", color="0.45", lw=0.8, shrinkB=9))
    ax.set(title=title, xlabel=feature_names[i], ylabel=feature_names[j])
    ax.legend(loc="lower right", fontsize=9)
    return ax


def plot_split_accuracies(results: dict[str, Sequence[float]], bars: dict[str, float] | None = None, ax=None,
                          title: str = "Test accuracy on 20 different splits"):
    """One column of dots per model (one dot per split), its mean as a bar, reference lines.

    ``bars`` maps a label to a level drawn as a horizontal line (default: the notebook's two bars).
    """
    bars = {"no split below 0.90": 0.90, "mean at least 0.95": 0.95} if bars is None else bars
    ax = _axes(ax, (7.0, 4.6))
    for k, (name, accs) in enumerate(results.items()):
        accs = np.asarray(accs, dtype=float)
        # Splits with the same accuracy are spread sideways so each stays visible.
        offsets = np.zeros(len(accs))
        for value in np.unique(accs):
            same = np.flatnonzero(accs == value)
            offsets[same] = (np.arange(len(same)) - (len(same) - 1) / 2) * 0.045
        ax.scatter(k + offsets, accs, s=28, color=COLORS[k], marker=MARKERS[k], edgecolor="white",
                   linewidth=0.5, zorder=3, label=f"{name}: one dot per split")
        ax.hlines(accs.mean(), k - 0.38, k + 0.38, color=COLORS[k], lw=2.5, zorder=2)
        ax.text(k + 0.40, accs.mean(), f"mean {accs.mean():.3f}", va="center", fontsize=10, color="black")
    styles = ["--", ":"]
    for n, (label, level) in enumerate(bars.items()):
        ax.axhline(level, color="0.4", lw=1, ls=styles[n % 2], zorder=1, label=label)
    ax.set_xticks(range(len(results)))
    ax.set_xticklabels(list(results))
    ax.set_xlim(-0.6, len(results) - 0.1)
    lows = [np.min(v) for v in results.values()]
    ax.set_ylim(min(min(lows), min(bars.values(), default=1.0)) - 0.05, 1.015)
    ax.set(title=title, ylabel="test accuracy")
    ax.legend(loc="lower left", fontsize=9)
    return ax


def plot_training_run(losses: Sequence[float], eval_epochs: Sequence[int], train_acc: Sequence[float],
                      test_acc: Sequence[float], title: str = "",
                      labels: tuple[str, str] = ("training part", "test part")):
    """Training loss per epoch (left) and accuracy on two parts (right); returns the figure.

    labels: the legend names of the two accuracy curves (e.g. a fitting and a validation part).
    """
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.8))
    ax1.plot(np.arange(len(losses)), losses, color=COLORS[0], lw=2)
    ax1.set_yscale("log")            # a diverging run and a converging one both stay readable
    ax1.set(title="training loss (log scale)", xlabel="epoch", ylabel="cross-entropy")
    ax2.plot(eval_epochs, train_acc, color=COLORS[0], lw=2, label=labels[0])
    ax2.plot(eval_epochs, test_acc, color=COLORS[3], lw=2, ls="--", label=labels[1])
    ax2.axhline(1 / 3, color="0.5", lw=1, ls=":", label="chance (1/3)")
    ax2.set(title="accuracy", xlabel="epoch", ylabel="accuracy", ylim=(0, 1.03))
    ax2.legend(loc="lower right")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
