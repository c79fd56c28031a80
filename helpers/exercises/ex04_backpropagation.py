"""Exercises and quiz of notebook 04: gradients and backpropagation."""

import numpy as np

from helpers.checking import CheckFailure, Exercise, call, expect, expect_array, expect_close, hidden_rng
from helpers.nn import functions as ref
from helpers.nn.gradcheck import numerical_gradient as ref_numerical_gradient
from helpers.nn.gradcheck import relative_error
from helpers.nn.layers import SoftmaxWithLoss as RefSoftmaxWithLoss
from helpers.quiz import Choice, Numeric, Quiz

NB = "04_backpropagation"

# A backward pass must agree with the float64 numerical gradient to this relative error.
GRAD_TOL = 1e-7


def _gradcheck(analytic, numeric, what, inputs=None):
    """Fail unless ``analytic`` matches the numerical gradient to GRAD_TOL."""
    err = relative_error(analytic, numeric)
    expect(err < GRAD_TOL,
           f"{what} does not match the numerical gradient (relative error {err:.1e})",
           f"{what} does not match the numerical gradient: relative error {err:.1e}, "
           f"must be below {GRAD_TOL:.0e}{_inputs_text(inputs)}"
           f"\n   numerical: {np.array2string(np.asarray(numeric), precision=4, suppress_small=True, threshold=20)}"
           f"\n   yours:     {np.array2string(np.asarray(analytic), precision=4, suppress_small=True, threshold=20)}")


def _inputs_text(inputs):
    if not inputs:
        return ""
    return "".join(f"\n   input:    {k} = {np.array2string(np.asarray(v), precision=4, suppress_small=True, threshold=20)}"
                   f"  (shape {np.shape(v)})" for k, v in inputs.items())


def _make(cls, *args, text):
    obj = call(cls, *args, call_text=text)
    for attr in ("params", "grads"):
        expect(isinstance(getattr(obj, attr, None), list),
               f"{text} has no `{attr}` list",
               f"{text}.{attr} should be a list (the course's layer interface), "
               f"got {type(getattr(obj, attr, None)).__name__}.",
               "Keep the constructor as given: it sets self.params and self.grads.")
    return obj


_BACKWARD_SHAPES = ("A gradient has the wrong shape. dx = dout @ W.T is (N, D) like x; dW = self.x.T @ dout is "
                    "(D, H) like W; a bias gradient sums dout over the batch axis, dout.sum(axis=0), (H,) like b.")


def _in_place(layer, held, names, text):
    """The layer's grads must be the arrays it had before backward, not new ones."""
    for i, (g, name) in enumerate(zip(held, names)):
        expect(len(layer.grads) > i and layer.grads[i] is g,
               f"{name} was replaced by a new array instead of being written in place",
               f"after {text}, self.grads[{i}] is a new array object: an optimizer that holds on to the "
               f"old one would never see your {name}.",
               f"Write into the existing array: `self.grads[{i}][...] = {name}`.")


# --- 4.1 numerical gradient ---------------------------------------------------------------

ng = Exercise("4.1", NB, "numerical_gradient", "The numerical gradient by central differences", points=2,
              hint="Loop over every index with `for idx in np.ndindex(x.shape):`, remember x[idx], set it to "
                   "x[idx] + h and x[idx] - h in turn, evaluate f(x) each time, put x[idx] back, and store "
                   "the central difference in grad[idx].",
              hints=("Visit every index of x, whatever its shape: `for idx in np.ndindex(x.shape):` gives tuples, "
                     "and `x[idx]` is one element.",
                     "For each idx: remember `saved = x[idx]`, set `x[idx] = saved + h` and evaluate f(x), set "
                     "`x[idx] = saved - h` and evaluate again, then put `saved` back.",
                     "Start from `grad = np.zeros_like(x)` and fill in one central difference per index.",
                     "The finished line inside the loop: `grad[idx] = (f_plus - f_minus) / (2 * h)`"))


