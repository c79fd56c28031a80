"""Exercises and quiz of notebook 06: the iris capstone, end to end."""

import numpy as np

from helpers.checking import (CheckFailure, Exercise, call, expect, expect_array, expect_close,
                              expect_no_warning, expect_scalar, expect_scalar_call, hidden_rng)
from helpers.data import Standardizer
from helpers.nn.gradcheck import numerical_gradient, relative_error
from helpers.nn.models import MLPClassifier
from helpers.nn.models import train as ref_train
from helpers.quiz import Choice, Numeric, Quiz

NB = "06_iris_capstone"
GRAD_TOL = 1e-7


def _arr(value):
    """An array as the check messages show it: rounded, continuation lines indented."""
    text = np.array2string(np.asarray(value), precision=4, suppress_small=True, threshold=20, edgeitems=3)
    return text.replace("\n", "\n             ")


def _show(inputs):
    return "".join(f"\n   input:    {k} = {_arr(v)}" for k, v in inputs.items())


# --- 6.1 stratified split --------------------------------------------------------------------

split = Exercise("6.1", NB, "stratified_split", "A stratified, shuffled train/test split", points=2,
                 hint="Shuffle the rows of each class with rng before you take its first per_class[i] for the "
                      "test part; every other row is a training row; shuffle each part once more with rng.",
                 hints=("Work class by class. np.flatnonzero(y == label) lists the row numbers of one class. "
                        "Shuffle them with rng.permutation (within the class!) and the first per_class[i] of "
                        "the shuffled list are that class's test rows.",
                        "Collect the test rows of all classes (np.concatenate). The training rows are all the "
                        "others: mark the test rows in a boolean mask is_test = np.zeros(len(y), dtype=bool), "
                        "then np.flatnonzero(~is_test).",
                        "Shuffle each part once more with rng.permutation, so the species are mixed, and draw "
                        "every random number from rng, never from np.random.",
                        "test_rows = np.concatenate([rng.permutation(np.flatnonzero(y == label))[:k]\n"
                        "                            for label, k in zip(labels, per_class)])\n"
                        "   is_test = np.zeros(len(y), dtype=bool)\n"
                        "   is_test[test_rows] = True\n"
                        "   train_rows = rng.permutation(np.flatnonzero(~is_test))\n"
                        "   test_rows = rng.permutation(np.flatnonzero(is_test))"))


def _test_counts(sizes, test_fraction):
    """Test rows per class: the share of round(N * fraction), largest remainders first (as the notebook gives)."""
    counts = np.asarray(sizes)
    n_test = int(round(counts.sum() * test_fraction))
    share = counts * n_test / counts.sum()
    per_class = np.floor(share).astype(int)
    per_class[np.argsort(-(share - per_class), kind="stable")[: n_test - per_class.sum()]] += 1
    return per_class


def _sorted_data(sizes, n_features=2):
    """Rows sorted by class, like iris.csv. Column 0 is the row number, column 1 the label."""
    y = np.repeat(np.arange(len(sizes)), sizes)
    X = np.zeros((len(y), n_features))
    X[:, 0] = np.arange(len(y))
    X[:, 1] = y
    for k in range(2, n_features):
        X[:, k] = np.sin(np.arange(len(y)) * (k + 1))
    return X, y


def _run_split(stratified_split, X, y, test_fraction, seed):
    inputs = {"y": y, "test_fraction": test_fraction}
    shown = f"stratified_split(X, y, {test_fraction:.4g}, np.random.default_rng({seed}))"
    out = call(stratified_split, X, y, test_fraction, np.random.default_rng(seed), call_text=shown, inputs=inputs)
    expect(isinstance(out, (tuple, list)) and len(out) == 4,
           f"{shown} should return four arrays",
           f"{shown} returned {type(out).__name__}"
           f"{f' of length {len(out)}' if isinstance(out, (tuple, list)) else ''}, "
           "expected (X_train, X_test, y_train, y_test).",
           "End with `return X[train_rows], X[test_rows], y[train_rows], y[test_rows]`.")
    X_tr, X_te, y_tr, y_te = out
    for name, value in zip(("X_train", "X_test", "y_train", "y_test"), out):
        expect_array(value, what=f"{name} from {shown}", inputs=inputs)
    return shown, inputs, X_tr, X_te, y_tr, y_te


def _check_split(stratified_split, sizes, test_fraction, seed, n_features=2):
    X, y = _sorted_data(sizes, n_features)
    shown, inputs, X_tr, X_te, y_tr, y_te = _run_split(stratified_split, X, y, test_fraction, seed)
    labels = np.unique(y)
    want_test = _test_counts(sizes, test_fraction)
    want_train = np.array(sizes) - want_test
    n_test, n_train = int(want_test.sum()), int(want_train.sum())
    for name, value, shape in (("X_train", X_tr, (n_train, X.shape[1])), ("X_test", X_te, (n_test, X.shape[1])),
                               ("y_train", y_tr, (n_train,)), ("y_test", y_te, (n_test,))):
        expect_array(value, shape=shape, what=f"{name} from {shown}", inputs=inputs,
                     hint="Class k contributes per_class[k] rows (computed for you at the top of the "
                          "function) to the test part and all its other rows to the training part.")
    got_test = np.array([np.sum(y_te == k) for k in labels])
    got_train = np.array([np.sum(y_tr == k) for k in labels])
    expect(np.array_equal(got_test, want_test) and np.array_equal(got_train, want_train),
           "the classes do not keep their share in both parts",
           f"{shown}: flowers per class in the test part {got_test.tolist()}, expected {want_test.tolist()}; "
           f"in the training part {got_train.tolist()}, expected {want_train.tolist()}.",
           "Split each class separately: take per_class[k] of its rows (shuffled) for the test part, keep "
           "the rest for training. Keep the given lines that compute per_class.")
    ids = np.concatenate([X_tr[:, 0], X_te[:, 0]])
    expect(np.array_equal(np.sort(ids), np.arange(len(y))),
           "some rows are missing or appear twice",
           f"{shown}: every row of X must land in exactly one of the two parts; the row numbers found "
           f"(sorted) are {np.sort(ids).astype(int).tolist()[:30]}{'...' if len(ids) > 30 else ''}.",
           "Build the test rows first, then take every other row for training (np.flatnonzero of a mask).")
    expect(np.array_equal(X_tr[:, 1], y_tr) and np.array_equal(X_te[:, 1], y_te),
           "X and y were shuffled differently: a row no longer sits next to its label",
           f"{shown}: X_train[i] and y_train[i] must come from the same row of the data.",
           "Index X and y with the same array of row numbers.")
    return X_tr, X_te, y_tr, y_te


