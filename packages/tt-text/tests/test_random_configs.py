"""Random attention configurations against PyTorch's ``scaled_dot_product_attention``.

Each case draws its shapes, mask kind (none, boolean, additive float, causal) and scale from a
seeded generator; outputs and the gradients of q, k and v must match. Untagged: the fused
attention and its composed reference are both checked, so these need the whole of 5.8-5.9.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

import tinytorch.tensor as tt
from tinytorch.text import attention_math, scaled_dot_product_attention


def _case(seed: int) -> dict:
    pick = random.Random(seed).choice
    causal = seed % 3 == 0
    return dict(B=pick([1, 2]), H=pick([1, 3]), L=pick(range(1, 7)), S=pick(range(1, 7)),
                E=pick([4, 8]), Ev=pick([4, 5]), causal=causal, scale=pick([None, 0.5]),
                mask=None if causal else pick([None, "bool", "float"]))


def _composed(*args, **kwargs):
    return attention_math(*args, **kwargs)[0]  # (out, weights)


@pytest.mark.parametrize("attend", [scaled_dot_product_attention, _composed],
                         ids=["fused", "composed"])
@pytest.mark.parametrize("seed", range(24))
def test_attention_matches_torch(torch, attend, seed):
    case = _case(seed)
    rng = np.random.default_rng(seed)
    B, H, L, S = case["B"], case["H"], case["L"], case["S"]
    arrays = [rng.standard_normal(shape).astype(np.float32)
              for shape in ((B, H, L, case["E"]), (B, H, S, case["E"]), (B, H, S, case["Ev"]))]
    mask = None
    if case["mask"] == "bool":
        mask = rng.random((L, S)) > 0.3
        mask[:, 0] = True  # every query sees at least one key
    elif case["mask"] == "float":
        mask = rng.standard_normal((B, 1, L, S)).astype(np.float32)
    ours = [tt.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    kwargs = dict(is_causal=case["causal"], scale=case["scale"])
    out = attend(*ours, attn_mask=None if mask is None else tt.tensor(mask), **kwargs)
    ref = torch.nn.functional.scaled_dot_product_attention(
        *theirs, attn_mask=None if mask is None else torch.tensor(mask), **kwargs)
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=2e-4, atol=2e-4)
    upstream = rng.standard_normal(tuple(ref.shape)).astype(np.float32)
    (out * tt.tensor(upstream)).sum().backward()
    (ref * torch.tensor(upstream)).sum().backward()
    for a, t in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-3, atol=1e-3)
