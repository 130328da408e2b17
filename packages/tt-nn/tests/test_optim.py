"""Optimizers: closed forms, 20 steps against PyTorch (optional oracle), state-dict round trips,
hyperparameter validation; gradient clipping."""

from __future__ import annotations

import math

import numpy as np
import pytest

import tinytorch.tensor as tt
from tinytorch.nn.optim import SGD, Adam, AdamW, Optimizer, RMSprop
from tinytorch.nn.utils import clip_grad_norm_, clip_grad_value_

SHAPES = [(3, 4), (5,), (2, 3, 2)]


def make_params(seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.normal(size=s).astype(np.float32) for s in SHAPES]


def grad_fn(values: list[np.ndarray], step: int) -> list[np.ndarray]:
    """A fixed gradient field: a quadratic pulled towards 0.5 plus a step-dependent wobble."""
    return [(2.0 * (v.astype(np.float64) - 0.5) + 0.3 * np.cos(step + np.arange(v.size))
             .reshape(v.shape)).astype(np.float32) for v in values]


def run_ours(cls, kwargs, steps=20, seed=0):
    params = [tt.tensor(v) for v in make_params(seed)]
    opt = cls(params, **kwargs)
    for step in range(steps):
        for p, g in zip(params, grad_fn([p.array for p in params], step)):
            p.grad = tt.tensor(g)
        opt.step()
    return [p.array.copy() for p in params], opt, params


def run_torch(torch, cls_name, kwargs, steps=20, seed=0):
    params = [torch.tensor(v, requires_grad=True) for v in make_params(seed)]
    opt = getattr(torch.optim, cls_name)(params, **kwargs)
    for step in range(steps):
        for p, g in zip(params, grad_fn([p.detach().numpy() for p in params], step)):
            p.grad = torch.from_numpy(g)
        opt.step()
    return [p.detach().numpy().copy() for p in params]


CASES = {
    "3.17": [
        (SGD, "SGD", dict(lr=0.1)),
        (SGD, "SGD", dict(lr=0.05, momentum=0.9)),
        (SGD, "SGD", dict(lr=0.05, momentum=0.9, dampening=0.3)),
        (SGD, "SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
        (SGD, "SGD", dict(lr=0.05, momentum=0.8, weight_decay=0.1)),
        (SGD, "SGD", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.1,
                          maximize=True)),
    ],
    "3.18": [
        (Adam, "Adam", dict(lr=0.01)),
        (Adam, "Adam", dict(lr=0.02, betas=(0.8, 0.99), eps=1e-6)),
        (Adam, "Adam", dict(lr=0.01, weight_decay=0.1)),
        (Adam, "Adam", dict(lr=0.01, amsgrad=True)),
        (Adam, "Adam", dict(lr=0.01, maximize=True)),
        (AdamW, "AdamW", dict(lr=0.01)),
        (AdamW, "AdamW", dict(lr=0.01, weight_decay=0.3, amsgrad=True)),
    ],
    "3.19": [
        (RMSprop, "RMSprop", dict(lr=0.01)),
        (RMSprop, "RMSprop", dict(lr=0.01, alpha=0.9, weight_decay=0.1)),
        (RMSprop, "RMSprop", dict(lr=0.01, momentum=0.9)),
        (RMSprop, "RMSprop", dict(lr=0.005, centered=True)),
        (RMSprop, "RMSprop", dict(lr=0.005, centered=True, momentum=0.5, weight_decay=0.01)),
    ],
}
def _params(task):
    return [pytest.param(cls, name, kw, id=f"{name}-{'-'.join(f'{k}={v}' for k, v in kw.items())}")
            for cls, name, kw in CASES[task]]


def _assert_twenty_steps_track_pytorch(cls, name, kwargs):
    torch = pytest.importorskip("torch")
    ours, _, _ = run_ours(cls, kwargs)
    theirs = run_torch(torch, name, kwargs)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, atol=1e-5, rtol=1e-5)


def _assert_state_dict_round_trip_resumes(cls, name, kwargs):
    straight, _, _ = run_ours(cls, kwargs, steps=12)
    # 7 steps, state dict, fresh optimizer on copies of the weights, load, 5 more steps
    _, opt, params = run_ours(cls, kwargs, steps=7)
    state = opt.state_dict()
    copies = [tt.tensor(p.array.copy()) for p in params]
    fresh = cls(copies, **kwargs)
    fresh.load_state_dict(state)
    for step in range(7, 12):
        for p, g in zip(copies, grad_fn([p.array for p in copies], step)):
            p.grad = tt.tensor(g)
        fresh.step()
    for a, p in zip(straight, copies):
        np.testing.assert_array_equal(a, p.array)


@pytest.mark.task("3.17")
@pytest.mark.parametrize("cls,name,kwargs", _params("3.17"))
def test_sgd_twenty_steps_track_pytorch_and_resume(cls, name, kwargs):
    _assert_twenty_steps_track_pytorch(cls, name, kwargs)
    _assert_state_dict_round_trip_resumes(cls, name, kwargs)


