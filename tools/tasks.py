"""The course's tasks: declared once per part, solved in regions of the code, graded by tests.

A part declares its tasks in ``packages/<dist>/tasks.toml``, in the order students do them::

    [[task]]
    id = "2.1"                       # "<part>.<n>", numbered in course order
    title = "unbroadcast: sum a gradient back to its input's shape"
    points = 4                       # what the task is worth when graded
    needs = []                       # earlier task ids (any part) it builds on

Its solution sits in the part's ``src/`` between ``# BEGIN SOLUTION 2.1 <what>`` and
``# END SOLUTION`` (tools/solutions.py), and its tests carry ``@pytest.mark.task("2.1")`` (on the
function, its class, or a module/class ``pytestmark``; read here with ``ast``, nothing is imported).

``load_course(root)`` joins the three and checks they agree: a region or a test naming an
undeclared task, a task with no region or no test, a ``needs`` that is not an earlier declared
task are errors, all reported at once. Every course tool (course map, audit, check, release)
reads tasks through it. ``python tools/tasks.py [ROOT]`` prints the table or the errors.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 needs `pip install tomli`
    import tomli as tomllib

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _packages  # noqa: E402
import solutions  # noqa: E402

TASKS_FILE = "tasks.toml"
TASK_ID = re.compile(r"^(?P<part>\d+)\.(?P<n>\d+)$")


class TaskDeclarationError(ValueError):
    """A ``tasks.toml`` is malformed: a missing field, a bad id, an unknown or later ``needs``."""


class CourseError(ValueError):
    """Declarations, solution regions and test tags disagree; the message lists every problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("the course's tasks are inconsistent:\n  " + "\n  ".join(problems))


# --------------------------------------------------------------------------------------------
# Declarations (tasks.toml)
# --------------------------------------------------------------------------------------------


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
        return task_key(self.id)


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


# --------------------------------------------------------------------------------------------
# Tests and their task tags (read with ast)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TestRef:
    """A test function: pytest's node id (relative to the part's directory, without
    parametrization), the task it grades (None for infrastructure tests) and its file.

    ``dynamic`` is set for a parametrized function without a literal tag in a file that tags
    cases at run time (``pytest.param(op, marks=pytest.mark.task(op.task))``, a MyGrad-style
    table): the task ids written in that file, any of which its cases may carry. What they
    really carry is known only when pytest collects them (the audit and the check read it)."""

    __test__ = False  # not a pytest test class

    nodeid: str
    task: str | None
    path: Path
    line: int = 0
    dynamic: tuple[str, ...] = ()


def _task_of_marker(node: ast.expr) -> str | None:
    """``pytest.mark.task("1.3")`` (or ``mark.task("1.3")``) -> ``"1.3"``."""
    if not isinstance(node, ast.Call) or not node.args:
        return None
    func = node.func
    if not (isinstance(func, ast.Attribute) and func.attr == "task"):
        return None
    arg = node.args[0]
    return arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None


def _tasks_in(node: ast.expr | None) -> list[str]:
    if node is None:
        return []
    items = node.elts if isinstance(node, (ast.List, ast.Tuple)) else [node]
    return [task for task in map(_task_of_marker, items) if task is not None]


def _pytestmark(body: list[ast.stmt]) -> str | None:
    """The task of a ``pytestmark = ...`` assignment in a module or class body."""
    found = None
    for stmt in body:
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            if any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in targets):
                found = next(iter(_tasks_in(stmt.value)), found)
    return found


def _decorated_task(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> str | None:
    tasks = [t for d in node.decorator_list for t in _tasks_in(d)]
    return tasks[0] if tasks else None


def _dynamic_ids(tree: ast.Module) -> tuple[str, ...]:
    """The task-id-like strings of a file that calls ``mark.task(<not a literal>)``, else ()."""
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)
             and isinstance(n.func, ast.Attribute) and n.func.attr == "task" and n.args]
    if all(isinstance(c.args[0], ast.Constant) for c in calls):
        return ()
    found = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)
             and isinstance(n.value, str) and TASK_ID.match(n.value)}
    return tuple(sorted(found, key=task_key))


