"""Module, Parameter and containers: registration, traversal order, modes, state_dict, hooks, repr.

PyTorch is the oracle for names and order (``named_parameters``, ``state_dict`` keys) and for the
repr text, when it is installed; the other tests state the expected values directly.
"""

from __future__ import annotations

import copy
from collections import OrderedDict

import numpy as np
import pytest

import tinytorch.nn as nn
import tinytorch.tensor as tt


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


class Block(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(3, 4)
        self.scale = nn.Parameter(tt.ones(4))
        self.register_buffer("running", tt.zeros(4))
        self.register_buffer("scratch", tt.zeros(2), persistent=False)
        self.act = nn.ReLU()
        self.note = "plain attribute"

    def forward(self, x):
        return self.act(self.fc(x)) * self.scale


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.first = nn.Linear(4, 3)
        self.block = Block()
        self.head = nn.Sequential(nn.Linear(4, 2), nn.Tanh(), nn.Linear(2, 1, bias=False))

    def forward(self, x):
        return self.head(self.block(self.first(x).relu()[:, :3]))


# -- 3.1 registration and traversal ------------------------------------------------------------

@pytest.mark.task("3.1")
def test_assignment_registers_parameters_modules_and_buffers():
    b = Block()
    assert list(b._parameters) == ["scale"]
    assert list(b._modules) == ["fc", "act"]
    assert list(b._buffers) == ["running", "scratch"]
    assert "note" in b.__dict__ and "scale" not in b.__dict__
    assert b.scale is b._parameters["scale"] and b.fc is b._modules["fc"]
    assert b.note == "plain attribute"
    with pytest.raises(AttributeError, match="no attribute 'missing'"):
        b.missing  # noqa: B018


@pytest.mark.task("3.1")
def test_named_parameters_order_and_names():
    net = Net()
    names = [n for n, _ in net.named_parameters()]
    assert names == ["first.weight", "first.bias", "block.scale", "block.fc.weight",
                     "block.fc.bias", "head.0.weight", "head.0.bias", "head.2.weight"]
    assert [p.shape for p in net.parameters()] == [(3, 4), (3,), (4,), (4, 3), (4,), (2, 4),
                                                   (2,), (1, 2)]
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in net.parameters())
    assert [n for n, _ in net.named_parameters(recurse=False)] == []
    assert [n for n, _ in net.block.named_parameters(recurse=False)] == ["scale"]
    assert net.num_parameters() == 12 + 3 + 4 + 12 + 4 + 8 + 2 + 2


@pytest.mark.task("3.1")
def test_named_parameters_order_matches_pytorch(torch):
    class TorchBlock(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = torch.nn.Linear(3, 4)
            self.scale = torch.nn.Parameter(torch.ones(4))
            self.register_buffer("running", torch.zeros(4))
            self.register_buffer("scratch", torch.zeros(2), persistent=False)
            self.act = torch.nn.ReLU()

    class TorchNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.first = torch.nn.Linear(4, 3)
            self.block = TorchBlock()
            self.head = torch.nn.Sequential(torch.nn.Linear(4, 2), torch.nn.Tanh(),
                                            torch.nn.Linear(2, 1, bias=False))

    ours, theirs = Net(), TorchNet()
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert [n for n, _ in ours.named_children()] == [n for n, _ in theirs.named_children()]
    assert list(ours.state_dict()) == list(theirs.state_dict())


@pytest.mark.task("3.1")
def test_shared_parameter_listed_once():
    net = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2))
    net[1].weight = net[0].weight
    assert len(list(net.parameters())) == 3
    assert [n for n, _ in net.named_parameters()] == ["0.weight", "0.bias", "1.bias"]
    shared = nn.Linear(2, 2)
    twice = nn.Sequential(shared, shared)
    assert len(list(twice.modules())) == 2 and len(list(twice.parameters())) == 2


@pytest.mark.task("3.1")
def test_reassignment_and_deletion():
    m = Block()
    with pytest.raises(TypeError, match="cannot assign 'Tensor' as parameter 'scale'"):
        m.scale = tt.ones(4)
    m.scale = None  # a declared but absent parameter
    assert "scale" in m._parameters and m.scale is None
    assert [n for n, _ in m.named_parameters()] == ["fc.weight", "fc.bias"]
    m.fc = nn.Linear(3, 5)  # replacing a child
    assert m.fc.out_features == 5
    m.running = tt.ones(4)  # a buffer stays a buffer
    assert m._buffers["running"] is m.running
    del m.act
    assert "act" not in m._modules
    m.extra = nn.Parameter(tt.zeros(1))
    assert list(m._parameters) == ["scale", "extra"]


