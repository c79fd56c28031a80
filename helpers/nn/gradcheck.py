"""Numerical gradients and gradient checking (notebook 04).

``numerical_gradient(f, x)`` estimates d f / d x by central differences;
``gradient_check`` compares it with an analytic gradient. Use float64: in
float32 the rounding error alone is about 1e-3 and hides real bugs.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

__all__ = ["numerical_gradient", "relative_error", "gradient_check"]


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
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        saved = x[i]
        x[i] = saved + h
        f_plus = f(x) if takes_x else f()
        x[i] = saved - h
        f_minus = f(x) if takes_x else f()
        x[i] = saved
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def _takes_argument(f: Callable) -> bool:
    import inspect
    try:
        params = inspect.signature(f).parameters.values()
    except (TypeError, ValueError):
        return True
    required = [p for p in params if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(required) >= 1 or any(p.kind == p.VAR_POSITIONAL for p in params)


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """max over elements of |a - b| / max(|a| + |b|, 1e-12).

    Around 1e-10 or less: correct. Around 1e-7: fine for a smooth function in
    float64 with kinks nearby. 1e-4 and above: there is a bug.
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} vs {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-12)))


def gradient_check(f: Callable[[], float], params: list[np.ndarray], grads: list[np.ndarray],
                   h: float = 1e-5, names: list[str] | None = None) -> dict[str, float]:
    """Relative error between analytic ``grads`` and numerical ones, per parameter.

    ``f()`` recomputes the scalar loss from the current parameter values;
    ``grads[i]`` is the analytic gradient of that loss w.r.t. ``params[i]``.
    """
    names = names or [f"param{i}" for i in range(len(params))]
    return {name: relative_error(g, numerical_gradient(f, p, h))
            for name, p, g in zip(names, params, grads)}
