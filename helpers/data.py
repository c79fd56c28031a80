"""Datasets that ship with the course, and the small tools to prepare them.

Every loader returns NumPy arrays plus the metadata a learner needs. Anything
random takes an explicit ``seed`` (an int or a ``np.random.Generator``) and
never touches NumPy's global random state.
"""

from __future__ import annotations

import csv
from importlib import resources
from pathlib import Path
from typing import NamedTuple

import numpy as np

__all__ = [
    "data_path", "load_iris", "load_spiral", "one_hot", "train_test_split",
    "Standardizer", "as_generator", "IrisData",
]

IRIS_FEATURES = ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"]
IRIS_CLASSES = ["setosa", "versicolor", "virginica"]


def as_generator(seed: int | np.random.Generator | None) -> np.random.Generator:
    """A ``np.random.Generator`` from a seed (or the generator itself)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        raise ValueError("pass a seed (an int) or a np.random.Generator, so results are reproducible")
    return np.random.default_rng(seed)


def data_path(filename: str) -> Path:
    """Where a shipped data file is: ``data/`` in a clone, else inside the installed package."""
    local = Path(__file__).resolve().parent.parent / "data" / filename
    if local.exists():
        return local
    try:
        packaged = resources.files("helpers.datasets") / filename
        if packaged.is_file():
            return Path(str(packaged))
    except ModuleNotFoundError:
        pass
    raise FileNotFoundError(
        f"The course data file {filename!r} is missing. It ships in the repository's data/ folder; "
        "reinstall the course (`make lab`, or on Colab re-run the setup cell) to restore it."
    )


class IrisData(NamedTuple):
    X: np.ndarray            # (150, 4) float64 features in cm
    y: np.ndarray            # (150,) int64 labels 0, 1, 2
    class_names: list[str]   # label -> species name
    feature_names: list[str]


def load_iris(path: str | Path | None = None) -> IrisData:
    """Fisher's iris flowers: ``X`` (150, 4) float64, ``y`` (150,) int64 in 0..2.

    The rows are in the file's order, which is sorted by species (50 of
    each): shuffle before splitting. Unpack as
    ``X, y, class_names, feature_names = load_iris()``.
    """
    path = Path(path) if path is not None else data_path("iris.csv")
    if not path.exists():
        raise FileNotFoundError(f"No iris file at {path}.")
    try:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path} is not a UTF-8 text CSV file ({exc.reason}).") from None
    if not rows:
        raise ValueError(f"{path} is empty; expected a header and 150 rows.")
    header, body = rows[0], [r for r in rows[1:] if r]
    if len(header) != 5:
        raise ValueError(f"{path}: expected 5 columns (4 features and species), found {len(header)}.")
    X = np.empty((len(body), 4))
    y = np.empty(len(body), dtype=np.int64)
    for i, row in enumerate(body, start=2):
        if len(row) != 5:
            raise ValueError(f"{path}, line {i}: expected 5 values, found {len(row)}.")
        try:
            X[i - 2] = [float(v) for v in row[:4]]
        except ValueError:
            raise ValueError(f"{path}, line {i}: a feature is not a number: {row[:4]}.") from None
        if row[4] not in IRIS_CLASSES:
            raise ValueError(f"{path}, line {i}: unknown species {row[4]!r}.")
        y[i - 2] = IRIS_CLASSES.index(row[4])
    if len(body) != 150:
        raise ValueError(f"{path}: expected 150 flowers, found {len(body)}; the file may be truncated.")
    return IrisData(X, y, list(IRIS_CLASSES), list(IRIS_FEATURES))


def load_spiral(n_per_class: int = 100, n_classes: int = 3, noise: float = 0.2,
                seed: int | np.random.Generator = 0) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms, one per class: ``X`` (N, 2) float64, ``y`` (N,) int64.

    N = ``n_per_class * n_classes``. Each arm winds out from the centre; the
    angle gets Gaussian ``noise``. No straight line separates the classes,
    which is why a hidden layer is needed. Rows are grouped by class.
    """
    if n_per_class < 1 or n_classes < 1:
        raise ValueError("n_per_class and n_classes must be positive")
    rng = as_generator(seed)
    X = np.empty((n_per_class * n_classes, 2))
    y = np.empty(n_per_class * n_classes, dtype=np.int64)
    for k in range(n_classes):
        frac = np.arange(n_per_class) / n_per_class          # 0 at the centre, towards 1 outside
        radius = frac
        angle = k * 4.0 + frac * 4.0 + rng.standard_normal(n_per_class) * noise
        rows = slice(k * n_per_class, (k + 1) * n_per_class)
        X[rows, 0] = radius * np.sin(angle)
        X[rows, 1] = radius * np.cos(angle)
        y[rows] = k
    return X, y


