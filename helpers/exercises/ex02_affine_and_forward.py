"""Exercises and quiz of notebook 02: the affine layer and forward propagation."""

import numpy as np

from helpers.checking import CheckFailure, Exercise, call, expect, expect_array, expect_close, hidden_rng
from helpers.nn import functions as ref
from helpers.quiz import Choice, Numeric, Quiz

NB = "02_affine_and_forward"


def _affine_step(affine, x, W, b, expected=None):
    """Call ``affine(x, W, b)`` and compare with ``expected`` (default: x @ W + b)."""
    inputs = {"x": x, "W": W, "b": b}
    out_shape = x.shape[:-1] + (W.shape[1],)
    y = call(affine, x, W, b, call_text="affine(x, W, b)", inputs=inputs,
             error_hint="The shapes do not fit together: x (D,) or (N, D) times W (D, H) is `x @ W`, "
                        "in that order and without transposing; then add b (H,).")
    expect_array(y, shape=out_shape, what="affine(x, W, b)", inputs=inputs,
                 hint="x: (D,) or (N, D) and W: (D, H) give (H,) or (N, H). "
                      "Multiply x by W in that order (x @ W), then add b.")
    hint = None
    if np.allclose(y, x @ W):
        hint = "Add the bias b after the product: x @ W + b."
    elif np.allclose(y, x @ W - b):
        hint = "Add the bias, don't subtract it: x @ W + b."
    expect_close(y, x @ W + b if expected is None else expected, what="affine(x, W, b)", inputs=inputs, hint=hint)


# --- 2.1 the affine map ---------------------------------------------------------

aff = Exercise("2.1", NB, "affine", "The affine map u = xW + b, for one sample and a batch", points=1,
               hint="Write the product in the order that makes the shapes fit: x (D,) or (N, D) on the left, "
                    "W (D, H) on the right; the bias (H,) is then added to every row.",
               hints=("Which order of the matrix product makes the inner sizes agree? x has D entries per "
                      "sample, W has D rows.",
                      "`x @ W` works for x of shape (D,) and (N, D) alike, and `+ b` with b (H,) is broadcast "
                      "to every row of a batch.",
                      "The finished line: `return x @ W + b`"))


@aff.step("one sample: x (D,), W (D, H), b (H,) -> (H,)")
def _(affine):
    x = np.array([1.0, 2.0])
    W = np.array([[1.0, 0.0, -1.0],
                  [2.0, 1.0, 0.0]])
    b = np.array([0.5, 0.0, -0.5])
    _affine_step(affine, x, W, b, expected=[5.5, 2.0, -1.5])


@aff.step("a batch: x (N, D) -> (N, H), with b added to every row")
def _(affine):
    x = np.array([[1.0, 2.0],
                  [0.0, -1.0],
                  [3.0, 1.0],
                  [0.5, 0.5]])
    W = np.array([[1.0, 0.0, -1.0],
                  [2.0, 1.0, 0.0]])
    b = np.array([0.5, 0.0, -0.5])
    _affine_step(affine, x, W, b, expected=[[5.5, 2.0, -1.5],
                                            [-1.5, -1.0, -0.5],
                                            [5.5, 1.0, -3.5],
                                            [2.0, 0.5, -1.0]])


@aff.hidden_step("other sizes, one sample and a batch")
def _(affine):
    rng = hidden_rng("2.1")
    W = rng.normal(size=(5, 7))
    b = rng.normal(size=7)
    _affine_step(affine, rng.normal(size=5), W, b)
    _affine_step(affine, rng.normal(size=(6, 5)), W, b)


# --- 2.2 initialising a network ----------------------------------------------------

init = Exercise("2.2", NB, "init_network", "Parameters of the right shapes for a layout", points=2,
                hint="Loop over consecutive pairs of sizes; layer k gets an (n_in, n_out) weight matrix drawn "
                     "from `rng` and scaled by weight_std, and a bias of n_out zeros.",
                hints=("Start from an empty dict and add two entries per layer. `zip(layout[:-1], layout[1:])` "
                       "gives the consecutive pairs (n_in, n_out); `enumerate(..., start=1)` numbers them 1, 2, ...",
                       "Draw from the generator you are given: `rng.standard_normal(shape)` has standard "
                       "deviation 1, so multiply it by weight_std. An f-string such as `f\"W{k}\"` builds the key.",
                       "The finished loop body: `network[f\"W{k}\"] = weight_std * rng.standard_normal((n_in, n_out))` "
                       "and `network[f\"b{k}\"] = np.zeros(n_out)`"))


