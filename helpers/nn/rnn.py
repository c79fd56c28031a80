"""Reference recurrent layers for notebook 07: a recurrent language model trained with
truncated backpropagation through time (BPTT).

You build these in notebook 07; later notebooks use these reference versions.
Every layer has the course's interface:

* ``params``: list of parameter arrays,
* ``grads``: list of arrays of the same shapes, overwritten IN PLACE by ``backward``
  (``grads[i][...] = ...``), so an optimizer that holds references sees the new values,
* ``forward(...)`` and ``backward(dout)``.

Shapes: N = batch size, T = time steps, D = input (word-vector) size, H = hidden size,
V = vocabulary size. The notebook's prose calls the three weight matrices of a simple
RNN U (input -> hidden), W (hidden -> hidden) and V (hidden -> output); here they are
``Wx`` (= U), ``Wh`` (= W) and the ``W`` of the ``TimeAffine`` output layer (= V).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "RNN",
    "TimeRNN",
    "NaiveTimeRNN",
    "Embedding",
    "TimeEmbedding",
    "TimeAffine",
    "TimeSoftmaxWithLoss",
    "clip_grads",
    "SimpleRnnlm",
    "ptb_style_batches",
    "perplexity",
    "generate",
]


# ---------------------------------------------------------------------------
# Small checks, so that a wrong shape fails with a sentence instead of a
# broadcasting error three layers further down.
# ---------------------------------------------------------------------------

def _check_array(name: str, x, ndim: int, last: int | None = None, what: str = "") -> np.ndarray:
    """Return x as an ndarray after checking its number of dimensions and last size."""
    x = np.asarray(x)
    if x.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions {what}, got shape {x.shape}")
    if last is not None and x.shape[-1] != last:
        raise ValueError(f"{name} must have last dimension {last} {what}, got shape {x.shape}")
    return x


def _check_ids(name: str, idx, ndim: int, vocab_size: int) -> np.ndarray:
    """Return idx as an integer ndarray of word ids in [0, vocab_size)."""
    idx = np.asarray(idx)
    if not np.issubdtype(idx.dtype, np.integer):
        raise ValueError(f"{name} must hold integer word ids, got dtype {idx.dtype}")
    if idx.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {idx.shape}")
    if idx.size and (idx.min() < 0 or idx.max() >= vocab_size):
        raise ValueError(f"{name} holds ids outside [0, {vocab_size}): "
                         f"min {idx.min()}, max {idx.max()}")
    return idx


def _check_weights(Wx, Wh, b):
    """Check the shapes of an RNN's Wx: (D, H), Wh: (H, H), b: (H,)."""
    if Wx.ndim != 2 or Wh.ndim != 2 or b.ndim != 1:
        raise ValueError("RNN weights must be Wx: (D, H), Wh: (H, H), b: (H,); got "
                         f"{Wx.shape}, {Wh.shape}, {b.shape}")
    H = Wx.shape[1]
    if Wh.shape != (H, H) or b.shape != (H,):
        raise ValueError(f"RNN weights disagree on the hidden size H = Wx.shape[1] = {H}: "
                         f"Wh {Wh.shape} (expected {(H, H)}), b {b.shape} (expected {(H,)})")


# ---------------------------------------------------------------------------
# The recurrent layers
# ---------------------------------------------------------------------------