@split.step("each class keeps its share; every row lands in one part, next to its label")
def _(stratified_split):
    _check_split(stratified_split, [6, 6, 6], 1 / 3, 0)


@split.step("the iris sizes: 50 of each species -> 100 for training, 50 (17 + 17 + 16) for testing")
def _(stratified_split):
    _check_split(stratified_split, [50, 50, 50], 1 / 3, 1, n_features=4)


@split.step("classes of different sizes (7, 4 and 9 rows): each keeps its share")
def _(stratified_split):
    # Code that assumes iris's equal classes (one permutation of the class size reused for every
    # class, len(y) // n_classes rows each) passes the two steps above and fails here.
    _check_split(stratified_split, [7, 4, 9], 0.25, 3)


@split.step("both parts are shuffled (the species are mixed, not in file order)")
def _(stratified_split):
    X_tr, X_te, y_tr, y_te = _check_split(stratified_split, [50, 50, 50], 1 / 3, 2)
    for name, labels in (("y_train", y_tr), ("y_test", y_te)):
        expect(not np.all(np.diff(labels) >= 0),
               f"{name} is still sorted by class",
               f"{name} = {labels.tolist()[:25]}...: the labels come in blocks, as in the file.",
               "Shuffle each part at the end: train_rows = rng.permutation(train_rows), same for test_rows.")


@split.step("the randomness comes from rng: same seed, same split; other seed, other split")
def _(stratified_split):
    X, y = _sorted_data([10, 10, 10])
    first = _run_split(stratified_split, X, y, 0.3, 7)[2:]
    again = _run_split(stratified_split, X, y, 0.3, 7)[2:]
    expect(all(np.array_equal(a, b) for a, b in zip(first, again)),
           "two calls with the same seed gave different splits",
           "stratified_split(X, y, 0.3, np.random.default_rng(7)) gave different results on two calls.",
           "Draw every random number from the `rng` argument (rng.permutation), never from np.random.")
    others = [_run_split(stratified_split, X, y, 0.3, s)[2:] for s in (8, 9)]
    expect(any(not np.array_equal(o[1], first[1]) for o in others),
           "different seeds gave the same split",
           "np.random.default_rng(7), (8) and (9) all gave the same test part.",
           "Use the `rng` argument to shuffle: rng.permutation(...).")


def _check_within_class(stratified_split, sizes, test_fraction, seeds):
    """Over many seeds, each row must land in the test part with (about) the chance its class gives."""
    X, y = _sorted_data(sizes)
    per_class = _test_counts(sizes, test_fraction)
    in_test = np.zeros(len(y))
    for seed in seeds:
        X_te = _run_split(stratified_split, X, y, test_fraction, seed)[3]
        in_test[X_te[:, 0].astype(int)] += 1
    share = in_test / len(seeds)
    chance = (per_class / np.asarray(sizes))[y]
    # With 200 splits the share of a row has a standard deviation of at most 0.035: a tolerance of
    # 0.15 (over 4 standard deviations) never fails a fair split, and a split that always tests the
    # same rows of a class is off by 0.3 or more.
    worst = int(np.argmax(np.abs(share - chance)))
    expect(abs(share[worst] - chance[worst]) <= 0.15,
           "the test rows of a class are not drawn at random",
           f"over {len(seeds)} splits with different seeds, row {worst} (class {y[worst]}, the rows sorted by "
           f"class as in iris.csv) was in the test part {int(in_test[worst])} times, a share of "
           f"{share[worst]:.2f}; its class sends {per_class[y[worst]]} of its {sizes[y[worst]]} rows to the "
           f"test part, a chance of {chance[worst]:.2f} for each row.",
           "Shuffle the rows of each class before taking its test rows: "
           "rng.permutation(np.flatnonzero(y == label))[:k], not a fixed set of rows (the first or last k).")


@split.step("within each class the test rows are random: each row's chance of being tested is its class's share")
def _(stratified_split):
    _check_within_class(stratified_split, [10, 10, 10], 0.3, range(100, 300))


@split.hidden_step("four classes of different sizes, another fraction and more features")
def _(stratified_split):
    rng = hidden_rng("6.1")
    sizes = [int(n) for n in rng.integers(5, 15, size=4)]
    fraction = float(rng.uniform(0.2, 0.4))
    X_tr, X_te, y_tr, y_te = _check_split(stratified_split, sizes, fraction, int(rng.integers(1000)),
                                          n_features=3)
    expect(not np.all(np.diff(y_tr) >= 0), "the training part is still sorted by class",
           "y_train comes in blocks of equal labels.")
    start = int(rng.integers(1000, 10000))
    _check_within_class(stratified_split, sizes, fraction, range(start, start + 200))


# --- 6.2 standardisation ----------------------------------------------------------------------------

std = Exercise("6.2", NB, "standardize", "Standardise with the training part's mean and std only", points=2,
               hint="One mean and one std per column, computed from X_train only and applied to both parts; "
                    "a std of 0 counts as 1.",
               hints=("Which axis? You want one mean per column (feature), so average down the rows: "
                      "axis=0 gives shape (D,).",
                      "Compute mean and std from X_train only and use the same two arrays for X_test. "
                      "np.where(std > 0, std, 1.0) replaces a zero std by 1.",
                      "mean = X_train.mean(axis=0)\n"
                      "   std = X_train.std(axis=0)\n"
                      "   std = np.where(std > 0, std, 1.0)\n"
                      "   return (X_train - mean) / std, (X_test - mean) / std"))