@pytest.mark.task("3.18")
@pytest.mark.parametrize("cls,name,kwargs", _params("3.18"))
def test_adam_twenty_steps_track_pytorch_and_resume(cls, name, kwargs):
    _assert_twenty_steps_track_pytorch(cls, name, kwargs)
    _assert_state_dict_round_trip_resumes(cls, name, kwargs)


@pytest.mark.task("3.19")
@pytest.mark.parametrize("cls,name,kwargs", _params("3.19"))
def test_rmsprop_twenty_steps_track_pytorch_and_resume(cls, name, kwargs):
    _assert_twenty_steps_track_pytorch(cls, name, kwargs)
    _assert_state_dict_round_trip_resumes(cls, name, kwargs)


@pytest.mark.task("3.17")
def test_sgd_one_step_closed_form():
    p = tt.tensor([1.0, -2.0])
    p.grad = tt.tensor([0.5, 0.25])
    SGD([p], lr=0.1).step()
    np.testing.assert_allclose(p.array, [0.95, -2.025], rtol=1e-6)


@pytest.mark.task("3.17")
def test_sgd_momentum_and_nesterov_closed_form():
    # g = 1 constant: buffer 1, 1.9; plain: p -= lr*buf; nesterov: p -= lr*(g + m*buf)
    p, q = tt.tensor([0.0]), tt.tensor([0.0])
    plain, nest = SGD([p], lr=1.0, momentum=0.9), SGD([q], lr=1.0, momentum=0.9, nesterov=True)
    for _ in range(2):
        p.grad, q.grad = tt.tensor([1.0]), tt.tensor([1.0])
        plain.step()
        nest.step()
    np.testing.assert_allclose(p.array, [-(1.0 + 1.9)], rtol=1e-6)
    np.testing.assert_allclose(q.array, [-(1.9 + 2.71)], rtol=1e-6)


@pytest.mark.task("3.17")
def test_sgd_weight_decay_closed_form():
    p = tt.tensor([2.0])
    p.grad = tt.tensor([0.0])
    SGD([p], lr=0.5, weight_decay=0.1).step()
    np.testing.assert_allclose(p.array, [2.0 - 0.5 * 0.2], rtol=1e-6)


@pytest.mark.task("3.18")
def test_adam_first_step_is_lr_times_sign():
    # after bias correction the first Adam step is lr * g / (|g| + eps) ~ lr * sign(g)
    p = tt.tensor([1.0, 1.0, 1.0])
    p.grad = tt.tensor([3.0, -0.5, 1e-3])
    Adam([p], lr=0.1).step()
    np.testing.assert_allclose(p.array, [0.9, 1.1, 0.9], atol=1e-5)


@pytest.mark.task("3.18")
def test_adamw_decay_is_decoupled():
    p, q = tt.tensor([2.0]), tt.tensor([2.0])
    p.grad, q.grad = tt.tensor([0.0]), tt.tensor([0.0])
    AdamW([p], lr=0.1, weight_decay=0.5).step()
    Adam([q], lr=0.1, weight_decay=0.5).step()
    np.testing.assert_allclose(p.array, [2.0 * (1 - 0.05)], rtol=1e-6)  # zero grad: decay only
    np.testing.assert_allclose(q.array, [2.0 - 0.1], atol=1e-5)  # L2 gradient, normalised by Adam


@pytest.mark.task("3.19")
def test_rmsprop_first_step_closed_form():
    p = tt.tensor([1.0])
    p.grad = tt.tensor([2.0])
    RMSprop([p], lr=0.01, alpha=0.99).step()
    # square_avg = 0.01 * 4; step = lr * g / sqrt(square_avg) = 0.01 * 2 / 0.2 = 0.1
    np.testing.assert_allclose(p.array, [0.9], rtol=1e-5)


@pytest.mark.task("3.17")
def test_param_groups_and_zero_grad():
    a, b = tt.tensor([1.0]), tt.tensor([1.0])
    opt = SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    a.grad, b.grad = tt.tensor([1.0]), tt.tensor([1.0])
    opt.step()
    np.testing.assert_allclose([a.item(), b.item()], [0.9, 0.5], rtol=1e-6)
    opt.zero_grad(set_to_none=False)
    assert a.grad is not None and a.grad.item() == 0.0
    opt.zero_grad()
    assert a.grad is None and b.grad is None
    c = tt.tensor([3.0])
    opt.add_param_group({"params": c, "momentum": 0.9})
    assert opt.param_groups[2]["lr"] == 0.1 and opt.param_groups[2]["momentum"] == 0.9
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [a]})


@pytest.mark.task("3.18")
def test_state_dict_layout_is_pytorchs():
    params = [tt.tensor(v) for v in make_params()]
    opt = Adam(params, lr=0.01)
    for p in params:
        p.grad = tt.ones_like(p)
    opt.step()
    sd = opt.state_dict()
    assert set(sd) == {"state", "param_groups"}
    assert sd["param_groups"][0]["params"] == [0, 1, 2]
    assert sd["param_groups"][0]["lr"] == 0.01
    assert sorted(sd["state"]) == [0, 1, 2]
    assert sd["state"][0]["step"] == 1
    assert set(sd["state"][0]) == {"step", "exp_avg", "exp_avg_sq"}
    np.testing.assert_allclose(np.asarray(sd["state"][0]["exp_avg"]), 0.1, rtol=1e-6)
    # the state dict is a snapshot: later steps don't change it
    opt.step()
    np.testing.assert_allclose(np.asarray(sd["state"][0]["exp_avg"]), 0.1, rtol=1e-6)


