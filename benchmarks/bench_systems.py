"""Benchmarks of part 6 (systems): what each technique buys, measured against the plain version
and the PyTorch anchor.

Pairs of cases are meant to be read together (their ``note`` says with which):

* ``systems.matmul_loops_64`` / ``systems.matmul_vectorized_256``: the lesson, each against
  BLAS (the ``numpy`` column is ``np.matmul`` on the same matrices).
* ``systems.{gelu,cross_entropy,layer_norm}_{composed,fused}``: forward + backward of the
  composed op (``tinytorch.nn.functional``) and of the fused ``Function`` (part 5's for
  LayerNorm); torch runs its own op.
* ``systems.mlp_step_{float32,mixed}``: an MLP training step in float32, and with float16
  weights/activations + float32 master weights + loss scaling (NumPy float16 matmuls have no
  BLAS: on this CPU mixed precision saves memory, not time).
* ``systems.linear_{float32,int8}``: inference of a 1024x1024 Linear at batch 64, float against
  our int8 layer; torch runs the float layer and its own dynamic int8 layer.
* ``systems.mlp_infer_pruned_{0,50,75}``: a 784-1024-1024-10 MLP after structured pruning of 0%,
  50% and 75% of its hidden units (a smaller dense model); torch runs the unpruned MLP.
* ``systems.generate{N}_{uncached,cached}``: greedy generation of N tokens (N = 64, 256) after an
  8-token prompt by a TinyGPT (4 layers, 4 heads, width 128, block 320) without and with the KV
  cache; torch runs a nanoGPT-style copy of the same weights, without and with a simple
  concatenating cache (:func:`torch_kv_speedup` prints both curves).
"""

from __future__ import annotations

from typing import Any

import numpy as np

import tinytorch.nn as nn
import tinytorch.nn.functional as F
import tinytorch.tensor as tt
from tinytorch.autograd import no_grad
from tinytorch.nn.optim import SGD
from tinytorch.systems import (
    GradScaler,
    MasterWeights,
    fused_cross_entropy,
    fused_gelu,
    prune_channels,
    quantize_model,
)
from tinytorch.systems.fused import layer_norm_composed
from tinytorch.systems.matmul_lesson import matmul_loops, matmul_vectorized
from tinytorch.text import layer_norm

try:
    import torch
except ImportError:  # the anchor is optional
    torch = None

RNG = np.random.default_rng(0)


def _lesson_cases() -> list[dict[str, Any]]:
    out = []
    for name, fn, n in (("loops", matmul_loops, 64), ("vectorized", matmul_vectorized, 256)):
        a = RNG.standard_normal((n, n), dtype=np.float32)
        b = RNG.standard_normal((n, n), dtype=np.float32)
        case: dict[str, Any] = {
            "name": f"systems.matmul_{name}_{n}", "ours": lambda fn=fn, a=a, b=b: fn(a, b),
            "numpy": lambda a=a, b=b: a @ b, "torch": None, "target": None,
            "note": f"{n}x{n} float32 matmul by {name} against BLAS (the numpy column)"}
        if torch is not None:
            ta, tb = torch.from_numpy(a), torch.from_numpy(b)
            case["torch"] = lambda ta=ta, tb=tb: ta @ tb
        out.append(case)
    return out


def _fwd_bwd(fn: Any, arrays: list[np.ndarray]) -> Any:
    leaves = [tt.tensor(a, requires_grad=True) for a in arrays]

    def step() -> None:
        for leaf in leaves:
            leaf.grad = None
        fn(*leaves).sum().backward()
    return step


def _torch_fwd_bwd(fn: Any, arrays: list[np.ndarray]) -> Any:
    if torch is None:
        return None
    leaves = [torch.tensor(a, requires_grad=True) for a in arrays]

    def step() -> None:
        for leaf in leaves:
            leaf.grad = None
        fn(*leaves).sum().backward()
    return step


