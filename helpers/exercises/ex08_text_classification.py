"""Exercises and quiz of notebook 08: classifying short documents by topic."""

from collections import Counter

import numpy as np

from helpers.checking import (CheckFailure, Exercise, call, expect, expect_array, expect_close,
                              expect_equal, expect_no_warning, expect_scalar, hidden_rng)
from helpers.nn.gradcheck import numerical_gradient, relative_error
from helpers.quiz import Choice, Numeric, Quiz

NB = "08_text_classification"
UNK = "<unk>"
GRAD_TOL = 1e-7


def _arr(value):
    text = np.array2string(np.asarray(value), precision=4, suppress_small=True, threshold=30, edgeitems=4)
    return text.replace("\n", "\n             ")


# --- references (computed here, never taken from the notebook) ---------------------------------

def _ref_vocab(docs, min_count):
    counts = Counter(w for doc in docs for w in doc)
    words = sorted((w for w, c in counts.items() if c >= min_count), key=lambda w: (-counts[w], w))
    return {UNK: 0, **{w: i for i, w in enumerate(words, start=1)}}


def _ref_bow(docs, word_to_id):
    X = np.zeros((len(docs), len(word_to_id)))
    for i, doc in enumerate(docs):
        for w in doc:
            X[i, word_to_id.get(w, 0)] += 1
    return X


def _ref_prf(M):
    M = np.asarray(M, dtype=float)
    tp = np.diag(M)
    predicted, actual = M.sum(axis=0), M.sum(axis=1)
    p = np.divide(tp, predicted, out=np.zeros_like(tp), where=predicted > 0)
    r = np.divide(tp, actual, out=np.zeros_like(tp), where=actual > 0)
    f = np.divide(2 * p * r, p + r, out=np.zeros_like(tp), where=(p + r) > 0)
    return p, r, f


def _random_docs(rng, n_docs, words, max_len=7):
    return [[str(w) for w in rng.choice(words, size=int(rng.integers(1, max_len + 1)))] for _ in range(n_docs)]


# --- 8.1 the vocabulary ----------------------------------------------------------------------------

vocab = Exercise(
    "8.1", NB, "build_vocab", "A vocabulary from the training part, with <unk> as id 0", points=2,
    hint="Count every word of every training document (a word that occurs twice counts twice). Keep the "
         "words seen at least min_count times, most frequent first, ties in alphabetical order, after "
         "'<unk>' with id 0.",
    hints=("collections.Counter counts the words for you: feed it every word of every document, "
           "repetitions included (a generator `w for doc in docs for w in doc` does it).",
           "Keep the words with counts[w] >= min_count, then sort them with a key that puts the largest "
           "count first and breaks ties alphabetically: key=lambda w: (-counts[w], w). "
           "counts.most_common() does not break ties alphabetically.",
           "Start from {'<unk>': 0} and give the sorted words the ids 1, 2, 3, ... in that order.",
           "word_to_id = {'<unk>': 0}; then `for w in sorted(kept, key=lambda w: (-counts[w], w)): "
           "word_to_id[w] = len(word_to_id)`."))

_DOCS_81 = [["the", "a", "a", "a"], ["the", "b"], ["the", "b", "c"]]


def _run_vocab(build_vocab, docs, min_count):
    shown = f"build_vocab(docs, min_count={min_count})"
    inputs = {"docs": docs}
    out = call(build_vocab, docs, min_count, call_text=shown, inputs=inputs)
    expect(isinstance(out, dict), f"{shown} should return a dict",
           f"{shown} returned {type(out).__name__}, expected a dict word -> id.",
           "Return a dict such as {'<unk>': 0, 'the': 1, ...}.")
    return out, shown, inputs


@vocab.step("returns a dict with '<unk>' as id 0 and every training word after it")
def _(build_vocab):
    out, shown, inputs = _run_vocab(build_vocab, _DOCS_81, 1)
    expect(out.get(UNK) == 0, "'<unk>' should have id 0",
           f"{shown} gave '<unk>' the id {out.get(UNK, 'none (it is missing)')}.\n   docs = {_DOCS_81}",
           "Start the dict with '<unk>': 0, before any word of the documents.")
    expect(set(out) == {UNK, "the", "a", "b", "c"}, "the vocabulary holds the wrong words",
           f"{shown} has the words {sorted(out)}, expected {sorted({UNK, 'the', 'a', 'b', 'c'})}."
           f"\n   docs = {_DOCS_81}",
           "Keep every word seen at least min_count times (counts[w] >= min_count): with min_count=1 "
           "every word of the training documents is in the vocabulary.")
    expect(sorted(out.values()) == list(range(len(out))), "the ids should be 0, 1, 2, ... without gaps",
           f"{shown} gave the ids {sorted(out.values())}.")