_RESTORE = ("numerical_gradient may nudge x in place, but must put every element back exactly: remember "
            "`saved = x[idx]`, and after evaluating f at saved + h and saved - h write `x[idx] = saved` "
            "(adding and subtracting h again does not give back the same float).")


def _ng(numerical_gradient, f, x, fname):
    inputs = {"x": x.copy()}
    g = call(numerical_gradient, f, x, call_text=f"numerical_gradient({fname}, x)", inputs=inputs,
             modified_hint=_RESTORE,
             error_hint="Loop over every index of x, whatever its shape: `for idx in np.ndindex(x.shape):`, "
                        "and index with the tuple idx.")
    expect_array(g, shape=x.shape, what=f"numerical_gradient({fname}, x)", inputs=inputs,
                 hint="Start from `grad = np.zeros_like(x)` and fill one entry per index.")
    return g, inputs


@ng.step("returns an array of x's shape")
def _(numerical_gradient):
    x = np.array([1.0, -2.0, 3.0])
    _ng(numerical_gradient, lambda v: np.sum(v ** 2), x, "f")


@ng.step("values for f(x) = sum(x**2), whose gradient is 2x")
def _(numerical_gradient):
    x = np.array([1.0, -2.0, 3.0])
    g, inputs = _ng(numerical_gradient, lambda v: np.sum(v ** 2), x, "f")
    hint = None
    if np.allclose(g, 4 * x, rtol=1e-4):
        hint = "The central difference divides by 2h: the points x - h and x + h are 2h apart."
    elif np.allclose(g, -2 * x, rtol=1e-4):
        hint = "The sign is flipped: (f(x + h) - f(x - h)) / (2h), the value at x + h first."
    expect_close(g, 2 * x, what="numerical_gradient(f, x)", inputs=inputs, rtol=1e-4, atol=1e-6, hint=hint)


@ng.step("central difference on a matrix: f(x) = sum(x**3) to 1e-7")
def _(numerical_gradient):
    x = np.array([[1.0, 2.0, -1.5], [0.5, -3.0, 2.5]])
    g, inputs = _ng(numerical_gradient, lambda v: np.sum(v ** 3), x, "f")
    expect_close(g, 3 * x ** 2, what="numerical_gradient(f, x)", inputs=inputs, rtol=1e-7, atol=1e-9,
                 hint="A forward difference (f(x + h) - f(x)) / h is off by about h * f''; the central "
                      "difference (f(x + h) - f(x - h)) / (2h) is off by only about h**2. Index with a tuple "
                      "such as `idx` from np.ndindex, so that 2-D arrays work.")


@ng.step("nudges x itself (in place) and leaves it as it was")
def _(numerical_gradient):
    x = np.array([[0.5, -1.0], [2.0, 1.5]])
    kept = x.copy()

    def f_reads_x(_):
        return np.sum(np.sin(x))          # reads the array x itself, not its argument

    g = call(numerical_gradient, f_reads_x, x, call_text="numerical_gradient(f, x)", inputs={"x": kept},
             modified_hint=_RESTORE)
    expect_array(g, shape=x.shape, what="numerical_gradient(f, x)")
    expect_close(g, np.cos(kept), what="numerical_gradient(f, x) for an f that reads x from outside",
                 inputs={"x": kept}, rtol=1e-6, atol=1e-8,
                 hint="Nudge the elements of x itself (`x[idx] = saved + h`), not of a copy: then any "
                      "function that reads x, such as a layer's loss reading its weights, sees the change.")


@ng.hidden_step("other functions and shapes, where every element depends on the others")
def _(numerical_gradient):
    rng = hidden_rng("4.1")
    x = rng.normal(size=(2, 3, 2))
    w = rng.normal(size=x.shape)

    def f(v):
        return np.sum(np.sin(v) * w) + np.sum(v) ** 2

    g, inputs = _ng(numerical_gradient, f, x.copy(), "f")
    expect_close(g, np.cos(x) * w + 2 * np.sum(x), what="numerical_gradient(f, x)", inputs=inputs,
                 rtol=1e-7, atol=1e-8)


