"""Exercises and quiz of notebook 05: gradient descent and training a network."""

import numpy as np

from helpers.checking import (CheckFailure, Exercise, call, expect, expect_array, expect_close,
                              expect_equal, expect_scalar, expect_scalar_call, hidden_rng)
from helpers.nn.layers import TwoLayerNet
from helpers.nn.optimizers import SGD as RefSGD
from helpers.nn.optimizers import Momentum as RefMomentum
from helpers.nn.trainer import accuracy as ref_accuracy
from helpers.quiz import Choice, Numeric, Quiz

NB = "05_training"


# --- 5.1 SGD ------------------------------------------------------------------------------------

sgd = Exercise("5.1", NB, "SGD", "SGD.update: a step against the gradient, in place", points=2, kind="class",
               hint="Change each parameter array itself, with an in-place operator; `p = p - ...` only points "
                    "the loop variable at a new array.",
               hints=("`zip(params, grads)` walks through both lists together, giving each parameter with its "
                      "gradient.",
                      "Inside the loop, `p -= ...` writes the new values into the array `p` refers to, the "
                      "very array the layer holds; `p = p - ...` would not.",
                      "`for p, g in zip(params, grads): p -= self.lr * g`"))


def _sgd_update(SGD, lr, params, grads):
    opt = call(SGD, lr, call_text=f"SGD({lr})")
    expect(getattr(opt, "lr", None) == lr, "SGD(lr) should keep the learning rate in self.lr",
           f"SGD({lr}).lr is {getattr(opt, 'lr', None)!r}, expected {lr}.",
           "Keep the constructor as given: `self.lr = lr`.")
    held = list(params)
    before = [p.copy() for p in params]
    grads_before = [g.copy() for g in grads]
    inputs = {f"params[{i}]": p for i, p in enumerate(before)}
    inputs.update({f"grads[{i}]": g for i, g in enumerate(grads_before)})
    # params (argument 0) is updated in place: that is the point; grads must stay as they are.
    call(opt.update, params, grads, call_text=f"SGD({lr}).update(params, grads)", inputs=inputs, modifies=(0,),
         modified_hint="Only the parameters change: `p -= self.lr * g` computes self.lr * g as a new array "
                       "and leaves g alone (`g *= self.lr` would scale the caller's gradient).")
    for i, (p, h) in enumerate(zip(params, held)):
        expect(p is h, "update replaced a parameter array instead of changing it in place",
               f"params[{i}] is a new array after update.",
               "Change each array in place with `p -= self.lr * g`.")
    changed = any(not np.array_equal(p, b) for p, b in zip(params, before))
    expect(changed, "update did not change the parameters",
           f"after SGD({lr}).update(params, grads) every params[i] still holds its old values{_show(inputs)}",
           "`p = p - self.lr * g` makes a new array and leaves the one in `params` unchanged: use `p -= ...`.")
    for i, (p, b, g) in enumerate(zip(params, before, grads_before)):
        hint = "Each parameter moves against its gradient: p <- p - lr * g."
        if np.allclose(p, b + lr * g):
            hint = "That step goes up the gradient: subtract, p -= self.lr * g."
        elif np.allclose(p, b - g):
            hint = "Scale the step by the learning rate: p -= self.lr * g."
        expect_close(p, b - lr * g, what=f"params[{i}] after update", inputs=inputs, hint=hint)
    return opt


def _show(inputs):
    return "".join(f"\n   input:    {k} = {np.array2string(np.asarray(v), precision=4)}" for k, v in inputs.items())


@sgd.step("one parameter: p <- p - lr * g, in place")
def _(SGD):
    _sgd_update(SGD, 0.1, [np.array([1.0, -2.0, 0.5])], [np.array([0.5, 0.5, -1.0])])


@sgd.step("several parameters of different shapes (W and b of a layer), two updates in a row")
def _(SGD):
    params = [np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([0.0, 1.0])]
    grads = [np.array([[1.0, -1.0], [0.5, 0.0]]), np.array([2.0, -2.0])]
    opt = _sgd_update(SGD, 0.5, params, grads)
    expected = [p - 0.5 * g for p, g in zip(params, grads)]
    call(opt.update, params, grads, call_text="update(params, grads) (a second time)", modifies=(0,))
    for i, (p, e) in enumerate(zip(params, expected)):
        expect_close(p, e, what=f"params[{i}] after a second update",
                     hint="Each call of update takes one more step p <- p - lr * g; keep no state between calls.")