def _run_std(standardize, X_train, X_test):
    inputs = {"X_train": X_train, "X_test": X_test}
    out = call(standardize, X_train, X_test, call_text="standardize(X_train, X_test)", inputs=inputs)
    return _unpack_std(out, X_train, X_test, inputs)


def _unpack_std(out, X_train, X_test, inputs):
    expect(isinstance(out, (tuple, list)) and len(out) == 2,
           "standardize should return two arrays",
           f"standardize(X_train, X_test) returned {type(out).__name__}, expected (X_train_std, X_test_std).",
           "End with `return (X_train - mean) / std, (X_test - mean) / std`.")
    a = expect_array(out[0], shape=X_train.shape, what="the standardised training part", inputs=inputs)
    b = expect_array(out[1], shape=X_test.shape, what="the standardised test part", inputs=inputs)
    return a, b, inputs


@std.step("hand-made case: training columns get mean 0 and std 1")
def _(standardize):
    X_train = np.array([[0.0, 2.0], [2.0, 6.0], [1.0, 4.0]])   # means 1 and 4
    X_test = np.array([[4.0, 0.0], [1.0, 4.0]])
    a, b, inputs = _run_std(standardize, X_train, X_test)
    sd = np.array([np.sqrt(2 / 3), 2 * np.sqrt(2 / 3)])
    expected = (X_train - [1.0, 4.0]) / sd
    if np.allclose(a, (X_train - [1.0, 4.0]) / X_train.std(axis=0, ddof=1)):
        raise CheckFailure("the training part was divided by the sample std (ddof=1)",
                           f"standardize used std with ddof=1.{_show(inputs)}",
                           "Use X_train.std(axis=0): NumPy's default divides by N, like helpers.Standardizer.")
    expect_close(a, expected, what="the standardised training part", inputs=inputs,
                 hint="Subtract each column's mean and divide by its std: X_train.mean(axis=0), X_train.std(axis=0).")


@std.step("the test part uses the training mean and std (no peeking at the test part)")
def _(standardize):
    X_train = np.array([[0.0, 2.0], [2.0, 6.0], [1.0, 4.0]])
    X_test = np.array([[4.0, 0.0], [1.0, 4.0]])
    a, b, inputs = _run_std(standardize, X_train, X_test)
    sd = np.array([np.sqrt(2 / 3), 2 * np.sqrt(2 / 3)])
    expected = (X_test - [1.0, 4.0]) / sd
    both = np.vstack([X_train, X_test])
    pooled = (X_test - both.mean(axis=0)) / both.std(axis=0)
    own = (X_test - X_test.mean(axis=0)) / X_test.std(axis=0)
    if np.allclose(b, pooled) or np.allclose(b, own):
        raise CheckFailure(
            "the test part was standardised with statistics that include the test part",
            f"the test part was scaled with the mean and std of "
            f"{'train and test together' if np.allclose(b, pooled) else 'the test part itself'}.{_show(inputs)}"
            f"\n   expected: {_arr(expected)}\n   got:      {_arr(b)}",
            "Compute mean and std from X_train only, then apply the same two vectors to X_test.")
    expect_close(b, expected, what="the standardised test part", inputs=inputs,
                 hint="Apply the training part's mean and std to X_test: (X_test - mean) / std.")


@std.step("a constant column: no division by zero (its std counts as 1)")
def _(standardize):
    X_train = np.array([[1.0, 5.0], [3.0, 5.0], [5.0, 5.0], [7.0, 5.0]])
    X_test = np.array([[2.0, 6.0]])
    inputs = {"X_train": X_train, "X_test": X_test}
    out = expect_no_warning(standardize, X_train, X_test, call_text="standardize(X_train, X_test)", inputs=inputs,
                            hint="A column with std 0 would divide by zero: use std = np.where(std > 0, std, 1.0).")
    a, b, _ = _unpack_std(out, X_train, X_test, inputs)
    sd0 = np.sqrt(5.0)
    expect_close(a, np.column_stack([(X_train[:, 0] - 4) / sd0, np.zeros(4)]),
                 what="the standardised training part", inputs=inputs,
                 hint="A constant column becomes all zeros: subtract its mean and divide by 1.")
    expect_close(b, [[(2 - 4) / sd0, 1.0]], what="the standardised test part", inputs=inputs,
                 hint="The constant column's std counts as 1, so the test value 6 becomes (6 - 5) / 1 = 1. "
                      "Replace a std of 0 by 1 with np.where; adding a tiny number instead divides by almost 0.")


@std.hidden_step("other data: matches helpers.data.Standardizer fitted on the training part")
def _(standardize):
    rng = hidden_rng("6.2")
    X_train = rng.normal(loc=[5.0, -2.0, 0.5, 30.0, 1.0], scale=[1.0, 3.0, 0.1, 8.0, 2.0], size=(9, 5))
    X_test = rng.normal(size=(4, 5)) * 4
    a, b, inputs = _run_std(standardize, X_train, X_test)
    scaler = Standardizer().fit(X_train)
    expect_close(a, scaler.transform(X_train), what="the standardised training part", inputs=inputs)
    expect_close(b, scaler.transform(X_test), what="the standardised test part", inputs=inputs)


# --- 6.3 accuracy -------------------------------------------------------------------------------------

acc = Exercise("6.3", NB, "accuracy", "Accuracy: the fraction of rows whose top score is the true class",
               points=1,
               hint="The predicted class of a row is the position of its largest score; compare with the labels "
                    "and take the fraction of matches, as a float.",
               hints=("The prediction of a row is the position (not the value) of its largest score: "
                      "scores.argmax(axis=1) gives one class per row.",
                      "predicted == labels is a boolean array; the mean of booleans is the fraction of True.",
                      "return float(np.mean(scores.argmax(axis=1) == labels))"))


