"""The transformer block and the whole GPT against nanoGPT in PyTorch with identical weights,
loading a nanoGPT state dict, nanoGPT's initialisation, causal masking end to end, and the
cache protocol through the whole model."""

from __future__ import annotations

import math

import numpy as np
import pytest

import tinytorch.tensor as tt
from tinytorch.text import GPT, GPTConfig, TransformerBlock
from tinytorch.text.cache import ConcatCache

SMALL = dict(block_size=16, vocab_size=37, n_layer=2, n_head=4, n_embd=32)


def _randomize(module, seed=0):
    """Random weights everywhere (biases and norms too, so that every parameter matters)."""
    rng = np.random.default_rng(seed)
    for p in module.parameters():
        p.array[...] = rng.standard_normal(p.shape) * 0.3


def _ids(B=3, T=16, V=37, seed=0):
    return np.random.default_rng(seed).integers(0, V, (B, T))


# -- 5.12 the block ---------------------------------------------------------------------------


@pytest.mark.task("5.12")
def test_block_against_nanogpt(torch, nanogpt, torch_state):
    ours = TransformerBlock(32, 4)
    _randomize(ours)
    theirs = nanogpt.Block(32, 4)
    theirs.load_state_dict(torch_state(ours.state_dict()))
    x = np.random.default_rng(1).standard_normal((2, 7, 32)).astype(np.float32)
    xt, tx = tt.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, ref = ours(xt), theirs(tx)
    np.testing.assert_allclose(out.array, ref.detach().numpy(), atol=1e-5)
    out.sum().backward()
    ref.sum().backward()
    np.testing.assert_allclose(xt.grad.array, tx.grad.numpy(), atol=1e-4)
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.array, theirs.get_parameter(name).grad.numpy(),
                                   atol=1e-4, err_msg=name)


@pytest.mark.task("5.12")
def test_block_is_two_residual_branches():
    block = TransformerBlock(16, 2, bias=False)
    x = tt.tensor(np.random.default_rng(2).standard_normal((1, 5, 16)).astype(np.float32))
    a = x + block.attn(block.ln_1(x))
    np.testing.assert_allclose(block(x).array, (a + block.mlp(block.ln_2(a))).array, atol=1e-6)
    y, w = block(x, need_weights=True)
    assert w.shape == (1, 2, 5, 5)
    np.testing.assert_allclose(y.array, block(x).array, atol=1e-6)


# -- 5.13 GPT ---------------------------------------------------------------------------------


@pytest.mark.task("5.13")
def test_nanogpt_state_dict_loads_and_logits_match(torch, nanogpt):
    torch.manual_seed(0)
    theirs = nanogpt.GPT(**SMALL)
    ours = GPT(GPTConfig(**SMALL))
    result = ours.load_nanogpt_state_dict(theirs.state_dict())  # PyTorch tensors
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert ours.lm_head.weight is ours.transformer.wte.weight  # still tied
    ids = _ids()
    logits, _ = ours(tt.tensor(ids))
    ref, _ = theirs(torch.from_numpy(ids))
    assert logits.shape == (3, 16, 37)
    np.testing.assert_allclose(logits.array, ref.detach().numpy(), atol=1e-4, rtol=0)


@pytest.mark.task("5.13")
def test_nanogpt_checkpoint_quirks_load(torch, nanogpt):
    theirs = nanogpt.GPT(**SMALL)
    state = {"_orig_mod." + k: v for k, v in theirs.state_dict().items()}  # torch.compile-d
    state["transformer.h.0.attn.bias"] = torch.ones(1, 1, 16, 16).tril()  # non-flash buffer
    ours = GPT(GPTConfig(**SMALL))
    ours.load_nanogpt_state_dict(state)
    ids = _ids(1, 8)
    np.testing.assert_allclose(ours(tt.tensor(ids))[0].array,
                               theirs(torch.from_numpy(ids))[0].detach().numpy(), atol=1e-4)
    with pytest.raises(RuntimeError, match="size mismatch"):
        GPT(GPTConfig(**{**SMALL, "n_embd": 16})).load_nanogpt_state_dict(theirs.state_dict())


@pytest.mark.task("5.13")
def test_loss_and_every_gradient_match_nanogpt(torch, nanogpt, torch_state):
    ours = GPT(GPTConfig(**SMALL))
    _randomize(ours, seed=3)
    theirs = nanogpt.GPT(**SMALL)
    theirs.load_state_dict(torch_state(ours.state_dict()))
    ids, targets = _ids(seed=1), _ids(seed=2)
    targets[0, :4] = -1  # ignored positions, as nanoGPT's ignore_index=-1
    _, loss = ours(tt.tensor(ids), tt.tensor(targets))
    _, ref = theirs(torch.from_numpy(ids), torch.from_numpy(targets))
    np.testing.assert_allclose(loss.item(), ref.item(), rtol=1e-5)
    loss.backward()
    ref.backward()
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.array, theirs.get_parameter(name).grad.numpy(),
                                   atol=2e-5, rtol=1e-3, err_msg=name)