class RNN:
    """One time step of a simple (Elman) RNN: h_next = tanh(x Wx + h_prev Wh + b).

    Wx: (D, H), input -> hidden (called U in the notebook); Wh: (H, H), hidden ->
    hidden (called W); b: (H,).
    """

    def __init__(self, Wx, Wh, b):
        _check_weights(Wx, Wh, b)
        self.params = [Wx, Wh, b]
        self.grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
        self.cache = None

    def forward(self, x, h_prev):
        """x: (N, D), h_prev: (N, H) -> h_next: (N, H)."""
        Wx, Wh, b = self.params
        x = _check_array("x", x, 2, Wx.shape[0], "(N, D)")
        h_prev = _check_array("h_prev", h_prev, 2, Wh.shape[0], "(N, H)")
        h_next = np.tanh(x @ Wx + h_prev @ Wh + b)
        self.cache = (x, h_prev, h_next)
        return h_next

    def backward(self, dh_next):
        """dh_next: (N, H) -> (dx: (N, D), dh_prev: (N, H)); fills grads of Wx, Wh, b."""
        Wx, Wh, _ = self.params
        x, h_prev, h_next = self.cache
        # tanh'(a) = 1 - tanh(a)^2, and tanh(a) is h_next, which we kept.
        da = dh_next * (1.0 - h_next ** 2)
        self.grads[0][...] = x.T @ da
        self.grads[1][...] = h_prev.T @ da
        self.grads[2][...] = da.sum(axis=0)   # b was broadcast over the batch
        dx = da @ Wx.T
        dh_prev = da @ Wh.T
        return dx, dh_prev


class TimeRNN:
    """T steps of a simple RNN at once, vectorised over time where the maths allows.

    Wx: (D, H) (= U), Wh: (H, H) (= W), b: (H,).
    stateful=True keeps the last hidden state between calls to ``forward``, so a long
    text can be fed in chunks of T words (truncated BPTT): the state flows forward
    into the next chunk, but gradients stop at the chunk boundary.
    """

    def __init__(self, Wx, Wh, b, stateful: bool = False):
        _check_weights(Wx, Wh, b)
        self.params = [Wx, Wh, b]
        self.grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
        self.stateful = stateful
        self.h = None    # (N, H) hidden state carried to the next call (stateful only)
        self.dh = None   # (N, H) gradient of the loss w.r.t. the initial hidden state
        self.cache = None

    def set_state(self, h):
        """h: (N, H), the hidden state the next ``forward`` starts from (stateful only)."""
        self.h = _check_array("h", h, 2, self.params[1].shape[0], "(N, H)")

    def reset_state(self):
        """Forget the carried hidden state; the next ``forward`` starts from zeros."""
        self.h = None

    def _initial_state(self, N: int, dtype) -> np.ndarray:
        """The (N, H) state a forward pass starts from: the carried one, or zeros."""
        H = self.params[1].shape[0]
        if not self.stateful or self.h is None:
            return np.zeros((N, H), dtype=dtype)
        if self.h.shape[0] != N:
            raise ValueError(f"the carried hidden state has batch size {self.h.shape[0]} "
                             f"but xs has batch size {N}; call reset_state() first")
        return self.h

    def forward(self, xs):
        """xs: (N, T, D) -> hs: (N, T, H)."""
        Wx, Wh, b = self.params
        xs = _check_array("xs", xs, 3, Wx.shape[0], "(N, T, D)")
        N, T, D = xs.shape
        H = Wh.shape[0]
        h0 = self._initial_state(N, Wx.dtype)

        # The input part x_t Wx + b does not depend on the previous step, so all T
        # steps are done in one big matrix product instead of T small ones.
        hs = (xs.reshape(N * T, D) @ Wx).reshape(N, T, H)
        hs += b
        # Only the recurrent part h_{t-1} Wh must wait for the previous step. We add
        # it to the precomputed inputs and squash in place, so the array that held
        # the pre-activations ends up holding the hidden states (no extra array).
        h = h0
        for t in range(T):
            a_t = hs[:, t, :]
            a_t += h @ Wh
            np.tanh(a_t, out=a_t)
            h = a_t

        self.cache = (xs, h0, hs)
        if self.stateful:
            self.h = hs[:, -1, :].copy()
        return hs

    def backward(self, dhs):
        """dhs: (N, T, H) -> dxs: (N, T, D); fills grads of Wx, Wh, b and sets ``self.dh``."""
        Wx, Wh, _ = self.params
        xs, h0, hs = self.cache
        N, T, D = xs.shape
        H = Wh.shape[0]
        dhs = _check_array("dhs", dhs, 3, H, "(N, T, H)")
        if dhs.shape[:2] != (N, T):
            raise ValueError(f"dhs must have shape {(N, T, H)} like the forward output, "
                             f"got {dhs.shape}")

        # Walk back through time. Step t receives gradient from two places: the
        # output above it (dhs[:, t]) and the next time step (dh). Only this
        # recurrence needs a loop; we store the gradient w.r.t. every pre-activation
        # a_t in da_all and do the weight gradients afterwards in one product each.
        # tanh'(a_t) = 1 - h_t^2 does not depend on the recurrence either, so it is
        # computed for all steps at once; we reuse that array to hold da for every t.
        da_all = 1.0 - hs * hs
        dh = np.zeros((N, H), dtype=hs.dtype)
        for t in range(T - 1, -1, -1):
            da = da_all[:, t, :]
            da *= dhs[:, t, :] + dh      # chain rule through the tanh
            dh = da @ Wh.T

        # h_{t-1} for every t: the initial state, then the first T-1 outputs.
        hs_prev = np.concatenate([h0[:, None, :], hs[:, :-1, :]], axis=1)
        da_flat = da_all.reshape(N * T, H)
        # Summing x_t^T da_t over all n and t is a single (D, N*T) @ (N*T, H) product.
        np.matmul(xs.reshape(N * T, D).T, da_flat, out=self.grads[0])
        np.matmul(hs_prev.reshape(N * T, H).T, da_flat, out=self.grads[1])
        np.sum(da_flat, axis=0, out=self.grads[2])
        dxs = (da_flat @ Wx.T).reshape(N, T, D)
        self.dh = dh
        return dxs


