"""Exercises of notebook 05, part 2: Momentum, AdaGrad, RMSProp and Adam.

Each optimizer is a class with ``update(params, grads)``, like ``SGD`` (5.1):
it changes every ``params[i]`` in place, leaves ``grads`` alone, and keeps
its state (velocity, sums or averages of squared gradients, step count) in
one array per parameter between calls.

Every check runs the learner's optimizer and the reference one
(``helpers.nn.optimizers``) side by side on the same gradients and compares
the parameters after each update. The public steps are ordered so that each
classic mistake fails the step that names it: rebinding ``p`` (in place),
the formula (one update), ``eps`` under the root (eps after the square root),
state re-created at each call (updates in a row), hard-coded constants
(constants from the constructor), state shared between parameters (different
shapes). ``eps`` goes *after* the square root: ``g / (sqrt(h) + eps)``.
"""

import numpy as np

from helpers.checking import CheckFailure, Exercise, call, expect, expect_close, hidden_rng
from helpers.nn import optimizers as ref

NB = "05_training"


# --- shared machinery ---------------------------------------------------------------------------

# Tolerance of the comparisons: loose enough that eps = 1e-8 under or after the root looks the same
# (its own step, with eps = 0.5, tells them apart), tight enough for every real mistake.
RTOL, ATOL = 1e-5, 1e-9

def _show(value):
    return np.array2string(np.asarray(value), precision=4, suppress_small=True, threshold=20)


def _settings(kwargs):
    return ", ".join(f"{k}={v}" for k, v in kwargs.items())


def _construct(cls, kwargs):
    text = f"{cls.__name__}({_settings(kwargs)})"
    opt = call(lambda: cls(**kwargs), call_text=text)
    expect(callable(getattr(opt, "update", None)), f"{cls.__name__} has no method update",
           f"{text} has no method `update(params, grads)`.",
           "Keep the class as given and fill in the body of `update`.")
    return opt, text


def _in_place(params, held, before, grads, text, inputs):
    """The parameters must be the same arrays as before, and (if any gradient is non-zero) changed."""
    for i, (p, h) in enumerate(zip(params, held)):
        expect(p is h, "update replaced a parameter array instead of changing it in place",
               f"after {text}, params[{i}] is a new array: the network's layers still hold the old one.",
               "Change each array in place (`p -= ...`, `p += ...`, `p[...] = ...`); "
               "don't assign a new array to `params[i]`.")
    if any(np.any(g != 0) for g in grads):
        changed = any(not np.array_equal(p, b) for p, b in zip(params, before))
        expect(changed, "update did not change the parameters in place",
               f"after {text} every params[i] still holds its old values."
               + "".join(f"\n   input:    {k} = {_show(v)}" for k, v in inputs.items()),
               "`p = p - ...` makes a new array and points the loop variable at it; the array in "
               "`params` stays as it was. Write into the array: `p -= ...`.")


def _compare(cls, kwargs, params, grad_seq, hint, fresh_hint=None):
    """Run cls(**kwargs) and the reference side by side over grad_seq; compare after every update.

    ``fresh_hint``: shown when an update after the first gives what an optimizer with no
    memory (state made anew) would give.
    """
    opt, text = _construct(cls, kwargs)
    reference = getattr(ref, cls.__name__)(**kwargs)
    ref_params = [p.copy() for p in params]
    held = list(params)
    for k, grads in enumerate(grad_seq, start=1):
        before = [p.copy() for p in params]
        inputs = {f"params[{i}]": p for i, p in enumerate(before)}
        inputs.update({f"grads[{i}]": g for i, g in enumerate(grads)})
        if len(grad_seq) > 1:
            inputs = {"update": f"number {k} of {len(grad_seq)}", **inputs}
        call_text = f"{text}.update(params, grads)"
        call(opt.update, params, grads, modifies=("params", 0), call_text=call_text, inputs=inputs)
        _in_place(params, held, before, grads, call_text, inputs)
        reference.update(ref_params, [g.copy() for g in grads])
        for i, (p, e) in enumerate(zip(params, ref_params)):
            if k > 1 and fresh_hint is not None and not np.allclose(p, e, rtol=RTOL, atol=ATOL):
                fresh = getattr(ref, cls.__name__)(**kwargs)
                again = [b.copy() for b in before]
                fresh.update(again, [g.copy() for g in grads])
                if all(np.allclose(a, q, rtol=RTOL, atol=ATOL) for a, q in zip(again, params)):
                    raise CheckFailure(
                        f"update number {k} forgot what the earlier updates stored",
                        f"after update number {k}, params[{i}] is what an optimizer with empty state gives: "
                        f"the state was made anew at this call.\n   expected: {_show(e)}\n   got:      {_show(p)}",
                        fresh_hint)
            expect_close(p, e, what=f"params[{i}] after update number {k}", inputs=inputs,
                         rtol=RTOL, atol=ATOL, hint=hint)
    return opt