# --- 4.2 MatMul backward --------------------------------------------------------------------

mm = Exercise("4.2", NB, "MatMul", "MatMul backward: dx and dW", points=2, kind="class",
              hint="Each gradient has the shape of what it belongs to: dx (N, D) like x, dW (D, H) like W. "
                   "Which product of dout (N, H) with W, or with the saved input self.x, has that shape? "
                   "Write dW into the existing array self.grads[0] and return dx.",
              hints=("Start from one element: out[n, j] = sum over d of x[n, d] W[d, j], so "
                     "d out[n, j] / d x[n, d] = W[d, j] and d out[n, j] / d W[d, j] = x[n, d]. Add up over "
                     "every path: over j for dx[n, d], over n for dW[d, j].",
                     "Let the shapes decide: dx must be (N, D), from dout (N, H) and W (D, H); dW must be "
                     "(D, H), from self.x (N, D) and dout (N, H). `.T` swaps the two axes of a matrix.",
                     "The sum over j pairs a row of dout with a row of W: dout times W transposed. The sum over "
                     "n pairs a column of x with a column of dout: x transposed times dout. Assign dW with "
                     "`self.grads[0][...] = ...` (not `+=`).",
                     "The finished lines: `dx = dout @ W.T` and `self.grads[0][...] = self.x.T @ dout`"))


def _matmul_backward(MatMul, x, W, dout):
    layer = _make(MatMul, W, text="MatMul(W)")
    held = list(layer.grads)
    call(layer.forward, x, call_text="layer.forward(x)", inputs={"x": x, "W": W})
    inputs = {"x": x, "W": W, "dout": dout}
    dx = call(layer.backward, dout, call_text="layer.backward(dout)", inputs=inputs, error_hint=_BACKWARD_SHAPES)
    expect_array(dx, shape=x.shape, what="dx = layer.backward(dout)", inputs=inputs,
                 hint="dx must have the shape of x, (N, D): dout (N, H) times W.T (H, D).")
    expect_array(layer.grads[0] if layer.grads else None, shape=W.shape, what="layer.grads[0] (dW)",
                 inputs=inputs, hint="dW = self.x.T @ dout: (D, N) @ (N, H) -> (D, H), the shape of W.")
    _in_place(layer, held, ["dW"], "layer.backward(dout)")
    return layer, dx, inputs


@mm.step("backward returns dx of x's shape and writes dW into grads[0] in place")
def _(MatMul):
    x = np.array([[1.0, 2.0], [0.0, -1.0], [3.0, 1.0], [-2.0, 0.5]])
    W = np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.5]])
    _matmul_backward(MatMul, x, W, np.ones((4, 3)))


# N = 4 samples, D = 2 inputs, H = 3 units: no two sizes equal, no symmetric matrix.
_X = np.array([[1.0, 2.0], [0.0, -1.0], [3.0, 1.0], [-2.0, 0.5]])
_W = np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.5]])
_DOUT = np.array([[1.0, 0.0, 0.5], [0.0, 2.0, 0.0], [0.0, 1.0, -1.0], [3.0, -1.0, 2.0]])


@mm.step("values on a small hand-made case")
def _(MatMul):
    layer, dx, inputs = _matmul_backward(MatMul, _X, _W, _DOUT)
    expect_close(dx, _DOUT @ _W.T, what="dx", inputs=inputs,
                 hint="dx = dout @ W.T (not W @ dout, not dout @ W).")
    expect_close(layer.grads[0], _X.T @ _DOUT, what="dW = layer.grads[0]",
                 inputs=inputs, hint="dW = self.x.T @ dout: (D, N) @ (N, H) -> (D, H).")


