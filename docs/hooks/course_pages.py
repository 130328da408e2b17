"""Generated page content: the milestones gallery, the benchmark results with their plot, the
changelogs, and the tables of the tree (parts, milestones).

Figures come from running the milestones: ``nox -s milestones`` writes
``.nox/milestones/tmp/figures/<milestone>/<script>/*.png`` (and the script's output as
``output.txt``); ``nox -s docs`` reuses them or runs the milestones itself, and points
``TINYTORCH_SITE_FIGURES`` at them (the student site is built from a release, which has no
``.nox``). Without figures the gallery says how to make them.
"""

from __future__ import annotations

import io
import json
import os
import re
from pathlib import Path
from typing import Any

import _packages

FIGURES_ENV = "TINYTORCH_SITE_FIGURES"
FIGURES_URI = "figures"
OUTPUT_FILE = "output.txt"
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
OUTPUT_LINES = 30
"""The last lines of a milestone script's output shown in the gallery (its results)."""


def figures_dir(root: Path) -> Path | None:
    """Where the milestone figures are: ``$TINYTORCH_SITE_FIGURES`` or ``nox -s milestones``'."""
    configured = os.environ.get(FIGURES_ENV)
    candidate = Path(configured) if configured else root / ".nox" / "milestones" / "tmp" / "figures"
    return candidate if candidate.is_dir() else None


def figure_files(root: Path) -> dict[str, Path]:
    """Site URI -> file of every milestone figure and output found."""
    found = figures_dir(root)
    if found is None:
        return {}
    return {f"{FIGURES_URI}/{path.relative_to(found).as_posix()}": path
            for path in sorted(found.rglob("*"))
            if path.is_file() and path.suffix in {".png", ".txt"}}


def _caption(png: Path) -> str:
    return png.stem.replace("_", " ").replace("-", " ")


def milestone_section(root: Path, name: str) -> str:
    """Figures, results and the run command of the milestone folder ``name``."""
    found = {m.path.name: m for m in _packages.milestones(root)}
    milestone = found.get(name)
    if milestone is None:
        return f"_The milestone `{name}` is not in this tree._"
    pins = ", ".join(f"`{dist}=={pin}`" for dist, pin in milestone.pins.items())
    scripts = list(milestone.scripts)
    lines = [f"Package `{milestone.name}`, pinned to {pins}. "
             f"Run it: {', '.join(f'`{s}`' for s in scripts)} (after installing it), or "
             "`nox -s milestones` for all of them.", ""]
    figures = figures_dir(root)
    shown = 0
    for script in scripts:
        folder = figures / name / script if figures else None
        if folder is None or not folder.is_dir():
            continue
        pngs = sorted(folder.rglob("*.png"))
        for png in pngs:
            uri = f"{FIGURES_URI}/{png.relative_to(figures).as_posix()}"
            lines += ["<figure markdown>", f"![{_caption(png)}]({uri}){{ loading=lazy }}",
                      f"<figcaption>{_caption(png)} (<code>{script}</code>)</figcaption>",
                      "</figure>", ""]
            shown += 1
        output = folder / OUTPUT_FILE
        if output.is_file():
            raw = output.read_text(encoding="utf-8", errors="replace")
            # a progress bar redraws its line with \r: keep what it showed last
            text = [line.rsplit("\r", 1)[-1] for line in raw.rstrip().split("\n")]
            text = [ANSI.sub("", line) for line in text if line.strip()]
            tail = "\n".join(text[-OUTPUT_LINES:])
            lines += [f'??? success "What `{script}` printed (its results)"', "",
                      "    ```text", *[f"    {line}" for line in tail.splitlines()], "    ```", ""]
    if not shown:
        lines += ["!!! info \"No figures in this build\"",
                  "    Run `nox -s milestones` (or `nox -s docs`, which runs them when they are "
                  "missing), then rebuild the site.", ""]
    return "\n".join(lines)


def parts_table(root: Path) -> str:
    """The course's parts with their version, or 'not in the tree'."""
    rows = ["| part | distribution | import | needs | version |", "|---|---|---|---|---|"]
    for spec in _packages.COURSE:
        try:
            part = _packages.load_part(spec, root)
        except _packages.MissingPart:
            rows.append(f"| {spec.number} | `{spec.dist}` | `{spec.module}` | | not in this tree |")
            continue
        needs = ", ".join(f"`{name}`" for name in part.part_dependencies) or "NumPy only"
        rows.append(f"| [{spec.number}](parts/part{spec.number}/index.md) | `{spec.dist}` | "
                    f"[`{spec.module}`](api/part{spec.number}.md) | {needs} | {part.version} |")
    return "\n".join(rows)


