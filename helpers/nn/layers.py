"""Reference layers (notebook 04): the interface every layer of the course shares.

* ``params``: list of parameter arrays (empty for layers without any);
* ``grads``: list of arrays of the same shapes, written IN PLACE by
  ``backward`` (``grads[0][...] = dW``), so an optimizer that holds on to the
  list always sees the latest gradients;
* ``forward(x)`` returns the output and remembers what ``backward`` needs;
* ``backward(dout)`` takes dL/d(output) and returns dL/d(input).

``TwoLayerNet`` (notebook 05) stacks them into the network the course trains
on the spiral and iris data; a model has the same interface, with
``forward(x, t)`` returning the loss and ``predict(x)`` the class scores.
"""

from __future__ import annotations

import numpy as np

from .functions import sigmoid, softmax

__all__ = ["MatMul", "Affine", "Sigmoid", "Relu", "SoftmaxWithLoss", "Network", "TwoLayerNet"]


def _as_batch(x: np.ndarray, D: int, layer: str) -> np.ndarray:
    """x (D,) or (N, D) -> (N, D), with a clear message for any other shape."""
    x = np.asarray(x)
    if x.ndim not in (1, 2) or x.shape[-1] != D:
        raise ValueError(f"{layer}: x must have shape (N, {D}) or ({D},), got {x.shape}")
    return x.reshape(1, D) if x.ndim == 1 else x


class MatMul:
    """out = x W.  x: (N, D), W: (D, H) -> out: (N, H). A single sample x: (D,) gives (H,)."""

    def __init__(self, W: np.ndarray):
        self.params = [W]
        self.grads = [np.zeros_like(W)]
        self.x = None
        self._single = False

    def forward(self, x: np.ndarray) -> np.ndarray:
        W, = self.params
        self._single = np.ndim(x) == 1
        self.x = _as_batch(x, W.shape[0], "MatMul")
        out = self.x @ W
        return out[0] if self._single else out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        W, = self.params
        dout = np.asarray(dout).reshape(1, -1) if self._single else dout
        self.grads[0][...] = self.x.T @ dout      # dW = x^T dout: (D, N)(N, H) -> (D, H)
        dx = dout @ W.T                           # dx = dout W^T: (N, H)(H, D) -> (N, D)
        return dx[0] if self._single else dx


class Affine:
    """out = x W + b.  x: (N, D), W: (D, H), b: (H,) -> out: (N, H). x: (D,) gives (H,)."""

    def __init__(self, W: np.ndarray, b: np.ndarray):
        if W.ndim != 2 or b.shape != (W.shape[1],):
            raise ValueError(f"Affine needs W: (D, H) and b: (H,), got {W.shape} and {b.shape}")
        self.params = [W, b]
        self.grads = [np.zeros_like(W), np.zeros_like(b)]
        self.x = None
        self._single = False

    def forward(self, x: np.ndarray) -> np.ndarray:
        W, b = self.params
        self._single = np.ndim(x) == 1
        self.x = _as_batch(x, W.shape[0], "Affine")
        out = self.x @ W + b
        return out[0] if self._single else out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        W, _ = self.params
        dout = np.asarray(dout).reshape(1, -1) if self._single else dout
        self.grads[0][...] = self.x.T @ dout
        # b was broadcast to every row in forward (Repeat), so its gradient sums the rows.
        self.grads[1][...] = dout.sum(axis=0)
        dx = dout @ W.T
        return dx[0] if self._single else dx


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
        self.on = None       # (same shape as x) True where the unit passed its input on

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        self.on = x > 0
        return np.where(self.on, x, 0)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return np.where(self.on, np.asarray(dout, dtype=float), 0.0)


