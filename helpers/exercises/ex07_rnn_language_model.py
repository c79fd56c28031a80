"""Exercises and quiz of notebook 07: a recurrent language model from scratch.

Expected values come from hand-made cases, from the reference layers in
``helpers.nn.rnn`` (``RNN``, ``TimeRNN``, ``clip_grads``), or from float64
numerical gradients computed here, never from the notebook.

Naming: the notebook calls the RNN's weights U (input -> hidden) and
W (hidden -> hidden); the reference layers call them ``Wx`` and ``Wh``.
"""

import numpy as np

from helpers.checking import (CheckFailure, Exercise, NotDone, call, expect, expect_array, expect_close,
                              expect_scalar, hidden_rng)
from helpers.nn import rnn as ref
from helpers.nn.gradcheck import numerical_gradient
from helpers.quiz import Choice, Numeric, Quiz

NB = "07_rnn_language_model"
GRAD_TOL = 1e-7   # relative error allowed between the learner's and the numerical gradient


def _weights(seed, D, H, N, scale=0.5):
    """Random float64 x (N, D), h_prev (N, H), U (D, H), W (H, H), b (H,); seed may be a Generator."""
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    return (rng.standard_normal((N, D)), rng.standard_normal((N, H)) * 0.5,
            rng.standard_normal((D, H)) * scale, rng.standard_normal((H, H)) * scale,
            rng.standard_normal(H) * 0.1)


def _grad_error(analytic, numeric):
    """||a - n|| / (||a|| + ||n||): 0 for a perfect match, about 1 for unrelated arrays."""
    a = np.asarray(analytic, dtype=np.float64)
    n = np.asarray(numeric, dtype=np.float64)
    denom = np.linalg.norm(a) + np.linalg.norm(n)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - n) / denom)


def _expect_tuple(result, names, shapes, call_text, inputs):
    """``result`` must be a tuple (or list) of len(names) arrays of the given shapes."""
    if not isinstance(result, (tuple, list)) or len(result) != len(names):
        got = f"a {type(result).__name__} of length {len(result)}" if isinstance(result, (tuple, list)) \
            else f"a {type(result).__name__}"
        raise CheckFailure(
            f"{call_text} should return {len(names)} arrays ({', '.join(names)})",
            f"{call_text} returned {got}; expected the tuple ({', '.join(names)}).",
            f"End with `return {', '.join(names)}`.",
        )
    for name, value, shape in zip(names, result, shapes):
        expect_array(value, shape=shape, what=f"{name} from {call_text}", inputs=inputs,
                     hint=f"{name} has the shape of the thing it is the gradient of: {shape}.")
    return result


# --- 7.1 one step forward ---------------------------------------------------------

fwd = Exercise("7.1", NB, "rnn_step_forward", "One step of a simple RNN, forward", points=2,
               hint="Compute the total input x U + h_prev W + b, with x multiplied by U and h_prev by W, "
                    "then squash it elementwise with tanh.",
               hints=("The formula has three terms: the input times U, the previous state times W, and "
                      "the bias b. Which NumPy operator multiplies matrices?",
                      "x: (N, D) @ U: (D, H) and h_prev: (N, H) @ W: (H, H) are both (N, H); b: (H,) is "
                      "added to every row by broadcasting. np.tanh works elementwise on the sum.",
                      "return np.tanh(x @ U + h_prev @ W + b)"))


_FWD_SHAPES = ("x: (N, D) @ U: (D, H) and h_prev: (N, H) @ W: (H, H) both give (N, H): U takes the input x, "
               "W the previous state h_prev, multiplied in that order, without transposing.")