def _network(init_network, layout, seed=0, **kwargs):
    text = f"init_network({layout}, rng" + "".join(f", {k}={v}" for k, v in kwargs.items()) + ")"
    net = call(init_network, layout, np.random.default_rng(seed), call_text=text, **kwargs)
    if not isinstance(net, dict):
        raise CheckFailure(f"{text} should return a dict, not {type(net).__name__}",
                           f"{text} returned a {type(net).__name__}; expected a dict like "
                           "{'W1': ..., 'b1': ..., 'W2': ..., 'b2': ...}.")
    return net, text


def _expect_shapes(init_network, layout):
    net, text = _network(init_network, layout)
    expected = {}
    for k, (n_in, n_out) in enumerate(zip(layout[:-1], layout[1:]), start=1):
        expected[f"W{k}"] = (n_in, n_out)
        expected[f"b{k}"] = (n_out,)
    missing = [k for k in expected if k not in net]
    extra = [k for k in net if k not in expected]
    expect(not missing and not extra, f"{text} has the wrong keys",
           f"{text} has keys {sorted(net)}, expected {sorted(expected)}",
           "One weight matrix W{k} and one bias b{k} per layer, numbered from 1: "
           "a layout of L + 1 sizes has L layers.")
    for key, shape in expected.items():
        expect_array(net[key], shape=shape, what=f"{text}['{key}']",
                     hint="W{k} has one row per input of layer k and one column per unit of layer k: "
                          "(layout[k-1], layout[k]); b{k} has one entry per unit: (layout[k],).")
        expect(net[key].dtype.kind == "f", f"{text}['{key}'] should hold floats",
               f"{text}['{key}'] has dtype {net[key].dtype}; the parameters must be floating point numbers.",
               "np.zeros(n) gives floats; np.zeros(n, dtype=int) does not.")
    return net, text


@init.step("a dict with W1 (3, 5), b1 (5,), W2 (5, 4), b2 (4,) for layout (3, 5, 4)")
def _(init_network):
    _expect_shapes(init_network, (3, 5, 4))


@init.step("biases start at 0, weights are random (not all equal)")
def _(init_network):
    net, text = _expect_shapes(init_network, (3, 5, 4))
    for k in (1, 2):
        expect(np.all(net[f"b{k}"] == 0), f"{text}['b{k}'] should be all zeros",
               f"{text}['b{k}'] = {net[f'b{k}']}, expected zeros.", "Use np.zeros(n_out) for each bias.")
        W = net[f"W{k}"]
        expect(np.unique(W).size == W.size, f"{text}['W{k}'] should hold different random numbers",
               f"{text}['W{k}'] has repeated values:\n{W}\nIf all weights start equal, all units of a layer "
               "compute the same thing and stay identical while learning.",
               "Draw the weights with the generator you are given: rng.standard_normal(shape).")


@init.step("weights have the requested standard deviation (default 0.01)")
def _(init_network):
    for kwargs, std in (({}, 0.01), ({"weight_std": 0.5}, 0.5)):
        net, text = _network(init_network, (400, 300, 10), **kwargs)
        for key in ("W1", "W2"):
            W = expect_array(net.get(key), shape=(400, 300) if key == "W1" else (300, 10),
                             what=f"{text}['{key}']")
            got = float(W.std())
            tol = 0.03 if key == "W1" else 0.1
            expect(abs(got - std) <= tol * std and abs(float(W.mean())) <= 0.1 * std,
                   f"{text}['{key}'] does not have mean 0 and standard deviation {std}",
                   f"{text}['{key}'] has mean {W.mean():.4g} and standard deviation {got:.4g}, "
                   f"expected mean about 0 and standard deviation about {std}.",
                   "Standard normal numbers (rng.standard_normal) have mean 0 and standard deviation 1; "
                   "multiply them by weight_std.")