class SoftmaxWithLoss:
    """Softmax followed by the mean cross-entropy loss, as one layer.

    forward(x, t) -> scalar loss, with scores x: (N, C) (or one sample (C,)) and
    targets t either integer labels (N,) (a scalar label for one sample) or
    rows of probabilities of x's shape (one-hot, or soft targets that sum to 1).
    backward(dout=1) -> dx = dout * (y - t) / N: the derivatives of softmax
    and cross-entropy combine into this simple difference, which is why the
    pair is one layer.

    The loss is computed exactly, as log(sum(exp(x))) - x[t] with the row
    maximum subtracted first: never log(0), and no small constant added inside
    the log (that constant would make the loss disagree with (y - t) / N by
    about 1e-7 relative, which a gradient check would flag).
    """

    def __init__(self):
        self.params, self.grads = [], []
        self.y = None        # softmax probabilities (N, C)
        self.t = None        # labels (N,) or target probabilities (N, C)
        self._single = False

    def forward(self, x: np.ndarray, t: np.ndarray) -> float:
        x = np.asarray(x, dtype=float)
        if x.ndim not in (1, 2):
            raise ValueError(f"SoftmaxWithLoss: scores x must be (N, C) or (C,), got shape {x.shape}")
        self._single = x.ndim == 1
        x = x.reshape(1, -1) if self._single else x
        N, C = x.shape
        t = np.asarray(t)
        if t.shape == x.shape or (self._single and t.shape == (C,)):
            t = t.reshape(N, C).astype(float)              # one-hot (or soft) targets
        elif t.shape == (N,) or (self._single and t.ndim == 0):
            if t.dtype.kind not in "iu" and not (t.dtype.kind == "f" and np.all(t == np.round(t))):
                raise ValueError("SoftmaxWithLoss: labels t must be integers")
            t = t.reshape(N).astype(np.int64)
            if t.size and (t.min() < 0 or t.max() >= C):
                raise ValueError(f"SoftmaxWithLoss: labels must lie in 0..{C - 1}, got {t.min()}..{t.max()}")
        else:
            raise ValueError(f"SoftmaxWithLoss: t must be labels of shape ({N},) or one-hot of shape "
                             f"{x.shape}, got shape {t.shape}")
        self.t = t
        shifted = x - x.max(axis=1, keepdims=True)
        log_sum = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        log_y = shifted - log_sum                            # log softmax, always finite
        self.y = np.exp(log_y)
        if t.ndim == 2:
            return float(-np.sum(t * log_y) / N)
        return float(-np.sum(log_y[np.arange(N), t]) / N)

    def backward(self, dout: float = 1.0) -> np.ndarray:
        N = self.y.shape[0]
        dx = self.y.copy()
        if self.t.ndim == 2:
            dx -= self.t
        else:
            dx[np.arange(N), self.t] -= 1
        dx *= dout / N
        return dx[0] if self._single else dx


class Network:
    """Layers in a row with a loss layer on top: the plumbing every model shares.

    A subclass builds ``self.layers`` (a list) and ``self.loss_layer``, then
    calls ``self._collect_params()``.

    * ``predict(x: (N, D)) -> scores (N, C)``: the layers' forward passes;
    * ``forward(x, t) -> loss``: predict, then the loss layer;
    * ``backward(dout=1) -> dx``: the loss layer's backward, then the layers' in reverse;
    * ``params`` / ``grads``: every layer's lists joined, the same array objects,
      so an optimizer's in-place update reaches the layers.
    """

    layers: list
    loss_layer: "SoftmaxWithLoss"

    def _collect_params(self) -> None:
        self.params = [p for layer in self.layers for p in layer.params]
        self.grads = [g for layer in self.layers for g in layer.grads]

    def predict(self, x: np.ndarray) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def forward(self, x: np.ndarray, t: np.ndarray) -> float:
        return self.loss_layer.forward(self.predict(x), t)

    def backward(self, dout: float = 1.0) -> np.ndarray:
        dout = self.loss_layer.backward(dout)
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout


class TwoLayerNet(Network):
    """Affine -> Sigmoid (or Relu) -> Affine, with a SoftmaxWithLoss on top.

    input_size D, hidden_size H, output_size C. The weights are drawn from a
    normal distribution with standard deviation ``weight_std`` (default
    1/sqrt(fan_in) for each layer), the biases start at 0. ``seed`` is an int
    or a ``np.random.Generator``.

    * ``predict(x: (N, D)) -> scores (N, C)`` (no softmax: the largest score wins);
    * ``forward(x, t) -> loss`` with labels t (N,) or one-hot (N, C);
    * ``backward(dout=1) -> dx``, filling ``grads`` in place;
    * ``params`` / ``grads``: [W1, b1, W2, b2] and their gradients.
    """

    def __init__(self, input_size: int, hidden_size: int, output_size: int,
                 activation: str = "sigmoid", weight_std: float | None = None, seed=0):
        if activation not in ("sigmoid", "relu"):
            raise ValueError(f"activation must be 'sigmoid' or 'relu', not {activation!r}")
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        D, H, C = input_size, hidden_size, output_size
        if weight_std is None:        # 1/sqrt(fan_in): each unit's total input has variance about 1
            W1 = rng.standard_normal((D, H)) / np.sqrt(D)
            W2 = rng.standard_normal((H, C)) / np.sqrt(H)
        else:
            W1 = weight_std * rng.standard_normal((D, H))
            W2 = weight_std * rng.standard_normal((H, C))
        self.layers = [
            Affine(W1, np.zeros(H)),
            Sigmoid() if activation == "sigmoid" else Relu(),
            Affine(W2, np.zeros(C)),
        ]
        self.loss_layer = SoftmaxWithLoss()
        self._collect_params()