@sgd.hidden_step("other learning rates and values, two updates in a row")
def _(SGD):
    rng = hidden_rng("5.1")
    params = [rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=(4, 2))]
    grads = [rng.normal(size=p.shape) for p in params]
    lr = float(rng.uniform(0.01, 0.1))
    opt = _sgd_update(SGD, lr, params, grads)
    expected = [p - lr * g for p, g in zip(params, grads)]
    call(opt.update, params, grads, call_text="update(params, grads) (a second time)", modifies=(0,))
    for i, (p, e) in enumerate(zip(params, expected)):
        expect_close(p, e, what=f"params[{i}] after a second update")


# --- 5.2 mini-batches -------------------------------------------------------------------------

mb = Exercise("5.2", NB, "minibatches", "A shuffled mini-batch iterator", points=2,
              hint="Draw one random order of the row numbers per call with rng.permutation, slice it in "
                   "batch_size steps, and yield the rows of x and t each slice names.",
              hints=("`rng.permutation(N)` returns the numbers 0 .. N-1 in a random order; call it once per "
                     "call of minibatches, so each epoch gets a new order.",
                     "`range(0, N, batch_size)` gives the first position of every batch; "
                     "`order[start:start + batch_size]` is that batch's slice of row numbers (the last one may "
                     "be shorter). Indexing an array with an array of row numbers, `x[idx]`, picks those rows.",
                     "`order = rng.permutation(len(x))`, then `for start in range(0, len(x), batch_size): "
                     "idx = order[start:start + batch_size]; yield x[idx], t[idx]`"))


def _listed(batches, x, t):
    """One epoch's batches as a list; x and t are passed so that writes into them are caught."""
    return list(batches)


def _batches(minibatches, x, t, batch_size, seed, rng=None):
    text = f"minibatches(x, t, {batch_size}, rng)"
    inputs = {"x": x, "t": t}
    rng = np.random.default_rng(seed) if rng is None else rng
    result = call(minibatches, x, t, batch_size, rng, call_text=text, inputs=inputs)
    if result is None or not hasattr(result, "__iter__"):
        raise CheckFailure(f"{text} should yield (x_batch, t_batch) pairs",
                           f"{text} returned {type(result).__name__}, which is not a sequence of batches.",
                           "Use `yield x[idx], t[idx]` inside the loop (a generator), or return a list of pairs.")
    batches = call(_listed, result, x, t, call_text=f"list({text})", inputs=inputs,
                   modified_hint="Shuffle an array of row numbers (rng.permutation(N)) and index with it; "
                                 "rng.shuffle(x) reorders the caller's data in place.")
    for k, item in enumerate(batches):
        expect(isinstance(item, tuple) and len(item) == 2,
               f"{text} should yield (x_batch, t_batch) pairs",
               f"batch {k} is a {type(item).__name__}, not a pair (x_batch, t_batch).",
               "Yield both parts: `yield x[idx], t[idx]`.")
        expect_array(item[0], what=f"x_batch of batch {k}")
        expect_array(item[1], what=f"t_batch of batch {k}")
    return batches, text, inputs


def _expected_batches(x, t, batch_size, seed):
    order = np.random.default_rng(seed).permutation(len(x))
    return [(x[order[s:s + batch_size]], t[order[s:s + batch_size]]) for s in range(0, len(x), batch_size)]


def _check_batches(minibatches, x, t, batch_size, seed):
    batches, text, inputs = _batches(minibatches, x, t, batch_size, seed)
    expected = _expected_batches(x, t, batch_size, seed)
    expect_equal([len(xb) for xb, _ in batches], [len(xb) for xb, _ in expected],
                 what=f"the batch sizes of {text}", inputs=inputs,
                 hint="Slice the shuffled order in steps of batch_size; the last batch keeps what is left.")
    seen = np.concatenate([xb for xb, _ in batches])
    expect(sorted(map(tuple, seen.reshape(len(seen), -1).tolist())) ==
           sorted(map(tuple, x.reshape(len(x), -1).tolist())),
           "the batches do not contain every sample exactly once",
           f"over one epoch {text} must yield every row of x exactly once.",
           "Take the rows in the order `rng.permutation(N)`; don't draw random rows with replacement.")
    for k, ((xb, tb), (ex, et)) in enumerate(zip(batches, expected)):
        expect_equal(xb, ex, what=f"x_batch of batch {k}", inputs=inputs,
                     hint="Use the order `rng.permutation(N)` (one call per epoch), and slice it in batches.")
        expect_equal(tb, et, what=f"t_batch of batch {k}", inputs=inputs,
                     hint="Index x and t with the same indices, so each input keeps its target.")


