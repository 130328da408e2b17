"""Magnitude pruning: exact sparsity, PyTorch's reparametrization, masks kept through
fine-tuning, global ranking, and measure_sparsity."""

from __future__ import annotations

import numpy as np
import pytest

import tinytorch.nn as nn
import tinytorch.nn.functional as F
import tinytorch.tensor as tt
from tinytorch.nn.optim import SGD, AdamW
from tinytorch.systems import pruning
from tinytorch.systems.pruning import (
    global_unstructured,
    is_pruned,
    l1_unstructured,
    magnitude_mask,
    measure_sparsity,
    remove,
)

RNG = np.random.default_rng(0)


def mlp():
    tt.manual_seed(0)
    return nn.Sequential(nn.Linear(20, 30), nn.ReLU(), nn.Linear(30, 10))


# -- 6.13 magnitude pruning ---------------------------------------------------------------------

@pytest.mark.task("6.13")
def test_magnitude_mask_zeros_exactly_the_k_smallest():
    values = np.array([[0.5, -0.1, 3.0], [-2.0, 0.05, 0.7]])
    np.testing.assert_array_equal(magnitude_mask(values, 3), [[0, 0, 1], [1, 0, 1]])
    ties = np.zeros((4, 5))  # all equal: still exactly k zeros
    assert (magnitude_mask(ties, 7) == 0).sum() == 7
    keep_first = np.array([True, False, True, True])
    np.testing.assert_array_equal(
        magnitude_mask(np.array([1.0, 0.0, 2.0, 3.0]), 1, candidates=keep_first), [0, 1, 1, 1])


@pytest.mark.task("6.13")
@pytest.mark.parametrize("amount", [0.0, 0.3, 0.5, 0.9, 1.0, 17])
def test_l1_unstructured_reaches_exactly_the_requested_sparsity(amount):
    layer = nn.Linear(20, 30)
    original = layer.weight.detach().numpy().copy()
    l1_unstructured(layer, "weight", amount)
    expected = amount if isinstance(amount, int) else round(amount * 600)
    assert int((layer.weight.array == 0).sum()) == expected
    assert measure_sparsity(layer.weight) == expected / 600
    kept = layer.weight_mask.array != 0
    if 0 < expected < 600:  # kept entries are exactly the largest in magnitude
        assert np.abs(original[kept]).min() >= np.abs(original[~kept]).max()
    np.testing.assert_array_equal(layer.weight.array[kept], original[kept])


@pytest.mark.task("6.13")
def test_pruning_follows_pytorch_names_and_masks_survive_fine_tuning():
    model = mlp()
    l1_unstructured(model[0], "weight", 0.6)
    assert set(model.state_dict()) == {"0.weight_orig", "0.weight_mask", "0.bias",
                                       "2.weight", "2.bias"}
    assert is_pruned(model[0]) and not is_pruned(model[2])
    mask = model[0].weight_mask.array.copy()
    x, y = tt.randn(64, 20), tt.randint(0, 10, (64,))
    opt = AdamW(model.parameters(), lr=1e-2, weight_decay=0.1)
    for _ in range(5):
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
    model(x)
    np.testing.assert_array_equal(model[0].weight.array == 0, mask == 0)
    assert measure_sparsity(model[0]) == pytest.approx((mask == 0).sum() / (600 + 30))


@pytest.mark.task("6.13")
def test_iterative_pruning_composes_and_remove_makes_it_permanent():
    layer = nn.Linear(10, 10)
    l1_unstructured(layer, "weight", 0.5)   # 50 of 100
    l1_unstructured(layer, "weight", 0.5)   # half of the remaining 50
    assert int((layer.weight.array == 0).sum()) == 75
    pruned = layer.weight.array.copy()
    remove(layer, "weight")
    assert set(layer.state_dict()) == {"weight", "bias"}
    assert isinstance(layer.weight, nn.Parameter) and not is_pruned(layer)
    np.testing.assert_array_equal(layer.weight.array, pruned)
    with pytest.raises(ValueError, match="has to be pruned"):
        remove(layer, "weight")


