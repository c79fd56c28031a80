"""Reference classifiers and full-batch training (notebook 06, the iris capstone).

Notebook 06 has you assemble ``TwoLayerNet`` and ``train`` from the layers
of notebook 04 and the optimizer of notebook 05. The versions here are what
the rest of that notebook (the pitfall demo, the free-exploration widget) and
its checks use, so they work even before your own code does.

A *model* has the course's interface:

* ``params`` / ``grads``: lists of arrays, the grads written in place by ``backward``;
* ``predict(x: (N, D)) -> scores (N, C)`` (no softmax: the largest score wins);
* ``forward(x, t) -> loss``, the mean cross-entropy, t labels (N,) or one-hot (N, C);
* ``backward(dout=1.0) -> dx``, filling ``grads``.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .layers import Affine, Network, Relu, Sigmoid, SoftmaxWithLoss
from .optimizers import SGD

__all__ = ["Tanh", "MLPClassifier", "train"]

ACTIVATIONS = ("relu", "sigmoid", "tanh")


class Tanh:
    """y = tanh(x) elementwise; backward uses dy/dx = 1 - y^2."""

    def __init__(self):
        self.params, self.grads = [], []
        self.out = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.out = np.tanh(x)
        return self.out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout * (1.0 - self.out ** 2)


class MLPClassifier(Network):
    """Fully connected layers with a softmax cross-entropy loss on top.

    ``sizes`` lists the layer widths, input first and number of classes last:
    ``(4, 6, 3)`` is notebook 06's network (4 inputs, 6 hidden units, 3
    classes) and ``(4, 3)`` is softmax regression, with no hidden layer.
    Between two Affine layers sits ``activation`` ("relu", "sigmoid" or
    "tanh").

    Weights are drawn, layer after layer, as
    ``rng.standard_normal((fan_in, fan_out)) * scale`` with
    ``scale = sqrt(2 / fan_in)`` (He) for ReLU networks and softmax
    regression and ``sqrt(1 / fan_in)`` (Xavier) for sigmoid and tanh;
    biases start at 0. ``seed``: an int or a ``np.random.Generator``.
    For ``(4, 6, 3)`` with ReLU this draws exactly what notebook 06's
    ``TwoLayerNet(4, 6, 3, rng)`` draws.
    """

    def __init__(self, sizes: Sequence[int], activation: str = "relu", seed=0):
        sizes = [int(s) for s in sizes]
        if len(sizes) < 2 or min(sizes) < 1:
            raise ValueError(f"sizes needs at least an input and an output width, all >= 1; got {sizes}")
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {ACTIVATIONS}, not {activation!r}")
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        gain = 2.0 if activation == "relu" else 1.0
        self.sizes = tuple(sizes)
        self.activation = activation
        self.layers: list = []
        for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            if i > 0:
                self.layers.append({"relu": Relu, "sigmoid": Sigmoid, "tanh": Tanh}[activation]())
            W = rng.standard_normal((fan_in, fan_out)) * np.sqrt(gain / fan_in)
            self.layers.append(Affine(W, np.zeros(fan_out)))
        self.loss_layer = SoftmaxWithLoss()
        self._collect_params()


def train(model, x: np.ndarray, t: np.ndarray, lr: float, epochs: int) -> list[float]:
    """Full-batch gradient descent: ``epochs`` updates on all of ``x`` at once.

    Each epoch computes the loss on the whole training set (forward), the
    gradients (backward) and one ``SGD(lr)`` step. Returns the list of the
    ``epochs`` losses, each measured *before* its update (so ``losses[0]`` is
    the loss of the untrained model).
    """
    optimizer = SGD(lr)
    losses = []
    for _ in range(int(epochs)):
        losses.append(float(model.forward(x, t)))
        model.backward()
        optimizer.update(model.params, model.grads)
    return losses