@vocab.step("ids by decreasing count over all documents, ties in alphabetical order")
def _(build_vocab):
    out, shown, _ = _run_vocab(build_vocab, _DOCS_81, 1)
    want = _ref_vocab(_DOCS_81, 1)
    by_id = [w for w, _ in sorted(out.items(), key=lambda kv: kv[1])]
    want_by_id = [w for w, _ in sorted(want.items(), key=lambda kv: kv[1])]
    expect(by_id == want_by_id, "the words are not numbered in the right order",
           f"{shown} numbers the words {by_id}; expected {want_by_id}.\n   docs = {_DOCS_81}: "
           "'a' occurs 3 times (all in one document), 'the' 3 times, 'b' twice, 'c' once.",
           "Count every occurrence (not the number of documents), sort by count, largest first, and break "
           "ties alphabetically: 'a' and 'the' both occur 3 times, so 'a' comes first.")


@vocab.step("min_count: words seen fewer times are left out (a word seen exactly min_count times stays)")
def _(build_vocab):
    out, shown, _ = _run_vocab(build_vocab, _DOCS_81, 2)
    want = _ref_vocab(_DOCS_81, 2)
    expect_equal(out, want, what=shown, inputs={"docs": _DOCS_81},
                 hint="Keep a word when its count is at least min_count (>=): 'b' occurs exactly twice.")


@vocab.hidden_step("random documents and min_count 1, 2, 3")
def _(build_vocab):
    rng = hidden_rng("8.1 vocab")
    words = np.array([f"w{k}" for k in range(12)] + ["zeta", "alpha", "mid"])
    docs = _random_docs(rng, 15, words)
    for min_count in (1, 2, 3):
        out, shown, inputs = _run_vocab(build_vocab, docs, min_count)
        expect_equal(out, _ref_vocab(docs, min_count), what=shown, inputs=inputs)


# --- 8.2 bag of words ---------------------------------------------------------------------------

bow = Exercise(
    "8.2", NB, "bag_of_words", "Bag-of-words counts, unknown words counted as <unk>", points=2,
    hint="X[i, j] counts how often the word with id j occurs in document i; a word missing from "
         "word_to_id counts in column 0 ('<unk>').",
    hints=("Start from np.zeros((len(docs), len(word_to_id))): one row per document, one column per id.",
           "Loop over the documents with enumerate and over their words; word_to_id.get(w, 0) gives the id, "
           "or 0 for a word the vocabulary does not know.",
           "Add 1 per occurrence. The shortcut X[i, ids] += 1 adds 1 only once for a repeated id.",
           "for i, doc in enumerate(docs): for w in doc: X[i, word_to_id.get(w, 0)] += 1"))

_VOCAB_82 = {UNK: 0, "file": 1, "the": 2, "read": 3, "close": 4}


def _run_bow(bag_of_words, docs, word_to_id):
    shown = "bag_of_words(docs, word_to_id)"
    inputs = {"docs": docs, "word_to_id": word_to_id}
    X = call(bag_of_words, docs, word_to_id, call_text=shown, inputs=inputs)
    X = expect_array(X, shape=(len(docs), len(word_to_id)), what=shown, inputs=inputs,
                     hint="One row per document and one column per id of word_to_id (<unk> included): "
                          "(len(docs), len(word_to_id)).")
    expect(X.dtype.kind == "f", f"{shown} should hold floats",
           f"{shown} has dtype {X.dtype}; the network multiplies it with float weights.",
           "Create it with np.zeros(...), which gives float64.")
    return X, shown, inputs