def one_hot(labels: np.ndarray, num_classes: int | None = None) -> np.ndarray:
    """Integer labels (N,) -> one-hot rows (N, C) of float64."""
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f"labels must be 1-D, got shape {labels.shape}")
    if labels.size and (labels.dtype.kind not in "iu" or labels.min() < 0):
        raise ValueError("labels must be non-negative integers")
    C = int(labels.max()) + 1 if num_classes is None and labels.size else (num_classes or 0)
    if labels.size and labels.max() >= C:
        raise ValueError(f"label {labels.max()} does not fit num_classes={C}")
    T = np.zeros((labels.size, C))
    T[np.arange(labels.size), labels] = 1.0
    return T


def train_test_split(X: np.ndarray, y: np.ndarray, test_size: float = 1 / 3,
                     seed: int | np.random.Generator = 0, stratify: bool = True):
    """Shuffled split -> ``X_train, X_test, y_train, y_test``.

    With ``stratify`` every class keeps (as near as possible) its share in
    both parts, so a file sorted by class still gives a fair split.
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)} labels")
    if not 0 < test_size < 1:
        raise ValueError("test_size must be a fraction between 0 and 1")
    rng = as_generator(seed)
    n_test = int(round(len(y) * test_size))
    if stratify:
        labels, counts = np.unique(y, return_counts=True)
        # Each class gets its share of the n_test places, rounded down; the
        # places left go to the classes with the largest remainders, so the
        # total is exactly n_test (50 of 150 for a 2:1 split).
        share = counts * n_test / len(y)
        per_class = np.floor(share).astype(int)
        leftover = n_test - per_class.sum()
        per_class[np.argsort(-(share - per_class), kind="stable")[:leftover]] += 1
        test = np.concatenate([rng.permutation(np.flatnonzero(y == label))[:k]
                               for label, k in zip(labels, per_class)])
    else:
        test = rng.permutation(len(y))[:n_test]
    is_test = np.zeros(len(y), dtype=bool)
    is_test[test] = True
    # Shuffle each part so the classes are interleaved within it too.
    train = rng.permutation(np.flatnonzero(~is_test))
    test = rng.permutation(np.flatnonzero(is_test))
    return X[train], X[test], y[train], y[test]


class Standardizer:
    """Scale features to mean 0 and standard deviation 1, fitted on training data only.

    ``scaler = Standardizer().fit(X_train)`` learns ``mean`` and ``std`` (D,);
    ``scaler.transform(X)`` applies them to any (N, D) data, the test part
    included, so no information from the test part leaks into training.
    """

    def __init__(self):
        self.mean: np.ndarray | None = None
        self.std: np.ndarray | None = None

    def fit(self, X: np.ndarray) -> "Standardizer":
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or len(X) < 2:
            raise ValueError(f"fit needs an (N, D) array with N >= 2, got shape {X.shape}")
        self.mean = X.mean(axis=0)
        std = X.std(axis=0)
        self.std = np.where(std > 0, std, 1.0)  # a constant feature stays as it is
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        if self.mean is None:
            raise RuntimeError("call fit(X_train) before transform")
        return (np.asarray(X, dtype=float) - self.mean) / self.std

    def fit_transform(self, X: np.ndarray) -> np.ndarray:
        return self.fit(X).transform(X)
