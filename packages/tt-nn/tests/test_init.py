"""``tinytorch.nn.init``: gains and fans against closed forms (and PyTorch), and the statistics of
what each scheme draws (bounds attained, standard deviations), with reproducible generators."""

from __future__ import annotations

import math

import numpy as np
import pytest

import tinytorch.nn as nn
import tinytorch.tensor as tt
from tinytorch.nn import init


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


@pytest.mark.task("3.8")
def test_calculate_gain_closed_forms():
    assert init.calculate_gain("linear") == 1.0
    assert init.calculate_gain("conv2d") == 1.0
    assert init.calculate_gain("sigmoid") == 1.0
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert init.calculate_gain("leaky_relu") == pytest.approx(math.sqrt(2 / (1 + 0.01 ** 2)))
    assert init.calculate_gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04))
    assert init.calculate_gain("leaky_relu", math.sqrt(5)) == pytest.approx(math.sqrt(1 / 3))
    assert init.calculate_gain("selu") == 0.75
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        init.calculate_gain("swish")


@pytest.mark.task("3.8")
def test_calculate_gain_matches_pytorch(torch):
    for name, param in [("linear", None), ("conv1d", None), ("sigmoid", None), ("tanh", None),
                        ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.3), ("selu", None)]:
        assert init.calculate_gain(name, param) == pytest.approx(
            torch.nn.init.calculate_gain(name, param)), name


@pytest.mark.task("3.8")
def test_fans_for_linear_and_conv_weights():
    fans = init._calculate_fan_in_and_fan_out
    assert fans(tt.empty(5, 3)) == (3, 5)  # Linear (out, in)
    assert fans(tt.empty(16, 3, 5, 5)) == (75, 400)  # Conv2d (out, in, kh, kw)
    assert fans(tt.empty(8, 4, 3)) == (12, 24)  # Conv1d
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        fans(tt.empty(5))


@pytest.mark.task("3.8")
def test_fans_match_pytorch(torch):
    for shape in [(5, 3), (16, 3, 5, 5), (8, 4, 3), (2, 6, 1, 7, 2)]:
        assert init._calculate_fan_in_and_fan_out(tt.empty(*shape)) == \
            torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(*shape))


def _check_uniform(values, bound):
    assert np.abs(values).max() <= bound * (1 + 1e-6)
    assert np.abs(values).max() > 0.98 * bound
    assert values.std() == pytest.approx(bound / math.sqrt(3), rel=0.03)


@pytest.mark.task("3.9")
def test_xavier_uniform_and_normal():
    w = tt.empty(200, 300)
    out = init.xavier_uniform_(w, gain=2.0, generator=tt.Generator(0))
    assert out is w
    _check_uniform(w.array, 2.0 * math.sqrt(6 / 500))
    init.xavier_normal_(w, generator=tt.Generator(1))
    assert w.array.std() == pytest.approx(math.sqrt(2 / 500), rel=0.02)
    assert abs(w.array.mean()) < 0.002
    conv = tt.empty(32, 16, 3, 3)
    init.xavier_uniform_(conv, generator=tt.Generator(2))
    _check_uniform(conv.array, math.sqrt(6 / (16 * 9 + 32 * 9)))