@pytest.mark.task("3.1")
def test_registration_errors():
    class Early(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(tt.ones(1))  # before super().__init__()

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Early()
    m = nn.Module()
    with pytest.raises(KeyError, match="empty or contain"):
        m.register_buffer("a.b", tt.zeros(1))
    with pytest.raises(TypeError, match="Parameter or None"):
        m.register_parameter("w", tt.zeros(1))
    with pytest.raises(NotImplementedError, match='missing the required "forward"'):
        m(tt.zeros(1))


@pytest.mark.task("3.1")
def test_buffers_children_modules():
    net = Net()
    assert [n for n, _ in net.named_buffers()] == ["block.running", "block.scratch"]
    assert len(list(net.buffers())) == 2
    assert [type(c).__name__ for c in net.children()] == ["Linear", "Block", "Sequential"]
    assert [n for n, _ in net.named_modules()] == ["", "first", "block", "block.fc", "block.act",
                                                   "head", "head.0", "head.1", "head.2"]
    assert net.get_submodule("head.2") is net.head[2]
    assert net.get_parameter("block.fc.bias") is net.block.fc.bias
    with pytest.raises(AttributeError, match="no submodule `nope`"):
        net.get_submodule("head.nope")


@pytest.mark.task("3.1")
def test_train_eval_propagate():
    net = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Dropout(0.5), nn.ReLU()))
    assert all(m.training for m in net.modules())
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net[1].train()
    assert [m.training for m in net.modules()] == [False, False, True, True, True]
    net.train()
    assert all(m.training for m in net.modules())
    with pytest.raises(ValueError, match="boolean"):
        net.train("no")


@pytest.mark.task("3.1")
def test_zero_grad_and_requires_grad_():
    net = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 1))
    net(tt.randn(4, 3)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.array.any() for p in net.parameters())
    net(tt.randn(4, 3)).sum().backward()
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    assert net.requires_grad_(False) is net
    assert not any(p.requires_grad for p in net.parameters())
    net.requires_grad_()
    assert all(p.requires_grad for p in net.parameters())


@pytest.mark.task("3.1")
def test_apply_visits_children_first():
    net = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.ReLU()))
    seen = []
    assert net.apply(lambda m: seen.append(type(m).__name__)) is net
    assert seen == ["Linear", "ReLU", "Sequential", "Sequential"]

    def init_zero(m):
        if isinstance(m, nn.Linear):
            nn.init.zeros_(m.weight)

    net.apply(init_zero)
    assert not net[0].weight.array.any()


@pytest.mark.task("3.1")
def test_forward_hooks_run_modify_and_remove():
    lin = nn.Linear(2, 2)
    calls = []
    pre = lin.register_forward_pre_hook(lambda m, args: calls.append(("pre", args[0].shape)))
    post = lin.register_forward_hook(lambda m, args, out: calls.append(("post", out.shape)))
    x = tt.randn(5, 2)
    lin(x)
    assert calls == [("pre", (5, 2)), ("post", (5, 2))]
    pre.remove()
    post.remove()
    lin(x)
    assert len(calls) == 2

    # a pre-hook may replace the input, a forward hook the output
    h1 = lin.register_forward_pre_hook(lambda m, args: args[0] * 0)
    h2 = lin.register_forward_hook(lambda m, args, out: out + 100.0)
    out = lin(x)
    np.testing.assert_allclose(out.array, np.broadcast_to(lin.bias.array + 100.0, (5, 2)), rtol=1e-6)
    h1.remove()
    h2.remove()
    np.testing.assert_allclose(lin(x).array, x.array @ lin.weight.array.T + lin.bias.array,
                               rtol=1e-5, atol=1e-6)


@pytest.mark.task("3.1")
def test_forward_hooks_see_submodules_in_order():
    net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    shapes = []
    handles = [m.register_forward_hook(lambda m, a, o: shapes.append((type(m).__name__, o.shape)))
               for m in net]
    net(tt.randn(6, 3))
    assert shapes == [("Linear", (6, 4)), ("ReLU", (6, 4)), ("Linear", (6, 2))]
    for h in handles:
        h.remove()


