"""Exercises and quiz of notebook 03: softmax, cross-entropy and other losses."""

import numpy as np

from helpers.checking import (Exercise, call, expect, expect_array, expect_close, expect_no_warning,
                              expect_scalar, expect_scalar_call, hidden_rng)
from helpers.nn import functions as ref
from helpers.quiz import Choice, Numeric, Quiz

NB = "03_softmax_and_losses"
DELTA = ref.LOG_EPS  # 1e-7, the small number inside every log of the course


def _text(name, *args):
    return f"{name}({', '.join(args)})"


# --- 3.1 softmax -------------------------------------------------------------------

sm = Exercise("3.1", NB, "softmax", "Softmax for one sample and a batch, stable for large scores", points=2,
              hint="Subtract the maximum of each row first (`x.max(axis=-1, keepdims=True)`), then exponentiate "
                   "and divide by the row sums. axis=-1 (the last axis) is the class axis for (C,) and (N, C) "
                   "alike. Build new arrays: `x -= ...` would change the caller's scores.",
              hints=("Adding the same number to every score of a row changes nothing, so subtract the row's "
                     "largest score: then every exponent is <= 0.",
                     "`m = x.max(axis=-1, keepdims=True)` has shape (1,) for one sample and (N, 1) for a batch, "
                     "so `x - m` broadcasts over each row. Write `z = x - m` (a new array), not `x -= m`.",
                     "`e = np.exp(z)`; each row must be divided by its own sum, which "
                     "`e.sum(axis=-1, keepdims=True)` gives in a shape that broadcasts.",
                     "The finished lines: `z = x - x.max(axis=-1, keepdims=True)`, `e = np.exp(z)` and "
                     "`return e / e.sum(axis=-1, keepdims=True)`"))


_AXIS_HINT = ("Work along the last axis (the classes) with keepdims=True: `x.max(axis=-1, keepdims=True)` and "
              "`e.sum(axis=-1, keepdims=True)` keep a (N, 1) column that divides each row of (N, C).")


def _softmax_step(softmax, x, expected, hint=None):
    y = call(softmax, x, call_text="softmax(x)", inputs={"x": x}, error_hint=_AXIS_HINT)
    expect_array(y, shape=x.shape, what="softmax(x)", inputs={"x": x})
    expect_close(y, expected, what="softmax(x)", inputs={"x": x}, hint=hint)


def _naive_softmax(x):
    e = np.exp(x)
    return e / e.sum(axis=-1, keepdims=True)


@sm.step("one sample: x (C,) -> probabilities (C,)")
def _(softmax):
    x = np.array([1.0, 2.0, 3.0])
    _softmax_step(softmax, x, _naive_softmax(x))


@sm.step("a batch: x (N, C) -> (N, C), every row sums to 1")
def _(softmax):
    x = np.array([[1.0, 2.0, 3.0, 0.5],
                  [0.0, 0.0, 0.0, 0.0],
                  [-1.0, 5.0, 2.0, 1.0]])
    _softmax_step(softmax, x, _naive_softmax(x),
                  hint="Normalise each row on its own: sum along the class axis with keepdims=True, "
                       "not over the whole array.")


def _large_softmax_step(softmax, x):
    y = expect_no_warning(softmax, x, call_text="softmax(x)", inputs={"x": x}, error_hint=_AXIS_HINT,
                          hint="exp(1000) overflows to inf, and inf / inf is NaN. Subtract the largest score "
                               "of each row (not the mean, not the smallest): the result is the same, and "
                               "every exp is at most 1.")
    expect_array(y, shape=x.shape, what="softmax(x)", inputs={"x": x})
    expect_close(y, ref.softmax(x), what="softmax(x)", inputs={"x": x}, atol=1e-12,
                 hint="Subtract the maximum of each row, x.max(axis=-1, keepdims=True), before np.exp.")