@mm.step("calling backward twice gives the same dW (written, not added up)")
def _(MatMul):
    x, W, dout = _X, _W, _DOUT
    layer, _, inputs = _matmul_backward(MatMul, x, W, dout)
    call(layer.backward, dout, call_text="layer.backward(dout) (a second time)")
    expect_close(layer.grads[0], x.T @ dout, what="dW after a second backward", inputs=inputs,
                 hint="Use `self.grads[0][...] = dW`, not `+=`: backward must overwrite the old gradient.")


@mm.step("numerical gradient check (float64): dx and dW, relative error below 1e-7")
def _(MatMul):
    rng = np.random.default_rng(42)
    x, W, dout = rng.normal(size=(5, 4)), rng.normal(size=(4, 3)), rng.normal(size=(5, 3))
    layer, dx, _ = _matmul_backward(MatMul, x, W, dout)
    xc, Wc = x.copy(), W.copy()
    _gradcheck(dx, ref_numerical_gradient(lambda: np.sum((xc @ W) * dout), xc), "dx")
    _gradcheck(layer.grads[0], ref_numerical_gradient(lambda: np.sum((x @ Wc) * dout), Wc), "dW")


@mm.hidden_step("other sizes, including a batch of one")
def _(MatMul):
    rng = hidden_rng("4.2")
    for N, D, H in [(1, 6, 2), (7, 3, 5)]:
        x, W, dout = rng.normal(size=(N, D)), rng.normal(size=(D, H)), rng.normal(size=(N, H))
        layer, dx, inputs = _matmul_backward(MatMul, x, W, dout)
        expect_close(dx, dout @ W.T, what="dx", inputs=inputs, rtol=1e-9)
        expect_close(layer.grads[0], x.T @ dout, what="dW", inputs=inputs, rtol=1e-9)


# --- 4.3 Sigmoid backward ---------------------------------------------------------------------

sg = Exercise("4.3", NB, "Sigmoid", "Sigmoid backward", points=1, kind="class",
              hint="Each output depends only on its own input, so dx is dout times the local slope, element "
                   "by element; notebook 01 wrote that slope with the output y, which forward saved in self.out.",
              hints=("Each y_i depends only on x_i, so dx_i = dout_i times the local slope dy_i/dx_i: no sum and "
                     "no matrix product.",
                     "Notebook 01: the sigmoid's slope is y(1 - y), with y its output, and forward saved y in "
                     "`self.out`. Do not call the sigmoid again, and do not write into dout.",
                     "The finished line: `dx = dout * self.out * (1.0 - self.out)`"))


def _sigmoid_backward(Sigmoid, x, dout, twice=False):
    layer = _make(Sigmoid, text="Sigmoid()")
    inputs = {"x": x, "dout": dout}
    call(layer.forward, x, call_text="layer.forward(x)", inputs=inputs)
    for attempt in range(2 if twice else 1):
        text = "layer.backward(dout)" + (" (a second time)" if attempt else "")
        dx = call(layer.backward, dout, call_text=text, inputs=inputs,
                  error_hint="Everything here is elementwise (*, not @): dx has the shape of x and dout.")
        expect_array(dx, shape=x.shape, what=f"dx = {text}", inputs=inputs,
                     hint="Everything here is elementwise (*, not @): dx has the shape of x and dout.")
    return dx, inputs


@sg.step("values on a small hand-made case")
def _(Sigmoid):
    x = np.array([0.0, 2.0, -1.0])
    dout = np.array([1.0, 1.0, 2.0])
    y = 1 / (1 + np.exp(-x))
    dx, inputs = _sigmoid_backward(Sigmoid, x, dout)
    expect_close(dx, dout * y * (1 - y), what="dx", inputs=inputs,
                 hint="dx = dout * y * (1 - y) with y = self.out (the output, not the input x).")
    # A second backward must give the same dx: code that writes into self.out (`self.out *= 1 - self.out`)
    # is right once and wrong from then on.
    dx, inputs = _sigmoid_backward(Sigmoid, x, dout, twice=True)
    expect_close(dx, dout * y * (1 - y), what="dx from a second backward", inputs=inputs,
                 hint="Compute dx as a new array and leave self.out as forward saved it: "
                      "`self.out *= ...` changes the layer's memory, and the next backward goes wrong.")