def _fwd_case(rnn_step_forward, x, h_prev, U, W, b, expected, hint=None):
    inputs = {"x": x, "h_prev": h_prev, "U": U, "W": W, "b": b}
    text = "rnn_step_forward(x, h_prev, U, W, b)"
    h = call(rnn_step_forward, x, h_prev, U, W, b, call_text=text, inputs=inputs, error_hint=_FWD_SHAPES)
    expect_array(h, shape=(x.shape[0], U.shape[1]), what=text, inputs=inputs,
                 hint="x: (N, D) @ U: (D, H) and h_prev: (N, H) @ W: (H, H) both give (N, H).")
    expect_close(h, expected, what=text, inputs=inputs, hint=hint)


@fwd.step("returns the new hidden state, shape (N, H)")
def _(rnn_step_forward):
    x, h_prev, U, W, b = _weights(70, D=3, H=4, N=2)
    inputs = {"x": x, "h_prev": h_prev}
    h = call(rnn_step_forward, x, h_prev, U, W, b, call_text="rnn_step_forward(x, h_prev, U, W, b)",
             inputs=inputs, error_hint=_FWD_SHAPES)
    expect_array(h, shape=(2, 4), what="rnn_step_forward(x, h_prev, U, W, b)", inputs=inputs,
                 hint="x: (N, D) @ U: (D, H) and h_prev: (N, H) @ W: (H, H) both give (N, H).")


@fwd.step("values on a small hand-made case")
def _(rnn_step_forward):
    x = np.array([[1.0, 2.0]])
    h_prev = np.array([[0.5, -1.0]])
    U = np.array([[0.1, 0.2],
                  [0.3, -0.1]])
    W = np.array([[0.5, 0.0],
                  [0.0, 0.5]])
    b = np.array([0.0, 0.1])
    # x U = [0.7, 0.0], h_prev W = [0.25, -0.5], + b -> [0.95, -0.4]
    _fwd_case(rnn_step_forward, x, h_prev, U, W, b, np.tanh([[0.95, -0.4]]),
              hint="The total input is x U + h_prev W + b = [0.95, -0.4]; then squash it with np.tanh.")


@fwd.step("the previous state goes through W, the input through U (D = H, batch of 3)")
def _(rnn_step_forward):
    x, h_prev, U, W, b = _weights(71, D=3, H=3, N=3)
    _fwd_case(rnn_step_forward, x, h_prev, U, W, b, np.tanh(x @ U + h_prev @ W + b),
              hint="With D = H both orders run, so check which matrix multiplies which: "
                   "x @ U and h_prev @ W, not x @ W or h_prev @ U.")


@fwd.hidden_step("values on other sizes match the reference RNN step")
def _(rnn_step_forward):
    x, h_prev, U, W, b = _weights(hidden_rng("7.1"), D=5, H=6, N=4, scale=0.8)
    _fwd_case(rnn_step_forward, x, h_prev, U, W, b, ref.RNN(U, W, b).forward(x, h_prev))
    x1 = x[:1]
    _fwd_case(rnn_step_forward, x1, np.zeros((1, 6)), U, W, b, np.tanh(x1 @ U + b))


# --- 7.2 one step backward -----------------------------------------------------------

bwd = Exercise("7.2", NB, "rnn_step_backward", "One step of a simple RNN, backward", points=3,
               hint="Work from the output back: first the gradient of the total input a (through the tanh, "
                    "whose slope you can write with h_next), then the sum, then the two products; b was "
                    "added to every row.",
               hints=("Start at the top. h_next = tanh(a) elementwise, and the slope of tanh at a is "
                      "1 - tanh(a)^2. The forward pass already computed tanh(a): it is h_next. So dL/da is "
                      "dh_next times that slope, entry by entry, shape (N, H).",
                      "a = x U + h_prev W + b is a sum: each of its three terms receives dL/da unchanged. "
                      "x U and h_prev W are products, and matmul_backward(dz, p, Q) returns (dp, dQ) for "
                      "z = p @ Q.",
                      "b was added to each of the N rows, so its gradient is the sum of dL/da over the rows "
                      "(axis 0), shape (H,). Return the five gradients in the order (dx, dh_prev, dU, dW, db).",
                      "da = dh_next * (1 - h_next ** 2)\n"
                      "   dx, dU = matmul_backward(da, x, U)\n"
                      "   dh_prev, dW = matmul_backward(da, h_prev, W)\n"
                      "   db = da.sum(axis=0)\n"
                      "   return dx, dh_prev, dU, dW, db"))

