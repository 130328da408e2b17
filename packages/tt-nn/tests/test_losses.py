"""Losses: closed forms and float64 finite differences always; PyTorch forward and backward (same
inputs, every reduction and option) when it is installed."""

from __future__ import annotations

import math

import numpy as np
import pytest

import tinytorch.nn as nn
import tinytorch.nn.functional as F
import tinytorch.tensor as tt
from tinytorch.autograd import gradcheck


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


RNG = np.random.default_rng(1234)
REDUCTIONS = ["mean", "sum", "none"]


def _logits(*shape, seed=0, scale=2.0):
    return (np.random.default_rng(seed).standard_normal(shape) * scale).astype(np.float32)


def _assert_matches_torch(torch, ours_fn, torch_fn, inputs, grad_of=(0,), rtol=1e-5, atol=1e-6):
    """Run both losses on the same float32 inputs; compare values and gradients of ``grad_of``."""
    ours_in = [tt.tensor(a, requires_grad=(i in grad_of)) if a.dtype.kind == "f" else tt.tensor(a)
               for i, a in enumerate(inputs)]
    theirs_in = [torch.tensor(a, requires_grad=(i in grad_of)) for i, a in enumerate(inputs)]
    ours, theirs = ours_fn(*ours_in), torch_fn(*theirs_in)
    np.testing.assert_allclose(ours.array, theirs.detach().numpy(), rtol=rtol, atol=atol)
    weights = np.random.default_rng(7).standard_normal(ours.shape).astype(np.float32)
    (ours * tt.tensor(weights)).sum().backward()
    (theirs * torch.tensor(weights)).sum().backward()
    for i in grad_of:
        np.testing.assert_allclose(ours_in[i].grad.array, theirs_in[i].grad.numpy(),
                                   rtol=max(rtol, 1e-4), atol=max(atol, 1e-6))


# -- 3.6 cross entropy and NLL -----------------------------------------------------------------

@pytest.mark.task("3.16")
def test_cross_entropy_closed_forms():
    # uniform logits: loss = log C; a confident right answer: loss ~ 0
    assert F.cross_entropy(tt.zeros(4, 10), tt.tensor([0, 3, 9, 1])).item() == pytest.approx(
        math.log(10), rel=1e-6)
    confident = tt.tensor([[20.0, 0.0, 0.0]])
    assert F.cross_entropy(confident, tt.tensor([0])).item() == pytest.approx(
        math.log(1 + 2 * math.exp(-20)), abs=1e-7)
    # hand-computed 2-class example
    x = np.array([[1.0, 2.0], [0.5, -1.0]])
    t = np.array([1, 0])
    p = np.exp(x) / np.exp(x).sum(1, keepdims=True)
    expected = -np.log(p[[0, 1], t])
    out = F.cross_entropy(tt.tensor(x, dtype=tt.float64), tt.tensor(t), reduction="none")
    np.testing.assert_allclose(out.array, expected, rtol=1e-12)


@pytest.mark.task("3.16")
def test_cross_entropy_gradient_is_softmax_minus_onehot_over_n():
    x = tt.tensor(_logits(5, 4), dtype=tt.float64, requires_grad=True)
    t = np.array([0, 3, 1, 1, 2])
    F.cross_entropy(x, tt.tensor(t)).backward()
    p = np.exp(x.array) / np.exp(x.array).sum(1, keepdims=True)
    np.testing.assert_allclose(x.grad.array, (p - np.eye(4)[t]) / 5, rtol=1e-10, atol=1e-12)


@pytest.mark.task("3.16")
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", [{}, {"weight": True}, {"ignore_index": 2},
                                     {"weight": True, "ignore_index": 0},
                                     {"label_smoothing": 0.1},
                                     {"label_smoothing": 0.2, "weight": True, "ignore_index": 1}])
def test_cross_entropy_gradcheck(reduction, options):
    x = tt.tensor(_logits(6, 4, seed=3), dtype=tt.float64, requires_grad=True)
    t = tt.tensor([0, 1, 2, 3, 2, 1])
    kwargs = dict(options)
    if kwargs.pop("weight", False):
        kwargs["weight"] = tt.tensor([0.5, 2.0, 1.0, 3.0], dtype=tt.float64)
    assert gradcheck(lambda a: F.cross_entropy(a, t, reduction=reduction, **kwargs), (x,))