@sg.step("saturated inputs (x = ±1000): gradient 0, no NaN")
def _(Sigmoid):
    x = np.array([-1000.0, 1000.0, 0.0])
    dx, inputs = _sigmoid_backward(Sigmoid, x, np.ones(3))
    expect_close(dx, [0.0, 0.0, 0.25], what="dx", inputs=inputs, atol=1e-12,
                 hint="Use the stored output self.out: y * (1 - y) never overflows.")


@sg.step("numerical gradient check (float64) on a batch, relative error below 1e-7")
def _(Sigmoid):
    rng = np.random.default_rng(43)
    x, dout = rng.normal(size=(3, 4)) * 2, rng.normal(size=(3, 4))
    dx, _ = _sigmoid_backward(Sigmoid, x, dout)
    xc = x.copy()
    _gradcheck(dx, ref_numerical_gradient(lambda: np.sum(ref.sigmoid(xc) * dout), xc), "dx")


@sg.hidden_step("other values, in 3-D")
def _(Sigmoid):
    rng = hidden_rng("4.3")
    x, dout = rng.normal(size=(2, 3, 4)) * 3, rng.normal(size=(2, 3, 4))
    dx, inputs = _sigmoid_backward(Sigmoid, x, dout)
    expect_close(dx, dout * ref.sigmoid_grad(x), what="dx", inputs=inputs, rtol=1e-9)


# --- 4.4 Affine backward ----------------------------------------------------------------------

af = Exercise("4.4", NB, "Affine", "Affine backward: dx, dW and the bias gradient db", points=2, kind="class",
              hint="dx and dW as in the MatMul; b was added to every row (a Repeat), so its gradient adds up the "
                   "rows of dout. Write dW and db into self.grads[0] and self.grads[1] with `[...] =`.",
              hints=("Affine is a MatMul followed by an Add of b repeated to all N rows. dx and dW are exactly "
                     "those of your MatMul (exercise 4.2).",
                     "The Add passes dout on unchanged to both of its inputs; the Repeat of b (section 4) turns "
                     "it into a sum over the batch. db has b's shape, (H,).",
                     "Sum over axis 0 (the N rows), not axis 1: the result is (H,). Assign dW and db into "
                     "self.grads[0] and self.grads[1] with `[...] =`, not `+=`.",
                     "The finished lines: `dx = dout @ W.T`, `self.grads[0][...] = self.x.T @ dout` and "
                     "`self.grads[1][...] = dout.sum(axis=0)`"))


def _affine_backward(Affine, x, W, b, dout):
    layer = _make(Affine, W, b, text="Affine(W, b)")
    held = list(layer.grads)
    inputs = {"x": x, "W": W, "b": b, "dout": dout}
    call(layer.forward, x, call_text="layer.forward(x)", inputs=inputs)
    dx = call(layer.backward, dout, call_text="layer.backward(dout)", inputs=inputs, error_hint=_BACKWARD_SHAPES)
    expect_array(dx, shape=x.shape, what="dx = layer.backward(dout)", inputs=inputs,
                 hint="dx must have the shape of x, (N, D): dout @ W.T.")
    expect(len(layer.grads) == 2, "layer.grads should hold two arrays, dW and db",
           f"after layer.backward(dout), layer.grads has {len(layer.grads)} entries.",
           "Keep the constructor as given and write into self.grads[0] and self.grads[1].")
    expect_array(layer.grads[0], shape=W.shape, what="layer.grads[0] (dW)", inputs=inputs,
                 hint="dW = self.x.T @ dout: (D, N) @ (N, H) -> (D, H), the shape of W.")
    expect_array(layer.grads[1], shape=b.shape, what="layer.grads[1] (db)", inputs=inputs,
                 hint="db has b's shape (H,): sum dout over the batch axis, `dout.sum(axis=0)`.")
    _in_place(layer, held, ["dW", "db"], "layer.backward(dout)")
    return layer, dx, inputs


