"""Training throughput of the course's NumPy RNN language model, against PyTorch on the CPU.

    python benchmarks/rnnlm.py            # median of 7 repetitions per measurement
    python benchmarks/rnnlm.py --quick    # smoke test: 1 short repetition
    python benchmarks/rnnlm.py --reps 9 --dtype float32 --threads 1

One training step = forward + backward + global-norm clipping + plain SGD update, the
loop of notebook 07. Both frameworks start from the same weights (copied from the
NumPy model), read the same mini-batches, use the same learning rate and clipping,
run at the same dtype and with the same number of threads. Each repetition does the
same number of steps; a warm-up repetition is run first and not counted, and the
frameworks take turns within every repetition so that drift of the machine hits them
alike. PyTorch is optional: without it the NumPy numbers are still printed.

Also measured: the naive per-time-step RNN (NaiveTimeRNN: one RNN object per step)
against the vectorised TimeRNN, in the whole model and for the RNN layer alone.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))   # run from a clone without installing the package

from helpers.nn.rnn import NaiveTimeRNN, SimpleRnnlm, TimeRNN, clip_grads, ptb_style_batches  # noqa: E402
from helpers.text import load_corpus  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import LoadMeter, cpu_name, load_average  # noqa: E402

try:
    import torch
    import torch.nn.functional as F
except ImportError:          # PyTorch is optional
    torch = None

try:
    import threadpoolctl
except ImportError:
    threadpoolctl = None

LR = 0.1          # plain SGD; the speed does not depend on the learning rate
MAX_NORM = 0.25   # notebook 07's clipping threshold
SEED = 0


# ---------------------------------------------------------------------------
# NumPy side: the course's model and a plain SGD
# ---------------------------------------------------------------------------

try:
    from helpers.nn.optimizers import SGD   # the course's optimizer
except ImportError:                         # an older checkout: the same few lines
    class SGD:
        def __init__(self, lr):
            self.lr = lr

        def update(self, params, grads):
            for p, g in zip(params, grads):
                p -= self.lr * g


def numpy_train(model, batches):
    """Run one training step per (xs, ts) in batches; return the list of losses."""
    model.reset_state()
    optimizer = SGD(lr=LR)
    losses = []
    for xs, ts in batches:
        losses.append(model.forward(xs, ts))
        model.backward()
        clip_grads(model.grads, MAX_NORM)
        optimizer.update(model.params, model.grads)
    return losses


# ---------------------------------------------------------------------------
# PyTorch side: the standard modules, same maths
# ---------------------------------------------------------------------------

def make_torch_model(np_model, dtype):
    """An idiomatic PyTorch RNN LM holding a copy of np_model's current weights."""
    nn = torch.nn
    W_embed, Wx, Wh, b, W_out, b_out = np_model.params
    V, D = W_embed.shape
    H = Wh.shape[0]

    class TorchRnnlm(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(V, D)
            self.rnn = nn.RNN(D, H, nonlinearity="tanh", batch_first=True)
            self.affine = nn.Linear(H, V)

        def forward(self, xs, h):
            hs, h = self.rnn(self.embed(xs), h)
            return self.affine(hs), h

    model = TorchRnnlm().to(dtype)
    with torch.no_grad():
        model.embed.weight.copy_(torch.from_numpy(W_embed))
        model.rnn.weight_ih_l0.copy_(torch.from_numpy(Wx.T.copy()))   # torch stores (H, D)
        model.rnn.weight_hh_l0.copy_(torch.from_numpy(Wh.T.copy()))
        model.rnn.bias_ih_l0.copy_(torch.from_numpy(b))
        model.affine.weight.copy_(torch.from_numpy(W_out.T.copy()))
        model.affine.bias.copy_(torch.from_numpy(b_out))
        # nn.RNN has two biases (b_ih + b_hh) where the course's RNN has one. With both
        # trained, SGD would move their sum twice as fast, so b_hh stays a frozen zero.
        model.rnn.bias_hh_l0.zero_()
    model.rnn.bias_hh_l0.requires_grad_(False)
    return model


class TorchTrainer:
    """Holds a PyTorch model with its optimizer and runs training steps."""

    def __init__(self, np_model, dtype):
        self.model = make_torch_model(np_model, dtype)
        self.params = [p for p in self.model.parameters() if p.requires_grad]
        self.opt = torch.optim.SGD(self.params, lr=LR)

    def train(self, batches):
        """batches: list of (xs, ts) int64 tensors; returns the list of losses."""
        h = None
        losses = []
        for xs, ts in batches:
            scores, h = self.model(xs, h)
            loss = F.cross_entropy(scores.reshape(-1, scores.shape[-1]), ts.reshape(-1))
            self.opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(self.params, MAX_NORM)
            self.opt.step()
            h = h.detach()   # truncated BPTT: keep the state, cut the graph
            losses.append(loss.item())
        return losses


# ---------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------

def measure(runners, reps, warmup=1, settle=0.3):
    """Time each runner reps times (after warmup untimed runs); runners take turns.

    runners: dict name -> zero-argument function. Returns dict name -> list of seconds.
    Before each run we wait `settle` seconds: OpenBLAS's and OpenMP's worker threads
    keep spinning for a while after their last job, and would otherwise steal CPU
    time from whichever runner comes next.
    """
    times = {name: [] for name in runners}
    names = list(runners)
    for rep in range(warmup + reps):
        # rotate the order, so no runner always goes first (or right after another)
        order = names[rep % len(names):] + names[:rep % len(names)]
        for name in order:
            time.sleep(settle)
            start = time.perf_counter()
            runners[name]()
            elapsed = time.perf_counter() - start
            if rep >= warmup:
                times[name].append(elapsed)
    return times


def rate(tokens, seconds):
    """Median tokens/s and the spread (min, max) over repetitions."""
    rates = [tokens / s for s in seconds]
    return statistics.median(rates), min(rates), max(rates)


def fmt_rate(tokens, seconds):
    med, lo, hi = rate(tokens, seconds)
    return f"{med:>12,.0f} tokens/s   (min {lo:,.0f}, max {hi:,.0f})"


def paired_ratio(fast, slow):
    """How many times faster `fast` ran than `slow`: median (min, max) over repetitions.

    Each repetition's two timings were taken one right after the other, so their ratio
    cancels slow drifts of the machine's speed (which shift both alike); a ratio of
    two medians would not.
    """
    ratios = [s / f for f, s in zip(fast, slow)]
    return statistics.median(ratios), min(ratios), max(ratios)


def fmt_ratio(fast, slow):
    med, lo, hi = paired_ratio(fast, slow)
    return f"{med:5.2f}x   (min {lo:.2f}x, max {hi:.2f}x)"


def run_size(title, corpus, vocab_size, N, T, D, H, n_steps, args, np_dtype, torch_dtype):
    """Benchmark one model size, print the results, return NumPy/PyTorch (or None)."""
    batches = list(ptb_style_batches(corpus, N, T))[:n_steps]
    tokens = len(batches) * N * T
    print(f"\n{title}: N={N} T={T} D={D} H={H} V={vocab_size}, "
          f"{len(batches)} steps = {tokens:,} tokens per repetition")

    vec = SimpleRnnlm(vocab_size, D, H, seed=SEED, dtype=np_dtype)
    naive = SimpleRnnlm(vocab_size, D, H, seed=SEED, dtype=np_dtype, naive=True)
    runners = {"numpy": lambda: numpy_train(vec, batches),
               "naive": lambda: numpy_train(naive, batches)}

    if torch is not None:
        # correctness first: from the same weights, both must compute the same losses
        check_np = SimpleRnnlm(vocab_size, D, H, seed=SEED, dtype=np_dtype)
        check_torch = TorchTrainer(check_np, torch_dtype)
        torch_batches = [(torch.from_numpy(x), torch.from_numpy(t)) for x, t in batches]
        diff = np.max(np.abs(np.subtract(numpy_train(check_np, batches[:3]),
                                         check_torch.train(torch_batches[:3]))))
        print(f"  check: same weights and batches, max |loss(NumPy) - loss(PyTorch)| "
              f"over 3 steps = {diff:.1e}")
        trainer = TorchTrainer(vec, torch_dtype)
        runners["torch"] = lambda: trainer.train(torch_batches)

    with LoadMeter() as load:
        times = measure(runners, args.reps, settle=args.settle)
        layer_times = rnn_layer_only(N, T, D, H, np_dtype, args)
    if load.others() is not None:
        print(f"  other processes used {100 * load.others():.0f}% of the machine's CPU time "
              "meanwhile (near 0% = quiet; more makes these numbers unreliable)")
    print(f"  NumPy, vectorised TimeRNN (helpers.nn.rnn)   {fmt_rate(tokens, times['numpy'])}")
    print(f"  NumPy, NaiveTimeRNN (one RNN per step)       {fmt_rate(tokens, times['naive'])}")
    if torch is not None:
        print(f"  PyTorch, nn.Embedding + nn.RNN + nn.Linear   {fmt_rate(tokens, times['torch'])}")
    layer_tokens = N * T * layer_times["steps"]
    print("  RNN layer alone (forward + backward):")
    print(f"    TimeRNN (vectorised)                       "
          f"{fmt_rate(layer_tokens, layer_times['vectorised'])}")
    print(f"    NaiveTimeRNN                               "
          f"{fmt_rate(layer_tokens, layer_times['naive'])}")
    print("  speed ratios (median of the per-repetition ratios):")
    print(f"    vectorised / naive, whole model            "
          f"{fmt_ratio(times['numpy'], times['naive'])}")
    print(f"    vectorised / naive, RNN layer alone        "
          f"{fmt_ratio(layer_times['vectorised'], layer_times['naive'])}")
    if torch is None:
        print("    NumPy / PyTorch: not measured (PyTorch is not installed)")
        return None
    print(f"    NumPy / PyTorch                            "
          f"{fmt_ratio(times['numpy'], times['torch'])}")
    return paired_ratio(times["numpy"], times["torch"])[0]


def rnn_layer_only(N, T, D, H, dtype, args):
    """Time forward + backward of TimeRNN and NaiveTimeRNN alone.

    Returns dict: "vectorised" and "naive" -> list of seconds, "steps" -> calls per rep.
    """
    rng = np.random.default_rng(SEED)
    Wx = (rng.standard_normal((D, H)) / np.sqrt(D)).astype(dtype)
    Wh = (rng.standard_normal((H, H)) / np.sqrt(H)).astype(dtype)
    b = np.zeros(H, dtype=dtype)
    xs = rng.standard_normal((N, T, D)).astype(dtype)
    dhs = rng.standard_normal((N, T, H)).astype(dtype)
    layers = {"vectorised": TimeRNN(Wx, Wh, b), "naive": NaiveTimeRNN(Wx, Wh, b)}
    steps = 20 if args.quick else 200

    def runner(layer):
        def run():
            for _ in range(steps):
                layer.forward(xs)
                layer.backward(dhs)
        return run

    times = measure({k: runner(v) for k, v in layers.items()}, args.reps, settle=args.settle)
    times["steps"] = steps
    return times


# ---------------------------------------------------------------------------
# Threads
# ---------------------------------------------------------------------------

def set_threads(n):
    """Give PyTorch and NumPy's BLAS the same number of threads; return a description."""
    parts = []
    if torch is not None:
        torch.set_num_threads(n)
        parts.append(f"PyTorch {torch.get_num_threads()} (intra-op)")
    if threadpoolctl is not None:
        threadpoolctl.threadpool_limits(n, user_api="blas")
        blas = [i for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"
                and "torch" not in i["filepath"]]
        for info in blas:
            parts.append(f"NumPy BLAS {info['num_threads']} ({info['internal_api']} "
                         f"{info.get('version')}, {info.get('architecture', '?')})")
    else:
        env = os.environ.get("OPENBLAS_NUM_THREADS")
        parts.append("NumPy BLAS " + (f"{env} (from OPENBLAS_NUM_THREADS)" if env else
                     f"{os.cpu_count()} (OpenBLAS's default, the number of cores)")
                     + "; threadpoolctl is not installed, so --threads cannot change it")
    return ", ".join(parts)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one short repetition (smoke test)")
    parser.add_argument("--reps", type=int, default=None, help="timed repetitions (default 7)")
    parser.add_argument("--dtype", choices=["float64", "float32"], default="float64",
                        help="dtype of both models (default float64, the course default)")
    parser.add_argument("--threads", type=int, default=os.cpu_count(),
                        help="threads for PyTorch and for NumPy's BLAS (default: all cores)")
    parser.add_argument("--size", choices=["notebook", "large", "both"], default="both",
                        help="which model size(s) to measure (default both)")
    parser.add_argument("--vocab", type=int, default=10_000,
                        help="vocabulary of the larger size (default 10000, as PTB)")
    args = parser.parse_args(argv)
    args.reps = args.reps or (1 if args.quick else 7)
    args.settle = 0.02 if args.quick else 0.3

    np_dtype = np.dtype(args.dtype)
    torch_dtype = getattr(torch, args.dtype) if torch is not None else None
    threads = set_threads(args.threads)

    print("RNN language model, training throughput (forward + backward + clipping + SGD)")
    print(f"machine: {cpu_name()}, {os.cpu_count()} cores; {platform.system()} {platform.machine()}")
    print(f"versions: Python {platform.python_version()}, NumPy {np.__version__}, "
          + (f"PyTorch {torch.__version__}" if torch is not None else "PyTorch not installed"))
    print(f"dtype: {args.dtype}{' (both frameworks)' if torch is not None else ''}; "
          f"threads: {threads}")
    print(f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(not set)')}; "
          f"load average before: {load_average()}")
    print(f"median of {args.reps} timed repetition(s) after 1 warm-up; "
          "in brackets the slowest and the fastest repetition")
    if torch is None:
        print("PyTorch is not importable: only the NumPy numbers are measured.")

    corpus, word_to_id, _ = load_corpus()
    V_corpus = len(word_to_id)
    ratios = {}
    if args.size in ("notebook", "both"):
        # The notebook's size: one epoch over the course corpus per repetition.
        ratios["notebook"] = run_size(
            "Notebook size (course corpus)", corpus, V_corpus, 10, 5, 100, 100,
            50 if args.quick else None, args, np_dtype, torch_dtype)

    if args.size in ("large", "both"):
        # The larger size needs a vocabulary of at least 5000; the corpus has fewer
        # words, so random token ids stand in (the speed does not depend on the text).
        V = max(args.vocab, 5000)
        N, T = 20, 35
        steps = 4 if args.quick else 10
        if V_corpus >= V:
            large_corpus, note = corpus, "course corpus"
        else:
            rng = np.random.default_rng(SEED)
            large_corpus = rng.integers(0, V, size=N * T * steps + N + 1, dtype=np.int64)
            note = (f"synthetic random token ids, since the corpus has only "
                    f"{V_corpus} distinct tokens")
        ratios["large"] = run_size(f"Larger size ({note})", large_corpus, V, N, T, 100, 100,
                                   steps, args, np_dtype, torch_dtype)

    goals = {"notebook": ("the notebook size", 1.5), "large": ("the larger size", 0.75)}
    met = [f"{goals[k][0]}: {r:.2f}x, goal >= {goals[k][1]}x "
           f"({'met' if r >= goals[k][1] else 'NOT met'})" for k, r in ratios.items() if r]
    if met:
        print("\nNumPy / PyTorch at " + "; at ".join(met))
    return 0


if __name__ == "__main__":
    sys.exit(main())
