"""Reference optimizers (notebook 05): ``update(params, grads)`` changes params in place.

Each optimizer keeps its state (velocity, sums of squared gradients, moments)
in one array per parameter, created at the first update, when the shapes are
known. ``eps`` is added *after* the square root, as in notebook 05:
``g / (sqrt(h) + eps)``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["SGD", "Momentum", "AdaGrad", "RMSProp", "Adam"]


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


class AdaGrad:
    """h <- h + g*g;  W <- W - lr * g / (sqrt(h) + eps): steps shrink where gradients have been large."""

    def __init__(self, lr: float = 0.01, eps: float = 1e-8):
        self.lr, self.eps = lr, eps
        self.h = None

    def update(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        if self.h is None:
            self.h = [np.zeros_like(p) for p in params]
        for p, g, h in zip(params, grads, self.h):
            h += g * g
            p -= self.lr * g / (np.sqrt(h) + self.eps)


class RMSProp:
    """h <- rho*h + (1 - rho)*g*g;  W <- W - lr * g / (sqrt(h) + eps): AdaGrad that forgets old gradients."""

    def __init__(self, lr: float = 0.01, decay_rate: float = 0.99, eps: float = 1e-8):
        self.lr, self.decay_rate, self.eps = lr, decay_rate, eps
        self.h = None

    def update(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        if self.h is None:
            self.h = [np.zeros_like(p) for p in params]
        for p, g, h in zip(params, grads, self.h):
            h *= self.decay_rate
            h += (1 - self.decay_rate) * g * g
            p -= self.lr * g / (np.sqrt(h) + self.eps)


class Adam:
    """Adam: momentum on the gradient and a per-parameter step size, bias-corrected.

    m <- b1*m + (1-b1)*g;  v <- b2*v + (1-b2)*g*g;  t counts the updates;
    W <- W - lr * m_hat / (sqrt(v_hat) + eps)  with  m_hat = m/(1-b1^t), v_hat = v/(1-b2^t).
    """

    def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.t = 0
        self.m = self.v = None

    def update(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        if self.m is None:
            self.m = [np.zeros_like(p) for p in params]
            self.v = [np.zeros_like(p) for p in params]
        self.t += 1
        # Both bias corrections folded into scalars saves two arrays per parameter:
        # m_hat / (sqrt(v_hat) + eps) = lr_t * m / (sqrt(v) + eps_t), exactly.
        c1, c2 = 1 - self.beta1 ** self.t, 1 - self.beta2 ** self.t
        lr_t = self.lr * np.sqrt(c2) / c1
        eps_t = self.eps * np.sqrt(c2)
        for p, g, m, v in zip(params, grads, self.m, self.v):
            m += (1 - self.beta1) * (g - m)
            v += (1 - self.beta2) * (g * g - v)
            p -= lr_t * m / (np.sqrt(v) + eps_t)