@init.step("weights are normal (bell-shaped), not uniform")
def _(init_network):
    net, text = _network(init_network, (400, 300, 10), weight_std=0.5)
    W = expect_array(net.get("W1"), shape=(400, 300), what=f"{text}['W1']")
    # A normal distribution puts 4.55 % of its values beyond 2 standard deviations, a uniform one
    # none at all (it stops at 1.73 standard deviations); 120,000 draws give the share within +-0.3 %.
    beyond = float(np.mean(np.abs(W) > 2 * 0.5))
    expect(0.035 <= beyond <= 0.056, f"{text}['W1'] does not look normally distributed",
           f"{text}['W1']: {100 * beyond:.2f} % of the weights lie beyond 2 standard deviations; "
           "normal draws put about 4.55 % there (uniform draws none).",
           "Draw from the normal distribution, rng.standard_normal(shape), not rng.random or rng.uniform.")


@init.step("draws from the generator it is given (same seed, same network)")
def _(init_network):
    a, text = _network(init_network, (3, 5, 4), seed=7)
    b, _ = _network(init_network, (3, 5, 4), seed=7)
    c, _ = _network(init_network, (3, 5, 4), seed=8)
    same = all(np.array_equal(a[k], b[k]) for k in ("W1", "W2"))
    expect(same, "two networks made with generators of the same seed differ",
           "init_network((3, 5, 4), np.random.default_rng(7)) gave different weights on two calls.",
           "Draw every random number from `rng` (rng.standard_normal(...)), not from np.random.")
    expect(not np.array_equal(a["W1"], c["W1"]), "generators with different seeds gave the same weights",
           "init_network((3, 5, 4), rng) gave the same W1 for seeds 7 and 8.",
           "Draw the weights from the `rng` argument.")


@init.step("any number of layers: layout (2, 3, 4, 5) gives W1, b1, W2, b2, W3, b3")
def _(init_network):
    _expect_shapes(init_network, (2, 3, 4, 5))


@init.hidden_step("other layouts and another weight_std")
def _(init_network):
    rng = hidden_rng("2.2")
    sizes = [int(n) for n in rng.integers(1, 10, size=6)]
    _expect_shapes(init_network, tuple(sizes[:3]))
    _expect_shapes(init_network, tuple(sizes[1:]))
    std = float(rng.uniform(0.05, 0.5))
    net, text = _network(init_network, (500, 200, 3), seed=int(rng.integers(1000)), weight_std=std)
    got = float(net["W1"].std())
    expect(abs(got - std) <= 0.03 * std, f"{text}['W1'] does not have standard deviation {std:.3g}",
           f"{text}['W1'] has standard deviation {got:.4g}, expected about {std:.4g}.")


# --- 2.3 forward propagation -----------------------------------------------------------

fwd = Exercise("2.3", NB, "forward", "Forward propagation through a 2-layer network", points=2,
               hint="Follow the table of section 4: affine map, hidden activation, affine map, output "
                    "activation, with the two activation functions you are given.",
               hints=("The same four steps as the worked examples of section 4, with `hidden_activation` and "
                      "`output_activation` where the examples used relu and softmax.",
                      "Your `affine` does both affine maps: `u1 = affine(x, network[\"W1\"], network[\"b1\"])`, "
                      "then `z1 = hidden_activation(u1)`.",
                      "The finished lines after z1: `u2 = affine(z1, network[\"W2\"], network[\"b2\"])` and "
                      "`return output_activation(u2)`"))

_NET = {"W1": np.array([[1.0, -1.0], [2.0, 1.0]]), "b1": np.array([0.0, -1.0]),
        "W2": np.array([[1.0, 2.0], [-1.0, 1.0]]), "b2": np.array([0.5, 0.0])}


def _fwd_ref(net, x, h, f):
    return f(h(x @ net["W1"] + net["b1"]) @ net["W2"] + net["b2"])