@bow.step("shape (N, V), floats, and counts of known words (a repeated word counts twice)")
def _(bag_of_words):
    docs = [["read", "the", "file"], ["close", "the", "file", "file"], ["the"]]
    X, shown, inputs = _run_bow(bag_of_words, docs, _VOCAB_82)
    expect_close(X, _ref_bow(docs, _VOCAB_82), what=shown, inputs=inputs,
                 hint="Add 1 for every occurrence: 'file' occurs twice in the second document, so "
                      "X[1, word_to_id['file']] is 2.")


@bow.step("unknown words count in column 0 (<unk>); an empty document is a row of zeros")
def _(bag_of_words):
    docs = [["open", "the", "file", "now"], [], ["read", "a", "socket"]]
    X, shown, inputs = _run_bow(bag_of_words, docs, _VOCAB_82)
    expect_close(X, _ref_bow(docs, _VOCAB_82), what=shown, inputs=inputs,
                 hint="A word that is not a key of word_to_id gets the id 0: word_to_id.get(w, 0).")


@bow.hidden_step("random documents and another vocabulary")
def _(bag_of_words):
    rng = hidden_rng("8.2 bow")
    word_to_id = {UNK: 0, **{f"w{k}": k + 1 for k in range(9)}}
    words = np.array([f"w{k}" for k in range(12)])      # w9, w10, w11 are unknown
    docs = _random_docs(rng, 11, words, max_len=9)
    X, shown, inputs = _run_bow(bag_of_words, docs, word_to_id)
    expect_close(X, _ref_bow(docs, word_to_id), what=shown, inputs=inputs)


# --- 8.3 precision, recall, F1 ------------------------------------------------------------------

prf = Exercise(
    "8.3", NB, "precision_recall_f1", "Per-class precision, recall and F1 from the confusion matrix",
    points=2,
    hint="Rows of M are the true classes, columns the predictions. Precision divides the diagonal by the "
         "column sums, recall by the row sums; F1 = 2PR / (P + R); a 0/0 counts as 0.",
    hints=("The diagonal np.diag(M) holds the right answers of each class. Which sum counts the documents "
           "predicted as class k, and which the documents that truly are class k?",
           "precision = tp / M.sum(axis=0) (per predicted class), recall = tp / M.sum(axis=1) (per true "
           "class). F1 is their harmonic mean 2PR / (P + R), not the plain mean.",
           "A class that is never predicted has a column sum of 0: divide with np.divide(a, b, "
           "out=np.zeros_like(a), where=b > 0) so that 0/0 gives 0 without a warning.",
           "tp = np.diag(M).astype(float); precision = np.divide(tp, M.sum(axis=0), out=np.zeros_like(tp), "
           "where=M.sum(axis=0) > 0); the same for recall with axis=1 and for f1 with 2 * precision * recall "
           "and precision + recall."))

_M_83 = np.array([[5, 1, 0], [3, 6, 1], [0, 2, 2]])


def _run_prf(precision_recall_f1, M, quiet=False):
    shown = "precision_recall_f1(M)"
    inputs = {"M": M}
    if quiet:
        out = expect_no_warning(precision_recall_f1, M, call_text=shown, inputs=inputs,
                                hint="Divide only where the denominator is positive: np.divide(..., "
                                     "out=np.zeros_like(...), where=denominator > 0).")
    else:
        out = call(precision_recall_f1, M, call_text=shown, inputs=inputs)
    expect(isinstance(out, (tuple, list)) and len(out) == 3, f"{shown} should return three arrays",
           f"{shown} returned {type(out).__name__}"
           f"{f' of length {len(out)}' if isinstance(out, (tuple, list)) else ''}, "
           "expected (precision, recall, f1).", "End with `return precision, recall, f1`.")
    C = M.shape[0]
    return [expect_array(v, shape=(C,), what=f"{name} from {shown}", inputs=inputs,
                         hint="One value per class: reduce M along one axis, not to a single number.")
            for name, v in zip(("precision", "recall", "f1"), out)], shown, inputs


