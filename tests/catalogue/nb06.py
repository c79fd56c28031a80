"""Wrong and right answers for notebook 06 (the iris capstone)."""

from catalogue import Right, Wrong
from catalogue.edits import edit

SPLIT = """
def stratified_split(X, y, test_fraction, rng):
    labels, counts = np.unique(y, return_counts=True)
    n_test = int(round(len(y) * test_fraction))
    share = counts * n_test / len(y)
    per_class = np.floor(share).astype(int)
    per_class[np.argsort(-(share - per_class), kind="stable")[: n_test - per_class.sum()]] += 1
    test_rows = np.concatenate([rng.permutation(np.flatnonzero(y == label))[:k]
                                for label, k in zip(labels, per_class)])
    is_test = np.zeros(len(y), dtype=bool)
    is_test[test_rows] = True
    train_rows = rng.permutation(np.flatnonzero(~is_test))
    test_rows = rng.permutation(np.flatnonzero(is_test))
    return X[train_rows], X[test_rows], y[train_rows], y[test_rows]
"""

STANDARDIZE = """
def standardize(X_train, X_test):
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    return (X_train - mean) / std, (X_test - mean) / std
"""

ACCURACY = """
def accuracy(scores, labels):
    return float(np.mean(scores.argmax(axis=1) == labels))
"""

CONFUSION = """
def confusion_matrix(labels, predicted, num_classes):
    M = np.zeros((num_classes, num_classes), dtype=int)
    for t, p in zip(labels, predicted):
        M[t, p] += 1
    return M
"""

NET = """
class TwoLayerNet:
    def __init__(self, input_size, hidden_size, output_size, rng):
        W1 = rng.standard_normal((input_size, hidden_size)) * np.sqrt(2 / input_size)
        W2 = rng.standard_normal((hidden_size, output_size)) * np.sqrt(2 / hidden_size)
        self.layers = [Affine(W1, np.zeros(hidden_size)), Relu(), Affine(W2, np.zeros(output_size))]
        self.loss_layer = SoftmaxWithLoss()
        self.params, self.grads = [], []
        for layer in self.layers:
            self.params += layer.params
            self.grads += layer.grads

    def predict(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def forward(self, x, t):
        return self.loss_layer.forward(self.predict(x), t)

    def backward(self, dout=1.0):
        dout = self.loss_layer.backward(dout)
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout
"""

TRAIN = """
def train(model, X, T, lr, epochs):
    optimizer = SGD(lr)
    losses = []
    for epoch in range(epochs):
        losses.append(model.forward(X, T))
        model.backward()
        optimizer.update(model.params, model.grads)
    return losses
"""

