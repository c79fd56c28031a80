"""Tests of the recurrent layers (helpers.nn.rnn), the corpus loader and the n-gram
baselines (helpers.text), and a smoke test of benchmarks/rnnlm.py."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from helpers.nn.rnn import (
    RNN, Embedding, NaiveTimeRNN, SimpleRnnlm, TimeAffine, TimeEmbedding, TimeRNN,
    TimeSoftmaxWithLoss, clip_grads, generate, perplexity, ptb_style_batches,
)
from helpers.text import (
    EOS, bigram_perplexity, load_corpus, tokenize, unigram_perplexity,
)

REPO = Path(__file__).resolve().parent.parent
TOL = 1e-7   # relative error allowed between analytic and numerical gradients


# ---------------------------------------------------------------------------
# A small numerical gradient, written for these tests
# ---------------------------------------------------------------------------

def numerical_gradient(f, x, eps=1e-6):
    """Central differences of the scalar f() w.r.t. every entry of x (changed in place)."""
    grad = np.zeros_like(x, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + eps
        f_plus = f()
        x[i] = old - eps
        f_minus = f()
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def rel_error(analytic, numeric):
    """||a - n|| / (||a|| + ||n||): 0 for a perfect match, 1 for unrelated vectors."""
    a, n = np.asarray(analytic, dtype=np.float64), np.asarray(numeric, dtype=np.float64)
    denom = np.linalg.norm(a) + np.linalg.norm(n)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - n) / denom)


def assert_grad(name, analytic, f, x):
    num = numerical_gradient(f, x)
    err = rel_error(analytic, num)
    assert err < TOL, f"gradient of {name}: relative error {err:.2e} >= {TOL}"


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


def rnn_weights(rng, D=4, H=3):
    return (rng.standard_normal((D, H)) * 0.5, rng.standard_normal((H, H)) * 0.5,
            rng.standard_normal(H) * 0.1)


# ---------------------------------------------------------------------------
# RNN step and TimeRNN
# ---------------------------------------------------------------------------

def test_rnn_step_forward_value(rng):
    Wx, Wh, b = rnn_weights(rng)
    x, h = rng.standard_normal((2, 4)), rng.standard_normal((2, 3))
    out = RNN(Wx, Wh, b).forward(x, h)
    assert out.shape == (2, 3)
    np.testing.assert_allclose(out, np.tanh(x @ Wx + h @ Wh + b))


def test_rnn_step_gradients(rng):
    Wx, Wh, b = rnn_weights(rng)
    layer = RNN(Wx, Wh, b)
    x, h = rng.standard_normal((2, 4)), rng.standard_normal((2, 3))
    R = rng.standard_normal((2, 3))          # loss = sum(h_next * R), so dh_next = R

    def loss():
        return float(np.sum(layer.forward(x, h) * R))

    loss()
    dx, dh = layer.backward(R)
    grads = [g.copy() for g in layer.grads]
    for name, g, p in zip(["Wx", "Wh", "b"], grads, layer.params):
        assert_grad(name, g, loss, p)
    assert_grad("x", dx, loss, x)
    assert_grad("h_prev", dh, loss, h)


@pytest.mark.parametrize("stateful", [False, True])
def test_time_rnn_gradients(rng, stateful):
    Wx, Wh, b = rnn_weights(rng)
    layer = TimeRNN(Wx, Wh, b, stateful=stateful)
    xs = rng.standard_normal((2, 4, 4))
    h0 = rng.standard_normal((2, 3)) * 0.5
    R = rng.standard_normal((2, 4, 3))

    def loss():
        if stateful:
            layer.set_state(h0)              # forward moves the state on; start over
        return float(np.sum(layer.forward(xs) * R))

    loss()
    dxs = layer.backward(R)
    grads = [g.copy() for g in layer.grads]
    dh0 = layer.dh.copy()
    for name, g, p in zip(["Wx", "Wh", "b"], grads, layer.params):
        assert_grad(name, g, loss, p)
    assert_grad("xs", dxs, loss, xs)
    if stateful:
        assert_grad("initial state", dh0, loss, h0)


def test_naive_time_rnn_matches_vectorised(rng):
    Wx, Wh, b = rnn_weights(rng, D=5, H=6)
    fast = TimeRNN(Wx, Wh, b, stateful=True)
    slow = NaiveTimeRNN(Wx.copy(), Wh.copy(), b.copy(), stateful=True)
    for _ in range(2):                       # the second call starts from a carried state
        xs = rng.standard_normal((3, 7, 5))
        dhs = rng.standard_normal((3, 7, 6))
        np.testing.assert_allclose(fast.forward(xs), slow.forward(xs), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(fast.backward(dhs), slow.backward(dhs), rtol=1e-12, atol=1e-14)
        for g_fast, g_slow in zip(fast.grads, slow.grads):
            np.testing.assert_allclose(g_fast, g_slow, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(fast.dh, slow.dh, rtol=1e-12, atol=1e-14)


def test_stateful_chunks_equal_one_long_forward(rng):
    Wx, Wh, b = rnn_weights(rng)
    xs = rng.standard_normal((2, 8, 4))
    full = TimeRNN(Wx, Wh, b).forward(xs)
    layer = TimeRNN(Wx, Wh, b, stateful=True)
    halves = np.concatenate([layer.forward(xs[:, :4]), layer.forward(xs[:, 4:])], axis=1)
    np.testing.assert_allclose(halves, full, rtol=1e-13)
    # reset_state starts over from zeros, and a stateless layer never carries a state
    layer.reset_state()
    np.testing.assert_allclose(layer.forward(xs[:, 4:]), TimeRNN(Wx, Wh, b).forward(xs[:, 4:]))
    stateless = TimeRNN(Wx, Wh, b)
    stateless.forward(xs[:, :4])
    assert not np.allclose(stateless.forward(xs[:, 4:]), full[:, 4:])


def test_truncated_bptt_stops_at_chunk_boundary(rng):
    Wx, Wh, b = rnn_weights(rng)
    layer = TimeRNN(Wx, Wh, b, stateful=True)
    layer.forward(rng.standard_normal((2, 3, 4)))
    carried = layer.h.copy()
    xs = rng.standard_normal((2, 3, 4))
    layer.forward(xs)
    layer.backward(np.ones((2, 3, 3)))
    # The second chunk's gradient reaches its initial state (self.dh) but the layer
    # does not push it further back; the carried state itself is a plain constant.
    assert layer.dh.shape == carried.shape and np.any(layer.dh != 0)
    assert layer.cache[1] is not None and np.allclose(layer.cache[1], carried)


def test_grads_are_updated_in_place(rng):
    layer = TimeRNN(*rnn_weights(rng))
    held = list(layer.grads)
    layer.forward(rng.standard_normal((2, 3, 4)))
    layer.backward(rng.standard_normal((2, 3, 3)))
    assert all(a is b for a, b in zip(held, layer.grads))
    assert all(np.any(g != 0) for g in held)


def test_rnn_shape_errors(rng):
    Wx, Wh, b = rnn_weights(rng)
    with pytest.raises(ValueError, match="last dimension 4"):
        TimeRNN(Wx, Wh, b).forward(np.zeros((2, 3, 5)))
    with pytest.raises(ValueError, match="3 dimensions"):
        TimeRNN(Wx, Wh, b).forward(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="hidden size"):
        TimeRNN(Wx, np.zeros((2, 2)), b)
    layer = TimeRNN(Wx, Wh, b, stateful=True)
    layer.forward(np.zeros((2, 3, 4)))
    with pytest.raises(ValueError, match="reset_state"):
        layer.forward(np.zeros((5, 3, 4)))


# ---------------------------------------------------------------------------
# Embedding, TimeAffine, TimeSoftmaxWithLoss
# ---------------------------------------------------------------------------

def test_time_embedding_gradient_with_repeated_ids(rng):
    W = rng.standard_normal((6, 3))
    layer = TimeEmbedding(W)
    idx = np.array([[1, 4, 1], [1, 0, 4]])   # id 1 three times, id 4 twice
    R = rng.standard_normal((2, 3, 3))

    def loss():
        return float(np.sum(layer.forward(idx) * R))

    out = layer.forward(idx)
    np.testing.assert_array_equal(out, W[idx])
    layer.backward(R)
    dW = layer.grads[0].copy()
    np.testing.assert_allclose(dW[1], R[0, 0] + R[0, 2] + R[1, 0])
    np.testing.assert_array_equal(dW[[2, 3, 5]], 0.0)
    assert_grad("embedding W", dW, loss, W)


def test_embedding_step_gradient_with_repeated_ids(rng):
    W = rng.standard_normal((5, 2))
    layer = Embedding(W)
    idx = np.array([3, 3, 0])
    R = rng.standard_normal((3, 2))
    layer.forward(idx)
    layer.backward(R)
    assert_grad("embedding W", layer.grads[0].copy(),
                lambda: float(np.sum(layer.forward(idx) * R)), W)
    with pytest.raises(ValueError, match="integer"):
        layer.forward(np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="outside"):
        layer.forward(np.array([5]))


def test_time_affine_gradients(rng):
    W, b = rng.standard_normal((3, 5)), rng.standard_normal(5)
    layer = TimeAffine(W, b)
    x = rng.standard_normal((2, 4, 3))
    R = rng.standard_normal((2, 4, 5))

    def loss():
        return float(np.sum(layer.forward(x) * R))

    np.testing.assert_allclose(layer.forward(x), np.einsum("nth,hv->ntv", x, W) + b)
    dx = layer.backward(R)
    grads = [g.copy() for g in layer.grads]
    assert_grad("W", grads[0], loss, W)
    assert_grad("b", grads[1], loss, b)
    assert_grad("x", dx, loss, x)


@pytest.mark.parametrize("with_ignored", [False, True])
def test_softmax_with_loss_value_and_gradient(rng, with_ignored):
    layer = TimeSoftmaxWithLoss()
    xs = rng.standard_normal((2, 3, 5))
    ts = rng.integers(0, 5, size=(2, 3))
    if with_ignored:
        ts[0, 1] = ts[1, 2] = -1

    def loss():
        return layer.forward(xs, ts)

    # reference value straight from the definition
    p = np.exp(xs) / np.exp(xs).sum(axis=2, keepdims=True)
    keep = ts != -1
    expected = -np.log(p[keep, ts[keep]]).mean()
    assert loss() == pytest.approx(expected, rel=1e-12)
    dxs = layer.backward(1.0)
    if with_ignored:
        np.testing.assert_array_equal(dxs[0, 1], 0.0)
    assert_grad("scores", dxs, loss, xs)


def test_softmax_with_loss_is_stable_for_huge_scores():
    layer = TimeSoftmaxWithLoss()
    xs = np.array([[[1e4, 0.0, -1e4]]])
    # underflow to 0 in exp is harmless; overflow, inf - inf or log(0) are not
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        assert layer.forward(xs, np.array([[0]])) == pytest.approx(0.0, abs=1e-12)
        assert layer.forward(xs, np.array([[2]])) == pytest.approx(2e4)
        dxs = layer.backward()
    assert np.all(np.isfinite(dxs))


def test_softmax_with_loss_backward_needs_a_new_forward(rng):
    layer = TimeSoftmaxWithLoss()
    xs = rng.standard_normal((1, 2, 3))
    xs_before = xs.copy()
    layer.forward(xs, np.array([[0, 2]]))
    layer.backward()
    np.testing.assert_array_equal(xs, xs_before)   # the scores are not changed in place
    with pytest.raises(RuntimeError, match="forward"):
        layer.backward()


def test_softmax_with_loss_label_errors():
    layer = TimeSoftmaxWithLoss()
    with pytest.raises(ValueError, match="outside"):
        layer.forward(np.zeros((1, 2, 3)), np.array([[0, 3]]))
    with pytest.raises(ValueError, match="shape"):
        layer.forward(np.zeros((1, 2, 3)), np.array([0, 1]))


def test_clip_grads():
    grads = [np.array([3.0, 0.0]), np.array([[0.0, 4.0]])]
    held = list(grads)
    norm = clip_grads(grads, 1.0)
    assert norm == pytest.approx(5.0)
    assert held[0] is grads[0]
    total = np.sqrt(sum(np.sum(g ** 2) for g in grads))
    assert total == pytest.approx(1.0, rel=1e-5)
    np.testing.assert_allclose(grads[0] / grads[1].ravel()[1], [0.75, 0.0])
    small = [np.array([0.3, 0.4])]
    assert clip_grads(small, 1.0) == pytest.approx(0.5)
    np.testing.assert_array_equal(small[0], [0.3, 0.4])


# ---------------------------------------------------------------------------
# The language model
# ---------------------------------------------------------------------------

def test_simple_rnnlm_gradients_end_to_end(rng):
    model = SimpleRnnlm(vocab_size=7, wordvec_size=4, hidden_size=5, seed=3)
    xs = rng.integers(0, 7, size=(2, 3))
    ts = rng.integers(0, 7, size=(2, 3))
    xs[0, 0] = xs[1, 2] = 2                  # a repeated id in the embedding

    def loss():
        model.reset_state()
        return model.forward(xs, ts)

    loss()
    model.backward()
    grads = [g.copy() for g in model.grads]
    names = ["embed W", "Wx", "Wh", "b", "affine W", "affine b"]
    assert [p.shape for p in model.params] == [(7, 4), (4, 5), (5, 5), (5,), (5, 7), (7,)]
    for name, g, p in zip(names, grads, model.params):
        assert_grad(name, g, loss, p)


def test_simple_rnnlm_seed_dtype_and_naive(rng):
    a = SimpleRnnlm(20, 8, 6, seed=1)
    b = SimpleRnnlm(20, 8, 6, seed=np.random.default_rng(1))
    for p, q in zip(a.params, b.params):
        np.testing.assert_array_equal(p, q)
    f32 = SimpleRnnlm(20, 8, 6, seed=1, dtype=np.float32)
    assert all(p.dtype == np.float32 for p in f32.params)
    xs, ts = rng.integers(0, 20, (3, 4)), rng.integers(0, 20, (3, 4))
    assert f32.predict(xs).dtype == np.float32
    naive = SimpleRnnlm(20, 8, 6, seed=1, naive=True)
    assert isinstance(naive.rnn_layer, NaiveTimeRNN)
    assert naive.forward(xs, ts) == pytest.approx(a.forward(xs, ts), rel=1e-12)
    naive.backward()
    a.backward()
    for p, q in zip(naive.grads, a.grads):
        np.testing.assert_allclose(p, q, rtol=1e-10, atol=1e-14)


def test_ptb_style_batches_keep_rows_continuous():
    corpus = np.arange(103)
    batches = list(ptb_style_batches(corpus, batch_size=4, time_size=5))
    segment = 102 // 4
    assert len(batches) == segment // 5
    for xs, ts in batches:
        assert xs.shape == ts.shape == (4, 5)
        np.testing.assert_array_equal(ts, xs + 1)   # the target is the next word
    rows = np.concatenate([xs for xs, _ in batches], axis=1)
    # each row reads its own segment without gaps, so the carried state makes sense
    np.testing.assert_array_equal(np.diff(rows, axis=1), 1)
    np.testing.assert_array_equal(rows[:, 0], np.arange(4) * segment)
    with pytest.raises(ValueError, match="too short"):
        next(ptb_style_batches(np.arange(10), 4, 5))


def test_generate_is_seeded_and_skips_ids():
    model = SimpleRnnlm(12, 5, 5, seed=0)
    a = generate(model, start_id=3, length=30, rng=7, skip_ids=[0, 1])
    b = generate(model, start_id=3, length=30, rng=np.random.default_rng(7), skip_ids=[0, 1])
    assert a == b and len(a) == 30 and a[0] == 3
    assert not {0, 1} & set(a[1:])
    assert all(isinstance(i, int) and 0 <= i < 12 for i in a)


def sgd(params, grads, lr):
    for p, g in zip(params, grads):
        p -= lr * g


def test_training_on_the_corpus_lowers_perplexity():
    corpus, word_to_id, _ = load_corpus()
    train = corpus[:5000]
    model = SimpleRnnlm(len(word_to_id), wordvec_size=30, hidden_size=30, seed=0)
    before = perplexity(model, train, batch_size=10, time_size=5)
    assert before == pytest.approx(len(word_to_id), rel=0.1)  # near-uniform at the start
    for _ in range(4):
        model.reset_state()
        for xs, ts in ptb_style_batches(train, batch_size=10, time_size=5):
            model.forward(xs, ts)
            model.backward()
            clip_grads(model.grads, 0.25)
            sgd(model.params, model.grads, lr=1.0)
    after = perplexity(model, train, batch_size=10, time_size=5)
    assert np.isfinite(after) and after < 0.5 * before, (before, after)


# ---------------------------------------------------------------------------
# The corpus and its loader
# ---------------------------------------------------------------------------

def test_course_corpus_loads():
    corpus, word_to_id, id_to_word = load_corpus()
    assert corpus.dtype == np.int64 and corpus.ndim == 1
    words = (REPO / "data" / "corpus.txt").read_text(encoding="utf-8").split()
    assert 5_000 <= len(words) <= 20_000
    assert corpus.min() == 0 and corpus.max() == len(word_to_id) - 1
    assert all(id_to_word[i] == w for w, i in word_to_id.items())
    assert EOS in word_to_id and "." in word_to_id
    n_lines = len((REPO / "data" / "corpus.txt").read_text(encoding="utf-8").splitlines())
    assert np.sum(corpus == word_to_id[EOS]) == n_lines


def test_tokenize_and_load_a_small_file(tmp_path):
    assert tokenize("The end, it's built-in.\n\nNext") == [
        "the", "end", ",", "it's", "built-in", ".", EOS, "next", EOS]
    path = tmp_path / "tiny.txt"
    path.write_text("a b a.\nb c\n", encoding="utf-8")
    corpus, w2i, i2w = load_corpus(path)
    assert [i2w[i] for i in corpus] == ["a", "b", "a", ".", EOS, "b", "c", EOS]
    assert w2i == {"a": 0, "b": 1, ".": 2, EOS: 3, "c": 4}
    corpus, w2i, i2w = load_corpus(path, min_count=2)
    assert [i2w[i] for i in corpus] == ["a", "b", "a", "<unk>", EOS, "b", "<unk>", EOS]


def test_loader_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="not found"):
        load_corpus(tmp_path / "missing.txt")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(ValueError, match="empty"):
        load_corpus(empty)
    blank = tmp_path / "blank.txt"
    blank.write_text("\n  \n", encoding="utf-8")
    with pytest.raises(ValueError, match="empty"):
        load_corpus(blank)
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("caf\u00e9 au lait\n".encode("latin-1"))
    with pytest.raises(ValueError, match="UTF-8"):
        load_corpus(latin1)
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"abc\x00\x00def")
    with pytest.raises(ValueError, match="binary"):
        load_corpus(binary)
    with pytest.raises(FileNotFoundError, match="not a file"):
        load_corpus(tmp_path)


def test_ngram_baselines_by_hand():
    train, test = np.array([0, 1, 0, 1, 2]), np.array([0, 1, 2])
    # unigram, alpha 1: p = (count + 1) / (5 + 3) = [3/8, 3/8, 2/8]; test[1:] = [1, 2]
    assert unigram_perplexity(train, test, 3, alpha=1.0) == pytest.approx(8 / np.sqrt(6))
    # bigram, alpha 1: p(1|0) = (2 + 1) / (2 + 3), p(2|1) = (1 + 1) / (2 + 3)
    assert bigram_perplexity(train, test, 3, alpha=1.0) == pytest.approx(5 / np.sqrt(6))
    # a pair never seen gets the smoothing share alpha / (count(prev) + alpha * V)
    assert bigram_perplexity(train, np.array([2, 0]), 3, alpha=0.5) == pytest.approx(
        1 / (0.5 / (0 + 1.5)))


def test_ngram_baselines():
    corpus, word_to_id, _ = load_corpus()
    V = len(word_to_id)
    split = int(0.9 * corpus.size)
    train, test = corpus[:split], corpus[split:]
    uni = unigram_perplexity(train, test, V)
    bi = bigram_perplexity(train, test, V)
    assert np.isfinite(uni) and np.isfinite(bi)
    assert 1.0 < bi < uni < V                # context helps; both beat guessing
    # a model that knows every pair of its own training text is nearly perfect on it
    assert bigram_perplexity(train, train, V, alpha=1e-9) < bigram_perplexity(train, test, V)
    with pytest.raises(ValueError, match="outside"):
        unigram_perplexity(train, np.array([0, V]), V)
    with pytest.raises(ValueError, match="alpha"):
        bigram_perplexity(train, test, V, alpha=0.0)


# ---------------------------------------------------------------------------
# The benchmark script
# ---------------------------------------------------------------------------

def test_benchmark_quick_runs():
    # One BLAS thread: next to other test workers, more threads than cores only
    # makes OpenBLAS threads wait for each other. PyTorch, if present, gets 1 too.
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    result = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "rnnlm.py"), "--quick", "--threads", "1"],
        capture_output=True, text=True, timeout=600, cwd=REPO, env=env,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.count("tokens/s") >= 4, out           # two sizes, vectorised and naive
    assert "vectorised / naive" in out and "V=10000" in out


# ---------------------------------------------------------------------------
# Train / dev / test parts with a vocabulary from the training part (notebook 07)
# ---------------------------------------------------------------------------

from helpers.text import UNK, build_vocab, encode, load_corpus_parts, pair_counts  # noqa: E402


def test_build_vocab_keeps_frequent_words_and_maps_the_rest_to_unk():
    tokens = "a b a c <eos> b a d <eos>".split()
    word_to_id, id_to_word = build_vocab(tokens, min_count=2)
    assert set(word_to_id) == {"a", "b", EOS, UNK}          # c and d are seen once
    assert [id_to_word[i] for i in range(len(id_to_word))] == ["a", "b", UNK, EOS]   # first appearance
    ids = encode("a c z b <eos>".split(), word_to_id)
    assert ids.dtype == np.int64
    assert [id_to_word[int(i)] for i in ids] == ["a", UNK, UNK, "b", EOS]


def test_build_vocab_always_has_unk_and_eos_and_checks_its_input():
    word_to_id, _ = build_vocab(["x", "x"], min_count=1)
    assert set(word_to_id) == {"x", EOS, UNK}
    with pytest.raises(ValueError, match="min_count"):
        build_vocab(["x"], min_count=0)
    with pytest.raises(ValueError, match="at least one token"):
        build_vocab([])
    with pytest.raises(ValueError, match="<unk>"):
        encode(["x"], {"x": 0})


def test_load_corpus_parts_builds_the_vocabulary_from_the_training_lines_only(tmp_path):
    lines = ["the cat sat ."] * 8 + ["the dog ran ."] + ["a zebra sat ."]
    path = tmp_path / "tiny.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    train, dev, test, word_to_id, id_to_word = load_corpus_parts(path, fractions=(0.8, 0.1, 0.1), min_count=2)
    assert "dog" not in word_to_id and "zebra" not in word_to_id and "a" not in word_to_id
    assert UNK in word_to_id
    words = lambda ids: [id_to_word[int(i)] for i in ids]  # noqa: E731
    assert words(train) == tokenize("\n".join(lines[:8]))
    assert words(dev) == ["the", UNK, UNK, ".", EOS]          # "dog" and "ran" only in the dev line
    assert words(test) == [UNK, UNK, "sat", ".", EOS]


def test_load_corpus_parts_on_the_course_corpus_partitions_it_in_reading_order():
    train, dev, test, word_to_id, id_to_word = load_corpus_parts()
    all_tokens = tokenize(corpus_text())
    assert len(train) + len(dev) + len(test) == len(all_tokens)
    assert len(dev) < len(train) and len(test) < len(train)
    decoded = [id_to_word[int(i)] for i in np.concatenate([train, dev, test])]
    assert all(d == t or d == UNK for d, t in zip(decoded, all_tokens))
    counts = np.bincount(train, minlength=len(word_to_id))
    unk = word_to_id[UNK]
    # every word of the vocabulary occurs at least twice in the training part
    assert np.all(np.delete(counts, [unk, word_to_id[EOS]]) >= 2)
    with pytest.raises(ValueError, match="fractions"):
        load_corpus_parts(fractions=(0.8, 0.3, 0.1))


def corpus_text():
    from helpers.text import corpus_path
    return corpus_path().read_text(encoding="utf-8")


def test_pair_counts_matches_counting_by_hand():
    rng = np.random.default_rng(3)
    train = rng.integers(0, 6, size=200)
    prev, nxt = rng.integers(0, 8, size=50), rng.integers(0, 8, size=50)   # ids 6, 7 never occur
    expected = [sum(1 for j in range(len(train) - 1) if train[j] == v and train[j + 1] == w)
                for v, w in zip(prev, nxt)]
    np.testing.assert_array_equal(pair_counts(train, prev, nxt), expected)
    assert pair_counts(train, prev[:0], nxt[:0]).shape == (0,)
    with pytest.raises(ValueError, match="same length"):
        pair_counts(train, prev, nxt[:3])