def _pairs(rng, shapes, scale=1.0):
    """Parameters and gradients of the given shapes, values well away from 0."""
    params = [rng.normal(size=s) * 2 for s in shapes]
    grads = [(rng.normal(size=s) + np.sign(rng.normal(size=s))) * scale for s in shapes]
    return params, grads


def _hidden(cls, kwargs, salt, n_updates=4):
    rng = hidden_rng(salt)
    shapes = [tuple(int(n) for n in rng.integers(1, 5, size=rng.integers(1, 3))) for _ in range(3)]
    params, _ = _pairs(rng, shapes)
    grad_seq = [_pairs(rng, shapes, scale=float(rng.choice([0.01, 1.0, 30.0])))[1] for _ in range(n_updates)]
    _compare(cls, kwargs, params, grad_seq, hint=None)


ONE_P = [np.array([1.5, -2.0, 0.75])]
ONE_G = [np.array([0.5, 2.0, -1.5])]
SEQ = [[np.array([0.5, 2.0, -1.5])], [np.array([1.0, -1.0, -0.5])], [np.array([0.2, 0.8, 3.0])]]
ZERO_G = [np.array([0.0, 0.8, -0.5])]


def _shapes_case():
    """W (2, 3), b (3,) and another (2, 3): parameters of different (and equal) shapes."""
    rng = np.random.default_rng(505)
    params, _ = _pairs(rng, [(2, 3), (3,), (2, 3)])
    grad_seq = [_pairs(rng, [(2, 3), (3,), (2, 3)])[1] for _ in range(3)]
    return params, grad_seq


def _copy(arrays):
    return [a.copy() for a in arrays]


# --- 5.5 Momentum ------------------------------------------------------------------------------------

momentum = Exercise(
    "5.5", NB, "Momentum", "Momentum: a velocity per parameter", points=2, kind="class",
    hint="v <- momentum * v - lr * g, then p <- p + v; one velocity array per parameter, made at the "
         "first update and kept in self.v.",
    hints=(
        "At the first call (`self.v is None`) make one velocity per parameter, all zeros, of the "
        "parameter's shape: `np.zeros_like(p)` for each p in params. Store the list in `self.v`.",
        "Then walk through the three lists together: `for p, g, v in zip(params, grads, self.v):`. "
        "Update `v` in place (so self.v sees it), then move `p` by `v`, in place too.",
        "`if self.v is None: self.v = [np.zeros_like(p) for p in params]`, then "
        "`for p, g, v in zip(params, grads, self.v): v *= self.momentum; v -= self.lr * g; p += v`.",
    ))


@momentum.step("one update: v = -lr*g, p <- p + v, in place")
def _(Momentum):
    _compare(Momentum, dict(lr=0.1), _copy(ONE_P), [_copy(ONE_G)],
             hint="At the first update v starts at 0, so p moves by v = -lr * g.")


@momentum.step("three updates: v <- momentum*v - lr*g, the velocity kept between calls")
def _(Momentum):
    _compare(Momentum, dict(lr=0.1), _copy(ONE_P), [_copy(s) for s in SEQ],
             hint="Each update first shrinks the old velocity (v *= momentum), then adds -lr * g.",
             fresh_hint="Make the velocities only when `self.v is None` (the first call) and update the "
                        "arrays in self.v in place afterwards.")