@pytest.mark.task("3.16")
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", [{}, {"weight": True}, {"ignore_index": 2},
                                     {"weight": True, "ignore_index": 0},
                                     {"label_smoothing": 0.1},
                                     {"label_smoothing": 0.3, "weight": True, "ignore_index": 1}])
def test_cross_entropy_matches_pytorch(torch, reduction, options):
    x = _logits(8, 5, seed=4)
    t = np.array([0, 1, 2, 3, 4, 2, 1, 0])
    w = np.array([0.5, 2.0, 1.0, 3.0, 0.25], dtype=np.float32)
    kwargs = {k: v for k, v in options.items() if k != "weight"}

    def ours(a, b):
        weight = tt.tensor(w) if options.get("weight") else None
        return nn.CrossEntropyLoss(weight=weight, reduction=reduction, **kwargs)(a, b)

    def theirs(a, b):
        weight = torch.tensor(w) if options.get("weight") else None
        return torch.nn.CrossEntropyLoss(weight=weight, reduction=reduction, **kwargs)(a, b)

    _assert_matches_torch(torch, ours, theirs, [x, t])


@pytest.mark.task("3.16")
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_spatial_targets_match_pytorch(torch, reduction):
    x = _logits(2, 4, 3, 5, seed=5)  # (N, C, d1, d2)
    t = np.random.default_rng(6).integers(0, 4, (2, 3, 5))
    t[0, 0, 0] = -100
    w = np.array([1.0, 2.0, 0.5, 1.5], dtype=np.float32)
    _assert_matches_torch(torch,
             lambda a, b: F.cross_entropy(a, b, weight=tt.tensor(w), reduction=reduction,
                                          label_smoothing=0.05),
             lambda a, b: torch.nn.functional.cross_entropy(a, b, weight=torch.tensor(w),
                                                            reduction=reduction,
                                                            label_smoothing=0.05),
             [x, t])


@pytest.mark.task("3.16")
def test_cross_entropy_spatial_gradcheck():
    x = tt.tensor(_logits(2, 3, 4, seed=8), dtype=tt.float64, requires_grad=True)
    t = tt.tensor([[0, 1, 2, 1], [2, 2, 0, -100]])
    assert gradcheck(lambda a: F.cross_entropy(a, t), (x,))
    out = F.cross_entropy(x, t, reduction="none")
    assert out.shape == (2, 4) and out.array[1, 3] == 0.0


@pytest.mark.task("3.16")
def test_cross_entropy_unbatched_and_probability_targets(torch):
    x = _logits(5, seed=9)
    _assert_matches_torch(torch, lambda a, b: F.cross_entropy(a, b), torch.nn.functional.cross_entropy,
             [x, np.array(3)])
    probs = np.random.default_rng(10).dirichlet(np.ones(5), size=4).astype(np.float32)
    for reduction in REDUCTIONS:
        _assert_matches_torch(torch,
                 lambda a, b, r=reduction: F.cross_entropy(a, b, reduction=r, label_smoothing=0.1),
                 lambda a, b, r=reduction: torch.nn.functional.cross_entropy(
                     a, b, reduction=r, label_smoothing=0.1),
                 [_logits(4, 5, seed=11), probs], grad_of=(0, 1))


@pytest.mark.task("3.16")
def test_cross_entropy_ignore_index_and_weights_by_hand():
    x = tt.tensor(_logits(4, 3, seed=12), dtype=tt.float64)
    logp = x.array - np.log(np.exp(x.array).sum(1, keepdims=True))
    t = np.array([0, 2, -100, 1])
    w = np.array([1.0, 2.0, 4.0])
    out = F.cross_entropy(x, tt.tensor(t), weight=tt.tensor(w, dtype=tt.float64))
    picked = -np.array([logp[0, 0] * 1.0, logp[1, 2] * 4.0, logp[3, 1] * 2.0])
    assert out.item() == pytest.approx(picked.sum() / (1.0 + 4.0 + 2.0), rel=1e-12)
    all_ignored = F.cross_entropy(x, tt.tensor([-100] * 4))
    assert math.isnan(all_ignored.item())  # 0 / 0, as in PyTorch


