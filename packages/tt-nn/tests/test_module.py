"""Module and containers: registration (3.1), traversal (3.2), modes (3.3), calling and hooks
(3.4), state_dict (3.5), load_state_dict (3.6), Sequential (3.7), repr.

These tasks come before Linear (3.10), so the models here are made of ``Affine``, a layer written
with plain Parameters. PyTorch is the oracle for names and order (``named_parameters``,
``state_dict`` keys) and for the repr text, when it is installed; the other tests state the
expected values directly.
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


class Affine(nn.Module):
    """``x @ weight.T + bias`` with plain Parameters: the same names and shapes as Linear."""

    def __init__(self, n_in: int, n_out: int, bias: bool = True) -> None:
        super().__init__()
        self.weight = nn.Parameter(tt.randn(n_out, n_in))
        if bias:
            self.bias = nn.Parameter(tt.zeros(n_out))
        else:
            self.register_parameter("bias", None)

    def forward(self, x):
        out = x.matmul(self.weight.t())
        return out if self.bias is None else out + self.bias


class Stack(nn.Module):
    """Children registered under "0", "1", ... (what Sequential does), called in order."""

    def __init__(self, *modules: nn.Module) -> None:
        super().__init__()
        for i, module in enumerate(modules):
            setattr(self, str(i), module)

    def forward(self, x):
        for module in self._modules.values():
            x = module(x)
        return x


class Block(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = Affine(3, 4)
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
        self.first = Affine(4, 3)
        self.block = Block()
        self.head = Stack(Affine(4, 2), nn.Tanh(), Affine(2, 1, bias=False))

    def forward(self, x):
        return self.head(self.block(self.first(x).relu()[:, :3]))


def _torch_net(torch):
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

    return TorchNet()


# -- 3.1 registration ---------------------------------------------------------------------------

@pytest.mark.task("3.1")
def test_assignment_registers_parameters_modules_and_buffers():
    b = Block()
    assert list(b._parameters) == ["scale"]
    assert list(b._modules) == ["fc", "act"]
    assert list(b._buffers) == ["running", "scratch"]
    assert "note" in b.__dict__ and "scale" not in b.__dict__ and "fc" not in b.__dict__
    assert b.scale is b._parameters["scale"] and b.fc is b._modules["fc"]
    assert b.running is b._buffers["running"]
    assert b.note == "plain attribute"
    assert list(b.fc._parameters) == ["weight", "bias"]
    with pytest.raises(AttributeError, match="'Block' object has no attribute 'missing'"):
        b.missing  # noqa: B018


@pytest.mark.task("3.1")
def test_reassignment_and_deletion():
    m = Block()
    with pytest.raises(TypeError, match="cannot assign 'Tensor' as parameter 'scale'"):
        m.scale = tt.ones(4)
    m.scale = None  # a declared but absent parameter
    assert "scale" in m._parameters and m.scale is None
    m.fc = Affine(3, 5)  # replacing a child
    assert m.fc.weight.shape == (5, 3) and list(m._modules) == ["fc", "act"]
    m.running = tt.ones(4)  # a buffer stays a buffer
    assert m._buffers["running"] is m.running and "running" not in m.__dict__
    with pytest.raises(TypeError, match="cannot assign 'int' as module 'act'"):
        m.act = 3
    del m.act
    assert "act" not in m._modules
    m.extra = nn.Parameter(tt.zeros(1))
    assert list(m._parameters) == ["scale", "extra"]
    m.note = nn.Parameter(tt.zeros(1))  # a plain attribute becomes a parameter
    assert "note" not in m.__dict__ and list(m._parameters) == ["scale", "extra", "note"]


@pytest.mark.task("3.1")
def test_reassigning_a_parameter_keeps_its_place():
    a, b = Affine(2, 2), Affine(2, 2)
    b.weight = a.weight  # weight tying: the entry keeps its position (before the bias)
    assert list(b._parameters) == ["weight", "bias"] and b.weight is a.weight
    holder = Stack(a, b)
    holder.add_module("x", nn.ReLU())
    holder.x = nn.Tanh()
    holder.add_module("y", nn.ReLU())
    holder.x = nn.Sigmoid()
    assert list(holder._modules) == ["0", "1", "x", "y"]
    assert isinstance(holder.x, nn.Sigmoid)


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
    m.plain = 1
    with pytest.raises(KeyError, match="attribute 'plain' already exists"):
        m.register_buffer("plain", tt.zeros(1))


@pytest.mark.task("3.1")
def test_get_buffer_half_and_dir():
    model = Stack(Affine(2, 2))
    child = getattr(model, "0")
    child.register_buffer("count", tt.zeros(1))
    assert model.get_buffer("0.count") is child.count
    assert model.get_parameter("0.weight") is child.weight
    with pytest.raises(AttributeError):
        model.get_buffer("0.weight")
    assert "0" not in dir(model) and "count" in dir(child)  # PyTorch hides names of digits


@pytest.mark.task("3.1")
def test_apply_visits_children_first():
    net = Stack(Affine(2, 2), Stack(nn.ReLU()))
    seen = []
    assert net.apply(lambda m: seen.append(type(m).__name__)) is net
    assert seen == ["Affine", "ReLU", "Stack", "Stack"]


@pytest.mark.task("3.1")
def test_deepcopy_keeps_parameters():
    net = Stack(Affine(2, 2))
    clone = copy.deepcopy(net)
    original, copied = getattr(net, "0"), getattr(clone, "0")
    assert isinstance(copied.weight, nn.Parameter) and copied.weight is not original.weight
    np.testing.assert_array_equal(copied.weight.array, original.weight.array)
    copied.weight.array[...] = 0
    assert original.weight.array.any()


@pytest.mark.task("3.1")
def test_extra_repr_custom():
    class Scale(nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = nn.ReLU()

        def extra_repr(self):
            return "factor=2"

    assert repr(Scale()) == "Scale(\n  factor=2\n  (inner): ReLU()\n)"


# -- 3.2 traversal --------------------------------------------------------------------------------

@pytest.mark.task("3.2")
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
    assert [n for n, _ in net.block.named_parameters(prefix="b")][:2] == ["b.scale", "b.fc.weight"]
    assert net.num_parameters() == 12 + 3 + 4 + 12 + 4 + 8 + 2 + 2


@pytest.mark.task("3.2")
def test_named_parameters_order_matches_pytorch(torch):
    ours, theirs = Net(), _torch_net(torch)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert [n for n, _ in ours.named_children()] == [n for n, _ in theirs.named_children()]


@pytest.mark.task("3.2")
def test_shared_parameter_and_module_listed_once():
    a, b = Affine(2, 2), Affine(2, 2)
    b.weight = a.weight
    net = Stack(a, b)
    assert len(list(net.parameters())) == 3
    assert [n for n, _ in net.named_parameters()] == ["0.weight", "0.bias", "1.bias"]
    assert [n for n, _ in net.named_parameters(remove_duplicate=False)] == [
        "0.weight", "0.bias", "1.weight", "1.bias"]
    shared = Affine(2, 2)
    twice = Stack(shared, shared)
    assert len(list(twice.modules())) == 2 and len(list(twice.parameters())) == 2
    assert [n for n, _ in twice.named_modules()] == ["", "0"]


@pytest.mark.task("3.2")
def test_buffers_children_modules():
    net = Net()
    assert [n for n, _ in net.named_buffers()] == ["block.running", "block.scratch"]
    assert len(list(net.buffers())) == 2
    assert [type(c).__name__ for c in net.children()] == ["Affine", "Block", "Stack"]
    assert [n for n, _ in net.named_modules()] == ["", "first", "block", "block.fc", "block.act",
                                                   "head", "head.0", "head.1", "head.2"]
    assert net.get_submodule("head.2") is getattr(net.head, "2")
    assert net.get_parameter("block.fc.bias") is net.block.fc.bias
    with pytest.raises(AttributeError, match="no submodule `nope`"):
        net.get_submodule("head.nope")


@pytest.mark.task("3.2")
def test_to_double_casts_parameters_and_buffers():
    b = Block()
    assert b.double() is b
    assert all(p.dtype is tt.float64 for p in b.parameters())
    assert all(t.dtype is tt.float64 for t in b.buffers())
    assert b.half().fc.weight.dtype is tt.float16


@pytest.mark.task("3.2")
def test_module_list_and_dict_register():
    class Layers(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList([Affine(2, 2) for _ in range(3)])
            self.plain = [Affine(2, 2)]  # a plain list is invisible

    s = Layers()
    assert len(list(s.parameters())) == 6
    assert [n for n, _ in s.named_parameters()][:2] == ["layers.0.weight", "layers.0.bias"]
    s.layers.append(Affine(2, 2))
    s.layers.extend([nn.ReLU()])
    assert len(s.layers) == 5 and isinstance(s.layers[-1], nn.ReLU)
    assert isinstance(s.layers[1:3], nn.ModuleList) and len(s.layers[1:3]) == 2
    del s.layers[0]
    assert list(s.layers._modules) == ["0", "1", "2", "3"]
    s.layers.insert(0, nn.Tanh())
    assert isinstance(s.layers[0], nn.Tanh) and len(s.layers) == 5
    d = nn.ModuleDict({"enc": Affine(2, 3), "dec": Affine(3, 2)})
    assert list(d.keys()) == ["enc", "dec"] and "enc" in d and len(d) == 2
    assert [n for n, _ in d.named_parameters()] == ["enc.weight", "enc.bias", "dec.weight",
                                                    "dec.bias"]
    d["act"] = nn.ReLU()
    assert list(d) == ["enc", "dec", "act"]
    assert isinstance(d.pop("act"), nn.ReLU) and "act" not in d
    d.update([("extra", nn.Identity())])
    assert [k for k, _ in d.items()] == ["enc", "dec", "extra"]
    ml = nn.ModuleList([nn.ReLU(), nn.Tanh(), nn.Sigmoid()])
    assert type(ml.pop(-2)).__name__ == "Tanh" and list(ml._modules) == ["0", "1"]
    md = nn.ModuleDict({"a": nn.ReLU()})
    md.update(nn.ModuleDict({"b": nn.Tanh()}))
    assert list(md) == ["a", "b"]
    with pytest.raises(ValueError):
        md.update([("d", nn.ReLU(), 3)])


@pytest.mark.task("3.2")
def test_parameter_list_and_dict():
    plist = nn.ParameterList([nn.Parameter(tt.ones(2, 3)), tt.zeros(2)])
    plist.append(tt.ones(1))
    holder = nn.Module()
    holder.plist = plist
    assert [k for k, _ in holder.named_parameters()] == ["plist.0", "plist.1", "plist.2"]
    assert isinstance(plist[1], nn.Parameter) and plist[-1].shape == (1,)
    assert "(0): Parameter containing: [tinytorch.float32 of size 2x3]" in repr(plist)
    pdict = nn.ParameterDict({"a": tt.ones(2), "b": nn.Parameter(tt.zeros(1))})
    pdict["c"] = tt.ones(3)
    assert isinstance(pdict.pop("a"), nn.Parameter)
    assert list(pdict.keys()) == ["b", "c"] and "b" in pdict and len(pdict) == 2
    assert [k for k, _ in pdict.named_parameters()] == ["b", "c"]


# -- 3.3 modes and gradients ----------------------------------------------------------------------

@pytest.mark.task("3.3")
def test_train_eval_propagate():
    net = Stack(Affine(2, 2), Stack(nn.Dropout(0.5), nn.ReLU()))
    assert all(m.training for m in net.modules())
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    getattr(net, "1").train()
    assert [m.training for m in net.modules()] == [False, False, True, True, True]
    net.train()
    assert all(m.training for m in net.modules())
    with pytest.raises(ValueError, match="boolean"):
        net.train("no")


@pytest.mark.task("3.3")
def test_zero_grad_and_requires_grad_():
    net = Stack(Affine(3, 2), Affine(2, 1))

    def backward():
        loss = tt.zeros(())
        for p in net.parameters():
            loss = loss + (p * p).sum()
        loss.backward()

    backward()
    for p in net.parameters():
        np.testing.assert_allclose(p.grad.array, 2 * p.array, rtol=1e-6)
    grads = [p.grad for p in net.parameters()]
    net.zero_grad(set_to_none=False)
    assert all(p.grad is g and not g.array.any() for p, g in zip(net.parameters(), grads))
    backward()
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    assert net.requires_grad_(False) is net
    assert not any(p.requires_grad for p in net.parameters())
    net.requires_grad_()
    assert all(p.requires_grad for p in net.parameters())


# -- 3.4 calling: forward and hooks ---------------------------------------------------------------

@pytest.mark.task("3.4")
def test_call_runs_forward_and_hooks_run_modify_and_remove():
    with pytest.raises(NotImplementedError, match='missing the required "forward"'):
        nn.Module()(tt.zeros(1))
    layer = Affine(2, 2)
    calls = []
    pre = layer.register_forward_pre_hook(lambda m, args: calls.append(("pre", args[0].shape)))
    post = layer.register_forward_hook(lambda m, args, out: calls.append(("post", out.shape)))
    x = tt.randn(5, 2)
    expected = x.array @ layer.weight.array.T + layer.bias.array
    np.testing.assert_allclose(layer(x).array, expected, rtol=1e-6)
    assert calls == [("pre", (5, 2)), ("post", (5, 2))]
    pre.remove()
    post.remove()
    layer(x)
    assert len(calls) == 2
    # a pre-hook may replace the input, a forward hook the output
    h1 = layer.register_forward_pre_hook(lambda m, args: args[0] * 0)
    h2 = layer.register_forward_hook(lambda m, args, out: out + 100.0)
    np.testing.assert_allclose(layer(x).array,
                               np.broadcast_to(layer.bias.array + 100.0, (5, 2)), rtol=1e-6)
    h1.remove()
    h2.remove()
    np.testing.assert_allclose(layer(x).array, expected, rtol=1e-6)


@pytest.mark.task("3.4")
def test_forward_hooks_see_submodules_in_order():
    net = Stack(Affine(3, 4), nn.ReLU(), Affine(4, 2))
    shapes = []
    for m in net.children():
        m.register_forward_hook(lambda m, a, o: shapes.append((type(m).__name__, o.shape)))
    net(tt.randn(6, 3))
    assert shapes == [("Affine", (6, 4)), ("ReLU", (6, 4)), ("Affine", (6, 2))]


@pytest.mark.task("3.4")
def test_hooks_prepend_with_kwargs_and_always_call():
    m, log = nn.Identity(), []
    m.register_forward_hook(lambda mod, args, out: log.append("first"))
    m.register_forward_hook(lambda mod, args, out: log.append("prepended"), prepend=True)
    m.register_forward_pre_hook(lambda mod, args, kwargs: ((args[0] * 2,), kwargs),
                                with_kwargs=True)
    m.register_forward_hook(lambda mod, args, kwargs, out: out + 1, with_kwargs=True)
    out = m(tt.ones(2))
    assert log == ["prepended", "first"]
    np.testing.assert_array_equal(out.array, [3.0, 3.0])
    with m.register_forward_hook(lambda mod, a, o: log.append("ctx")):  # handle as context
        m(tt.ones(1))
    m(tt.ones(1))
    assert log.count("ctx") == 1
    bad = nn.Identity()
    bad.register_forward_pre_hook(lambda mod, args, kwargs: "oops", with_kwargs=True)
    with pytest.raises(RuntimeError, match="must return None or a tuple"):
        bad(tt.ones(1))

    class Broken(nn.Module):
        def forward(self, x):
            raise ValueError("boom")

    broken, seen = Broken(), []
    broken.register_forward_hook(lambda mod, a, o: seen.append(o), always_call=True)
    broken.register_forward_hook(lambda mod, a, o: seen.append("not always"))
    with pytest.raises(ValueError, match="boom"):
        broken(tt.ones(1))
    assert seen == [None]


@pytest.mark.task("3.4")
def test_identity_and_flatten():
    x = tt.randn(2, 3, 4, 5)
    assert nn.Identity(54, unused=1)(x) is x
    assert nn.Flatten()(x).shape == (2, 60)
    assert nn.Flatten(0, 1)(x).shape == (6, 4, 5)
    assert nn.Flatten(2)(x).shape == (2, 3, 20)
    np.testing.assert_array_equal(nn.Flatten()(x).array, x.array.reshape(2, 60))
    assert nn.Unflatten(1, (3, 20))(nn.Flatten()(x)).shape == (2, 3, 20)


# -- 3.5 state_dict -------------------------------------------------------------------------------

@pytest.mark.task("3.5")
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
    sd["first.bias"].array[0] = 7.0  # detached, but sharing memory with the model
    assert net.first.bias.array[0] == 7.0
    kept = net.state_dict(keep_vars=True)
    assert kept["first.weight"] is net.first.weight
    assert list(net.block.state_dict(prefix="b.")) == ["b.scale", "b.running", "b.fc.weight",
                                                       "b.fc.bias"]


@pytest.mark.task("3.5")
def test_state_dict_keys_match_pytorch(torch):
    assert list(Net().state_dict()) == list(_torch_net(torch).state_dict())
    tied = Stack(Affine(2, 2), Affine(2, 2))
    getattr(tied, "1").weight = getattr(tied, "0").weight
    assert list(tied.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]


# -- 3.6 load_state_dict --------------------------------------------------------------------------

@pytest.mark.task("3.6")
def test_state_dict_round_trip():
    tt.manual_seed(0)
    a, b = Net(), Net()
    assert not np.allclose(a.first.weight.array, b.first.weight.array)
    a.block.running.array[...] = [1, 2, 3, 4]
    sd = {k: v.clone() for k, v in a.state_dict().items()}
    weight = b.first.weight
    result = b.load_state_dict(sd)
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert result == ([], []) and repr(result) == "<All keys matched successfully>"
    for (name, p), q in zip(a.named_parameters(), b.parameters()):
        np.testing.assert_array_equal(p.array, q.array, err_msg=name)
    np.testing.assert_array_equal(b.block.running.array, [1, 2, 3, 4])
    # loading copies values: the model does not alias the dict's tensors
    sd["first.bias"].array[...] = 42.0
    assert not (b.first.bias.array == 42.0).any()
    # parameters stay the same Parameter objects (optimizers keep references to them)
    assert b.first.weight is weight and weight.requires_grad


@pytest.mark.task("3.6")
def test_load_state_dict_refuses_lists_and_arrays(torch):
    """Values must be Tensors, as in torch (which raises for a list or an ndarray too)."""
    layer = Affine(2, 3)
    before = layer.weight.array.copy()
    for value in ([[0.0, 1.0]] * 3, np.zeros((3, 2), np.float32)):
        with pytest.raises(RuntimeError, match=f'parameter named "weight", expected a Tensor '
                                               f"from the checkpoint but received "
                                               f"{type(value).__name__}"):
            layer.load_state_dict({"weight": value, "bias": tt.zeros(3)})
        with pytest.raises(RuntimeError, match="expected torch.Tensor or Tensor-like"):
            torch.nn.Linear(2, 3).load_state_dict({"weight": value, "bias": torch.zeros(3)})
    np.testing.assert_array_equal(layer.weight.array, before)
    w = np.arange(6, dtype=np.float32).reshape(3, 2)
    layer.load_state_dict({"weight": tt.from_numpy(w), "bias": tt.zeros(3)})
    np.testing.assert_array_equal(layer.weight.array, w)


@pytest.mark.task("3.6")
def test_load_state_dict_strict_errors_name_keys():
    net = Stack(Affine(2, 3), Affine(3, 1))
    sd = net.state_dict()
    del sd["1.bias"]
    sd["2.weight"] = tt.zeros(1)
    with pytest.raises(RuntimeError) as info:
        net.load_state_dict(sd)
    text = str(info.value)
    assert "Error(s) in loading state_dict for Stack" in text
    assert 'Missing key(s) in state_dict: "1.bias"' in text
    assert 'Unexpected key(s) in state_dict: "2.weight"' in text


@pytest.mark.task("3.6")
def test_load_state_dict_non_strict_reports_keys():
    net = Stack(Affine(2, 3), Affine(3, 1))
    before = getattr(net, "1").bias.array.copy()
    sd = Stack(Affine(2, 3)).state_dict()
    sd["extra"] = tt.ones(2)
    result = net.load_state_dict(sd, strict=False)
    assert result.missing_keys == ["1.weight", "1.bias"]
    assert result.unexpected_keys == ["extra"]
    assert "missing_keys=['1.weight', '1.bias']" in repr(result)
    np.testing.assert_array_equal(getattr(net, "0").weight.array, sd["0.weight"].array)
    np.testing.assert_array_equal(getattr(net, "1").bias.array, before)


@pytest.mark.task("3.6")
def test_load_state_dict_shape_mismatch_names_key_and_shapes():
    net = Stack(Affine(2, 3))
    before = getattr(net, "0").bias.array.copy()
    sd = {"0.weight": tt.zeros(4, 2), "0.bias": tt.ones(3)}
    for strict in (True, False):
        with pytest.raises(RuntimeError) as info:
            net.load_state_dict(sd, strict=strict)
        text = str(info.value)
        assert "size mismatch for 0.weight" in text
        assert "(4, 2)" in text and "(3, 2)" in text
    # nothing was copied when the load failed
    np.testing.assert_array_equal(getattr(net, "0").bias.array, before)


@pytest.mark.task("3.6")
def test_state_dict_excludes_non_persistent_buffers():
    b = Block()
    assert "scratch" not in b.state_dict() and "running" in b.state_dict()
    b.running.array[...] = 5.0
    b2 = Block()
    assert b2.load_state_dict(b.state_dict()) == ([], [])
    np.testing.assert_array_equal(b2.running.array, 5.0)


@pytest.mark.task("3.6")
def test_load_state_dict_assign():
    layer = Affine(2, 1)
    new_weight = tt.full((1, 2), 3.0)
    layer.load_state_dict({"weight": new_weight, "bias": tt.zeros(1)}, assign=True)
    assert isinstance(layer.weight, nn.Parameter) and layer.weight.requires_grad
    np.testing.assert_array_equal(layer.weight.array, new_weight.array)
    assert [p.shape for p in layer.parameters()] == [(1, 2), (1,)]


@pytest.mark.task("3.6")
def test_state_dict_moves_into_pytorch_and_back(torch):
    ours, theirs = Net(), _torch_net(torch)
    theirs.load_state_dict({k: torch.from_numpy(v.array.copy())
                            for k, v in ours.state_dict().items()})
    for (name, p), q in zip(ours.named_parameters(), theirs.parameters()):
        np.testing.assert_array_equal(p.array, q.detach().numpy(), err_msg=name)
    with torch.no_grad():
        for q in theirs.parameters():
            q.mul_(2)
    back = Net()
    back.load_state_dict({k: tt.from_numpy(v.numpy().copy())
                          for k, v in theirs.state_dict().items()})
    for (name, p), q in zip(back.named_parameters(), ours.parameters()):
        np.testing.assert_array_equal(p.array, 2 * q.array, err_msg=name)


# -- 3.7 Sequential -------------------------------------------------------------------------------

@pytest.mark.task("3.7")
def test_sequential_forward_index_slice_append():
    tt.manual_seed(1)
    l1, act, l2 = Affine(3, 4), nn.ReLU(), Affine(4, 2)
    seq = nn.Sequential(l1, act, l2)
    x = tt.randn(5, 3)
    np.testing.assert_allclose(seq(x).array, l2(act(l1(x))).array, rtol=1e-6)
    assert list(seq._modules) == ["0", "1", "2"]
    assert len(seq) == 3 and seq[0] is l1 and seq[-1] is l2
    assert list(seq) == [l1, act, l2]
    assert [n for n, _ in seq.named_parameters()] == ["0.weight", "0.bias", "2.weight", "2.bias"]
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


@pytest.mark.task("3.7")
def test_sequential_from_ordered_dict():
    seq = nn.Sequential(OrderedDict([("fc", Affine(2, 3)), ("act", nn.ReLU())]))
    assert [n for n, _ in seq.named_parameters()] == ["fc.weight", "fc.bias"]
    assert seq.fc is seq[0]
    x = tt.randn(1, 2)
    np.testing.assert_allclose(seq(x).array, seq.fc(x).relu().array)


@pytest.mark.task("3.7")
def test_sequential_list_operations_like_pytorch():
    s = nn.Sequential(Affine(1, 2), nn.ReLU(), Affine(2, 1))
    assert type(s.pop(1)).__name__ == "ReLU" and list(s._modules) == ["0", "1"]
    s2 = s + nn.Sequential(nn.Tanh())
    assert isinstance(s2, nn.Sequential) and len(s2) == 3 and list(s2._modules) == ["0", "1", "2"]
    s += nn.Sequential(nn.Sigmoid())
    assert len(s) == 3
    doubled = nn.Sequential(nn.Tanh()) * 2
    assert len(doubled) == 2 and doubled[0] is doubled[1]
    with pytest.raises(IndexError):
        s.insert(10, nn.ReLU())
    named = nn.Sequential(OrderedDict(fc=Affine(1, 1), act=nn.ReLU(), out=nn.Tanh()))
    del named[1]
    assert list(named._modules) == ["0", "1"]  # PyTorch renumbers after a deletion


# -- repr (uses the real layers) ------------------------------------------------------------------

@pytest.mark.task("3.10")
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


@pytest.mark.task("3.10")
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


# -- Parameter (given, not a task) ---------------------------------------------------------------

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


def test_parameter_repr_matches_pytorch(torch):
    ours = nn.Parameter(tt.tensor([1.0, 2.0]))
    theirs = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
    assert repr(ours) == repr(theirs)
