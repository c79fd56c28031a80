"""Exercises and quiz of notebook 01: activation functions."""

import numpy as np

from helpers.checking import Exercise, call, expect, expect_array, expect_close, expect_no_warning, hidden_rng
from helpers.nn import functions as ref
from helpers.quiz import Choice, Numeric, Quiz

NB = "01_activations"


def _values_step(fn, name, x, expected, hint=None):
    """Call ``name(x)``, require an array of x's shape, compare with ``expected``."""
    y = call(fn, x, call_text=f"{name}(x)", inputs={"x": x})
    expect_array(y, shape=x.shape, what=f"{name}(x)", inputs={"x": x})
    expect_close(y, expected, what=f"{name}(x)", inputs={"x": x}, hint=hint)


def _hidden_inputs(salt):
    # Values the notebook never shows, in a 3-D shape (the public steps try 1-D, 2-D and 3-D), away from 0.
    x = hidden_rng(salt).uniform(-6, 6, size=(2, 3, 4))
    x[np.abs(x) < 1e-3] = 0.5
    return x


# A 3-D input: code that assumes one or two axes (a loop over rows, x[:, None]) fails on it.
_X3 = np.array([[[-1.5, 0.5, 2.0], [0.25, -3.0, 1.0]],
                [[4.0, -0.5, 0.0], [-2.0, 3.5, -0.25]]])


# --- 1.1 step function -------------------------------------------------------

step = Exercise("1.1", NB, "step_function", "The step function", points=1,
                hint="`x > 0` compares every element at once and gives booleans; turn them into 0 and 1 "
                     "(and keep step(0) = 0).",
                hints=("Compare the whole array with 0 in one expression, no loop: NumPy's comparisons work "
                       "element by element.",
                       "`x > 0` is an array of True/False of x's shape (`>`, not `>=`, so that 0 maps to 0); "
                       "`.astype(int)` turns True into 1 and False into 0.",
                       "The finished line: `return (x > 0).astype(int)`"))


@step.step("returns an array of the input's shape")
def _(step_function):
    x = np.array([-1.0, 2.0, 0.5])
    y = call(step_function, x, call_text="step_function(x)", inputs={"x": x})
    expect_array(y, shape=x.shape, what="step_function(x)", inputs={"x": x})
    # True/False are not the numbers 0 and 1: `-y` and `y - y` raise a TypeError on a boolean array.
    expect(y.dtype.kind != "b", "step_function(x) returns True/False, not the numbers 0 and 1",
           f"step_function(x) returned an array of dtype bool:\n   input:    x = {x}\n   got:      {y}",
           "`x > 0` gives booleans; turn them into numbers with `.astype(int)` (or `.astype(float)`).")


@step.step("values on small cases (0 maps to 0)")
def _(step_function):
    x = np.array([-3.0, -0.1, 0.0, 0.1, 7.0])
    y = call(step_function, x, call_text="step_function(x)", inputs={"x": x})
    hint = "1 where x > 0 and 0 everywhere else, negative inputs included."
    if isinstance(y, np.ndarray) and y.shape == x.shape and y[2] == 1:
        hint = "The course's convention: step(0) = 0, so use `x > 0`, not `x >= 0`."
    _values_step(step_function, "step_function", x, [0, 0, 0, 1, 1], hint=hint)


@step.step("works on a 2-D batch and a 3-D array")
def _(step_function):
    x = np.array([[1.0, -1.0, 0.0], [-2.0, 3.0, 0.5]])
    _values_step(step_function, "step_function", x, [[1, 0, 0], [0, 1, 1]])
    _values_step(step_function, "step_function", _X3, (_X3 > 0).astype(int))


@step.hidden_step("values on other inputs")
def _(step_function):
    x = _hidden_inputs("1.1")
    _values_step(step_function, "step_function", x, ref.step_function(x))


# --- 1.2 sigmoid ---------------------------------------------------------------

sig = Exercise("1.2", NB, "sigmoid", "The sigmoid, stable for large |x|", points=2,
               hint="For x >= 0 use 1 / (1 + exp(-x)); for x < 0 use exp(x) / (1 + exp(x)). "
                    "`np.where` picks between them, and exp(-|x|) never overflows.",
               hints=("The overflow comes from exp of a large positive number. Find a way to compute exp "
                      "only of numbers <= 0.",
                      "`e = np.exp(-np.abs(x))` lies in (0, 1] for every x. For x >= 0 the sigmoid is "
                      "1 / (1 + e); for x < 0 it is e / (1 + e).",
                      "`np.where(condition, a, b)` takes a where the condition holds and b elsewhere; both "
                      "a and b are computed for every element, and both are safe here.",
                      "The finished lines: `e = np.exp(-np.abs(x))` and "
                      "`return np.where(x >= 0, 1 / (1 + e), e / (1 + e))`"))


