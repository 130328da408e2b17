"""MkDocs hook: the pages that follow the tree, so nothing hand-kept can drift.

* ``on_config``: the ``Parts`` placeholder of the nav becomes one section per part in the tree:
  its concepts page (``parts/part<N>/index.md``, hand-written: the section's index page), one
  page per task and its API page.
* ``on_files``: generates the API pages (course_api.py), the task pages (course_tasks.py), the
  benchmark plot and the milestone figures (course_pages.py).
* ``on_page_markdown``: replaces these markers in any page:
  ``<!-- tt:parts-table -->``, ``<!-- tt:milestones-table -->``, ``<!-- tt:tasks N -->`` (part N's
  tasks), ``<!-- tt:milestone NAME -->`` (a milestone's figures and results),
  ``<!-- tt:benchmark-results -->`` and ``<!-- tt:changelogs -->``; and a
  ``<!-- tt:milestone-block NAME -->`` ... ``<!-- /tt:milestone-block -->`` block is kept only
  when the milestone NAME is in the tree (a release holds only the milestones its parts unlock).

The same hook builds the instructor site (from the repository) and the student site (from a
release, tools/release.py, which has no ``docs/instructor-guide.md``): only the instructor build
shows reference solutions on the task pages.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

HOOKS = Path(__file__).resolve().parent
ROOT = HOOKS.parents[1]
for path in (HOOKS, ROOT / "tools"):  # our modules, and the tools a release ships too
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import course_api  # noqa: E402
import course_pages  # noqa: E402
import course_tasks  # noqa: E402

import _packages  # noqa: E402
import tasks as tasks_tool  # noqa: E402

PARTS_SECTION = "Parts"
INSTRUCTOR_PAGE = "instructor-guide.md"
TASKS_MARKER = re.compile(r"<!-- tt:tasks (\d+) -->")
MILESTONE_MARKER = re.compile(r"<!-- tt:milestone ([\w.-]+) -->")
MILESTONE_BLOCK = re.compile(
    r"<!-- tt:milestone-block ([\w.-]+) -->\n(.*?)<!-- /tt:milestone-block -->\n?", re.S)
PART_PAGE = re.compile(r"^parts/part(\d+)/")

_state: dict[str, object] = {}


def _course() -> tasks_tool.Course:
    if "course" not in _state:
        _state["course"] = tasks_tool.load_course(ROOT)
    return _state["course"]  # type: ignore[return-value]


def _concepts_uri(number: int) -> str:
    return f"parts/part{number}/index.md"


def _instructor(config: MkDocsConfig) -> bool:
    return (Path(config.docs_dir) / INSTRUCTOR_PAGE).is_file()


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Replace the ``Parts`` nav placeholder by one section per part present."""
    _state.clear()
    course = _course()
    docs = Path(config.docs_dir)
    sections = []
    for part in course.parts:
        entries: list[object] = []
        if (docs / _concepts_uri(part.number)).is_file():
            entries.append(_concepts_uri(part.number))  # untitled: the section index
        tasks = course.tasks_of(part.number)
        if tasks:
            shared = course_tasks.shared_heads(tasks)
            entries.append({"Tasks": [{course_tasks.nav_title(t, shared):
                                       course_tasks.task_uri(t.id)} for t in tasks]})
        entries.append({"API reference": course_api.api_uri(part.number)})
        sections.append({f"Part {part.number}: {course_api.short_title(part)}": entries})
    nav = []
    for item in config.nav or []:
        if isinstance(item, dict) and PARTS_SECTION in item:
            nav += sections
        else:
            nav.append(item)
    config.nav = nav
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Add the generated pages and images."""
    course = _course()
    docs = Path(config.docs_dir)
    instructor = _instructor(config)
    present = {part.number for part in course.parts}
    for file in list(files):  # a release of parts 1-2 has no pages about parts 3-6
        match = PART_PAGE.match(file.src_uri)
        if match and int(match[1]) not in present:
            files.remove(file)
    for part in course.parts:
        concepts = _concepts_uri(part.number)
        concepts_uri = concepts if (docs / concepts).is_file() else None
        files.append(File.generated(config, course_api.api_uri(part.number),
                                    content=course_api.api_page(part, concepts_uri)))
        title = course_api.short_title(part)
        for task in course.tasks_of(part.number):
            page = course_tasks.task_page(course, task, title, concepts_uri, instructor)
            files.append(File.generated(config, course_tasks.task_uri(task.id), content=page))
    for uri, path in course_pages.figure_files(ROOT).items():
        files.append(File.generated(config, uri, abs_src_path=str(path)))
    results = course_pages.load_results(ROOT)
    plot = course_pages.benchmark_plot(results) if results and "benchmarks.md" in {
        f.src_uri for f in files} else None
    _state["plot"] = plot is not None
    if plot is not None:
        files.append(File.generated(config, course_pages.BENCH_PLOT_URI, content=plot))
    return files


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Replace the markers of a page with what the tree says."""
    course = _course()
    depth = page.file.src_uri.count("/")
    prefix = "../" * depth
    replacements = {
        "<!-- tt:parts-table -->": lambda: course_pages.parts_table(ROOT),
        "<!-- tt:milestones-table -->": lambda: course_pages.milestones_table(ROOT),
        "<!-- tt:benchmark-results -->": lambda: course_pages.benchmark_section(
            ROOT, bool(_state.get("plot"))),
        "<!-- tt:changelogs -->": lambda: course_pages.changelogs(ROOT),
    }
    for marker, render in replacements.items():
        if marker in markdown:
            markdown = markdown.replace(marker, render())
    markdown = TASKS_MARKER.sub(
        lambda m: course_tasks.tasks_table(course, int(m[1]), prefix), markdown)
    milestones = {m.path.name for m in _packages.milestones(ROOT)}
    markdown = MILESTONE_BLOCK.sub(lambda m: m[2] if m[1] in milestones else "", markdown)
    markdown = MILESTONE_MARKER.sub(lambda m: course_pages.milestone_section(ROOT, m[1]), markdown)
    return markdown

