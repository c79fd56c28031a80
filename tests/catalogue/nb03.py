"""Wrong and right answers for notebook 03 (softmax, cross-entropy and other losses)."""

from catalogue import Right, Wrong
from catalogue.edits import edit

SOFTMAX = """
def softmax(x):
    z = x - x.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)
"""

CROSS_ENTROPY = """
def cross_entropy_error(y, t):
    y = np.asarray(y, dtype=float)
    t = np.asarray(t)
    if y.ndim == 1:
        y = y.reshape(1, -1)
        t = t.reshape(1, -1) if t.size == y.size else t.reshape(1)
    if t.shape == y.shape:
        t = t.argmax(axis=1)
    N = y.shape[0]
    return -np.sum(np.log(y[np.arange(N), t.astype(int)] + 1e-7)) / N
"""

BCE = """
def binary_cross_entropy(y, t):
    delta = 1e-7
    return -np.mean(t * np.log(y + delta) + (1 - t) * np.log(1 - y + delta))
"""

HINGE = """
def hinge_loss(scores, t, margin=1.0):
    s = np.atleast_2d(np.asarray(scores, dtype=float))
    t = np.atleast_1d(np.asarray(t)).astype(int)
    N = s.shape[0]
    right = s[np.arange(N), t][:, None]
    margins = np.maximum(0, s - right + margin)
    margins[np.arange(N), t] = 0
    return margins.sum() / N
"""

