"""Wrong and right answers for notebook 04 (numerical gradient and backward passes)."""

from catalogue import Right, Wrong
from catalogue.edits import edit

NUMERICAL_GRADIENT = """
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        saved = x[idx]
        x[idx] = saved + h
        f_plus = f(x)
        x[idx] = saved - h
        f_minus = f(x)
        x[idx] = saved
        grad[idx] = (f_plus - f_minus) / (2 * h)
    return grad
"""

MATMUL = """
class MatMul:
    def __init__(self, W):
        self.params = [W]
        self.grads = [np.zeros_like(W)]
        self.x = None

    def forward(self, x):
        W, = self.params
        self.x = x
        return x @ W

    def backward(self, dout):
        W, = self.params
        dx = dout @ W.T
        self.grads[0][...] = self.x.T @ dout
        return dx
"""

SIGMOID = """
class Sigmoid:
    def __init__(self):
        self.params, self.grads = [], []
        self.out = None

    def forward(self, x):
        self.out = sigmoid(x)
        return self.out

    def backward(self, dout):
        dx = dout * self.out * (1.0 - self.out)
        return dx
"""

AFFINE = """
class Affine:
    def __init__(self, W, b):
        self.params = [W, b]
        self.grads = [np.zeros_like(W), np.zeros_like(b)]
        self.x = None

    def forward(self, x):
        W, b = self.params
        self.x = x
        return x @ W + b

    def backward(self, dout):
        W, b = self.params
        dx = dout @ W.T
        self.grads[0][...] = self.x.T @ dout
        self.grads[1][...] = dout.sum(axis=0)
        return dx
"""

SOFTMAX_WITH_LOSS = """
class SoftmaxWithLoss:
    def __init__(self):
        self.params, self.grads = [], []
        self.y = None
        self.t = None

    def forward(self, x, t):
        N, C = x.shape
        if t.ndim == 1:
            t = np.eye(C)[t]
        self.t = t
        shifted = x - x.max(axis=1, keepdims=True)
        log_y = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        self.y = np.exp(log_y)
        return float(-np.sum(t * log_y) / N)

    def backward(self, dout=1.0):
        N = self.y.shape[0]
        dx = dout * (self.y - self.t) / N
        return dx
"""

