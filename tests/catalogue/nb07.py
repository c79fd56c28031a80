"""Wrong and right answers for notebook 07 (a recurrent language model)."""

from catalogue import Right, Wrong
from catalogue.edits import edit

STEP_FORWARD = """
def rnn_step_forward(x, h_prev, U, W, b):
    return np.tanh(x @ U + h_prev @ W + b)
"""

STEP_BACKWARD = """
def rnn_step_backward(dh_next, x, h_prev, h_next, U, W):
    da = dh_next * (1 - h_next ** 2)
    dx = da @ U.T
    dh_prev = da @ W.T
    dU = x.T @ da
    dW = h_prev.T @ da
    db = da.sum(axis=0)
    return dx, dh_prev, dU, dW, db
"""

TIME_BACKWARD = """
def rnn_time_backward(dhs, xs, hs, h0, U, W, k=None):
    N, T, _ = xs.shape
    dxs = np.zeros_like(xs)
    dU, dW, db = np.zeros_like(U), np.zeros_like(W), np.zeros(W.shape[0])
    dh = np.zeros_like(h0)
    for t in range(T - 1, -1, -1):
        h_prev = h0 if t == 0 else hs[:, t - 1]
        dx, dh, dU_t, dW_t, db_t = rnn_step_backward(dhs[:, t] + dh, xs[:, t], h_prev, hs[:, t], U, W)
        dxs[:, t] = dx
        dU += dU_t
        dW += dW_t
        db += db_t
        if k is not None and t % k == 0 and t > 0:
            dh = np.zeros_like(h0)
    return dxs, dh, dU, dW, db
"""

CLIP = """
def clip_grads(grads, max_norm):
    total = np.sqrt(sum(np.sum(g ** 2) for g in grads))
    if total > max_norm:
        rate = max_norm / total
        for g in grads:
            g *= rate
    return float(total)
"""

