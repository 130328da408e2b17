"""Milestone 2018: the systems capstone -- measure, then make models smaller and faster.

By 2018 deep learning had to run outside the data centre: on phones, in browsers, on CPUs. The
toolbox of that move -- profiling, int8 quantization (Jacob et al., 2018), pruning (Han et al.,
2015; Li et al., 2017), distillation (Hinton et al., 2015), and KV caching for autoregressive
transformers -- is applied here to the two networks of the earlier milestones, every change
checked for what it costs in accuracy and what it buys in time and bytes:

* LeNet-5 on MNIST (the 1998 CNN) and the 1986 MLP: int8, structured pruning with
  distillation, both, unstructured sparsity, low-rank factorisation
  (:mod:`tinytorch_milestones.m2018_mnist`);
* TinyGPT on Tiny Shakespeare (the 2017 transformer): int8, and generation with a KV cache
  (:mod:`tinytorch_milestones.m2018_gpt`).

Everything trains briefly here (embedded MNIST sample, short GPT run: about a minute on two
cores); ``--data-dir DIR`` (or ``TINYTORCH_DATA``) uses full MNIST, and the flags below train
longer. Writes into ``--out``: ``lenet.*``, ``mlp.*`` and ``gpt.*`` (benchmark reports as
Markdown, JSON and CSV, and the accuracy/latency Pareto front as PNG), ``kv_cache.png`` (speedup
against generated tokens) and ``lenet_trace.json`` (a Chrome trace: open it in ui.perfetto.dev).

Timings are medians of interleaved repeats. On a machine shared by many processes, OpenBLAS's
two threads wait for each other and every multi-threaded matmul slows down many times over; run
with ``OPENBLAS_NUM_THREADS=1`` there.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import Any

import tinytorch.tensor as tt
from tinytorch.autograd import no_grad
from tinytorch.systems import BenchmarkReport, Profiler, machine_info
from tinytorch.systems.tables import format_table, human_bytes, human_flops

from .m2018_gpt import run_gpt
from .m2018_mnist import run_mnist


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="tt-milestone-2018", description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", default=None,
                        help="directory with mnist/ (default: $TINYTORCH_DATA, else the sample)")
    parser.add_argument("--epochs", type=int, default=None,
                        help="training epochs of LeNet-5 and the MLP (default 8 on the sample, "
                             "3 on full MNIST)")
    parser.add_argument("--finetune-epochs", type=int, default=None,
                        help="fine-tuning epochs after compression (default 5 sample, 1 full)")
    parser.add_argument("--gpt-iters", type=int, default=150,
                        help="TinyGPT training iterations (batch 12)")
    parser.add_argument("--gpt-window", type=int, default=64, help="training window, tokens")
    parser.add_argument("--kv-lengths", default="32,64,128,256",
                        help="generated-token counts for the KV-cache curve")
    parser.add_argument("--bench-images", type=int, default=500,
                        help="test images per timed call of the image models")
    parser.add_argument("--repeats", type=int, default=15, help="timed repeats per variant")
    parser.add_argument("--out", default=os.path.join("out", "2018-systems"),
                        help="directory for the reports and figures")
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args(argv)


def results_table(report: BenchmarkReport, metric: str) -> str:
    """accuracy, latency, speedup, size, FLOPs: one row per variant, relative to the first."""
    rows = []
    for row in report.rows():
        change = row["accuracy_change"]
        rel = "" if not change else f" ({100 * change / (row['accuracy'] - change):+.1f}% rel)"
        rows.append((row["name"], f"{100 * row['accuracy']:.2f}%{rel}",
                     f"{row['latency_ms']:.2f} ± {row['latency_iqr_ms']:.2f}",
                     f"{row['speedup']:.2f}x", human_bytes(row["size_bytes"]),
                     f"{row['size_ratio']:.1f}x", human_flops(row["flops"])))
    return format_table(("variant", metric, "latency (ms)", "speedup", "size", "smaller",
                         "FLOPs"), rows)


def plot_kv(rows: list[dict[str, float]], path: Path, title: str) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tokens = [r["tokens"] for r in rows]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.plot(tokens, [r["uncached_s"] for r in rows], "o-", label="no cache")
    left.plot(tokens, [r["cached_s"] for r in rows], "s-", label="KV cache")
    left.set(xlabel="generated tokens", ylabel="seconds", title="generation time")
    left.legend()
    right.plot(tokens, [r["speedup"] for r in rows], "o-", color="tab:green")
    right.axhline(1.0, color="grey", lw=0.8)
    right.set(xlabel="generated tokens", ylabel="speedup (x)", title="KV-cache speedup")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def run(argv: list[str] | None = None) -> dict[str, Any]:
    """Run both halves, print the tables, write the reports; return the numbers."""
    args = parse_args(argv)
    began = time.perf_counter()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    full = (args.data_dir or os.environ.get("TINYTORCH_DATA")) is not None
    epochs = args.epochs if args.epochs is not None else (3 if full else 8)
    finetune = args.finetune_epochs if args.finetune_epochs is not None else (1 if full else 5)
    machine = machine_info()
    print(f"2018 systems capstone on {machine['cpus']} CPUs, NumPy {machine['numpy']} "
          f"({machine['blas']})")

    image_runs = run_mnist(args.data_dir, epochs, finetune, args.bench_images, args.repeats,
                           args.seed)
    reports = {}
    for run_, stem in zip(image_runs, ("lenet", "mlp")):
        report = reports[stem] = BenchmarkReport(run_.results, baseline="float32",
                                                 machine=machine)
        report.save(out, stem)
        print(f"\n{run_.title}: accuracy on the test images; latency per call on "
              f"{args.bench_images} images (median ± IQR of {args.repeats}, interleaved)")
        print(results_table(report, "accuracy"))
        print("widths (conv channels / linear units): "
              + "; ".join(f"{k} {v}" for k, v in run_.facts["widths"].items()))
        if "sparsity" in run_.facts:
            print(f"80% sparse: {run_.facts['sparsity']:.1%} of the conv/linear weights are 0")
    lenet = image_runs[0].models["float32"]
    with Profiler(lenet) as prof, no_grad():
        with prof.record_function("forward"):
            lenet(tt.zeros(64, 1, 28, 28))
    prof.export_chrome_trace(out / "lenet_trace.json")

    lengths = [int(n) for n in args.kv_lengths.split(",")]
    gpt = run_gpt(args.gpt_iters, args.gpt_window, 12, lengths, args.repeats, args.seed)
    gpt_report = BenchmarkReport(gpt.results, baseline="float32", machine=machine)
    gpt_report.save(out, "gpt")
    print(f"\nTinyGPT, next-character accuracy on validation windows; latency of one forward "
          f"pass over {args.gpt_window} tokens")
    print(results_table(gpt_report, "next-char acc."))
    print("validation loss: " + ", ".join(f"{k} {v:.3f}" for k, v in gpt.losses.items()))
    print(f"\nKV cache (block {gpt.facts['block_size']}, prompt {gpt.facts['prompt_tokens']} "
          f"tokens, greedy; identical tokens with and without the cache):")
    print(format_table(("tokens", "no cache (s)", "KV cache (s)", "speedup"),
                       [(r["tokens"], f"{r['uncached_s']:.2f}", f"{r['cached_s']:.2f}",
                         f"{r['speedup']:.2f}x") for r in gpt.kv_rows]))
    plot_kv(gpt.kv_rows, out / "kv_cache.png",
            f"TinyGPT, block {gpt.facts['block_size']}: KV-cache speedup")
    print(f"\nsample (KV cache, temperature 0.8, top-k 20):\n{gpt.sample}\n")

    for stem, report in reports.items():
        base = report.rows()[0]["accuracy"]
        good = [r for r in report.rows()[1:]
                if r["speedup"] >= 2.0 and r["accuracy"] >= 0.95 * base]
        for r in good:
            print(f"{stem}: {r['name']} is {r['speedup']:.2f}x faster at "
                  f"{100 * (r['accuracy'] - base) / base:+.1f}% relative accuracy")
    seconds = time.perf_counter() - began
    print(f"wrote the reports and figures into {out} ({seconds:.1f}s in total)")
    return {**{stem: report.rows() for stem, report in reports.items()},
            "gpt": gpt_report.rows(), "kv": gpt.kv_rows, "gpt_losses": gpt.losses,
            "seconds": seconds, "out": str(out)}


def main(argv: list[str] | None = None) -> int:
    """Console script ``tt-milestone-2018``: exit status 0 on success."""
    run(argv)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
