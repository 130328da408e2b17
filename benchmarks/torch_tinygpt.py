"""The PyTorch anchor of the 2017 milestone: nanoGPT's model and CPU recipe on Tiny Shakespeare.

The same model as ``tinytorch.text.GPT`` (nanoGPT's ``model.py``, written out here: LayerNorm,
causal self-attention through ``F.scaled_dot_product_attention``, GELU MLP, tied head, nanoGPT's
initialisation) and the same training as ``tt-milestone-2017 --full``: n_layer 4, n_head 4,
n_embd 128, block 64, batch 12, dropout 0, no biases (nanoGPT's train.py default), AdamW (weight decay 0.1 on matrices, betas 0.9/0.99),
lr 1e-3 with 100 warm-up steps and cosine decay to 1e-4 at 2000, gradient clipping at 1.0.

    python benchmarks/torch_tinygpt.py                    # 2000 iterations, prints val loss, time
    python benchmarks/torch_tinygpt.py --iters 300 --threads 2

``bench_text.py`` imports ``GPT`` and ``train_step`` from here for its per-iteration anchor.
"""

from __future__ import annotations

import argparse
import json
import math
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

CPU_CONFIG = dict(block_size=64, vocab_size=65, n_layer=4, n_head=4, n_embd=128, bias=False)
"""nanoGPT's CPU run (``bias = False`` is nanoGPT train.py's default)."""
BATCH, ITERS, WARMUP, LR, MIN_LR = 12, 2000, 100, 1e-3, 1e-4


class CausalSelfAttention(nn.Module):
    def __init__(self, n_embd: int, n_head: int, bias: bool) -> None:
        super().__init__()
        self.c_attn = nn.Linear(n_embd, 3 * n_embd, bias=bias)
        self.c_proj = nn.Linear(n_embd, n_embd, bias=bias)
        self.n_head = n_head

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)
        q, k, v = (t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for t in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)  # (B, nh, T, hs)
        return self.c_proj(y.transpose(1, 2).contiguous().view(B, T, C))


class Block(nn.Module):
    def __init__(self, n_embd: int, n_head: int, bias: bool) -> None:
        super().__init__()
        self.ln_1 = nn.LayerNorm(n_embd, bias=bias)
        self.attn = CausalSelfAttention(n_embd, n_head, bias)
        self.ln_2 = nn.LayerNorm(n_embd, bias=bias)
        self.mlp = nn.ModuleDict(dict(c_fc=nn.Linear(n_embd, 4 * n_embd, bias=bias),
                                      gelu=nn.GELU(),
                                      c_proj=nn.Linear(4 * n_embd, n_embd, bias=bias)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.ln_1(x))
        m = self.mlp
        return x + m.c_proj(m.gelu(m.c_fc(self.ln_2(x))))


class GPT(nn.Module):
    def __init__(self, block_size: int, vocab_size: int, n_layer: int, n_head: int,
                 n_embd: int, bias: bool = False) -> None:
        super().__init__()
        self.block_size = block_size
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(vocab_size, n_embd), wpe=nn.Embedding(block_size, n_embd),
            h=nn.ModuleList([Block(n_embd, n_head, bias) for _ in range(n_layer)]),
            ln_f=nn.LayerNorm(n_embd, bias=bias)))
        self.lm_head = nn.Linear(n_embd, vocab_size, bias=False)
        self.transformer.wte.weight = self.lm_head.weight
        for module in self.modules():
            if isinstance(module, (nn.Linear, nn.Embedding)):
                nn.init.normal_(module.weight, 0.0, 0.02)
            if isinstance(module, nn.Linear) and module.bias is not None:
                nn.init.zeros_(module.bias)
        for name, p in self.named_parameters():
            if name.endswith("c_proj.weight"):
                nn.init.normal_(p, 0.0, 0.02 / math.sqrt(2 * n_layer))

    def forward(self, idx: torch.Tensor, targets: torch.Tensor | None = None):
        pos = torch.arange(idx.shape[1])
        x = self.transformer.wte(idx) + self.transformer.wpe(pos)
        for block in self.transformer.h:
            x = block(x)
        logits = self.lm_head(self.transformer.ln_f(x))
        loss = None
        if targets is not None:
            loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
        return logits, loss


def make_optimizer(model: GPT) -> torch.optim.AdamW:
    params = list(model.parameters())
    groups = [{"params": [p for p in params if p.dim() >= 2], "weight_decay": 0.1},
              {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=LR, betas=(0.9, 0.99))


def lr_at(it: int, iters: int = ITERS) -> float:
    """nanoGPT's schedule: linear warm-up, then cosine from LR down to MIN_LR at ``iters``."""
    if it < WARMUP:
        return LR * (it + 1) / (WARMUP + 1)
    ratio = min(1.0, (it - WARMUP) / max(1, iters - WARMUP))
    return MIN_LR + 0.5 * (1.0 + math.cos(math.pi * ratio)) * (LR - MIN_LR)


def train_step(model: GPT, optimizer: torch.optim.Optimizer, x: torch.Tensor,
               y: torch.Tensor) -> float:
    """One iteration: forward, backward, clip at 1.0, AdamW step."""
    _, loss = model(x, y)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    return loss.item()


def load_data() -> tuple[np.ndarray, np.ndarray]:
    """Tiny Shakespeare as char ids, split 90/10 (the text embedded in tt-text)."""
    from tinytorch.text import tiny_shakespeare

    text = tiny_shakespeare()
    chars = sorted(set(text))
    lookup = {c: i for i, c in enumerate(chars)}
    data = np.array([lookup[c] for c in text], dtype=np.int64)
    n = int(0.9 * len(data))
    return data[:n], data[n:]


def get_batch(data: np.ndarray, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    block = int(CPU_CONFIG["block_size"])
    starts = torch.randint(len(data) - block, (BATCH,), generator=generator).numpy()
    index = starts[:, None] + np.arange(block)
    return torch.from_numpy(data[index]), torch.from_numpy(data[index + 1])


@torch.no_grad()
def estimate_loss(model: GPT, data: np.ndarray, batches: int, seed: int = 1234) -> float:
    generator = torch.Generator().manual_seed(seed)
    model.eval()
    losses = [model(*get_batch(data, generator))[1].item() for _ in range(batches)]
    model.train()
    return float(np.mean(losses))


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--iters", type=int, default=ITERS)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--eval-batches", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1337)
    parser.add_argument("--json", default=None, help="also write the results here")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    train, val = load_data()
    model = GPT(**CPU_CONFIG)
    optimizer = make_optimizer(model)
    generator = torch.Generator().manual_seed(args.seed)
    start = time.perf_counter()
    for it in range(args.iters):
        for group in optimizer.param_groups:
            group["lr"] = lr_at(it, args.iters)
        loss = train_step(model, optimizer, *get_batch(train, generator))
        if it % 250 == 0 or it == args.iters - 1:
            print(f"iter {it:5d}  train loss {loss:.4f}  {time.perf_counter() - start:7.1f}s",
                  flush=True)
    train_seconds = time.perf_counter() - start
    val_loss = estimate_loss(model, val, args.eval_batches)
    result = {"framework": f"torch {torch.__version__}", "threads": args.threads,
              "iters": args.iters, "train_seconds": round(train_seconds, 2),
              "ms_per_iter": round(1000 * train_seconds / args.iters, 2),
              "val_loss": round(val_loss, 4), "eval_batches": args.eval_batches}
    print(json.dumps(result))
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(result, handle, indent=1)
    return result


if __name__ == "__main__":
    main()
