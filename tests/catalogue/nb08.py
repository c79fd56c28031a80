"""Wrong and right answers for notebook 08 (text classification)."""

from catalogue import Right, Wrong

CASES = [
    # --- 8.1 build_vocab -------------------------------------------------------------------------
    Wrong("8.1", "forgets <unk>: the words get ids from 0", fails_at="'<unk>' as id 0", code="""
def build_vocab(train_docs, min_count=1):
    counts = Counter(w for doc in train_docs for w in doc)
    kept = sorted((w for w in counts if counts[w] >= min_count), key=lambda w: (-counts[w], w))
    return {w: i for i, w in enumerate(kept)}
"""),
    Wrong("8.1", "puts <unk> last instead of first", fails_at="'<unk>' as id 0", code="""
def build_vocab(train_docs, min_count=1):
    counts = Counter(w for doc in train_docs for w in doc)
    kept = sorted((w for w in counts if counts[w] >= min_count), key=lambda w: (-counts[w], w))
    word_to_id = {w: i for i, w in enumerate(kept)}
    word_to_id["<unk>"] = len(word_to_id)
    return word_to_id
"""),
    Wrong("8.1", "counts documents (set of words per document), not occurrences", fails_at="decreasing count",
          code="""
def build_vocab(train_docs, min_count=1):
    counts = Counter(w for doc in train_docs for w in set(doc))
    word_to_id = {"<unk>": 0}
    for w in sorted((w for w in counts if counts[w] >= min_count), key=lambda w: (-counts[w], w)):
        word_to_id[w] = len(word_to_id)
    return word_to_id
"""),
    Wrong("8.1", "most_common(): ties in order of first appearance, not alphabetical", fails_at="decreasing count",
          code="""
def build_vocab(train_docs, min_count=1):
    counts = Counter(w for doc in train_docs for w in doc)
    word_to_id = {"<unk>": 0}
    for w, c in counts.most_common():
        if c >= min_count:
            word_to_id[w] = len(word_to_id)
    return word_to_id
"""),
    Wrong("8.1", "alphabetical order only, counts ignored", fails_at="decreasing count", code="""
def build_vocab(train_docs, min_count=1):
    counts = Counter(w for doc in train_docs for w in doc)
    word_to_id = {"<unk>": 0}
    for w in sorted(w for w in counts if counts[w] >= min_count):
        word_to_id[w] = len(word_to_id)
    return word_to_id
"""),
    Wrong("8.1", "> instead of >=: drops words seen exactly min_count times", fails_at="every training word",
          code="""
def build_vocab(train_docs, min_count=1):
    counts = Counter(w for doc in train_docs for w in doc)
    word_to_id = {"<unk>": 0}
    for w in sorted((w for w in counts if counts[w] > min_count), key=lambda w: (-counts[w], w)):
        word_to_id[w] = len(word_to_id)
    return word_to_id
"""),
    Right("8.1", "plain dict counting and a list sort with a tuple key", code="""
def build_vocab(train_docs, min_count=1):
    counts = {}
    for doc in train_docs:
        for w in doc:
            counts[w] = counts.get(w, 0) + 1
    pairs = sorted((-c, w) for w, c in counts.items() if c >= min_count)
    return dict([("<unk>", 0)] + [(w, i + 1) for i, (_, w) in enumerate(pairs)])
"""),

    # --- 8.2 bag_of_words ------------------------------------------------------------------------
    Wrong("8.2", "presence (0/1) instead of counts", fails_at="repeated word counts twice", code="""
def bag_of_words(docs, word_to_id):
    X = np.zeros((len(docs), len(word_to_id)))
    for i, doc in enumerate(docs):
        for w in doc:
            X[i, word_to_id.get(w, 0)] = 1
    return X
"""),
    Wrong("8.2", "fancy-index += loses repeated words", fails_at="repeated word counts twice", code="""
def bag_of_words(docs, word_to_id):
    X = np.zeros((len(docs), len(word_to_id)))
    for i, doc in enumerate(docs):
        ids = np.array([word_to_id.get(w, 0) for w in doc], dtype=int)
        X[i, ids] += 1
    return X
"""),
    Wrong("8.2", "integer matrix", fails_at="floats", code="""
def bag_of_words(docs, word_to_id):
    X = np.zeros((len(docs), len(word_to_id)), dtype=int)
    for i, doc in enumerate(docs):
        for w in doc:
            X[i, word_to_id.get(w, 0)] += 1
    return X
"""),
    Wrong("8.2", "word_to_id[w] raises KeyError on an unknown word", fails_at="unknown words", code="""
def bag_of_words(docs, word_to_id):
    X = np.zeros((len(docs), len(word_to_id)))
    for i, doc in enumerate(docs):
        for w in doc:
            X[i, word_to_id[w]] += 1
    return X
"""),
    Wrong("8.2", "skips unknown words instead of counting them as <unk>", fails_at="unknown words", code="""
def bag_of_words(docs, word_to_id):
    X = np.zeros((len(docs), len(word_to_id)))
    for i, doc in enumerate(docs):
        for w in doc:
            if w in word_to_id:
                X[i, word_to_id[w]] += 1
    return X
"""),
    Wrong("8.2", "one column too many (V + 1) for the unknown words", fails_at="shape (N, V)", code="""
def bag_of_words(docs, word_to_id):
    X = np.zeros((len(docs), len(word_to_id) + 1))
    for i, doc in enumerate(docs):
        for w in doc:
            X[i, word_to_id.get(w, len(word_to_id))] += 1
    return X
"""),
    Right("8.2", "np.add.at on (row, id) pairs", code="""
def bag_of_words(docs, word_to_id):
    X = np.zeros((len(docs), len(word_to_id)))
    rows = [i for i, doc in enumerate(docs) for _ in doc]
    cols = [word_to_id.get(w, 0) for doc in docs for w in doc]
    np.add.at(X, (np.array(rows, dtype=int), np.array(cols, dtype=int)), 1.0)
    return X
"""),

    # --- 8.3 precision_recall_f1 -------------------------------------------------------------------
    Wrong("8.3", "precision and recall swapped (axes mixed up)", fails_at="precision and recall", code="""
def precision_recall_f1(M):
    tp = np.diag(M).astype(float)
    precision = tp / M.sum(axis=1)
    recall = tp / M.sum(axis=0)
    return precision, recall, 2 * precision * recall / (precision + recall)
"""),
    Wrong("8.3", "precision divides by the total count", fails_at="precision and recall", code="""
def precision_recall_f1(M):
    tp = np.diag(M).astype(float)
    precision = tp / M.sum()
    recall = tp / M.sum(axis=1)
    return precision, recall, 2 * precision * recall / (precision + recall)
"""),
    Wrong("8.3", "F1 set to 0 unless precision + recall reaches 1 (a guard on the wrong quantity)",
          fails_at="small counts", code="""
def precision_recall_f1(M):
    tp = np.diag(M).astype(float)
    cols, rows = M.sum(axis=0), M.sum(axis=1)
    precision = np.divide(tp, cols, out=np.zeros_like(tp), where=cols > 0)
    recall = np.divide(tp, rows, out=np.zeros_like(tp), where=rows > 0)
    both = precision + recall
    return precision, recall, np.divide(2 * precision * recall, both, out=np.zeros_like(tp), where=both >= 1)
"""),
    Wrong("8.3", "F1 as the plain mean of precision and recall", fails_at="harmonic mean", code="""
def precision_recall_f1(M):
    tp = np.diag(M).astype(float)
    precision = tp / M.sum(axis=0)
    recall = tp / M.sum(axis=1)
    return precision, recall, (precision + recall) / 2
"""),
    Wrong("8.3", "returns the macro averages instead of one value per class", fails_at="precision and recall",
          code="""
def precision_recall_f1(M):
    tp = np.diag(M).astype(float)
    precision = tp / M.sum(axis=0)
    recall = tp / M.sum(axis=1)
    f1 = 2 * precision * recall / (precision + recall)
    return precision.mean(), recall.mean(), f1.mean()
"""),
    Wrong("8.3", "plain division: 0/0 for a class never predicted (warning, NaN)", fails_at="never predicted",
          code="""
def precision_recall_f1(M):
    tp = np.diag(M).astype(float)
    precision = tp / M.sum(axis=0)
    recall = tp / M.sum(axis=1)
    return precision, recall, 2 * precision * recall / (precision + recall)
"""),
    Wrong("8.3", "adds 1e-12 to the denominators of P and R, but F1 still divides 0 by 0",
          fails_at="never predicted", code="""
def precision_recall_f1(M):
    tp = np.diag(M).astype(float)
    precision = tp / (M.sum(axis=0) + 1e-12)
    recall = tp / (M.sum(axis=1) + 1e-12)
    return precision, recall, 2 * precision * recall / (precision + recall)
"""),
    Right("8.3", "a loop over classes with if-guards", code="""
def precision_recall_f1(M):
    C = len(M)
    precision, recall, f1 = np.zeros(C), np.zeros(C), np.zeros(C)
    for k in range(C):
        col, row = M[:, k].sum(), M[k, :].sum()
        precision[k] = M[k, k] / col if col else 0.0
        recall[k] = M[k, k] / row if row else 0.0
        if precision[k] + recall[k] > 0:
            f1[k] = 2 * precision[k] * recall[k] / (precision[k] + recall[k])
    return precision, recall, f1
"""),

    # --- 8.4 l2_penalty ------------------------------------------------------------------------
    Wrong("8.4", "penalty without the 1/2 (lam * sum of squares)", fails_at="penalty: lam / 2", code="""
def l2_penalty(params, lam):
    penalty = sum(lam * np.sum(p ** 2) for p in params if p.ndim == 2)
    return penalty, [lam * p if p.ndim == 2 else np.zeros_like(p) for p in params]
"""),
    Wrong("8.4", "decays the biases too", fails_at="penalty: lam / 2", code="""
def l2_penalty(params, lam):
    penalty = sum(lam / 2 * np.sum(p ** 2) for p in params)
    return penalty, [lam * p for p in params]
"""),
    Wrong("8.4", "gradient 2 * lam * W (the 2 of the square kept)", fails_at="gradients: lam * W", code="""
def l2_penalty(params, lam):
    penalty = sum(lam / 2 * np.sum(p ** 2) for p in params if p.ndim == 2)
    return penalty, [2 * lam * p if p.ndim == 2 else np.zeros_like(p) for p in params]
"""),
    Wrong("8.4", "L1 penalty (absolute values) with its sign gradient", fails_at="penalty: lam / 2", code="""
def l2_penalty(params, lam):
    penalty = sum(lam / 2 * np.sum(np.abs(p)) for p in params if p.ndim == 2)
    return penalty, [lam * np.sign(p) if p.ndim == 2 else np.zeros_like(p) for p in params]
"""),
    Wrong("8.4", "scales the weights in place instead of returning new arrays", fails_at="penalty: lam / 2",
          code="""
def l2_penalty(params, lam):
    penalty = sum(lam / 2 * np.sum(p ** 2) for p in params if p.ndim == 2)
    grads = []
    for p in params:
        if p.ndim == 2:
            p *= lam
            grads.append(p)
        else:
            grads.append(np.zeros_like(p))
    return penalty, grads
"""),
    Wrong("8.4", "leaves the biases out of the list of gradients", fails_at="penalty: lam / 2", code="""
def l2_penalty(params, lam):
    penalty = sum(lam / 2 * np.sum(p ** 2) for p in params if p.ndim == 2)
    return penalty, [lam * p for p in params if p.ndim == 2]
"""),
    Right("8.4", "explicit loop, squares via a dot product", code="""
def l2_penalty(params, lam):
    penalty, grads = 0.0, []
    for p in params:
        if p.ndim == 2:
            flat = p.ravel()
            penalty += 0.5 * lam * float(flat @ flat)
            grads.append(lam * p)
        else:
            grads.append(np.zeros(p.shape))
    return penalty, grads
"""),

    # --- 8.5 MeanEmbedding.backward -----------------------------------------------------------------
    Wrong("8.5", "dW[ids] += ...: a repeated word keeps only one share", fails_at="repeated in a document",
          code="""
class MeanEmbedding(MeanEmbedding):
    def backward(self, dout):
        dW, = self.grads
        dW[...] = 0.0
        dW[self.ids] += dout[self.doc] / self.lengths[self.doc, None]
"""),
    Wrong("8.5", "forgets to divide by the length (backward of a sum)", fails_at="dout / length", code="""
class MeanEmbedding(MeanEmbedding):
    def backward(self, dout):
        dW, = self.grads
        dW[...] = 0.0
        np.add.at(dW, self.ids, dout[self.doc])
"""),
    Wrong("8.5", "does not reset dW: gradients pile up over calls", fails_at="second forward/backward", code="""
class MeanEmbedding(MeanEmbedding):
    def backward(self, dout):
        dW, = self.grads
        np.add.at(dW, self.ids, dout[self.doc] / self.lengths[self.doc, None])
"""),
    Wrong("8.5", "rebinds self.grads[0] to a new array", fails_at="dout / length", code="""
class MeanEmbedding(MeanEmbedding):
    def backward(self, dout):
        dW = np.zeros_like(self.params[0])
        np.add.at(dW, self.ids, dout[self.doc] / self.lengths[self.doc, None])
        self.grads[0] = dW
"""),
    Wrong("8.5", "divides by the number of documents instead of each document's length", fails_at="dout / length",
          code="""
class MeanEmbedding(MeanEmbedding):
    def backward(self, dout):
        dW, = self.grads
        dW[...] = 0.0
        np.add.at(dW, self.ids, dout[self.doc] / len(dout))
"""),
    Wrong("8.5", "returns dW instead of None", fails_at="dout / length", code="""
class MeanEmbedding(MeanEmbedding):
    def backward(self, dout):
        dW, = self.grads
        dW[...] = 0.0
        np.add.at(dW, self.ids, dout[self.doc] / self.lengths[self.doc, None])
        return dW
"""),
    Right("8.5", "a loop over documents and their words", code="""
class MeanEmbedding(MeanEmbedding):
    def backward(self, dout):
        dW = self.grads[0]
        dW.fill(0.0)
        start = 0
        for n, length in enumerate(self.lengths):
            for v in self.ids[start:start + length]:
                dW[v] += dout[n] / length
            start += length
"""),

    # --- found by red-teaming the checks ---------------------------------------------------
    Wrong("8.4", "takes every other parameter as a weight (params[::2]): right for [W1, b1, W2, b2] only",
          fails_at="penalty: lam / 2", code="""
def l2_penalty(params, lam):
    penalty = sum(lam / 2 * np.sum(p ** 2) for p in params[::2])
    grads = [lam * p if i % 2 == 0 else np.zeros_like(p) for i, p in enumerate(params)]
    return penalty, grads
"""),
    Right("8.1", "two stable sorts: alphabetical first, then by count", code="""
from collections import Counter

def build_vocab(docs, min_count):
    counts = Counter(w for doc in docs for w in doc)
    words = sorted(sorted(w for w in counts if counts[w] >= min_count), key=lambda w: -counts[w])
    return {"<unk>": 0, **{w: i + 1 for i, w in enumerate(words)}}
"""),
    Right("8.3", "F1 as 2 tp / (row sum + column sum), warnings silenced with np.errstate", code="""
def precision_recall_f1(M):
    M = np.asarray(M, dtype=float)
    tp = np.diag(M)
    predicted, actual = M.sum(axis=0), M.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(predicted > 0, tp / predicted, 0.0)
        recall = np.where(actual > 0, tp / actual, 0.0)
        f1 = np.where(predicted + actual > 0, 2 * tp / (predicted + actual), 0.0)
    return precision, recall, f1
"""),
    Right("8.5", "np.bincount with weights, one column of dW at a time", code="""
class MeanEmbedding:
    def __init__(self, W):
        self.params = [W]
        self.grads = [np.zeros_like(W)]

    def forward(self, docs):
        W, = self.params
        self.lengths = np.array([len(ids) for ids in docs])
        self.ids = np.concatenate(docs)
        self.doc = np.repeat(np.arange(len(docs)), self.lengths)
        return np.array([W[ids].mean(axis=0) for ids in docs])

    def backward(self, dout):
        dW, = self.grads
        shares = dout[self.doc] / self.lengths[self.doc, None]
        for j in range(dW.shape[1]):
            dW[:, j] = np.bincount(self.ids, weights=shares[:, j], minlength=dW.shape[0])
"""),

    Right("8.2", "a Counter per document, each word's count added once", code="""
from collections import Counter

def bag_of_words(docs, word_to_id):
    X = np.zeros((len(docs), len(word_to_id)))
    for i, doc in enumerate(docs):
        for w, c in Counter(doc).items():
            X[i, word_to_id.get(w, 0)] += c
    return X
"""),
]