@pytest.mark.task("3.1")
def test_parameter_basics():
    p = nn.Parameter(tt.tensor([1.0, 2.0]))
    assert p.requires_grad and isinstance(p, tt.Tensor)
    assert repr(p) == "Parameter containing:\ntensor([1., 2.], requires_grad=True)"
    frozen = nn.Parameter(tt.zeros(2), requires_grad=False)
    assert not frozen.requires_grad
    assert type(p * 2) is tt.Tensor  # ops give plain tensors
    data = tt.zeros(3)
    shares = nn.Parameter(data)
    data.array[0] = 5.0
    assert shares.array[0] == 5.0


@pytest.mark.task("3.1")
def test_parameter_repr_matches_pytorch(torch):
    ours = nn.Parameter(tt.tensor([1.0, 2.0]))
    theirs = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
    assert repr(ours) == repr(theirs)


@pytest.mark.task("3.1")
def test_deepcopy_keeps_parameters():
    net = nn.Sequential(nn.Linear(2, 2))
    clone = copy.deepcopy(net)
    assert isinstance(clone[0].weight, nn.Parameter)
    assert clone[0].weight is not net[0].weight
    np.testing.assert_array_equal(clone[0].weight.array, net[0].weight.array)
    clone[0].weight.array[...] = 0
    assert net[0].weight.array.any()


@pytest.mark.task("3.1")
def test_to_double_casts_parameters_and_buffers():
    b = Block().double()
    assert all(p.dtype is tt.float64 for p in b.parameters())
    assert all(t.dtype is tt.float64 for t in b.buffers())
    out = b(tt.randn(2, 3, dtype=tt.float64))
    assert out.dtype is tt.float64


# -- repr ---------------------------------------------------------------------------------------

@pytest.mark.task("3.1")
def test_repr_nested():
    net = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Sequential(nn.Dropout(0.25), nn.Flatten()))
    assert repr(net) == (
        "Sequential(\n"
        "  (0): Linear(in_features=4, out_features=3, bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): Sequential(\n"
        "    (0): Dropout(p=0.25, inplace=False)\n"
        "    (1): Flatten(start_dim=1, end_dim=-1)\n"
        "  )\n"
        ")")


@pytest.mark.task("3.1")
def test_repr_matches_pytorch(torch):
    TN = torch.nn
    ours = nn.Sequential(
        nn.Linear(4, 3, bias=False), nn.LeakyReLU(0.2), nn.GELU(approximate="tanh"),
        nn.ModuleList([nn.Linear(3, 3), nn.Linear(3, 3), nn.Tanh()]),
        nn.ModuleDict({"a": nn.Softmax(dim=1), "b": nn.Identity()}),
        nn.Dropout(), nn.Sigmoid(), nn.SiLU(), nn.LogSoftmax(dim=-1), nn.Flatten(0, 2),
        nn.Unflatten(1, (2, 5)), nn.ELU(), nn.Softplus(), nn.CrossEntropyLoss(), nn.MSELoss())
    theirs = TN.Sequential(
        TN.Linear(4, 3, bias=False), TN.LeakyReLU(0.2), TN.GELU(approximate="tanh"),
        TN.ModuleList([TN.Linear(3, 3), TN.Linear(3, 3), TN.Tanh()]),
        TN.ModuleDict({"a": TN.Softmax(dim=1), "b": TN.Identity()}),
        TN.Dropout(), TN.Sigmoid(), TN.SiLU(), TN.LogSoftmax(dim=-1), TN.Flatten(0, 2),
        TN.Unflatten(1, (2, 5)), TN.ELU(), TN.Softplus(), TN.CrossEntropyLoss(), TN.MSELoss())
    assert repr(ours) == repr(theirs)