@momentum.step("the constants come from the constructor (lr 0.2, momentum 0.5)")
def _(Momentum):
    _compare(Momentum, dict(lr=0.2, momentum=0.5), _copy(ONE_P), [_copy(s) for s in SEQ],
             hint="Use self.lr and self.momentum, not the default numbers.")


@momentum.step("parameters of different shapes, each with its own velocity")
def _(Momentum):
    params, grad_seq = _shapes_case()
    _compare(Momentum, dict(lr=0.1, momentum=0.8), params, grad_seq,
             hint="Keep one velocity per parameter, of that parameter's shape, in a list in the same order.")


@momentum.hidden_step("other shapes, constants and gradients, four updates")
def _(Momentum):
    rng = hidden_rng("5.5 constants")
    _hidden(Momentum, dict(lr=float(rng.uniform(0.01, 0.5)), momentum=float(rng.uniform(0.3, 0.95))), "5.5")


# --- the adaptive ones: shared steps ----------------------------------------------------------------

def _zero_step(cls, kwargs, hint):
    _compare(cls, kwargs, _copy(ONE_P), [_copy(ZERO_G)], hint=hint)


def _eps_step(cls, kwargs, hint):
    # A large eps makes its place visible: sqrt(h) + eps and sqrt(h + eps) differ a lot.
    # One update only, so that a mistake in the state is caught by its own step, later.
    _compare(cls, kwargs, _copy(ONE_P), [_copy(ONE_G)], hint=hint)


EPS_HINT = ("This course adds eps after the square root: g / (np.sqrt(h) + eps), not "
            "g / np.sqrt(h + eps).")
ZERO_HINT = ("An entry whose gradient has always been 0 has h = 0, and 0 / sqrt(0) is 0/0 = NaN: the eps in "
             "the denominator is what prevents it.")


# --- 5.6 AdaGrad -----------------------------------------------------------------------------------

adagrad = Exercise(
    "5.6", NB, "AdaGrad", "AdaGrad: steps scaled by the gradients seen so far", points=2, kind="class",
    hint="h <- h + g*g (element by element), then p <- p - lr * g / (sqrt(h) + eps); one h per parameter, "
         "kept in self.h.",
    hints=(
        "As for Momentum: at the first call make one array `h` of zeros per parameter (`np.zeros_like(p)`), "
        "keep the list in `self.h`, and loop over `zip(params, grads, self.h)`.",
        "`h` adds up the squared gradients: add `g * g` to it in place. Then each entry of `p` moves by "
        "`lr * g` divided by the square root of its own `h`, plus `self.eps` after the root.",
        "`if self.h is None: self.h = [np.zeros_like(p) for p in params]`, then "
        "`for p, g, h in zip(params, grads, self.h): h += g * g; p -= self.lr * g / (np.sqrt(h) + self.eps)`.",
    ))


@adagrad.step("one update: h = g*g, p <- p - lr*g/(sqrt(h) + eps), in place")
def _(AdaGrad):
    _compare(AdaGrad, dict(lr=0.1), _copy(ONE_P), [_copy(ONE_G)],
             hint="After one update h = g * g, so sqrt(h) = |g| and each entry moves by about lr against "
                  "the sign of its gradient.")


@adagrad.step("a gradient entry of 0 leaves its parameter unchanged (no 0/0)")
def _(AdaGrad):
    _zero_step(AdaGrad, dict(lr=0.1), ZERO_HINT)


@adagrad.step("eps is added after the square root (eps 0.5 here)")
def _(AdaGrad):
    _eps_step(AdaGrad, dict(lr=0.1, eps=0.5), EPS_HINT)


@adagrad.step("three updates: h sums the squared gradients, kept between calls")
def _(AdaGrad):
    _compare(AdaGrad, dict(lr=0.1), _copy(ONE_P), [_copy(s) for s in SEQ],
             hint="h keeps growing: h <- h + g * g at every update.",
             fresh_hint="Make the arrays h only when `self.h is None` (the first call), and add to them in "
                        "place afterwards.")


@adagrad.step("parameters of different shapes, each with its own h")
def _(AdaGrad):
    params, grad_seq = _shapes_case()
    _compare(AdaGrad, dict(lr=0.3), params, grad_seq,
             hint="Keep one array h per parameter, of that parameter's shape, in a list in the same order.")