CASES = [
    # --- 4.1 numerical gradient --------------------------------------------------------------
    Wrong("4.1", "forward difference (f(x + h) - f(x)) / h", fails_at="central difference", code="""
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x)
    f_x = f(x)
    for idx in np.ndindex(x.shape):
        saved = x[idx]
        x[idx] = saved + h
        grad[idx] = (f(x) - f_x) / h
        x[idx] = saved
    return grad
"""),
    Wrong("4.1", "divides by h instead of 2h", fails_at="values for f(x) = sum(x**2)",
          code=edit(NUMERICAL_GRADIENT, "/ (2 * h)", "/ h")),
    Wrong("4.1", "never puts x[idx] back", fails_at="modified its input",
          code=edit(NUMERICAL_GRADIENT, "        x[idx] = saved\n", "")),
    Wrong("4.1", "nudges by += h, -= 2h, += h: rounding leaves x slightly changed", fails_at="modified its input",
          code="""
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        x[idx] += h
        f_plus = f(x)
        x[idx] -= 2 * h
        f_minus = f(x)
        x[idx] += h
        grad[idx] = (f_plus - f_minus) / (2 * h)
    return grad
"""),
    Wrong("4.1", "nudges a copy: a function that reads x itself sees no change", fails_at="leaves it as it was",
          code=edit(NUMERICAL_GRADIENT, "    grad = np.zeros_like(x)\n", "    x = x.copy()\n    grad = np.zeros_like(x)\n")),
    Wrong("4.1", "loops over x[i] for i in range(len(x)): a whole row at once on a matrix",
          fails_at="on a matrix", code="""
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in range(len(x)):
        saved = x[i].copy()
        x[i] = saved + h
        f_plus = f(x)
        x[i] = saved - h
        f_minus = f(x)
        x[i] = saved
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad
"""),
    Right("4.1", "np.nditer with multi_index, and a saved copy of the float", code="""
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    while not it.finished:
        i = it.multi_index
        old = float(x[i])
        x[i] = old + h
        up = f(x)
        x[i] = old - h
        down = f(x)
        x[i] = old
        grad[i] = (up - down) / (2 * h)
        it.iternext()
    return grad
"""),

    # --- 4.2 MatMul --------------------------------------------------------------------------------
    Wrong("4.2", "dx = dout @ W (W not transposed)", fails_at="backward returns dx", code=edit(MATMUL, "dout @ W.T", "dout @ W")),
    Wrong("4.2", "dW = dout.T @ x: transposed", fails_at="backward returns dx", code=edit(MATMUL, "self.x.T @ dout", "dout.T @ self.x")),
    Wrong("4.2", "replaces grads[0] by a new array", fails_at="backward returns dx",
          code=edit(MATMUL, "self.grads[0][...] = ", "self.grads[0] = ")),
    Wrong("4.2", "adds up dW over calls (+=)", fails_at="calling backward twice",
          code=edit(MATMUL, "self.grads[0][...] = ", "self.grads[0][...] += ")),
    Wrong("4.2", "dx with the wrong sign",
          fails_at="values on a small hand-made case", code=edit(MATMUL, "dx = dout @ W.T", "dx = -dout @ W.T")),
    Wrong("4.2", "scales dout in place", fails_at="modified its input", code=edit(
        MATMUL, "        dx = dout @ W.T\n", "        dout *= 1.0 / len(dout)\n        dx = dout @ W.T * len(dout)\n")),
    Right("4.2", "np.dot and an explicit copy into the held array", code=edit(edit(
        MATMUL, "dx = dout @ W.T", "dx = np.dot(dout, W.T)"),
        "self.grads[0][...] = self.x.T @ dout", "np.copyto(self.grads[0], np.dot(self.x.T, dout))")),

    # --- 4.3 Sigmoid -----------------------------------------------------------------------------------
    Wrong("4.3", "ignores dout", fails_at="values on a small hand-made case",
          code=edit(SIGMOID, "dx = dout * self.out", "dx = self.out")),
    Wrong("4.3", "y * (1 + y): wrong sign", fails_at="values on a small hand-made case",
          code=edit(SIGMOID, "(1.0 - self.out)", "(1.0 + self.out)")),
    Wrong("4.3", "recomputes from exp(-x) of the output, not the input", fails_at="values on a small hand-made case",
          code=edit(SIGMOID, "dx = dout * self.out * (1.0 - self.out)",
                    "dx = dout * np.exp(-self.out) / (1 + np.exp(-self.out)) ** 2")),
    Wrong("4.3", "multiplies dout in place", fails_at="modified its input",
          code=edit(SIGMOID, "dx = dout * self.out * (1.0 - self.out)", "dout *= self.out * (1.0 - self.out)\n        dx = dout")),
    Wrong("4.3", "stores the input and recomputes with a naive sigmoid: NaN at x = -1000",
          fails_at="saturated inputs", code="""
class Sigmoid:
    def __init__(self):
        self.params, self.grads = [], []
        self.out = None

    def forward(self, x):
        self.x = x
        self.out = sigmoid(x)
        return self.out

    def backward(self, dout):
        e = np.exp(-self.x)
        return dout * e / (1 + e) ** 2
"""),
    Right("4.3", "through sigmoid_grad of the stored output's logit-free form", code=edit(
        SIGMOID, "dx = dout * self.out * (1.0 - self.out)", "dx = dout * (self.out - self.out ** 2)")),

    # --- 4.4 Affine -----------------------------------------------------------------------------------------
    Wrong("4.4", "db = dout.sum(axis=1): the wrong axis", fails_at="shapes",
          code=edit(AFFINE, "dout.sum(axis=0)", "dout.sum(axis=1)")),
    Wrong("4.4", "db = dout.mean(axis=0): the mean, not the sum", fails_at="values on a small hand-made case",
          code=edit(AFFINE, "dout.sum(axis=0)", "dout.mean(axis=0)")),
    Wrong("4.4", "db = dout.sum(): one number for every unit", fails_at="values on a small hand-made case",
          code=edit(AFFINE, "dout.sum(axis=0)", "dout.sum()")),
    Wrong("4.4", "db = dout.sum(axis=1) replacing the array: wrong axis and a new array", fails_at="shapes",
          code=edit(AFFINE, "self.grads[1][...] = dout.sum(axis=0)", "self.grads[1] = dout.sum(axis=1)")),
    Wrong("4.4", "adds up dW and db over calls (+=)", fails_at="calling backward twice",
          code=edit(edit(AFFINE, "self.grads[0][...] = ", "self.grads[0][...] += "), "self.grads[1][...] = ",
                    "self.grads[1][...] += ")),
    Wrong("4.4", "replaces dW by a new array", fails_at="written in place",
          code=edit(AFFINE, "self.grads[0][...] = ", "self.grads[0] = ")),
    Wrong("4.4", "dx = dout @ W", fails_at="shapes", code=edit(AFFINE, "dx = dout @ W.T", "dx = dout @ W")),
    Right("4.4", "loops over the rows of the batch to add up db and dW", code=edit(edit(
        AFFINE, "self.grads[0][...] = self.x.T @ dout", "self.grads[0][...] = sum(np.outer(xi, di) for xi, di in zip(self.x, dout))"),
        "self.grads[1][...] = dout.sum(axis=0)", "self.grads[1][...] = sum(dout)")),

    # --- 4.5 SoftmaxWithLoss -----------------------------------------------------------------------------------
    Wrong("4.5", "forgets to divide by N", fails_at="values with label targets",
          code=edit(SOFTMAX_WITH_LOSS, "dx = dout * (self.y - self.t) / N", "dx = dout * (self.y - self.t)")),
    Wrong("4.5", "divides by the number of classes", fails_at="values with label targets",
          code=edit(SOFTMAX_WITH_LOSS, "N = self.y.shape[0]", "N = self.y.shape[1]")),
    Wrong("4.5", "ignores dout", fails_at="dout scales the gradient",
          code=edit(SOFTMAX_WITH_LOSS, "dx = dout * (self.y - self.t) / N", "dx = (self.y - self.t) / N")),
    Wrong("4.5", "t - y: wrong sign", fails_at="values with label targets",
          code=edit(SOFTMAX_WITH_LOSS, "(self.y - self.t)", "(self.t - self.y)")),
    Wrong("4.5", "subtracts t from self.y in place: a second backward is wrong", fails_at="calling backward twice",
          code=edit(SOFTMAX_WITH_LOSS, "dx = dout * (self.y - self.t) / N",
                    "self.y -= self.t\n        dx = dout * self.y / N")),
    Right("4.5", "the one-hot rows rebuilt from their labels", code=edit(
        SOFTMAX_WITH_LOSS, "dx = dout * (self.y - self.t) / N",
        "dx = self.y.copy()\n        dx[np.arange(N), self.t.argmax(axis=1)] -= 1\n        dx *= dout / N")),

    # --- found by red-teaming the checks ---------------------------------------------------
    Wrong("4.3", "writes the slope into self.out (`self.out *= 1 - self.out`): right once, wrong from the "
                 "second backward on", fails_at="values on a small hand-made case", code=edit(
        SIGMOID, "dx = dout * self.out * (1.0 - self.out)",
        "self.out *= 1.0 - self.out\n        dx = dout * self.out")),
    Right("4.1", "np.nditer with multi_index, as in many textbooks", code="""
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        idx = it.multi_index
        saved = x[idx]
        x[idx] = saved + h
        f_plus = f(x)
        x[idx] = saved - h
        f_minus = f(x)
        x[idx] = saved
        grad[idx] = (f_plus - f_minus) / (2 * h)
        it.iternext()
    return grad
"""),
    Right("4.2", "np.einsum for both products, np.copyto into grads[0]", code=edit(
        MATMUL, "dx = dout @ W.T\n        self.grads[0][...] = self.x.T @ dout",
        "dx = np.einsum('nh,dh->nd', dout, W)\n        np.copyto(self.grads[0], np.einsum('nd,nh->dh', self.x, dout))")),
    Right("4.4", "db with keepdims=True: (1, H) assigned into the (H,) array", code=edit(
        AFFINE, "dout.sum(axis=0)", "np.sum(dout, axis=0, keepdims=True)")),
]