@af.step("shapes: dx like x, dW like W, db like b, written in place")
def _(Affine):
    _affine_backward(Affine, _X, _W, np.zeros(3), np.ones((4, 3)))


@af.step("values on a small hand-made case")
def _(Affine):
    b = np.array([0.5, -0.5, 1.0])
    layer, dx, inputs = _affine_backward(Affine, _X, _W, b, _DOUT)
    expect_close(dx, _DOUT @ _W.T, what="dx", inputs=inputs,
                 hint="dx = dout @ W.T; the bias plays no part in dx.")
    expect_close(layer.grads[0], _X.T @ _DOUT, what="dW = layer.grads[0]",
                 inputs=inputs, hint="dW = self.x.T @ dout.")
    db_hint = "db = dout.sum(axis=0): one entry per output unit, summed over the rows (samples)."
    if np.allclose(layer.grads[1], _DOUT.mean(axis=0)):
        db_hint = "b was added to every row, so db is the SUM of dout over the rows, not the mean."
    expect_close(layer.grads[1], _DOUT.sum(axis=0), what="db = layer.grads[1]", inputs=inputs, hint=db_hint)


@af.step("calling backward twice gives the same dW and db (written, not added up)")
def _(Affine):
    x, W, dout = _X, _W, _DOUT
    layer, _, inputs = _affine_backward(Affine, x, W, np.zeros(3), dout)
    call(layer.backward, dout, call_text="layer.backward(dout) (a second time)")
    expect_close(layer.grads[0], x.T @ dout, what="dW after a second backward", inputs=inputs,
                 hint="Use `self.grads[0][...] = dW`, not `+=`.")
    expect_close(layer.grads[1], dout.sum(axis=0), what="db after a second backward", inputs=inputs,
                 hint="Use `self.grads[1][...] = db`, not `+=`.")


@af.step("numerical gradient check (float64): dx, dW and db, relative error below 1e-7")
def _(Affine):
    rng = np.random.default_rng(44)
    x, W, b = rng.normal(size=(5, 4)), rng.normal(size=(4, 3)), rng.normal(size=3)
    dout = rng.normal(size=(5, 3))
    layer, dx, _ = _affine_backward(Affine, x, W, b, dout)
    xc, Wc, bc = x.copy(), W.copy(), b.copy()
    _gradcheck(dx, ref_numerical_gradient(lambda: np.sum((xc @ W + b) * dout), xc), "dx")
    _gradcheck(layer.grads[0], ref_numerical_gradient(lambda: np.sum((x @ Wc + b) * dout), Wc), "dW")
    _gradcheck(layer.grads[1], ref_numerical_gradient(lambda: np.sum((x @ W + bc) * dout), bc), "db")


@af.hidden_step("other sizes, including a batch of one")
def _(Affine):
    rng = hidden_rng("4.4")
    for N, D, H in [(1, 3, 4), (8, 5, 2)]:
        x, W, b = rng.normal(size=(N, D)), rng.normal(size=(D, H)), rng.normal(size=H)
        dout = rng.normal(size=(N, H))
        layer, dx, inputs = _affine_backward(Affine, x, W, b, dout)
        expect_close(dx, dout @ W.T, what="dx", inputs=inputs, rtol=1e-9)
        expect_close(layer.grads[0], x.T @ dout, what="dW", inputs=inputs, rtol=1e-9)
        expect_close(layer.grads[1], dout.sum(axis=0), what="db", inputs=inputs, rtol=1e-9)