@sm.step("large scores: softmax([1000, 1000]) is [0.5, 0.5], with no overflow")
def _(softmax):
    for x in (np.array([1000.0, 1000.0]), np.array([-1000.0, -1000.0]), np.array([1000.0, 999.0, 0.0]),
              np.array([0.0, 2000.0]), np.array([-2000.0, 0.0])):
        _large_softmax_step(softmax, x)


@sm.step("a batch whose rows have very different sizes (one maximum per row)")
def _(softmax):
    x = np.array([[1000.0, 1001.0, 999.0],
                  [0.0, 1.0, -1.0]])
    y = expect_no_warning(softmax, x, call_text="softmax(x)", inputs={"x": x}, error_hint=_AXIS_HINT,
                          hint="Subtract the maximum of each row, not of the whole batch: "
                               "x.max(axis=-1, keepdims=True).")
    expect_array(y, shape=x.shape, what="softmax(x)", inputs={"x": x})
    expect_close(y, ref.softmax(x), what="softmax(x)", inputs={"x": x},
                 hint="Subtract the maximum of each row, not of the whole batch.")


@sm.hidden_step("other scores, one sample and a batch, small and large")
def _(softmax):
    rng = hidden_rng("3.1")
    x = rng.normal(scale=20.0, size=(5, 7))
    _softmax_step(softmax, x, ref.softmax(x))
    _softmax_step(softmax, x[2], ref.softmax(x[2]))
    big = x * 100 + rng.uniform(-2000, 2000, size=(5, 1))
    _large_softmax_step(softmax, big)
    _large_softmax_step(softmax, big[0])


# --- 3.2 cross-entropy error ------------------------------------------------------------

ce = Exercise("3.2", NB, "cross_entropy_error",
              "Cross-entropy error: one-hot or label targets, one sample or a batch", points=2,
              hint="Treat one sample as a batch of one (reshape y to (1, C)); if t has the shape of y it is "
                   "one-hot, and t.argmax(axis=1) turns it into labels; y[np.arange(N), t] then picks the "
                   "probability of the right class in each row. Put delta = 1e-7 inside the log, divide by N.",
              hints=("Reduce every case to one: a batch y of shape (N, C) with labels t of shape (N,). The loss "
                     "is then the mean over the rows of -log(probability of the right class + 1e-7).",
                     "One sample: `y.reshape(1, -1)` makes y (1, C). A one-hot t becomes (1, C) the same way; "
                     "a label (a single integer) becomes `np.reshape(t, 1)`, an array (1,) holding it. "
                     "`np.size(t) == y.size` tells the two apart.",
                     "One-hot rows (t has the shape of y) become labels with `t.argmax(axis=1)`. Then "
                     "`y[np.arange(N), t]` picks one probability per row, shape (N,).",
                     "The last two lines: `p_right = y[np.arange(N), t]`, the probability each sample gives its right "
                     "class, shape (N,); then `return float(np.mean(-np.log(p_right + 1e-7)))`"))


def _ce_step(cross_entropy_error, y, t, hint=None):
    t_shown = t if isinstance(t, np.ndarray) else int(t)
    inputs = {"y": y, "t": t_shown}
    text = "cross_entropy_error(y, t)"
    loss = call(cross_entropy_error, y, t, call_text=text, inputs=inputs,
                error_hint="Handle every form of input: one sample y (C,) becomes a batch of one with "
                           "y.reshape(1, -1); one-hot t (like y) becomes labels with t.argmax(axis=1).")
    loss = expect_scalar(loss, what=text, inputs=inputs)
    expected = ref.cross_entropy_error(y, t)
    n = np.atleast_2d(y).shape[0]
    C = np.atleast_2d(y).shape[1]
    if np.isclose(loss, expected):
        pass
    elif n > 1 and np.isclose(loss, expected * n, rtol=1e-6):
        hint = "You return the sum over the batch: divide by the number of samples N (the mean)."
    elif np.isclose(loss, -expected, rtol=1e-6):
        hint = "The sign is missing: log(p) is negative for p < 1, and the loss is -log(p), a positive number."
    elif np.isclose(loss, expected * n / C, rtol=1e-6):
        hint = "Divide by the number of samples N (the rows of y), not by the number of classes."
    elif not np.isclose(loss, expected, rtol=1e-6) and np.isclose(
            loss, -np.sum(np.log(np.atleast_2d(y)[np.arange(n), _labels(y, t)])) / n, rtol=1e-6):
        hint = "Put delta = 1e-7 inside the log, as the statement says: -log(y + 1e-7)."
    elif abs(loss - expected) < 1e-3 * abs(expected):
        hint = "Very close, but not equal: use delta = 1e-7 exactly, inside the natural log (np.log)."
    expect_close(loss, expected, what=text, inputs=inputs, rtol=1e-6, atol=1e-8, hint=hint)