@pytest.mark.task("3.16")
def test_cross_entropy_target_out_of_range_names_classes():
    x = tt.randn(3, 4)
    with pytest.raises(IndexError, match="4 classes") as info:
        F.cross_entropy(x, tt.tensor([0, 4, 1]))
    assert "Target 4" in str(info.value)
    with pytest.raises(IndexError, match="4 classes"):
        nn.CrossEntropyLoss()(x, tt.tensor([0, -1, 1]))
    with pytest.raises(ValueError, match="target of shape"):
        F.cross_entropy(x, tt.tensor([0, 1]))
    with pytest.raises(ValueError, match="reduction"):
        F.cross_entropy(x, tt.tensor([0, 1, 2]), reduction="avg")


@pytest.mark.task("3.16")
def test_cross_entropy_stable_at_huge_logits():
    x = tt.tensor([[1e4, 0.0, -1e4], [-1e4, 1e4, 0.0]], requires_grad=True)
    loss = F.cross_entropy(x, tt.tensor([2, 1]))
    assert loss.item() == pytest.approx(1e4, rel=1e-6)
    loss.backward()
    np.testing.assert_allclose(x.grad.array, [[0.5, 0, -0.5], [0, 0, 0]], atol=1e-7)


@pytest.mark.task("3.15")
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss_matches_pytorch(torch, reduction):
    logp = np.log(np.random.default_rng(13).dirichlet(np.ones(4), size=6)).astype(np.float32)
    t = np.array([0, 1, 2, 3, 1, -100])
    w = np.array([1.0, 0.5, 2.0, 1.0], dtype=np.float32)
    _assert_matches_torch(torch, lambda a, b: nn.NLLLoss(weight=tt.tensor(w), reduction=reduction)(a, b),
             lambda a, b: torch.nn.NLLLoss(weight=torch.tensor(w), reduction=reduction)(a, b),
             [logp, t])


@pytest.mark.task("3.15")
def test_nll_loss_closed_form_and_gradcheck():
    logp = tt.tensor([[-0.1, -2.0], [-3.0, -0.05]], dtype=tt.float64, requires_grad=True)
    t = tt.tensor([0, 1])
    assert F.nll_loss(logp, t).item() == pytest.approx((0.1 + 0.05) / 2)
    assert F.nll_loss(logp, t, reduction="sum").item() == pytest.approx(0.15)
    assert gradcheck(lambda a: F.nll_loss(a, t, weight=tt.tensor([2.0, 1.0],
                                                                  dtype=tt.float64)), (logp,))
    with pytest.raises(RuntimeError, match="expected target dtype to be Long"):  # as PyTorch
        F.nll_loss(logp, tt.tensor([0.0, 1.0]))


# -- 3.7 other losses --------------------------------------------------------------------------

@pytest.mark.task("3.14")
def test_mse_l1_closed_forms():
    a = tt.tensor([1.0, 2.0, 4.0])
    b = tt.tensor([1.0, 0.0, 1.0])
    assert F.mse_loss(a, b).item() == pytest.approx((0 + 4 + 9) / 3)
    assert F.mse_loss(a, b, reduction="sum").item() == pytest.approx(13)
    np.testing.assert_allclose(F.mse_loss(a, b, reduction="none").array, [0, 4, 9])
    assert nn.L1Loss()(a, b).item() == pytest.approx(5 / 3)
    assert nn.L1Loss(reduction="sum")(a, b).item() == pytest.approx(5)
    with pytest.raises(ValueError, match="reduction"):
        nn.MSELoss(reduction="bogus")


