"""Milestone 1969: a perceptron cannot learn XOR; a 2-layer network trained by autograd can.

Minsky & Papert's *Perceptrons* (1969) showed that a single layer of weights draws one straight
line, and no straight line separates XOR. A hidden layer bends the boundary; backpropagation
(here: ``loss.backward()`` from tinytorch.autograd) finds its weights.

    tt-milestone-1969 --out figures --seed 0
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

import tinytorch.tensor as tt
from tinytorch.autograd import no_grad

X = tt.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y = tt.tensor([[0.0], [1.0], [1.0], [0.0]])


def bce(p: tt.Tensor, y: tt.Tensor) -> tt.Tensor:
    """Binary cross-entropy of probabilities ``p`` (clamped away from 0 and 1)."""
    p = p.clamp(1e-7, 1 - 1e-7)
    return -(y * p.log() + (1 - y) * (1 - p).log()).mean()


def accuracy(p: tt.Tensor, y: tt.Tensor) -> float:
    return float(((p.array > 0.5) == (y.array > 0.5)).mean())


def sgd_step(params: list[tt.Tensor], lr: float) -> None:
    """The update rule by hand: no optimizer exists yet (part 3 brings them)."""
    with no_grad():
        for p in params:
            p -= lr * p.grad
            p.grad = None


class Perceptron:
    """One layer: sigmoid(x @ w + b). Its decision boundary is a straight line."""

    def __init__(self) -> None:
        self.w = tt.randn(2, 1, requires_grad=True)
        self.b = tt.zeros(1, requires_grad=True)
        self.params = [self.w, self.b]

    def __call__(self, x: tt.Tensor) -> tt.Tensor:
        return (x @ self.w + self.b).sigmoid()


class TwoLayerNet:
    """2-hidden-1: tanh hidden layer, sigmoid output."""

    def __init__(self, hidden: int = 8) -> None:
        self.w1 = (tt.randn(2, hidden) * 1.0).requires_grad_()
        self.b1 = tt.zeros(hidden, requires_grad=True)
        self.w2 = (tt.randn(hidden, 1) * (1 / np.sqrt(hidden))).requires_grad_()
        self.b2 = tt.zeros(1, requires_grad=True)
        self.params = [self.w1, self.b1, self.w2, self.b2]

    def __call__(self, x: tt.Tensor) -> tt.Tensor:
        return ((x @ self.w1 + self.b1).tanh() @ self.w2 + self.b2).sigmoid()


def train(model: Perceptron | TwoLayerNet, epochs: int, lr: float, name: str,
          stop_at_perfect: bool) -> tuple[float, int, float]:
    """Full-batch gradient descent on the 4 XOR points; returns (best accuracy, epochs, loss).

    The model is left with the weights of its best epoch (for the perceptron, the loss keeps
    falling while the accuracy drops back to 50%: the best line is what the figure shows).
    """
    best, loss_value, best_weights = 0.0, float("nan"), None
    for epoch in range(1, epochs + 1):
        p = model(X)
        loss = bce(p, Y)
        if accuracy(p, Y) > best:
            best, best_weights = accuracy(p, Y), [q.array.copy() for q in model.params]
        loss.backward()
        sgd_step(model.params, lr)
        loss_value = loss.item()
        if epoch == 1 or epoch % 500 == 0:
            print(f"  {name} epoch {epoch:5d}  loss {loss_value:.4f}  accuracy "
                  f"{accuracy(p, Y):.0%}")
        if stop_at_perfect and best == 1.0 and loss_value < 0.05:
            print(f"  {name} epoch {epoch:5d}  loss {loss_value:.4f}  accuracy 100%")
            return best, epoch, loss_value
    for q, saved in zip(model.params, best_weights or []):
        q.array[...] = saved
    return best, epochs, loss_value


def plot(models: list[tuple[str, Perceptron | TwoLayerNet, float]], path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    grid = np.linspace(-0.5, 1.5, 201)
    gx, gy = np.meshgrid(grid, grid)
    points = tt.tensor(np.stack([gx.ravel(), gy.ravel()], 1).astype(np.float32))
    fig, axes = plt.subplots(1, len(models), figsize=(5 * len(models), 4.5))
    for ax, (title, model, acc) in zip(axes, models):
        with no_grad():
            z = model(points).array.reshape(gx.shape)
        surface = ax.contourf(gx, gy, z, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.8)
        ax.contour(gx, gy, z, levels=[0.5], colors="k", linewidths=2)
        ax.scatter(X.array[:, 0], X.array[:, 1], c=Y.array[:, 0], cmap="RdBu_r", edgecolors="k",
                   s=160, vmin=0, vmax=1)
        ax.set_title(f"{title}: accuracy {acc:.0%}")
        ax.set_xlabel("x1")
        ax.set_ylabel("x2")
        fig.colorbar(surface, ax=ax, label="P(XOR = 1)")
    fig.suptitle("1969: XOR needs a hidden layer")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tt-milestone-1969", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("."), help="where the PNG goes")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--epochs", type=int, default=5000, help="max epochs per model")
    args = parser.parse_args(argv)
    start = time.perf_counter()

    tt.manual_seed(args.seed)
    print("Single-layer perceptron on XOR (Minsky & Papert, 1969):")
    perceptron = Perceptron()
    p_best, p_epochs, _ = train(perceptron, 2000, 0.5, "perceptron", stop_at_perfect=False)
    print(f"  best accuracy after {p_epochs} epochs: {p_best:.0%} (a line separates at most 3 "
          "of the 4 points)")

    print("Two-layer network 2-8-1 (tanh, sigmoid) trained with autograd:")
    net = TwoLayerNet()
    n_best, n_epochs, n_loss = train(net, args.epochs, 0.5, "2-layer net", stop_at_perfect=True)
    with no_grad():
        n_final = accuracy(net(X), Y)
    print(f"  accuracy {n_final:.0%} after {n_epochs} epochs (loss {n_loss:.4f})")

    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "1969_xor.png"
    with no_grad():
        p_final = accuracy(perceptron(X), Y)
    plot([("perceptron (its best epoch)", perceptron, p_final),
          ("2-8-1 network", net, n_final)], path)
    print(f"wrote {path} in {time.perf_counter() - start:.1f}s")
    ok = p_best <= 0.75 and n_final == 1.0
    print("milestone 1969: " + ("passed" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