@adagrad.hidden_step("other shapes, constants and gradients, four updates")
def _(AdaGrad):
    rng = hidden_rng("5.6 constants")
    _hidden(AdaGrad, dict(lr=float(rng.uniform(0.01, 1.0)), eps=float(rng.choice([1e-8, 0.1, 1.0]))), "5.6")


# --- 5.7 RMSProp ----------------------------------------------------------------------------------

rmsprop = Exercise(
    "5.7", NB, "RMSProp", "RMSProp: a moving average of squared gradients", points=2, kind="class",
    hint="h <- decay_rate * h + (1 - decay_rate) * g*g, then p <- p - lr * g / (sqrt(h) + eps); "
         "one h per parameter, kept in self.h.",
    hints=(
        "The same skeleton as AdaGrad: one array `h` of zeros per parameter, made at the first call, kept in "
        "`self.h`; loop over `zip(params, grads, self.h)`.",
        "Only `h` changes: instead of adding `g * g`, take the weighted average of the old `h` (weight "
        "`self.decay_rate`) and `g * g` (weight `1 - self.decay_rate`), in place.",
        "`if self.h is None: self.h = [np.zeros_like(p) for p in params]`, then "
        "`for p, g, h in zip(params, grads, self.h):` with `h *= self.decay_rate`, "
        "`h += (1 - self.decay_rate) * g * g` and `p -= self.lr * g / (np.sqrt(h) + self.eps)`.",
    ))


@rmsprop.step("one update: h = (1-rho)*g*g, p <- p - lr*g/(sqrt(h) + eps), in place")
def _(RMSProp):
    _compare(RMSProp, dict(lr=0.1), _copy(ONE_P), [_copy(ONE_G)],
             hint="h starts at 0, so after one update h = (1 - decay_rate) * g * g: the old h gets the weight "
                  "decay_rate, the new g * g the weight 1 - decay_rate.")


@rmsprop.step("a gradient entry of 0 leaves its parameter unchanged (no 0/0)")
def _(RMSProp):
    _zero_step(RMSProp, dict(lr=0.1), ZERO_HINT)


@rmsprop.step("eps is added after the square root (eps 0.5 here)")
def _(RMSProp):
    _eps_step(RMSProp, dict(lr=0.1, eps=0.5), EPS_HINT)


@rmsprop.step("three updates: h <- rho*h + (1-rho)*g*g, kept between calls")
def _(RMSProp):
    _compare(RMSProp, dict(lr=0.1), _copy(ONE_P), [_copy(s) for s in SEQ],
             hint="h is a moving average: h <- decay_rate * h + (1 - decay_rate) * g * g.",
             fresh_hint="Make the arrays h only when `self.h is None` (the first call), and update them in "
                        "place afterwards.")


@rmsprop.step("the constants come from the constructor (lr 0.2, decay_rate 0.5)")
def _(RMSProp):
    _compare(RMSProp, dict(lr=0.2, decay_rate=0.5), _copy(ONE_P), [_copy(s) for s in SEQ],
             hint="Use self.decay_rate (and self.lr, self.eps), not the default numbers.")


@rmsprop.step("parameters of different shapes, each with its own h")
def _(RMSProp):
    params, grad_seq = _shapes_case()
    _compare(RMSProp, dict(lr=0.05, decay_rate=0.9), params, grad_seq,
             hint="Keep one array h per parameter, of that parameter's shape, in a list in the same order.")


@rmsprop.hidden_step("other shapes, constants and gradients, four updates")
def _(RMSProp):
    rng = hidden_rng("5.7 constants")
    _hidden(RMSProp, dict(lr=float(rng.uniform(0.01, 0.5)), decay_rate=float(rng.uniform(0.5, 0.999)),
                          eps=float(rng.choice([1e-8, 0.1, 1.0]))), "5.7")


# --- 5.8 Adam ---------------------------------------------------------------------------------------

