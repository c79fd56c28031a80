"""Numerical gradients and gradient checking (notebook 04).

``numerical_gradient(f, x)`` estimates d f / d x by central differences;
``relative_error`` measures how far an analytic gradient is from it;
``gradient_check`` does both for a list of parameters, and
``layer_gradient_check`` for a layer's input and parameters at once.
Use float64: in float32 the rounding error alone is about 1e-3 and hides
real bugs.

How to read a relative error (float64, h = 1e-5):
below 1e-9 correct; up to about 1e-7 correct, with a kink (ReLU) or
rounding nearby; 1e-4 and above: a bug.
"""

from __future__ import annotations

import inspect
from typing import Callable

import numpy as np

__all__ = ["numerical_gradient", "relative_error", "gradient_check", "layer_gradient_check"]


def numerical_gradient(f: Callable[[], float] | Callable[[np.ndarray], float], x: np.ndarray,
                       h: float = 1e-5) -> np.ndarray:
    """Central-difference gradient of a scalar function, same shape as ``x``.

    ``x`` is nudged in place, one element at a time, and restored, so ``f``
    may also be a function of no arguments that reads ``x`` (a layer's
    parameter, say). (f(x + h) - f(x - h)) / 2h has error O(h^2); h = 1e-5
    balances that against floating-point rounding.
    """
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise TypeError("numerical_gradient needs a float64 array (it nudges x in place)")
    takes_x = _takes_argument(f)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        saved = x[i]
        x[i] = saved + h
        f_plus = float(f(x) if takes_x else f())
        x[i] = saved - h
        f_minus = float(f(x) if takes_x else f())
        x[i] = saved                      # restore, or the next element sees a shifted x
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def _takes_argument(f: Callable) -> bool:
    try:
        params = inspect.signature(f).parameters.values()
    except (TypeError, ValueError):
        return True
    required = [p for p in params
                if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(required) >= 1 or any(p.kind == p.VAR_POSITIONAL for p in params)


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """The largest disagreement, measured against the size of the gradients:

        max |a - b|  /  (max |a| + max |b|)

    (0 when both are all zeros). Scaling by the whole array rather than
    element by element keeps an entry that is 0 analytically and 1e-11
    numerically (pure rounding noise) from reading as a 100 % error, while a
    single wrong entry of normal size still stands out.
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} vs {b.shape}")
    if a.size == 0:
        return 0.0
    scale = np.max(np.abs(a)) + np.max(np.abs(b))
    if not np.isfinite(scale):
        return float("inf")
    return float(np.max(np.abs(a - b)) / scale) if scale > 0 else 0.0


def gradient_check(f: Callable[[], float], params: list[np.ndarray], grads: list[np.ndarray],
                   h: float = 1e-5, names: list[str] | None = None) -> dict[str, float]:
    """Relative error between analytic ``grads`` and numerical ones, per parameter.

    ``f()`` recomputes the scalar loss from the current parameter values;
    ``grads[i]`` is the analytic gradient of that loss w.r.t. ``params[i]``.
    """
    names = names or [f"param{i}" for i in range(len(params))]
    return {name: relative_error(g, numerical_gradient(f, p, h))
            for name, p, g in zip(names, params, grads)}


def layer_gradient_check(layer, x: np.ndarray, *args, dout=None, seed: int = 0,
                         h: float = 1e-5) -> dict[str, float]:
    """Check a layer's ``backward`` against numerical gradients.

    Runs ``layer.forward(x, *args)`` and ``layer.backward(dout)``; then
    compares the returned dx and each ``layer.grads[i]`` with the numerical
    gradient of L = sum(forward(x, *args) * dout). ``dout`` defaults to 1 for
    a layer that returns a scalar (a loss) and to a seeded random array
    otherwise. Returns {"x": error, "params[0]": error, ...}; ``x`` and the
    parameters must be float64 arrays.
    """
    out = layer.forward(x, *args)
    if dout is None:
        dout = 1.0 if np.ndim(out) == 0 else np.random.default_rng(seed).standard_normal(np.shape(out))
    dx = layer.backward(dout)
    grads = [np.array(g, copy=True) for g in layer.grads]

    def loss() -> float:
        return float(np.sum(layer.forward(x, *args) * dout))

    errors = {"x": relative_error(dx, numerical_gradient(loss, x, h))}
    for i, (p, g) in enumerate(zip(layer.params, grads)):
        errors[f"params[{i}]"] = relative_error(g, numerical_gradient(loss, p, h))
    return errors