@mb.step("batch sizes: 10, 9 and 8 samples in batches of 4 -> 4, 4, 2 / 4, 4, 1 / 4, 4")
def _(minibatches):
    # N = 3: a batch larger than the data gives one batch with every sample.
    for n, sizes in ((10, [4, 4, 2]), (9, [4, 4, 1]), (8, [4, 4]), (3, [3])):
        x = np.arange(2.0 * n).reshape(n, 2)
        t = np.arange(n)
        batches, text, inputs = _batches(minibatches, x, t, 4, 0)
        expect_equal([len(xb) for xb, _ in batches], sizes, what=f"the batch sizes of {text} for N = {n}",
                     inputs=inputs,
                     hint="`range(0, N, batch_size)` gives the start of each batch: the last batch keeps what "
                          "is left (even a single sample), and no batch is empty.")


@mb.step("every sample once per epoch, inputs paired with their targets")
def _(minibatches):
    x = np.arange(20.0).reshape(10, 2)
    t = np.arange(10) * 100
    batches, text, inputs = _batches(minibatches, x, t, 4, 0)
    labels = np.concatenate([tb for _, tb in batches])
    expect(sorted(labels.tolist()) == sorted(t.tolist()), "the batches do not contain every sample exactly once",
           f"over one epoch {text} must yield every target exactly once; got {sorted(labels.tolist())}.",
           "Shuffle the indices with `rng.permutation(N)` rather than drawing random rows.")
    for xb, tb in batches:
        expect(np.array_equal(xb[:, 0] / 2 * 100, tb), "an input was separated from its target",
               f"in a batch, x rows {xb.tolist()} came with targets {tb.tolist()}.",
               "Index x and t with the same indices: `x[idx], t[idx]`.")


@mb.step("shuffled, with a new order each epoch: epochs drawn from the same rng differ")
def _(minibatches):
    x = np.arange(32.0).reshape(16, 2)
    t = np.arange(16)
    rng = np.random.default_rng(3)
    epochs = [_batches(minibatches, x, t, 4, None, rng=rng)[0] for _ in range(3)]
    orders = [np.concatenate([tb for _, tb in batches]).tolist() for batches in epochs]
    expect(orders[0] != sorted(orders[0]), "the batches are not shuffled",
           f"minibatches(x, t, 4, rng) yields the rows in file order: {orders[0]}.",
           "Shuffle the row numbers first: order = rng.permutation(N).")
    expect(orders[0] != orders[1] and orders[1] != orders[2],
           "the same order came back in every epoch",
           f"three epochs of minibatches(x, t, 4, rng) with the same rng gave the orders {orders[0]}, "
           f"{orders[1]} and {orders[2]}; each epoch must draw a new order.",
           "Draw the order from the rng you are given, once per call: order = rng.permutation(N). "
           "Don't make a new generator with a fixed seed, and don't keep an order from an earlier call.")


@mb.step("the order is rng.permutation(N): shuffled and reproducible")
def _(minibatches):
    x = np.arange(24.0).reshape(12, 2)
    t = np.arange(12)
    _check_batches(minibatches, x, t, 5, 7)


@mb.hidden_step("other sizes, one-hot targets, and a batch larger than the data")
def _(minibatches):
    rng = hidden_rng("5.2")
    x = rng.normal(size=(23, 3))
    t = np.eye(4)[rng.integers(0, 4, size=23)]
    _check_batches(minibatches, x, t, 6, int(rng.integers(1000)))
    _check_batches(minibatches, x[:5], t[:5], 8, int(rng.integers(1000)))


# --- 5.3 one training step ------------------------------------------------------------------------

ts = Exercise("5.3", NB, "train_step", "One training step: forward, backward, update", points=2,
              hint="Forward pass (it returns the loss), backward pass (it fills model.grads), then one update "
                   "of model.params with model.grads; return the loss.",
              hints=("Three calls in a fixed order: the forward pass gives the loss, the backward pass fills "
                     "`model.grads`, the update uses them. Keep the loss in a variable to return it.",
                     "The optimizer moves the model's own arrays: pass it `model.params` and `model.grads`.",
                     "The whole body, line by line: `loss = model.forward(x, t); model.backward(); "
                     "optimizer.update(model.params, model.grads); return loss`"))


class _RecordingOptimizer:
    """An SGD that remembers how it was called."""

    def __init__(self, inner):
        self.inner = inner
        self.calls = []

    def update(self, params, grads):
        self.calls.append((params, [g.copy() for g in grads]))
        self.inner.update(params, grads)