@prf.step("precision and recall: one value per class, from the columns and the rows of M")
def _(precision_recall_f1):
    (p, r, _), shown, inputs = _run_prf(precision_recall_f1, _M_83)
    want_p, want_r, _ = _ref_prf(_M_83)
    if np.allclose(p, want_r) and np.allclose(r, want_p):
        raise CheckFailure("precision and recall are swapped",
                           f"{shown}: precision {_arr(p)} is the recall, recall {_arr(r)} the precision."
                           f"\n   input:    M = {_arr(_M_83)}",
                           "Precision asks 'of the documents predicted as k, how many are k?': a column "
                           "of M (axis=0). Recall asks 'of the documents of class k, how many were found?': "
                           "a row (axis=1).")
    expect_close(p, want_p, what=f"precision from {shown}", inputs=inputs,
                 hint="precision[k] = M[k, k] / (sum of column k): the documents predicted as k.")
    expect_close(r, want_r, what=f"recall from {shown}", inputs=inputs,
                 hint="recall[k] = M[k, k] / (sum of row k): the documents that truly are k.")


@prf.step("f1: the harmonic mean 2PR / (P + R) of precision and recall")
def _(precision_recall_f1):
    (p, r, f), shown, inputs = _run_prf(precision_recall_f1, _M_83)
    want = _ref_prf(_M_83)[2]
    if np.allclose(f, (p + r) / 2):
        raise CheckFailure("f1 is the plain mean of precision and recall",
                           f"{shown}: f1 = {_arr(f)} = (precision + recall) / 2.",
                           "F1 is the harmonic mean 2 * P * R / (P + R): it stays low unless both are high.")
    expect_close(f, want, what=f"f1 from {shown}", inputs=inputs,
                 hint="f1 = 2 * precision * recall / (precision + recall), class by class.")


@prf.step("a class never predicted (or never present): 0, with no warning and no NaN")
def _(precision_recall_f1):
    M = np.array([[4, 0, 1, 0], [2, 0, 0, 0], [1, 0, 3, 0], [0, 0, 0, 0]])
    (p, r, f), shown, inputs = _run_prf(precision_recall_f1, M, quiet=True)
    want = _ref_prf(M)
    for name, got, exp in zip(("precision", "recall", "f1"), (p, r, f), want):
        expect_close(got, exp, what=f"{name} from {shown}", inputs=inputs,
                     hint="Class 1 is never predicted (column of zeros) and class 3 never occurs (row of "
                          "zeros): their 0/0 counts as 0.")


@prf.step("small counts: a class predicted once, a class whose precision + recall is below 1")
def _(precision_recall_f1):
    # Class 1 is predicted once and present once (P = R = 1); class 3 has P = 1/2, R = 1/3.
    M = np.array([[4, 0, 1, 1], [0, 1, 0, 0], [1, 0, 3, 0], [1, 0, 1, 1]])
    (p, r, f), shown, inputs = _run_prf(precision_recall_f1, M, quiet=True)
    for name, got, exp in zip(("precision", "recall", "f1"), (p, r, f), _ref_prf(M)):
        expect_close(got, exp, what=f"{name} from {shown}", inputs=inputs,
                     hint="Only a zero denominator is special: a class predicted once has precision "
                          "M[k, k] / 1, and F1 is 0 only when precision + recall is exactly 0.")


@prf.hidden_step("a random 5-class confusion matrix")
def _(precision_recall_f1):
    rng = hidden_rng("8.3 prf")
    M = rng.integers(0, 9, size=(5, 5)) + np.diag(rng.integers(5, 20, size=5))
    M[:, int(rng.integers(0, 5))] = 0
    (p, r, f), shown, inputs = _run_prf(precision_recall_f1, M, quiet=True)
    for name, got, exp in zip(("precision", "recall", "f1"), (p, r, f), _ref_prf(M)):
        expect_close(got, exp, what=f"{name} from {shown}", inputs=inputs)


# --- 8.4 L2 weight decay -----------------------------------------------------------------------

l2 = Exercise(
    "8.4", NB, "l2_penalty", "The L2 penalty on the weight matrices and its gradient", points=2,
    hint="The penalty is lam / 2 times the sum of the squares of every weight matrix (ndim 2); biases are "
         "not decayed. Differentiate it weight by weight for the gradients, one array per parameter.",
    hints=("Go through params; a weight matrix has p.ndim == 2, a bias p.ndim == 1.",
           "For one weight w the penalty is lam / 2 * w**2. What is its derivative with respect to w?",
           "The gradient of a weight matrix W is lam * W; the gradient of a bias is np.zeros_like(b). "
           "Build new arrays: do not scale the parameters themselves.",
           "penalty = sum(lam / 2 * np.sum(p ** 2) for p in params if p.ndim == 2); "
           "grads = [lam * p if p.ndim == 2 else np.zeros_like(p) for p in params]."))