def _labels(y, t):
    t = np.asarray(t)
    if t.shape == np.shape(y):
        t = t.argmax(axis=-1)
    return np.atleast_1d(t).astype(int)


@ce.step("one sample, one-hot target: y (C,), t (C,)")
def _(cross_entropy_error):
    _ce_step(cross_entropy_error, np.array([0.1, 0.7, 0.2]), np.array([0, 1, 0]),
             hint="For a one-hot t the loss is -log(y[right class] + delta), here -log(0.7 + 1e-7).")


@ce.step("one sample, label target: y (C,), t an integer")
def _(cross_entropy_error):
    _ce_step(cross_entropy_error, np.array([0.1, 0.7, 0.2]), 2,
             hint="The label 2 means the right class is class 2: the loss is -log(y[2] + delta).")


_Y_BATCH = np.array([[0.1, 0.7, 0.2],
                     [0.5, 0.25, 0.25],
                     [0.05, 0.05, 0.9],
                     [0.6, 0.3, 0.1]])


@ce.step("a batch, one-hot targets: y (N, C), t (N, C), the mean over the batch")
def _(cross_entropy_error):
    y = _Y_BATCH
    t = np.array([[0, 1, 0],
                  [0, 0, 1],
                  [0, 0, 1],
                  [1, 0, 0]])
    _ce_step(cross_entropy_error, y, t,
             hint="Sum -log(y[right class] + delta) over the N samples, then divide by N (the mean, not the sum).")


@ce.step("a batch, label targets: y (N, C), t (N,)")
def _(cross_entropy_error):
    _ce_step(cross_entropy_error, _Y_BATCH, np.array([1, 2, 2, 0]),
             hint="With labels t (N,), `y[np.arange(N), t]` picks the probability of the right class in each row.")


@ce.step("probability 0 for the right class: a large but finite loss, no warning")
def _(cross_entropy_error):
    y = np.array([1.0, 0.0])
    t = np.array([0, 1])
    loss = expect_no_warning(cross_entropy_error, y, t, call_text="cross_entropy_error(y, t)",
                             inputs={"y": y, "t": t},
                             hint="log(0) is -inf. Add delta = 1e-7 inside the log: log(y + delta).")
    loss = expect_scalar(loss, what="cross_entropy_error(y, t)", inputs={"y": y, "t": t})
    expect_close(loss, -np.log(DELTA), what="cross_entropy_error(y, t)", inputs={"y": y, "t": t},
                 hint="Use delta = 1e-7 inside the log, as the statement says: -log(0 + 1e-7) = 16.1181.")
    # A tiny probability tells "+ delta" from clipping at delta (np.clip, np.maximum): -log(1e-6 + 1e-7)
    # is 13.72, -log(max(1e-6, 1e-7)) is 13.82. Far from 0 the two agree to 1e-6, so only this shows it.
    y = np.array([[1.0, 0.0], [1.0 - 1e-6, 1e-6]])
    t = np.array([1, 1])
    _ce_step(cross_entropy_error, y, t,
             hint="Add delta to every probability inside the log, -log(y + 1e-7), as the statement says; "
                  "clipping (np.clip, np.maximum) gives another value when a probability is small but not 0.")


