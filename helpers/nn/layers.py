"""Reference layers (notebook 04): the interface every layer of the course shares.

* ``params``: list of parameter arrays (empty for layers without any);
* ``grads``: list of arrays of the same shapes, written IN PLACE by
  ``backward`` (``grads[0][...] = dW``), so an optimizer that holds on to the
  list always sees the latest gradients;
* ``forward(x)`` returns the output and remembers what ``backward`` needs;
* ``backward(dout)`` takes dL/d(output) and returns dL/d(input).
"""

from __future__ import annotations

import numpy as np

from .functions import LOG_EPS, sigmoid, softmax

__all__ = ["MatMul", "Affine", "Sigmoid", "Relu", "SoftmaxWithLoss"]


class MatMul:
    """out = x W.  x: (N, D), W: (D, H) -> out: (N, H)."""

    def __init__(self, W: np.ndarray):
        self.params = [W]
        self.grads = [np.zeros_like(W)]
        self.x = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        return x @ self.params[0]

    def backward(self, dout: np.ndarray) -> np.ndarray:
        W, = self.params
        self.grads[0][...] = self.x.T @ dout      # dW = x^T dout: (D, N)(N, H)
        return dout @ W.T                         # dx = dout W^T: (N, H)(H, D)


class Affine:
    """out = x W + b.  x: (N, D), W: (D, H), b: (H,) -> out: (N, H)."""

    def __init__(self, W: np.ndarray, b: np.ndarray):
        self.params = [W, b]
        self.grads = [np.zeros_like(W), np.zeros_like(b)]
        self.x = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        W, b = self.params
        self.x = x
        return x @ W + b

    def backward(self, dout: np.ndarray) -> np.ndarray:
        W, _ = self.params
        self.grads[0][...] = self.x.T @ dout
        # b was broadcast to every row in forward, so its gradient sums the rows.
        self.grads[1][...] = dout.sum(axis=0)
        return dout @ W.T


class Sigmoid:
    """y = sigmoid(x) elementwise; backward uses dy/dx = y (1 - y)."""

    def __init__(self):
        self.params, self.grads = [], []
        self.out = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.out = sigmoid(x)
        return self.out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout * self.out * (1.0 - self.out)


class Relu:
    """y = max(0, x); backward lets the gradient through where x > 0 only."""

    def __init__(self):
        self.params, self.grads = [], []
        self.mask = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.mask = x <= 0
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        dx = dout.copy()
        dx[self.mask] = 0
        return dx


class SoftmaxWithLoss:
    """Softmax followed by the mean cross-entropy loss, as one layer.

    forward(x: (N, C) scores, t: (N, C) one-hot or (N,) labels) -> scalar loss.
    backward(dout=1) -> dx = dout * (y - t) / N: the two derivatives combine
    into this simple difference, which is why the pair is one layer.
    """

    def __init__(self):
        self.params, self.grads = [], []
        self.y = None
        self.t = None

    def forward(self, x: np.ndarray, t: np.ndarray) -> float:
        x = np.atleast_2d(x)
        t = np.asarray(t)
        if t.ndim == x.ndim and t.shape == x.shape:
            t = t.argmax(axis=1)          # one-hot -> labels
        self.t = t.reshape(-1).astype(int)
        self.y = softmax(x)
        N = x.shape[0]
        return float(-np.log(self.y[np.arange(N), self.t] + LOG_EPS).sum() / N)

    def backward(self, dout: float = 1.0) -> np.ndarray:
        N = self.y.shape[0]
        dx = self.y.copy()
        dx[np.arange(N), self.t] -= 1
        return dx * (dout / N)