NAMES_STEP = ("dx", "dh_prev", "dU", "dW", "db")


def _bwd_expected(dh_next, x, h_prev, U, W, b):
    layer = ref.RNN(U.copy(), W.copy(), b.copy())
    layer.forward(x, h_prev)
    dx, dh_prev = layer.backward(dh_next)
    dU, dW, db = (g.copy() for g in layer.grads)
    return dx, dh_prev, dU, dW, db


def _bwd_call(rnn_step_backward, dh_next, x, h_prev, U, W, b):
    h_next = np.tanh(x @ U + h_prev @ W + b)
    inputs = {"dh_next": dh_next, "x": x, "h_prev": h_prev, "h_next": h_next, "U": U, "W": W}
    text = "rnn_step_backward(dh_next, x, h_prev, h_next, U, W)"
    result = call(rnn_step_backward, dh_next, x, h_prev, h_next, U, W, call_text=text, inputs=inputs,
                  error_hint="Follow the shapes: da (N, H); dx = da @ U.T (N, D); dh_prev = da @ W.T (N, H); "
                             "dU = x.T @ da (D, H); dW = h_prev.T @ da (H, H); db = da.sum(axis=0) (H,).")
    N, D = x.shape
    H = h_prev.shape[1]
    return _expect_tuple(result, NAMES_STEP, [(N, D), (N, H), (D, H), (H, H), (H,)], text, inputs), inputs, text


def _bwd_values(rnn_step_backward, seed, D, H, N, scale=0.5):
    x, h_prev, U, W, b = _weights(seed, D, H, N, scale)
    dh_next = (seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed + 1)) \
        .standard_normal((N, H))
    got, inputs, text = _bwd_call(rnn_step_backward, dh_next, x, h_prev, U, W, b)
    for name, g, e in zip(NAMES_STEP, got, _bwd_expected(dh_next, x, h_prev, U, W, b)):
        expect_close(g, e, what=f"{name} from {text}", inputs=inputs,
                     hint={"dx": "dx = da @ U.T with da = dh_next * (1 - h_next ** 2).",
                           "dh_prev": "dh_prev = da @ W.T with da = dh_next * (1 - h_next ** 2).",
                           "dU": "dU = x.T @ da: (D, N) @ (N, H).",
                           "dW": "dW = h_prev.T @ da: (H, N) @ (N, H).",
                           "db": "db = da.sum(axis=0): b was added to every row of the batch."}[name])


@bwd.step("returns (dx, dh_prev, dU, dW, db) with the shapes of x, h_prev, U, W, b")
def _(rnn_step_backward):
    x, h_prev, U, W, b = _weights(72, D=3, H=4, N=2)
    dh_next = np.ones((2, 4))
    _bwd_call(rnn_step_backward, dh_next, x, h_prev, U, W, b)


@bwd.step("values on a small case (N = 1)")
def _(rnn_step_backward):
    _bwd_values(rnn_step_backward, 73, D=2, H=3, N=1)


@bwd.step("a batch of 4: weight and bias gradients add up over the rows")
def _(rnn_step_backward):
    _bwd_values(rnn_step_backward, 74, D=3, H=3, N=4)


@bwd.step("numerical gradient check in float64: relative error < 1e-7 for all five")
def _(rnn_step_backward):
    _step_gradcheck(rnn_step_backward, 75, D=4, H=3, N=2)