@ce.hidden_step("other probabilities and targets of every kind")
def _(cross_entropy_error):
    rng = hidden_rng("3.2")
    y = ref.softmax(rng.normal(scale=2.0, size=(6, 5)))
    labels = rng.integers(0, 5, size=6)
    _ce_step(cross_entropy_error, y, labels)
    _ce_step(cross_entropy_error, y, np.eye(5, dtype=int)[labels])
    _ce_step(cross_entropy_error, y[4], np.eye(5)[labels[4]])
    _ce_step(cross_entropy_error, y[1], int(labels[1]))


# --- 3.3 mean squared error ----------------------------------------------------------------

mse = Exercise("3.3", NB, "mean_squared_error", "Mean squared error, with the course's 1/2", points=1,
               hint="Half of the mean of the squared differences, over every entry of y: `np.mean` averages "
                    "all entries of an array, whatever its shape.",
               hints=("Work on whole arrays: `y - t` gives every difference at once.",
                      "Square them with `** 2`, average over every entry with `np.mean`, then halve.",
                      "The finished line: `return 0.5 * np.mean((y - t) ** 2)`"))


def _mse_step(mean_squared_error, y, t):
    inputs = {"y": y, "t": t}
    loss = call(mean_squared_error, y, t, call_text="mean_squared_error(y, t)", inputs=inputs)
    if isinstance(loss, np.ndarray) and loss.ndim > 0:
        expect(False, "mean_squared_error(y, t) should be a single number",
               f"mean_squared_error(y, t) returned an array of shape {loss.shape}",
               "np.mean without an axis averages over every entry and gives one number.")
    loss = expect_scalar(loss, what="mean_squared_error(y, t)", inputs=inputs)
    sq = (y - t) ** 2
    hint = None
    if np.isclose(loss, sq.mean()):
        hint = "You return the mean of the squares: the course's convention has a 1/2 in front."
    elif np.isclose(loss, 0.5 * sq.sum()):
        hint = "You return half the sum: divide by the number of entries too (np.mean)."
    elif sq.ndim == 2 and np.isclose(loss, 0.5 * sq.sum() / sq.shape[0]):
        hint = "You divide by the number of rows N only: the mean is over all N * C entries."
    expect_close(loss, 0.5 * sq.mean(), what="mean_squared_error(y, t)", inputs=inputs, hint=hint)


@mse.step("one sample: half the mean of the squared differences")
def _(mean_squared_error):
    # differences [-0.5, 1, -2], squares [0.25, 1, 4], mean 1.75, half 0.875
    _mse_step(mean_squared_error, np.array([0.5, 2.0, -1.0]), np.array([1.0, 1.0, 1.0]))


@mse.step("a batch (N, C): the mean over all N * C entries")
def _(mean_squared_error):
    _mse_step(mean_squared_error, np.array([[0.5, 2.0, -1.0], [3.0, 0.0, 1.0]]),
              np.array([[1.0, 1.0, 1.0], [1.0, 0.0, -1.0]]))


@mse.step("0 when y equals t")
def _(mean_squared_error):
    y = np.array([[1.5, -2.0], [0.0, 4.0]])
    _mse_step(mean_squared_error, y, y.copy())


@mse.hidden_step("other values")
def _(mean_squared_error):
    rng = hidden_rng("3.3")
    _mse_step(mean_squared_error, rng.normal(size=(4, 3)), rng.normal(size=(4, 3)))
    _mse_step(mean_squared_error, rng.normal(size=7), rng.normal(size=7))


# --- 3.4 binary cross-entropy -------------------------------------------------------------

