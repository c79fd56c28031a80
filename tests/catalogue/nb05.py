"""Wrong and right answers for notebook 05 (SGD, mini-batches, a training step, accuracy)."""

from catalogue import Right, Wrong
from catalogue.edits import edit

SGD = """
class SGD:
    def __init__(self, lr=0.01):
        self.lr = lr

    def update(self, params, grads):
        for p, g in zip(params, grads):
            p -= self.lr * g
"""

MINIBATCHES = """
def minibatches(x, t, batch_size, rng):
    N = len(x)
    order = rng.permutation(N)
    for start in range(0, N, batch_size):
        idx = order[start:start + batch_size]
        yield x[idx], t[idx]
"""

TRAIN_STEP = """
def train_step(model, optimizer, x, t):
    loss = model.forward(x, t)
    model.backward()
    optimizer.update(model.params, model.grads)
    return loss
"""

ACCURACY = """
def accuracy(scores, t):
    if t.ndim == 2:
        t = t.argmax(axis=1)
    return float(np.mean(scores.argmax(axis=1) == t))
"""

CASES = [
    # --- 5.1 SGD -------------------------------------------------------------------------------
    Wrong("5.1", "p = p - lr * g: rebinds the loop variable, the parameters never change",
          fails_at="one parameter", code=edit(SGD, "p -= self.lr * g", "p = p - self.lr * g")),
    Wrong("5.1", "p += lr * g: a step up the gradient", fails_at="one parameter",
          code=edit(SGD, "p -= self.lr * g", "p += self.lr * g")),
    Wrong("5.1", "forgets the learning rate", fails_at="one parameter", code=edit(SGD, "p -= self.lr * g", "p -= g")),
    Wrong("5.1", "replaces the arrays in the list", fails_at="one parameter", code=edit(
        SGD, "        for p, g in zip(params, grads):\n            p -= self.lr * g",
        "        for i in range(len(params)):\n            params[i] = params[i] - self.lr * grads[i]")),
    Wrong("5.1", "scales the gradient in place first (g *= lr)", fails_at="modified its input",
          code=edit(SGD, "p -= self.lr * g", "g *= self.lr\n            p -= g")),
    Wrong("5.1", "updates only the first parameter", fails_at="several parameters", code=edit(
        SGD, "        for p, g in zip(params, grads):\n            p -= self.lr * g",
        "        params[0] -= self.lr * grads[0]")),
    Wrong("5.1", "a learning rate that decays inside update", fails_at="two updates in a row", code=edit(
        SGD, "            p -= self.lr * g", "            p -= self.lr * g\n        self.lr *= 0.5")),
    Right("5.1", "an index loop with np.subtract(..., out=...)", code=edit(
        SGD, "        for p, g in zip(params, grads):\n            p -= self.lr * g",
        "        for i in range(len(params)):\n            np.subtract(params[i], self.lr * grads[i], out=params[i])")),

    # --- 5.2 mini-batches --------------------------------------------------------------------
    Wrong("5.2", "no shuffling: the rows in file order", fails_at="shuffled",
          code=edit(MINIBATCHES, "order = rng.permutation(N)", "order = np.arange(N)")),
    Wrong("5.2", "a fixed seed inside: the same order every epoch", fails_at="new order each epoch",
          code=edit(MINIBATCHES, "order = rng.permutation(N)", "order = np.random.default_rng(0).permutation(N)")),
    Wrong("5.2", "keeps the first epoch's order for all later epochs", fails_at="new order each epoch",
          code=edit(edit(MINIBATCHES, "def minibatches(x, t, batch_size, rng):",
                         "def minibatches(x, t, batch_size, rng, _orders={}):"),
                    "order = rng.permutation(N)", "order = _orders.setdefault(N, rng.permutation(N))")),
    Wrong("5.2", "drops the last, shorter batch", fails_at="batch sizes",
          code=edit(MINIBATCHES, "range(0, N, batch_size)", "range(0, N - batch_size + 1, batch_size)")),
    Wrong("5.2", "stops one short: range(0, N - 1, batch_size) loses a last batch of one sample",
          fails_at="batch sizes", code=edit(MINIBATCHES, "range(0, N, batch_size)", "range(0, N - 1, batch_size)")),
    Wrong("5.2", "shuffles x and t separately", fails_at="paired with their targets", code=edit(
        MINIBATCHES, "yield x[idx], t[idx]", "yield x[idx], t[rng.permutation(N)[start:start + batch_size]]")),
    Wrong("5.2", "draws rows with replacement", fails_at="every sample once",
          code=edit(MINIBATCHES, "order = rng.permutation(N)", "order = rng.integers(0, N, size=N)")),
    Wrong("5.2", "shuffles the caller's arrays in place", fails_at="modified its input", code="""
def minibatches(x, t, batch_size, rng):
    order = rng.permutation(len(x))
    x[...] = x[order]
    t[...] = t[order]
    for start in range(0, len(x), batch_size):
        yield x[start:start + batch_size], t[start:start + batch_size]
"""),
    Wrong("5.2", "np.random.permutation instead of the rng passed in", fails_at="rng.permutation(N)",
          code=edit(MINIBATCHES, "order = rng.permutation(N)", "order = np.random.permutation(N)")),
    Right("5.2", "returns a list of pairs built with np.array_split-free slicing", code="""
def minibatches(x, t, batch_size, rng):
    order = rng.permutation(x.shape[0])
    starts = list(range(0, x.shape[0], batch_size))
    return [(x[order[s:s + batch_size]], t[order[s:s + batch_size]]) for s in starts]
"""),

    # --- 5.3 one training step --------------------------------------------------------------------
    Wrong("5.3", "returns nothing", fails_at="returns the batch's loss",
          code=edit(TRAIN_STEP, "    return loss\n", "")),
    Wrong("5.3", "returns the loss after the update", fails_at="returns the batch's loss",
          code=edit(TRAIN_STEP, "    return loss", "    return model.forward(x, t)")),
    Wrong("5.3", "updates before backward: stale gradients", fails_at="fresh gradients", code="""
def train_step(model, optimizer, x, t):
    loss = model.forward(x, t)
    optimizer.update(model.params, model.grads)
    model.backward()
    return loss
"""),
    Wrong("5.3", "calls update twice", fails_at="calls optimizer.update once", code=edit(
        TRAIN_STEP, "    optimizer.update(model.params, model.grads)\n",
        "    optimizer.update(model.params, model.grads)\n    optimizer.update(model.params, model.grads)\n")),
    Wrong("5.3", "params and grads swapped in the update call", fails_at="with model.params",
          code=edit(TRAIN_STEP, "optimizer.update(model.params, model.grads)", "optimizer.update(model.grads, model.params)")),
    Wrong("5.3", "forgets backward: updates with whatever gradients were there", fails_at="fresh gradients",
          code=edit(TRAIN_STEP, "    model.backward()\n", "")),
    Right("5.3", "returns a float and passes the lists by name", code="""
def train_step(model, optimizer, x, t):
    loss = float(model.forward(x, t))
    model.backward()
    params, grads = model.params, model.grads
    optimizer.update(params, grads)
    return loss
"""),

    # --- 5.4 accuracy --------------------------------------------------------------------------------
    Wrong("5.4", "argmax over axis 0", fails_at="3 of 4 rows right", code=ACCURACY.replace("axis=1", "axis=0")),
    Wrong("5.4", "no one-hot handling", fails_at="one-hot targets",
          code=edit(ACCURACY, "    if t.ndim == 2:\n        t = t.argmax(axis=1)\n", "")),
    Wrong("5.4", "the number right, not the fraction", fails_at="3 of 4 rows right",
          code=edit(ACCURACY, "np.mean(", "np.sum(")),
    Wrong("5.4", "a percentage", fails_at="3 of 4 rows right",
          code=edit(ACCURACY, "float(np.mean(scores.argmax(axis=1) == t))", "100 * float(np.mean(scores.argmax(axis=1) == t))")),
    Wrong("5.4", "compares the largest score, not its class, with t", fails_at="3 of 4 rows right",
          code=edit(ACCURACY, "scores.argmax(axis=1) == t", "scores.max(axis=1) == t")),
    Wrong("5.4", "np.argmax without an axis: one index into the flattened array", fails_at="3 of 4 rows right",
          code=edit(ACCURACY, "scores.argmax(axis=1) == t", "np.argmax(scores) == t")),
    Right("5.4", "a loop that counts", code="""
def accuracy(scores, t):
    labels = t.argmax(axis=1) if t.ndim == 2 else t
    right = 0
    for row, label in zip(scores, labels):
        right += int(np.argmax(row) == label)
    return right / len(labels)
"""),

    # --- found by red-teaming the checks ---------------------------------------------------
    Right("5.2", "np.array_split at the batch starts, returned as a list", code="""
def minibatches(x, t, batch_size, rng):
    N = len(x)
    order = rng.permutation(N)
    return [(x[idx], t[idx]) for idx in np.array_split(order, range(batch_size, N, batch_size))]
"""),
    Right("5.2", "shuffled copies of x and t, then plain slices", code="""
def minibatches(x, t, batch_size, rng):
    order = rng.permutation(len(x))
    xs, ts = x[order], t[order]
    for start in range(0, len(x), batch_size):
        yield xs[start:start + batch_size], ts[start:start + batch_size]
"""),
    Right("5.3", "hands the optimizer a copy of the list model.params: the same arrays", code=edit(
        TRAIN_STEP, "optimizer.update(model.params, model.grads)", "optimizer.update(list(model.params), model.grads)")),
]