def _run_l2(l2_penalty, params, lam):
    shown = f"l2_penalty(params, lam={lam})"
    inputs = {f"params[{i}]": p for i, p in enumerate(params)}
    out = call(l2_penalty, params, lam, call_text=shown, inputs=inputs)
    expect(isinstance(out, (tuple, list)) and len(out) == 2, f"{shown} should return (penalty, grads)",
           f"{shown} returned {type(out).__name__}"
           f"{f' of length {len(out)}' if isinstance(out, (tuple, list)) else ''}.",
           "End with `return penalty, grads`, grads a list with one array per parameter.")
    penalty, grads = out
    penalty = expect_scalar(penalty, what=f"the penalty from {shown}", inputs=inputs)
    expect(isinstance(grads, (list, tuple)) and len(grads) == len(params),
           f"{shown} should return one gradient per parameter",
           f"{shown} returned grads of type {type(grads).__name__}"
           f"{f' and length {len(grads)}' if isinstance(grads, (list, tuple)) else ''}; "
           f"params has {len(params)} arrays.", "grads = [... for p in params]")
    grads = [expect_array(g, shape=p.shape, what=f"grads[{i}] from {shown}", inputs=inputs)
             for i, (g, p) in enumerate(zip(grads, params))]
    return penalty, grads, shown, inputs


def _params_84():
    return [np.array([[1.0, -2.0], [0.5, 3.0], [0.0, -1.0]]), np.array([4.0, -5.0]),
            np.array([[2.0], [-1.0]]), np.array([10.0])]


def _params_84_embedding():
    """[E, W, b], the order of EmbeddingClassifier: two weight matrices in a row, the bias last."""
    return [np.array([[1.0, 2.0], [-1.0, 0.5], [3.0, 0.0]]), np.array([[2.0, -1.0, 0.5], [1.0, 0.0, -2.0]]),
            np.array([6.0, -7.0, 8.0])]


_BY_NDIM = ("Tell a weight matrix from a bias by p.ndim == 2, not by its place in the list: "
            "EmbeddingClassifier's params are [E, W, b], two matrices and then the bias.")


@l2.step("the penalty: lam / 2 times the sum of squared weights, biases left out")
def _(l2_penalty):
    params = _params_84()
    penalty, _, shown, inputs = _run_l2(l2_penalty, params, 0.1)
    want = 0.05 * (1 + 4 + 0.25 + 9 + 0 + 1 + 4 + 1)
    hint = "penalty = lam / 2 * (sum of W ** 2 over every weight matrix); the biases (1-D) do not count."
    if np.isclose(penalty, 2 * want):
        hint = "The penalty is lam / 2 times the sum of squares, not lam times it: the 1/2 makes the gradient lam * W."
    elif np.isclose(penalty, want + 0.05 * (16 + 25 + 100)):
        hint = "The biases are not decayed: sum only over parameters with ndim == 2."
    expect_close(penalty, want, what=f"the penalty from {shown}", inputs=inputs, hint=hint)
    params = _params_84_embedding()
    penalty, _, shown, inputs = _run_l2(l2_penalty, params, 0.1)
    want = 0.05 * sum(np.sum(p ** 2) for p in params if p.ndim == 2)
    expect_close(penalty, want, what=f"the penalty from {shown} (params [E, W, b])", inputs=inputs, hint=_BY_NDIM)


@l2.step("the gradients: lam * W for each weight matrix, zeros for the biases")
def _(l2_penalty):
    params = _params_84()
    _, grads, shown, inputs = _run_l2(l2_penalty, params, 0.1)
    for i, (g, p) in enumerate(zip(grads, params)):
        want = 0.1 * p if p.ndim == 2 else np.zeros_like(p)
        hint = ("Differentiate lam / 2 * w**2: the 2 of the square cancels the 1/2." if p.ndim == 2
                else "A bias is not decayed, so its penalty gradient is np.zeros_like(b).")
        expect_close(g, want, what=f"grads[{i}] from {shown}", inputs=inputs, hint=hint)
    params = _params_84_embedding()
    _, grads, shown, inputs = _run_l2(l2_penalty, params, 0.1)
    for i, (g, p) in enumerate(zip(grads, params)):
        want = 0.1 * p if p.ndim == 2 else np.zeros_like(p)
        expect_close(g, want, what=f"grads[{i}] from {shown} (params [E, W, b])", inputs=inputs, hint=_BY_NDIM)