CASES = [
    # --- 3.1 softmax ------------------------------------------------------------------------
    Wrong("3.1", "no shift: exp(1000) overflows", fails_at="large scores", code="""
def softmax(x):
    e = np.exp(x)
    return e / e.sum(axis=-1, keepdims=True)
"""),
    Wrong("3.1", "subtracts the row mean instead of the max: NaN for [0, 2000]", fails_at="large scores",
          code=edit(SOFTMAX, "x.max(axis=-1, keepdims=True)", "x.mean(axis=-1, keepdims=True)")),
    Wrong("3.1", "subtracts the row minimum", fails_at="large scores",
          code=edit(SOFTMAX, "x.max(axis=-1, keepdims=True)", "x.min(axis=-1, keepdims=True)")),
    Wrong("3.1", "one maximum for the whole batch", fails_at="one maximum per row",
          code=edit(SOFTMAX, "x.max(axis=-1, keepdims=True)", "np.max(x)")),
    Wrong("3.1", "normalises over the whole batch, not each row", fails_at="every row sums to 1",
          code=edit(SOFTMAX, "e.sum(axis=-1, keepdims=True)", "e.sum()")),
    Wrong("3.1", "sums without keepdims: the (N,) vector divides the columns", fails_at="every row sums to 1",
          code=edit(SOFTMAX, "e.sum(axis=-1, keepdims=True)", "e.sum(axis=-1)")),
    Wrong("3.1", "axis=0: normalises the columns of a batch", fails_at="every row sums to 1",
          code=SOFTMAX.replace("axis=-1", "axis=0")),
    Wrong("3.1", "shifts its input in place", fails_at="modified its input", code="""
def softmax(x):
    x -= x.max(axis=-1, keepdims=True)
    e = np.exp(x)
    return e / e.sum(axis=-1, keepdims=True)
"""),
    Right("3.1", "the log-sum-exp form: exp(x - logsumexp(x))", code="""
def softmax(x):
    m = x.max(axis=-1, keepdims=True)
    log_norm = m + np.log(np.exp(x - m).sum(axis=-1, keepdims=True))
    return np.exp(x - log_norm)
"""),
    Right("3.1", "a loop over the rows of a batch", code="""
def softmax(x):
    if x.ndim == 1:
        e = np.exp(x - np.max(x))
        return e / np.sum(e)
    return np.array([softmax(row) for row in x])
"""),

    # --- 3.2 cross-entropy -------------------------------------------------------------------
    Wrong("3.2", "no delta: log(0) for a probability 0", fails_at="probability 0",
          code=edit(CROSS_ENTROPY, "+ 1e-7))", "))")),
    Wrong("3.2", "the sum over the batch, not the mean", fails_at="the mean over the batch",
          code=edit(CROSS_ENTROPY, ")) / N", "))")),
    Wrong("3.2", "delta 1e-5 instead of 1e-7", fails_at="one sample, one-hot",
          code=edit(CROSS_ENTROPY, "1e-7", "1e-5")),
    Wrong("3.2", "one-hot formula only: t * log(y) breaks for labels", fails_at="label target", code="""
def cross_entropy_error(y, t):
    if y.ndim == 1:
        y, t = y.reshape(1, -1), t.reshape(1, -1)
    return -np.sum(t * np.log(y + 1e-7)) / y.shape[0]
"""),
    Wrong("3.2", "y[t] instead of y[np.arange(N), t]: picks whole rows", fails_at="one sample",
          code=edit(CROSS_ENTROPY, "y[np.arange(N), t.astype(int)]", "y[t.astype(int)]")),
    Wrong("3.2", "divides by the number of classes", fails_at="one sample",
          code=edit(CROSS_ENTROPY, "N = y.shape[0]\n", "N = y.shape[0]\n    M = y.shape[1]\n").replace(") / N", ") / M")),
    Wrong("3.2", "the sign is missing", fails_at="one sample, one-hot",
          code=edit(CROSS_ENTROPY, "return -np.sum", "return np.sum")),
    Right("3.2", "labels always, through np.take_along_axis and np.mean", code="""
def cross_entropy_error(y, t):
    y = np.atleast_2d(y)
    t = np.asarray(t)
    labels = t.argmax(axis=-1) if t.shape[-1:] == y.shape[-1:] and t.ndim >= 1 and t.size == y.size else t
    labels = np.atleast_1d(labels).astype(int).reshape(-1, 1)
    return float(-np.mean(np.log(np.take_along_axis(y, labels, axis=1) + 1e-7)))
"""),

    # --- 3.3 mean squared error --------------------------------------------------------------
    Wrong("3.3", "no 1/2", fails_at="one sample", code="""
def mean_squared_error(y, t):
    return np.mean((y - t) ** 2)
"""),
    Wrong("3.3", "half the sum, not the mean", fails_at="one sample", code="""
def mean_squared_error(y, t):
    return 0.5 * np.sum((y - t) ** 2)
"""),
    Wrong("3.3", "divides by the number of rows only", fails_at="all N * C entries", code="""
def mean_squared_error(y, t):
    return 0.5 * np.sum((y - t) ** 2) / len(y)
"""),
    Wrong("3.3", "squares the mean difference", fails_at="one sample", code="""
def mean_squared_error(y, t):
    return 0.5 * np.mean(y - t) ** 2
"""),
    Wrong("3.3", "the mean over axis 0: one number per class", fails_at="all N * C entries", code="""
def mean_squared_error(y, t):
    return 0.5 * np.mean((y - t) ** 2, axis=0)
"""),
    Right("3.3", "np.sum / size", code="""
def mean_squared_error(y, t):
    d = np.asarray(y, dtype=float) - t
    return float(np.sum(d * d) / (2 * d.size))
"""),

    # --- 3.4 binary cross-entropy -----------------------------------------------------------------
    Wrong("3.4", "no delta: log(0) when y is exactly 0 or 1", fails_at="y exactly 0 or 1",
          code=edit(BCE, "delta = 1e-7", "delta = 0.0")),
    Wrong("3.4", "delta in the first log only", fails_at="y exactly 0 or 1",
          code=edit(BCE, "np.log(1 - y + delta)", "np.log(1 - y)")),
    Wrong("3.4", "the sign is flipped", fails_at="the mean over the batch", code=edit(BCE, "return -np.mean", "return np.mean")),
    Wrong("3.4", "the sum, not the mean", fails_at="the mean over the batch", code=edit(BCE, "-np.mean", "-np.sum")),
    Wrong("3.4", "dot products: only for 1-D y and t", fails_at="(N, 1) output column", code="""
def binary_cross_entropy(y, t):
    delta = 1e-7
    return -(t @ np.log(y + delta) + (1 - t) @ np.log(1 - y + delta)) / len(y)
"""),
    Wrong("3.4", "(1 - t) * log(y): the second term uses y, not 1 - y", fails_at="the mean over the batch",
          code=edit(BCE, "np.log(1 - y + delta)", "np.log(y + delta)")),
    Right("3.4", "np.where picks the log of the right probability", code="""
def binary_cross_entropy(y, t):
    p = np.where(t == 1, y, 1 - y)
    return float(-np.mean(np.log(p + 1e-7)))
"""),

    # --- 3.5 hinge loss ----------------------------------------------------------------------------
    Wrong("3.5", "the largest margin only, not the sum over wrong classes", fails_at="every wrong class counted",
          code=edit(HINGE, "return margins.sum() / N", "return margins.max(axis=1).sum() / N")),
    Wrong("3.5", "the right class is compared with itself (adds the margin)", fails_at="one sample",
          code=edit(HINGE, "    margins[np.arange(N), t] = 0\n", "")),
    Wrong("3.5", "the sum over the batch, not the mean", fails_at="the mean over the batch",
          code=edit(HINGE, "return margins.sum() / N", "return margins.sum()")),
    Wrong("3.5", "the right-class score as a row, not a column", fails_at="the mean over the batch",
          code=edit(HINGE, "right = s[np.arange(N), t][:, None]", "right = s[np.arange(N), t]")),
    Wrong("3.5", "margin 1 hard-coded", fails_at="another margin",
          code=edit(HINGE, "s - right + margin", "s - right + 1")),
    Wrong("3.5", "zeroes the right class with margins[:, t] (whole columns)", fails_at="the mean over the batch",
          code=edit(HINGE, "margins[np.arange(N), t] = 0", "margins[:, t] = 0")),
    Right("3.5", "a loop over samples and classes", code="""
def hinge_loss(scores, t, margin=1.0):
    s = np.atleast_2d(scores)
    t = np.atleast_1d(t)
    total = 0.0
    for i in range(s.shape[0]):
        for j in range(s.shape[1]):
            if j != t[i]:
                total += max(0.0, s[i, j] - s[i, t[i]] + margin)
    return total / s.shape[0]
"""),

    # --- found by red-teaming the checks ---------------------------------------------------
    Wrong("3.2", "clips the probabilities at 1e-7 instead of adding delta: -log(1e-6) for y = 1e-6",
          fails_at="probability 0", code="""
def cross_entropy_error(y, t):
    y = np.atleast_2d(y)
    if np.size(t) == y.size:
        t = np.reshape(t, y.shape).argmax(axis=1)
    t = np.atleast_1d(t)
    N = y.shape[0]
    return -np.sum(np.log(np.clip(y[np.arange(N), t], 1e-7, 1.0))) / N
"""),
    Wrong("3.4", "clips y to [1e-7, 1 - 1e-7] instead of adding delta inside the logs",
          fails_at="y exactly 0 or 1", code="""
def binary_cross_entropy(y, t):
    y = np.clip(y, 1e-7, 1 - 1e-7)
    return -np.mean(t * np.log(y) + (1 - t) * np.log(1 - y))
"""),
    Wrong("3.4", "delta in the first log, np.maximum(1 - y, 1e-7) in the second", fails_at="y exactly 0 or 1",
          code="""
def binary_cross_entropy(y, t):
    return -np.mean(t * np.log(y + 1e-7) + (1 - t) * np.log(np.maximum(1 - y, 1e-7)))
"""),
    Wrong("3.5", "leaves out the right class by comparing scores: a wrong class tied with it drops out too",
          fails_at="every wrong class counted", code="""
def hinge_loss(scores, t, margin=1.0):
    s = np.atleast_2d(scores)
    t = np.atleast_1d(t)
    N = s.shape[0]
    right = s[np.arange(N), t][:, None]
    margins = np.maximum(0, s - right + margin)
    return margins[s != right].sum() / N
"""),
    Wrong("3.5", "zeroes every margin equal to `margin`, meaning the right class's", fails_at="every wrong class counted",
          code="""
def hinge_loss(scores, t, margin=1.0):
    s = np.atleast_2d(scores)
    t = np.atleast_1d(t)
    N = s.shape[0]
    margins = np.maximum(0, s - s[np.arange(N), t][:, None] + margin)
    margins[margins == margin] = 0
    return margins.sum() / N
"""),
    Right("3.1", "a batch transposed so that the classes run down the columns", code="""
def softmax(x):
    if x.ndim == 2:
        z = x.T - x.max(axis=1)
        e = np.exp(z)
        return (e / e.sum(axis=0)).T
    e = np.exp(x - np.max(x))
    return e / np.sum(e)
"""),
    Right("3.2", "one-hot targets as a sum of t * log(y), labels by fancy indexing", code="""
def cross_entropy_error(y, t):
    if np.ndim(t) == np.ndim(y):
        return -np.sum(t * np.log(y + 1e-7)) / np.atleast_2d(y).shape[0]
    y = np.atleast_2d(y)
    t = np.atleast_1d(t)
    return -np.mean(np.log(y[np.arange(len(t)), t] + 1e-7))
"""),
    Right("3.4", "np.where on the target picks one log per sample", code="""
def binary_cross_entropy(y, t):
    return -np.mean(np.where(t == 1, np.log(y + 1e-7), np.log(1 - y + 1e-7)))
"""),
    Right("3.5", "the right class counted like the others, then N * margin taken off", code="""
def hinge_loss(scores, t, margin=1.0):
    s = np.atleast_2d(scores)
    t = np.atleast_1d(t)
    N = s.shape[0]
    right = s[np.arange(N), t][:, None]
    return (np.maximum(0, s - right + margin).sum() - N * margin) / N
"""),
]