class NaiveTimeRNN(TimeRNN):
    """TimeRNN written as a chain of T ``RNN`` step objects (slow, for comparison).

    Same constructor, attributes and results (up to rounding) as ``TimeRNN``; it
    creates one ``RNN`` per time step and calls them one by one, which is the direct
    translation of the unrolled-network picture. The benchmark measures what the
    vectorised version saves.
    """

    def forward(self, xs):
        """xs: (N, T, D) -> hs: (N, T, H)."""
        Wx, Wh, b = self.params
        xs = _check_array("xs", xs, 3, Wx.shape[0], "(N, T, D)")
        N, T, _ = xs.shape
        h0 = self._initial_state(N, Wx.dtype)
        hs = np.empty((N, T, Wh.shape[0]), dtype=Wx.dtype)
        self.layers = []
        h = h0
        for t in range(T):
            layer = RNN(Wx, Wh, b)   # shares the parameter arrays, owns its grads
            h = layer.forward(xs[:, t, :], h)
            hs[:, t, :] = h
            self.layers.append(layer)
        if self.stateful:
            self.h = h
        return hs

    def backward(self, dhs):
        """dhs: (N, T, H) -> dxs: (N, T, D); fills grads of Wx, Wh, b and sets ``self.dh``."""
        N, T, H = dhs.shape
        D = self.params[0].shape[0]
        dxs = np.empty((N, T, D), dtype=dhs.dtype)
        dh = np.zeros((N, H), dtype=dhs.dtype)
        totals = [np.zeros_like(g) for g in self.grads]
        for t in range(T - 1, -1, -1):
            dx, dh = self.layers[t].backward(dhs[:, t, :] + dh)
            dxs[:, t, :] = dx
            # The same weights are used at every step, so their gradients add up.
            for total, g in zip(totals, self.layers[t].grads):
                total += g
        for g, total in zip(self.grads, totals):
            g[...] = total
        self.dh = dh
        return dxs


# ---------------------------------------------------------------------------
# Embedding, output layer and loss
# ---------------------------------------------------------------------------