@pytest.mark.task("3.1")
def test_extra_repr_custom():
    class Scale(nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = nn.ReLU()

        def extra_repr(self):
            return "factor=2"

    assert repr(Scale()) == "Scale(\n  factor=2\n  (inner): ReLU()\n)"


# -- 3.2 state_dict / load_state_dict ----------------------------------------------------------

@pytest.mark.task("3.2")
def test_state_dict_keys_values_and_detach():
    net = Net()
    sd = net.state_dict()
    assert isinstance(sd, OrderedDict)
    assert list(sd) == ["first.weight", "first.bias", "block.scale", "block.running",
                        "block.fc.weight", "block.fc.bias", "head.0.weight", "head.0.bias",
                        "head.2.weight"]
    for key, value in sd.items():
        assert type(value) is tt.Tensor and not value.requires_grad, key
    np.testing.assert_array_equal(sd["block.fc.weight"].array, net.block.fc.weight.array)
    kept = net.state_dict(keep_vars=True)
    assert kept["first.weight"] is net.first.weight


@pytest.mark.task("3.2")
def test_state_dict_round_trip():
    tt.manual_seed(0)
    a, b = Net(), Net()
    x = tt.randn(5, 4)
    assert not np.allclose(a(x).array, b(x).array)
    a.block.running.array[...] = [1, 2, 3, 4]
    sd = {k: v.clone() for k, v in a.state_dict().items()}
    result = b.load_state_dict(sd)
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert result == ([], [])
    np.testing.assert_array_equal(a(x).array, b(x).array)
    np.testing.assert_array_equal(b.block.running.array, [1, 2, 3, 4])
    # loading copies values: the model does not alias the dict's tensors
    sd["first.bias"].array[...] = 42.0
    assert not (b.first.bias.array == 42.0).any()
    # parameters stay the same Parameter objects (optimizers keep references to them)
    assert isinstance(b.first.weight, nn.Parameter) and b.first.weight.requires_grad


@pytest.mark.task("3.2")
def test_load_state_dict_refuses_lists_and_arrays(torch):
    """Values must be Tensors, as in torch (which raises for a list or an ndarray too)."""
    lin = nn.Linear(2, 3)
    before = lin.weight.array.copy()
    for value in ([[0.0, 1.0]] * 3, np.zeros((3, 2), np.float32)):
        with pytest.raises(RuntimeError, match=f'parameter named "weight", expected a Tensor '
                                               f"from the checkpoint but received "
                                               f"{type(value).__name__}"):
            lin.load_state_dict({"weight": value, "bias": tt.zeros(3)})
        with pytest.raises(RuntimeError, match="expected torch.Tensor or Tensor-like"):
            torch.nn.Linear(2, 3).load_state_dict({"weight": value, "bias": torch.zeros(3)})
    np.testing.assert_array_equal(lin.weight.array, before)
    w = np.arange(6, dtype=np.float32).reshape(3, 2)
    lin.load_state_dict({"weight": tt.from_numpy(w), "bias": tt.zeros(3)})
    np.testing.assert_array_equal(lin.weight.array, w)


@pytest.mark.task("3.2")
def test_load_state_dict_strict_errors_name_keys():
    net = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))
    sd = net.state_dict()
    del sd["1.bias"]
    sd["2.weight"] = tt.zeros(1)
    with pytest.raises(RuntimeError) as info:
        net.load_state_dict(sd)
    text = str(info.value)
    assert "Error(s) in loading state_dict for Sequential" in text
    assert 'Missing key(s) in state_dict: "1.bias"' in text
    assert 'Unexpected key(s) in state_dict: "2.weight"' in text


@pytest.mark.task("3.2")
def test_load_state_dict_non_strict_reports_keys():
    net = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))
    before = net[1].bias.array.copy()
    sd = nn.Sequential(nn.Linear(2, 3)).state_dict()
    sd["extra"] = tt.ones(2)
    result = net.load_state_dict(sd, strict=False)
    assert result.missing_keys == ["1.weight", "1.bias"]
    assert result.unexpected_keys == ["extra"]
    np.testing.assert_array_equal(net[0].weight.array, sd["0.weight"].array)
    np.testing.assert_array_equal(net[1].bias.array, before)


@pytest.mark.task("3.2")
def test_load_state_dict_shape_mismatch_names_key_and_shapes():
    net = nn.Sequential(nn.Linear(2, 3))
    before = net[0].bias.array.copy()
    sd = {"0.weight": tt.zeros(4, 2), "0.bias": tt.ones(3)}
    for strict in (True, False):
        with pytest.raises(RuntimeError) as info:
            net.load_state_dict(sd, strict=strict)
        text = str(info.value)
        assert "size mismatch for 0.weight" in text
        assert "(4, 2)" in text and "(3, 2)" in text
    # nothing was copied when the load failed
    np.testing.assert_array_equal(net[0].bias.array, before)


@pytest.mark.task("3.2")
def test_state_dict_excludes_non_persistent_buffers():
    b = Block()
    assert "scratch" not in b.state_dict() and "running" in b.state_dict()
    sd = b.state_dict()
    b2 = Block()
    assert b2.load_state_dict(sd) == ([], [])