def _fused_cases() -> list[dict[str, Any]]:
    x = RNG.standard_normal((64, 256, 128)).astype(np.float32)      # GELU, LayerNorm: 8 MB
    w = RNG.standard_normal(128).astype(np.float32)
    b = RNG.standard_normal(128).astype(np.float32)
    logits = RNG.standard_normal((4096, 512)).astype(np.float32)    # cross-entropy: 8 MB
    target = tt.tensor(RNG.integers(0, 512, 4096))
    tf = torch.nn.functional if torch is not None else None
    t_target = torch.from_numpy(target.numpy()) if torch is not None else None
    specs = [
        ("gelu", [x], F.gelu, fused_gelu, (lambda t: tf.gelu(t)) if tf else None),
        ("cross_entropy", [logits], lambda z: F.cross_entropy(z, target),
         lambda z: fused_cross_entropy(z, target),
         (lambda z: tf.cross_entropy(z, t_target)) if tf else None),
        ("layer_norm", [x, w, b], lambda x, w, b: layer_norm_composed(x, 128, w, b),
         lambda x, w, b: layer_norm(x, 128, w, b),
         (lambda x, w, b: tf.layer_norm(x, (128,), w, b)) if tf else None),
    ]
    out = []
    for name, arrays, composed, fused, theirs in specs:
        for kind, fn in (("composed", composed), ("fused", fused)):
            other = "fused" if kind == "composed" else "composed"
            out.append({"name": f"systems.{name}_{kind}", "ours": _fwd_bwd(fn, arrays),
                        "numpy": None, "torch": _torch_fwd_bwd(theirs, arrays) if theirs else None,
                        "target": None,
                        "note": f"{name} forward + backward, {kind} (compare systems.{name}_{other})"})
    return out


def _mlp(sizes: tuple[int, ...]) -> nn.Sequential:
    tt.manual_seed(0)
    layers: list[nn.Module] = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(a, b), nn.ReLU()]
    return nn.Sequential(*layers[:-1])


def _mixed_cases() -> list[dict[str, Any]]:
    sizes = (784, 512, 512, 10)
    x = tt.tensor(RNG.random((128, 784), dtype=np.float32))
    y = tt.tensor(RNG.integers(0, 10, 128))
    model32 = _mlp(sizes)
    opt32 = SGD(model32.parameters(), lr=0.01)

    def float32_step() -> None:
        opt32.zero_grad()
        F.cross_entropy(model32(x), y).backward()
        opt32.step()

    model16 = _mlp(sizes)
    master = MasterWeights(model16)
    opt16 = SGD(master.parameters(), lr=0.01)
    scaler = GradScaler(init_scale=1024.0)
    xh = x.half()

    def mixed_step() -> None:
        master.zero_grad()
        scaler.scale(F.cross_entropy(model16(xh).float(), y)).backward()
        master.step(opt16, scaler)

    note = "MLP 784-512-512-10 training step, batch 128"
    return [{"name": "systems.mlp_step_float32", "ours": float32_step, "numpy": None,
             "torch": None, "target": None, "note": note + ", float32"},
            {"name": "systems.mlp_step_mixed", "ours": mixed_step, "numpy": None, "torch": None,
             "target": None, "note": note + ", float16 + float32 masters + loss scaling "
                                           "(compare systems.mlp_step_float32)"}]


def _quantized_cases() -> list[dict[str, Any]]:
    model = _mlp((1024, 1024))
    x = tt.tensor(RNG.standard_normal((64, 1024)).astype(np.float32))
    qmodel = quantize_model(model, calibration_data=x)
    torch_float = torch_int8 = None
    if torch is not None:
        lin = torch.nn.Linear(1024, 1024)
        lin.load_state_dict({k: torch.from_numpy(v.numpy())
                             for k, v in model[0].state_dict().items()})
        tx = torch.from_numpy(x.numpy())
        dyn = torch.ao.quantization.quantize_dynamic(torch.nn.Sequential(lin), {torch.nn.Linear},
                                                     dtype=torch.qint8)

        def torch_float() -> Any:
            with torch.no_grad():
                return lin(tx)

        def torch_int8() -> Any:
            with torch.no_grad():
                return dyn(tx)

    def run(m: nn.Module) -> Any:
        def call() -> Any:
            with no_grad():
                return m(x)
        return call

    note = "Linear 1024x1024 inference, batch 64"
    return [{"name": "systems.linear_float32", "ours": run(model), "numpy": None,
             "torch": torch_float, "target": None, "note": note + ", float32"},
            {"name": "systems.linear_int8", "ours": run(qmodel), "numpy": None,
             "torch": torch_int8, "target": None,
             "note": note + ", int8 weights (4x smaller), static int8 activations; torch: "
                            "its dynamic int8 Linear (compare systems.linear_float32)"}]


