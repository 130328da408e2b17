"""The course site's own code: the docstring markup converter (docs/hooks/docstring_markup.py),
the task pages (docs/hooks/course_tasks.py) and the checks on a built site (tools/sitecheck.py).

Every check is shown to fail on a planted defect: a broken link, a missing anchor, a raw Sphinx
role, raw math, a solution line on a student page. The browser test needs Debian's chromium and
skips without it."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest
from fakecourse import task_toml, write_part

HOOKS = Path(__file__).resolve().parents[2] / "docs" / "hooks"
if str(HOOKS) not in sys.path:
    sys.path.insert(0, str(HOOKS))

import course_tasks  # noqa: E402
import docstring_markup as dm  # noqa: E402

import sitecheck  # noqa: E402
import tasks as tasks_tool  # noqa: E402

# --------------------------------------------------------------------------------------------
# reStructuredText leftovers -> Markdown
# --------------------------------------------------------------------------------------------


def test_sphinx_roles_become_code_or_optional_links():
    text = ("Calls :meth:`get_state`, :class:`~tinytorch.nn.Module` and "
            ":func:`tinytorch.autograd.grad`; see :mod:`.flops` and :func:`name <a.b>`.")
    out = dm.convert_roles(text)
    assert ":meth:" not in out and ":class:" not in out and "`~" not in out
    assert "`get_state`" in out  # unresolvable, no dot: plain code
    assert '<autoref identifier="tinytorch.nn.Module" optional><code>Module</code></autoref>' in out
    assert ('<autoref identifier="tinytorch.autograd.grad" optional>'
            "<code>tinytorch.autograd.grad</code></autoref>") in out
    assert '<autoref identifier="a.b" optional><code>name</code></autoref>' in out


def test_a_resolver_turns_a_relative_name_into_a_link():
    out = dm.convert_roles(":class:`Node`", resolve={"Node": "pkg.graph.Node"}.get)
    assert out == '<autoref identifier="pkg.graph.Node" optional><code>Node</code></autoref>'


def test_rst_simple_tables_become_markdown_tables_with_continuation_lines():
    text = textwrap.dedent("""\
        Files:

        ==============  ==========================
        ``grad_mode``   recording on and off
        ``rules/``      one backward rule per op,
                        in files named like part 1's
        ==============  ==========================

        After.
        """)
    out = dm.convert_tables(text)
    assert "====" not in out
    assert "| ``grad_mode`` | recording on and off |" in out
    assert "| ``rules/`` | one backward rule per op, in files named like part 1's |" in out
    assert out.endswith("After.\n")


def test_a_table_with_a_header_row_keeps_it():
    text = textwrap.dedent("""\
        =====  =========
        table  found by
        =====  =========
        a      b
        c      d
        =====  =========
        """)
    lines = dm.convert_tables(text).splitlines()
    assert lines[:4] == ["| table | found by |", "|---|---|", "| a | b |", "| c | d |"]


def test_literal_blocks_become_fenced_code():
    text = "Use it like this::\n\n    with no_grad():\n        w -= lr * g\n\nThen more.\n"
    out = dm.convert_literal_blocks(text)
    assert "::" not in out
    assert "Use it like this:\n\n```python\nwith no_grad():\n    w -= lr * g\n```" in out
    assert out.rstrip().endswith("Then more.")
    formula = dm.convert_literal_blocks("The rule::\n\n    g = g + wd * p   if wd != 0\n")
    assert "```text" in formula  # not Python: no highlighting


def test_conversion_is_idempotent():
    text = ":class:`~a.B` and::\n\n    x = 1\n\n====  ====\na     b\n====  ====\n"
    once = dm.to_markdown(text)
    assert dm.to_markdown(once) == once


# --------------------------------------------------------------------------------------------
# Task pages
# --------------------------------------------------------------------------------------------

SOURCE = '''
def scale(x, factor):
    """Multiply ``x`` by ``factor``.

    Args:
        x: ``(N, D)`` values.
        factor: a number.

    Returns:
        ``x * factor``, shape ``(N, D)``.

    Raises:
        TypeError: ``factor`` is not a number.
    """
    # BEGIN SOLUTION 1.1 scale a tensor
    secret_solution_line = x * factor
    return secret_solution_line
    # END SOLUTION


class Box:
    """A box."""

    # BEGIN SOLUTION 1.2 open the box
    def open(self):
        """Open it: return the hidden value."""
        return self.hidden_value_of_the_box
    # END SOLUTION
'''
TESTS = '''
import pytest


@pytest.mark.task("1.1")
def test_scale():
    assert True


@pytest.mark.task("1.2")
def test_open():
    assert True
'''


@pytest.fixture
def course(tmp_path):
    write_part(tmp_path, "tt-tensor", "tensor",
               tasks=task_toml(("1.1", "scale: multiply"), ("1.2", "open the box", ["1.1"])),
               source=SOURCE, tests={"test_it.py": TESTS})
    return tasks_tool.load_course(tmp_path)


def test_a_task_page_shows_the_docstring_signature_check_and_tests_not_the_solution(course):
    task = course.tasks["1.1"]
    page = course_tasks.task_page(course, task, "Tensors", "parts/part1/index.md",
                                  instructor=False)
    assert page.startswith("# Task 1.1: scale: multiply")
    assert "def scale(x, factor):" in page
    assert "Multiply ``x`` by ``factor``." in page
    assert "nox -s check -- 1.1" in page
    assert "tt-tensor/tests/test_it.py::test_scale" in page
    assert "[task 1.2](1.2.md)" in page  # what comes next
    assert "secret_solution_line" not in page
    instructor = course_tasks.task_page(course, task, "Tensors", None, instructor=True)
    assert "secret_solution_line = x * factor" in instructor


def test_google_sections_render_as_tables(course):
    pytest.importorskip("griffe", reason="griffe (a dependency of mkdocstrings) parses them")
    page = course_tasks.task_page(course, course.tasks["1.1"], "Tensors", None, instructor=False)
    assert "| `x` | ``(N, D)`` values. |" in page  # Args
    assert "**Returns:** ``x * factor``, shape ``(N, D)``." in page
    assert "| `TypeError` | ``factor`` is not a number. |" in page  # Raises


def test_a_region_made_of_a_method_shows_it_inside_its_class(course):
    page = course_tasks.task_page(course, course.tasks["1.2"], "Tensors", None,
                                  instructor=False)
    assert "### `Box.open`" in page
    assert "class Box:\n    ...\n    def open(self):" in page
    assert "Open it: return the hidden value." in page
    assert "hidden_value_of_the_box" not in page
    assert "[1.1](1.1.md)" in page  # what it needs


def test_nav_titles_are_short_and_tell_shared_heads_apart(course):
    task = course.tasks["1.1"]
    assert course_tasks.nav_title(task) == "1.1 scale"
    assert course_tasks.nav_title(task, frozenset({"scale"})) == "1.1 scale: multiply"


def test_the_tasks_table_links_every_task(course):
    table = course_tasks.tasks_table(course, 1, prefix="../../")
    assert "[1.1](../../tasks/1.1.md)" in table and "[1.2](../../tasks/1.2.md)" in table
    assert "2 tasks, 2 points" in table


# --------------------------------------------------------------------------------------------
# Checks on a built site
# --------------------------------------------------------------------------------------------

PAGE = """<!doctype html><html><head><title>{title} - TinyTorch</title>
<link rel="stylesheet" href="{root}assets/site.css"></head><body>
<nav>{nav}</nav><h1 id="top">{title}</h1>{body}</body></html>"""


def write_site(root: Path, pages: dict[str, str], title: str = "Page") -> Path:
    nav = "".join(f'<a class="md-nav__link" href="#top">link {i}</a>' for i in range(6))
    (root / "assets").mkdir(parents=True, exist_ok=True)
    (root / "assets" / "site.css").write_text("body { color: black; }")
    for path, body in pages.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        depth = len(Path(path).parts) - 1
        target.write_text(PAGE.format(title=title, root="../" * depth, nav=nav, body=body))
    return root


def test_links_that_resolve_pass(tmp_path):
    site = write_site(tmp_path, {
        "index.html": '<a href="guide/">guide</a> <a href="guide/#setup">setup</a> '
                      '<a href="https://example.org/x">out</a> <a href="#top">top</a>',
        "guide/index.html": '<h2 id="setup">Setup</h2><a href="../">home</a>'
                            '<img src="../assets/site.css">',
    })
    assert sitecheck.check_links(site) == []


def test_a_broken_link_a_missing_anchor_and_an_escape_are_found(tmp_path):
    site = write_site(tmp_path, {
        "index.html": '<a href="nowhere/">x</a> <a href="guide/#nope">y</a> '
                      '<img src="../../etc/passwd">',
        "guide/index.html": '<h2 id="setup">Setup</h2>',
    })
    problems = sitecheck.check_links(site)
    assert len(problems) == 3
    assert any("nowhere/ (no such file)" in p for p in problems)
    assert any("no id 'nope'" in p for p in problems)
    assert any("leaves the site" in p for p in problems)


def test_raw_markup_in_prose_is_found_but_code_is_left_alone(tmp_path):
    site = write_site(tmp_path, {
        "clean.html": '<p>Call <code>get_state</code>.</p>'
                      '<div class="highlight"><pre><code>:meth:`kept in code`</code></pre></div>'
                      '<details class="mkdocstrings-source"><summary>Source</summary>'
                      '<div><table><tr><td>:class:`Source` $$</td></tr></table></div></details>'
                      '<p><span class="arithmatex">\\(x^2\\)</span></p>',
        "raw.html": "<p>See :meth:`get_state` and `~a.b`.</p>"
                    "<p>========  ========</p><p>$$x$$ and $\\bar x = $ y</p>",
    })
    problems = sitecheck.check_markup(site)
    assert all(p.startswith("raw.html") for p in problems), problems
    kinds = {p.split(": ")[1] for p in problems}
    assert {"a Sphinx cross-reference role", "a Sphinx ~target",
            "a reStructuredText table rule", "raw $$ math",
            "raw $ math (a $ before a TeX command)"} <= kinds


def test_the_dom_inspection_fails_without_math_or_api_entries():
    spec = sitecheck.PageSpec("p", "p/", math=True, api_ids=("a.Module", "a.Linear"))
    nav = '<a class="md-nav__link">' * 6
    good = (f"<title>P - TinyTorch</title>{nav}<span class=\"katex\">x</span>"
            '<h2 id="a.Module" class="doc doc-heading">M</h2><h2 id="a.Linear">L</h2>')
    assert sitecheck.inspect_dom(spec, good, "TinyTorch").ok
    bad = (f"<title>P</title>{nav}$$x$$<span class=\"katex-error\">x</span>"
           '<h2 id="a.Linear">L</h2><h2 id="a.Module">M</h2>')
    problems = " | ".join(sitecheck.inspect_dom(spec, bad, "TinyTorch").problems)
    for expected in ("does not name the site", "no KaTeX output", "KaTeX error", "raw $$",
                     "not in the order"):
        assert expected in problems
    missing = sitecheck.inspect_dom(spec, f"<title>TinyTorch</title>{nav}", "TinyTorch")
    assert any("no entry for a.Module, a.Linear" in p for p in missing.problems)


@pytest.mark.skipif(sitecheck.find_chromium() is None,
                    reason="chromium is not installed (Debian: apt-get install chromium)")
def test_a_real_browser_renders_the_page_and_writes_a_screenshot(tmp_path):
    site = write_site(tmp_path / "site", {
        "index.html": "<p>Home</p>",
        "parts/part1/index.html": '<p id="m"></p><script>document.getElementById("m")'
                                  '.innerHTML = \'<span class="katex">x</span>\';</script>',
    }, title="Course")
    pages = [sitecheck.PageSpec("home", "", texts=("Home",)),
             sitecheck.PageSpec("math", "parts/part1/", math=True)]
    results, skipped = sitecheck.browser_check(site, tmp_path / "shots", pages, "TinyTorch")
    assert skipped is None
    assert [r.ok for r in results] == [True, True], [r.problems for r in results]
    assert results[1].facts["KaTeX elements"] == 1  # written by the page's script: JS ran
    assert all(Path(r.screenshot).stat().st_size > 1000 for r in results)
    failing = [sitecheck.PageSpec("home", "", texts=("not on the page",))]
    results, _ = sitecheck.browser_check(site, tmp_path / "shots", failing, "TinyTorch")
    assert not results[0].ok


# --------------------------------------------------------------------------------------------
# The milestones gallery
# --------------------------------------------------------------------------------------------

MILESTONE = '''[project]
name = "tt-milestone-1957-demo"
version = "0.1.0"
dependencies = ["tt-tensor==0.1.0"]

[project.scripts]
tt-demo = "demo:main"
'''


def test_the_gallery_shows_each_figure_and_the_last_lines_a_milestone_printed(tmp_path,
                                                                          monkeypatch):
    import course_pages

    (tmp_path / "milestones" / "1957-demo").mkdir(parents=True)
    (tmp_path / "milestones" / "1957-demo" / "pyproject.toml").write_text(MILESTONE)
    figures = tmp_path / "figures" / "1957-demo" / "tt-demo"
    figures.mkdir(parents=True)
    (figures / "decision_boundary.png").write_bytes(b"\x89PNG fake")
    (figures / "output.txt").write_text(
        "epoch 1\r\x1b[32mepoch 2 |####| 100%\x1b[0m\nmilestone 1957: passed\n")
    monkeypatch.setenv(course_pages.FIGURES_ENV, str(tmp_path / "figures"))
    section = course_pages.milestone_section(tmp_path, "1957-demo")
    assert "![decision boundary](figures/1957-demo/tt-demo/decision_boundary.png)" in section
    assert "    epoch 2 |####| 100%\n    milestone 1957: passed" in section  # \r and colours gone
    assert "`tt-milestone-1957-demo`, pinned to `tt-tensor==0.1.0`" in section
    assert set(course_pages.figure_files(tmp_path)) == {
        "figures/1957-demo/tt-demo/decision_boundary.png", "figures/1957-demo/tt-demo/output.txt"}
    monkeypatch.setenv(course_pages.FIGURES_ENV, str(tmp_path / "nowhere"))
    assert "No figures in this build" in course_pages.milestone_section(tmp_path, "1957-demo")


# --------------------------------------------------------------------------------------------
# API pages
# --------------------------------------------------------------------------------------------

INIT = '''"""Part 1."""
from . import cuda
from .creation import zeros
from .functions import __all__ as _function_names
from .tensor import Tensor

half, double = 1, 2
alias = zeros
__all__ = ["__version__", "Tensor", "zeros", "cuda", "half", "alias", *_function_names]
'''


def test_api_sections_follow_the_files_and_skip_what_the_source_cannot_show(tmp_path):
    import course_api

    import _packages

    part_dir = write_part(tmp_path, "tt-tensor", "tensor", tasks=task_toml(("1.1", "t")),
                          source=INIT, tests={"test_x.py": TESTS})
    src = part_dir / "src" / "tinytorch" / "tensor"
    (src / "cuda.py").write_text("")
    (src / "creation.py").write_text("def zeros(): ...\n")
    (src / "functions.py").write_text(
        'def cat(): ...\n__all__ = ["cat"]\nglobals()["subtract"] = cat\n__all__ += ["subtract"]\n')
    (src / "shape.py").write_text("class ShapeOps:\n    def reshape(self): ...\n"
                                  "    def _hidden(self): ...\n")
    (src / "tensor.py").write_text("from .shape import ShapeOps\n\n\nclass Tensor(ShapeOps):\n"
                                   "    pass\n")
    part = _packages.part(1, tmp_path)
    sections = course_api.member_sections(part)
    assert sections == [("tensor", ["Tensor"]), ("creation", ["zeros"]), ("functions", ["cat"]),
                        ("", ["alias"])]  # no subtract (made at run time), no half (a, b = ...)
    assert course_api.public_submodules(part) == ["tinytorch.tensor.cuda"]
    assert course_api.assembled_classes(part) == {"Tensor": ["reshape"]}
    page = course_api.api_page(part, None)
    assert "::: tinytorch.tensor.Tensor" in page and "inherited_members: [reshape]" in page
    assert page.index("tinytorch.tensor.Tensor") < page.index("tinytorch.tensor.zeros")