def _acc(accuracy, scores, labels, expected):
    expect_scalar_call(accuracy, (scores, labels), expected, "accuracy(scores, labels)",
                       {"scores": scores, "labels": labels},
                       hint="Compare one predicted class per row, scores.argmax(axis=1), with the labels, and "
                            "return the fraction that agree (np.mean), a number between 0 and 1.",
                       error_hint="scores.argmax(axis=1) gives one predicted class per row (N,), to compare "
                                  "with labels (N,).")


@acc.step("hand-made case: 3 of 4 rows right -> 0.75")
def _(accuracy):
    scores = np.array([[2.0, 1.0, 0.1], [0.3, 0.2, 3.0], [-1.0, 4.0, 0.0], [0.5, 0.6, 0.4]])
    _acc(accuracy, scores, np.array([0, 2, 1, 2]), 0.75)


@acc.step("all right -> 1.0, all wrong -> 0.0 (scores may be negative)")
def _(accuracy):
    scores = np.array([[-3.0, -1.0], [-0.5, -2.0], [1.0, 5.0]])
    _acc(accuracy, scores, np.array([1, 0, 1]), 1.0)
    _acc(accuracy, scores, np.array([0, 1, 0]), 0.0)


@acc.hidden_step("random scores for 5 classes")
def _(accuracy):
    rng = hidden_rng("6.3")
    scores = rng.normal(size=(23, 5))
    labels = rng.integers(0, 5, size=23)
    labels[:9] = scores[:9].argmax(axis=1)        # some right on purpose
    _acc(accuracy, scores, labels, np.mean(scores.argmax(axis=1) == labels))


# --- 6.4 confusion matrix ------------------------------------------------------------------------------

cm = Exercise("6.4", NB, "confusion_matrix", "The confusion matrix: true class down, prediction across",
              points=2,
              hint="Start from an integer zero matrix of size (num_classes, num_classes) and add 1 at "
                   "[true, predicted] for every row; repeated pairs must each count.",
              hints=("The size comes from num_classes, not from the data: np.zeros((num_classes, num_classes), "
                     "dtype=int).",
                     "Add 1 for each pair (t, p) in zip(labels, predicted), one pair at a time. The shortcut "
                     "M[labels, predicted] += 1 counts a repeated pair only once (np.add.at would count all).",
                     "M = np.zeros((num_classes, num_classes), dtype=int)\n"
                     "   for t, p in zip(labels, predicted):\n"
                     "       M[t, p] += 1\n"
                     "   return M"))


def _reference_cm(labels, predicted, C):
    M = np.zeros((C, C), dtype=np.int64)
    for t, p in zip(labels, predicted):
        M[t, p] += 1
    return M


def _check_cm(confusion_matrix, labels, predicted, C):
    inputs = {"labels": labels, "predicted": predicted, "num_classes": C}
    shown = f"confusion_matrix(labels, predicted, {C})"
    M = call(confusion_matrix, labels, predicted, C, call_text=shown, inputs=inputs)
    M = expect_array(M, shape=(C, C), what=shown, inputs=inputs,
                     hint="The matrix is (num_classes, num_classes), whatever labels occur.")
    expected = _reference_cm(labels, predicted, C)
    expect(M.dtype.kind in "iu", f"{shown} should hold whole numbers (an integer array)",
           f"{shown} has dtype {M.dtype}; counts are integers.",
           "Create it with np.zeros((num_classes, num_classes), dtype=int).")
    if not np.array_equal(M, expected):
        if np.array_equal(M, expected.T):
            raise CheckFailure(f"{shown} is transposed",
                               f"{shown} has the predictions down the rows.{_show(inputs)}"
                               f"\n   expected: {_arr(expected)}\n   got:      {_arr(M)}",
                               "Row = true class, column = predicted class: M[t, p] += 1.")
        under = expected - M
        if np.all(under >= 0) and np.all(M <= 1) and expected.max() > 1:
            raise CheckFailure(f"{shown} counts a repeated (true, predicted) pair only once",
                               f"{shown}: some counts are too small.{_show(inputs)}"
                               f"\n   expected: {_arr(expected)}\n   got:      {_arr(M)}",
                               "Every occurrence of a pair adds 1: `M[t, p] += 1` inside a loop over the pairs "
                               "(not `= 1`). `M[labels, predicted] += 1` without a loop adds 1 only once per "
                               "distinct pair; np.add.at(M, (labels, predicted), 1) counts them all.")
        raise CheckFailure(f"{shown} has wrong counts",
                           f"{shown} has wrong counts.{_show(inputs)}"
                           f"\n   expected: {_arr(expected)}\n   got:      {_arr(M)}",
                           "M[i, j] counts the rows whose true class is i and whose predicted class is j.")
    return M


@cm.step("hand-made case: rows are true classes, columns predictions")
def _(confusion_matrix):
    _check_cm(confusion_matrix, np.array([0, 1, 1, 2]), np.array([0, 1, 2, 2]), 3)


@cm.step("repeated pairs are all counted")
def _(confusion_matrix):
    _check_cm(confusion_matrix, np.array([2, 2, 2, 0, 1, 1]), np.array([1, 1, 1, 0, 1, 1]), 3)


@cm.step("a class that never occurs gives a row and a column of zeros")
def _(confusion_matrix):
    _check_cm(confusion_matrix, np.array([0, 1, 0, 1]), np.array([0, 0, 1, 1]), 4)


@cm.hidden_step("random labels, 5 classes")
def _(confusion_matrix):
    rng = hidden_rng("6.4")
    labels = rng.integers(0, 5, size=40)
    predicted = np.where(rng.random(40) < 0.6, labels, rng.integers(0, 5, size=40))
    _check_cm(confusion_matrix, labels, predicted, 5)