adam = Exercise(
    "5.8", NB, "Adam", "Adam: momentum and per-parameter steps, bias-corrected", points=3, kind="class",
    hint="t += 1 once per update; m <- b1*m + (1-b1)*g; v <- b2*v + (1-b2)*g*g; "
         "p <- p - lr * m_hat / (sqrt(v_hat) + eps) with m_hat = m / (1 - b1**t), v_hat = v / (1 - b2**t).",
    hints=(
        "Two arrays per parameter this time, `m` and `v` (zeros at the first call, kept in `self.m` and "
        "`self.v`), and one step counter `self.t` for the whole optimizer: add 1 to it once per call, before "
        "the loop, so the first update has t = 1.",
        "In the loop over `zip(params, grads, self.m, self.v)`: `m` is a moving average of `g` (weights "
        "beta1 and 1 - beta1), `v` one of `g * g` (beta2 and 1 - beta2), both updated in place. Then divide "
        "them by `1 - beta1 ** t` and `1 - beta2 ** t` to remove the pull towards their zero start.",
        "`if self.m is None:` make `self.m` and `self.v` as `[np.zeros_like(p) for p in params]`; then "
        "`self.t += 1`; then `for p, g, m, v in zip(params, grads, self.m, self.v):` with "
        "`m *= self.beta1; m += (1 - self.beta1) * g`, `v *= self.beta2; v += (1 - self.beta2) * g * g`, "
        "`m_hat = m / (1 - self.beta1 ** self.t)`, `v_hat = v / (1 - self.beta2 ** self.t)`, then "
        "`p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)`.",
    ))


@adam.step("one update (t = 1): bias-corrected m_hat = g and v_hat = g*g, in place")
def _(Adam):
    _compare(Adam, dict(lr=0.1), _copy(ONE_P), [_copy(ONE_G)],
             hint="After the first update m = (1 - beta1) * g, so m_hat = m / (1 - beta1**1) = g, and likewise "
                  "v_hat = g * g: every entry moves by about lr. Count t from 1 at the first update.")


@adam.step("a gradient entry of 0 leaves its parameter unchanged (no 0/0)")
def _(Adam):
    _zero_step(Adam, dict(lr=0.1), ZERO_HINT)


@adam.step("eps is added after the square root of v_hat (eps 0.5 here)")
def _(Adam):
    _eps_step(Adam, dict(lr=0.1, eps=0.5),
              "This course adds eps after the square root of the corrected average: "
              "m_hat / (np.sqrt(v_hat) + eps), not np.sqrt(v_hat + eps), nor np.sqrt(v) + eps.")


@adam.step("three updates: m, v and the step count t kept between calls (t = 1, 2, 3)")
def _(Adam):
    _compare(Adam, dict(lr=0.1), _copy(ONE_P), [_copy(s) for s in SEQ],
             hint="self.t counts the updates made so far: 1 at the first call, 2 at the second, ... and the "
                  "bias corrections use it: 1 - beta1 ** t, 1 - beta2 ** t.",
             fresh_hint="Make m and v only at the first call (`self.m is None`), keep them and self.t between "
                        "calls, and update them in place.")


@adam.step("the constants come from the constructor (beta1 0.5, beta2 0.8)")
def _(Adam):
    _compare(Adam, dict(lr=0.2, beta1=0.5, beta2=0.8), _copy(ONE_P), [_copy(s) for s in SEQ],
             hint="Use self.beta1 and self.beta2 (and self.lr, self.eps), not the default numbers, in the "
                  "moving averages and in the bias corrections.")


@adam.step("parameters of different shapes: own m and v each, one t per update")
def _(Adam):
    params, grad_seq = _shapes_case()
    _compare(Adam, dict(lr=0.05, beta1=0.8, beta2=0.9), params, grad_seq,
             hint="Keep one m and one v per parameter, of that parameter's shape; add 1 to self.t once per "
                  "update (before the loop), not once per parameter.")


@adam.hidden_step("other shapes, constants and gradients, four updates")
def _(Adam):
    rng = hidden_rng("5.8 constants")
    _hidden(Adam, dict(lr=float(rng.uniform(0.01, 0.5)), beta1=float(rng.uniform(0.5, 0.95)),
                       beta2=float(rng.uniform(0.8, 0.999)), eps=float(rng.choice([1e-8, 0.1, 1.0]))), "5.8")