@l2.step(f"the gradients match numerical gradients of the penalty (relative error < {GRAD_TOL:g})")
def _(l2_penalty):
    rng = np.random.default_rng(84)
    params = [rng.normal(size=(4, 3)), rng.normal(size=3), rng.normal(size=(3, 2)), rng.normal(size=2)]
    lam = 0.37
    _, grads, shown, inputs = _run_l2(l2_penalty, params, lam)
    for i, p in enumerate(params):
        def f():
            return float(expect_scalar(call(l2_penalty, params, lam, call_text=shown, inputs=inputs)[0]))
        numeric = numerical_gradient(f, p)
        err = relative_error(grads[i], numeric)
        expect(err < GRAD_TOL, f"grads[{i}] does not match the penalty (relative error {err:.1e})",
               f"{shown}: grads[{i}] differs from the numerical gradient of the penalty you return."
               f"\n   numerical: {_arr(numeric)}\n   yours:     {_arr(grads[i])}",
               "The gradient must be the derivative of your own penalty: d/dw of lam / 2 * w**2 is lam * w.")


@l2.hidden_step("random parameters and another lam")
def _(l2_penalty):
    rng = hidden_rng("8.4 l2")
    params = [rng.normal(size=(5, 4)), rng.normal(size=4), rng.normal(size=(4, 3)) * 3, rng.normal(size=3)]
    lam = float(rng.uniform(0.01, 2.0))
    penalty, grads, shown, inputs = _run_l2(l2_penalty, params, lam)
    expect_close(penalty, lam / 2 * (np.sum(params[0] ** 2) + np.sum(params[2] ** 2)),
                 what=f"the penalty from {shown}", inputs=inputs)
    for i, (g, p) in enumerate(zip(grads, params)):
        expect_close(g, lam * p if p.ndim == 2 else np.zeros_like(p), what=f"grads[{i}] from {shown}",
                     inputs=inputs)


# --- 8.5 the backward pass of averaged word embeddings -----------------------------------------

emb = Exercise(
    "8.5", NB, "MeanEmbedding", "The backward pass of an averaged word embedding", points=3, kind="class",
    hint="Token t of document n receives dout[n] / length[n]; every token adds its share to the row of W "
         "of its word id, and a repeated id must add all its shares (np.add.at). Reset dW first.",
    hints=("Each output row is the mean of the rows W[ids] of one document. How does a change of W[v] change "
           "out[n] when word v occurs c times in a document of length L?",
           "Per token: the share dout[n] / L[n] of its document. self.doc tells the document of each token, so "
           "dout[self.doc] / self.lengths[self.doc, None] gives all shares at once: (T, D).",
           "Add each share to the row of its word id. dW[self.ids] += shares keeps only one share per "
           "repeated id; np.add.at(dW, self.ids, shares) adds them all. Set dW[...] = 0 first, in place.",
           "dW, = self.grads; dW[...] = 0.0; "
           "np.add.at(dW, self.ids, dout[self.doc] / self.lengths[self.doc, None])"))


def _ref_emb_grad(W, docs, dout):
    dW = np.zeros_like(W)
    for n, doc in enumerate(docs):
        for v in doc:
            dW[v] += dout[n] / len(doc)
    return dW


