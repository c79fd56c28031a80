"""Data and plumbing for notebook 08: short documents to classify by topic.

``load_textclass()`` reads ``data/textclass.csv`` (openings of docstrings from Python's
standard library, labelled by the module family they document; ``data/README.md`` gives the
source and licence). ``tokenize`` turns a document into words, ``split_parts`` fixes the
train / dev / test parts, and ``confusion_matrix`` is the reference version of the one you
wrote in notebook 06. The plots of notebook 08 live here too.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import NamedTuple, Sequence

import numpy as np

from .data import as_generator, data_path

__all__ = ["TextData", "load_textclass", "tokenize", "split_parts", "confusion_matrix",
           "plot_class_counts", "plot_curves", "plot_confusion"]

FILENAME = "textclass.csv"
HEADER = ["label", "source", "text"]


class TextData(NamedTuple):
    texts: list[str]          # N documents, one or two sentences each
    y: np.ndarray             # (N,) int64 labels in 0..C-1
    class_names: list[str]    # label -> family name, in alphabetical order
    sources: list[str]        # N qualified names of the documented objects ("math.log10")


def load_textclass(path: str | Path | None = None) -> TextData:
    """The topic-classification data: ``texts`` (N strings), ``y`` (N,) int64, class names, sources.

    Labels are numbered in alphabetical order of the class names. Raises FileNotFoundError
    for a missing file and ValueError, naming the line, for a file that is not the expected CSV.
    """
    path = data_path(FILENAME) if path is None else Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No text-classification file at {path}. It ships as data/{FILENAME}; "
                                "rebuild it with `python data/make_textclass.py`.")
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path} is not a UTF-8 text CSV file ({exc.reason}); it may be corrupt.") from None
    lines = [line for line in raw.splitlines() if not line.startswith("#")]
    rows = list(csv.reader(io.StringIO("\n".join(lines))))
    if not rows or rows[0] != HEADER:
        found = rows[0] if rows else "nothing"
        raise ValueError(f"{path}: expected the header {','.join(HEADER)}, found {found}; "
                         "the file is corrupt or not the course's text data.")
    texts, labels, sources = [], [], []
    for i, row in enumerate(rows[1:], start=2):
        if len(row) != 3 or not row[0] or not row[2].strip():
            raise ValueError(f"{path}, data row {i - 1}: expected label,source,text with a non-empty "
                             f"label and text, found {row!r}; the file may be truncated or corrupt.")
        labels.append(row[0])
        sources.append(row[1])
        texts.append(row[2])
    if len(texts) < 10:
        raise ValueError(f"{path}: only {len(texts)} documents; the file may be truncated.")
    class_names = sorted(set(labels))
    index = {name: k for k, name in enumerate(class_names)}
    y = np.array([index[name] for name in labels], dtype=np.int64)
    return TextData(texts, y, class_names, sources)


# A word is a run of letters and digits ("base64", "utf"); everything else separates words.
_WORD = re.compile(r"[a-z0-9]+")


def tokenize(text: str) -> list[str]:
    """Lowercase words of a document: ``"Return the base-10 log."`` -> ``["return", "the", "base", "10", "log"]``."""
    return _WORD.findall(text.lower())


def split_parts(y: np.ndarray, fractions: Sequence[float] = (0.6, 0.2, 0.2),
                seed: int | np.random.Generator = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row numbers of a stratified, shuffled train / dev / test split.

    y: (N,) labels. Each class is shuffled and cut in the given fractions (rounded down for dev
    and test, the rest to train), so every part keeps the class shares. Returns three sorted
    int64 arrays that together hold every row once.
    """
    y = np.asarray(y)
    if len(fractions) != 3 or min(fractions) <= 0 or abs(sum(fractions) - 1) > 1e-9:
        raise ValueError(f"fractions must be three positive numbers that add up to 1, got {fractions}")
    rng = as_generator(seed)
    parts: list[list[np.ndarray]] = [[], [], []]
    for label in np.unique(y):
        rows = rng.permutation(np.flatnonzero(y == label))
        n_dev, n_test = int(len(rows) * fractions[1]), int(len(rows) * fractions[2])
        parts[1].append(rows[:n_dev])
        parts[2].append(rows[n_dev:n_dev + n_test])
        parts[0].append(rows[n_dev + n_test:])
    return tuple(np.sort(np.concatenate(p)).astype(np.int64) for p in parts)


def confusion_matrix(labels: np.ndarray, predicted: np.ndarray, num_classes: int) -> np.ndarray:
    """M[i, j] = number of rows with true class i predicted as j (you wrote it in notebook 06)."""
    M = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(M, (np.asarray(labels), np.asarray(predicted)), 1)
    return M


# --- plots -------------------------------------------------------------------------------------

def plot_class_counts(y: np.ndarray, class_names: Sequence[str], ax=None, title: str = "Documents per class"):
    """A bar per class with its number of documents."""
    import matplotlib.pyplot as plt
    from .plots import COLORS
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.2))
    counts = np.bincount(y, minlength=len(class_names))
    bars = ax.bar(class_names, counts, color=COLORS[0])
    ax.bar_label(bars)
    ax.set_ylabel("documents")
    ax.set_title(title)
    return ax


def plot_curves(curves: dict[str, Sequence[float]], ax=None, xlabel: str = "epoch", ylabel: str = "accuracy",
                title: str = "", mark: int | None = None, mark_label: str = "chosen epoch"):
    """Several curves against the epoch, with an optional vertical line at epoch ``mark``."""
    import matplotlib.pyplot as plt
    from .plots import COLORS
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.6))
    for (name, values), color in zip(curves.items(), COLORS):
        ax.plot(np.arange(1, len(values) + 1), values, label=name, color=color)
    if mark is not None:
        ax.axvline(mark, color="0.4", linestyle="--", linewidth=1, label=mark_label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend()
    return ax


def plot_confusion(M: np.ndarray, class_names: Sequence[str], ax=None, title: str = "Confusion matrix"):
    """The confusion matrix as a picture: true class down, predicted class across, counts in the cells."""
    import matplotlib.pyplot as plt
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 4.8))
    ax.imshow(M, cmap="Blues")
    ax.grid(False)
    C = len(class_names)
    for i in range(C):
        for j in range(C):
            ax.text(j, i, str(M[i, j]), ha="center", va="center",
                    color="white" if M[i, j] > 0.6 * M.max() else "black")
    ax.set_xticks(range(C), class_names, rotation=35, ha="right")
    ax.set_yticks(range(C), class_names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(title)
    return ax