CASES = [
    # --- 6.1 stratified split ----------------------------------------------------------------------
    Wrong("6.1", "takes the first rows of each class: no shuffling within a class", fails_at="within each class",
          code=edit(SPLIT, "rng.permutation(np.flatnonzero(y == label))[:k]", "np.flatnonzero(y == label)[:k]")),
    Wrong("6.1", "takes the last rows of each class: no shuffling within a class",
          fails_at="within each class", code=edit(
              SPLIT, "rng.permutation(np.flatnonzero(y == label))[:k]", "np.flatnonzero(y == label)[-k:]")),
    Wrong("6.1", "never shuffles the two parts: sorted by class", fails_at="both parts are shuffled", code=edit(edit(
        SPLIT, "train_rows = rng.permutation(np.flatnonzero(~is_test))", "train_rows = np.flatnonzero(~is_test)"),
        "test_rows = rng.permutation(np.flatnonzero(is_test))", "test_rows = np.flatnonzero(is_test)")),
    Wrong("6.1", "np.random instead of the rng passed in", fails_at="randomness comes from rng",
          code=SPLIT.replace("rng.permutation", "np.random.permutation")),
    Wrong("6.1", "X and y indexed with different shuffles", fails_at="next to its label",
          code=edit(SPLIT, "X[train_rows], X[test_rows], y[train_rows], y[test_rows]",
                    "X[train_rows], X[test_rows], y[rng.permutation(train_rows)], y[test_rows]")),
    Wrong("6.1", "rounds each class's share down: 16 + 16 + 16 test flowers", fails_at="the iris sizes", code="""
def stratified_split(X, y, test_fraction, rng):
    test_rows = np.concatenate([rng.permutation(np.flatnonzero(y == label))[:int(np.sum(y == label) * test_fraction)]
                                for label in np.unique(y)])
    is_test = np.zeros(len(y), dtype=bool)
    is_test[test_rows] = True
    train_rows = rng.permutation(np.flatnonzero(~is_test))
    test_rows = rng.permutation(test_rows)
    return X[train_rows], X[test_rows], y[train_rows], y[test_rows]
"""),
    Wrong("6.1", "the training part keeps every row, test rows included", fails_at="every row lands in one part",
          code=edit(SPLIT, "rng.permutation(np.flatnonzero(~is_test))", "rng.permutation(len(y))")),
    Right("6.1", "shuffles each class and splits it with slices", code="""
def stratified_split(X, y, test_fraction, rng):
    labels, counts = np.unique(y, return_counts=True)
    n_test = int(round(len(y) * test_fraction))
    share = counts * n_test / len(y)
    per_class = np.floor(share).astype(int)
    per_class[np.argsort(-(share - per_class), kind="stable")[: n_test - per_class.sum()]] += 1
    train_parts, test_parts = [], []
    for label, k in zip(labels, per_class):
        rows = np.flatnonzero(y == label)
        rng.shuffle(rows)
        test_parts.append(rows[:k])
        train_parts.append(rows[k:])
    train_rows = rng.permutation(np.concatenate(train_parts))
    test_rows = rng.permutation(np.concatenate(test_parts))
    return X[train_rows], X[test_rows], y[train_rows], y[test_rows]
"""),

    # --- 6.2 standardisation ------------------------------------------------------------------------------
    Wrong("6.2", "the sample standard deviation (ddof=1)", fails_at="mean 0 and std 1",
          code=edit(STANDARDIZE, "X_train.std(axis=0)", "X_train.std(axis=0, ddof=1)")),
    Wrong("6.2", "the test part scaled with its own statistics", fails_at="no peeking", code="""
def standardize(X_train, X_test):
    def scale(X):
        std = X.std(axis=0)
        return (X - X.mean(axis=0)) / np.where(std > 0, std, 1.0)
    return scale(X_train), scale(X_test)
"""),
    Wrong("6.2", "statistics of the rows, not the columns (axis=1)", fails_at="mean 0 and std 1",
          code=STANDARDIZE.replace("axis=0", "axis=1").replace("(X_train - mean) / std, (X_test - mean) / std",
                                                             "(X_train - mean[:, None]) / std[:, None], X_test")),
    Wrong("6.2", "no guard for a constant column", fails_at="constant column",
          code=edit(STANDARDIZE, "    std = np.where(std > 0, std, 1.0)\n", "")),
    Wrong("6.2", "adds 1e-8 to the std instead: a constant column blows the test part up", fails_at="constant column",
          code=edit(STANDARDIZE, "np.where(std > 0, std, 1.0)", "std + 1e-8")),
    Wrong("6.2", "standardises the training part in place", fails_at="modified its input", code="""
def standardize(X_train, X_test):
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    X_train -= mean
    X_train /= std
    return X_train, (X_test - mean) / std
"""),
    Right("6.2", "the course's Standardizer", code="""
from helpers.data import Standardizer

def standardize(X_train, X_test):
    scaler = Standardizer().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test)
"""),

    # --- 6.3 accuracy -----------------------------------------------------------------------------------------
    Wrong("6.3", "argmax over axis 0", fails_at="3 of 4 rows right", code=ACCURACY.replace("axis=1", "axis=0")),
    Wrong("6.3", "the count, not the fraction", fails_at="3 of 4 rows right", code=edit(ACCURACY, "np.mean", "np.sum")),
    Wrong("6.3", "the largest score compared with the label", fails_at="3 of 4 rows right",
          code=edit(ACCURACY, "scores.argmax(axis=1)", "scores.max(axis=1)")),
    Wrong("6.3", "np.argmax over the flattened scores", fails_at="3 of 4 rows right",
          code=edit(ACCURACY, "scores.argmax(axis=1)", "np.argmax(scores)")),
    Wrong("6.3", "the argmin: treats scores as distances", fails_at="3 of 4 rows right",
          code=edit(ACCURACY, "scores.argmax(axis=1)", "scores.argmin(axis=1)")),
    Right("6.3", "np.count_nonzero over the number of rows", code="""
def accuracy(scores, labels):
    return np.count_nonzero(np.argmax(scores, axis=-1) == labels) / len(labels)
"""),

    # --- 6.4 confusion matrix ------------------------------------------------------------------------------------
    Wrong("6.4", "transposed: predictions down the rows", fails_at="rows are true classes",
          code=edit(CONFUSION, "M[t, p] += 1", "M[p, t] += 1")),
    Wrong("6.4", "fancy-index += 1 counts a repeated pair once", fails_at="repeated pairs",
          code=edit(CONFUSION, "    for t, p in zip(labels, predicted):\n        M[t, p] += 1\n",
                    "    M[labels, predicted] += 1\n")),
    Wrong("6.4", "= 1 instead of += 1", fails_at="repeated pairs", code=edit(CONFUSION, "M[t, p] += 1", "M[t, p] = 1")),
    Wrong("6.4", "size from the labels that occur", fails_at="never occurs", code=edit(
        CONFUSION, "np.zeros((num_classes, num_classes), dtype=int)",
        "np.zeros((max(labels.max(), predicted.max()) + 1,) * 2, dtype=int)")),
    Wrong("6.4", "a float matrix", fails_at="rows are true classes",
          code=edit(CONFUSION, "np.zeros((num_classes, num_classes), dtype=int)", "np.zeros((num_classes, num_classes))")),
    Wrong("6.4", "skips the last pair (range(len - 1))", fails_at="rows are true classes", code="""
def confusion_matrix(labels, predicted, num_classes):
    M = np.zeros((num_classes, num_classes), dtype=int)
    for i in range(len(labels) - 1):
        M[labels[i], predicted[i]] += 1
    return M
"""),
    Right("6.4", "np.add.at", code="""
def confusion_matrix(labels, predicted, num_classes):
    M = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(M, (labels, predicted), 1)
    return M
"""),
    Right("6.4", "np.bincount of a combined index", code="""
def confusion_matrix(labels, predicted, num_classes):
    return np.bincount(labels * num_classes + predicted, minlength=num_classes ** 2).reshape(num_classes, num_classes)
"""),

    # --- 6.5 TwoLayerNet ------------------------------------------------------------------------------------------
    Wrong("6.5", "backward does not return dL/dx", fails_at="returns dL/dx",
          code=edit(NET, "            dout = layer.backward(dout)\n        return dout",
                    "            dout = layer.backward(dout)")),
    Wrong("6.5", "Xavier scale sqrt(1 / fan_in)", fails_at="He initialisation",
          code=NET.replace("np.sqrt(2 / input_size)", "np.sqrt(1 / input_size)").replace(
              "np.sqrt(2 / hidden_size)", "np.sqrt(1 / hidden_size)")),
    Wrong("6.5", "W2 drawn before W1", fails_at="W1 first, then W2", code=edit(
        NET, "        W1 = rng.standard_normal((input_size, hidden_size)) * np.sqrt(2 / input_size)\n"
             "        W2 = rng.standard_normal((hidden_size, output_size)) * np.sqrt(2 / hidden_size)\n",
        "        W2 = rng.standard_normal((hidden_size, output_size)) * np.sqrt(2 / hidden_size)\n"
        "        W1 = rng.standard_normal((input_size, hidden_size)) * np.sqrt(2 / input_size)\n")),
    Wrong("6.5", "params lists copies of the weights", fails_at="predict(x)",
          code=edit(NET, "self.params += layer.params", "self.params += [p.copy() for p in layer.params]")),
    Wrong("6.5", "grads lists its own zero arrays, not the layers'", fails_at="every gradient matches",
          code=edit(NET, "self.grads += layer.grads", "self.grads += [np.zeros_like(g) for g in layer.grads]")),
    Wrong("6.5", "predict applies a softmax", fails_at="predict(x)", code=edit(
        NET, "            x = layer.forward(x)\n        return x",
        "            x = layer.forward(x)\n        e = np.exp(x - x.max(axis=1, keepdims=True))\n"
        "        return e / e.sum(axis=1, keepdims=True)")),
    Wrong("6.5", "backward goes through the layers in forward order", fails_at="every gradient matches",
          code=edit(NET, "reversed(self.layers)", "self.layers")),
    Wrong("6.5", "no ReLU between the two Affine layers", fails_at="predict(x)",
          code=edit(NET, "Relu(), ", "")),
    Right("6.5", "named layers and an explicit backward", code="""
class TwoLayerNet:
    def __init__(self, input_size, hidden_size, output_size, rng):
        W1 = np.sqrt(2.0 / input_size) * rng.standard_normal((input_size, hidden_size))
        W2 = np.sqrt(2.0 / hidden_size) * rng.standard_normal((hidden_size, output_size))
        self.affine1, self.relu = Affine(W1, np.zeros(hidden_size)), Relu()
        self.affine2, self.loss_layer = Affine(W2, np.zeros(output_size)), SoftmaxWithLoss()
        self.layers = [self.affine1, self.relu, self.affine2]
        self.params = self.affine1.params + self.affine2.params
        self.grads = self.affine1.grads + self.affine2.grads

    def predict(self, x):
        return self.affine2.forward(self.relu.forward(self.affine1.forward(x)))

    def forward(self, x, t):
        return self.loss_layer.forward(self.predict(x), t)

    def backward(self, dout=1.0):
        d = self.loss_layer.backward(dout)
        return self.affine1.backward(self.relu.backward(self.affine2.backward(d)))
"""),

    # --- 6.6 training ---------------------------------------------------------------------------------------------
    Wrong("6.6", "records the loss after the update", fails_at="the first before any update", code="""
def train(model, X, T, lr, epochs):
    optimizer = SGD(lr)
    losses = []
    for epoch in range(epochs):
        model.forward(X, T)
        model.backward()
        optimizer.update(model.params, model.grads)
        losses.append(model.forward(X, T))
    return losses
"""),
    Wrong("6.6", "one epoch too few", fails_at="one loss per epoch", code=edit(TRAIN, "range(epochs)", "range(epochs - 1)")),
    Wrong("6.6", "a fixed learning rate", fails_at="plain gradient-descent steps", code=edit(TRAIN, "SGD(lr)", "SGD(0.1)")),
    Wrong("6.6", "returns the last loss only", fails_at="one loss per epoch", code=edit(TRAIN, "return losses", "return losses[-1]")),
    Wrong("6.6", "forgets backward: the update uses stale gradients", fails_at="plain gradient-descent steps",
          code=edit(TRAIN, "        model.backward()\n", "")),
    Wrong("6.6", "mini-batches of 4 instead of the full batch", fails_at="plain gradient-descent steps", code="""
def train(model, X, T, lr, epochs):
    optimizer = SGD(lr)
    losses = []
    for epoch in range(epochs):
        losses.append(model.forward(X, T))
        for start in range(0, len(X), 4):
            model.forward(X[start:start + 4], T[start:start + 4])
            model.backward()
            optimizer.update(model.params, model.grads)
    return losses
"""),
    Right("6.6", "the update written out, losses in a NumPy array", code="""
def train(model, X, T, lr, epochs):
    losses = np.zeros(epochs)
    for epoch in range(epochs):
        losses[epoch] = model.forward(X, T)
        model.backward()
        for p, g in zip(model.params, model.grads):
            p -= lr * g
    return losses
"""),

    # --- found by red-teaming the checks ---------------------------------------------------
    Wrong("6.1", "one permutation of the class size reused for every class: assumes iris's equal classes",
          fails_at="classes of different sizes", code=edit(
        SPLIT, "rng.permutation(np.flatnonzero(y == label))[:k]",
        "np.flatnonzero(y == label)[rng.permutation(len(y) // len(labels))][:k]")),
    Wrong("6.5", "backward calls the loss layer's backward() with its default, ignoring dout",
          fails_at="backward(dout) passes dout on", code=edit(
        NET, "dout = self.loss_layer.backward(dout)", "dout = self.loss_layer.backward()")),
    Wrong("6.5", "backward multiplies by dout twice, once in the loss layer and once after it",
          fails_at="backward(dout) passes dout on", code=edit(
        NET, "dout = self.loss_layer.backward(dout)", "dout = self.loss_layer.backward(dout) * dout")),
    Right("6.1", "the training rows from np.setdiff1d", code=edit(
        SPLIT, "rng.permutation(np.flatnonzero(~is_test))",
        "rng.permutation(np.setdiff1d(np.arange(len(y)), np.flatnonzero(is_test)))")),
    Right("6.2", "keepdims statistics, a zero std replaced through a mask", code="""
def standardize(X_train, X_test):
    mean = X_train.mean(axis=0, keepdims=True)
    std = X_train.std(axis=0, keepdims=True)
    std[std == 0] = 1.0
    return (X_train - mean) / std, (X_test - mean) / std
"""),
    Right("6.4", "np.bincount of t * C + p, reshaped", code="""
def confusion_matrix(labels, predicted, num_classes):
    flat = np.bincount(labels * num_classes + predicted, minlength=num_classes ** 2)
    return flat.reshape(num_classes, num_classes)
"""),
    Right("6.5", "rng.normal(0, std, size) draws the same numbers as standard_normal * std", code=edit(edit(
        NET, "rng.standard_normal((input_size, hidden_size)) * np.sqrt(2 / input_size)",
        "rng.normal(0.0, np.sqrt(2 / input_size), size=(input_size, hidden_size))"),
        "rng.standard_normal((hidden_size, output_size)) * np.sqrt(2 / hidden_size)",
        "rng.normal(0.0, np.sqrt(2 / hidden_size), size=(hidden_size, output_size))")),
]
