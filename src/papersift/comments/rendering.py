"""Comment Markdown to safe HTML: a CommonMark subset with TeX math, then an allow-list sanitiser.

Rendered once, when the comment is written, and stored beside its Markdown (``Comment.body_html``): a typical
comment renders in a fraction of a millisecond, but Markdown's link and emphasis scanning is quadratic on
hostile input (10,000 ``[`` take ~0.4 s), so a page that rendered its comments on every view could be made
arbitrarily slow by a few of them. Written once, that cost is bounded by the comment's size (COMMENT_MAX_CHARS)
times the comment rate limit. A change to this policy (a tag dropped from the allow-list after a sanitiser
advisory) comes with a data migration that calls ``services.render_all()`` to re-render the stored HTML.

Two layers, each enough on its own for the common attacks:
1. markdown-it-py in CommonMark mode with raw HTML off (``<script>`` comes out as the text ``&lt;script&gt;``),
   its link validator (no ``javascript:``/``vbscript:``/``data:`` links), and no images, headings or rules.
2. nh3 (ammonia) with an explicit allow-list: the tags below, ``href`` on links with http/https/mailto only,
   ``rel="nofollow ugc noopener"`` forced on every link, the single class ``math``, nothing else.

Math: ``$…$`` and ``$$…$$`` are lifted out before Markdown sees them (mdit-py-plugins' dollarmath), so ``_`` and
``*`` inside TeX stay as written, and come out with their delimiters as escaped text in ``<span class="math">``
or ``<div class="math">``, which the page's KaTeX auto-render typesets (static/papersift/math.js).
"""

from __future__ import annotations

from html import escape

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

ALLOWED_TAGS = {"p", "br", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "a", "span", "div"}
ALLOWED_ATTRIBUTES = {"*": set(), "a": {"href"}, "ol": {"start"}}   # "*": none of ammonia's default title/lang
ALLOWED_CLASSES = {"span": {"math"}, "div": {"math"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"


def _inline_math(renderer, tokens, idx, options, env) -> str:
    return f'<span class="math">${escape(tokens[idx].content, quote=False)}$</span>'


def _display_math(renderer, tokens, idx, options, env) -> str:
    return f'<div class="math">$${escape(tokens[idx].content.strip(), quote=False)}$$</div>\n'


def _display_math_inline(renderer, tokens, idx, options, env) -> str:
    return f'<span class="math">$${escape(tokens[idx].content, quote=False)}$$</span>'


def _parser() -> MarkdownIt:
    # allow_space/allow_digits off: "$5 and $10" is money, not math (Pandoc's rule: no space inside the
    # delimiters, no digit right after the closing one).
    md = (MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
          .use(dollarmath_plugin, allow_labels=False, allow_space=False, allow_digits=False, double_inline=True)
          .disable(["image", "heading", "lheading", "hr", "html_block", "html_inline"]))
    md.add_render_rule("math_inline", _inline_math)
    md.add_render_rule("math_inline_double", _display_math_inline)
    md.add_render_rule("math_block", _display_math)
    return md


_MARKDOWN = _parser()


def sanitise(html: str) -> str:
    """Keep only the allow-listed tags, attributes, classes and URL schemes; drop script/style with content."""
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, allowed_classes=ALLOWED_CLASSES,
                     clean_content_tags={"script", "style"}, url_schemes=URL_SCHEMES, url_relative="deny",
                     link_rel=LINK_REL, strip_comments=True)


def render(body: str) -> SafeString:
    """A comment's Markdown as HTML that is safe to put in a page as it is."""
    return mark_safe(sanitise(_MARKDOWN.render(body)))