# --- 4.5 SoftmaxWithLoss backward -------------------------------------------------------------

sm = Exercise("4.5", NB, "SoftmaxWithLoss", "SoftmaxWithLoss backward", points=2,
              kind="class",
              hint="For one sample the gradient of the loss with respect to the scores is y - t; the loss of a "
                   "batch is the mean over its N rows, and dout multiplies everything (chain rule).",
              hints=("The derivation above gives dL/da = y - t for the loss of one sample. forward saved y in "
                     "self.y and the one-hot t in self.t, both (N, C).",
                     "The batch loss is the mean over the N rows, so each row's gradient is divided by N; the "
                     "chain rule then multiplies by dout.",
                     "The finished lines: `N = self.y.shape[0]` and `dx = dout * (self.y - self.t) / N`"))


def _softmax_backward(SoftmaxWithLoss, x, t, dout=None):
    layer = _make(SoftmaxWithLoss, text="SoftmaxWithLoss()")
    inputs = {"x": x, "t": t}
    call(layer.forward, x, t, call_text="layer.forward(x, t)", inputs=inputs)
    if dout is None:
        dx = call(layer.backward, call_text="layer.backward()", inputs=inputs)
    else:
        inputs["dout"] = dout
        dx = call(layer.backward, dout, call_text=f"layer.backward({dout})", inputs=inputs)
    return _expect_dx(dx, x, inputs), inputs


def _expect_dx(dx, x, inputs):
    return expect_array(dx, shape=x.shape, what="dx = layer.backward()", inputs=inputs,
                        hint="dx has the shape of the scores x, (N, C).")


def _softmax_expected(x, labels, dout=1.0):
    return dout * (ref.softmax(x) - np.eye(x.shape[1])[labels]) / x.shape[0]


@sm.step("values with label targets, mean over the batch")
def _(SoftmaxWithLoss):
    x = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]])
    t = np.array([0, 2])
    dx, inputs = _softmax_backward(SoftmaxWithLoss, x, t)
    expected = _softmax_expected(x, t)
    hint = ("dx = (self.y - self.t) / N: don't forget to divide by the batch size N, since the "
            "loss is the mean over the batch.")
    if np.allclose(dx, -expected):
        hint = "The sign is flipped: dx = (self.y - self.t) / N, probabilities minus targets."
    elif np.allclose(dx, expected * x.shape[0] / x.shape[1]):
        hint = "N is the number of samples, the rows of self.y (self.y.shape[0]), not the number of classes."
    expect_close(dx, expected, what="dx", inputs=inputs, hint=hint)


@sm.step("one-hot targets give the same gradient")
def _(SoftmaxWithLoss):
    x = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]])
    t = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    dx, inputs = _softmax_backward(SoftmaxWithLoss, x, t)
    expect_close(dx, _softmax_expected(x, np.array([0, 2])), what="dx", inputs=inputs)


@sm.step("dout scales the gradient: backward(2.0) is twice backward()")
def _(SoftmaxWithLoss):
    x = np.array([[0.2, -1.0, 1.5, 0.0]])
    t = np.array([3])
    dx, inputs = _softmax_backward(SoftmaxWithLoss, x, t, dout=2.0)
    expect_close(dx, _softmax_expected(x, t, 2.0), what="dx", inputs=inputs,
                 hint="Multiply by dout: the layer above may scale the loss.")