@pytest.mark.task("6.13")
def test_pruning_matches_torch():
    torch = pytest.importorskip("torch")
    import torch.nn.utils.prune as tprune

    w = RNG.standard_normal((8, 12)).astype(np.float32)
    ours, theirs = nn.Linear(12, 8), torch.nn.Linear(12, 8)
    ours.weight.array[...] = w
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(w))
    for amount in (0.3, 0.25, 5):
        l1_unstructured(ours, "weight", amount)
        tprune.l1_unstructured(theirs, "weight", amount)
        np.testing.assert_array_equal(ours.weight_mask.numpy(), theirs.weight_mask.numpy())


def test_pruning_bad_input():
    layer = nn.Linear(3, 3)
    with pytest.raises(ValueError, match="fraction"):
        l1_unstructured(layer, "weight", 1.5)
    with pytest.raises(ValueError, match="between 0 and"):
        l1_unstructured(nn.Linear(3, 3), "weight", 10)
    with pytest.raises(AttributeError, match="no parameter 'kernel'"):
        l1_unstructured(layer, "kernel", 0.5)
    with pytest.raises(TypeError, match="amount"):
        l1_unstructured(nn.Linear(3, 3), "weight", "half")


# -- 6.14 global pruning ------------------------------------------------------------------------

@pytest.mark.task("6.14")
def test_global_pruning_ranks_all_layers_together():
    model = mlp()
    model[0].weight.array[...] = RNG.uniform(0.001, 0.002, (30, 20))  # tiny weights
    model[2].weight.array[...] = RNG.uniform(0.5, 1.0, (10, 30)) * RNG.choice([-1, 1], (10, 30))
    global_unstructured([(model[0], "weight"), (model[2], "weight")],
                        pruning_method=pruning.L1Unstructured, amount=600)
    assert measure_sparsity(model[0].weight) == 1.0   # all 600 smallest are in layer 0
    assert measure_sparsity(model[2].weight) == 0.0
    global_unstructured([(model[0], "weight"), (model[2], "weight")],
                        pruning_method=pruning.L1Unstructured, amount=0.5)  # of the 300 left
    assert int((model[2].weight.array == 0).sum()) == 150


@pytest.mark.task("6.14")
@pytest.mark.parametrize("amount", [0.2, 0.55, 0.8])
def test_global_pruning_exact_total_sparsity(amount):
    model = mlp()
    global_unstructured([(model[0], "weight"), (model[2], "weight")],
                        pruning_method=pruning.L1Unstructured, amount=amount)
    zeros = sum(int((m.weight.array == 0).sum()) for m in (model[0], model[2]))
    assert zeros == round(amount * 900)
    assert measure_sparsity(model, layers=[nn.Linear]) == pytest.approx(zeros / (900 + 40))
    threshold = max(np.abs(m.weight_orig.array[m.weight_mask.array == 0]).max()
                    for m in (model[0], model[2]))
    kept = min(np.abs(m.weight_orig.array[m.weight_mask.array == 1]).min()
               for m in (model[0], model[2]))
    assert threshold <= kept


@pytest.mark.task("6.14")
def test_global_pruning_matches_torch():
    torch = pytest.importorskip("torch")
    import torch.nn.utils.prune as tprune

    ours = mlp()
    theirs = torch.nn.Sequential(torch.nn.Linear(20, 30), torch.nn.ReLU(),
                                 torch.nn.Linear(30, 10))
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    global_unstructured([(ours[0], "weight"), (ours[2], "weight")],
                        pruning_method=pruning.L1Unstructured, amount=0.4)
    tprune.global_unstructured([(theirs[0], "weight"), (theirs[2], "weight")],
                               pruning_method=tprune.L1Unstructured, amount=0.4)
    for i in (0, 2):
        np.testing.assert_array_equal(ours[i].weight_mask.numpy(), theirs[i].weight_mask.numpy())


def test_global_pruning_rejects_other_methods():
    with pytest.raises(TypeError, match="only L1Unstructured"):
        global_unstructured([(nn.Linear(2, 2), "weight")], pruning_method=object, amount=0.5)
    with pytest.raises(TypeError, match="amount"):
        global_unstructured([(nn.Linear(2, 2), "weight")], pruning_method=pruning.L1Unstructured)


def test_measure_sparsity_counts_every_parameter():
    model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1))
    for p in model.parameters():
        p.array[...] = 1.0
    model[0].weight.array[0, 0] = 0.0
    assert measure_sparsity(model) == pytest.approx(1 / 9)
    assert measure_sparsity(np.zeros(4)) == 1.0
    opt = SGD(model.parameters(), lr=0.1)
    assert opt is not None