def _step_gradcheck(rnn_step_backward, seed, D, H, N):
    x, h_prev, U, W, b = _weights(seed, D, H, N)
    G = (seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed + 1)) \
        .standard_normal((N, H))                                  # loss = sum(G * h_next)

    def loss():
        return float(np.sum(G * np.tanh(x @ U + h_prev @ W + b)))

    got, inputs, text = _bwd_call(rnn_step_backward, G, x, h_prev, U, W, b)
    for name, g, p in zip(NAMES_STEP, got, (x, h_prev, U, W, b)):
        err = _grad_error(g, numerical_gradient(loss, p))
        expect(err < GRAD_TOL, f"{name} from {text} fails the numerical gradient check",
               f"{name} from {text} disagrees with the numerical gradient of "
               f"loss = sum(dh_next * h_next): relative error {err:.1e} (allowed: {GRAD_TOL:.0e})")


@bwd.hidden_step("values and a numerical gradient check on other sizes")
def _(rnn_step_backward):
    _bwd_values(rnn_step_backward, hidden_rng("7.2 values"), D=5, H=4, N=3, scale=0.7)
    _step_gradcheck(rnn_step_backward, hidden_rng("7.2 gradcheck"), D=3, H=5, N=3)


# --- 7.3 backpropagation through time, truncated -----------------------------------------

bptt = Exercise("7.3", NB, "rnn_time_backward", "Backpropagation through time, with truncation", points=3,
                hint="Walk back from the last step to step 0, carrying the gradient that each step sends to "
                     "the state before it; the state after step t also gets dhs[:, t] from above. Shared "
                     "weights: add up the steps' gradients. Truncation: no gradient from a block start "
                     "t > 0 into the block before.",
                hints=("One loop that walks back in time: for t in range(T - 1, -1, -1). Carry dh, the "
                       "gradient that step t + 1 sent back into the state after step t. Nothing comes from "
                       "after the last step, so dh starts as zeros of shape (N, H).",
                       "The state after step t (hs[:, t]) is used by the output above it and by step t + 1, "
                       "so its gradient is dhs[:, t] + dh. Step t started from h_prev = h0 if t == 0 else "
                       "hs[:, t - 1]. Your rnn_step_backward(that gradient, xs[:, t], h_prev, hs[:, t], U, W) "
                       "gives dx for dxs[:, t], the new dh, and this step's share of dU, dW, db.",
                       "U, W, b serve every step: start dU, dW, db at zeros and ADD each step's share (+=). "
                       "Truncation: right after a step t with t % k == 0 and t > 0, set dh back to zeros, so "
                       "nothing flows into the block before. After the loop, dh is dh0.",
                       "N, T, _ = xs.shape\n"
                       "   dxs = np.zeros_like(xs)\n"
                       "   dU, dW, db = np.zeros_like(U), np.zeros_like(W), np.zeros(W.shape[0])\n"
                       "   dh = np.zeros_like(h0)\n"
                       "   for t in range(T - 1, -1, -1):\n"
                       "       h_prev = h0 if t == 0 else hs[:, t - 1]\n"
                       "       dx, dh, dU_t, dW_t, db_t = rnn_step_backward(dhs[:, t] + dh, xs[:, t], h_prev, hs[:, t], U, W)\n"
                       "       dxs[:, t] = dx\n"
                       "       dU += dU_t; dW += dW_t; db += db_t\n"
                       "       if k is not None and t % k == 0 and t > 0:\n"
                       "           dh = np.zeros_like(h0)\n"
                       "   return dxs, dh, dU, dW, db"))

NAMES_TIME = ("dxs", "dh0", "dU", "dW", "db")


def _time_case(seed, N, T, D, H, scale=0.5):
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    xs = rng.standard_normal((N, T, D))
    h0 = rng.standard_normal((N, H)) * 0.5
    U = rng.standard_normal((D, H)) * scale
    W = rng.standard_normal((H, H)) * scale
    b = rng.standard_normal(H) * 0.1
    dhs = rng.standard_normal((N, T, H))
    return xs, h0, U, W, b, dhs


def _time_forward(xs, h0, U, W, b):
    layer = ref.TimeRNN(U.copy(), W.copy(), b.copy(), stateful=True)
    layer.set_state(h0.copy())
    return layer.forward(xs)