bce = Exercise("3.4", NB, "binary_cross_entropy", "Binary cross-entropy for a sigmoid output", points=1,
               hint="Write both terms for every sample, t log(y + delta) and (1 - t) log(1 - y + delta) with "
                    "delta = 1e-7 in both logs; add them, take the mean over all entries and change the sign.",
               hints=("Translate the formula term by term: t and 1 - t switch the two logs on and off, so no "
                      "`if` is needed.",
                      "`t * np.log(y + delta)` and `(1 - t) * np.log(1 - y + delta)`, with delta = 1e-7, are "
                      "arrays of y's shape; `np.mean` averages over all their entries.",
                      "The finished line: "
                      "`return -np.mean(t * np.log(y + 1e-7) + (1 - t) * np.log(1 - y + 1e-7))`"))


def _bce_step(binary_cross_entropy, y, t, hint=None):
    expected = ref.binary_cross_entropy(y, t)
    text = "binary_cross_entropy(y, t)"
    loss = call(binary_cross_entropy, y, t, call_text=text, inputs={"y": y, "t": t},
                error_hint="Work elementwise (*, not @) and take np.mean over every entry.")
    loss = expect_scalar(loss, what=text, inputs={"y": y, "t": t})
    if np.isclose(loss, -expected):
        hint = "The sign is flipped: the loss is MINUS the mean of t log(y) + (1 - t) log(1 - y), a positive number."
    elif np.isclose(loss, expected * y.size):
        hint = "You return the sum: take the mean over the batch."
    expect_close(loss, expected, what=text, inputs={"y": y, "t": t}, hint=hint)


@bce.step("probabilities y (N,) and 0/1 targets t (N,): the mean over the batch")
def _(binary_cross_entropy):
    _bce_step(binary_cross_entropy, np.array([0.9, 0.2, 0.6]), np.array([1.0, 0.0, 0.0]),
              hint="Each sample costs -log(y) if t = 1 and -log(1 - y) if t = 0; return the mean of "
                   "the three costs.")


@bce.step("y exactly 0 or 1: finite, no warning")
def _(binary_cross_entropy):
    y = np.array([1.0, 0.0, 1.0])
    t = np.array([0.0, 1.0, 1.0])
    loss = expect_no_warning(binary_cross_entropy, y, t, call_text="binary_cross_entropy(y, t)",
                             inputs={"y": y, "t": t},
                             hint="log(0) is -inf, and 0 * -inf is NaN. Add delta = 1e-7 inside both logs.")
    loss = expect_scalar(loss, what="binary_cross_entropy(y, t)", inputs={"y": y, "t": t})
    expect_close(loss, ref.binary_cross_entropy(y, t), what="binary_cross_entropy(y, t)",
                 inputs={"y": y, "t": t}, hint="Use delta = 1e-7 inside both logs, as the statement says.")
    # Tiny but nonzero: "+ delta" and clipping at delta (np.clip, np.maximum) differ by 5 % here.
    _bce_step(binary_cross_entropy, np.array([1e-6, 1.0 - 1e-6, 0.5]), np.array([1.0, 0.0, 1.0]),
              hint="Add delta = 1e-7 inside both logs, log(y + delta) and log(1 - y + delta); clipping y "
                   "(np.clip, np.maximum) gives another value when y is close to 0 or 1 but not equal.")


@bce.step("an (N, 1) output column, as a network with one sigmoid unit gives")
def _(binary_cross_entropy):
    y = np.array([[0.9], [0.2], [0.6], [0.3]])
    t = np.array([[1.0], [0.0], [0.0], [1.0]])
    _bce_step(binary_cross_entropy, y, t,
              hint="Work elementwise and take np.mean over every entry: that works for (N,) and (N, 1) alike.")