def _fwd_step(forward, net, x, h, f, expected=None, hint=None):
    text = f"forward(network, x, {h.__name__}, {f.__name__})"
    inputs = {"x": x, **{k: v for k, v in net.items()}}
    y = call(forward, {k: v.copy() for k, v in net.items()}, x, h, f, call_text=text, inputs=inputs)
    shape = x.shape[:-1] + (net["W2"].shape[1],)
    expect_array(y, shape=shape, what=text, inputs=inputs,
                 hint="x (D,) gives y (C,) and x (N, D) gives y (N, C), with C the number of columns of W2.")
    expect_close(y, _fwd_ref(net, x, h, f) if expected is None else expected, what=text, inputs=inputs,
                 hint=hint)


def identity(u):
    return u


def relu(u):
    return np.maximum(0, u)


def sigmoid(u):
    return ref.sigmoid(u)


def softmax(u):
    return ref.softmax(u)


def tanh(u):
    return np.tanh(u)


@fwd.step("one sample through a 2-2-2 network (ReLU hidden, identity output)")
def _(forward):
    # u1 = [3, 0] + [0, -1] = [3, -1]; z1 = [3, 0]; u2 = [3, 6] + [0.5, 0] = [3.5, 6]
    _fwd_step(forward, _NET, np.array([1.0, 1.0]), relu, identity, expected=[3.5, 6.0],
              hint="u1 = [3, -1], so z1 = relu(u1) = [3, 0]; then u2 = z1 @ W2 + b2 = [3.5, 6].")


@fwd.step("each activation in its place (sigmoid hidden, softmax output)")
def _(forward):
    _fwd_step(forward, _NET, np.array([1.0, 1.0]), sigmoid, softmax,
              hint="hidden_activation goes between the two affine maps, output_activation after the second.")


@fwd.step("a batch: x (N, D) -> y (N, C), softmax output")
def _(forward):
    x = np.array([[1.0, 1.0], [0.0, 2.0], [-1.0, 0.5]])
    _fwd_step(forward, _NET, x, relu, softmax)


@fwd.hidden_step("another network and other activations")
def _(forward):
    rng = hidden_rng("2.3")
    net = {"W1": rng.normal(size=(4, 6)), "b1": rng.normal(size=6),
           "W2": rng.normal(size=(6, 3)), "b2": rng.normal(size=3)}
    _fwd_step(forward, net, rng.normal(size=(5, 4)), tanh, softmax)
    _fwd_step(forward, net, rng.normal(size=4), relu, sigmoid)


# --- Quiz --------------------------------------------------------------------------------

Quiz(NB, [
    Choice("q1", "A layer takes 4 inputs and has 3 units. What is the shape of its weight matrix W "
                 "in the convention u = x W + b?",
           {"a": "(3, 4)", "b": "(4, 3)", "c": "(4,)", "d": "(3,)"},
           answer="b",
           explain="One row per input and one column per unit: x (4,) times W (4, 3) gives u (3,)."),
    Numeric("q2", "How many parameters (weights and biases together) does a 3-5-4 network have?",
            answer=44, tol=1e-9,
            explain="W1 has 3 * 5 = 15, b1 has 5, W2 has 5 * 4 = 20, b2 has 4: 15 + 5 + 20 + 4 = 44."),
    Choice("q3", "A batch of 10 samples goes through a 2-3-4 network. What is the shape of the output?",
           {"a": "(4,)", "b": "(4, 10)", "c": "(10, 4)", "d": "(10, 3)"},
           answer="c",
           explain="Every row of the batch stays a row: (10, 2) -> (10, 3) -> (10, 4)."),
    Choice("q4", "What decides the number of units in the output layer?",
           {"a": "The number of features of each input sample.",
            "b": "The task: how many classes or values to predict.",
            "c": "The number of units in the hidden layer.",
            "d": "The number of samples in each mini-batch."},
           answer="b",
           explain="Input size is fixed by the data, output size by the task; the hidden size is your choice."),
    Choice("q5", "What goes wrong if every weight of a hidden layer starts at the same value (say 0)?",
           {"a": "Nothing: training soon moves the weights apart.",
            "b": "The forward pass fails with a division by zero.",
            "c": "The hidden units stay copies of one another.",
            "d": "The weights grow without bound in training."},
           answer="c",
           explain="Identical units compute the same output and get the same gradients (notebook 04, "
                   "section 7), so they stay identical: random weights break the symmetry."),
])
