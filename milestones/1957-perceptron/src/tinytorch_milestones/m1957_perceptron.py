"""Milestone 1957: Rosenblatt's perceptron, with tensors alone.

Frank Rosenblatt's perceptron (1957) is a single threshold unit, ``y_hat = step(w . x + b)``,
and a learning rule that needs no calculus: show it one example, and if it is wrong move the
weights toward (or away from) that example,

    w <- w + lr * (y - y_hat) * x          (y, y_hat in {0, 1})

On linearly separable data the rule stops making mistakes after finitely many updates (Novikoff,
1962: at most (R / margin)^2 of them). This milestone, unlocked by part 1 (tt-tensor), trains it
on a 2-D data set made deterministically from a seed, prints the mistakes per epoch, reaches 100%
training accuracy, and draws the learned decision boundary.

    tt-milestone-1957 [--seed 0] [--epochs 100] [--out DIR]

No autograd: the update rule is the whole of learning here.
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path

import tinytorch.tensor as tt

FIGURE = "1957_perceptron.png"


@dataclass
class Result:
    """What a training run produced."""

    weights: tt.Tensor              # (3,): w1, w2 and the bias b (the last input is always 1)
    accuracy: float                 # on the training set, after the last epoch
    epochs: int                     # epochs run (stops early once an epoch makes no mistake)
    mistakes: list[int] = field(default_factory=list)  # mistakes made during each epoch
    figure: Path | None = None


def make_data(seed: int, n: int = 100, margin: float = 0.1) -> tuple[tt.Tensor, tt.Tensor]:
    """``n`` points in [-1, 1]^2 labelled by a random line, none closer than ``margin`` to it.

    Returns ``x`` (n, 2) float32 and ``y`` (n,) int64 in {0, 1}. The margin makes the data
    linearly separable with room to spare, so the perceptron is guaranteed to converge.
    """
    gen = tt.Generator(seed)
    angle = tt.rand(1, generator=gen).item() * 2 * math.pi
    normal = tt.tensor([[math.cos(angle)], [math.sin(angle)]])   # (2, 1) unit normal of the line
    offset = (tt.rand(1, generator=gen).item() - 0.5) * 0.6      # the line misses the origin
    kept: list[tt.Tensor] = []
    count = 0
    while count < n:                                              # rejection sampling
        candidates = tt.rand(4 * n, 2, generator=gen) * 2 - 1     # (4n, 2) uniform in the square
        distance = (candidates @ normal).squeeze(1) - offset      # signed distance to the line
        good = candidates[distance.abs() > margin]                # boolean-mask indexing
        kept.append(good)
        count += good.shape[0]
    x = tt.cat(kept)[:n]
    y = ((x @ normal).squeeze(1) - offset > 0).long()
    return x, y


def predict(weights: tt.Tensor, inputs: tt.Tensor) -> tt.Tensor:
    """The threshold unit on a batch: 1 where w . x > 0, else 0 (int64)."""
    return (inputs @ weights > 0).long()


def train(x: tt.Tensor, y: tt.Tensor, epochs: int = 100, lr: float = 1.0,
          verbose: bool = True) -> Result:
    """Rosenblatt's online rule over ``epochs`` passes; stops after an epoch with no mistake."""
    n = x.shape[0]
    inputs = tt.cat([x, tt.ones(n, 1)], dim=1)    # (n, 3): a constant 1 makes the bias a weight
    weights = tt.zeros(3)
    mistakes: list[int] = []
    epoch = 0
    for epoch in range(1, epochs + 1):
        wrong = 0
        # The historical rule is online: one example at a time, the weights change as soon as an
        # example is misclassified. A Python loop over ~100 points is instant and reads like
        # the 1957 report; the accuracy below is computed for the whole set at once.
        for i in range(n):
            xi = inputs[i]                         # (3,)
            y_hat = int((xi @ weights).item() > 0)
            error = y[i].item() - y_hat            # -1, 0 or +1
            if error:
                weights += lr * error * xi         # w <- w + lr (y - y_hat) x
                wrong += 1
        mistakes.append(wrong)
        accuracy = (predict(weights, inputs) == y).float().mean().item()
        if verbose:
            print(f"epoch {epoch:3d}  mistakes {wrong:3d}  accuracy {accuracy:6.1%}")
        if wrong == 0:
            break
    accuracy = (predict(weights, inputs) == y).float().mean().item()
    return Result(weights=weights, accuracy=accuracy, epochs=epoch, mistakes=mistakes)


def plot(x: tt.Tensor, y: tt.Tensor, result: Result, path: Path) -> Path:
    """Scatter the two classes and draw the line w1 x1 + w2 x2 + b = 0."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    pts, labels = x.numpy(), y.numpy()
    w1, w2, b = result.weights.tolist()
    fig, ax = plt.subplots(figsize=(5, 5))
    for cls, color, marker in ((0, "tab:blue", "o"), (1, "tab:orange", "s")):
        sel = labels == cls
        ax.scatter(pts[sel, 0], pts[sel, 1], c=color, marker=marker, s=18, label=f"class {cls}")
    xs = tt.linspace(-1.1, 1.1, 2)
    if abs(w2) > 1e-12:
        ax.plot(xs.numpy(), (-(w1 * xs + b) / w2).numpy(), "k-", lw=1.5, label="decision boundary")
    else:  # a vertical boundary
        ax.axvline(-b / w1, color="k", lw=1.5, label="decision boundary")
    ax.set_xlim(-1.1, 1.1)
    ax.set_ylim(-1.1, 1.1)
    ax.set_aspect("equal")
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    ax.set_title(f"1957 perceptron: {result.accuracy:.0%} after {result.epochs} epochs")
    ax.legend(loc="best", fontsize=8, framealpha=0.9)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return path


def run(seed: int = 0, epochs: int = 100, out: Path | str = ".", verbose: bool = True) -> Result:
    """Make the data, train, plot; returns the result (with ``figure`` set)."""
    x, y = make_data(seed)
    if verbose:
        print(f"1957 perceptron: {x.shape[0]} points in 2-D, seed {seed}, "
              f"{int(y.sum().item())} in class 1")
    result = train(x, y, epochs=epochs, verbose=verbose)
    result.figure = plot(x, y, result, Path(out) / FIGURE)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Milestone 1957: Rosenblatt's perceptron.")
    parser.add_argument("--seed", type=int, default=0, help="seed of the data set (default 0)")
    parser.add_argument("--epochs", type=int, default=100, help="most passes over the data")
    parser.add_argument("--out", type=Path, default=Path("."), help="where to write the PNG")
    args = parser.parse_args(argv)
    result = run(args.seed, args.epochs, args.out)
    w1, w2, b = result.weights.tolist()
    print(f"learned boundary: {w1:.3f} * x1 + {w2:.3f} * x2 + {b:.3f} = 0")
    print(f"training accuracy {result.accuracy:.1%} after {result.epochs} epochs "
          f"({sum(result.mistakes)} updates)")
    print(f"wrote {result.figure}")
    passed = result.accuracy == 1.0
    print(f"milestone 1957: {'passed' if passed else 'FAILED (raise --epochs)'}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