class Embedding:
    """Word-id lookup for one time step: row idx[n] of W is the vector of word idx[n].

    W: (V, D).
    """

    ids_ndim = 1  # idx: (N,)

    def __init__(self, W):
        self.params = [W]
        self.grads = [np.zeros_like(W)]
        self.idx = None

    def forward(self, idx):
        """idx: (N,) int -> out: (N, D)."""
        W, = self.params
        self.idx = _check_ids("idx", idx, self.ids_ndim, W.shape[0])
        return W[self.idx]

    def backward(self, dout):
        """dout: (N, D) -> None (ids have no gradient); fills grads of W."""
        dW, = self.grads
        dW[...] = 0.0
        # np.add.at, not dW[idx] += dout: with fancy indexing a repeated id would be
        # written once instead of having all its gradients added.
        np.add.at(dW, self.idx.ravel(), dout.reshape(-1, dW.shape[1]))
        return None


class TimeEmbedding(Embedding):
    """Word-id lookup for T steps at once: idx (N, T) int -> out (N, T, D). W: (V, D).

    The lookup and its backward are the same as ``Embedding``'s: indexing W
    with an (N, T) array of ids already gives (N, T, D), and the backward
    flattens the ids and the gradient rows alike.
    """

    ids_ndim = 2  # idx: (N, T)


class TimeAffine:
    """The same affine map at every time step: out = x W + b. W: (H, V) (= V in the prose), b: (V,)."""

    def __init__(self, W, b):
        if W.ndim != 2 or b.shape != (W.shape[1],):
            raise ValueError(f"TimeAffine needs W: (H, V) and b: (V,), got {W.shape}, {b.shape}")
        self.params = [W, b]
        self.grads = [np.zeros_like(W), np.zeros_like(b)]
        self.x = None

    def forward(self, x):
        """x: (N, T, H) -> out: (N, T, V)."""
        W, b = self.params
        x = _check_array("x", x, 3, W.shape[0], "(N, T, H)")
        N, T, H = x.shape
        self.x = x
        # Folding time into the batch turns T small products into one big one.
        out = x.reshape(N * T, H) @ W
        out += b
        return out.reshape(N, T, -1)

    def backward(self, dout):
        """dout: (N, T, V) -> dx: (N, T, H); fills grads of W and b."""
        W, _ = self.params
        N, T, H = self.x.shape
        dout = dout.reshape(N * T, -1)
        np.matmul(self.x.reshape(N * T, H).T, dout, out=self.grads[0])
        np.sum(dout, axis=0, out=self.grads[1])
        return (dout @ W.T).reshape(N, T, H)


class TimeSoftmaxWithLoss:
    """Softmax + cross-entropy averaged over all N*T predictions.

    Labels equal to ``ignore_label`` (default -1, e.g. padding) count neither in the
    loss nor in the average.
    """

    def __init__(self, ignore_label: int = -1):
        self.params, self.grads = [], []
        self.ignore_label = ignore_label
        self.cache = None

    def forward(self, xs, ts):
        """xs: (N, T, V) scores, ts: (N, T) int labels -> loss: float (mean over kept labels)."""
        xs = _check_array("xs", xs, 3, None, "(N, T, V)")
        N, T, V = xs.shape
        ts = np.asarray(ts)
        if ts.shape != (N, T) or not np.issubdtype(ts.dtype, np.integer):
            raise ValueError(f"ts must be integer labels of shape {(N, T)}, "
                             f"got shape {ts.shape} and dtype {ts.dtype}")
        x = xs.reshape(N * T, V)
        t = ts.reshape(N * T)
        keep = t != self.ignore_label
        if np.any((t[keep] < 0) | (t[keep] >= V)):
            raise ValueError(f"ts holds labels outside [0, {V}) that are not ignore_label")
        t = np.where(keep, t, 0)            # any valid index; those rows are masked out
        rows = np.arange(N * T)

        # Stable softmax: subtracting the row maximum changes no probability but keeps
        # exp from overflowing. It also guards the log: the largest shifted score is
        # 0, so every row sum is >= 1 and log(sums) is finite. We never take log(p).
        shifted = x - x.max(axis=1, keepdims=True)
        target_scores = shifted[rows, t]
        exps = np.exp(shifted, out=shifted)   # reuse the buffer: shifted is not needed again
        sums = exps.sum(axis=1)
        # -log p_target = log(sum_j exp(s_j)) - s_target
        losses = np.log(sums) - target_scores
        count = max(int(keep.sum()), 1)
        loss = float(losses[keep].sum() / count)
        self.cache = (exps, sums, t, keep, count, (N, T, V))
        return loss

    def backward(self, dout=1.0):
        """dout: scalar -> dxs: (N, T, V), the gradient (softmax - one_hot) / count.

        Call it once per ``forward``: it turns the cached exponentials into the
        gradient in place instead of allocating another (N*T, V) array, which is the
        largest array of the whole model (V is the vocabulary size).
        """
        if self.cache is None:
            raise RuntimeError("TimeSoftmaxWithLoss.backward() needs a forward() first "
                               "(and each forward() allows one backward())")
        exps, sums, t, keep, count, shape = self.cache
        self.cache = None
        scale = dout / count
        # softmax * scale in one pass: dividing by the row sum and scaling are merged.
        dx = exps
        dx *= (scale / sums)[:, None]
        dx[np.arange(t.size), t] -= scale
        if not keep.all():
            dx[~keep] = 0.0                 # ignored positions get no gradient
        return dx.reshape(shape)