@pytest.mark.task("3.2")
def test_state_dict_loads_into_pytorch_and_back(torch):
    ours = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    theirs.load_state_dict({k: torch.from_numpy(v.array.copy())
                            for k, v in ours.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    np.testing.assert_allclose(ours(tt.tensor(x)).array,
                               theirs(torch.from_numpy(x)).detach().numpy(), rtol=1e-5, atol=1e-6)
    back = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    back.load_state_dict({k: tt.from_numpy(v.detach().numpy())
                        for k, v in theirs.state_dict().items()})
    np.testing.assert_allclose(back(tt.tensor(x)).array, ours(tt.tensor(x)).array, rtol=1e-6)


# -- 3.9 containers ---------------------------------------------------------------------------

@pytest.mark.task("3.9")
def test_sequential_forward_index_slice_append():
    tt.manual_seed(1)
    l1, act, l2 = nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)
    seq = nn.Sequential(l1, act, l2)
    x = tt.randn(5, 3)
    np.testing.assert_allclose(seq(x).array, l2(act(l1(x))).array, rtol=1e-6)
    assert len(seq) == 3 and seq[0] is l1 and seq[-1] is l2
    assert list(seq) == [l1, act, l2]
    head = seq[:2]
    assert isinstance(head, nn.Sequential) and list(head) == [l1, act]
    np.testing.assert_allclose(head(x).array, act(l1(x)).array)
    tail = seq[1:]
    assert list(tail._modules) == ["1", "2"]  # slices keep their keys, as PyTorch
    seq.append(nn.Sigmoid())
    assert len(seq) == 4 and [n for n, _ in seq.named_children()][-1] == "3"
    with pytest.raises(IndexError, match="out of range"):
        seq[10]
    del seq[0]
    assert list(seq._modules) == ["0", "1", "2"] and seq[0] is act
    seq[0] = nn.Tanh()
    assert isinstance(seq[0], nn.Tanh)


@pytest.mark.task("3.9")
def test_sequential_from_ordered_dict():
    seq = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 3)), ("act", nn.ReLU())]))
    assert [n for n, _ in seq.named_parameters()] == ["fc.weight", "fc.bias"]
    assert seq.fc is seq[0]
    assert seq(tt.randn(1, 2)).shape == (1, 3)


@pytest.mark.task("3.9")
def test_module_list_registers():
    class Stack(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
            self.plain = [nn.Linear(2, 2)]  # a plain list is invisible

        def forward(self, x):
            for layer in self.layers:
                x = layer(x)
            return x

    s = Stack()
    assert len(list(s.parameters())) == 6
    assert [n for n, _ in s.named_parameters()][:2] == ["layers.0.weight", "layers.0.bias"]
    assert s(tt.randn(4, 2)).shape == (4, 2)
    s.layers.append(nn.Linear(2, 2))
    s.layers.extend([nn.ReLU()])
    assert len(s.layers) == 5 and isinstance(s.layers[-1], nn.ReLU)
    assert isinstance(s.layers[1:3], nn.ModuleList) and len(s.layers[1:3]) == 2
    del s.layers[0]
    assert list(s.layers._modules) == ["0", "1", "2", "3"]
    s.layers.insert(0, nn.Tanh())
    assert isinstance(s.layers[0], nn.Tanh) and len(s.layers) == 5


@pytest.mark.task("3.9")
def test_module_dict_registers():
    d = nn.ModuleDict({"enc": nn.Linear(2, 3), "dec": nn.Linear(3, 2)})
    assert list(d.keys()) == ["enc", "dec"] and "enc" in d and len(d) == 2
    assert [n for n, _ in d.named_parameters()] == ["enc.weight", "enc.bias", "dec.weight",
                                                    "dec.bias"]
    d["act"] = nn.ReLU()
    assert list(d) == ["enc", "dec", "act"]
    assert isinstance(d.pop("act"), nn.ReLU) and "act" not in d
    d.update([("extra", nn.Identity())])
    assert [k for k, _ in d.items()] == ["enc", "dec", "extra"]


@pytest.mark.task("3.9")
def test_identity_and_flatten():
    x = tt.randn(2, 3, 4, 5)
    assert nn.Identity(54, unused=1)(x) is x
    assert nn.Flatten()(x).shape == (2, 60)
    assert nn.Flatten(0, 1)(x).shape == (6, 4, 5)
    assert nn.Flatten(2)(x).shape == (2, 3, 20)
    np.testing.assert_array_equal(nn.Flatten()(x).array, x.array.reshape(2, 60))
    assert nn.Unflatten(1, (3, 20))(nn.Flatten()(x)).shape == (2, 3, 20)
