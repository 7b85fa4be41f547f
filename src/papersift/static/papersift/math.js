// Typeset TeX in paper titles and abstracts with the vendored KaTeX (static/vendor/katex/).
// Load after katex.min.js and contrib/auto-render.min.js; every element with class "math" is rendered.
// An external file, not an inline script, so a Content-Security-Policy without 'unsafe-inline' allows it.
(function () {
  "use strict";

  var options = {
    // $$ must come before $, so that $$…$$ is not read as two empty $…$.
    delimiters: [
      { left: "$$", right: "$$", display: true },
      { left: "\\[", right: "\\]", display: true },
      { left: "$", right: "$", display: false },
      { left: "\\(", right: "\\)", display: false },
    ],
    throwOnError: false, // bad TeX is shown in red, and the rest of the text still renders
    trust: false, // no \href, \url, \includegraphics, \htmlClass… from untrusted abstracts
    strict: "ignore", // arXiv TeX is often not strictly LaTeX: render it without console warnings
    // ignoredTags left at KaTeX's default (script, noscript, style, textarea, pre, code, option).
  };

  function render() {
    // The KaTeX scripts failed to load (blocked, missing): leave the raw TeX as it is.
    if (typeof window.renderMathInElement !== "function" || typeof window.katex === "undefined") return;
    var elements = document.querySelectorAll(".math");
    for (var i = 0; i < elements.length; i++) {
      // Auto-render only touches text nodes, so HTML-escaped text in the page stays text.
      window.renderMathInElement(elements[i], options);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", render);
  } else {
    render(); // loaded with async, or after the document was parsed
  }
})();
