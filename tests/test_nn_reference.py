"""Unit tests of the reference implementations in helpers.nn (layers, optimizers,
gradient checking, training utilities). Gradients are checked against float64
numerical gradients with a relative error below 1e-7."""

import numpy as np
import pytest

from helpers.data import load_spiral, one_hot
from helpers.nn import functions as F
from helpers.nn.gradcheck import (gradient_check, layer_gradient_check, numerical_gradient,
                                  relative_error)
from helpers.nn.layers import Affine, MatMul, Relu, Sigmoid, SoftmaxWithLoss, TwoLayerNet
from helpers.nn.optimizers import SGD, Adam, Momentum
from helpers.nn.trainer import Trainer, accuracy, minibatches, train_step

TOL = 1e-7


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


# --- numerical gradient and relative error ------------------------------------------


def test_numerical_gradient_matches_analytic_and_restores_x(rng):
    x = rng.normal(size=(3, 4))
    kept = x.copy()
    grad = numerical_gradient(lambda v: np.sum(np.sin(v) * v), x)
    assert grad.shape == x.shape
    assert relative_error(grad, np.cos(kept) * kept + np.sin(kept)) < 1e-9
    np.testing.assert_array_equal(x, kept)


def test_numerical_gradient_without_argument_reads_the_array(rng):
    W = rng.normal(size=(2, 3))
    grad = numerical_gradient(lambda: float(np.sum(W ** 3)), W)
    assert relative_error(grad, 3 * W ** 2) < 1e-9


def test_numerical_gradient_refuses_float32():
    with pytest.raises(TypeError):
        numerical_gradient(np.sum, np.ones(3, dtype=np.float32))


def test_relative_error_scale_and_edge_cases():
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(np.array([1.0, 2.0]), np.array([1.0, 2.0])) == 0.0
    # A zero entry with rounding noise does not count as a 100 % error ...
    assert relative_error(np.array([1.0, 0.0]), np.array([1.0, 1e-12])) < 1e-11
    # ... but one wrong entry of normal size does.
    assert relative_error(np.array([1.0, 0.5]), np.array([1.0, -0.5])) > 0.4
    with pytest.raises(ValueError):
        relative_error(np.zeros(2), np.zeros(3))


# --- layers ---------------------------------------------------------------------------


def _assert_layer_ok(layer, x, *args):
    errors = layer_gradient_check(layer, x, *args)
    assert max(errors.values()) < TOL, errors


def test_matmul_backward(rng):
    layer = MatMul(rng.normal(size=(4, 3)))
    _assert_layer_ok(layer, rng.normal(size=(5, 4)))


def test_affine_backward_and_bias_sum(rng):
    layer = Affine(rng.normal(size=(4, 3)), rng.normal(size=3))
    _assert_layer_ok(layer, rng.normal(size=(6, 4)))
    dout = rng.normal(size=(6, 3))
    layer.forward(rng.normal(size=(6, 4)))
    layer.backward(dout)
    np.testing.assert_allclose(layer.grads[1], dout.sum(axis=0))


def test_affine_single_sample(rng):
    W, b, x = rng.normal(size=(4, 3)), rng.normal(size=3), rng.normal(size=4)
    layer = Affine(W, b)
    out = layer.forward(x)
    assert out.shape == (3,)
    dx = layer.backward(np.ones(3))
    assert dx.shape == (4,)
    np.testing.assert_allclose(layer.grads[0], np.outer(x, np.ones(3)))


def test_affine_rejects_bad_shapes(rng):
    with pytest.raises(ValueError):
        Affine(rng.normal(size=(4, 3)), rng.normal(size=4))
    with pytest.raises(ValueError):
        Affine(rng.normal(size=(4, 3)), rng.normal(size=3)).forward(rng.normal(size=(2, 5)))


def test_sigmoid_backward(rng):
    _assert_layer_ok(Sigmoid(), rng.normal(size=(4, 5)) * 3)


def test_relu_backward(rng):
    x = rng.normal(size=(4, 5))
    x[np.abs(x) < 1e-3] = 0.5           # keep away from the kink
    _assert_layer_ok(Relu(), x)
    layer = Relu()
    layer.forward(np.array([-1.0, 0.0, 2.0]))
    np.testing.assert_array_equal(layer.backward(np.ones(3)), [0.0, 0.0, 1.0])


@pytest.mark.parametrize("targets", ["labels", "one-hot"])
def test_softmax_with_loss_backward(rng, targets):
    x = rng.normal(size=(6, 4)) * 2
    labels = rng.integers(0, 4, size=6)
    t = labels if targets == "labels" else one_hot(labels, 4)
    _assert_layer_ok(SoftmaxWithLoss(), x, t)
    layer = SoftmaxWithLoss()
    loss = layer.forward(x, t)
    # cross_entropy_error adds 1e-7 inside its log; the layer's loss is exact.
    assert loss == pytest.approx(F.cross_entropy_error(F.softmax(x), labels), abs=1e-5)
    np.testing.assert_allclose(layer.backward(), (F.softmax(x) - one_hot(labels, 4)) / 6)
    np.testing.assert_allclose(layer.backward(2.0), 2 * (F.softmax(x) - one_hot(labels, 4)) / 6)


def test_softmax_with_loss_labels_and_one_hot_agree(rng):
    x = rng.normal(size=(5, 3))
    labels = rng.integers(0, 3, size=5)
    a, b = SoftmaxWithLoss(), SoftmaxWithLoss()
    assert a.forward(x, labels) == pytest.approx(b.forward(x, one_hot(labels, 3)), rel=1e-12)
    np.testing.assert_allclose(a.backward(), b.backward(), rtol=1e-12)