@pytest.mark.task("3.14")
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ["mse", "l1", "bce_logits", "bce_logits_pos"])
def test_regression_and_binary_losses_gradcheck(name, reduction):
    rng = np.random.default_rng(14)
    target = tt.tensor(rng.uniform(0, 1, (3, 4)), dtype=tt.float64)
    if name == "bce":
        x = tt.tensor(rng.uniform(0.05, 0.95, (3, 4)), dtype=tt.float64, requires_grad=True)
        target.requires_grad_()
    else:
        x = tt.tensor(rng.standard_normal((3, 4)) * 3, dtype=tt.float64, requires_grad=True)
    weight = tt.tensor(rng.uniform(0.5, 2, (4,)), dtype=tt.float64)
    fn = {
        "mse": lambda a, b: F.mse_loss(a, b, reduction=reduction),
        "l1": lambda a, b: F.l1_loss(a, b, reduction=reduction),
        "bce": lambda a, b: F.binary_cross_entropy(a, b, weight=weight, reduction=reduction),
        "bce_logits": lambda a, b: F.binary_cross_entropy_with_logits(a, b, reduction=reduction),
        "bce_logits_pos": lambda a, b: F.binary_cross_entropy_with_logits(
            a, b, weight=weight, reduction=reduction, pos_weight=weight * 2),
    }[name]
    assert gradcheck(fn, (x, target))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_on_probabilities_gradcheck(reduction):
    test_regression_and_binary_losses_gradcheck("bce", reduction)


@pytest.mark.task("3.14")
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_l1_match_pytorch(torch, reduction):
    a, b = _logits(4, 3, seed=15), _logits(4, 3, seed=16)
    for ours, theirs in [(nn.MSELoss, torch.nn.MSELoss), (nn.L1Loss, torch.nn.L1Loss)]:
        _assert_matches_torch(torch, ours(reduction=reduction), theirs(reduction=reduction), [a, b],
                 grad_of=(0, 1))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_matches_pytorch(torch, reduction):
    rng = np.random.default_rng(17)
    p = rng.uniform(0.01, 0.99, (5, 3)).astype(np.float32)
    t = rng.uniform(0, 1, (5, 3)).astype(np.float32)
    w = rng.uniform(0.5, 2, (3,)).astype(np.float32)
    _assert_matches_torch(torch, lambda a, b: nn.BCELoss(weight=tt.tensor(w), reduction=reduction)(a, b),
             lambda a, b: torch.nn.BCELoss(weight=torch.tensor(w), reduction=reduction)(a, b),
             [p, t], grad_of=(0, 1))


def test_bce_clamps_log_at_minus_100_like_pytorch(torch):
    p = np.array([0.0, 1.0, 0.0, 1.0, 1e-30], dtype=np.float32)
    t = np.array([1.0, 0.0, 0.0, 1.0, 1.0], dtype=np.float32)
    _assert_matches_torch(torch, lambda a, b: F.binary_cross_entropy(a, b, reduction="none"),
             lambda a, b: torch.nn.functional.binary_cross_entropy(a, b, reduction="none"),
             [p, t], rtol=1e-5)


def test_bce_closed_form_and_saturation():
    p = tt.tensor([0.0, 1.0, 0.5, 0.9], requires_grad=True)
    t = tt.tensor([1.0, 0.0, 1.0, 1.0])
    out = F.binary_cross_entropy(p, t, reduction="none")
    np.testing.assert_allclose(out.array, [100.0, 100.0, math.log(2), -math.log(0.9)], rtol=1e-6)
    out.sum().backward()
    assert np.isfinite(p.grad.array).all()  # finite even at p = 0 and p = 1
    np.testing.assert_allclose(p.grad.array[2:], [-2.0, -1 / 0.9], rtol=1e-5)
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.binary_cross_entropy(tt.tensor([1.5]), tt.tensor([1.0]))
    with pytest.raises(ValueError, match="same size"):
        F.binary_cross_entropy(tt.tensor([0.5, 0.5]), tt.tensor([1.0]))


def test_bce_refuses_targets_outside_0_1_as_torch(torch):
    probabilities = np.array([0.3, 0.6], dtype=np.float32)
    for bad in ([1.5, 0.0], [-0.1, 0.0]):
        target = np.array(bad, dtype=np.float32)
        with pytest.raises(RuntimeError, match="all elements of target should be between 0 and 1"):
            torch.nn.functional.binary_cross_entropy(torch.tensor(probabilities),
                                                     torch.tensor(target))
        with pytest.raises(RuntimeError, match=r"all elements of target should be between 0 and "
                                               rf"1, got values in \[{min(bad):g}, {max(bad):g}\]"):
            F.binary_cross_entropy(tt.tensor(probabilities), tt.tensor(target))
        with pytest.raises(RuntimeError, match="target should be between 0 and 1"):
            nn.BCELoss()(tt.tensor(probabilities), tt.tensor(target))


