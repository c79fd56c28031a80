"""Wrong and right answers for notebook 01 (activation functions)."""

from catalogue import Right, Wrong

CASES = [
    # --- 1.1 step function ---------------------------------------------------------
    Wrong("1.1", "uses >= so that step(0) = 1", fails_at="0 maps to 0", code="""
def step_function(x):
    return (x >= 0).astype(int)
"""),
    Wrong("1.1", "writes the answer into its input", fails_at="modified its input", code="""
def step_function(x):
    x[x <= 0] = 0
    x[x > 0] = 1
    return x
"""),
    Wrong("1.1", "a Python if on the whole array: fine for one number only", fails_at="returns an array", code="""
def step_function(x):
    if np.all(x > 0):
        return 1
    return 0
"""),
    Wrong("1.1", "a loop over the first axis: works for 1-D input only", fails_at="2-D batch", code="""
def step_function(x):
    return np.array([1 if v > 0 else 0 for v in x])
"""),
    Wrong("1.1", "np.sign: -1 for negative inputs", fails_at="0 maps to 0", code="""
def step_function(x):
    return np.sign(x).astype(int)
"""),
    Right("1.1", "np.where instead of a comparison cast", code="""
def step_function(x):
    return np.where(x > 0, 1, 0)
"""),
    Right("1.1", "np.heaviside with the value 0 at 0", code="""
def step_function(x):
    return np.heaviside(x, 0.0).astype(int)
"""),

    # --- 1.2 sigmoid --------------------------------------------------------------------
    Wrong("1.2", "the textbook formula: exp(-x) overflows for x = -1000", fails_at="large |x|", code="""
def sigmoid(x):
    return 1 / (1 + np.exp(-x))
"""),
    Wrong("1.2", "np.where with exp(x) and exp(-x): np.where computes both branches, which overflow",
          fails_at="large |x|", code="""
def sigmoid(x):
    return np.where(x >= 0, 1 / (1 + np.exp(-x)), np.exp(x) / (1 + np.exp(x)))
"""),
    Wrong("1.2", "clips x to [-30, 30] to avoid the overflow: sigmoid(-50) comes out 1e-13, not 2e-22",
          fails_at="exact tiny values", code="""
def sigmoid(x):
    return 1 / (1 + np.exp(-np.clip(x, -30, 30)))
"""),
    Wrong("1.2", "special-cases very large inputs (0 or 1), the textbook formula elsewhere",
          fails_at="exact tiny values", code="""
def sigmoid(x):
    if np.abs(x).max() > 100:
        return (x > 0).astype(float)
    return 1 / (1 + np.exp(-x))
"""),
    Wrong("1.2", "the stable branches swapped", fails_at="values on small cases", code="""
def sigmoid(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, e / (1 + e), 1 / (1 + e))
"""),
    Wrong("1.2", "wrong sign inside exp", fails_at="values on small cases", code="""
def sigmoid(x):
    return 1 / (1 + np.exp(x))
"""),
    Wrong("1.2", "math.exp: one number at a time", fails_at="returns an array", code="""
import math

def sigmoid(x):
    return 1 / (1 + math.exp(-x))
"""),
    Wrong("1.2", "computes in place into its input", fails_at="modified its input", code="""
def sigmoid(x):
    x *= -1
    np.exp(x, out=x)
    return 1 / (1 + x)
"""),
    Right("1.2", "clipping far outside the range where the sigmoid changes", code="""
def sigmoid(x):
    return 1 / (1 + np.exp(-np.clip(x, -700, 700)))
"""),
    Right("1.2", "through the log: sigmoid(x) = exp(-log(1 + exp(-x))), with np.logaddexp", code="""
def sigmoid(x):
    return np.exp(-np.logaddexp(0, -x))
"""),

    # --- 1.3 derivative of the sigmoid ----------------------------------------------------
    Wrong("1.3", "y * (1 - x): mixes the output and the input", fails_at="values on small cases", code="""
def sigmoid_grad(x):
    y = sigmoid(x)
    return y * (1 - x)
"""),
    Wrong("1.3", "y * (1 + y): wrong sign", fails_at="values on small cases", code="""
def sigmoid_grad(x):
    y = sigmoid(x)
    return y * (1 + y)
"""),
    Wrong("1.3", "exp(-x) / (1 + exp(-x))**2: right formula, overflows for x = -800", fails_at="large |x|", code="""
def sigmoid_grad(x):
    return np.exp(-x) / (1 + np.exp(-x)) ** 2
"""),
    Wrong("1.3", "returns the sigmoid itself", fails_at="values on small cases", code="""
def sigmoid_grad(x):
    return sigmoid(x)
"""),
    Wrong("1.3", "a list comprehension over the first axis: 1-D only", fails_at="2-D batch", code="""
def sigmoid_grad(x):
    return np.array([sigmoid(v) * (1 - sigmoid(v)) for v in x.tolist()])
"""),
    Right("1.3", "sigmoid(x) * sigmoid(-x), the same product written symmetrically", code="""
def sigmoid_grad(x):
    return sigmoid(x) * sigmoid(-x)
"""),

    # --- 1.4 ReLU ----------------------------------------------------------------------------
    Wrong("1.4", "sets the negative entries of its input to 0 in place", fails_at="modified its input", code="""
def relu(x):
    x[x < 0] = 0
    return x
"""),
    Wrong("1.4", "np.maximum with out=x: writes into the input", fails_at="modified its input", code="""
def relu(x):
    return np.maximum(0, x, out=x)
"""),
    Wrong("1.4", "np.clip(x, 0, 1): also caps the positive values", fails_at="values on small cases", code="""
def relu(x):
    return np.clip(x, 0, 1)
"""),
    Wrong("1.4", "np.where(x > 0, x, 0).astype(int): rounds 0.5 down to 0", fails_at="values on small cases", code="""
def relu(x):
    return np.where(x > 0, x, 0).astype(int)
"""),
    Wrong("1.4", "the absolute value instead of the positive part", fails_at="values on small cases", code="""
def relu(x):
    return np.abs(x)
"""),
    Wrong("1.4", "a loop over rows with Python's max: 1-D only", fails_at="2-D batch", code="""
def relu(x):
    return np.array([max(0.0, v) for v in x])
"""),
    Right("1.4", "multiplying by the mask", code="""
def relu(x):
    return x * (x > 0)
"""),
    Right("1.4", "works on a copy", code="""
def relu(x):
    y = x.copy()
    y[y < 0] = 0
    return y
"""),

    # --- 1.5 derivative of the ReLU ---------------------------------------------------------------
    Wrong("1.5", "slope 1 at x = 0 (x >= 0)", fails_at="slope 0 at x = 0", code="""
def relu_grad(x):
    return (x >= 0).astype(float)
"""),
    Wrong("1.5", "np.sign: -1 for negative inputs", fails_at="values on small cases", code="""
def relu_grad(x):
    return np.sign(x)
"""),
    Wrong("1.5", "returns the ReLU, not its slope", fails_at="values on small cases", code="""
def relu_grad(x):
    return np.maximum(0, x)
"""),
    Wrong("1.5", "np.heaviside with the value 1 at 0", fails_at="slope 0 at x = 0", code="""
def relu_grad(x):
    return np.heaviside(x, 1.0)
"""),
    Wrong("1.5", "writes the slope into its input", fails_at="modified its input", code="""
def relu_grad(x):
    x[...] = x > 0
    return x
"""),
    Right("1.5", "np.where with floats", code="""
def relu_grad(x):
    return np.where(x > 0, 1.0, 0.0)
"""),

    # --- found by red-teaming the checks ---------------------------------------------------
    Wrong("1.1", "returns the comparison itself: True/False, not the numbers 0 and 1",
          fails_at="returns an array of the input's shape", code="""
def step_function(x):
    return x > 0
"""),
    Right("1.2", "boolean masks: each formula computed only where it is safe", code="""
def sigmoid(x):
    out = np.empty_like(x, dtype=float)
    pos = x >= 0
    out[pos] = 1 / (1 + np.exp(-x[pos]))
    e = np.exp(x[~pos])
    out[~pos] = e / (1 + e)
    return out
"""),
    Right("1.3", "the slope written with one safe exponential: e / (1 + e)**2, e = exp(-|x|)", code="""
def sigmoid_grad(x):
    e = np.exp(-np.abs(x))
    return e / (1 + e) ** 2
"""),
]