def test_softmax_with_loss_single_sample_and_large_scores():
    layer = SoftmaxWithLoss()
    loss = layer.forward(np.array([1000.0, 0.0, -1000.0]), 0)
    assert np.isfinite(loss) and loss == pytest.approx(0.0, abs=1e-12)
    assert layer.backward().shape == (3,)
    loss = layer.forward(np.array([1000.0, 0.0]), np.array([0.0, 1.0]))
    assert loss == pytest.approx(1000.0)      # exact: no log(0), no epsilon


def test_softmax_with_loss_rejects_bad_targets(rng):
    x = rng.normal(size=(4, 3))
    with pytest.raises(ValueError):
        SoftmaxWithLoss().forward(x, np.array([0, 1, 3, 1]))      # label out of range
    with pytest.raises(ValueError):
        SoftmaxWithLoss().forward(x, np.zeros((4, 2)))            # wrong one-hot shape


def test_grads_are_written_in_place(rng):
    for layer in [MatMul(rng.normal(size=(3, 2))), Affine(rng.normal(size=(3, 2)), np.zeros(2))]:
        held = list(layer.grads)            # what an optimizer holds on to
        params = list(layer.params)
        layer.forward(rng.normal(size=(4, 3)))
        layer.backward(rng.normal(size=(4, 2)))
        assert all(g is h for g, h in zip(layer.grads, held))
        assert all(p is q for p, q in zip(layer.params, params))
        assert np.abs(held[0]).sum() > 0


def test_two_layer_net_gradients(rng):
    for activation in ["sigmoid", "relu"]:
        net = TwoLayerNet(3, 5, 4, activation=activation, seed=1)
        x = rng.normal(size=(7, 3))
        t = rng.integers(0, 4, size=7)
        net.forward(x, t)
        net.backward()
        errors = gradient_check(lambda: net.forward(x, t), net.params, net.grads)
        assert max(errors.values()) < TOL, (activation, errors)


def test_gradient_check_flags_a_bug(rng):
    W = rng.normal(size=(3, 2))
    x = rng.normal(size=(4, 3))
    wrong = 2 * x.T @ np.ones((4, 2))       # twice the true gradient of sum(x W)
    errors = gradient_check(lambda: float(np.sum(x @ W)), [W], [wrong], names=["W"])
    assert errors["W"] > 0.1


# --- optimizers ------------------------------------------------------------------------


def test_sgd_update_in_place():
    p = np.array([1.0, -2.0])
    g = np.array([0.5, 0.5])
    SGD(lr=0.1).update([p], [g])
    np.testing.assert_allclose(p, [0.95, -2.05])
    np.testing.assert_array_equal(g, [0.5, 0.5])


@pytest.mark.parametrize("optimizer", [SGD(0.1), Momentum(0.05), Adam(0.1)], ids=["SGD", "Momentum", "Adam"])
def test_optimizers_reduce_a_quadratic(optimizer):
    A = np.array([1.0, 10.0])                  # f(w) = 0.5 * sum(A w^2), minimum at 0
    w = np.array([3.0, -2.0])
    start = 0.5 * np.sum(A * w ** 2)
    held = w
    for _ in range(200):
        optimizer.update([w], [A * w])
    assert w is held                           # updated in place
    assert 0.5 * np.sum(A * w ** 2) < 1e-3 * start


# --- training utilities -----------------------------------------------------------------


def test_minibatches_cover_each_sample_once_in_shuffled_order():
    x = np.arange(23.0).reshape(23, 1)
    t = np.arange(23) * 10
    batches = list(minibatches(x, t, 5, np.random.default_rng(0)))
    assert [len(xb) for xb, _ in batches] == [5, 5, 5, 5, 3]
    seen = np.concatenate([xb[:, 0] for xb, _ in batches])
    np.testing.assert_array_equal(seen, np.random.default_rng(0).permutation(23))
    for xb, tb in batches:
        np.testing.assert_array_equal(tb, xb[:, 0] * 10)     # rows stay paired
    with pytest.raises(ValueError):
        list(minibatches(x, t[:5], 5, 0))


def test_accuracy_labels_and_one_hot():
    scores = np.array([[2.0, 1.0, 0.0], [0.0, 3.0, 1.0], [1.0, 0.0, 5.0], [4.0, 0.0, 1.0]])
    labels = np.array([0, 1, 1, 2])
    assert accuracy(scores, labels) == 0.5
    assert accuracy(scores, one_hot(labels, 3)) == 0.5
    assert isinstance(accuracy(scores, labels), float)


def test_train_step_is_forward_backward_update(rng):
    net = TwoLayerNet(2, 4, 3, seed=0)
    x, t = rng.normal(size=(6, 2)), rng.integers(0, 3, size=6)
    before = [p.copy() for p in net.params]
    expected_loss = net.forward(x, t)
    net.backward()
    grads = [g.copy() for g in net.grads]
    loss = train_step(net, SGD(0.5), x, t)
    assert loss == pytest.approx(expected_loss)
    for p, b, g in zip(net.params, before, grads):
        np.testing.assert_allclose(p, b - 0.5 * g)


def test_trainer_reaches_095_on_the_spiral():
    x, t = load_spiral(seed=0)
    x_val, t_val = load_spiral(seed=1)
    net = TwoLayerNet(2, 10, 3, seed=0)
    trainer = Trainer(net, SGD(lr=1.0), seed=0)
    trainer.fit(x, t, max_epoch=300, batch_size=30, x_val=x_val, t_val=t_val)
    assert len(trainer.loss_list) == 300 and len(trainer.iter_loss_list) == 3000
    assert trainer.loss_list[-1] < 0.25 * trainer.loss_list[0]
    assert trainer.train_acc_list[-1] >= 0.95
    assert trainer.val_acc_list[-1] >= 0.9
