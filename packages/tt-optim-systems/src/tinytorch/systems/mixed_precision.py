"""Mixed-precision training: float16 weights and activations, float32 master weights, and
dynamic loss scaling (Micikevicius et al., "Mixed Precision Training", 2018).

float16 halves the memory of weights, activations and gradients, and on hardware with float16
units (GPUs, recent CPUs) doubles the arithmetic speed. Two things go wrong if you simply
``model.half()``:

1. **Updates vanish.** ``w + lr * g`` with ``|lr * g| < |w| * 2^-11`` rounds back to ``w`` in
   float16. So the optimizer updates float32 *master* copies of the weights, and the float16
   model receives a rounded copy after each step (:class:`MasterWeights`).
2. **Gradients underflow.** float16's smallest normal number is 6e-5; small gradients flush to
   zero. So the loss is multiplied by a large *scale* S before backward (every gradient is
   scaled by S too) and the gradients are divided by S in float32 before the step. If S is too
   large a gradient overflows to inf: the step is **skipped** and S is halved. After
   ``growth_interval`` clean steps S doubles again, so it tracks the largest safe value
   (:class:`GradScaler`, PyTorch's API and defaults).

One step::

    master = MasterWeights(model)                 # model is float16 from here on
    optimizer = AdamW(master.parameters(), lr=1e-3)
    scaler = GradScaler()

    optimizer.zero_grad(); model.zero_grad()
    loss = F.cross_entropy(model(x.half()).float(), y)    # the loss itself in float32
    scaler.scale(loss).backward()                 # float16 gradients of S * loss
    master.step(optimizer, scaler)                # copy to float32, unscale, step or skip, copy back

On NumPy, float16 matmuls have no BLAS kernel and run *slower* than float32: here mixed
precision buys memory, not speed (``benchmarks/bench_systems.py`` measures both).
"""

from __future__ import annotations

from typing import Any

import numpy as np

import tinytorch.nn as nn
from tinytorch.tensor import Tensor

__all__ = ["GradScaler", "MasterWeights"]


class GradScaler:
    """Dynamic loss scaling, as ``torch.amp.GradScaler``.

    Args:
        device: only ``"cpu"`` (TinyTorch computes on the CPU).
        init_scale: the first scale S.
        growth_factor: S is multiplied by it after ``growth_interval`` steps without inf/nan.
        backoff_factor: S is multiplied by it after a step with inf/nan gradients.
        growth_interval: clean steps between two growths.
        enabled: False makes every method a pass-through (scale 1, plain ``optimizer.step()``).
    """

    def __init__(self, device: str = "cpu", init_scale: float = 2.0 ** 16,
                 growth_factor: float = 2.0, backoff_factor: float = 0.5,
                 growth_interval: int = 2000, enabled: bool = True) -> None:
        if str(device).split(":")[0] != "cpu":
            raise RuntimeError(f"TinyTorch runs on the CPU only, got device={device!r}")
        if not (growth_factor > 1.0 and 0.0 < backoff_factor < 1.0 and growth_interval >= 1
                and init_scale > 0):
            raise ValueError(f"GradScaler needs init_scale > 0, growth_factor > 1, "
                             f"0 < backoff_factor < 1 and growth_interval >= 1; got "
                             f"{init_scale}, {growth_factor}, {backoff_factor}, {growth_interval}")
        self._enabled = enabled
        self._scale = float(init_scale)
        self._growth_factor = float(growth_factor)
        self._backoff_factor = float(backoff_factor)
        self._growth_interval = int(growth_interval)
        self._growth_tracker = 0
        self._found_inf: dict[int, bool] = {}  # per optimizer, this iteration
        self._stepped: set[int] = set()
        self.skipped_steps = 0
        """How many ``step`` calls were skipped because of inf/nan gradients, in total."""

    def is_enabled(self) -> bool:
        return self._enabled

    def get_scale(self) -> float:
        """The current scale S (1.0 when disabled)."""
        return self._scale if self._enabled else 1.0

    def scale(self, outputs: Tensor) -> Tensor:
        """``outputs * S`` (differentiable): call ``backward`` on this instead of the loss."""
        if not self._enabled:
            return outputs
        return outputs * self._scale

    def unscale_(self, optimizer: Any) -> bool:
        """Divide every gradient of ``optimizer``'s parameters by S, in place, and remember
        whether any is inf or nan; returns that. At most once per optimizer per step."""
        if not self._enabled:
            return False
        if id(optimizer) in self._found_inf:
            raise RuntimeError("unscale_() has already been called on this optimizer since "
                               "the last update()")
        grads = [p.grad for group in optimizer.param_groups for p in group["params"]
                 if p.grad is not None]
        # BEGIN SOLUTION 6.10 unscale the gradients in place and detect inf/nan
        inv_scale = 1.0 / self._scale
        found_inf = False
        for grad in grads:
            g = grad.array
            g *= g.dtype.type(inv_scale)
            if not np.all(np.isfinite(g)):
                found_inf = True
        # END SOLUTION
        self._found_inf[id(optimizer)] = found_inf
        return found_inf

    def step(self, optimizer: Any) -> bool:
        """Unscale (unless ``unscale_`` was called) and take ``optimizer.step()`` -- or skip it
        when a gradient is inf/nan. Returns True when the step was taken."""
        if not self._enabled:
            optimizer.step()
            return True
        if id(optimizer) in self._stepped:
            raise RuntimeError("step() has already been called on this optimizer since the "
                               "last update()")
        found_inf = self._found_inf.get(id(optimizer))
        if found_inf is None:
            found_inf = self.unscale_(optimizer)
        self._stepped.add(id(optimizer))
        if found_inf:
            self.skipped_steps += 1
            return False
        optimizer.step()
        return True

    def update(self, new_scale: float | None = None) -> None:
        """End of the iteration: back off after an overflow, grow after enough clean steps
        (or set ``new_scale``)."""
        if not self._enabled:
            return
        found_inf = any(self._found_inf.values())
        self._found_inf.clear()
        self._stepped.clear()
        if new_scale is not None:
            self._scale = float(new_scale)
            return
        # BEGIN SOLUTION 6.11 dynamic loss scale: back off on overflow, grow after clean steps
        if found_inf:
            self._scale *= self._backoff_factor
            self._growth_tracker = 0
        else:
            self._growth_tracker += 1
            if self._growth_tracker == self._growth_interval:
                self._scale *= self._growth_factor
                self._growth_tracker = 0
        # END SOLUTION

    def state_dict(self) -> dict[str, Any]:
        return {"scale": self._scale, "growth_factor": self._growth_factor,
                "backoff_factor": self._backoff_factor, "growth_interval": self._growth_interval,
                "_growth_tracker": self._growth_tracker} if self._enabled else {}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        if not self._enabled:
            return
        self._scale = float(state["scale"])
        self._growth_factor = float(state["growth_factor"])
        self._backoff_factor = float(state["backoff_factor"])
        self._growth_interval = int(state["growth_interval"])
        self._growth_tracker = int(state["_growth_tracker"])