@sig.step("returns an array of the input's shape")
def _(sigmoid):
    x = np.array([-1.0, 0.0, 1.0])
    y = call(sigmoid, x, call_text="sigmoid(x)", inputs={"x": x})
    expect_array(y, shape=x.shape, what="sigmoid(x)", inputs={"x": x})


@sig.step("values on small cases")
def _(sigmoid):
    x = np.array([-2.0, 0.0, 3.0])
    _values_step(sigmoid, "sigmoid", x, 1 / (1 + np.exp(-x)))


@sig.step("works on a 2-D batch and a 3-D array")
def _(sigmoid):
    x = np.array([[0.5, -0.5, 1.5], [4.0, -4.0, 0.0]])
    _values_step(sigmoid, "sigmoid", x, 1 / (1 + np.exp(-x)))
    _values_step(sigmoid, "sigmoid", _X3, 1 / (1 + np.exp(-_X3)))


def _large_sigmoid_step(sigmoid, x):
    # Relative error (atol only below the normal float range): sigmoid(-50) = 2e-22 must not come back
    # as 0 or 1e-14.
    y = expect_no_warning(sigmoid, x, call_text="sigmoid(x)", inputs={"x": x},
                          hint="exp(1000) overflows, and np.where computes both of its branches for every "
                               "element. Compute exp(-|x|) instead, which is at most 1.")
    expect_array(y, shape=x.shape, what="sigmoid(x)", inputs={"x": x})
    expect_close(y, ref.sigmoid(x), what="sigmoid(x)", inputs={"x": x}, rtol=1e-9, atol=1e-300,
                 hint="Far from 0 the sigmoid is tiny but not 0: sigmoid(-50) is about 2e-22. Don't clip x "
                      "or the result; exp(-|x|) keeps every value exact.")


@sig.step("large |x|: no overflow warning, exact tiny values and 1")
def _(sigmoid):
    _large_sigmoid_step(sigmoid, np.array([-1000.0, -700.0, -50.0, -35.0, 35.0, 50.0, 709.0, 1000.0]))
    _large_sigmoid_step(sigmoid, np.array([[-800.0, 60.0], [30.0, -650.0]]))


@sig.hidden_step("values on other inputs, small and large")
def _(sigmoid):
    x = _hidden_inputs("1.2") * 3
    _values_step(sigmoid, "sigmoid", x, ref.sigmoid(x))
    _large_sigmoid_step(sigmoid, hidden_rng("1.2 large").uniform(-900, 900, size=(3, 5)))



# --- 1.3 derivative of the sigmoid -----------------------------------------------

dsig = Exercise("1.3", NB, "sigmoid_grad", "The derivative of the sigmoid", points=1,
                hint="With y = sigmoid(x), the derivative is y * (1 - y). Reuse your sigmoid.",
                hints=("Compute y with your stable `sigmoid` first; do not write exp(-x) again here.",
                       "The slope is y(1 - y) for every element: `*` multiplies arrays element by element.",
                       "The finished lines: `y = sigmoid(x)` and `return y * (1 - y)`"))


def _dsig(x):
    s = 1 / (1 + np.exp(-x))
    return s * (1 - s)


@dsig.step("values on small cases")
def _(sigmoid_grad):
    x = np.array([-2.0, 0.0, 3.0])
    _values_step(sigmoid_grad, "sigmoid_grad", x, _dsig(x),
                 hint="With y = sigmoid(x) the slope is y * (1 - y): at x = 0 it is 0.25, and it is "
                      "the same at x and -x.")


@dsig.step("works on a 2-D batch and a 3-D array")
def _(sigmoid_grad):
    x = np.array([[0.5, -0.5, 1.5], [4.0, -4.0, 0.0]])
    _values_step(sigmoid_grad, "sigmoid_grad", x, _dsig(x))
    _values_step(sigmoid_grad, "sigmoid_grad", _X3, _dsig(_X3))


@dsig.step("large |x|: the slope is 0, with no warning")
def _(sigmoid_grad):
    x = np.array([-800.0, 800.0, -40.0])
    y = expect_no_warning(sigmoid_grad, x, call_text="sigmoid_grad(x)", inputs={"x": x},
                          hint="Build on a stable sigmoid (exercise 1.2).")
    expect_close(y, ref.sigmoid_grad(x), what="sigmoid_grad(x)", inputs={"x": x}, rtol=1e-6, atol=1e-300)


@dsig.hidden_step("matches a numerical derivative on other inputs")
def _(sigmoid_grad):
    x = _hidden_inputs("1.3")
    h = 1e-5
    numeric = (ref.sigmoid(x + h) - ref.sigmoid(x - h)) / (2 * h)
    _values_step(sigmoid_grad, "sigmoid_grad", x, numeric)


# --- 1.4 ReLU -----------------------------------------------------------------------

