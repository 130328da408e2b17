"""PyTorch habits that must carry over: names, arguments, defaults, semantics and error types.

Each test states the expected behaviour in closed form; where PyTorch is installed it is also
checked against PyTorch (those comparisons skip cleanly without it).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import tinytorch.nn as nn
import tinytorch.nn.functional as F
import tinytorch.tensor as tt
from tinytorch.nn import data, optim
from tinytorch.nn.optim import lr_scheduler as ls


def _torch():
    return pytest.importorskip("torch")


# -- Linear ---------------------------------------------------------------------------------------

@pytest.mark.task("3.10")
def test_linear_device_and_dtype_checks():
    layer = nn.Linear(2, 3, device="cpu")
    assert layer.weight.shape == (3, 2)
    with pytest.raises(RuntimeError):
        nn.Linear(2, 3, device="cuda")
    with pytest.raises(RuntimeError, match="same dtype"):
        layer(tt.ones(1, 2, dtype=tt.float64))


# -- activations ----------------------------------------------------------------------------

X = np.array([-4.0, -3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0, 6.0, 7.0])
ACTIVATIONS = {
    "relu6": (lambda m: m.ReLU6(), np.clip(X, 0, 6), ((X > 0) & (X < 6)) * 1.0),
    "hardtanh": (lambda m: m.Hardtanh(), np.clip(X, -1, 1), ((X > -1) & (X < 1)) * 1.0),
    "hardsigmoid": (lambda m: m.Hardsigmoid(), np.clip(X / 6 + 0.5, 0, 1),
                    ((X > -3) & (X < 3)) / 6.0),
    "hardswish": (lambda m: m.Hardswish(), X * np.clip(X + 3, 0, 6) / 6,
                  np.where(X <= -3, 0.0, np.where(X >= 3, 1.0, X / 3 + 0.5))),
    "logsigmoid": (lambda m: m.LogSigmoid(), -np.log1p(np.exp(-X)), 1 / (1 + np.exp(X))),
    "softsign": (lambda m: m.Softsign(), X / (1 + np.abs(X)), 1 / (1 + np.abs(X)) ** 2),
    "tanhshrink": (lambda m: m.Tanhshrink(), X - np.tanh(X), np.tanh(X) ** 2),
    "threshold": (lambda m: m.Threshold(0.5, -2.0), np.where(X > 0.5, X, -2.0), (X > 0.5) * 1.0),
    "celu": (lambda m: m.CELU(2.0), np.where(X > 0, X, 2 * (np.exp(X / 2) - 1)),
             np.where(X > 0, 1.0, np.exp(X / 2))),
    "mish": (lambda m: m.Mish(), X * np.tanh(np.log1p(np.exp(X))), None),
    "selu": (lambda m: m.SELU(), None, None),
    "prelu": (lambda m: m.PReLU(), np.where(X > 0, X, 0.25 * X), np.where(X > 0, 1.0, 0.25)),
}


BUILT_ON_TASK = ["logsigmoid", "mish", "selu"]  # softplus and elu (task 3.12) inside


@pytest.mark.task("3.12")
@pytest.mark.parametrize("name", BUILT_ON_TASK)
def test_activations_built_on_the_task(name):
    _assert_activation_matches_pytorch(name)


@pytest.mark.parametrize("name", sorted(set(ACTIVATIONS) - set(BUILT_ON_TASK)))
def test_more_activations_values_and_gradients(name):
    _assert_activation_matches_pytorch(name)


def _assert_activation_matches_pytorch(name):
    make, value, grad = ACTIVATIONS[name]
    x = tt.tensor(X, dtype=tt.float64, requires_grad=True)
    module = make(nn)
    if name == "prelu":
        module = module.double()
    y = module(x)
    y.sum().backward()
    if value is not None:
        np.testing.assert_allclose(y.array, value, rtol=1e-6, atol=1e-9)
    if grad is not None:
        np.testing.assert_allclose(x.grad.array, grad, rtol=1e-6, atol=1e-9)
    try:
        import torch
    except ImportError:
        return
    xt = torch.tensor(X, dtype=torch.float64, requires_grad=True)
    mt = make(torch.nn)
    if name == "prelu":
        mt = mt.double()
    yt = mt(xt)
    yt.sum().backward()
    np.testing.assert_allclose(y.array, yt.detach().numpy(), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(x.grad.array, xt.grad.numpy(), rtol=1e-6, atol=1e-9)
    assert repr(module) == repr(mt).replace("torch.", "")


@pytest.mark.task("3.12")
def test_inplace_activations_return_their_input():
    for fn in (F.relu, F.leaky_relu, F.elu, F.silu, F.hardtanh, F.relu6):
        x = tt.tensor([-1.0, 2.0])
        assert fn(x, inplace=True) is x
    x = tt.tensor([-1.0, 2.0])
    assert F.relu_(x) is x and x.array.tolist() == [0.0, 2.0]
    # through autograd: the in-place result is differentiable
    leaf = tt.tensor([-1.0, 2.0], requires_grad=True)
    h = leaf * 1
    nn.ReLU(inplace=True)(h).sum().backward()
    assert leaf.grad.array.tolist() == [0.0, 1.0]


def test_functional_signature_details():
    x = tt.tensor([[1.0, 2.0, 3.0]])
    assert F.softmax(x, dim=1, dtype=tt.float64).dtype == tt.float64
    np.testing.assert_allclose(F.softmin(x, 1).array, F.softmax(-x, 1).array)
    np.testing.assert_allclose(F.glu(tt.tensor([[1.0, 2.0, 0.0, 3.0]])).array,
                               [[1 / (1 + np.exp(0)), 2 / (1 + np.exp(-3))]], rtol=1e-6)
    with pytest.raises(RuntimeError, match="LongTensor"):
        F.one_hot(tt.tensor([0.0, 1.0]), 2)
    x = tt.tensor(np.arange(6.0).reshape(1, 2, 3), requires_grad=True)
    np.testing.assert_array_equal(F.pad(x, (1, 1), mode="reflect").array[0, 0], [1, 0, 1, 2, 1])
    np.testing.assert_array_equal(F.pad(x, (2, 1), mode="replicate").array[0, 1],
                                  [3, 3, 3, 4, 5, 5])
    np.testing.assert_array_equal(F.pad(x, (1, 1), mode="circular").array[0, 0], [2, 0, 1, 2, 0])
    F.pad(x, (2, 0), mode="replicate").sum().backward()
    np.testing.assert_array_equal(x.grad.array[0], [[3, 1, 1], [3, 1, 1]])
    with pytest.raises(RuntimeError):
        F.pad(x, (3, 0), mode="reflect")


# -- dropout --------------------------------------------------------------------------------

@pytest.mark.task("3.13")
def test_dropout_inplace_and_integer_input():
    x = tt.ones(1000)
    assert F.dropout(x, 0.5, inplace=True) is x
    assert set(np.unique(x.array).tolist()) <= {0.0, 2.0}
    with pytest.raises(RuntimeError):
        F.dropout(tt.tensor([1, 2]), 0.5)
    np.testing.assert_array_equal(F.dropout(tt.tensor([1, 2]), 0.5, training=False).array, [1, 2])


# -- 3.6 cross entropy --------------------------------------------------------------------------

@pytest.mark.task("3.16")
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_all_ignored_targets_give_nan_loss_and_zero_gradient(smoothing):
    x = tt.tensor(np.ones((3, 4)), dtype=tt.float64, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning from 0 / 0
        loss = F.cross_entropy(x, tt.tensor([-100, -100, -100]), label_smoothing=smoothing)
        loss.backward()
    assert np.isnan(loss.item())
    np.testing.assert_array_equal(x.grad.array, 0.0)


@pytest.mark.task("3.16")
def test_target_dtype_and_smoothing_errors_are_runtime_errors():
    logits = tt.zeros(2, 3)
    with pytest.raises(RuntimeError, match="Long"):
        F.cross_entropy(logits, tt.tensor([0, 1], dtype=tt.int32))
    with pytest.raises(RuntimeError, match="Long"):
        F.cross_entropy(logits, tt.tensor([0.0, 1.0]))  # float, not the input's shape
    with pytest.raises(RuntimeError, match="label_smoothing"):
        F.cross_entropy(logits, tt.tensor([0, 1]), label_smoothing=1.5)


# -- 3.7 other losses ---------------------------------------------------------------------------

@pytest.mark.task("3.14")
def test_regression_losses_weights_and_new_losses():
    x = tt.tensor([1.0, 2.0, 3.0], dtype=tt.float64)
    t = tt.zeros(3, dtype=tt.float64)
    w = tt.tensor([1.0, 0.0, 3.0], dtype=tt.float64)
    assert F.mse_loss(x, t, weight=w).item() == pytest.approx((1 + 27) / 4)  # / summed weights
    assert F.l1_loss(x, t, weight=w).item() == pytest.approx((1 + 9) / 4)
    assert F.mse_loss(x, t, weight=w, reduction="sum").item() == pytest.approx(28)
    assert F.huber_loss(x, t, weight=w).item() == pytest.approx((0.5 + 3 * 2.5) / 3)  # / count
    with pytest.raises(ValueError, match="same size"):
        F.mse_loss(x, t, weight=tt.ones(1, dtype=tt.float64))
    d = np.array([0.2, 1.5, -3.0])
    np.testing.assert_allclose(
        F.smooth_l1_loss(tt.tensor(d), tt.zeros(3), reduction="none").array,
        np.where(np.abs(d) < 1, 0.5 * d ** 2, np.abs(d) - 0.5), rtol=1e-6)
    np.testing.assert_allclose(
        nn.HuberLoss(reduction="none", delta=0.5)(tt.tensor(d), tt.zeros(3)).array,
        np.where(np.abs(d) < 0.5, 0.5 * d ** 2, 0.5 * (np.abs(d) - 0.25)), rtol=1e-6)
    p, q = np.array([[0.2, 0.8], [0.5, 0.5]]), np.array([[0.0, 1.0], [0.3, 0.7]])
    kl = F.kl_div(tt.tensor(np.log(p)), tt.tensor(q), reduction="batchmean")
    expected = np.sum(np.where(q > 0, q * np.log(np.where(q > 0, q, 1) / p), 0)) / 2
    assert kl.item() == pytest.approx(expected, rel=1e-6)


@pytest.mark.task("3.14")
def test_new_losses_match_pytorch():
    torch = _torch()
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(4, 3)) * 2, rng.normal(size=(4, 3))
    logp = np.log(rng.dirichlet(np.ones(3), size=4))
    q = rng.dirichlet(np.ones(3), size=4)
    cases = [
        ("smooth_l1_loss", a, b, dict(beta=0.5)),
        ("huber_loss", a, b, dict(delta=0.7)),
        ("kl_div", logp, q, dict(reduction="batchmean")),
        ("kl_div", logp, np.log(q), dict(reduction="sum", log_target=True)),
        ("mse_loss", a, b, dict(weight=np.abs(b))),
        ("l1_loss", a, b, dict(weight=np.abs(b), reduction="sum")),
    ]
    for name, x, y, kw in cases:
        ours_x = tt.tensor(x, requires_grad=True, dtype=tt.float64)
        kw_ours = {k: tt.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
        kw_torch = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
        ours = getattr(F, name)(ours_x, tt.tensor(y), **kw_ours)
        ours.backward()
        tx = torch.tensor(x, requires_grad=True)
        theirs = getattr(torch.nn.functional, name)(tx, torch.tensor(y), **kw_torch)
        theirs.backward()
        np.testing.assert_allclose(ours.item(), theirs.item(), rtol=1e-6)
        np.testing.assert_allclose(ours_x.grad.array, tx.grad.numpy(), rtol=1e-6, atol=1e-12)


# -- 3.10-3.12 optimizers -----------------------------------------------------------------------

DEFAULTS = {
    "SGD": {"lr": 1e-3, "momentum": 0, "dampening": 0, "weight_decay": 0, "nesterov": False,
            "maximize": False},
    "Adam": {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0,
             "amsgrad": False, "maximize": False, "decoupled_weight_decay": False},
    "AdamW": {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 1e-2,
              "amsgrad": False, "maximize": False, "decoupled_weight_decay": True},
    "RMSprop": {"lr": 1e-2, "momentum": 0, "alpha": 0.99, "eps": 1e-8, "centered": False,
                "weight_decay": 0, "maximize": False},
}
KERNEL_FLAGS = {"foreach", "fused", "capturable", "differentiable"}  # PyTorch-only kernel choices


@pytest.mark.parametrize("name", list(DEFAULTS))
def test_optimizer_defaults_are_pytorchs(name):
    opt = getattr(optim, name)([tt.tensor([1.0])])
    assert opt.defaults == DEFAULTS[name]
    group = {k: v for k, v in opt.param_groups[0].items() if k != "params"}
    assert group == DEFAULTS[name]
    try:
        import torch
    except ImportError:
        return
    theirs = getattr(torch.optim, name)([torch.zeros(1, requires_grad=True)]).defaults
    assert opt.defaults == {k: theirs[k] for k in opt.defaults}
    assert set(theirs) - set(opt.defaults) <= KERNEL_FLAGS
    for flag in KERNEL_FLAGS & set(theirs):
        with pytest.raises(TypeError, match=f"unexpected keyword argument '{flag}'"):
            getattr(optim, name)([tt.tensor([1.0])], **{flag: False})


@pytest.mark.task("3.18")
def test_adam_state_is_tensors_and_decoupled_weight_decay_is_adamw():
    params = [tt.tensor([1.0, -2.0]), tt.tensor([0.5, 0.5])]
    twins = [tt.tensor(p.array.copy()) for p in params]
    adam = optim.Adam(params, lr=0.1, weight_decay=0.1, decoupled_weight_decay=True)
    adamw = optim.AdamW(twins, lr=0.1, weight_decay=0.1)
    for _ in range(3):
        for p in params + twins:
            p.grad = p * 2
        adam.step()
        adamw.step()
    for p, q in zip(params, twins):
        np.testing.assert_array_equal(p.array, q.array)
    state = adam.state[params[0]]
    assert isinstance(state["step"], tt.Tensor) and state["step"].item() == 3.0
    assert isinstance(state["exp_avg"], tt.Tensor) and state["exp_avg"].shape == (2,)
    assert adam.state[tt.tensor([0.0])] == {}  # a defaultdict, as PyTorch's
    loaded = optim.Adam([tt.tensor(p.array.copy()) for p in params], lr=0.1)
    loaded.load_state_dict(adam.state_dict())
    assert isinstance(next(iter(loaded.state.values()))["step"], tt.Tensor)


@pytest.mark.task("3.17")
def test_sgd_named_parameters_tensor_lr_and_duplicates():
    model = nn.Linear(2, 1)
    opt = optim.SGD(model.named_parameters(), lr=0.1, momentum=0.9)
    assert opt.param_groups[0]["param_names"] == ["weight", "bias"]
    assert opt.param_groups[0]["params"][0] is model.weight
    model(tt.ones(1, 2)).sum().backward()
    opt.step()
    assert isinstance(opt.state[model.weight]["momentum_buffer"], tt.Tensor)
    p = tt.tensor([1.0])
    p.grad = tt.tensor([1.0])
    optim.SGD([p], lr=tt.tensor(0.5)).step()
    assert p.item() == pytest.approx(0.5)
    with pytest.warns(UserWarning, match="duplicate"):
        optim.SGD([p, p], lr=0.1)


# -- 3.13 LR schedules: chainable ---------------------------------------------------------------

def _run(make, steps=16, module=ls, opt_maker=None):
    opt = opt_maker()
    scheds = make(module, opt)
    scheds = scheds if isinstance(scheds, list) else [scheds]
    values = [[g["lr"] for g in opt.param_groups]]
    for _ in range(steps):
        opt.step()
        for s in scheds:
            s.step()
        values.append([g["lr"] for g in opt.param_groups])
    return np.array(values)


CHAINS = {
    "step*exp": lambda m, o: [m.StepLR(o, 3, 0.5), m.ExponentialLR(o, 0.9)],
    "exp*cos": lambda m, o: [m.ExponentialLR(o, 0.95), m.CosineAnnealingLR(o, T_max=5)],
    "linear*multistep": lambda m, o: [m.LinearLR(o, 0.25, total_iters=4),
                                      m.MultiStepLR(o, [5, 10], 0.3)],
    "chained": lambda m, o: m.ChainedScheduler([m.ExponentialLR(o, 0.9), m.StepLR(o, 3, 0.5)]),
    "constant": lambda m, o: m.ConstantLR(o, 0.5, total_iters=3),
    "multiplicative": lambda m, o: m.MultiplicativeLR(o, lambda e: 0.9),
    "poly": lambda m, o: m.PolynomialLR(o, total_iters=10, power=2.0),
    "sequential3": lambda m, o: m.SequentialLR(
        o, [m.ConstantLR(o, 0.5, total_iters=3), m.ExponentialLR(o, 0.9), m.StepLR(o, 2)],
        milestones=[4, 10]),
}


@pytest.mark.task("3.20")
def test_two_schedulers_multiply_their_factors():
    values = _run(CHAINS["step*exp"], steps=7,
                  opt_maker=lambda: optim.SGD([tt.tensor([0.0])], lr=1.0))[:, 0]
    expected = [0.5 ** (e // 3) * 0.9 ** e for e in range(8)]
    np.testing.assert_allclose(values, expected, rtol=1e-12)


@pytest.mark.task("3.20")
def test_a_rate_set_by_hand_is_carried_on():
    opt = optim.SGD([tt.tensor([0.0])], lr=1.0)
    sched = ls.StepLR(opt, 2, 0.5)
    for epoch in range(1, 6):
        if epoch == 3:
            opt.param_groups[0]["lr"] = 10.0
        opt.step()
        sched.step()
    assert sched.get_last_lr() == [5.0]  # 10 from epoch 3, halved at epoch 4 (not from 0.25)


def test_reduce_lr_on_plateau():
    opt = optim.SGD([tt.tensor([0.0])], lr=1.0)
    sched = ls.ReduceLROnPlateau(opt, patience=1, factor=0.5)
    for metric in [1.0, 0.9, 0.95, 0.95, 0.95, 0.95]:
        sched.step(metric)
    assert sched.get_last_lr() == [0.25]


def _two_group_sgd():
    """An SGD optimizer with two param groups (lr 0.1 and 0.03), for schedule tests."""
    return optim.SGD([{"params": [tt.tensor([0.0])], "lr": lr} for lr in (0.1, 0.03)],
                     lr=0.1, momentum=0.9)


def _two_group_sgd_torch(torch):
    return torch.optim.SGD([{"params": [torch.zeros(1, requires_grad=True)], "lr": lr}
                            for lr in (0.1, 0.03)], lr=0.1, momentum=0.9)


OTHER_SCHEDULES = ["constant", "multiplicative", "poly"]  # no task's schedule inside


@pytest.mark.task("3.20")
@pytest.mark.parametrize("name", sorted(set(CHAINS) - set(OTHER_SCHEDULES)))
def test_chains_of_the_task_schedules_match_pytorch(name):
    _assert_chain_matches_pytorch(name)


@pytest.mark.parametrize("name", OTHER_SCHEDULES)
def test_chained_schedules_match_pytorch(name):
    _assert_chain_matches_pytorch(name)


def _assert_chain_matches_pytorch(name):
    torch = _torch()

    ours_opt, torch_opt = _two_group_sgd, lambda: _two_group_sgd_torch(torch)

    ours = _run(CHAINS[name], opt_maker=ours_opt)
    theirs = _run(CHAINS[name], module=torch.optim.lr_scheduler, opt_maker=torch_opt)
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-15)


# -- 3.14 clipping ------------------------------------------------------------------------------

@pytest.mark.task("3.21")
def test_clip_grad_norm_dtype_and_pytorch_arguments():
    p = tt.tensor([1.0, 1.0], dtype=tt.float64)
    p.grad = tt.tensor([3.0, 4.0], dtype=tt.float64)
    total = nn.utils.clip_grad_norm_([p], 1.0, norm_type="inf")
    assert total.dtype == tt.float64 and total.item() == 4.0
    nn.utils.clip_grad_value_([p], 0.1)
    assert np.abs(p.grad.array).max() <= 0.1
    q = tt.tensor([0.0, 0.0])
    q.grad = tt.tensor([3.0, 4.0])
    assert nn.utils.get_total_norm([q.grad]).item() == pytest.approx(5.0)
    nn.utils.clip_grads_with_norm_([q], 1.0, tt.tensor(5.0))
    np.testing.assert_allclose(q.grad.array, [0.6, 0.8], rtol=1e-5)
    vec = nn.utils.parameters_to_vector([p, q])
    assert vec.shape == (4,)
    nn.utils.vector_to_parameters(tt.arange(4).double(), [p, q])
    assert p.array.tolist() == [0.0, 1.0] and q.array.tolist() == [2.0, 3.0]


# -- 3.15 data ----------------------------------------------------------------------------------

class _Plain(data.Dataset):
    def __init__(self, items):
        self.items = items

    def __getitem__(self, i):
        return self.items[i]

    def __len__(self):
        return len(self.items)


def test_dataloader_samplers_and_no_batching():
    ds = data.TensorDataset(tt.arange(6).float(), tt.arange(6))
    got = [y.array.tolist() for _, y in data.DataLoader(ds, batch_size=2, sampler=[5, 4, 3, 2, 1, 0])]
    assert got == [[5, 4], [3, 2], [1, 0]]
    got = [y.array.tolist() for _, y in data.DataLoader(ds, batch_sampler=[[0, 1], [5, 2, 3]])]
    assert got == [[0, 1], [5, 2, 3]]
    single = list(data.DataLoader(ds, batch_size=None))
    assert len(single) == 6 and single[2][1].shape == ()
    with pytest.raises(ValueError, match="mutually exclusive"):
        data.DataLoader(ds, shuffle=True, sampler=[0, 1])
    loader = data.DataLoader(ds, batch_size=4, num_workers=0)
    assert len(loader) == 2 and loader.num_workers == 0
    sampler = data.BatchSampler(data.SequentialSampler(range(5)), 2, drop_last=True)
    assert list(sampler) == [[0, 1], [2, 3]] and len(sampler) == 2


@pytest.mark.task("3.22")
def test_default_collate_dtypes_and_concat():
    floats = next(iter(data.DataLoader(_Plain([(1, 2.5), (3, 4.5)]), batch_size=2)))
    assert floats[0].dtype == tt.int64 and floats[1].dtype == tt.float64  # as PyTorch
    flags = next(iter(data.DataLoader(_Plain([True, False]), batch_size=2)))
    assert flags.dtype == tt.bool
    np32 = next(iter(data.DataLoader(_Plain([np.float32(1.0), np.float32(2.0)]), batch_size=2)))
    assert np32.dtype == tt.float32
    both = _Plain([0, 1, 2]) + _Plain([3, 4])
    assert isinstance(both, data.ConcatDataset) and len(both) == 5
    assert both[3] == 3 and both[-1] == 4

    class Stream(data.IterableDataset):
        def __iter__(self):
            return iter(range(5))

    assert [b.array.tolist() for b in data.DataLoader(Stream(), batch_size=2)] == [[0, 1], [2, 3],
                                                                                 [4]]


def test_orthogonal_and_dirac_init():
    w = tt.empty(3, 5)
    assert nn.init.orthogonal_(w, gain=2.0, generator=tt.Generator(0)) is w
    np.testing.assert_allclose(w.array @ w.array.T, 4 * np.eye(3), atol=1e-5)
    k = tt.empty(4, 2, 3, 3)
    nn.init.dirac_(k, groups=2)
    assert k.array.sum() == 4 and k.array[0, 0, 1, 1] == 1 and k.array[2, 0, 1, 1] == 1


WARM_RESTARTS = {
    "sgdr": lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=0.01),
    "onecycle": lambda m, o: m.OneCycleLR(o, max_lr=[1.0, 0.5], total_steps=20),
    "onecycle-3-linear": lambda m, o: m.OneCycleLR(o, max_lr=1.0, total_steps=20,
                                                   three_phase=True, anneal_strategy="linear"),
}


def test_one_cycle_and_warm_restarts_closed_forms():
    values = _run(WARM_RESTARTS["sgdr"], steps=9,
                  opt_maker=lambda: optim.SGD([tt.tensor([0.0])], lr=1.0))[:, 0]
    cosine = [0.01 + 0.99 * (1 + np.cos(np.pi * t / T)) / 2
              for t, T in [(0, 3), (1, 3), (2, 3)] + [(i, 6) for i in range(6)] + [(0, 12)]]
    np.testing.assert_allclose(values, cosine, rtol=1e-12)
    opt = optim.SGD([tt.tensor([0.0])], lr=1.0, momentum=0.9)
    sched = ls.OneCycleLR(opt, max_lr=1.0, total_steps=10)
    assert opt.param_groups[0]["lr"] == pytest.approx(1.0 / 25)
    assert opt.param_groups[0]["momentum"] == pytest.approx(0.95)
    for _ in range(2):
        opt.step()
        sched.step()
    assert sched.get_last_lr()[0] == pytest.approx(1.0)  # the peak after pct_start * 10 - 1
    assert opt.param_groups[0]["momentum"] == pytest.approx(0.85)


@pytest.mark.parametrize("name", sorted(WARM_RESTARTS))
def test_one_cycle_and_warm_restarts_match_pytorch(name):
    torch = _torch()

    ours_opt, torch_opt = _two_group_sgd, lambda: _two_group_sgd_torch(torch)

    ours = _run(WARM_RESTARTS[name], steps=19, opt_maker=ours_opt)
    theirs = _run(WARM_RESTARTS[name], steps=19, module=torch.optim.lr_scheduler,
                  opt_maker=torch_opt)
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-15)


# -- no emulation of deprecated or do-nothing options --------------------------------------------

def test_deprecated_and_do_nothing_options_are_type_errors():
    """PyTorch options that are deprecated or that would do nothing here are not accepted and
    ignored: they raise a TypeError (the keyword is unknown, or the message says why)."""
    x, t = tt.ones(2, 3), tt.tensor([0, 1])
    unknown = "unexpected keyword argument"
    for call in (lambda: F.cross_entropy(x, t, size_average=False),
                 lambda: F.nll_loss(x, t, reduce=False),
                 lambda: F.mse_loss(x, x, size_average=True),
                 lambda: nn.CrossEntropyLoss(reduce=False),
                 lambda: nn.MSELoss(size_average=False),
                 lambda: nn.BCEWithLogitsLoss(reduce=False),
                 lambda: optim.SGD([tt.tensor([1.0])], lr=0.1, foreach=True),
                 lambda: optim.AdamW([tt.tensor([1.0])], fused=True),
                 lambda: optim.Adam([tt.tensor([1.0])], capturable=True),
                 lambda: optim.RMSprop([tt.tensor([1.0])], differentiable=True),
                 lambda: nn.utils.clip_grad_norm_([tt.tensor([1.0])], 1.0, foreach=True),
                 lambda: F.softmax(x, 1, _stacklevel=3)):
        with pytest.raises(TypeError, match=unknown):
            call()
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'dim'"):
        F.softmax(x)  # PyTorch's implicit dim is deprecated
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'dim'"):
        nn.Softmax()
    ds = data.TensorDataset(tt.arange(4))
    for option in ({"pin_memory": True}, {"timeout": 5}, {"worker_init_fn": print},
                   {"persistent_workers": True}, {"prefetch_factor": 2},
                   {"multiprocessing_context": "fork"}, {"pin_memory_device": "cuda"},
                   {"in_order": False}):
        with pytest.raises(TypeError, match=unknown):
            data.DataLoader(ds, **option)
    with pytest.raises(TypeError, match="no worker processes; use num_workers=0"):
        data.DataLoader(ds, num_workers=2)
    opt = optim.SGD([tt.tensor([1.0])], lr=1.0)
    sched = ls.StepLR(opt, 3)
    with pytest.raises(TypeError, match="positional argument"):
        sched.step(7)  # PyTorch's deprecated step(epoch)
    with pytest.raises(TypeError, match="positional argument"):
        ls.ReduceLROnPlateau(opt).step(1.0, 3)
    assert not hasattr(ls, "_LRScheduler") and not hasattr(nn.utils, "clip_grad_norm")