@bce.hidden_step("other probabilities, and an (N, 1) output column")
def _(binary_cross_entropy):
    rng = hidden_rng("3.4")
    y = rng.uniform(0.01, 0.99, size=8)
    t = (rng.uniform(size=8) < 0.5).astype(float)
    _bce_step(binary_cross_entropy, y, t)
    _bce_step(binary_cross_entropy, y.reshape(-1, 1), t.reshape(-1, 1))


# --- 3.5 hinge loss ---------------------------------------------------------------------------

hin = Exercise("3.5", NB, "hinge_loss", "The multi-class hinge (margin) loss", points=2,
               hint="scores[np.arange(N), t] picks each row's right-class score; subtract it from every score "
                    "of its row (keep it as a column, [:, None]), add the margin, clip at 0 with np.maximum, "
                    "leave the right class itself out, and divide the sum by N.",
               hints=("As in exercise 3.2, make one sample a batch of one (`np.atleast_2d` for the scores, "
                      "`np.atleast_1d` for the label), so that only the batch case is left.",
                      "`right = s[np.arange(N), t][:, None]` is the right-class score of each row as a column "
                      "(N, 1), so `s - right + margin` broadcasts across each row.",
                      "`margins = np.maximum(0, s - right + margin)` is a new (N, C) array; set its right-class "
                      "entries to 0 (`margins[np.arange(N), t] = 0`), never those of `scores`.",
                      "The finished line: `return margins.sum() / N`"))


_HINGE_SHAPES = ("Keep each row's right-class score as a column, scores[np.arange(N), t][:, None] (N, 1), "
                 "so that it is subtracted from every score of its own row; turn one sample (C,) into a "
                 "batch of one first.")


def _hinge_step(hinge_loss, s, t, margin=None):
    t_shown = t if isinstance(t, np.ndarray) else int(t)
    inputs = {"scores": s, "t": t_shown}
    if margin is None:
        text = "hinge_loss(scores, t)"
        loss = call(hinge_loss, s, t, call_text=text, inputs=inputs, error_hint=_HINGE_SHAPES)
        margin = 1.0
    else:
        text = f"hinge_loss(scores, t, margin={margin})"
        loss = call(hinge_loss, s, t, margin=margin, call_text=text, inputs=inputs, error_hint=_HINGE_SHAPES)
    loss = expect_scalar(loss, what=text, inputs=inputs)
    expected = ref.hinge_loss(s, t, margin=margin)
    n = np.atleast_2d(s).shape[0]
    hint = None
    s2 = np.atleast_2d(s)
    t1 = np.atleast_1d(t)
    margins = np.maximum(0, s2 - s2[np.arange(n), t1][:, None] + margin)
    margins[np.arange(n), t1] = 0
    by_score = np.maximum(0, s2 - s2[np.arange(n), t1][:, None] + margin)
    by_score[s2 == s2[np.arange(n), t1][:, None]] = 0
    if np.isclose(loss, expected + margin):
        hint = "The right class must not be compared with itself: it would always add max(0, margin) = margin."
    elif not np.isclose(loss, expected) and np.isclose(loss, by_score.sum() / n):
        hint = ("A wrong class whose score equals the right class's still costs the full margin. Leave out "
                "the right class by its index, margins[np.arange(N), t] = 0, not by comparing scores.")
    elif not np.isclose(loss, expected) and np.isclose(loss, margins.max(axis=1).mean()):
        hint = "Sum the margins over ALL wrong classes of a row, not just the largest one."
    elif n > 1 and np.isclose(loss, expected * n):
        hint = "Divide by the number of samples N: the loss is the mean over the batch."
    elif margin != 1.0 and np.isclose(loss, ref.hinge_loss(s, t, margin=1.0)):
        hint = "Use the `margin` argument in max(0, s_j - s_right + margin), not the number 1."
    expect_close(loss, expected, what=text, inputs=inputs, hint=hint)


@hin.step("one sample: scores (C,), t an integer")
def _(hinge_loss):
    # wrong classes: max(0, 1 - 3 + 1) = 0 and max(0, 2.5 - 3 + 1) = 0.5
    _hinge_step(hinge_loss, np.array([3.0, 1.0, 2.5]), 0)