def _parametrized(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute)
               and d.func.attr == "parametrize" for d in node.decorator_list)


def tests_in_file(path: Path, base: Path) -> list[TestRef]:
    """Test functions of one file with their task (function mark > class mark > pytestmark)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    module_task = _pytestmark(tree.body)
    dynamic = _dynamic_ids(tree)
    relative = path.relative_to(base).as_posix()
    functions = (ast.FunctionDef, ast.AsyncFunctionDef)

    def ref(name: str, node: ast.FunctionDef | ast.AsyncFunctionDef, task: str | None
            ) -> TestRef:
        cases = dynamic if task is None and _parametrized(node) else ()
        return TestRef(f"{relative}::{name}", task, path, node.lineno, cases)

    refs: list[TestRef] = []
    for stmt in tree.body:
        if isinstance(stmt, functions) and stmt.name.startswith("test"):
            refs.append(ref(stmt.name, stmt, _decorated_task(stmt) or module_task))
        elif isinstance(stmt, ast.ClassDef) and stmt.name.startswith("Test"):
            class_task = _decorated_task(stmt) or _pytestmark(stmt.body) or module_task
            for member in stmt.body:
                if isinstance(member, functions) and member.name.startswith("test"):
                    refs.append(ref(f"{stmt.name}::{member.name}", member,
                                    _decorated_task(member) or class_task))
    return refs


def test_files(tests_dir: Path) -> list[Path]:
    """``test_*.py`` and ``*_test.py`` files under ``tests_dir``, sorted."""
    if not tests_dir.is_dir():
        return []
    found = set(tests_dir.rglob("test_*.py")) | set(tests_dir.rglob("*_test.py"))
    return sorted(p for p in found if "__pycache__" not in p.parts)


def scan_tests(tests_dir: Path, base: Path | None = None) -> list[TestRef]:
    """Every test under ``tests_dir`` with its task; node ids relative to ``base``."""
    anchor = base if base is not None else tests_dir.parent
    return [ref for path in test_files(tests_dir) for ref in tests_in_file(path, anchor)]


# --------------------------------------------------------------------------------------------
# The course: declarations + regions + tests, checked against each other
# --------------------------------------------------------------------------------------------


@dataclass
class Task:
    """A declared task with its solution regions and its tests."""

    decl: TaskDecl
    part: _packages.Part
    regions: list[solutions.Block] = field(default_factory=list)
    tests: list[TestRef] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.decl.id

    @property
    def title(self) -> str:
        return self.decl.title

    @property
    def points(self) -> float:
        return self.decl.points

    @property
    def needs(self) -> tuple[str, ...]:
        return self.decl.needs

    @property
    def key(self) -> tuple[int, int]:
        return self.decl.key

    def region_files(self) -> list[Path]:
        """The source files holding this task's regions (paths relative to the part's src)."""
        return sorted({b.path.relative_to(self.part.src) for b in self.regions})

    def test_files(self) -> list[Path]:
        """The test files holding this task's tests (absolute)."""
        return sorted({t.path for t in self.tests})


@dataclass
class Course:
    """Every part present in a tree, with its tasks in course order and its tests."""

    root: Path
    parts: list[_packages.Part]
    tasks: dict[str, Task]  # in course order
    tests: dict[int, list[TestRef]]  # part number -> every test of that part

    def tasks_of(self, part: int) -> list[Task]:
        return [t for t in self.tasks.values() if t.decl.part == part]

    def ordered(self) -> list[Task]:
        return list(self.tasks.values())

    def later(self, task: Task) -> list[Task]:
        """The tasks after ``task`` in course order, across every part present."""
        return [t for t in self.tasks.values() if t.key > task.key]

    def part(self, number: int) -> _packages.Part:
        for part in self.parts:
            if part.number == number:
                return part
        raise KeyError(f"part {number} is not in {self.root}")

    def next_task(self, task: Task) -> Task | None:
        later = self.later(task)
        return later[0] if later else None