@sm.step("calling backward twice gives the same dx (the layer's state is left as it was)")
def _(SoftmaxWithLoss):
    x = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]])
    t = np.array([0, 2])
    layer = _make(SoftmaxWithLoss, text="SoftmaxWithLoss()")
    inputs = {"x": x, "t": t}
    call(layer.forward, x, t, call_text="layer.forward(x, t)", inputs=inputs)
    call(layer.backward, call_text="layer.backward()", inputs=inputs)
    dx = _expect_dx(call(layer.backward, call_text="layer.backward() (a second time)", inputs=inputs), x, inputs)
    expect_close(dx, _softmax_expected(x, t), what="dx from a second backward", inputs=inputs,
                 hint="Compute dx into a new array (dx = ...), without changing self.y or self.t "
                      "(no `self.y -= self.t`).")


@sm.step("numerical gradient check (float64), relative error below 1e-7")
def _(SoftmaxWithLoss):
    rng = np.random.default_rng(45)
    x, t = rng.normal(size=(6, 4)) * 2, rng.integers(0, 4, size=6)
    dx, _ = _softmax_backward(SoftmaxWithLoss, x, t)
    xc = x.copy()
    _gradcheck(dx, ref_numerical_gradient(lambda: RefSoftmaxWithLoss().forward(xc, t), xc), "dx",
               inputs={"x": x, "t": t})


@sm.hidden_step("other sizes, large scores and one-hot targets")
def _(SoftmaxWithLoss):
    rng = hidden_rng("4.5")
    x, labels = rng.normal(size=(9, 5)) * 4, rng.integers(0, 5, size=9)
    x[0, 1] = 800.0
    dx, inputs = _softmax_backward(SoftmaxWithLoss, x, labels)
    expect_close(dx, _softmax_expected(x, labels), what="dx", inputs=inputs, rtol=1e-9, atol=1e-12)
    dx, inputs = _softmax_backward(SoftmaxWithLoss, x, np.eye(5)[labels], dout=0.5)
    expect_close(dx, _softmax_expected(x, labels, 0.5), what="dx", inputs=inputs, rtol=1e-9, atol=1e-12)


# --- Quiz ---------------------------------------------------------------------------------------

Quiz(NB, [
    Choice("q1", "Training a network means searching for values that make the loss small. Which quantities "
                 "does training change?",
           {"a": "The inputs x of the training data.",
            "b": "The weights and biases.",
            "c": "The outputs y and the targets t.",
            "d": "The learning rate."},
           answer="b",
           explain="The data and targets are given; the learning rate is chosen by us. Training adjusts the "
                   "parameters, W and b, along their gradients."),
    Numeric("q2", "A value y feeds two nodes (a Branch). From them the gradients 0.5 and -2.0 flow back to y. "
                  "What is dL/dy?",
            answer=-1.5, tol=1e-9,
            explain="A branch copies y, so both paths depend on it: their gradients add, 0.5 + (-2.0) = -1.5."),
    Choice("q3", "Why is the bias gradient of an Affine layer dout.sum(axis=0)?",
           {"a": "To keep the bias gradient smaller than dW.",
            "b": "b is added to every row; their gradients add up.",
            "c": "Because the bias always starts out at zero.",
            "d": "Because the softmax layer above needs it."},
           answer="b",
           explain="b (H,) is broadcast to all N rows; each copy passes back its gradient and they add up."),
    Choice("q4", "A gradient check (float64, central differences) reports a relative error of 3e-2 for dW. "
                 "What do you conclude?",
           {"a": "All is well: 3e-2 is a small error.",
            "b": "The numerical gradient needs float32.",
            "c": "The backward pass (dW) has a bug.",
            "d": "The step h is too small; use 1e-12."},
           answer="c",
           explain="A correct backward pass agrees to about 1e-9 in float64; 3e-2 means a wrong formula "
                   "(a missing factor, a transpose, a forgotten 1/N)."),
    Numeric("q5", "A network has 10,000 parameters. How many loss evaluations (forward passes) does one "
                  "numerical gradient with central differences need?",
            answer=20000, tol=0.5,
            explain="Two per parameter, f(w + h) and f(w - h): 20,000 forward passes, where backpropagation "
                    "needs one forward and one backward pass."),
])
