"""Task declarations: each part's ``tasks.toml``, the one place a task is declared.

A part's tasks live next to its ``pyproject.toml``, in the order students do them::

    [[task]]
    id = "2.1"                       # "<part>.<n>", numbered in course order
    title = "unbroadcast: sum a gradient back to its input's shape"
    points = 4                       # what the task is worth when graded
    needs = []                       # earlier task ids (any part) it builds on

The code holds each task's solution regions (``# BEGIN SOLUTION 2.1 <what>`` ...
``# END SOLUTION``) and the tests name it (``@pytest.mark.task("2.1")``); everything else about
a task is read from here. ``python tools/tasks.py [PART_DIR ...]`` prints the table.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import tomllib

TASKS_FILE = "tasks.toml"
TASK_ID = re.compile(r"^(?P<part>\d+)\.(?P<n>\d+)$")


class TaskDeclarationError(ValueError):
    """A ``tasks.toml`` is malformed: a missing field, a bad id, an unknown or later ``needs``."""


@dataclass(frozen=True)
class TaskDecl:
    """One declared task."""

    id: str
    title: str
    points: float
    needs: tuple[str, ...] = field(default=())

    @property
    def part(self) -> int:
        return int(self.id.split(".", 1)[0])

    @property
    def key(self) -> tuple[int, int]:
        """Sort key in course order: ``1.10`` after ``1.9``."""
        part, n = self.id.split(".", 1)
        return int(part), int(n)


def task_key(task_id: str) -> tuple[int, int]:
    """Course-order sort key of a task id string."""
    match = TASK_ID.match(task_id)
    if match is None:
        raise TaskDeclarationError(f"task id {task_id!r} is not '<part>.<n>'")
    return int(match["part"]), int(match["n"])


def load_tasks(part_dir: Path) -> list[TaskDecl]:
    """The tasks declared in ``part_dir/tasks.toml`` in course order ([] when there is none)."""
    path = Path(part_dir) / TASKS_FILE
    if not path.is_file():
        return []
    with path.open("rb") as handle:
        raw = tomllib.load(handle)
    unknown = set(raw) - {"task"}
    if unknown:
        raise TaskDeclarationError(f"{path}: unknown top-level keys {sorted(unknown)}")
    tasks: list[TaskDecl] = []
    for number, entry in enumerate(raw.get("task", []), start=1):
        where = f"{path}: task #{number}"
        missing = {"id", "title", "points"} - set(entry)
        if missing:
            raise TaskDeclarationError(f"{where} lacks {sorted(missing)}")
        extra = set(entry) - {"id", "title", "points", "needs"}
        if extra:
            raise TaskDeclarationError(f"{where} has unknown keys {sorted(extra)}")
        task_key(entry["id"])
        points = entry["points"]
        if not isinstance(points, (int, float)) or isinstance(points, bool) or points <= 0:
            raise TaskDeclarationError(f"{where} ({entry['id']}): points must be a positive number")
        tasks.append(TaskDecl(str(entry["id"]), str(entry["title"]), float(points),
                              tuple(str(n) for n in entry.get("needs", []))))
    ids = [t.id for t in tasks]
    if len(set(ids)) != len(ids):
        raise TaskDeclarationError(f"{path}: a task id is declared twice: {ids}")
    if ids != sorted(ids, key=task_key):
        raise TaskDeclarationError(f"{path}: tasks are not in course order: {ids}")
    for task in tasks:
        later = [n for n in task.needs if task_key(n) >= task.key]
        if later:
            raise TaskDeclarationError(f"{path}: task {task.id} needs {later}, which do not "
                                       "come before it")
    return tasks


def main(argv: list[str]) -> int:
    root = Path(__file__).resolve().parent.parent
    dirs = [Path(a) for a in argv] or sorted(p.parent for p in root.glob(f"packages/*/{TASKS_FILE}"))
    for task in sorted((t for d in dirs for t in load_tasks(d)), key=lambda t: t.key):
        needs = ", ".join(task.needs) or "-"
        print(f"{task.id:>6}  {task.points:>4g} pts  needs {needs:<12} {task.title}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