CASES = [
    # --- 7.1 one step forward -----------------------------------------------------------------
    Wrong("7.1", "U and W swapped", fails_at="returns the new hidden state",
          code=edit(STEP_FORWARD, "x @ U + h_prev @ W", "x @ W + h_prev @ U")),
    Wrong("7.1", "forgets the bias", fails_at="values on a small hand-made case", code=edit(STEP_FORWARD, " + b)", ")")),
    Wrong("7.1", "no tanh", fails_at="values on a small hand-made case",
          code=edit(STEP_FORWARD, "np.tanh(x @ U + h_prev @ W + b)", "x @ U + h_prev @ W + b")),
    Wrong("7.1", "a sigmoid instead of tanh", fails_at="values on a small hand-made case",
          code=edit(STEP_FORWARD, "np.tanh(x @ U + h_prev @ W + b)", "1 / (1 + np.exp(-(x @ U + h_prev @ W + b)))")),
    Wrong("7.1", "W transposed", fails_at="the previous state goes through W", code=edit(STEP_FORWARD, "h_prev @ W", "h_prev @ W.T")),
    Wrong("7.1", "adds into h_prev in place", fails_at="modified its input", code="""
def rnn_step_forward(x, h_prev, U, W, b):
    h = h_prev
    h @= W
    h += x @ U + b
    return np.tanh(h)
"""),
    Right("7.1", "the inputs and states stacked into one matrix product", code="""
def rnn_step_forward(x, h_prev, U, W, b):
    return np.tanh(np.hstack([x, h_prev]) @ np.vstack([U, W]) + b)
"""),

    # --- 7.2 one step backward -----------------------------------------------------------------
    Wrong("7.2", "applies tanh to h_next again: 1 - tanh(h_next)**2", fails_at="values on a small case",
          code=edit(STEP_BACKWARD, "(1 - h_next ** 2)", "(1 - np.tanh(h_next) ** 2)")),
    Wrong("7.2", "db sums over the wrong axis", fails_at="returns (dx, dh_prev, dU, dW, db)",
          code=edit(STEP_BACKWARD, "da.sum(axis=0)", "da.sum(axis=1)")),
    Wrong("7.2", "db is the mean over the batch", fails_at="add up over the rows",
          code=edit(STEP_BACKWARD, "da.sum(axis=0)", "da.mean(axis=0)")),
    Wrong("7.2", "dh_prev = da @ W (not transposed)", fails_at="values on a small case",
          code=edit(STEP_BACKWARD, "da @ W.T", "da @ W")),
    Wrong("7.2", "dU = da.T @ x: transposed", fails_at="returns (dx, dh_prev, dU, dW, db)",
          code=edit(STEP_BACKWARD, "x.T @ da", "da.T @ x")),
    Wrong("7.2", "skips the tanh: uses dh_next as da", fails_at="values on a small case",
          code=edit(STEP_BACKWARD, "da = dh_next * (1 - h_next ** 2)", "da = dh_next")),
    Wrong("7.2", "multiplies dh_next in place", fails_at="modified its input",
          code=edit(STEP_BACKWARD, "da = dh_next * (1 - h_next ** 2)", "da = dh_next\n    da *= 1 - h_next ** 2")),
    Right("7.2", "np.einsum for the products", code="""
def rnn_step_backward(dh_next, x, h_prev, h_next, U, W):
    da = dh_next * (1 - h_next) * (1 + h_next)
    return (np.einsum("nh,dh->nd", da, U), np.einsum("nh,kh->nk", da, W),
            np.einsum("nd,nh->dh", x, da), np.einsum("nk,nh->kh", h_prev, da), np.einsum("nh->h", da))
"""),

    # --- 7.3 backpropagation through time ----------------------------------------------------------
    Wrong("7.3", "truncation blocks counted from the end", fails_at="blocks counted from t = 0",
          code=edit(TIME_BACKWARD, "t % k == 0 and t > 0", "(T - t) % k == 0 and t > 0")),
    Wrong("7.3", "cuts also at t = 0, so dh0 is always zero", fails_at="truncation",
          code=edit(TIME_BACKWARD, "t % k == 0 and t > 0", "t % k == 0")),
    Wrong("7.3", "cuts after the last step of a block (t % k == k - 1) instead of its first", fails_at="truncation",
          code=edit(TIME_BACKWARD, "t % k == 0 and t > 0", "t % k == k - 1 and t > 0")),
    Wrong("7.3", "dU = dU_t: keeps only the last step's weight gradient", fails_at="full BPTT",
          code=edit(TIME_BACKWARD, "dU += dU_t", "dU = dU_t")),
    Wrong("7.3", "forgets the gradient from the next step", fails_at="full BPTT",
          code=edit(TIME_BACKWARD, "rnn_step_backward(dhs[:, t] + dh,", "rnn_step_backward(dhs[:, t],")),
    Wrong("7.3", "h_prev off by one: hs[:, t] instead of hs[:, t - 1]", fails_at="full BPTT",
          code=edit(TIME_BACKWARD, "else hs[:, t - 1]", "else hs[:, t]")),
    Wrong("7.3", "the loop stops before t = 0", fails_at="full BPTT",
          code=edit(TIME_BACKWARD, "range(T - 1, -1, -1)", "range(T - 1, 0, -1)")),
    Wrong("7.3", "adds the next step's gradient into dhs in place", fails_at="modified its input", code=edit(
        TIME_BACKWARD, "rnn_step_backward(dhs[:, t] + dh,", "rnn_step_backward(dhs[:, t].__iadd__(dh),")),
    Right("7.3", "blocks as explicit (start, stop) ranges, each run from its end", code="""
def rnn_time_backward(dhs, xs, hs, h0, U, W, k=None):
    N, T, _ = xs.shape
    k = T if k is None else k
    dxs = np.zeros_like(xs)
    dU, dW, db = np.zeros_like(U), np.zeros_like(W), np.zeros(W.shape[0])
    for start in range(0, T, k):
        dh = np.zeros_like(h0)
        for t in reversed(range(start, min(start + k, T))):
            h_prev = hs[:, t - 1] if t > 0 else h0
            dxs[:, t], dh, gU, gW, gb = rnn_step_backward(dhs[:, t] + dh, xs[:, t], h_prev, hs[:, t], U, W)
            dU, dW, db = dU + gU, dW + gW, db + gb
        if start == 0:
            dh0 = dh
    return dxs, dh0, dU, dW, db
"""),

    # --- 7.4 gradient clipping ------------------------------------------------------------------------
    Wrong("7.4", "clips each array on its own", fails_at="all by the same factor", code="""
def clip_grads(grads, max_norm):
    total = np.sqrt(sum(np.sum(g ** 2) for g in grads))
    for g in grads:
        norm = np.sqrt(np.sum(g ** 2))
        if norm > max_norm:
            g *= max_norm / norm
    return float(total)
"""),
    Wrong("7.4", "rebinds the loop variable: nothing is clipped", fails_at="scales large gradients IN PLACE",
          code=edit(CLIP, "g *= rate", "g = g * rate")),
    Wrong("7.4", "returns the norm after clipping", fails_at="returns the norm before", code=edit(
        CLIP, "    return float(total)", "    return float(np.sqrt(sum(np.sum(g ** 2) for g in grads)))")),
    Wrong("7.4", "forgets the square root", fails_at="global norm of all gradients",
          code=edit(CLIP, "np.sqrt(sum(np.sum(g ** 2) for g in grads))", "sum(np.sum(g ** 2) for g in grads)")),
    Wrong("7.4", "always rescales to max_norm, also small gradients", fails_at="leaves small gradients unchanged",
          code=edit(CLIP, "    if total > max_norm:\n        rate", "    if True:\n        rate")),
    Wrong("7.4", "puts new arrays into the list", fails_at="scales large gradients IN PLACE", code=edit(
        CLIP, "        for g in grads:\n            g *= rate", "        for i in range(len(grads)):\n            grads[i] = grads[i] * rate")),
    Wrong("7.4", "clips every entry to [-max_norm, max_norm]", fails_at="scales large gradients IN PLACE", code=edit(
        CLIP, "        rate = max_norm / total\n        for g in grads:\n            g *= rate",
        "        for g in grads:\n            np.clip(g, -max_norm, max_norm, out=g)")),
    Right("7.4", "np.linalg.norm of the concatenated arrays, and np.multiply with out=", code="""
def clip_grads(grads, max_norm):
    total = np.linalg.norm(np.concatenate([g.ravel() for g in grads]))
    rate = min(1.0, max_norm / total) if total > 0 else 1.0
    if rate < 1.0:
        for g in grads:
            np.multiply(g, rate, out=g)
    return total
"""),

    # --- 7.5 perplexity -------------------------------------------------------------------------------
    Wrong("7.5", "2 ** loss: the base of the logarithm is e", fails_at="uniform guess over 80 words", code="""
def perplexity_from_loss(mean_loss):
    return 2 ** mean_loss
"""),
    Wrong("7.5", "the logarithm instead of its inverse", fails_at="perfect model", code="""
def perplexity_from_loss(mean_loss):
    return np.log(mean_loss)
"""),
    Wrong("7.5", "math.exp: numbers only", fails_at="an array of losses", code="""
import math

def perplexity_from_loss(mean_loss):
    return math.exp(mean_loss)
"""),
    Wrong("7.5", "exp(-loss)", fails_at="uniform guess over 80 words", code="""
def perplexity_from_loss(mean_loss):
    return np.exp(-mean_loss)
"""),
    Wrong("7.5", "averages an array of losses first", fails_at="an array of losses", code="""
def perplexity_from_loss(mean_loss):
    return np.exp(np.mean(mean_loss))
"""),
    Right("7.5", "np.power(np.e, loss)", code="""
def perplexity_from_loss(mean_loss):
    return np.power(np.e, mean_loss)
"""),

    # --- found by red-teaming the checks ---------------------------------------------------
    Right("7.3", "the cut made at the top of the next iteration: before step t when t + 1 starts a block",
          code=edit(edit(TIME_BACKWARD,
        "        if k is not None and t % k == 0 and t > 0:\n            dh = np.zeros_like(h0)\n", ""),
        "        h_prev = h0 if t == 0 else hs[:, t - 1]\n",
        "        if k is not None and t < T - 1 and (t + 1) % k == 0:\n            dh = np.zeros_like(h0)\n"
        "        h_prev = h0 if t == 0 else hs[:, t - 1]\n")),
    Right("7.4", "the textbook's rate = max_norm / (total + 1e-6), applied when rate < 1", code="""
def clip_grads(grads, max_norm):
    total = np.sqrt(sum(np.sum(g ** 2) for g in grads))
    rate = max_norm / (total + 1e-6)
    if rate < 1:
        for g in grads:
            g *= rate
    return total
"""),
    Right("7.1", "np.einsum for both products", code="""
def rnn_step_forward(x, h_prev, U, W, b):
    return np.tanh(np.einsum("nd,dh->nh", x, U) + np.einsum("nk,kh->nh", h_prev, W) + b)
"""),
]