def _time_expected(xs, h0, U, W, b, dhs, k=None):
    """The reference: a stateful TimeRNN fed chunks of k steps (all T steps if k is None)."""
    T = xs.shape[1]
    k = T if k is None or k >= T else k
    layer = ref.TimeRNN(U.copy(), W.copy(), b.copy(), stateful=True)
    layer.set_state(h0.copy())
    dxs = np.zeros_like(xs)
    totals = [np.zeros_like(U), np.zeros_like(W), np.zeros_like(b)]
    dh0 = None
    for start in range(0, T, k):
        stop = min(start + k, T)
        layer.forward(xs[:, start:stop])
        dxs[:, start:stop] = layer.backward(dhs[:, start:stop])
        for total, g in zip(totals, layer.grads):
            total += g
        if start == 0:
            dh0 = layer.dh.copy()
    return (dxs, dh0, *totals)


def _time_call(rnn_time_backward, xs, h0, U, W, b, dhs, k=None):
    hs = _time_forward(xs, h0, U, W, b)
    inputs = {"xs": xs, "h0": h0, "U": U, "W": W, "k": k}
    text = f"rnn_time_backward(dhs, xs, hs, h0, U, W, k={k})"
    result = call(rnn_time_backward, dhs, xs, hs, h0, U, W, k=k, call_text=text, inputs=inputs,
                  modified_hint="Leave dhs as it is: add the gradient from the next step into a new array, "
                                "`dhs[:, t] + dh`, instead of `dhs[:, t] += dh`.")
    N, T, D = xs.shape
    H = h0.shape[1]
    return _expect_tuple(result, NAMES_TIME, [(N, T, D), (N, H), (D, H), (H, H), (H,)], text, inputs), inputs, text


def _time_values(rnn_time_backward, seed, N, T, D, H, k=None, hint=None):
    xs, h0, U, W, b, dhs = _time_case(seed, N, T, D, H)
    got, inputs, text = _time_call(rnn_time_backward, xs, h0, U, W, b, dhs, k)
    for name, g, e in zip(NAMES_TIME, got, _time_expected(xs, h0, U, W, b, dhs, k)):
        expect_close(g, e, what=f"{name} from {text}", inputs=inputs, hint=hint)


@bptt.step("returns (dxs, dh0, dU, dW, db) with the shapes of xs, h0, U, W, b")
def _(rnn_time_backward):
    xs, h0, U, W, b, dhs = _time_case(76, N=2, T=3, D=3, H=4)
    _time_call(rnn_time_backward, xs, h0, U, W, b, dhs)


@bptt.step("full BPTT (k=None) on N = 2, T = 4 matches the reference")
def _(rnn_time_backward):
    _time_values(rnn_time_backward, 77, N=2, T=4, D=3, H=4,
                 hint="Every step gets dhs[:, t] from above PLUS dh from step t+1, and the weight "
                      "gradients of all steps are summed (the same U, W, b are used at every step).")


@bptt.step("numerical gradient check of the whole time layer (float64, relative error < 1e-7)")
def _(rnn_time_backward):
    _time_gradcheck(rnn_time_backward, 78, N=2, T=4, D=3, H=3)


def _time_gradcheck(rnn_time_backward, seed, N, T, D, H):
    xs, h0, U, W, b, G = _time_case(seed, N, T, D, H)   # loss = sum(G * hs)

    def loss():
        return float(np.sum(G * _time_forward(xs, h0, U, W, b)))

    got, inputs, text = _time_call(rnn_time_backward, xs, h0, U, W, b, G)
    for name, g, p in zip(NAMES_TIME, got, (xs, h0, U, W, b)):
        err = _grad_error(g, numerical_gradient(loss, p))
        expect(err < GRAD_TOL, f"{name} from {text} fails the numerical gradient check",
               f"{name} from {text} disagrees with the numerical gradient of loss = sum(dhs * hs): "
               f"relative error {err:.1e} (allowed: {GRAD_TOL:.0e})")