def _emb_case(MeanEmbedding, W, docs, dout, label="layer"):
    shown = "MeanEmbedding(W)"
    layer = call(MeanEmbedding, W, call_text=shown, inputs={"W": W})
    inputs = {"docs": docs, "dout": dout}
    call(lambda: layer.forward(docs), call_text=f"{label}.forward(docs)", inputs=inputs)
    grads_before = getattr(layer, "grads", None)
    expect(isinstance(grads_before, list) and len(grads_before) == 1, "layer.grads should be a list holding dW",
           f"layer.grads is {type(grads_before).__name__}.", "Keep the list made in __init__: self.grads = [dW].")
    grads_before = list(grads_before)
    out = call(lambda: layer.backward(dout), call_text=f"{label}.backward(dout)", inputs=inputs)
    expect(out is None, f"{label}.backward(dout) should return None",
           f"{label}.backward(dout) returned {type(out).__name__}; word ids have no gradient.",
           "End backward without a return value (the layer is the first of the network).")
    grads = getattr(layer, "grads", None)
    expect(isinstance(grads, list) and len(grads) == 1, "layer.grads should be a list holding dW",
           f"layer.grads is {type(grads).__name__}.", "Keep the list made in __init__: self.grads = [dW].")
    expect(grads[0] is grads_before[0],
           "backward replaced the array in self.grads instead of writing into it",
           f"after {label}.backward(dout), layer.grads[0] is a new array; the optimizer and the network "
           "still hold the old one, which never changes.",
           "Write into the existing array: dW, = self.grads; dW[...] = 0.0; then add into dW.")
    dW = expect_array(grads[0], shape=W.shape, what=f"layer.grads[0] after {label}.backward(dout)", inputs=inputs)
    return layer, dW, inputs


@emb.step("every word of a document gets dout / length (documents without repeated words)")
def _(MeanEmbedding):
    W = np.arange(12.0).reshape(6, 2)
    docs = [np.array([1, 4]), np.array([0, 2, 5]), np.array([3])]
    dout = np.array([[1.0, -2.0], [3.0, 0.5], [-1.0, 4.0]])
    _, dW, inputs = _emb_case(MeanEmbedding, W, docs, dout)
    want = _ref_emb_grad(W, docs, dout)
    hint = "Each token of document n gets dout[n] / len(document n): the mean divides by the length."
    if np.allclose(dW, _ref_emb_grad(W, docs, dout * np.array([2.0, 3.0, 1.0])[:, None])):
        hint = "The forward pass takes the mean, not the sum: divide dout[n] by the length of document n."
    expect_close(dW, want, what="layer.grads[0] (dW)", inputs=inputs, hint=hint)


@emb.step("a word repeated in a document, or shared by two documents, adds up all its shares")
def _(MeanEmbedding):
    W = np.arange(10.0).reshape(5, 2) / 10
    docs = [np.array([2, 2, 0, 2]), np.array([0, 4]), np.array([4, 4])]
    dout = np.array([[4.0, -8.0], [2.0, 6.0], [-1.0, 3.0]])
    _, dW, inputs = _emb_case(MeanEmbedding, W, docs, dout)
    want = _ref_emb_grad(W, docs, dout)
    expect_close(dW, want, what="layer.grads[0] (dW)", inputs=inputs,
                 hint="Word 2 occurs three times in the first document, so W[2] gets 3 * dout[0] / 4. "
                      "dW[ids] += ... writes a repeated row only once; np.add.at(dW, ids, ...) adds every share.")


@emb.step("a second forward/backward gives that call's gradient, not the sum of both")
def _(MeanEmbedding):
    W = np.arange(8.0).reshape(4, 2)
    layer, _, _ = _emb_case(MeanEmbedding, W, [np.array([0, 1]), np.array([1, 3])], np.ones((2, 2)))
    docs = [np.array([3, 3, 2])]
    dout = np.array([[3.0, -6.0]])
    inputs = {"docs": docs, "dout": dout}
    call(lambda: layer.forward(docs), call_text="layer.forward(docs) (second call)", inputs=inputs)
    call(lambda: layer.backward(dout), call_text="layer.backward(dout) (second call)", inputs=inputs)
    expect_close(layer.grads[0], _ref_emb_grad(W, docs, dout), what="layer.grads[0] after the second backward",
                 inputs=inputs, hint="Each backward computes this batch's gradient: set dW[...] = 0.0 before "
                                     "adding into it, or the first batch's gradient stays in.")