# --- 6.5 the network ---------------------------------------------------------------------------------

net_ex = Exercise("6.5", NB, "TwoLayerNet", "The network: Affine -> Relu -> Affine -> SoftmaxWithLoss",
                  points=4, kind="class",
                  hint="__init__: draw W1, then W2, from rng with std sqrt(2 / fan_in), biases zero; keep the "
                       "layers and the loss layer, and collect the layers' own params and grads. predict runs "
                       "the layers in order; backward runs the loss layer, then the layers in reverse, and "
                       "returns dL/dx.",
                  hints=("__init__: the standard normal has std 1, so multiplying a draw by s gives std s. "
                         "He's rule asks for std sqrt(2 / n_in), n_in = the number of inputs of the layer "
                         "(input_size for W1, hidden_size for W2). Draw W1 before W2, both from rng.",
                         "self.layers = [Affine(W1, b1), Relu(), Affine(W2, b2)] and self.loss_layer = "
                         "SoftmaxWithLoss(). Collect params and grads from the layers, not copies: "
                         "for layer in self.layers: self.params += layer.params (and the same for grads).",
                         "predict: x = layer.forward(x) for each layer in order, return x. forward: the loss "
                         "layer's forward of the scores and t. backward: dout = self.loss_layer.backward(dout), "
                         "then dout = layer.backward(dout) for layer in reversed(self.layers); return dout, "
                         "which is now dL/dx.",
                         "W1 = rng.standard_normal((input_size, hidden_size)) * np.sqrt(2 / input_size)\n"
                         "   W2 = rng.standard_normal((hidden_size, output_size)) * np.sqrt(2 / hidden_size)\n"
                         "   self.layers = [Affine(W1, np.zeros(hidden_size)), Relu(), Affine(W2, np.zeros(output_size))]\n"
                         "   self.loss_layer = SoftmaxWithLoss()\n"
                         "   self.params, self.grads = [], []\n"
                         "   for layer in self.layers:\n"
                         "       self.params += layer.params\n"
                         "       self.grads += layer.grads\n"
                         "   # predict:  for layer in self.layers: x = layer.forward(x); return x\n"
                         "   # forward:  return self.loss_layer.forward(self.predict(x), t)\n"
                         "   # backward: dout = self.loss_layer.backward(dout)\n"
                         "   #           for layer in reversed(self.layers): dout = layer.backward(dout)\n"
                         "   #           return dout"))

NAMES = ("W1", "b1", "W2", "b2")


def _build(TwoLayerNet, D, H, C, seed):
    shown = f"TwoLayerNet({D}, {H}, {C}, np.random.default_rng({seed}))"
    net = call(TwoLayerNet, D, H, C, np.random.default_rng(seed), call_text=shown)
    for attr in ("params", "grads"):
        value = getattr(net, attr, None)
        expect(isinstance(value, list) and len(value) == 4,
               f"the network needs a list `self.{attr}` of four arrays",
               f"{shown}.{attr} is {type(value).__name__}"
               f"{f' of length {len(value)}' if isinstance(value, list) else ''}, expected a list "
               f"[{', '.join(('d' if attr == 'grads' else '') + n for n in NAMES)}].",
               "Collect them from the layers: for layer in self.layers: self.params += layer.params "
               "(same for grads).")
    shapes = [(D, H), (H,), (H, C), (C,)]
    for attr in ("params", "grads"):
        for name, value, shape in zip(NAMES, getattr(net, attr), shapes):
            expect_array(value, shape=shape, what=f"{shown}.{attr}[{NAMES.index(name)}] ({name})",
                         hint="W1: (input_size, hidden_size), b1: (hidden_size,), "
                              "W2: (hidden_size, output_size), b2: (output_size,).")
    return net, shown


_BACKWARD_ORDER = ("backward runs the loss layer's backward first, then the layers in reverse order, "
                   "`for layer in reversed(self.layers): dout = layer.backward(dout)`, each taking the dout "
                   "the one after it returned.")


def _set_params(net, values):
    for p, v in zip(net.params, values):
        p[...] = v


def _manual_scores(values, x):
    W1, b1, W2, b2 = values
    return np.maximum(0, x @ W1 + b1) @ W2 + b2


def _manual_loss(scores, labels):
    z = scores - scores.max(axis=1, keepdims=True)
    log_y = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-np.mean(log_y[np.arange(len(labels)), labels]))


def _check_predict(net, shown, values, x):
    _set_params(net, values)
    inputs = {"x": x}
    scores = call(net.predict, x, call_text="net.predict(x)", inputs=inputs)
    expected = _manual_scores(values, x)
    scores = expect_array(scores, shape=expected.shape, what="net.predict(x)", inputs=inputs,
                          hint="predict returns one row of C scores per input row: (N, C).")
    W1, b1, W2, b2 = values
    if not np.allclose(expected, (x @ W1 + b1) @ W2 + b2) and np.allclose(scores, (x @ W1 + b1) @ W2 + b2):
        raise CheckFailure("net.predict(x) skips the ReLU",
                           "net.predict(x) gave the scores of Affine -> Affine, without the ReLU between them.",
                           "self.layers = [Affine(W1, b1), Relu(), Affine(W2, b2)]: the ReLU goes between "
                           "the two Affine layers.")
    z = np.exp(expected - expected.max(axis=1, keepdims=True))
    if np.allclose(scores, z / z.sum(axis=1, keepdims=True)):
        raise CheckFailure("net.predict(x) returned probabilities, not scores",
                           "net.predict(x) applied a softmax.",
                           "predict returns the raw scores of the last Affine layer; the softmax belongs to "
                           "the loss layer (forward).")
    expect_close(scores, expected, what="net.predict(x) (with weights set through net.params)", inputs=inputs,
                 hint="predict sends x through self.layers in order. The weights were changed in place through "
                      "net.params: if predict ignores them, self.params holds copies instead of the layers' "
                      "own arrays.")


