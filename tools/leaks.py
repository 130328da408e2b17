"""Solution text where students can read it: the needles, and a scan of files and built sites.

A *needle* is one line of a solution region that stubbing removes (tools/solutions.py),
normalised (whitespace collapsed) and long enough to mean something (``return out`` is not a
leak). A line the course's code also holds outside the stubbed regions (stubs, tests,
milestones, tools, parts shipped solved) is an idiom, not a needle.

The scan reads every file of a directory as the reader would see its text: HTML with its tags
removed and entities decoded (the site's pages and mkdocstrings' source expanders), JSON by its
string values (``search_index.json``), anything else as UTF-8 text; binary files are skipped.
Whitespace is collapsed on both sides, so a line split differently still matches.

    python tools/leaks.py DIR [DIR ...]      # exit 1 and list every hit

``nox -s leaks`` runs it on a fresh release and on the student site built from it.
"""

from __future__ import annotations

import html
import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _packages  # noqa: E402
import solutions  # noqa: E402

MIN_CHARS = 20
"""Shorter solution lines (``return out``, ``else:``) are too common to be evidence."""
TAG = re.compile(r"<[^>]*>")
SKIP_DIRS = {".git", ".nox", ".tox", "__pycache__", ".venv", "site", "dist", "build"}
BINARY_SUFFIXES = {".png", ".jpg", ".gif", ".ico", ".woff", ".woff2", ".ttf", ".gz", ".zip",
                   ".whl", ".npz", ".npy", ".pyc", ".idx", ".ubyte"}


@dataclass(frozen=True)
class Needle:
    """One solution line: its normalised text, its task and where it comes from."""

    text: str
    task: str
    origin: str


@dataclass(frozen=True)
class Hit:
    path: Path
    needle: Needle

    def __str__(self) -> str:
        return (f"{self.path}: solution of task {self.needle.task} ({self.needle.origin}): "
                f"{self.needle.text}")


def normalise(text: str) -> str:
    return " ".join(text.split())


def needles(root: Path, stubbed: Iterable[int] | None = None) -> list[Needle]:
    """The solution lines of parts ``stubbed`` (default: every part present): what a student
    must not see.

    A line that the course's Python code also holds outside every stubbed region (a stub, a
    test, a milestone, a tool, a solved part) is an idiom, not evidence: it is no needle."""
    root = Path(root)
    parts = _packages.present_parts(root)
    stubbed_set = set(stubbed) if stubbed is not None else {p.number for p in parts}
    stubbed_srcs = [p.src for p in parts if p.number in stubbed_set]
    legit: list[str] = []
    regions: list[tuple[solutions.Block, list[str]]] = []
    for path in files_under(root):
        if path.suffix != ".py":
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if not any(path.is_relative_to(src) for src in stubbed_srcs) or "SOLUTION" not in text:
            legit.append(text)
            continue
        legit.append(solutions.stub_text(text, path).text)
        lines = text.splitlines()
        regions += [(b, lines[b.begin:b.end - 1]) for b in solutions.find_blocks(text, path)]
    found: dict[str, Needle] = {}
    for block, lines in regions:
        origin = f"{block.path.relative_to(root).as_posix()}:{block.begin}"
        for line in lines:
            text = normalise(line)
            if len(text) >= MIN_CHARS and text not in found:
                found[text] = Needle(text, block.task, origin)
    allowed = _Haystack("\n".join(legit))
    return [needle for needle in found.values() if not allowed.holds(needle)]


class _Haystack:
    """A text, whitespace-collapsed, with its set of words for a quick first test."""

    def __init__(self, text: str) -> None:
        self.flat = normalise(text)
        self.words = set(self.flat.split())

    def holds(self, needle: Needle) -> bool:
        inner = needle.text.split()[1:-1]  # the end words may be glued to their neighbours
        return all(word in self.words for word in inner) and needle.text in self.flat


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def readable_text(path: Path) -> str | None:
    """The text a reader of ``path`` sees (None for binary files)."""
    if path.suffix.lower() in BINARY_SUFFIXES:
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return None
    if path.suffix.lower() == ".json":
        try:
            text = "\n".join(_strings(json.loads(text)))
        except json.JSONDecodeError:
            pass
    if path.suffix.lower() in {".html", ".htm", ".json", ".xml"}:
        text = html.unescape(TAG.sub("", text))
    return text


def files_under(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*")
                  if p.is_file() and not SKIP_DIRS.intersection(p.relative_to(directory).parts))


def scan(paths: Iterable[Path], found: list[Needle]) -> list[Hit]:
    """Every (file, needle) where the file's readable text contains the needle."""
    hits: list[Hit] = []
    for path in paths:
        text = readable_text(path)
        if text:
            haystack = _Haystack(text)
            hits += [Hit(path, needle) for needle in found if haystack.holds(needle)]
    return hits


def scan_dirs(directories: Iterable[Path], found: list[Needle]) -> list[Hit]:
    return scan((p for d in directories for p in files_under(d)), found)


def pages_present(site: Path, pages: Iterable[str]) -> list[str]:
    """Which of the source pages (``docs/x.md``) a built site holds (``x/`` or ``x.html``)."""
    found = []
    for page in pages:
        stem = Path(page).relative_to("docs").with_suffix("")
        if (site / stem).is_dir() or (site / stem.with_suffix(".html")).is_file():
            found.append(page)
    return found


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    found = needles(_packages.REPO)
    hits = scan_dirs([Path(a) for a in argv], found)
    for hit in hits:
        print(hit)
    print(f"leaks: {len(found)} solution lines looked for in {', '.join(argv)}: "
          f"{len(hits)} found", file=sys.stderr)
    return 1 if hits else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