def _train_step_case(train_step, seed, sizes, optimizer):
    rng = np.random.default_rng(seed)
    D, H, C, N = sizes
    model = TwoLayerNet(D, H, C, seed=seed)
    x, t = rng.normal(size=(N, D)), rng.integers(0, C, size=N)
    twin = TwoLayerNet(D, H, C, seed=seed)           # same weights, to compute what should happen
    expected_loss = twin.forward(x, t)
    twin.backward()
    inputs = {"x": x, "t": t}
    opt = _RecordingOptimizer(optimizer)
    loss = call(train_step, model, opt, x, t, call_text="train_step(model, optimizer, x, t)", inputs=inputs)
    expect(loss is not None, "train_step returned nothing",
           "train_step(model, optimizer, x, t) returned None.",
           "End with `return loss`, the value model.forward(x, t) gave.")
    loss = expect_scalar(loss, what="train_step(model, optimizer, x, t)", inputs=inputs)
    return model, twin, opt, loss, expected_loss, inputs


@ts.step("returns the batch's loss (before the update) as a number")
def _(train_step):
    model, twin, opt, loss, expected_loss, inputs = _train_step_case(train_step, 0, (2, 4, 3, 6), RefSGD(0.5))
    expect_close(loss, expected_loss, what="the returned loss", inputs=inputs,
                 hint="Return what model.forward(x, t) gave, the loss on this batch.")


@ts.step("calls optimizer.update once, with model.params and the fresh gradients")
def _(train_step):
    model, twin, opt, loss, expected_loss, inputs = _train_step_case(train_step, 1, (2, 4, 3, 6), RefSGD(0.5))
    expect(len(opt.calls) == 1, "optimizer.update should be called exactly once",
           f"optimizer.update was called {len(opt.calls)} times in one training step.",
           "One step = one forward pass, one backward pass, one update.")
    params, grads = opt.calls[0]
    # The very arrays of the model, in its order (a copy of the list, list(model.params), holds the same ones).
    same = len(params) == len(model.params) and all(p is q for p, q in zip(params, model.params))
    expect(same, "optimizer.update should receive model.params",
           "optimizer.update was not given the arrays of model.params.",
           "Call `optimizer.update(model.params, model.grads)`.")
    for i, (g, e) in enumerate(zip(grads, twin.grads)):
        expect_close(g, e, what=f"the gradient grads[{i}] passed to update", inputs=inputs,
                     hint="Run model.backward() after model.forward(x, t) and before the update, so the "
                          "gradients belong to this batch.")


@ts.step("the parameters take one SGD step")
def _(train_step):
    model, twin, opt, loss, expected_loss, inputs = _train_step_case(train_step, 2, (3, 5, 2, 4), RefSGD(0.1))
    for i, (p, q, g) in enumerate(zip(model.params, twin.params, twin.grads)):
        expect_close(p, q - 0.1 * g, what=f"model.params[{i}] after the step", inputs=inputs)


@ts.hidden_step("another model and a Momentum optimizer")
def _(train_step):
    seed = int(hidden_rng("5.3").integers(1000))
    model, twin, opt, loss, expected_loss, inputs = _train_step_case(train_step, seed, (4, 6, 5, 9),
                                                                      RefMomentum(0.2))
    expect_close(loss, expected_loss, what="the returned loss", inputs=inputs)
    RefMomentum(0.2).update(twin.params, twin.grads)
    for i, (p, q) in enumerate(zip(model.params, twin.params)):
        expect_close(p, q, what=f"model.params[{i}] after the step", inputs=inputs)


# --- 5.4 accuracy -------------------------------------------------------------------------------------

acc = Exercise("5.4", NB, "accuracy", "Accuracy: the fraction of correct predictions", points=1,
               hint="The predicted class of a row is the position of its largest score; compare with the labels "
                    "(one-hot rows first turned into labels) and take the fraction that agree.",
               hints=("`argmax(axis=1)` gives, for each row, the position of its largest entry: the predicted "
                      "class.",
                      "A one-hot `t` has two dimensions (`t.ndim == 2`); its labels are the positions of its 1s, "
                      "found the same way.",
                      "Comparing two arrays gives booleans; the mean of booleans is the fraction of True. "
                      "Return it as a Python float.",
                      "`labels = t.argmax(axis=1) if t.ndim == 2 else t`, then "
                      "`return float(np.mean(scores.argmax(axis=1) == labels))`"))


