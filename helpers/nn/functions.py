"""Reference versions of the functions learners write in notebooks 01 and 03.

You built each of these yourself; later notebooks import these so that a
learner stuck in one notebook can still do the next. All work elementwise on
arrays of any shape (softmax and the losses on the last axis / the batch).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "step_function", "sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "relu", "relu_grad",
    "identity", "softmax", "cross_entropy_error", "mean_squared_error",
    "binary_cross_entropy", "hinge_loss",
]

# Added inside logarithms so that a probability of exactly 0 gives a large
# but finite loss instead of -log(0) = inf.
LOG_EPS = 1e-7


def step_function(x: np.ndarray) -> np.ndarray:
    """1 where x > 0, else 0 (x = 0 maps to 0). Same shape as x, integer dtype."""
    return (np.asarray(x) > 0).astype(np.int64)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-x)), computed without overflow for any x."""
    x = np.asarray(x, dtype=float)
    # exp of a large positive number overflows, so each side uses the form
    # whose exponent is never positive: exp(-|x|) is always in (0, 1].
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(x: np.ndarray) -> np.ndarray:
    """d sigmoid / dx = y (1 - y) with y = sigmoid(x)."""
    y = sigmoid(x)
    return y * (1.0 - y)


def tanh(x: np.ndarray) -> np.ndarray:
    """Hyperbolic tangent, in (-1, 1)."""
    return np.tanh(x)


def tanh_grad(x: np.ndarray) -> np.ndarray:
    """d tanh / dx = 1 - tanh(x)^2."""
    return 1.0 - np.tanh(x) ** 2


def relu(x: np.ndarray) -> np.ndarray:
    """max(0, x) elementwise."""
    return np.maximum(0, x)


def relu_grad(x: np.ndarray) -> np.ndarray:
    """1 where x > 0, else 0 (we take the derivative at 0 to be 0)."""
    return (np.asarray(x) > 0).astype(float)


def identity(x: np.ndarray) -> np.ndarray:
    """The output activation of regression: the scores as they are."""
    return x


def softmax(x: np.ndarray) -> np.ndarray:
    """Probabilities along the last axis: x (C,) -> (C,), x (N, C) -> (N, C).

    Subtracting the row maximum first changes nothing mathematically (the
    factor exp(-max) cancels) but keeps exp from overflowing.
    """
    x = np.asarray(x, dtype=float)
    z = x - x.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def cross_entropy_error(y: np.ndarray, t: np.ndarray) -> float:
    """Mean cross-entropy of predicted probabilities y against targets t.

    y: (C,) or (N, C) probabilities. t: one-hot of the same shape as y, or
    integer labels of shape () / (N,). Returns the mean over the batch.
    """
    y = np.asarray(y, dtype=float)
    t = np.asarray(t)
    if y.ndim == 1:                 # one sample -> a batch of one
        y = y[np.newaxis, :]
        t = t.reshape(1, -1) if t.size == y.size else t.reshape(1)
    labels = t.argmax(axis=1) if t.shape == y.shape else t.astype(int)     # (N,)
    p_right = y[np.arange(len(y)), labels]     # (N,) the probability given to the right class
    return float(np.mean(-np.log(p_right + LOG_EPS)))


def mean_squared_error(y: np.ndarray, t: np.ndarray) -> float:
    """Half the mean of squared differences: 0.5 * mean((y - t)^2).

    The 1/2 is there so that the derivative is simply (y - t) / n.
    """
    y = np.asarray(y, dtype=float)
    t = np.asarray(t, dtype=float)
    return float(0.5 * np.mean((y - t) ** 2))


def binary_cross_entropy(y: np.ndarray, t: np.ndarray) -> float:
    """Mean of -[t log y + (1 - t) log(1 - y)] for probabilities y and 0/1 targets t."""
    y = np.asarray(y, dtype=float)
    t = np.asarray(t, dtype=float)
    return float(-np.mean(t * np.log(y + LOG_EPS) + (1 - t) * np.log(1 - y + LOG_EPS)))


def hinge_loss(scores: np.ndarray, t: np.ndarray, margin: float = 1.0) -> float:
    """Multi-class hinge (SVM) loss, mean over the batch.

    scores: (N, C) or (C,); t: labels (N,) or a scalar label. Each wrong class
    costs max(0, s_wrong - s_right + margin).
    """
    s = np.atleast_2d(np.asarray(scores, dtype=float))
    t = np.atleast_1d(np.asarray(t)).astype(int)
    N = s.shape[0]
    right = s[np.arange(N), t][:, None]
    margins = np.maximum(0, s - right + margin)
    margins[np.arange(N), t] = 0
    return float(margins.sum() / N)