# ---------------------------------------------------------------------------
# Training utilities
# ---------------------------------------------------------------------------

def clip_grads(grads, max_norm: float) -> float:
    """Scale all gradients in place so that their global L2 norm is at most max_norm.

    grads: list of arrays (any shapes). Returns the global norm *before* clipping.
    Clipping the norm of all gradients together keeps their direction and tames the
    exploding gradients a long chain of Wh products can produce.
    """
    # vdot flattens and multiplies in one BLAS call, without a temporary g * g.
    total = float(np.sqrt(sum(float(np.vdot(g, g)) for g in grads)))
    rate = max_norm / (total + 1e-6)
    if rate < 1.0:
        for g in grads:
            g *= rate
    return total


class SimpleRnnlm:
    """Recurrent language model: TimeEmbedding -> TimeRNN (stateful) -> TimeAffine -> loss.

    vocab_size: V, wordvec_size: D, hidden_size: H.
    seed: an int or an ``np.random.Generator`` for the initial weights.
    dtype: float64 (the course default) or float32.
    naive: use ``NaiveTimeRNN`` instead of ``TimeRNN`` (same numbers, slower).
    """

    def __init__(self, vocab_size: int, wordvec_size: int = 100, hidden_size: int = 100,
                 seed=0, dtype=np.float64, naive: bool = False):
        V, D, H = vocab_size, wordvec_size, hidden_size
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        dtype = np.dtype(dtype)

        def normal(shape, scale):
            return (rng.standard_normal(shape) * scale).astype(dtype)

        # Xavier-style scaling 1/sqrt(fan_in) keeps each layer's output variance near
        # its input's. An embedding row is looked up, not summed over V inputs, so it
        # has no fan-in: small random vectors (std 0.01) are the usual start.
        embed_W = normal((V, D), 0.01)
        rnn_Wx = normal((D, H), 1.0 / np.sqrt(D))
        rnn_Wh = normal((H, H), 1.0 / np.sqrt(H))
        rnn_b = np.zeros(H, dtype=dtype)
        affine_W = normal((H, V), 1.0 / np.sqrt(H))
        affine_b = np.zeros(V, dtype=dtype)

        rnn_class = NaiveTimeRNN if naive else TimeRNN
        self.layers = [
            TimeEmbedding(embed_W),
            rnn_class(rnn_Wx, rnn_Wh, rnn_b, stateful=True),
            TimeAffine(affine_W, affine_b),
        ]
        self.loss_layer = TimeSoftmaxWithLoss()
        self.rnn_layer = self.layers[1]
        self.params = [p for layer in self.layers for p in layer.params]
        self.grads = [g for layer in self.layers for g in layer.grads]

    def predict(self, xs):
        """xs: (N, T) int word ids -> scores: (N, T, V) (advances the hidden state)."""
        out = xs
        for layer in self.layers:
            out = layer.forward(out)
        return out

    def forward(self, xs, ts):
        """xs: (N, T) int inputs, ts: (N, T) int next-word targets -> mean loss: float."""
        return self.loss_layer.forward(self.predict(xs), ts)

    def backward(self, dout=1.0):
        """dout: scalar -> None; fills ``self.grads`` in place."""
        dout = self.loss_layer.backward(dout)
        for layer in reversed(self.layers):
            dout = layer.backward(dout)

    def reset_state(self):
        """Forget the hidden state (start of a new epoch, a new text, or generation)."""
        self.rnn_layer.reset_state()