def _pruned_cases() -> list[dict[str, Any]]:
    model = _mlp((784, 1024, 1024, 10)).eval()
    x = tt.tensor(RNG.random((256, 784), dtype=np.float32))
    theirs = None
    if torch is not None:
        tmodel = torch.nn.Sequential(torch.nn.Linear(784, 1024), torch.nn.ReLU(),
                                     torch.nn.Linear(1024, 1024), torch.nn.ReLU(),
                                     torch.nn.Linear(1024, 10))
        tmodel.load_state_dict({k: torch.from_numpy(v.numpy()) for k, v in
                                model.state_dict().items()})
        tx = torch.from_numpy(x.numpy())

        def theirs() -> Any:
            with torch.no_grad():
                return tmodel(tx)

    out = []
    for amount in (0.0, 0.5, 0.75):
        small = prune_channels(model, amount) if amount else model

        def ours(small: nn.Module = small) -> Any:
            with no_grad():
                return small(x)

        out.append({"name": f"systems.mlp_infer_pruned_{int(amount * 100)}", "ours": ours,
                    "numpy": None, "torch": theirs, "target": None,
                    "note": f"MLP 784-1024-1024-10 inference, batch 256, {amount:.0%} of hidden "
                            "units removed (torch: the unpruned MLP)"})
    return out


# -- KV cache: ours and a PyTorch anchor with the same weights ------------------------------------

def _tiny_gpt() -> Any:
    from tinytorch.text import GPT, GPTConfig

    tt.manual_seed(0)
    return GPT(GPTConfig(block_size=320, vocab_size=65, n_layer=4, n_head=4, n_embd=128,
                         dropout=0.0)).eval()