def _check_gradients(net, x, labels):
    inputs = {"x": x, "t": labels}
    loss = call(net.forward, x, labels, call_text="net.forward(x, t)", inputs=inputs)
    expect_scalar(loss, what="net.forward(x, t)", inputs=inputs)
    call(net.backward, call_text="net.backward()", inputs=inputs, error_hint=_BACKWARD_ORDER)
    analytic = [np.array(g, dtype=float, copy=True) for g in net.grads]

    def f():
        return float(net.forward(x, labels))

    for i, (name, p, g) in enumerate(zip(NAMES, net.params, analytic)):
        numeric = numerical_gradient(f, p)
        err = relative_error(g, numeric)
        expect(err < GRAD_TOL, f"the gradient of {name} is wrong (relative error {err:.1e})",
               f"after net.forward(x, t) and net.backward(), net.grads[{i}] ({name}) differs from the "
               f"numerical gradient: relative error {err:.1e} (must be below {GRAD_TOL:g}).{_show(inputs)}"
               f"\n   numerical: {_arr(numeric)}"
               f"\n   yours:     {_arr(g)}",
               "backward: dout = self.loss_layer.backward(dout); then for layer in reversed(self.layers): "
               "dout = layer.backward(dout). The layers write their gradients into the arrays that "
               "self.grads lists.")


@net_ex.step("TwoLayerNet(4, 6, 3, rng) has params and grads [W1, b1, W2, b2] of the right shapes")
def _(TwoLayerNet):
    _build(TwoLayerNet, 4, 6, 3, 0)


@net_ex.step("He initialisation: weights with std sqrt(2 / fan_in), biases 0")
def _(TwoLayerNet):
    net, shown = _build(TwoLayerNet, 200, 300, 50, 1)
    for name, W, fan_in in (("W1", net.params[0], 200), ("W2", net.params[2], 300)):
        want = np.sqrt(2 / fan_in)
        got = float(np.std(W))
        hint = "Multiply standard normal draws by np.sqrt(2 / fan_in), fan_in = the number of rows of W."
        if abs(got - np.sqrt(1 / fan_in)) < 0.05 * np.sqrt(1 / fan_in):
            hint = "That is the Xavier scale sqrt(1 / fan_in); He initialisation for ReLU uses sqrt(2 / fan_in)."
        expect(abs(got - want) < 0.05 * want and abs(float(np.mean(W))) < 0.1 * want,
               f"{name} does not look like He initialisation",
               f"{shown}: {name} has std {got:.4g} and mean {float(np.mean(W)):.2g}; expected std "
               f"sqrt(2 / {fan_in}) = {want:.4g} and mean about 0.", hint)
    for name, b in (("b1", net.params[1]), ("b2", net.params[3])):
        expect(np.all(b == 0), f"{name} should start at zero",
               f"{shown}: {name} = {_arr(b[:6])}..., expected zeros.",
               "np.zeros(hidden_size) and np.zeros(output_size).")


@net_ex.step("the weights are drawn from rng: W1 first, then W2")
def _(TwoLayerNet):
    net, shown = _build(TwoLayerNet, 4, 6, 3, 2)
    rng = np.random.default_rng(2)
    W1 = rng.standard_normal((4, 6)) * np.sqrt(2 / 4)
    W2 = rng.standard_normal((6, 3)) * np.sqrt(2 / 6)
    expect_close(net.params[0], W1, what=f"W1 of {shown}",
                 hint="W1 = rng.standard_normal((input_size, hidden_size)) * np.sqrt(2 / input_size), drawn "
                      "before W2, from the rng passed in (no other draws before it).")
    expect_close(net.params[2], W2, what=f"W2 of {shown}",
                 hint="W2 = rng.standard_normal((hidden_size, output_size)) * np.sqrt(2 / hidden_size), "
                      "drawn right after W1.")


@net_ex.step("predict(x): the scores relu(x W1 + b1) W2 + b2 for hand-set weights")
def _(TwoLayerNet):
    net, shown = _build(TwoLayerNet, 3, 4, 2, 3)
    values = [np.array([[1.0, -1.0, 0.5, 0.0], [0.0, 2.0, -1.0, 1.0], [1.0, 0.0, 0.0, -2.0]]),
              np.array([0.0, -1.0, 0.5, 0.25]),
              np.array([[1.0, 0.0], [-1.0, 2.0], [0.5, 0.5], [0.0, -1.0]]),
              np.array([0.1, -0.1])]
    x = np.array([[1.0, 2.0, -1.0], [0.5, -1.0, 2.0]])
    _check_predict(net, shown, values, x)


@net_ex.step("forward(x, t): the mean cross-entropy of the softmax of the scores")
def _(TwoLayerNet):
    net, shown = _build(TwoLayerNet, 3, 4, 2, 4)
    values = [np.array([[1.0, -1.0, 0.5, 0.0], [0.0, 2.0, -1.0, 1.0], [1.0, 0.0, 0.0, -2.0]]),
              np.array([0.0, -1.0, 0.5, 0.25]),
              np.array([[1.0, 0.0], [-1.0, 2.0], [0.5, 0.5], [0.0, -1.0]]),
              np.array([0.1, -0.1])]
    _set_params(net, values)
    x = np.array([[1.0, 2.0, -1.0], [0.5, -1.0, 2.0], [0.0, 1.0, 1.0]])
    labels = np.array([1, 0, 1])
    expected = _manual_loss(_manual_scores(values, x), labels)
    for t, text in ((labels, "labels"), (np.eye(2)[labels], "one-hot")):
        inputs = {"x": x, "t": t}
        loss = call(net.forward, x, t, call_text=f"net.forward(x, t) (t as {text})", inputs=inputs)
        loss = expect_scalar(loss, what="net.forward(x, t)", inputs=inputs)
        expect_close(loss, expected, what=f"net.forward(x, t) with t as {text}", inputs=inputs,
                     hint="forward returns self.loss_layer.forward(self.predict(x), t).")


