"""``print_vec``: the course's standard way to show an intermediate result."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["print_vec"]


def print_vec(title: str, value: Any, precision: int = 4) -> None:
    """Print a titled block: the value (rounded) and, for arrays, its shape.

    >>> print_vec("u: total input", np.array([1.5, -0.25]))
    *** u: total input ***
    [ 1.5  -0.25]
    shape: (2,)

    Scalars print as a rounded number; lists print as they would as an
    array, followed by their length.
    """
    print(f"*** {title} ***")
    if isinstance(value, np.ndarray):
        print(np.array2string(value, precision=precision, suppress_small=True))
        print(f"shape: {value.shape}")
    elif isinstance(value, (list, tuple)):
        try:
            arr = np.asarray(value)
            ok = arr.dtype.kind in "biuf"
        except ValueError:  # ragged lists are printed as they are
            ok = False
        print(np.array2string(arr, precision=precision, suppress_small=True) if ok else value)
        print(f"length: {len(value)}")
    elif isinstance(value, (bool, np.bool_)):
        print(value)
    elif isinstance(value, (int, np.integer)):
        print(int(value))
    elif isinstance(value, (float, np.floating)):
        # Rounded like the arrays, without trailing zeros; -0.0 prints as 0.0.
        print(np.format_float_positional(round(float(value), precision) + 0.0, trim="-"))
    else:
        print(value)