def ptb_style_batches(corpus, batch_size: int, time_size: int):
    """Yield one epoch of (xs, ts) mini-batches for truncated BPTT.

    corpus: (L,) int word ids. Yields xs: (N, T) inputs and ts: (N, T) targets (the
    next word of each input), N = batch_size, T = time_size.
    The corpus is cut into N equal segments, one per row of the batch, and each row
    reads its own segment from left to right, T words per batch. So row n of one batch
    continues exactly where row n of the previous batch stopped, which is what makes
    the hidden state a stateful RNN carries over meaningful. Call the model's
    ``reset_state()`` before each epoch, since every row jumps back to its start.
    """
    corpus = np.asarray(corpus)
    if corpus.ndim != 1 or not np.issubdtype(corpus.dtype, np.integer):
        raise ValueError(f"corpus must be a 1-D array of integer word ids, got shape "
                         f"{corpus.shape} and dtype {corpus.dtype}")
    xs_all, ts_all = corpus[:-1], corpus[1:]
    segment = xs_all.size // batch_size          # words per row
    n_batches = segment // time_size
    if n_batches == 0:
        raise ValueError(f"corpus of {corpus.size} ids is too short for batch_size="
                         f"{batch_size} x time_size={time_size}")
    starts = np.arange(batch_size)[:, None] * segment    # (N, 1) start of each row
    steps = np.arange(time_size)[None, :]                # (1, T)
    for i in range(n_batches):
        where = starts + i * time_size + steps           # (N, T) positions in the corpus
        yield xs_all[where], ts_all[where]


def perplexity(model, corpus, batch_size: int = 10, time_size: int = 35) -> float:
    """Perplexity exp(mean cross-entropy) of a model on corpus: (L,) int ids.

    Reads the corpus with ``ptb_style_batches`` (the hidden state flows across batches)
    and resets the model's state before and after, so training is not disturbed.
    """
    model.reset_state()
    total, count = 0.0, 0
    for xs, ts in ptb_style_batches(corpus, batch_size, time_size):
        total += model.forward(xs, ts)   # every batch has the same N*T predictions
        count += 1
    model.reset_state()
    return float(np.exp(total / count))


def generate(model, start_id: int, length: int, rng=None, skip_ids=None) -> list[int]:
    """Sample ``length`` word ids from the model, starting with start_id.

    rng: an ``np.random.Generator`` or int seed; skip_ids: ids never to sample
    (e.g. ``<unk>``). Returns a list of ints that begins with start_id. Each next
    word is drawn from the model's softmax, one step at a time (batch of 1), and fed
    back in as the next input. Resets the model's state before and after.
    """
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    skip = np.asarray([] if skip_ids is None else list(skip_ids), dtype=np.int64)
    model.reset_state()
    word_ids = [int(start_id)]
    while len(word_ids) < length:
        scores = model.predict(np.array([[word_ids[-1]]])).ravel().astype(np.float64)
        p = np.exp(scores - scores.max())
        p[skip] = 0.0
        p /= p.sum()
        word_ids.append(int(rng.choice(p.size, p=p)))
    model.reset_state()
    return word_ids