@net_ex.step(f"backward(): every gradient matches a numerical one (float64, relative error < {GRAD_TOL:g})")
def _(TwoLayerNet):
    net, _ = _build(TwoLayerNet, 4, 6, 3, 5)
    rng = np.random.default_rng(56)
    x = rng.normal(size=(7, 4))
    _check_gradients(net, x, rng.integers(0, 3, size=7))


def _check_dx(net, values, x, labels):
    """backward() must return dL/dx, the gradient of the loss with respect to the inputs."""
    _set_params(net, values)
    inputs = {"x": x, "t": labels}
    call(net.forward, x, labels, call_text="net.forward(x, t)", inputs=inputs)
    dx = call(net.backward, call_text="net.backward()", inputs=inputs, error_hint=_BACKWARD_ORDER)
    expect(dx is not None, "net.backward() returned None instead of dL/dx",
           "net.backward() returned None; it must return the gradient of the loss with respect to x.",
           "End backward with `return dout`: after the loop over the layers in reverse order, dout is dL/dx.")
    dx = expect_array(dx, shape=x.shape, what="the value returned by net.backward()", inputs=inputs,
                      hint="backward returns dL/dx, one row per input row: the shape of x (N, input_size).")
    xc = x.copy()
    numeric = numerical_gradient(lambda: _manual_loss(_manual_scores(values, xc), labels), xc)
    err = relative_error(dx, numeric)
    expect(err < GRAD_TOL, f"the value returned by net.backward() is not dL/dx (relative error {err:.1e})",
           f"net.backward() returned an array that differs from the numerical gradient of the loss with "
           f"respect to x: relative error {err:.1e}.{_show(inputs)}\n   numerical: {_arr(numeric)}"
           f"\n   yours:     {_arr(dx)}",
           "Return what the first Affine layer's backward gives (dout after the loop over the reversed layers).")


@net_ex.step("backward() returns dL/dx, the gradient with respect to the inputs")
def _(TwoLayerNet):
    net, _ = _build(TwoLayerNet, 3, 4, 2, 6)
    rng = np.random.default_rng(57)
    values = [rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=(4, 2)), rng.normal(size=2)]
    _check_dx(net, values, rng.normal(size=(5, 3)), rng.integers(0, 2, size=5))


@net_ex.step("backward(dout) passes dout on: backward(2.0) gives twice every gradient")
def _(TwoLayerNet):
    net, _ = _build(TwoLayerNet, 3, 4, 2, 7)
    rng = np.random.default_rng(58)
    x, labels = rng.normal(size=(5, 3)), rng.integers(0, 2, size=5)
    inputs = {"x": x, "t": labels}
    call(net.forward, x, labels, call_text="net.forward(x, t)", inputs=inputs)
    dx1 = call(net.backward, call_text="net.backward()", inputs=inputs, error_hint=_BACKWARD_ORDER)
    grads1 = [np.array(g, dtype=float, copy=True) for g in net.grads]
    dx2 = call(net.backward, 2.0, call_text="net.backward(2.0)", inputs=inputs, error_hint=_BACKWARD_ORDER)
    hint = ("Hand dout to the loss layer, `dout = self.loss_layer.backward(dout)`, and nowhere else: the loss "
            "layer multiplies by it once, and the layers below pass it on.")
    dx1 = expect_array(dx1, shape=x.shape, what="the value returned by net.backward()", inputs=inputs)
    dx2 = expect_array(dx2, shape=x.shape, what="the value returned by net.backward(2.0)", inputs=inputs)
    expect_close(dx2, 2 * dx1, what="net.backward(2.0) (dL/dx)", inputs=inputs, hint=hint)
    for i, (name, g1, g2) in enumerate(zip(NAMES, grads1, net.grads)):
        expect_close(g2, 2 * g1, what=f"net.grads[{i}] ({name}) after net.backward(2.0)", inputs=inputs,
                     hint=hint)


@net_ex.hidden_step("other sizes: initial draws, scores and gradients")
def _(TwoLayerNet):
    seed = int(hidden_rng("6.5 init").integers(1000))
    net, shown = _build(TwoLayerNet, 5, 7, 4, seed)
    rng = np.random.default_rng(seed)
    W1 = rng.standard_normal((5, 7)) * np.sqrt(2 / 5)
    W2 = rng.standard_normal((7, 4)) * np.sqrt(2 / 7)
    expect_close(net.params[0], W1, what=f"W1 of {shown}")
    expect_close(net.params[2], W2, what=f"W2 of {shown}")
    data = hidden_rng("6.5")
    values = [data.normal(size=(5, 7)), data.normal(size=7), data.normal(size=(7, 4)), data.normal(size=4)]
    _check_predict(net, shown, values, data.normal(size=(6, 5)))
    _check_gradients(net, data.normal(size=(9, 5)), data.integers(0, 4, size=9))
    _check_dx(net, values, data.normal(size=(4, 5)), data.integers(0, 4, size=4))


# --- 6.6 training -----------------------------------------------------------------------------------------

tr = Exercise("6.6", NB, "train", "Full-batch gradient descent for a number of epochs", points=2,
              hint="One SGD(lr) for the whole run; every epoch: the loss on all of X (append it), backward, "
                   "update. Return the list of losses.",
              hints=("Make the optimizer once, before the loop: SGD(lr). Each epoch is one step on the whole "
                     "training part, with no mini-batches.",
                     "Inside the loop, in this order: the loss of model.forward(X, T) goes into the list, "
                     "then model.backward() fills model.grads, then optimizer.update(model.params, model.grads).",
                     "optimizer = SGD(lr)\n"
                     "   losses = []\n"
                     "   for epoch in range(epochs):\n"
                     "       losses.append(model.forward(X, T))\n"
                     "       model.backward()\n"
                     "       optimizer.update(model.params, model.grads)\n"
                     "   return losses"))