@bptt.step("truncation: k = 3 on T = 7 stops the gradient at steps 3 and 6 (blocks counted from t = 0)")
def _(rnn_time_backward):
    _time_values(rnn_time_backward, 79, N=2, T=7, D=3, H=3, k=3,
                 hint="Blocks of k steps start at t = 0, k, 2k, ... (counted from the start, so the last "
                      "block may be shorter). After the step t = 6 (and t = 3) reset dh to zeros before "
                      "moving on to step t - 1. dh0 is what is left after t = 0.")


@bptt.step("k = 1 (no gradient through time) and k >= T (same as no truncation)")
def _(rnn_time_backward):
    _time_values(rnn_time_backward, 80, N=1, T=4, D=2, H=3, k=1,
                 hint="With k = 1 every step is its own block: no gradient flows from one step to the one "
                      "before, but dh0 still gets the gradient of step 0.")
    xs, h0, U, W, b, dhs = _time_case(81, N=2, T=3, D=2, H=3)
    got, inputs, text = _time_call(rnn_time_backward, xs, h0, U, W, b, dhs, k=5)
    for name, g, e in zip(NAMES_TIME, got, _time_expected(xs, h0, U, W, b, dhs, None)):
        expect_close(g, e, what=f"{name} from {text}", inputs=inputs,
                     hint="A block of k >= T steps holds the whole sequence: no cut at all.")


@bptt.hidden_step("other sizes, T not a multiple of k, and a gradient check")
def _(rnn_time_backward):
    rng = hidden_rng("7.3")
    _time_values(rnn_time_backward, rng, N=3, T=8, D=4, H=5, k=3)
    _time_values(rnn_time_backward, rng, N=2, T=5, D=3, H=2, k=None)
    _time_gradcheck(rnn_time_backward, rng, N=1, T=5, D=2, H=4)


# --- 7.4 gradient clipping ---------------------------------------------------------------------

clip = Exercise("7.4", NB, "clip_grads", "Gradient clipping by the global norm", points=2,
                hint="The norm is over ALL arrays together: the square root of the sum of all squared "
                     "entries. Scale the arrays themselves in place, and return the norm from before.",
                hints=("Treat all arrays as one long vector: add up the squares of every entry of every "
                       "array, then take one square root. np.sum(g ** 2) is the sum for one array g.",
                       "Only if that norm is larger than max_norm, multiply every array by max_norm / norm. "
                       "It must happen in place (g *= rate in a loop over grads): grads[i] = g * rate would "
                       "put new arrays in the list and leave the layers' own arrays unclipped.",
                       "total = np.sqrt(sum(np.sum(g ** 2) for g in grads))\n"
                       "   if total > max_norm:\n"
                       "       for g in grads:\n"
                       "           g *= max_norm / total\n"
                       "   return float(total)"))


def _clip_call(clip_grads, grads, max_norm):
    before = [g.copy() for g in grads]
    inputs = {"grads": before, "max_norm": max_norm}
    text = f"clip_grads(grads, max_norm={max_norm})"
    total = call(clip_grads, grads, max_norm, call_text=text, inputs=inputs, modifies=(0,))
    total = expect_scalar(total, what=f"the value returned by {text}", inputs=inputs)
    return total, before, inputs, text


@clip.step("returns the global norm of all gradients together (3-4-12 -> 13)")
def _(clip_grads):
    grads = [np.array([3.0, 4.0]), np.array([[12.0]])]
    total, _, inputs, text = _clip_call(clip_grads, grads, 100.0)
    expect_close(total, 13.0, what=f"the value returned by {text}", inputs=inputs,
                 hint="sqrt(3**2 + 4**2 + 12**2) = 13: one norm over every entry of every array.")


