"""The reference optimizers of notebook 05 against values worked out by hand (not by the code under test)."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.nn.optimizers import SGD, AdaGrad, Adam, Momentum, RMSProp


def _textbook_adam(grads_seq, p0, lr, b1, b2, eps):
    """Adam written out line by line as in Kingma & Ba, Algorithm 1, with eps after the root of v_hat."""
    p, m, v = p0.copy(), np.zeros_like(p0), np.zeros_like(p0)
    for t, g in enumerate(grads_seq, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g ** 2
        m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
    return p


def test_momentum_by_hand():
    p, opt = np.array([1.0]), Momentum(lr=0.1, momentum=0.5)
    opt.update([p], [np.array([2.0])])          # v = -0.2
    assert p == pytest.approx([0.8])
    opt.update([p], [np.array([1.0])])          # v = 0.5 * -0.2 - 0.1 = -0.2
    assert p == pytest.approx([0.6])


def test_adagrad_by_hand():
    p, opt = np.array([1.0, 3.0]), AdaGrad(lr=0.1)
    opt.update([p], [np.array([2.0, 0.0])])     # h = (4, 0): the first entry moves by lr, the second not at all
    np.testing.assert_allclose(p, [0.9, 3.0])
    opt.update([p], [np.array([1.0, 0.0])])     # h = 5
    np.testing.assert_allclose(p, [0.9 - 0.1 / np.sqrt(5), 3.0])
    assert np.isfinite(p).all()


def test_adagrad_eps_after_the_root():
    p = np.array([1.0])
    AdaGrad(lr=1.0, eps=1.0).update([p], [np.array([3.0])])     # 3 / (sqrt(9) + 1) = 0.75
    assert p == pytest.approx([0.25])


def test_rmsprop_by_hand():
    p, opt = np.array([1.0]), RMSProp(lr=0.1, decay_rate=0.5, eps=0.0)
    opt.update([p], [np.array([2.0])])          # h = 0.5 * 4 = 2
    assert p == pytest.approx([1.0 - 0.2 / np.sqrt(2)])
    opt.update([p], [np.array([2.0])])          # h = 0.5 * 2 + 0.5 * 4 = 3
    assert p == pytest.approx([1.0 - 0.2 / np.sqrt(2) - 0.2 / np.sqrt(3)])
    q = np.array([1.0])
    RMSProp(lr=1.0, decay_rate=0.75, eps=1.0).update([q], [np.array([4.0])])   # h = 4: 4 / (2 + 1)
    assert q == pytest.approx([-1.0 / 3.0])


def test_adam_first_step_is_lr_against_the_sign():
    p = np.array([1.0, -1.0, 5.0])
    Adam(lr=0.01, beta1=0.7, beta2=0.8).update([p], [np.array([3.0, -0.02, 100.0])])
    np.testing.assert_allclose(p, [0.99, -0.99, 4.99], rtol=1e-6)


@pytest.mark.parametrize("eps", [1e-8, 0.5])
def test_adam_matches_the_textbook_lines(eps):
    rng = np.random.default_rng(7)
    grads_seq = [rng.normal(size=4) * s for s in (1.0, 0.01, 5.0, 0.3, 1.0)]
    p0 = rng.normal(size=4)
    p, opt = p0.copy(), Adam(lr=0.05, beta1=0.8, beta2=0.9, eps=eps)
    for g in grads_seq:
        opt.update([p], [g.copy()])
    np.testing.assert_allclose(p, _textbook_adam(grads_seq, p0, 0.05, 0.8, 0.9, eps), rtol=1e-12)


@pytest.mark.parametrize("make", [lambda: Momentum(0.1), lambda: AdaGrad(0.1), lambda: RMSProp(0.1), lambda: Adam(0.1)],
                         ids=["Momentum", "AdaGrad", "RMSProp", "Adam"])
def test_state_per_parameter_in_place_and_grads_untouched(make):
    rng = np.random.default_rng(3)
    shapes = [(2, 3), (3,), (2, 3)]
    params = [rng.normal(size=s) for s in shapes]
    grads = [rng.normal(size=s) for s in shapes]
    held, saved = list(params), [g.copy() for g in grads]
    together = make()
    alone = [make() for _ in shapes]
    copies = [p.copy() for p in params]
    for _ in range(3):
        together.update(params, grads)
        for opt, c, g in zip(alone, copies, grads):
            opt.update([c], [g])               # each parameter on its own: the same result
    for p, h, c in zip(params, held, copies):
        assert p is h
        np.testing.assert_allclose(p, c, rtol=1e-13)
    for g, s in zip(grads, saved):
        np.testing.assert_array_equal(g, s)


@pytest.mark.parametrize("optimizer", [SGD(0.15), Momentum(0.02), AdaGrad(0.5), RMSProp(0.05), Adam(0.3)],
                         ids=["SGD", "Momentum", "AdaGrad", "RMSProp", "Adam"])
def test_every_optimizer_descends_the_elongated_bowl(optimizer):
    A = np.array([0.1, 2.0])                   # f(w) = 0.5 * sum(A w^2) = w0^2/20 + w1^2
    w = np.array([-7.0, 2.0])
    start = 0.5 * np.sum(A * w ** 2)
    for _ in range(300):
        optimizer.update([w], [A * w])
    assert 0.5 * np.sum(A * w ** 2) < 1e-3 * start