def _train_case(train, sizes, lr, epochs, seed, activation="relu"):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(12, sizes[0]))
    labels = rng.integers(0, sizes[-1], size=12)
    T = np.eye(sizes[-1])[labels]
    model = MLPClassifier(sizes, activation, seed=seed)
    twin = MLPClassifier(sizes, activation, seed=seed)
    expected = ref_train(twin, X, T, lr, epochs)
    inputs = {"X": X, "T": T}
    shown = f"train(model, X, T, lr={lr}, epochs={epochs})"
    losses = call(train, model, X, T, lr, epochs, call_text=shown, inputs=inputs)
    expect(isinstance(losses, (list, tuple, np.ndarray)), f"{shown} should return the list of losses",
           f"{shown} returned {type(losses).__name__}.", "Collect one loss per epoch in a list and return it.")
    losses = np.asarray(losses, dtype=float) if len(losses) else np.zeros(0)
    expect(losses.shape == (epochs,), f"{shown} should return one loss per epoch",
           f"{shown} returned {losses.shape[0] if losses.ndim else 1} values, expected {epochs}.",
           "Append the loss once per epoch, inside the loop.")
    expected = np.asarray(expected)
    if epochs > 1 and np.allclose(losses[:-1], expected[1:]):
        raise CheckFailure("each recorded loss is one update late",
                           f"{shown}: losses[0] should be the loss of the untrained model.",
                           "Append the value model.forward(X, T) returns (computed before the update).")
    expect_close(losses, expected, what=f"the losses from {shown}", inputs=inputs,
                 hint="Each epoch: loss = model.forward(X, T) on ALL of X, model.backward(), one SGD(lr) "
                      "update. Record the loss before the update.")
    for i, (p, q) in enumerate(zip(model.params, twin.params)):
        expect_close(p, q, what=f"model.params[{i}] after {shown}", inputs=inputs,
                     hint="Update the parameters in place with SGD(lr).update(model.params, model.grads).")
    return losses


@tr.step("one loss per epoch, the first before any update; parameters take plain gradient-descent steps")
def _(train):
    _train_case(train, (3, 5, 2), 0.5, 4, 61)


@tr.step("the loss goes down over 100 epochs")
def _(train):
    losses = _train_case(train, (2, 8, 3), 0.2, 100, 62)
    expect(losses[-1] < losses[0], "the loss did not go down",
           f"loss {losses[0]:.4f} before training, {losses[-1]:.4f} after 100 epochs.")


@tr.hidden_step("another model (two hidden layers, tanh), rate and number of epochs")
def _(train):
    rng = hidden_rng("6.6")
    _train_case(train, (4, 5, 3, 4), float(rng.uniform(0.1, 0.4)), int(rng.integers(5, 9)),
                int(rng.integers(1000)), activation="tanh")


# --- Quiz ---------------------------------------------------------------------------------------------------

Quiz(NB, [
    Choice("q1", "iris.csv lists 50 setosa, then 50 versicolor, then 50 virginica. You train on rows 0-99 and "
                 "test on rows 100-149. What happens?",
           {"a": "About 2/3 test accuracy, since two of the three species are known.",
            "b": "Test accuracy 0, since no virginica is among the training rows.",
            "c": "The same accuracy as a shuffled split, since training shuffles.",
            "d": "Training stops with an error, since one species has no rows."},
           answer="b",
           explain="Nothing in the training data says a third species exists, so the network never "
                   "predicts it: every virginica gets one of the two species it knows."),
    Numeric("q2", "A 4-6-3 fully connected network (biases included) has how many parameters?",
            answer=51, tol=0.5,
            explain="4*6 + 6 weights and biases in the first layer, 6*3 + 3 in the second: 30 + 21 = 51."),
    Choice("q3", "To standardise the test flowers you subtract a mean and divide by a standard deviation. "
                 "Which ones?",
           {"a": "Those of the test part, so that it also gets mean 0 and std 1.",
            "b": "Those of all 150 flowers, so that both parts share one scale.",
            "c": "Those of the training part, the same ones the network trained with.",
            "d": "None: only the training part is standardised, the test part is not."},
           answer="c",
           explain="The test part stands for flowers you have not seen yet; anything computed from it is a "
                   "peek. The network also learnt on inputs scaled by the training statistics."),
    Choice("q4", "You want to choose between 6 and 64 hidden units. Which flowers should decide?",
           {"a": "The test part: keep the size with the higher test accuracy.",
            "b": "A validation part cut from the training part (or cross-validation on it).",
            "c": "The training part: keep the size with the lower training loss.",
            "d": "All 150 flowers: train both sizes on all of them and compare."},
           answer="b",
           explain="A choice made on the test part makes the test part part of the training, and its "
                   "accuracy no longer estimates new flowers; the training loss favours the bigger network "
                   "whether or not it generalises."),
    Choice("q5", "In the confusion matrix M (rows: true species, columns: predicted species, in the order "
                 "setosa, versicolor, virginica), M[1, 2] = 2. What does it say?",
           {"a": "Two virginica flowers were predicted as versicolor.",
            "b": "Two versicolor flowers were predicted as virginica.",
            "c": "Two versicolor flowers were predicted correctly.",
            "d": "Two setosa flowers were predicted as versicolor."},
           answer="b",
           explain="Row 1 = true versicolor, column 2 = predicted virginica."),
    Choice("q6", "Over the same 20 splits, the network's test accuracy ranges from 0.90 to 1.00, and its mean "
                 "is 0.009 above the baseline's. What is the sound conclusion?",
           {"a": "The network is clearly better, since its mean is higher.",
            "b": "The baseline is better, since the network's worst split is low.",
            "c": "Maybe slightly better: the gap is far below the spread.",
            "d": "Twenty splits pin the gap down: it is 0.009, no more."},
           answer="c",
           explain="0.009 is less than half a flower per split, while one model's accuracy moves by 0.10 "
                   "between splits."),
])
