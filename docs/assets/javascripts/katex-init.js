// Render the math that pymdownx.arithmatex (generic mode) leaves in the page:
// <span class="arithmatex">\( ... \)</span> inline and <div class="arithmatex">\[ ... \]</div>
// display, with the KaTeX shipped in assets/katex (no network needed).
// mkdocs-material's `document$` fires on every page, instant navigation included.
function renderCourseMath(root) {
  root.querySelectorAll(".arithmatex").forEach(function (el) {
    if (el.dataset.rendered) return;
    var tex = el.textContent.trim();
    var display = el.tagName === "DIV";
    tex = tex.replace(/^\\[\(\[]/, "").replace(/\\[\)\]]$/, "");
    katex.render(tex, el, { displayMode: display, throwOnError: false });
    el.dataset.rendered = "1";
  });
}

if (typeof document$ !== "undefined") {
  document$.subscribe(function () { renderCourseMath(document); });
} else {
  document.addEventListener("DOMContentLoaded", function () { renderCourseMath(document); });
}