def _acc(accuracy, scores, t, expected):
    hint = None
    if t.ndim == 1 and expected > 0:
        got = call(accuracy, scores, t, call_text="accuracy(scores, t)", inputs={"scores": scores, "t": t},
                   error_hint="scores.argmax(axis=1) gives one predicted class per row (N,), to compare with t.")
        if isinstance(got, (int, float, np.number)) and np.isclose(float(got), expected * len(t)):
            hint = "You return the number of right rows: divide by N (np.mean of the comparison does it)."
        elif isinstance(got, (int, float, np.number)) and np.isclose(float(got), 100 * expected):
            hint = "Return a fraction between 0 and 1, not a percentage."
    expect_scalar_call(accuracy, (scores, t), expected, "accuracy(scores, t)", {"scores": scores, "t": t},
                       hint=hint, error_hint="scores.argmax(axis=1) gives one predicted class per row (N,); a "
                                             "one-hot t (N, C) becomes labels with t.argmax(axis=1).")


@acc.step("labels: 3 of 4 rows right -> 0.75")
def _(accuracy):
    scores = np.array([[2.0, 1.0, 0.0], [0.0, 3.0, 1.0], [1.0, 0.0, 5.0], [4.0, 0.0, 1.0]])
    _acc(accuracy, scores, np.array([0, 1, 2, 2]), 0.75)


@acc.step("one-hot targets give the same accuracy")
def _(accuracy):
    scores = np.array([[2.0, 1.0, 0.0], [0.0, 3.0, 1.0], [1.0, 0.0, 5.0], [4.0, 0.0, 1.0]])
    _acc(accuracy, scores, np.eye(3)[[0, 1, 2, 2]], 0.75)


@acc.hidden_step("a larger random batch")
def _(accuracy):
    rng = hidden_rng("5.4")
    scores = rng.normal(size=(50, 4))
    t = rng.integers(0, 4, size=50)
    _acc(accuracy, scores, t, ref_accuracy(scores, t))
    _acc(accuracy, scores, np.eye(4)[t], ref_accuracy(scores, t))


# --- Quiz -------------------------------------------------------------------------------------------------

Quiz(NB, [
    Choice("q1", "During gradient descent the loss jumps up and down and then grows without bound. "
                 "What is the most likely cause?",
           {"a": "The learning rate is too small for this loss surface.",
            "b": "The learning rate is too large for this loss surface.",
            "c": "The mini-batches are too large for this data set.",
            "d": "The data are shuffled again at the start of every epoch."},
           answer="b",
           explain="Each step overshoots the minimum by more than it corrects: lower the learning rate."),
    Numeric("q2", "300 training samples, mini-batches of 30, 300 epochs: how many parameter updates "
                  "(iterations) does training make?",
            answer=3000, tol=0.5,
            explain="300 / 30 = 10 iterations per epoch, times 300 epochs = 3000 updates."),
    Choice("q3", "When should the test data be used?",
           {"a": "In every epoch, to pick the learning rate that suits the model.",
            "b": "Once, at the very end, to estimate how well the final model does.",
            "c": "During training, to decide after which epoch to stop and keep it.",
            "d": "Mixed into the training data, so that the model sees more examples."},
           answer="b",
           explain="Choices made while learning (learning rate, size, when to stop) use the development "
                   "(validation) data; the test data stay untouched until the end."),
    Choice("q4", "What does online learning (one update after every single sample) make possible?",
           {"a": "Learning from new data as they arrive, without revisiting old data.",
            "b": "Following the exact gradient of the full training loss at every step.",
            "c": "Training the network without having to choose a learning rate.",
            "d": "Computing each update as one large matrix product over all data."},
           answer="a",
           explain="Each update needs only the newest sample, so the model can keep learning from a stream."),
    Choice("q5", "Why shuffle the training data at the start of every epoch?",
           {"a": "Shuffled data sit better in the cache, so every epoch runs faster.",
            "b": "The loss cannot be computed on data that are sorted by class.",
            "c": "Sorted data give batches of one class; a new order mixes each epoch.",
            "d": "Shuffling changes the labels, so the network cannot memorise them."},
           answer="c",
           explain="Data sorted by class (like the spiral or iris files) would otherwise give batches of one "
                   "class, and the network would be pulled back and forth; a new order each epoch also "
                   "gives new batches."),
    Choice("q6", "One weight's gradient has been 2.0 at each of the 1000 updates so far. With the same "
                 "learning rate lr, how far do AdaGrad and RMSProp (decay rate 0.99) move it next?",
           {"a": "Both move it by about lr, since the gradient has not changed.",
            "b": "AdaGrad by about lr/30, RMSProp by about lr.",
            "c": "AdaGrad by about lr, RMSProp by about lr/30.",
            "d": "Both move it by about 2 lr, the gradient times the rate."},
           answer="b",
           explain="AdaGrad divides by the root of the sum, sqrt(1000 * 4) = 63, so it moves 2/63, about 1/30 of "
                   "lr; RMSProp's average of g*g has reached about 4, so it divides by 2 and moves about lr."),
])