@hin.step("a batch: scores (N, C), t (N,), the mean over the batch, every wrong class counted")
def _(hinge_loss):
    # Row 3 has two wrong classes inside the margin (0.5 + 1.5): their margins add up. In row 4 a wrong
    # class ties with the right one: it costs the whole margin (code that finds the right class by
    # comparing scores drops it).
    s = np.array([[3.0, 1.0, 2.5],
                  [0.0, 2.0, 1.5],
                  [-1.0, 4.0, 1.0],
                  [1.0, 2.0, 1.5],
                  [2.0, 0.5, 2.0]])
    _hinge_step(hinge_loss, s, np.array([0, 2, 1, 2, 0]))


@hin.step("another margin")
def _(hinge_loss):
    s = np.array([[3.0, 1.0, 2.5],
                  [0.0, 2.0, 1.5]])
    _hinge_step(hinge_loss, s, np.array([0, 1]), margin=2.0)


@hin.hidden_step("other scores and labels")
def _(hinge_loss):
    rng = hidden_rng("3.5")
    s = rng.normal(scale=2.0, size=(6, 4))
    t = rng.integers(0, 4, size=6)
    _hinge_step(hinge_loss, s, t)
    _hinge_step(hinge_loss, s, t, margin=0.5)
    _hinge_step(hinge_loss, s[3], int(t[3]))


# --- Quiz ---------------------------------------------------------------------------------------

Quiz(NB, [
    Numeric("q1", "Softmax of the scores [6, 4]: what probability does the first class get? "
                  "(two decimals are enough)",
            answer=float(ref.softmax(np.array([6.0, 4.0]))[0]), tol=5e-3,
            explain="e^6 / (e^6 + e^4) = 1 / (1 + e^-2), about 0.88."),
    Choice("q2", "Softmax subtracts the largest score from every score before taking exp. What does that change?",
           {"a": "The probabilities: every one of them gets smaller.",
            "b": "Nothing in the result; it only prevents overflow.",
            "c": "It is what makes the probabilities sum to 1.",
            "d": "It puts the classes in the order of their scores."},
           answer="b",
           explain="e^(x_k - m) / sum e^(x_j - m) = e^(x_k) e^(-m) / (e^(-m) sum e^(x_j))."),
    Numeric("q3", "How many bits of information does it take to tell which of 8 equally likely compass "
                  "directions the wind blows from?",
            answer=3, tol=1e-6,
            explain="-log2(1/8) = 3 bits: three yes/no questions halve 8 to 4 to 2 to 1."),
    Numeric("q4", "A 4-class model is unsure and gives every class probability 0.25. What is its "
                  "cross-entropy error (natural log) on any one sample?",
            answer=float(np.log(4)), tol=5e-3,
            explain="-ln(0.25) = ln 4, about 1.386, whichever class is right."),
    Choice("q5", "Why does the course's mean squared error have a factor 1/2 in front?",
           {"a": "It takes the mean over the two values y and t.",
            "b": "It keeps the loss of every single sample below 1.",
            "c": "It cancels the 2 from differentiating the square.",
            "d": "It makes the loss equal to the cross-entropy."},
           answer="c",
           explain="d/dy of 1/2 (y - t)^2 is (y - t). The mean comes from np.mean, not from the 1/2; "
                   "scaling a loss by a constant does not move its minimum."),
    Choice("q6", "Which output activation and loss fit a yes/no (binary) classification with one output unit?",
           {"a": "Identity and mean squared error.",
            "b": "Sigmoid and binary cross-entropy.",
            "c": "Softmax and hinge loss.",
            "d": "ReLU and cross-entropy."},
           answer="b",
           explain="The sigmoid gives a probability in (0, 1); binary cross-entropy scores it against the 0/1 target."),
])