@clip.step("leaves small gradients unchanged")
def _(clip_grads):
    grads = [np.array([0.3, -0.4]), np.array([[0.1, 0.2]])]
    total, before, inputs, text = _clip_call(clip_grads, grads, 5.0)
    expect_close(total, np.sqrt(0.3), what=f"the value returned by {text}", inputs=inputs,
                 hint="Return the global norm also when nothing is clipped: sqrt(0.09 + 0.16 + 0.01 + 0.04).")
    for g, b in zip(grads, before):
        expect_close(g, b, what=f"grads after {text}", inputs=inputs,
                     hint="Only scale when the total norm is larger than max_norm.")


@clip.step("scales large gradients IN PLACE, all by the same factor, to norm max_norm; returns the norm before")
def _(clip_grads):
    grads = [np.array([3.0, 4.0]), np.array([[12.0]])]
    ids = [id(g) for g in grads]
    total, before, inputs, text = _clip_call(clip_grads, grads, 1.3)
    expect_close(total, 13.0, what=f"the value returned by {text}", inputs=inputs,
                 hint="Return the norm from BEFORE clipping (13 here), not the clipped one.")
    expect([id(g) for g in grads] == ids, f"{text} replaced the arrays in the list instead of changing them",
           f"{text} put new arrays into the list; the layers still hold the old, unclipped ones.",
           "Change each array in place: `g *= rate` inside `for g in grads:`.")
    expect(any(not np.array_equal(g, b) for g, b in zip(grads, before)), f"{text} left the arrays unchanged",
           f"after {text} (global norm 13 > 1.3) the arrays in grads still hold their old values.",
           "Scale each array in place, `g *= rate`; `g = g * rate` only rebinds the loop variable.")
    for g, b in zip(grads, before):
        expect_close(g, b * 0.1, what=f"grads after {text}", inputs=inputs, rtol=1e-5,
                     hint="Every array is multiplied by the same rate max_norm / total = 1.3 / 13 = 0.1 "
                          "(clip the global norm, not each array separately).")


@clip.hidden_step("other gradients match the reference clip_grads")
def _(clip_grads):
    rng = hidden_rng("7.4")
    grads = [rng.standard_normal((4, 3)) * 3, rng.standard_normal(3), rng.standard_normal((2, 2, 2))]
    expected = [g.copy() for g in grads]
    expected_total = ref.clip_grads(expected, 2.0)
    total, _, inputs, text = _clip_call(clip_grads, grads, 2.0)
    expect_close(total, expected_total, what=f"the value returned by {text}", inputs=inputs)
    for g, e in zip(grads, expected):
        expect_close(g, e, what=f"grads after {text}", inputs=inputs, rtol=1e-5)


# --- 7.5 perplexity -------------------------------------------------------------------------

ppl = Exercise("7.5", NB, "perplexity_from_loss", "Perplexity from the mean cross-entropy", points=1,
               hint="Perplexity undoes the natural logarithm inside the cross-entropy (base e, not 2). "
                    "Use NumPy's function for e ** x, so that arrays work too.",
               hints=("The cross-entropy is a natural logarithm (base e). Which function undoes it?",
                      "NumPy's exponential works on a number and on an array alike, elementwise.",
                      "return np.exp(mean_loss)"))


def _ppl_case(perplexity_from_loss, loss, expected):
    text = "perplexity_from_loss(mean_loss)"
    inputs = {"mean_loss": loss}
    value = call(perplexity_from_loss, loss, call_text=text, inputs=inputs)
    if value is Ellipsis:
        raise NotDone("not done yet: a `...` blank is still unfilled",
                      f"{text} returned `...`: the blank is still there.",
                      "Replace the `...` with your code, run that cell, then this check.")
    if np.ndim(loss) == 0:
        value = expect_scalar(value, what=text, inputs=inputs)
    else:
        expect_array(value, shape=np.shape(loss), what=text, inputs=inputs,
                     hint="An array of losses gives an array of perplexities, one per loss: use a NumPy "
                          "function that works elementwise, and don't average.")
    expect_close(value, expected, what=text, inputs=inputs)


