"""The leak check (tools/leaks.py): which solution lines are needles, and finding them in text,
Markdown, HTML as mkdocs renders it and search_index.json. A planted leak is always caught."""

from __future__ import annotations

import json

from fakecourse import task_toml, write_part

import leaks

SOURCE = '''
def scale(x, factor):
    """x * factor, checked."""
    # BEGIN SOLUTION 1.1 scale a number
    if not isinstance(factor, (int, float)):
        raise TypeError(f"scale: factor must be a number, got {type(factor).__name__}")
    path_like_idiom = dict(parents=True, exist_ok=True)
    return x * factor
    # END SOLUTION
'''
TESTS = '''
import pytest
from tinytorch.tensor import scale


@pytest.mark.task("1.1")
def test_scale():
    assert scale(2, 3) == 6
'''
SECRET = 'raise TypeError(f"scale: factor must be a number, got {type(factor).__name__}")'


def course(tmp_path):
    write_part(tmp_path, "tt-tensor", "tensor", tasks=task_toml(("1.1", "scale")),
               source=SOURCE, tests={"test_scale.py": TESTS})
    tool = tmp_path / "tools" / "helper.py"
    tool.parent.mkdir()
    tool.write_text("options = dict(parents=True, exist_ok=True)\npath_like_idiom = 1\n")
    return tmp_path


def test_needles_are_long_solution_lines_that_nothing_else_holds(tmp_path):
    found = {n.text: n for n in leaks.needles(course(tmp_path))}
    assert list(found) == [
        "if not isinstance(factor, (int, float)):", SECRET,
        "path_like_idiom = dict(parents=True, exist_ok=True)"]
    assert found[SECRET].task == "1.1"
    assert found[SECRET].origin == "packages/tt-tensor/src/tinytorch/tensor/__init__.py:4"


def test_a_planted_leak_is_found_in_text_markdown_html_and_the_search_index(tmp_path):
    needles = leaks.needles(course(tmp_path))
    out = tmp_path / "artifacts"
    out.mkdir()
    (out / "clean.md").write_text("# Scale\n\nMultiply `x` by `factor`.\n")
    (out / "notes.md").write_text(f"Hint:\n\n```python\n    {SECRET}\n```\n")
    (out / "page.html").write_text(  # how pygments renders the line in a source expander
        '<pre><span></span><span class="k">raise</span> <span class="ne">TypeError</span>'
        '<span class="p">(</span><span class="sa">f</span><span class="s2">&quot;scale: '
        'factor must be a number, got </span><span class="si">{</span><span class="nb">type'
        '</span><span class="p">(</span><span class="n">factor</span><span class="p">)</span>'
        '<span class="o">.</span><span class="vm">__name__</span><span class="si">}</span>'
        '<span class="s2">&quot;</span><span class="p">)</span>\n</pre>')
    (out / "search_index.json").write_text(json.dumps(
        {"docs": [{"location": "api/", "text": "raise TypeError(f&quot;scale: factor must be a "
                   "number, got {type(factor).__name__}&quot;)", "title": "scale"}]}))
    (out / "figure.png").write_bytes(b"\x89PNG\r\n" + SECRET.encode())
    hits = leaks.scan_dirs([out], needles)
    assert sorted(h.path.name for h in hits if h.needle.text == SECRET) == [
        "notes.md", "page.html", "search_index.json"]
    assert "solution of task 1.1" in str(hits[0])


def test_a_stubbed_tree_holds_no_needle(tmp_path):
    import solutions

    root = course(tmp_path)
    needles = leaks.needles(root)
    solutions.stub_tree(root / "packages/tt-tensor/src")
    assert leaks.scan_dirs([root], needles) == []


def test_instructor_pages_in_a_built_site_are_named(tmp_path):
    (tmp_path / "instructor-guide").mkdir()
    (tmp_path / "index.html").write_text("home")
    assert leaks.pages_present(tmp_path, ["docs/instructor-guide.md", "docs/sessions.md"]) == [
        "docs/instructor-guide.md"]