def _where(path: Path, root: Path, line: int) -> str:
    try:
        shown = path.relative_to(root).as_posix()
    except ValueError:
        shown = str(path)
    return f"{shown}:{line}" if line else shown


def load_course(root: Path = _packages.REPO, numbers: Iterable[int] | None = None, *,
                check: bool = True) -> Course:
    """Read the tasks, regions and tests of every part present (or of parts ``numbers`` and
    the parts they need); CourseError lists all disagreements (unless ``check`` is false).
    A malformed marker raises solutions.MarkerError."""
    root = Path(root).resolve()
    parts = _packages.present_parts(root)
    if numbers is not None:
        wanted = {dep.number for n in numbers for dep in _packages.with_deps(n, root)}
        parts = [p for p in parts if p.number in wanted]
    tasks: dict[str, Task] = {}
    tests: dict[int, list[TestRef]] = {}
    problems: list[str] = []
    for part in parts:
        toml = (part.path / TASKS_FILE).relative_to(root).as_posix()
        for decl in load_tasks(part.path):
            if decl.part != part.number:
                problems.append(f"{toml}: task {decl.id} is declared in part {part.number}; "
                                f"task ids of this part start with '{part.number}.'")
            tasks[decl.id] = Task(decl, part)
        for block in solutions.blocks_in(part.src):
            where = _where(block.path, root, block.begin)
            task = tasks.get(block.task)
            if task is None:
                problems.append(f"{where}: solution region of task {block.task}, which {toml} "
                                "does not declare")
            elif task.part.number != part.number:
                problems.append(f"{where}: solution region of task {block.task} (part "
                                f"{task.decl.part}) in part {part.number}")
            else:
                task.regions.append(block)
        tests[part.number] = scan_tests(part.tests, part.path)
        for ref in tests[part.number]:
            for case_task in ref.dynamic:  # cases tagged at run time: any id the file names
                if case_task in tasks and tasks[case_task].part.number == part.number:
                    tasks[case_task].tests.append(ref)
            if ref.task is None:
                continue
            task = tasks.get(ref.task)
            where = _where(ref.path, root, ref.line)
            if task is None:
                problems.append(f"{where}: {ref.nodeid.split('::', 1)[1]} is tagged with task "
                                f"{ref.task}, which {toml} does not declare")
            elif task.part.number != part.number:
                problems.append(f"{where}: {ref.nodeid.split('::', 1)[1]} in part {part.number} "
                                f"is tagged with task {ref.task} of part {task.decl.part}")
            else:
                task.tests.append(ref)
    ordered = dict(sorted(tasks.items(), key=lambda item: item[1].key))
    for task in ordered.values():
        toml = (task.part.path / TASKS_FILE).relative_to(root).as_posix()
        if not task.regions:
            problems.append(f"{toml}: task {task.id} has no solution region "
                            f"(# BEGIN SOLUTION {task.id} <what> in {task.part.src.relative_to(root)})")
        if not task.tests:
            problems.append(f"{toml}: task {task.id} has no test "
                            f'(@pytest.mark.task("{task.id}") in {task.part.tests.relative_to(root)})')
        unknown = [n for n in task.needs if n not in ordered]
        if unknown:
            problems.append(f"{toml}: task {task.id} needs {', '.join(unknown)}, not declared by "
                            "any part in this tree")
    if check and problems:
        raise CourseError(problems)
    return Course(root, parts, ordered, tests)


def main(argv: list[str]) -> int:
    root = Path(argv[0]) if argv else _packages.REPO
    try:
        course = load_course(root)
    except (CourseError, TaskDeclarationError, solutions.MarkerError) as error:
        print(f"tasks: {error}", file=sys.stderr)
        return 1
    for task in course.ordered():
        needs = ", ".join(task.needs) or "-"
        print(f"{task.id:>6}  {task.points:>4g} pts  {len(task.tests):>3} tests  "
              f"needs {needs:<12} {task.title}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