def _torch_gpt(model: Any) -> Any:
    """nanoGPT's model in PyTorch (same parameter names), with an optional concatenating cache:
    ``forward(idx, cache=None, start=0)`` where ``cache`` is a list of per-layer [k, v]."""
    nnt, tf = torch.nn, torch.nn.functional
    c = model.config

    class Block(nnt.Module):
        def __init__(self) -> None:
            super().__init__()
            self.ln_1, self.ln_2 = nnt.LayerNorm(c.n_embd), nnt.LayerNorm(c.n_embd)
            self.attn = nnt.Module()
            self.attn.c_attn = nnt.Linear(c.n_embd, 3 * c.n_embd)
            self.attn.c_proj = nnt.Linear(c.n_embd, c.n_embd)
            self.mlp = nnt.Module()
            self.mlp.c_fc = nnt.Linear(c.n_embd, 4 * c.n_embd)
            self.mlp.c_proj = nnt.Linear(4 * c.n_embd, c.n_embd)

        def forward(self, x: Any, kv: list | None) -> Any:
            b, t, e = x.shape
            q, k, v = self.attn.c_attn(self.ln_1(x)).split(e, dim=2)
            q, k, v = (z.view(b, t, c.n_head, e // c.n_head).transpose(1, 2) for z in (q, k, v))
            if kv is not None:
                if kv[0] is not None:
                    k, v = torch.cat([kv[0], k], 2), torch.cat([kv[1], v], 2)
                kv[0], kv[1] = k, v
            y = tf.scaled_dot_product_attention(q, k, v, is_causal=kv is None or kv[0].shape[2] == t)
            x = x + self.attn.c_proj(y.transpose(1, 2).reshape(b, t, e))
            return x + self.mlp.c_proj(tf.gelu(self.mlp.c_fc(self.ln_2(x))))

    class TorchGPT(nnt.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = nnt.ModuleDict(dict(
                wte=nnt.Embedding(c.vocab_size, c.n_embd), wpe=nnt.Embedding(c.block_size, c.n_embd),
                h=nnt.ModuleList([Block() for _ in range(c.n_layer)]), ln_f=nnt.LayerNorm(c.n_embd)))
            self.lm_head = nnt.Linear(c.n_embd, c.vocab_size, bias=False)

        def forward(self, idx: Any, cache: list | None = None, start: int = 0) -> Any:
            tr = self.transformer
            x = tr.wte(idx) + tr.wpe(torch.arange(start, start + idx.shape[1]))
            for i, block in enumerate(tr.h):
                x = block(x, None if cache is None else cache[i])
            return self.lm_head(tr.ln_f(x))

        @torch.no_grad()
        def generate(self, idx: Any, n: int, use_cache: bool) -> Any:
            if not use_cache:
                for _ in range(n):
                    logits = self(idx[:, -c.block_size:])
                    idx = torch.cat([idx, logits[:, -1].argmax(-1, keepdim=True)], 1)
                return idx
            cache = [[None, None] for _ in range(c.n_layer)]
            logits = self(idx, cache, 0)
            for i in range(n):
                nxt = logits[:, -1].argmax(-1, keepdim=True)
                idx = torch.cat([idx, nxt], 1)
                if i < n - 1:
                    logits = self(nxt, cache, idx.shape[1] - 1)
            return idx

    theirs = TorchGPT().eval()
    theirs.load_state_dict({k: torch.from_numpy(v.numpy().copy())
                            for k, v in model.state_dict().items()})
    return theirs


def _kv_cases() -> list[dict[str, Any]]:
    from tinytorch.systems import generate_with_cache
    from tinytorch.text import generate

    model = _tiny_gpt()
    prompt = tt.tensor(RNG.integers(0, 65, (1, 8)))
    theirs = _torch_gpt(model) if torch is not None else None
    t_prompt = torch.from_numpy(prompt.numpy()) if torch is not None else None
    out = []
    for n in (64, 256):
        for kind, ours_fn in (("uncached", generate), ("cached", generate_with_cache)):
            case: dict[str, Any] = {
                "name": f"systems.generate{n}_{kind}",
                "ours": lambda n=n, fn=ours_fn: fn(model, prompt, n, do_sample=False),
                "numpy": None, "torch": None, "target": None,
                "note": f"greedy generation of {n} tokens, TinyGPT block 320, {kind}"}
            if theirs is not None:
                case["torch"] = (lambda n=n, k=kind: theirs.generate(t_prompt, n, k == "cached"))
            out.append(case)
    return out


def torch_kv_speedup(lengths: tuple[int, ...] = (32, 64, 128, 256)) -> list[dict[str, float]]:
    """The KV-cache speedup curve of ours and of the PyTorch anchor (best of 3 runs each)."""
    import time

    from tinytorch.systems import kv_speedup

    model = _tiny_gpt()
    prompt = tt.tensor(RNG.integers(0, 65, (1, 8)))
    theirs = _torch_gpt(model)
    t_prompt = torch.from_numpy(prompt.numpy())
    rows = []
    for row in kv_speedup(model, prompt, lengths, repeats=3):
        best = {}
        for cached in (False, True):
            times = []
            for _ in range(3):
                start = time.perf_counter()
                theirs.generate(t_prompt, row["tokens"], cached)
                times.append(time.perf_counter() - start)
            best[cached] = min(times)
        rows.append({**row, "torch_uncached_s": best[False], "torch_cached_s": best[True],
                     "torch_speedup": best[False] / best[True]})
    return rows


def cases() -> list[dict[str, Any]]:
    """The systems benchmark cases (see the module docstring)."""
    return [*_lesson_cases(), *_fused_cases(), *_mixed_cases(), *_quantized_cases(),
            *_pruned_cases(), *_kv_cases()]


if __name__ == "__main__":
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import run

    if sys.argv[1:] == ["--kv-curve"]:  # the two speedup curves side by side
        run.setup_torch(run.blas_threads(run.blas_info()))  # torch gets NumPy's thread count
        for row in torch_kv_speedup():
            print(f"{row['tokens']:>4} tokens: ours {row['speedup']:.2f}x "
                  f"({row['uncached_s']:.2f}s -> {row['cached_s']:.2f}s), torch "
                  f"{row['torch_speedup']:.2f}x ({row['torch_uncached_s']:.2f}s -> "
                  f"{row['torch_cached_s']:.2f}s)")
        sys.exit(0)
    sys.exit(run.main(["--filter", "systems.", *sys.argv[1:]]))
