"""Training utilities (notebook 05): mini-batches, one training step, accuracy, a Trainer.

A *model* here is anything with

* ``params`` and ``grads``: lists of arrays, the grads written in place by ``backward``;
* ``forward(x, t) -> loss`` (a float) and ``backward(dout=1.0)``;
* ``predict(x) -> scores`` of shape (N, C), needed for the accuracy only.

``helpers.nn.layers.TwoLayerNet`` is one; an *optimizer* is anything with
``update(params, grads)`` (``SGD``, ``Momentum``, ``Adam``).
"""

from __future__ import annotations

from typing import Iterator

import numpy as np

__all__ = ["minibatches", "accuracy", "train_step", "Trainer"]


def _generator(rng) -> np.random.Generator:
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None:
        raise ValueError("pass a np.random.Generator (or an int seed), so that the shuffling is reproducible")
    return np.random.default_rng(rng)


def minibatches(x: np.ndarray, t: np.ndarray, batch_size: int, rng, shuffle: bool = True
                ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield one epoch of ``(x_batch, t_batch)`` pairs in a fresh random order.

    x: (N, ...) inputs, t: (N, ...) targets (labels or one-hot), rows paired.
    The order is ``rng.permutation(N)`` (``rng``: a ``np.random.Generator``
    or an int seed); consecutive slices of ``batch_size`` of it make the
    batches, so every sample appears exactly once per epoch and the last
    batch holds the N % batch_size left over (if any). Each call draws a new
    order from ``rng``: call it once per epoch.
    """
    x = np.asarray(x)
    t = np.asarray(t)
    if len(x) != len(t):
        raise ValueError(f"x has {len(x)} rows but t has {len(t)}")
    if int(batch_size) < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    N = len(x)
    order = _generator(rng).permutation(N) if shuffle else np.arange(N)
    for start in range(0, N, int(batch_size)):
        idx = order[start:start + int(batch_size)]
        yield x[idx], t[idx]


def accuracy(scores: np.ndarray, t: np.ndarray) -> float:
    """Fraction of rows whose highest score is the target class.

    scores: (N, C) (or one sample (C,)); t: labels (N,) or one-hot (N, C).
    Returns a float in [0, 1].
    """
    scores = np.asarray(scores)
    if scores.ndim == 1:
        scores = scores.reshape(1, -1)
    t = np.asarray(t)
    if t.ndim == 2:
        t = t.argmax(axis=1)
    predicted = scores.argmax(axis=1)
    if predicted.shape != t.reshape(-1).shape:
        raise ValueError(f"{len(predicted)} predictions but {t.size} targets")
    return float(np.mean(predicted == t.reshape(-1)))


def train_step(model, optimizer, x: np.ndarray, t: np.ndarray) -> float:
    """One step of gradient descent on one (mini-)batch: forward, backward, update.

    Returns the batch's loss, measured before the update.
    """
    loss = model.forward(x, t)
    model.backward()
    optimizer.update(model.params, model.grads)
    return float(loss)


class Trainer:
    """Mini-batch training of a model with an optimizer, epoch after epoch.

    >>> trainer = Trainer(model, SGD(lr=1.0), seed=0)
    >>> trainer.fit(x, t, max_epoch=300, batch_size=30, x_val=x_dev, t_val=t_dev, print_every=50)

    After ``fit`` (which can be called again to go on training):

    * ``loss_list``: the mean training loss of each epoch;
    * ``iter_loss_list``: the loss of every mini-batch;
    * ``train_acc_list`` / ``val_acc_list``: accuracy after each epoch on the
      training data / on ``x_val, t_val`` (empty when not given);
    * ``epoch``: how many epochs have run in total.
    """

    def __init__(self, model, optimizer, seed=0):
        self.model = model
        self.optimizer = optimizer
        self.rng = _generator(seed)
        self.loss_list: list[float] = []
        self.iter_loss_list: list[float] = []
        self.train_acc_list: list[float] = []
        self.val_acc_list: list[float] = []
        self.epoch = 0

    def accuracy(self, x: np.ndarray, t: np.ndarray) -> float:
        """Accuracy of the model's current predictions on x against t."""
        return accuracy(self.model.predict(x), t)

    def fit(self, x: np.ndarray, t: np.ndarray, max_epoch: int = 10, batch_size: int = 32,
            x_val: np.ndarray | None = None, t_val: np.ndarray | None = None,
            print_every: int = 0, track_accuracy: bool = True) -> "Trainer":
        """Train for ``max_epoch`` epochs of shuffled mini-batches; returns self.

        ``print_every`` > 0 prints a progress line every that many epochs.
        ``track_accuracy=False`` skips the accuracies (for models without ``predict``).
        """
        if (x_val is None) != (t_val is None):
            raise ValueError("give both x_val and t_val, or neither")
        for _ in range(int(max_epoch)):
            total, count = 0.0, 0
            for x_batch, t_batch in minibatches(x, t, batch_size, self.rng):
                loss = train_step(self.model, self.optimizer, x_batch, t_batch)
                self.iter_loss_list.append(loss)
                total += loss * len(x_batch)
                count += len(x_batch)
            self.epoch += 1
            self.loss_list.append(total / count)
            line = f"epoch {self.epoch:4d} | loss {self.loss_list[-1]:.4f}"
            if track_accuracy:
                self.train_acc_list.append(self.accuracy(x, t))
                line += f" | train acc {self.train_acc_list[-1]:.4f}"
                if x_val is not None:
                    self.val_acc_list.append(self.accuracy(x_val, t_val))
                    line += f" | val acc {self.val_acc_list[-1]:.4f}"
            if print_every and self.epoch % print_every == 0:
                print(line)
        return self

    def plot(self, title: str = "Training", val_label: str = "validation"):
        """Loss per epoch (left) and accuracy per epoch (right); returns the figure."""
        import matplotlib.pyplot as plt

        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
        epochs = np.arange(1, len(self.loss_list) + 1)
        ax1.plot(epochs, self.loss_list, lw=2)
        ax1.set(title=f"{title}: loss", xlabel="epoch", ylabel="mean training loss")
        if self.train_acc_list:
            ax2.plot(epochs, self.train_acc_list, lw=2, label="training data")
        if self.val_acc_list:
            ax2.plot(epochs, self.val_acc_list, lw=2, ls="--", label=f"{val_label} data")
        ax2.set(title=f"{title}: accuracy", xlabel="epoch", ylabel="accuracy", ylim=(0, 1.02))
        if self.train_acc_list or self.val_acc_list:
            ax2.legend(loc="lower right")
        fig.tight_layout()
        return fig
