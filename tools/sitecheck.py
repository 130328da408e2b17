"""Checks on a built course site: internal links, leftover markup, and a real browser.

    python tools/sitecheck.py links SITE            # every local href/src and #anchor exists
    python tools/sitecheck.py markup SITE           # no raw Sphinx role, RST table or $$ left
    python tools/sitecheck.py browser SITE SHOTS    # headless chromium renders the key pages

``nox -s docs`` runs all three on the student and the instructor builds.

* **links** reads every HTML file and follows each ``href``/``src`` that stays on the site
  (no scheme, no ``//``): the file must exist (a directory means its ``index.html``) and a
  ``#fragment`` must be an ``id`` (or ``name``) in the target page.
* **markup** looks at the text a reader sees, code blocks and source expanders excepted, for
  Sphinx cross-reference roles (``:meth:`...```), ``~`` targets, reStructuredText table rules,
  a ``::`` that ends a paragraph, and ``$$`` (math that arithmatex did not take).
* **browser** serves the site on 127.0.0.1 (``http.server`` in a thread) and runs Debian's
  chromium headless on each page twice: ``--dump-dom`` (the DOM after the page's scripts ran:
  KaTeX output, navigation, API entries are checked in it) and ``--screenshot``. Without
  chromium it reports a skip, with the reason, and does not fail.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

CHROMIUM_NAMES = ("chromium", "chromium-browser")
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--hide-scrollbars", "--virtual-time-budget=8000")
PAGE_TIMEOUT = 90
"""Seconds one chromium run may take before the check fails it."""


# --------------------------------------------------------------------------------------------
# HTML reading
# --------------------------------------------------------------------------------------------


class _Page(HTMLParser):
    """Collects a page's links (href/src), ids, title and visible text outside code."""

    LINK_ATTRS = {"href", "src"}
    HIDDEN = {"script", "style"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.title = ""
        self.text: list[str] = []
        self._skip: list[str] = []  # open tags whose text is not prose (code, source expanders)
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name, value in attrs:
            if name in self.LINK_ATTRS and value is not None and tag != "base":
                self.links.append(value)
            if name in {"id", "name"} and value and tag != "meta":
                self.ids.add(value)
        classes = (values.get("class") or "").split()
        if self._skip:
            if tag in {"pre", "details", *self.HIDDEN}:
                self._skip.append(tag)
        elif tag == "pre" or tag in self.HIDDEN or "mkdocstrings-source" in classes:
            self._skip.append(tag)
        if tag == "title":
            self._in_title = True

    def handle_endtag(self, tag: str) -> None:
        if self._skip and self._skip[-1] == tag:
            self._skip.pop()
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if not self._skip:
            self.text.append(data)


@functools.cache
def read_page(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8", errors="replace"))
    page.close()
    return page


def html_files(site: Path) -> list[Path]:
    return sorted(p for p in Path(site).rglob("*.html") if p.is_file())


# --------------------------------------------------------------------------------------------
# Links
# --------------------------------------------------------------------------------------------


def _is_external(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.scheme or parts.netloc) or url.startswith(("mailto:", "javascript:", "data:"))


def _target(site: Path, page: Path, url: str) -> tuple[Path | None, str]:
    """The file a local URL of ``page`` points to (None: outside the site) and its fragment."""
    parts = urlsplit(url)
    path = unquote(parts.path)
    if not path:
        return page, parts.fragment
    base = site if path.startswith("/") else page.parent
    target = (base / path.lstrip("/")).resolve()
    if not target.is_relative_to(site.resolve()):
        return None, parts.fragment
    if target.is_dir() or path.endswith("/"):
        target = target / "index.html"
    return target, parts.fragment


def check_links(site: Path) -> list[str]:
    """Every broken internal link of the site: ``page: url (why)``."""
    site = Path(site).resolve()
    problems: list[str] = []
    for page in html_files(site):
        for url in read_page(page).links:
            if _is_external(url) or url == "#":
                continue
            target, fragment = _target(site, page, url)
            where = page.relative_to(site).as_posix()
            if target is None:
                problems.append(f"{where}: {url} (leaves the site)")
            elif not target.is_file():
                problems.append(f"{where}: {url} (no such file)")
            elif fragment and target.suffix == ".html" and unquote(fragment) not in read_page(
                    target).ids:
                problems.append(f"{where}: {url} (no id {fragment!r} in "
                                f"{target.relative_to(site).as_posix()})")
    return problems


# --------------------------------------------------------------------------------------------
# Leftover markup
# --------------------------------------------------------------------------------------------

RAW_MARKUP = {
    "a Sphinx cross-reference role": re.compile(
        r":(?:py:)?(?:meth|class|func|mod|data|attr|exc|obj|const|ref|doc|term|math):`"),
    "a Sphinx ~target": re.compile(r"`~[\w.]+`"),
    "a reStructuredText table rule": re.compile(r"={4,}[ \t]+={4,}"),
    "a reStructuredText literal-block '::'": re.compile(r"\w::\s*$", re.M),
    "raw $$ math": re.compile(r"\$\$"),
    "raw $ math (a $ before a TeX command)": re.compile(r"\$\\[A-Za-z]"),
}


def check_markup(site: Path) -> list[str]:
    """Raw markup in the prose of every page: ``page: what: excerpt``."""
    site = Path(site)
    problems: list[str] = []
    for page in html_files(site):
        text = "".join(read_page(page).text)
        for what, pattern in RAW_MARKUP.items():
            for match in pattern.finditer(text):
                start = max(0, match.start() - 40)
                excerpt = " ".join(text[start:match.end() + 40].split())
                problems.append(f"{page.relative_to(site).as_posix()}: {what}: ...{excerpt}...")
    return problems


# --------------------------------------------------------------------------------------------
# The browser
# --------------------------------------------------------------------------------------------


@dataclass
class PageSpec:
    """A page to load and what its DOM must hold."""

    name: str
    path: str  # site-relative URL path, e.g. "parts/part2/"
    math: bool = False  # KaTeX output present, no raw $$, no KaTeX error
    api_ids: tuple[str, ...] = ()  # ids of API entries that must be there, in this order
    texts: tuple[str, ...] = ()  # strings the rendered page must contain


@dataclass
class PageResult:
    spec: PageSpec
    title: str = ""
    screenshot: str = ""
    facts: dict[str, object] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def find_chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base's name
        pass


class SiteServer:
    """``http.server`` on 127.0.0.1 (a free port) serving ``site`` from a thread."""

    def __init__(self, site: Path) -> None:
        handler = functools.partial(_QuietHandler, directory=str(site))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def __enter__(self) -> SiteServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _chromium(binary: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=PAGE_TIMEOUT, check=False)


def _count(pattern: str, dom: str) -> int:
    return len(re.findall(pattern, dom))


def inspect_dom(spec: PageSpec, dom: str, site_name: str) -> PageResult:
    """Check one page's rendered DOM against ``spec``."""
    result = PageResult(spec)
    dom = re.sub(r"<(script|style)\b.*?</\1>", "", dom, flags=re.S)  # what the page shows
    title = re.search(r"<title>(.*?)</title>", dom, re.S)
    result.title = " ".join(title[1].split()) if title else ""
    if site_name not in result.title:
        result.problems.append(f"title {result.title!r} does not name the site {site_name!r}")
    nav_links = _count(r'class="md-nav__link', dom)
    result.facts["navigation links"] = nav_links
    if nav_links < 5:
        result.problems.append(f"navigation: {nav_links} links (the sidebar did not render)")
    if spec.math:
        katex = _count(r'class="katex"', dom) + _count(r'class="katex-display"', dom)
        errors = _count(r'class="katex-error"', dom)
        unrendered = len(re.findall(r'class="arithmatex"(?![^>]*data-rendered)', dom))
        result.facts["KaTeX elements"] = katex
        if katex == 0:
            result.problems.append("math: no KaTeX output in the page")
        if errors:
            result.problems.append(f"math: {errors} KaTeX error(s)")
        if unrendered:
            result.problems.append(f"math: {unrendered} arithmatex element(s) not rendered")
        if "$$" in dom:
            result.problems.append("math: raw $$ left in the page")
    if spec.api_ids:
        entries = _count(r'class="doc doc-heading"', dom) + _count(r"class=\"doc doc-heading ", dom)
        result.facts["API entries"] = entries
        positions = [dom.find(f'id="{ident}"') for ident in spec.api_ids]
        missing = [i for i, p in zip(spec.api_ids, positions) if p < 0]
        if missing:
            result.problems.append(f"API: no entry for {', '.join(missing)}")
        elif positions != sorted(positions):
            result.problems.append(f"API: entries not in the order {', '.join(spec.api_ids)}")
    for text in spec.texts:
        if text not in dom:
            result.problems.append(f"text {text!r} not in the page")
    return result


def browser_check(site: Path, shots: Path, pages: list[PageSpec], site_name: str,
                  prefix: str = "") -> tuple[list[PageResult], str | None]:
    """Load each page in headless chromium: DOM checks and a screenshot (``shots/<prefix><name>
    .png``). Returns the results and None, or ([], why) when chromium is not installed."""
    binary = find_chromium()
    if binary is None:
        return [], ("chromium is not installed (Debian: apt-get install chromium); "
                    "the browser check was skipped")
    shots.mkdir(parents=True, exist_ok=True)
    results: list[PageResult] = []
    with SiteServer(Path(site)) as server, tempfile.TemporaryDirectory() as profile:
        for spec in pages:
            url = server.url + spec.path
            shot = shots / f"{prefix}{spec.name}.png"
            try:
                dump = _chromium(binary, Path(profile), "--dump-dom", url)
                _chromium(binary, Path(profile), "--window-size=1280,1800",
                          f"--screenshot={shot}", url)
            except subprocess.TimeoutExpired:
                result = PageResult(spec, problems=[f"chromium took over {PAGE_TIMEOUT}s"])
            else:
                result = inspect_dom(spec, dump.stdout, site_name)
                if not dump.stdout.strip():
                    result.problems.append(f"chromium printed no DOM: {dump.stderr[-300:]}")
            if shot.is_file():
                result.screenshot = str(shot)
            else:
                result.problems.append("no screenshot was written")
            results.append(result)
    return results, None


def default_pages(site: Path) -> list[PageSpec]:
    """Home, the part-2 concepts page (math), part 3's API (Module, then Linear) and task 2.4,
    or the first part and task the site has."""
    site = Path(site)
    pages = [PageSpec("home", "", texts=("TinyTorch",))]
    concept = next((f"parts/part{n}/" for n in (2, 1, 3, 4, 5, 6)
                    if (site / f"parts/part{n}/index.html").is_file()), None)
    if concept:
        pages.append(PageSpec("part-concepts", concept, math=True))
    if (site / "api/part3/index.html").is_file():
        pages.append(PageSpec("api-part3", "api/part3/",
                              api_ids=("tinytorch.nn.Module", "tinytorch.nn.Linear",
                                       "tinytorch.nn.CELU")))
    elif (site / "api/part1/index.html").is_file():
        pages.append(PageSpec("api-part1", "api/part1/", api_ids=("tinytorch.tensor.Tensor",)))
    task = next((t for t in ("2.4", "1.1") if (site / f"tasks/{t}/index.html").is_file()), None)
    if task:
        pages.append(PageSpec("task", f"tasks/{task}/", texts=(f"nox -s check -- {task}",)))
    return pages


def format_results(label: str, results: list[PageResult]) -> Iterator[str]:
    for result in results:
        status = "ok  " if result.ok else "FAIL"
        facts = ", ".join(f"{k}: {v}" for k, v in result.facts.items())
        yield (f"{status} {label} {result.spec.name:<14} /{result.spec.path:<14} "
               f"title {result.title!r}; {facts}; screenshot {result.screenshot}")
        for problem in result.problems:
            yield f"       {problem}"


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("check", choices=["links", "markup", "browser"])
    parser.add_argument("site", type=Path)
    parser.add_argument("shots", type=Path, nargs="?", help="browser: screenshot directory")
    parser.add_argument("--label", default="site")
    parser.add_argument("--site-name", default="TinyTorch")
    parser.add_argument("--json", type=Path, help="browser: write the results here too")
    args = parser.parse_args(argv)
    if not (args.site / "index.html").is_file():
        print(f"sitecheck: {args.site} holds no built site (index.html)", file=sys.stderr)
        return 2
    if args.check in {"links", "markup"}:
        problems = check_links(args.site) if args.check == "links" else check_markup(args.site)
        for problem in problems[:50]:
            print(f"  {problem}")
        pages = len(html_files(args.site))
        print(f"sitecheck {args.check} ({args.label}): {pages} pages, {len(problems)} problem(s)")
        return 1 if problems else 0
    shots = args.shots or args.site / "screenshots"
    results, skipped = browser_check(args.site, shots, default_pages(args.site), args.site_name,
                                     prefix=f"{args.label}-")
    if skipped:
        print(f"sitecheck browser ({args.label}): SKIPPED: {skipped}")
        return 0
    for line in format_results(args.label, results):
        print(line)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps([
            {"page": r.spec.name, "path": r.spec.path, "title": r.title, "ok": r.ok,
             "facts": r.facts, "problems": r.problems, "screenshot": r.screenshot}
            for r in results], indent=2), encoding="utf-8")
    failed = [r for r in results if not r.ok]
    print(f"sitecheck browser ({args.label}): {len(results) - len(failed)}/{len(results)} "
          "pages render")
    return 1 if failed else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    sys.exit(main(sys.argv[1:]))