@emb.step(f"dW matches a numerical gradient of a loss through the layer (relative error < {GRAD_TOL:g})")
def _(MeanEmbedding):
    rng = np.random.default_rng(85)
    W = rng.normal(size=(7, 3))
    docs = [np.array([0, 3, 3]), np.array([6]), np.array([2, 5, 2, 2, 1])]
    G = rng.normal(size=(3, 3))
    layer, dW, inputs = _emb_case(MeanEmbedding, W, docs, G)

    def loss():
        return float(np.sum(call(lambda: layer.forward(docs), call_text="layer.forward(docs)") * G))

    numeric = numerical_gradient(loss, W)
    err = relative_error(dW, numeric)
    expect(err < GRAD_TOL, f"dW does not match the numerical gradient (relative error {err:.1e})",
           f"for the loss sum(forward(docs) * G), backward(G) gave dW that differs from the numerical "
           f"gradient.\n   numerical: {_arr(numeric)}\n   yours:     {_arr(dW)}",
           "Each token adds dout[its document] / (length of its document) to its row of dW; use np.add.at.")


@emb.hidden_step("random vocabulary, documents and upstream gradients")
def _(MeanEmbedding):
    rng = hidden_rng("8.5 emb")
    V, D = int(rng.integers(6, 10)), int(rng.integers(2, 5))
    W = rng.normal(size=(V, D))
    docs = [rng.integers(0, V, size=int(rng.integers(1, 8))) for _ in range(5)]
    dout = rng.normal(size=(5, D))
    _, dW, inputs = _emb_case(MeanEmbedding, W, docs, dout)
    expect_close(dW, _ref_emb_grad(W, docs, dout), what="layer.grads[0] (dW)", inputs=inputs)


# --- Quiz ----------------------------------------------------------------------------------------

Quiz(NB, [
    Choice("q1", "Why is the vocabulary built from the training documents only?",
           {"a": "Counting words in the dev and test parts would take too long to compute.",
            "b": "Words seen only in dev or test would leak those parts into the model's design.",
            "c": "The dev and test parts contain no words that the training part lacks.",
            "d": "A vocabulary built from all parts would not fit into memory."},
           answer="b",
           explain="The dev and test parts stand for documents that arrive later. A word first seen there "
                   "would be unknown in real use, so it becomes <unk>, as it would then."),
    Numeric("q2", "For one class, 8 documents are predicted correctly, 2 other documents are wrongly "
                  "predicted as that class, and 8 documents of the class are missed. What is its F1 score? "
                  "(a number between 0 and 1)",
            answer=2 * 0.8 * 0.5 / 1.3, tol=0.002,
            explain="Precision 8 / 10 = 0.8, recall 8 / 16 = 0.5, F1 = 2 * 0.8 * 0.5 / 1.3 = 0.615."),
    Choice("q3", "Training accuracy has reached 1.00 and keeps it, while dev accuracy has been falling for "
                 "50 epochs. What does that say?",
           {"a": "The model memorises the training documents, and what it learns now does not carry over.",
            "b": "The learning rate is too small, so the model needs many more epochs to improve.",
            "c": "The dev part must be mislabelled, since the training part is learnt perfectly.",
            "d": "The model is too small to fit the data, so it needs more hidden units."},
           answer="a",
           explain="This is overfitting. Stop at the best dev epoch, add weight decay, or get more data."),
    Choice("q4", "In backward, `dW[ids] += grad_rows` is used with ids = [3, 3, 5]. What happens to row 3?",
           {"a": "It receives the sum of both of its rows of grad_rows, as it should.",
            "b": "It receives only one of its two rows of grad_rows, so the gradient is too small.",
            "c": "NumPy raises an error, because an index may not repeat in fancy indexing.",
            "d": "It receives the mean of its two rows of grad_rows instead of their sum."},
           answer="b",
           explain="Fancy-index assignment reads, adds and writes each index once; a repeated index is "
                   "written twice with the same stale value. np.add.at adds every row."),
    Choice("q5", "You tried 12 settings and kept the one with the best dev accuracy. Why report the test "
                 "accuracy rather than that dev accuracy?",
           {"a": "The dev accuracy of the chosen setting is biased upward: it was picked for being high.",
            "b": "The test part is larger than the dev part, so its accuracy is always more precise.",
            "c": "The dev accuracy cannot be computed once the final model has been trained.",
            "d": "Dev accuracy measures the loss, while test accuracy measures the right answers."},
           answer="a",
           explain="The best of 12 noisy scores is optimistic. Documents no choice has seen give an honest "
                   "estimate, once."),
])