@ppl.step("a perfect model (loss 0) has perplexity 1")
def _(perplexity_from_loss):
    _ppl_case(perplexity_from_loss, 0.0, 1.0)


@ppl.step("a uniform guess over 80 words (loss log 80) has perplexity 80")
def _(perplexity_from_loss):
    _ppl_case(perplexity_from_loss, float(np.log(80)), 80.0)


@ppl.step("an array of losses gives an array of perplexities")
def _(perplexity_from_loss):
    _ppl_case(perplexity_from_loss, np.array([0.0, np.log(80)]), np.array([1.0, 80.0]))


@ppl.hidden_step("other losses, and an array of per-epoch losses")
def _(perplexity_from_loss):
    rng = hidden_rng("7.5")
    loss = float(rng.uniform(1, 7))
    _ppl_case(perplexity_from_loss, loss, float(np.exp(loss)))
    losses = np.sort(rng.uniform(3, 8, size=4))[::-1]
    _ppl_case(perplexity_from_loss, losses, np.exp(losses))


# --- Quiz ------------------------------------------------------------------------------------------

Quiz(NB, [
    Choice("q1", "An RNN reads a sentence of T = 20 words. How many hidden-to-hidden matrices W does it use?",
           {"a": "20, one per word.",
            "b": "19, one between each pair of neighbouring words.",
            "c": "One, the same W at every step.",
            "d": "It depends on the vocabulary size."},
           answer="c",
           explain="The unrolled picture draws W at every step, but it is one matrix, shared; "
                   "that is why its gradient is a sum over the steps."),
    Numeric("q2", "A language model gives every word of a 1600-word vocabulary the same probability. "
                  "What is its perplexity?",
            answer=1600.0, tol=1e-6,
            explain="Cross-entropy log(1600) per word, so perplexity exp(log 1600) = 1600: "
                    "as unsure as a uniform guess among 1600 words."),
    Numeric("q3", "The mean cross-entropy of a model on a text is 2.0 (natural log). "
                  "What is its perplexity? (two decimals)",
            answer=float(np.exp(2.0)), tol=0.01,
            explain="exp(2.0) = 7.39: on average as unsure as a fair choice among about 7.4 words."),
    Choice("q4", "A stateful RNN is trained with truncated BPTT on chunks of 5 words. "
                 "What crosses the boundary between two chunks?",
           {"a": "Nothing: each chunk starts from a zero hidden state.",
            "b": "The hidden state (forward), but not the gradient (backward).",
            "c": "The gradient (backward), but not the hidden state (forward).",
            "d": "Both the hidden state and the gradient."},
           answer="b",
           explain="The state carries memory across chunks; the gradient stops at the boundary, "
                   "which keeps each backward pass short."),
    Choice("q5", "Gradient clipping with max_norm = 5 finds a global gradient norm of 50. What does it do?",
           {"a": "It sets every gradient entry that is larger than 5 to exactly 5.",
            "b": "It multiplies every gradient array by 0.1, all by the same factor.",
            "c": "It skips this update and leaves the weights as they are.",
            "d": "It divides the learning rate by 50 for the rest of the training."},
           answer="b",
           explain="All arrays are scaled by the same factor max_norm / norm = 0.1: "
                   "same direction, shorter step."),
    Choice("q6", "You train for 12 epochs and measure the dev perplexity after each; it is lowest after "
                 "epoch 6. Which number do you report as the model's result?",
           {"a": "The test perplexity after epoch 12, when training has finished.",
            "b": "The lowest of the 12 test perplexities, one measured per epoch.",
            "c": "The test perplexity of the epoch-6 weights, measured once.",
            "d": "The dev perplexity after epoch 6, since it picked the epoch."},
           answer="c",
           explain="The dev part made the choice, so its number is flattered by it; the test part, used "
                   "once on the chosen weights, gives an unbiased estimate. Picking the best of 12 test "
                   "numbers would turn the test part into a dev part."),
])
