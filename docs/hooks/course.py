"""MkDocs hook: pages and tables that follow the tree, so nothing hand-kept can drift.

* ``on_config``: the ``Parts`` nav section gets ``api/part<N>.md`` for every part in the tree.
* ``on_files``: a part without a hand-written ``docs/api/part<N>.md`` gets a generated one
  (a title and ``::: tinytorch.<subpackage>``).
* ``on_page_markdown``: replaces these markers in any page:
  ``<!-- tt:parts-table -->`` (the course map with what is in the tree),
  ``<!-- tt:milestones-table -->`` (milestone packages, their pins and scripts),
  ``<!-- tt:benchmark-results -->`` (``benchmarks/results.json`` rendered, when present).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))

import _packages  # noqa: E402  (tools/ is put on sys.path just above)

PARTS_SECTION = "Parts"


def _api_page(number: int) -> str:
    return f"api/part{number}.md"


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Point the Parts section at one API page per part in the tree."""
    entries = [
        {f"Part {part.number}: {part.name}": _api_page(part.number)}
        for part in _packages.present_parts()
    ]
    for item in config.nav or []:
        if isinstance(item, dict) and PARTS_SECTION in item:
            item[PARTS_SECTION] = entries
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Generate the API page of every part that has no hand-written one."""
    for part in _packages.present_parts():
        uri = _api_page(part.number)
        if files.get_file_from_path(uri) is None:
            content = (
                f"# Part {part.number}: {part.name}\n\n"
                f"`pip install {part.name}` gives `import {part.module}`.\n\n"
                f"::: {part.module}\n"
            )
            files.append(File.generated(config, uri, content=content))
    return files


def parts_table() -> str:
    """The course map, with each part's version or 'not in the tree yet'."""
    rows = ["| part | distribution | import | needs | version |", "|---|---|---|---|---|"]
    for spec in _packages.COURSE:
        try:
            part = _packages.load_part(spec)
        except _packages.MissingPart:
            rows.append(
                f"| {spec.number} | `{spec.dist}` | `{spec.module}` | | not in the tree yet |"
            )
            continue
        needs = ", ".join(f"`{name}`" for name in part.part_dependencies) or "NumPy only"
        rows.append(
            f"| {spec.number} | [`{spec.dist}`]({_api_page(spec.number)}) | `{spec.module}` "
            f"| {needs} | {part.version} |"
        )
    return "\n".join(rows)


def milestones_table() -> str:
    """The milestone packages in the tree: what they pin and which scripts they install."""
    found = _packages.milestones()
    if not found:
        return "_No milestone package is in the tree yet._"
    rows = ["| milestone | pins | run it |", "|---|---|---|"]
    for milestone in found:
        pins = ", ".join(f"`{dist}=={pin}`" for dist, pin in milestone.pins.items())
        scripts = ", ".join(f"`{name}`" for name in milestone.scripts) or "-"
        rows.append(f"| `{milestone.name}` ({milestone.path.name}) | {pins} | {scripts} |")
    return "\n".join(rows)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value).replace("|", "\\|")


def benchmark_results() -> str:
    """``benchmarks/results.json`` as a table (a list of flat records) or as JSON."""
    path = _packages.REPO / "benchmarks" / "results.json"
    if not path.is_file():
        return (
            "_No results yet: run `nox -s bench` (it writes `benchmarks/results.json`), "
            "then rebuild the site._"
        )
    data = json.loads(path.read_text(encoding="utf-8"))
    records = data.get("results", data) if isinstance(data, dict) else data
    if isinstance(records, list) and records and all(isinstance(r, dict) for r in records):
        columns: list[str] = []
        for record in records:
            columns += [key for key in record if key not in columns]
        rows = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
        rows += [
            "| " + " | ".join(_cell(record.get(key, "")) for key in columns) + " |"
            for record in records
        ]
        return "\n".join(rows)
    return "```json\n" + json.dumps(data, indent=2) + "\n```"


MARKERS = {
    "<!-- tt:parts-table -->": parts_table,
    "<!-- tt:milestones-table -->": milestones_table,
    "<!-- tt:benchmark-results -->": benchmark_results,
}


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Replace the table markers in a page with tables built from the tree."""
    for marker, render in MARKERS.items():
        if marker in markdown:
            markdown = markdown.replace(marker, render())
    return markdown
