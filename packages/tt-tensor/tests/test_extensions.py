"""The two extension points of part 1: op observers, and the gradient recorder that part 2 plugs
into. A test is graded with the task of the latest op it watches; tests of the extension points
alone carry no task."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

import tinytorch.tensor as tt
from tinytorch.tensor import extensions

AUTOGRAD_INSTALLED = importlib.util.find_spec("tinytorch.autograd") is not None
needs_no_autograd = pytest.mark.skipif(
    AUTOGRAD_INSTALLED, reason="tt-autograd is installed: gradients are available")


# -- op observers ---------------------------------------------------------------------------------

@pytest.fixture
def events():
    seen = []
    handle = tt.add_op_observer(seen.append)
    yield seen
    handle.remove()


@pytest.mark.task("1.3")
def test_observer_sees_name_inputs_output_seconds(events):
    a, b = tt.tensor([1.0, 2.0]), tt.tensor([3.0, 4.0])
    out = a + b
    assert len(events) == 1
    ev = events[0]
    assert isinstance(ev, tt.OpEvent)
    assert ev.name == "add"
    assert ev.inputs[0] is a and ev.inputs[1] is b
    assert ev.output is out
    assert isinstance(ev.seconds, float) and ev.seconds >= 0


@pytest.mark.task("1.6")
def test_observer_sees_matmul(events):
    a = tt.ones(2, 3)
    out = a @ tt.ones(3, 4)
    assert [e.name for e in events] == ["matmul"]
    assert events[0].output is out


@pytest.mark.parametrize("call,name", [
    pytest.param(lambda x: x.var(0), "var", marks=pytest.mark.task("1.5")),
    pytest.param(lambda x: x.std(), "std", marks=pytest.mark.task("1.5")),
    pytest.param(lambda x: x.mean(), "mean", marks=pytest.mark.task("1.5")),
    pytest.param(lambda x: x.sum(), "sum", marks=pytest.mark.task("1.5")),
    (lambda x: x.logsumexp(1), "logsumexp"), (lambda x: x.softmax(-1), "softmax"),
    (lambda x: x.log_softmax(1), "log_softmax"),
])
def test_composite_ops_are_reported_once(events, call, name):
    x = tt.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    out = call(x)
    assert [e.name for e in events] == [name]
    assert events[0].output is out and events[0].inputs[0] is x


@pytest.mark.task("1.10")
def test_observer_sees_shape_ops_and_cat(events):
    x = tt.zeros(2, 3)
    x.reshape(3, 2)
    x.permute(1, 0)
    tt.cat([x, x])
    x.unsqueeze(0)
    x[0]
    assert [e.name for e in events] == ["reshape", "permute", "cat", "unsqueeze", "getitem"]


@pytest.mark.task("1.4")
def test_remove_stops_the_observer():
    seen = []
    handle = tt.add_op_observer(seen.append)
    tt.ones(2) * 2
    handle.remove()
    tt.ones(2) * 2
    assert len(seen) == 1
    handle.remove()  # removing twice is harmless
    with tt.add_op_observer(seen.append):
        tt.ones(2).exp()
    tt.ones(2).exp()
    assert [e.name for e in seen] == ["mul", "exp"]


@pytest.mark.task("1.3")
def test_two_observers_both_hear_and_results_are_unchanged():
    first, second = [], []
    with tt.add_op_observer(first.append), tt.add_op_observer(second.append):
        out = tt.tensor([1.0, 2.0]) * 3
    np.testing.assert_array_equal(out.array, [3.0, 6.0])
    assert [e.name for e in first] == [e.name for e in second] == ["mul"]


# -- gradient recorder ----------------------------------------------------------------------------

@needs_no_autograd
@pytest.mark.parametrize("action", [
    lambda: tt.tensor([1.0], requires_grad=True),
    lambda: tt.zeros(2, requires_grad=True),
    lambda: tt.ones(2).requires_grad_(),
    lambda: setattr(tt.ones(2), "requires_grad", True),
    lambda: tt.ones(2).sum().backward(),
    lambda: tt.ones(2).retain_grad(),
    lambda: tt.ones(2).register_hook(lambda g: g),
], ids=["tensor", "zeros", "requires_grad_", "setattr", "backward", "retain_grad", "hook"])
def test_without_autograd_gradients_say_what_to_install(action):
    with pytest.raises(RuntimeError, match="pip install tt-autograd"):
        action()


@needs_no_autograd
def test_without_autograd_no_recorder_is_found():
    assert tt.gradient_recorder() is None
    assert tt.ones(2).requires_grad is False
    tt.ones(2).requires_grad_(False)  # turning it off is always fine


class FakeRecorder:
    """Records what part 1 reports; returns a node so outputs look tracked."""

    def __init__(self):
        self.calls = []

    def record(self, op, inputs, output, saved):
        self.calls.append((op, inputs, output, dict(saved)))
        return ("node", op)

    def is_grad_enabled(self):
        return True

    def backward(self, tensor, gradient, retain_graph, create_graph):
        self.calls.append(("backward", tensor, gradient, retain_graph, create_graph))

    def retain_grad(self, tensor):
        pass

    def register_hook(self, tensor, hook):
        return None


@pytest.fixture
def recorder():
    previous = extensions._recorder
    fake = FakeRecorder()
    tt.register_gradient_recorder(fake)
    try:
        yield fake
    finally:
        tt.register_gradient_recorder(previous)


@pytest.mark.task("1.3")
def test_recorder_receives_binary_op(recorder):
    a = tt.tensor([1.0, 2.0], requires_grad=True)
    b = tt.tensor([3.0, 4.0])
    out = a * b
    assert len(recorder.calls) == 1
    op, inputs, output, saved = recorder.calls[0]
    assert op == "mul" and inputs[0] is a and inputs[1] is b and output is out
    assert out.grad_fn == ("node", "mul") and out.requires_grad and not out.is_leaf
    np.testing.assert_array_equal(out.array, [3.0, 8.0])
    assert "grad_fn=<tuple>" in repr(out)
    assert repr(a) == "tensor([1., 2.], requires_grad=True)"


@pytest.mark.task("1.3")
def test_recorder_receives_scalar_operand_as_tensor(recorder):
    a = tt.tensor([1.0, 2.0], requires_grad=True)
    _ = 2.0 - a
    op, inputs, _, _ = recorder.calls[0]
    assert op == "sub" and inputs[1] is a
    assert isinstance(inputs[0], tt.Tensor) and inputs[0].shape == () and inputs[0].item() == 2.0


@pytest.mark.task("1.10")
def test_recorder_hears_nothing_without_requires_grad(recorder):
    a, b = tt.tensor([1.0, 2.0]), tt.tensor([3.0, 4.0])
    out = (a * b).sum().exp()
    a.reshape(2, 1)[0]
    assert recorder.calls == []
    assert out.grad_fn is None and not out.requires_grad


@pytest.mark.task("1.4")
def test_recorder_receives_unary_and_clamp(recorder):
    a = tt.tensor([-1.0, 2.0], requires_grad=True)
    a.exp()
    a.clamp(0.0, 1.0)
    assert [c[0] for c in recorder.calls] == ["exp", "clamp"]
    assert recorder.calls[1][3] == {"min": 0.0, "max": 1.0}


@pytest.mark.task("1.5")
def test_recorder_receives_reductions_with_saved_dims(recorder):
    a = tt.ones(2, 3, requires_grad=True)
    a.sum(-1, keepdim=True)
    a.amax((0, 1))
    values, indices = a.max(1)
    op, inputs, output, saved = recorder.calls[0]
    assert op == "sum" and saved == {"dim": (1,), "keepdim": True}
    assert recorder.calls[1][0] == "amax" and recorder.calls[1][3]["dim"] == (0, 1)
    assert recorder.calls[2][0] == "max_dim" and recorder.calls[2][2] is values
    assert indices.grad_fn is None


@pytest.mark.task("1.6")
def test_recorder_receives_matmul(recorder):
    a = tt.ones(2, 3, requires_grad=True)
    b = tt.ones(3, 4)
    out = a @ b
    assert recorder.calls == [("matmul", (a, b), out, {})]


@pytest.mark.task("1.7")
def test_recorder_receives_reshape_with_shape(recorder):
    a = tt.ones(2, 3, requires_grad=True)
    a.reshape(3, 2)
    assert recorder.calls[0][0] == "reshape" and recorder.calls[0][3] == {"shape": (2, 3)}


@pytest.mark.task("1.8")
def test_recorder_receives_permute_with_dims(recorder):
    a = tt.ones(2, 3, 4, requires_grad=True)
    a.permute(2, 0, 1)
    assert recorder.calls[0][0] == "permute" and recorder.calls[0][3] == {"dims": (2, 0, 1)}


@pytest.mark.task("1.9")
def test_recorder_receives_expand_with_shape(recorder):
    a = tt.ones(3, 1, requires_grad=True)
    a.expand(2, 3, 4)
    assert recorder.calls[0][0] == "expand" and recorder.calls[0][3] == {"shape": (3, 1)}


@pytest.mark.task("1.10")
def test_recorder_receives_getitem_with_index(recorder):
    a = tt.ones(4, 3, requires_grad=True)
    out = a[1:3, 0]
    op, inputs, output, saved = recorder.calls[0]
    assert op == "getitem" and inputs == (a,) and output is out
    assert saved["index"] == (slice(1, 3), 0)


@pytest.mark.task("1.11")
def test_recorder_receives_unfold(recorder):
    a = tt.ones(2, 8, requires_grad=True)
    a.unfold(1, 3, 2)
    assert recorder.calls[0][0] == "unfold"
    assert recorder.calls[0][3] == {"dimension": 1, "size": 3, "step": 2, "shape": (2, 8)}


@pytest.mark.task("1.5")
def test_backward_is_delegated_to_the_recorder(recorder):
    a = tt.ones(2, requires_grad=True)
    out = a.sum()
    out.backward()
    assert recorder.calls[-1] == ("backward", out, None, None, False)


def test_only_float_tensors_can_require_grad(recorder):
    with pytest.raises(RuntimeError, match="floating point"):
        tt.tensor([1, 2], requires_grad=True)
    a = tt.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="Use tensor.detach"):
        a.numpy()
    d = a.detach()
    assert not d.requires_grad and np.shares_memory(d.array, a.array)