@pytest.mark.task("3.9")
def test_kaiming_uniform_and_normal():
    w = tt.empty(300, 200)
    init.kaiming_uniform_(w, nonlinearity="relu", generator=tt.Generator(0))
    _check_uniform(w.array, math.sqrt(2) * math.sqrt(3 / 200))
    init.kaiming_uniform_(w, a=math.sqrt(5), generator=tt.Generator(0))  # Linear's default
    _check_uniform(w.array, 1 / math.sqrt(200))
    init.kaiming_uniform_(w, mode="fan_out", nonlinearity="relu", generator=tt.Generator(1))
    _check_uniform(w.array, math.sqrt(2) * math.sqrt(3 / 300))
    init.kaiming_normal_(w, nonlinearity="relu", generator=tt.Generator(2))
    assert w.array.std() == pytest.approx(math.sqrt(2 / 200), rel=0.02)
    init.kaiming_normal_(w, a=0.1, mode="fan_out", generator=tt.Generator(3))
    assert w.array.std() == pytest.approx(math.sqrt(2 / 1.01) / math.sqrt(300), rel=0.02)
    conv = tt.empty(64, 8, 3, 3)
    init.kaiming_normal_(conv, nonlinearity="relu", generator=tt.Generator(4))
    assert conv.array.std() == pytest.approx(math.sqrt(2 / 72), rel=0.03)
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        init.kaiming_uniform_(w, mode="fan_avg")


@pytest.mark.task("3.9")
def test_init_matches_pytorch_statistics(torch):
    torch.manual_seed(0)
    cases = [
        (lambda t, **kw: init.kaiming_uniform_(t, nonlinearity="relu", **kw),
         lambda t: torch.nn.init.kaiming_uniform_(t, nonlinearity="relu")),
        (lambda t, **kw: init.kaiming_normal_(t, mode="fan_out", **kw),
         lambda t: torch.nn.init.kaiming_normal_(t, mode="fan_out")),
        (lambda t, **kw: init.xavier_uniform_(t, gain=1.5, **kw),
         lambda t: torch.nn.init.xavier_uniform_(t, gain=1.5)),
        (lambda t, **kw: init.xavier_normal_(t, **kw), lambda t: torch.nn.init.xavier_normal_(t)),
    ]
    for ours_fn, torch_fn in cases:
        ours = ours_fn(tt.empty(64, 32, 3, 3), generator=tt.Generator(5)).array
        theirs = torch_fn(torch.empty(64, 32, 3, 3)).numpy()
        assert ours.std() == pytest.approx(theirs.std(), rel=0.03)


def test_simple_fills_and_generator_reproducibility():
    t = tt.empty(3, 4)
    assert init.zeros_(t) is t and not t.array.any()
    init.ones_(t)
    assert (t.array == 1).all()
    init.constant_(t, 2.5)
    assert (t.array == 2.5).all()
    init.eye_(t)
    np.testing.assert_array_equal(t.array, np.eye(3, 4))
    a = init.uniform_(tt.empty(5), -2, 3, generator=tt.Generator(7)).array
    b = init.uniform_(tt.empty(5), -2, 3, generator=tt.Generator(7)).array
    np.testing.assert_array_equal(a, b)
    assert a.min() >= -2 and a.max() <= 3
    n = init.normal_(tt.empty(10000), 1.0, 0.5, generator=tt.Generator(8)).array
    assert n.mean() == pytest.approx(1.0, abs=0.02) and n.std() == pytest.approx(0.5, rel=0.03)
    tn = init.trunc_normal_(tt.empty(10000), std=1.0, a=-1.0, b=1.5, generator=tt.Generator(9))
    assert tn.array.min() >= -1.0 and tn.array.max() <= 1.5 and tn.array.std() > 0.5


@pytest.mark.task("3.9")
def test_init_on_parameters_in_place_without_recording():
    weight, bias = nn.Parameter(tt.empty(5, 10)), nn.Parameter(tt.empty(5))
    assert init.kaiming_normal_(weight) is weight and init.zeros_(bias) is bias
    assert isinstance(weight, nn.Parameter) and weight.requires_grad
    assert weight.grad_fn is None and weight.is_leaf  # filling was not recorded
    assert not bias.array.any() and weight.array.std() > 0
    (weight * 3).sum().backward()  # still trainable
    np.testing.assert_array_equal(weight.grad.array, 3.0)


def test_zero_element_tensor_warns():
    with pytest.warns(UserWarning, match="zero-element"):
        init.kaiming_uniform_(tt.empty(0, 3))