def milestones_table(root: Path) -> str:
    found = _packages.milestones(root)
    if not found:
        return "_No milestone package is in this tree._"
    rows = ["| milestone | pins | run it |", "|---|---|---|"]
    for milestone in found:
        pins = ", ".join(f"`{dist}=={pin}`" for dist, pin in milestone.pins.items())
        scripts = ", ".join(f"`{name}`" for name in milestone.scripts) or "-"
        rows.append(f"| `{milestone.name}` | {pins} | {scripts} |")
    return "\n".join(rows)


def changelogs(root: Path) -> str:
    """Every part's CHANGELOG.md, headings one level down, under a heading per package."""
    out: list[str] = []
    for part in _packages.present_parts(root):
        path = part.path / "CHANGELOG.md"
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"^# .*\n", "", text, count=1)
        text = re.sub(r"^(#+) ", lambda m: "#" * (len(m[1]) + 1) + " ", text, flags=re.M)
        out += [f"## `{part.name}` (part {part.number}, version {part.version})", "", text.strip(),
                ""]
    return "\n".join(out) or "_No changelog in this tree._"


# --------------------------------------------------------------------------------------------
# Benchmarks
# --------------------------------------------------------------------------------------------

BENCH_PLOT_URI = "assets/generated/benchmarks.png"


def load_results(root: Path) -> dict[str, Any] | None:
    path = root / "benchmarks" / "results.json"
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def _us(value: Any) -> str:
    if value is None:
        return "-"
    return f"{value / 1000:.2f} ms" if value >= 1000 else f"{value:.1f} µs"


def _ratio(value: Any) -> str:
    return "-" if value is None else f"{value:.2f}x"


def benchmark_table(results: dict[str, Any]) -> str:
    rows = ["| benchmark | what | TinyTorch | NumPy | PyTorch | / NumPy | / PyTorch | target | "
            "status |", "|---|---|---|---|---|---|---|---|---|"]
    for r in results.get("results", []):
        target = ", ".join(f"{k} <= {v:g}x" for k, v in (r.get("target") or {}).items()) or "-"
        rows.append(f"| `{r['name']}` | {r.get('note') or '-'} | {_us(r.get('ours_us'))} | "
                    f"{_us(r.get('numpy_us'))} | {_us(r.get('torch_us'))} | "
                    f"{_ratio(r.get('ratio_numpy'))} | {_ratio(r.get('ratio_torch'))} | "
                    f"{target} | {r.get('status', '-')} |")
    machine = results.get("machine", {})
    torch = results.get("torch") or {}
    numpy = results.get("numpy") or {}
    rows += ["", f"Measured {results.get('created', '?')} on {machine.get('cpus', '?')} CPUs, "
                 f"Python {machine.get('python', '?')}, NumPy {numpy.get('version', '?')}, "
                 f"PyTorch {torch.get('version', '?') if isinstance(torch, dict) else torch}. "
                 "A ratio is our time over theirs: below 1 we are faster."]
    return "\n".join(rows)


def benchmark_plot(results: dict[str, Any]) -> bytes | None:
    """A bar chart of our time over PyTorch's and NumPy's per benchmark (PNG), or None when
    matplotlib is missing (it is installed in the docs session only)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    records = [r for r in results.get("results", []) if r.get("ratio_torch") is not None]
    if not records:
        return None
    names = [r["name"] for r in records]
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(names) + 1.5), dpi=110)
    ys = range(len(names))
    ax.barh([y + 0.2 for y in ys], [r["ratio_torch"] for r in records], height=0.4,
            label="TinyTorch / PyTorch", color="#e4572e")
    ax.barh([y - 0.2 for y in ys], [r.get("ratio_numpy") or float("nan") for r in records], height=0.4,
            label="TinyTorch / NumPy", color="#4c72b0")
    ax.axvline(1.0, color="black", linewidth=1)
    ax.set_xscale("log")
    ax.set_yticks(list(ys), names)
    ax.invert_yaxis()
    ax.set_xlabel("time ratio (log scale; < 1: TinyTorch is faster)")
    ax.legend(loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def benchmark_section(root: Path, plot_available: bool) -> str:
    results = load_results(root)
    if results is None:
        return ("_No results yet: run `nox -s bench` (it writes `benchmarks/results.json`), "
                "then rebuild the site._")
    figure = (f"![Time ratios to PyTorch and NumPy]({BENCH_PLOT_URI})\n\n" if plot_available
              else "_(The plot needs matplotlib, which `nox -s docs` installs.)_\n\n")
    return figure + benchmark_table(results)