class MasterWeights:
    """float32 master copies of a model's parameters; the model itself becomes float16.

    Give :meth:`parameters` (the masters) to the optimizer. After backward,
    :meth:`grads_to_master` copies the model's float16 gradients into float32 master gradients;
    after the optimizer step, :meth:`master_to_model` rounds the masters into the model's
    float16 weights (in place: the model's Parameter objects stay the same). Buffers (e.g.
    batch-norm statistics) are cast to float16 with the model.
    """

    def __init__(self, model: nn.Module, dtype: Any = "float16") -> None:
        params = list(model.parameters())
        if not params or any(p.array.dtype != np.float32 for p in params):
            raise TypeError("MasterWeights expects a float32 model with parameters, got dtypes "
                            f"{sorted({str(p.array.dtype) for p in params})}")
        self.model = model
        self.masters = [nn.Parameter(Tensor(p.array.copy())) for p in params]
        self.params = params
        model.to(dtype)

    def parameters(self) -> list[nn.Parameter]:
        """The float32 master parameters (what the optimizer updates)."""
        return self.masters

    def grads_to_master(self) -> None:
        """``master.grad = float32(param.grad)`` for every pair (None stays None)."""
        # BEGIN SOLUTION 6.12 master weights: gradients up to float32, weights down to float16
        for param, master in zip(self.params, self.masters):
            master.grad = None if param.grad is None else Tensor(
                param.grad.array.astype(np.float32))
        # END SOLUTION

    def master_to_model(self) -> None:
        """Round every master into its float16 model parameter, in place."""
        # BEGIN SOLUTION 6.12 copy the float32 masters into the float16 parameters
        for param, master in zip(self.params, self.masters):
            param.array[...] = master.array
        # END SOLUTION

    def step(self, optimizer: Any, scaler: GradScaler | None = None) -> bool:
        """The whole update: gradients to float32, (unscale and) step or skip, update the scale,
        masters back into the model. Returns True when the optimizer stepped."""
        self.grads_to_master()
        stepped = True
        if scaler is None:
            optimizer.step()
        else:
            stepped = scaler.step(optimizer)
            scaler.update()
        if stepped:
            self.master_to_model()
        return stepped

    def zero_grad(self) -> None:
        """Clear the gradients of the model and of the masters."""
        self.model.zero_grad()
        for master in self.masters:
            master.grad = None