@pytest.mark.parametrize("loss", ["cross_entropy", "nll_loss"])
def test_class_weight_of_the_wrong_length_names_both(torch, loss):
    logits, target = _logits(4, 3), np.array([0, 1, 2, 0])
    with pytest.raises(RuntimeError, match="weight tensor should be defined either for all 3"):
        getattr(torch.nn.functional, loss)(torch.tensor(logits), torch.tensor(target),
                                           weight=torch.ones(5))
    message = rf"{loss}: weight should have one entry per class: the input has 3 classes but " \
              r"weight has shape \(5,\)"
    with pytest.raises(RuntimeError, match=message):
        getattr(F, loss)(tt.tensor(logits), tt.tensor(target), weight=tt.ones(5))
    if loss == "cross_entropy":  # the class-probability and label-smoothing paths check it too
        with pytest.raises(RuntimeError, match=message):
            F.cross_entropy(tt.tensor(logits), tt.tensor(logits).softmax(1), weight=tt.ones(5))
        with pytest.raises(RuntimeError, match=message):
            nn.CrossEntropyLoss(weight=tt.ones(5), label_smoothing=0.1)(
                tt.tensor(logits), tt.tensor(target))


@pytest.mark.task("3.14")
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits_matches_pytorch(torch, reduction):
    rng = np.random.default_rng(18)
    x = (rng.standard_normal((6, 3)) * 5).astype(np.float32)
    x[0] = [0.0, 80.0, -80.0]
    t = rng.uniform(0, 1, (6, 3)).astype(np.float32)
    w = rng.uniform(0.5, 2, (3,)).astype(np.float32)
    pw = np.array([1.0, 3.0, 0.5], dtype=np.float32)
    _assert_matches_torch(torch,
             lambda a, b: nn.BCEWithLogitsLoss(weight=tt.tensor(w), reduction=reduction,
                                               pos_weight=tt.tensor(pw))(a, b),
             lambda a, b: torch.nn.BCEWithLogitsLoss(weight=torch.tensor(w), reduction=reduction,
                                                     pos_weight=torch.tensor(pw))(a, b),
             [x, t], grad_of=(0, 1))
    _assert_matches_torch(torch, lambda a, b: F.binary_cross_entropy_with_logits(a, b, reduction=reduction),
             lambda a, b: torch.nn.functional.binary_cross_entropy_with_logits(
                 a, b, reduction=reduction), [x, t], grad_of=(0, 1))


@pytest.mark.task("3.14")
def test_bce_with_logits_stable_for_large_logits():
    x = tt.tensor([1e4, -1e4, 0.0, 100.0], requires_grad=True)
    t = tt.tensor([0.0, 1.0, 1.0, 1.0])
    out = F.binary_cross_entropy_with_logits(x, t, reduction="none")
    np.testing.assert_allclose(out.array, [1e4, 1e4, math.log(2), 0.0], rtol=1e-6, atol=1e-7)
    out.sum().backward()
    # d/dx = sigmoid(x) - t
    np.testing.assert_allclose(x.grad.array, [1.0, -1.0, -0.5, 0.0], atol=1e-7)


@pytest.mark.task("3.14")
def test_bce_with_logits_equals_bce_of_sigmoid():
    rng = np.random.default_rng(19)
    x = tt.tensor(rng.standard_normal((4, 5)), dtype=tt.float64)
    t = tt.tensor(rng.uniform(0, 1, (4, 5)), dtype=tt.float64)
    np.testing.assert_allclose(F.binary_cross_entropy_with_logits(x, t).item(),
                               F.binary_cross_entropy(x.sigmoid(), t).item(), rtol=1e-12)


def test_loss_modules_hold_weights_as_buffers():
    w = tt.tensor([1.0, 2.0])
    loss = nn.CrossEntropyLoss(weight=w)
    assert loss.weight is w and [n for n, _ in loss.named_buffers()] == ["weight"]
    assert list(loss.parameters()) == []
    assert nn.BCEWithLogitsLoss(pos_weight=w).pos_weight is w
