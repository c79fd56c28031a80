"""Reference optimizers (notebook 05): ``update(params, grads)`` changes params in place."""

from __future__ import annotations

import numpy as np

__all__ = ["SGD", "Momentum", "Adam"]


class SGD:
    """Plain gradient descent: W <- W - lr * dL/dW."""

    def __init__(self, lr: float = 0.01):
        self.lr = lr

    def update(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        for p, g in zip(params, grads):
            p -= self.lr * g          # in place: the layers hold these same arrays


class Momentum:
    """v <- momentum * v - lr * g;  W <- W + v (a ball rolling downhill)."""

    def __init__(self, lr: float = 0.01, momentum: float = 0.9):
        self.lr, self.momentum = lr, momentum
        self.v = None

    def update(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        if self.v is None:
            self.v = [np.zeros_like(p) for p in params]
        for p, g, v in zip(params, grads, self.v):
            v *= self.momentum
            v -= self.lr * g
            p += v


class Adam:
    """Adam: momentum on the gradient and a per-parameter step size, bias-corrected."""

    def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.t = 0
        self.m = self.v = None

    def update(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        if self.m is None:
            self.m = [np.zeros_like(p) for p in params]
            self.v = [np.zeros_like(p) for p in params]
        self.t += 1
        # Folding both bias corrections into the step size saves two arrays.
        lr_t = self.lr * np.sqrt(1 - self.beta2 ** self.t) / (1 - self.beta1 ** self.t)
        for p, g, m, v in zip(params, grads, self.m, self.v):
            m += (1 - self.beta1) * (g - m)
            v += (1 - self.beta2) * (g * g - v)
            p -= lr_t * m / (np.sqrt(v) + self.eps)