rel = Exercise("1.4", NB, "relu", "The ReLU", points=1,
               hint="Each output is the larger of 0 and its input. `np.maximum` compares element by element "
                    "and returns a new array, so `x` stays as it was.",
               hints=("Each output is the larger of two numbers, 0 and the input. NumPy has a function that "
                      "takes the elementwise larger of two arrays.",
                      "`np.maximum(a, b)` returns a new array with the larger of a and b at each position; a "
                      "number such as 0 is broadcast to x's shape. Do not write into x (no `x[x < 0] = 0`).",
                      "The finished line: `return np.maximum(0, x)`"))


@rel.step("values on small cases")
def _(relu):
    x = np.array([-2.0, -0.5, 0.0, 0.5, 3.0])
    _values_step(relu, "relu", x, [0.0, 0.0, 0.0, 0.5, 3.0],
                 hint="Negative entries become 0, the others stay as they are (0.5 stays 0.5: keep floats).")


@rel.step("works on a 2-D batch and a 3-D array, and leaves its input unchanged")
def _(relu):
    x = np.array([[1.5, -1.0, 0.25], [-2.0, 4.0, -0.5]])
    _values_step(relu, "relu", x, [[1.5, 0.0, 0.25], [0.0, 4.0, 0.0]],
                 hint="Negative entries become 0, the others stay as they are (0.25 stays 0.25: keep floats).")
    _values_step(relu, "relu", _X3, np.maximum(_X3, 0.0))


@rel.hidden_step("values on other inputs")
def _(relu):
    x = _hidden_inputs("1.4")
    _values_step(relu, "relu", x, ref.relu(x))


# --- 1.5 derivative of the ReLU -------------------------------------------------------

drel = Exercise("1.5", NB, "relu_grad", "The derivative of the ReLU", points=1,
                hint="The slope is 1 where x > 0 and 0 elsewhere (we take 0 at x = 0).",
                hints=("The slope is 1 exactly where the input is positive: which comparison gives True there "
                       "and False elsewhere, 0 included?",
                       "Compare the whole array at once; the line below the blank turns True/False into 1.0/0.0.",
                       "The finished line: `positive = x > 0`"))


@drel.step("values on small cases (slope 0 at x = 0)")
def _(relu_grad):
    x = np.array([-2.0, 0.0, 0.5, 3.0])
    _values_step(relu_grad, "relu_grad", x, [0.0, 0.0, 1.0, 1.0],
                 hint="The slope is 1 where x > 0 and 0 elsewhere, also at x = 0 (and never -1).")


@drel.step("works on a 2-D batch and a 3-D array")
def _(relu_grad):
    x = np.array([[1.5, -1.0, 0.25], [-2.0, 4.0, -0.5]])
    _values_step(relu_grad, "relu_grad", x, [[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]])
    _values_step(relu_grad, "relu_grad", _X3, (_X3 > 0).astype(float))


@drel.hidden_step("matches a numerical derivative on other inputs")
def _(relu_grad):
    x = _hidden_inputs("1.5")
    h = 1e-6
    numeric = (ref.relu(x + h) - ref.relu(x - h)) / (2 * h)
    _values_step(relu_grad, "relu_grad", x, numeric)


# --- Quiz ------------------------------------------------------------------------------

Quiz(NB, [
    Choice("q1", "Why does a neural network need a non-linear activation between its layers?",
           {"a": "It makes the forward pass much faster to compute.",
            "b": "Without it, stacked layers equal one affine layer.",
            "c": "It keeps the weights from growing too large.",
            "d": "It is needed to turn the outputs into a loss."},
           answer="b",
           explain="(x W1 + b1) W2 + b2 = x (W1 W2) + (b1 W2 + b2): still one affine map."),
    Numeric("q2", "What is the largest value the derivative of the sigmoid ever takes?",
            answer=0.25, tol=1e-3,
            explain="y(1 - y) is largest at y = 0.5, that is at u = 0: 0.5 * 0.5 = 0.25."),
    Choice("q3", "A sigmoid unit receives the total input u = 12. What happens to the gradient through it?",
           {"a": "About 0.25, the largest slope the sigmoid has.",
            "b": "Almost 0: the unit is saturated and barely learns.",
            "c": "Negative: the unit pushes its weights back.",
            "d": "About 1: the unit passes the gradient on unchanged."},
           answer="b",
           explain="sigmoid(12) is about 0.999994, so y(1 - y) is about 6e-6."),
    Numeric("q4", "Compute ReLU(-1) + ReLU(1) - ReLU(-1 + 1).", answer=1.0, tol=1e-9,
            explain="0 + 1 - 0 = 1, not 0: ReLU is not additive, so it is not linear."),
    Choice("q5", "For which inputs is the derivative of the ReLU exactly 0?",
           {"a": "For every input.", "b": "For positive inputs only.", "c": "For inputs at or below 0.",
            "d": "For no input at all."},
           answer="c",
           explain="The ReLU is flat (0) for u <= 0; by the course's convention its slope at 0 is 0 too."),
])