@pytest.mark.task("5.13")
def test_nanogpt_initialisation():
    tt.manual_seed(0)
    cfg = GPTConfig(block_size=64, vocab_size=65, n_layer=4, n_head=4, n_embd=128)
    model = GPT(cfg)
    assert model.num_parameters() == 801_664  # nanoGPT prints 0.80M (without wpe)
    assert model.num_parameters(non_embedding=False) == 801_664 + 64 * 128
    params = dict(model.named_parameters())
    assert "lm_head.weight" not in params  # tied: listed once, as transformer.wte.weight
    for name, p in params.items():
        std = p.array.std()
        if name.endswith("c_proj.weight"):
            assert abs(std - 0.02 / math.sqrt(8)) < 5e-4, name
        elif name.endswith(".bias"):
            assert not p.array.any(), name
        elif "ln" in name:
            np.testing.assert_array_equal(p.array, 1.0)
        else:
            assert abs(std - 0.02) < 1e-3, name
    _, loss = model(tt.tensor(_ids(12, 64, 65)), tt.tensor(_ids(12, 64, 65, seed=9)))
    assert abs(loss.item() - math.log(65)) < 0.1  # uniform predictions at the start


@pytest.mark.task("5.13")
def test_causal_masking_leaks_nothing():
    model = GPT(GPTConfig(**SMALL))
    _randomize(model, seed=4)
    ids = _ids(1, 12)
    changed = ids.copy()
    changed[0, 8] = (changed[0, 8] + 1) % 37  # perturb a later token
    a, _ = model(tt.tensor(ids))
    b, _ = model(tt.tensor(changed))
    np.testing.assert_array_equal(a.array[0, :8], b.array[0, :8])  # earlier logits unchanged
    assert np.abs(a.array[0, 8:] - b.array[0, 8:]).max() > 1e-3


@pytest.mark.task("5.13")
def test_caches_give_the_same_logits():
    model = GPT(GPTConfig(**SMALL))
    _randomize(model, seed=5)
    ids = tt.tensor(_ids(2, 10))
    full, _ = model(ids)
    caches = [ConcatCache() for _ in range(SMALL["n_layer"])]
    first, _ = model(ids[:, :6], caches=caches)  # the prompt at once
    steps = [model(ids[:, t:t + 1], caches=caches, start_pos=t)[0] for t in range(6, 10)]
    together = np.concatenate([first.array] + [s.array for s in steps], axis=1)
    np.testing.assert_allclose(together, full.array, atol=1e-4)


@pytest.mark.task("5.13")
def test_sinusoidal_positions_and_dropout():
    model = GPT(GPTConfig(**{**SMALL, "positional": "sinusoidal", "dropout": 0.2}))
    assert "transformer.wpe.weight" not in model.state_dict()
    ids = tt.tensor(_ids(2, 8))
    a, _ = model(ids)
    b, _ = model(ids)
    assert np.abs(a.array - b.array).max() > 1e-4  # dropout in training mode
    model.eval()
    np.testing.assert_array_equal(model(ids)[0].array, model(ids)[0].array)


@pytest.mark.task("5.13")
def test_attention_maps_and_optimizer_groups():
    model = GPT(GPTConfig(**SMALL))
    maps = model.attention_weights(tt.tensor(_ids(1, 5)))
    assert len(maps) == 2 and maps[0].shape == (1, 4, 5, 5)
    np.testing.assert_allclose(maps[1].array.sum(-1), 1.0, atol=1e-5)
    assert not np.triu(maps[0].array[0, 0], 1).any()
    opt = model.configure_optimizers(0.1, 1e-3, (0.9, 0.99))
    decay, no_decay = opt.param_groups
    assert all(p.ndim == 2 for p in decay["params"]) and decay["weight_decay"] == 0.1
    assert all(p.ndim == 1 for p in no_decay["params"]) and no_decay["weight_decay"] == 0.0
    assert len(decay["params"]) + len(no_decay["params"]) == len(list(model.parameters()))


def test_config_and_input_errors():
    with pytest.raises(ValueError, match="divisible by n_head"):
        GPTConfig(n_embd=30, n_head=4)
    with pytest.raises(ValueError, match="positional"):
        GPTConfig(positional="rotary")
    model = GPT(GPTConfig(**SMALL))
    with pytest.raises(ValueError, match="block size is only 16"):
        model(tt.tensor(_ids(1, 17)))
    with pytest.raises(ValueError, match=r"shape \(B, T\) and dtype int64"):
        model(tt.ones(2, 3))
    with pytest.raises(ValueError, match="one cache per block"):
        model(tt.tensor(_ids(1, 4)), caches=[ConcatCache()])