@pytest.mark.parametrize("kwargs,match", [
    (dict(lr=-0.1), "learning rate"),
    (dict(lr=0.1, momentum=-1), "momentum"),
    (dict(lr=0.1, nesterov=True), "Nesterov"),
    (dict(lr=0.1, weight_decay=-1), "weight_decay"),
])
def test_sgd_validates_hyperparameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        SGD([tt.tensor([1.0])], **kwargs)


@pytest.mark.parametrize("kwargs,match", [
    (dict(lr=-1.0), "learning rate"),
    (dict(betas=(1.0, 0.999)), "beta parameter at index 0"),
    (dict(betas=(0.9, -0.1)), "beta parameter at index 1"),
    (dict(eps=-1e-8), "epsilon"),
])
def test_adam_validates_hyperparameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Adam([tt.tensor([1.0])], **kwargs)


def test_optimizer_rejects_bad_params():
    with pytest.raises(ValueError, match="empty parameter list"):
        SGD([], lr=0.1)
    with pytest.raises(TypeError, match="single Tensor"):
        SGD(tt.tensor([1.0]), lr=0.1)
    assert SGD([tt.tensor([1.0])]).defaults["lr"] == 1e-3  # PyTorch >= 2.5: lr defaults to 1e-3
    with pytest.raises(TypeError, match="floating point"):
        SGD([tt.tensor([1, 2])], lr=0.1)
    assert isinstance(SGD([tt.tensor([1.0])], lr=0.1), Optimizer)


@pytest.mark.task("3.17")
def test_params_without_grad_are_skipped():
    a, b = tt.tensor([1.0]), tt.tensor([1.0])
    a.grad = tt.tensor([1.0])
    SGD([a, b], lr=0.1, momentum=0.9).step()
    assert a.item() == pytest.approx(0.9) and b.item() == 1.0


# -- gradient clipping -------------------------------------------------------------------------

def _with_grads(values):
    params = []
    for v in values:
        p = tt.zeros(len(v))
        p.grad = tt.tensor(v)
        params.append(p)
    return params


@pytest.mark.task("3.21")
def test_clip_grad_norm_closed_form():
    params = _with_grads([[3.0, 0.0], [0.0, 4.0]])
    total = clip_grad_norm_(params, max_norm=1.0)
    assert isinstance(total, tt.Tensor)
    assert total.item() == pytest.approx(5.0)
    np.testing.assert_allclose(params[0].grad.array, [0.6, 0.0], rtol=1e-5)
    np.testing.assert_allclose(params[1].grad.array, [0.0, 0.8], rtol=1e-5)
    # below the threshold nothing changes (beyond 1e-6 rounding)
    params = _with_grads([[0.3, 0.4]])
    assert clip_grad_norm_(params, max_norm=1.0).item() == pytest.approx(0.5)
    np.testing.assert_allclose(params[0].grad.array, [0.3, 0.4], rtol=1e-6)


@pytest.mark.task("3.21")
def test_clip_grad_norm_inf_and_p1():
    params = _with_grads([[1.0, -7.0], [2.0]])
    assert clip_grad_norm_(params, 3.5, norm_type=math.inf).item() == pytest.approx(7.0)
    np.testing.assert_allclose(params[0].grad.array, [0.5, -3.5], rtol=1e-5)
    params = _with_grads([[1.0, -7.0], [2.0]])
    assert clip_grad_norm_(params, 100.0, norm_type=1).item() == pytest.approx(10.0)


@pytest.mark.task("3.21")
def test_clip_grad_norm_nonfinite():
    with pytest.raises(RuntimeError, match="non-finite"):
        clip_grad_norm_(_with_grads([[1.0, math.inf]]), 1.0, error_if_nonfinite=True)
    assert math.isinf(clip_grad_norm_(_with_grads([[1.0, math.inf]]), 1.0).item())


@pytest.mark.task("3.21")
@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf])
def test_clip_grad_norm_matches_pytorch(norm_type):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    grads = [rng.normal(size=s).astype(np.float32) * 3 for s in SHAPES]
    ours = _with_grads([g.ravel() for g in grads])
    theirs = [torch.zeros(g.size, requires_grad=True) for g in grads]
    for p, g in zip(theirs, grads):
        p.grad = torch.from_numpy(g.ravel().copy())
    a = clip_grad_norm_(ours, 2.0, norm_type=norm_type)
    b = torch.nn.utils.clip_grad_norm_(theirs, 2.0, norm_type=norm_type)
    assert a.item() == pytest.approx(b.item(), rel=1e-5)
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.grad.array, q.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_clip_grad_value():
    params = _with_grads([[-3.0, 0.5, 2.0]])
    clip_grad_value_(params, 1.0)
    np.testing.assert_array_equal(params[0].grad.array, [-1.0, 0.5, 1.0])
