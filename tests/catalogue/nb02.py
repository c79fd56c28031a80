"""Wrong and right answers for notebook 02 (the affine layer, initialisation, forward propagation)."""

from catalogue import Right, Wrong
from catalogue.edits import edit

INIT = """
def init_network(layout, rng, weight_std=0.01):
    network = {}
    for k, (n_in, n_out) in enumerate(zip(layout[:-1], layout[1:]), start=1):
        network[f"W{k}"] = weight_std * rng.standard_normal((n_in, n_out))
        network[f"b{k}"] = np.zeros(n_out)
    return network
"""

FORWARD = """
def forward(network, x, hidden_activation, output_activation):
    u1 = x @ network["W1"] + network["b1"]
    z1 = hidden_activation(u1)
    u2 = z1 @ network["W2"] + network["b2"]
    return output_activation(u2)
"""

CASES = [
    # --- 2.1 affine ----------------------------------------------------------------------
    Wrong("2.1", "W @ x: the column-vector convention", fails_at="one sample", code="""
def affine(x, W, b):
    return W @ x + b
"""),
    Wrong("2.1", "W.T @ x: right for one sample, fails for a batch", fails_at="a batch", code="""
def affine(x, W, b):
    return W.T @ x + b
"""),
    Wrong("2.1", "forgets the bias", fails_at="one sample", code="""
def affine(x, W, b):
    return x @ W
"""),
    Wrong("2.1", "elementwise * instead of a matrix product", fails_at="one sample", code="""
def affine(x, W, b):
    return np.sum(x * W, axis=0) + b
"""),
    Wrong("2.1", "adds the product into b in place", fails_at="modified its input", code="""
def affine(x, W, b):
    b += x @ W
    return b
"""),
    Wrong("2.1", "subtracts the bias", fails_at="one sample", code="""
def affine(x, W, b):
    return x @ W - b
"""),
    Right("2.1", "np.dot", code="""
def affine(x, W, b):
    return np.dot(x, W) + b
"""),
    Right("2.1", "np.matmul with the bias added first as a row", code="""
def affine(x, W, b):
    return b + np.matmul(x, W)
"""),

    # --- 2.2 init_network ------------------------------------------------------------------
    Wrong("2.2", "uniform weights in [-sqrt(3), sqrt(3)] * std: right mean and std, wrong shape",
          fails_at="normal", code=edit(INIT, "rng.standard_normal((n_in, n_out))",
                                       "rng.uniform(-np.sqrt(3), np.sqrt(3), size=(n_in, n_out))")),
    Wrong("2.2", "rng.random: uniform in [0, 1)", fails_at="standard deviation", code=edit(
        INIT, "rng.standard_normal((n_in, n_out))", "rng.random((n_in, n_out))")),
    Wrong("2.2", "np.random.randn instead of the generator passed in", fails_at="generator it is given",
          code=edit(INIT, "rng.standard_normal((n_in, n_out))", "np.random.randn(n_in, n_out)")),
    Wrong("2.2", "W transposed: (n_out, n_in)", fails_at="W1 (3, 5)", code=edit(
        INIT, "rng.standard_normal((n_in, n_out))", "rng.standard_normal((n_out, n_in))")),
    Wrong("2.2", "variance weight_std instead of standard deviation: rng.normal(0, weight_std ** 2)",
          fails_at="standard deviation", code=edit(
              INIT, "weight_std * rng.standard_normal((n_in, n_out))", "rng.normal(0, weight_std ** 2, (n_in, n_out))")),
    Wrong("2.2", "numbers layers from 0", fails_at="W1 (3, 5)", code=edit(INIT, "start=1", "start=0")),
    Wrong("2.2", "two layers only, whatever the layout", fails_at="any number of layers", code="""
def init_network(layout, rng, weight_std=0.01):
    n0, n1, n2 = layout[0], layout[1], layout[-1]
    return {"W1": weight_std * rng.standard_normal((n0, n1)), "b1": np.zeros(n1),
            "W2": weight_std * rng.standard_normal((n1, n2)), "b2": np.zeros(n2)}
"""),
    Wrong("2.2", "biases start at 1", fails_at="biases start at 0", code=edit(INIT, "np.zeros(n_out)", "np.ones(n_out)")),
    Wrong("2.2", "a fresh generator with a fixed seed", fails_at="generator it is given", code=edit(
        INIT, "    network = {}\n", "    network = {}\n    rng = np.random.default_rng(0)\n")),
    Right("2.2", "rng.normal(0, weight_std, shape) and a while loop", code="""
def init_network(layout, rng, weight_std=0.01):
    network, k = {}, 1
    while k < len(layout):
        network["W" + str(k)] = rng.normal(0.0, weight_std, size=(layout[k - 1], layout[k]))
        network["b" + str(k)] = np.zeros(layout[k])
        k += 1
    return network
"""),

    # --- 2.3 forward -----------------------------------------------------------------------
    Wrong("2.3", "the two activations swapped", fails_at="one sample through", code=edit(
        FORWARD, "z1 = hidden_activation(u1)", "z1 = output_activation(u1)").replace(
        "return output_activation(u2)", "return hidden_activation(u2)")),
    Wrong("2.3", "no hidden activation", fails_at="one sample through", code=edit(
        FORWARD, "z1 = hidden_activation(u1)", "z1 = u1")),
    Wrong("2.3", "the output activation is left out", fails_at="each activation in its place", code=edit(
        FORWARD, "return output_activation(u2)", "return u2")),
    Wrong("2.3", "the second layer uses the pre-activation u1", fails_at="one sample through", code=edit(
        FORWARD, 'u2 = z1 @ network["W2"]', 'u2 = u1 @ network["W2"]')),
    Wrong("2.3", "W1 transposed (x @ W1.T)", fails_at="one sample through", code=edit(
        FORWARD, 'x @ network["W1"]', 'x @ network["W1"].T')),
    Wrong("2.3", "the ReLU hard-coded instead of hidden_activation", fails_at="each activation in its place",
          code=edit(FORWARD, "z1 = hidden_activation(u1)", "z1 = np.maximum(0, u1)")),
    Right("2.3", "reuses affine() from exercise 2.1, in one expression", code="""
def forward(network, x, hidden_activation, output_activation):
    z1 = hidden_activation(affine(x, network["W1"], network["b1"]))
    return output_activation(affine(z1, network["W2"], network["b2"]))
"""),

    # --- found by red-teaming the checks ---------------------------------------------------
    Right("2.2", "draws each matrix as (n_out, n_in) and transposes it: still independent normal draws", code="""
def init_network(layout, rng, weight_std=0.01):
    network = {}
    for k in range(1, len(layout)):
        network[f"W{k}"] = weight_std * rng.standard_normal((layout[k], layout[k - 1])).T
        network[f"b{k}"] = np.zeros(layout[k])
    return network
"""),
]
