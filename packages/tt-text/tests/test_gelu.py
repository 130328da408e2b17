"""The fused GELU: PyTorch's exact GELU (values and gradients), first and second derivatives by
finite differences, one graph node."""

from __future__ import annotations

import numpy as np
import pytest

import tinytorch.nn.functional as F
import tinytorch.tensor as tt
from tinytorch.autograd import gradcheck, gradgradcheck
from tinytorch.text.gelu import gelu, normal_cdf_and_pdf


def test_against_torch(torch):
    x = np.concatenate([np.linspace(-12, 12, 2001), [0.0, -0.0, 1e-8, -40.0, 40.0]])
    x = x.astype(np.float32)
    ours = tt.tensor(x, requires_grad=True)
    theirs = torch.tensor(x, requires_grad=True)
    out, ref = gelu(ours), torch.nn.functional.gelu(theirs)
    np.testing.assert_allclose(out.array, ref.detach().numpy(), atol=2e-6, rtol=0)
    out.sum().backward()
    ref.sum().backward()
    np.testing.assert_allclose(ours.grad.array, theirs.grad.numpy(), atol=2e-6, rtol=0)


def test_normal_cdf_closed_form_points():
    cdf, pdf = normal_cdf_and_pdf(np.array([0.0, 1.0, -1.0, 1.959964, -8.0], dtype=np.float32))
    np.testing.assert_allclose(cdf, [0.5, 0.8413447, 0.1586553, 0.975, 6.22e-16], atol=2e-7)
    np.testing.assert_allclose(pdf, np.exp(-0.5 * np.array([0, 1, 1, 3.8415, 64])) / 2.5066283,
                               rtol=1e-4)
    assert cdf.dtype == np.float32


def test_matches_part_3_gelu_and_has_exact_second_derivative():
    x = tt.tensor(np.linspace(-4, 4, 9), dtype=tt.float64, requires_grad=True)
    np.testing.assert_allclose(gelu(x).array, F.gelu(x).array, rtol=1e-12)
    assert gradcheck(gelu, (x,))
    assert gradgradcheck(gelu, (x,))
    assert "GELU" in gelu(x).grad_fn.name()


def test_errors():
    with pytest.raises(TypeError, match="float tensor"):
        gelu(tt.tensor([1, 2]))
