"""Comment Markdown to HTML: hostile input comes out inert, math comes out as text for KaTeX, Markdown works."""

from __future__ import annotations

import re

import pytest

from papersift.comments.rendering import render

# (what a commenter writes, what must be in the HTML, what must not be anywhere in it)
CASES = [
    ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;", "<script"),
    ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;", "<img"),
    ("[x](javascript:alert(1))", "[x](javascript:alert(1))", "href"),
    ("[x](JAVASCRIPT:alert(1))", "[x](JAVASCRIPT:alert(1))", "href"),
    ("[x](java&#x09;script:alert(1))", ">x</a>", "href"),
    ("[x](data:text/html;base64,PHNjcmlwdD4=)", "[x](data:", "href"),
    ('<a href="javascript:alert(1)">y</a>', "&lt;a href=", "<a "),
    ('[x](https://e.org "t\\" onmouseover=alert(1) x=")', '<a href="https://e.org" rel="nofollow ugc noopener">x</a>',
     "onmouseover=alert(1) x"),
    ("![i](https://e.org/i.png)", '<a href="https://e.org/i.png"', "<img"),
    ("[rel](/admin/)", ">rel</a>", "/admin/"),
    ("<style>*{}</style><iframe src=//e.org>", "&lt;iframe", "<iframe"),
    ("$\\frac{<b>}{x}$ and $</span><script>x</script>$", "&lt;/span&gt;&lt;script&gt;", "<script"),
    ("```\n<svg onload=alert(1)>\n```", "&lt;svg onload=alert(1)&gt;", "<svg"),
]


@pytest.mark.parametrize("source, present, absent", CASES)
def test_hostile_markup_is_inert(source, present, absent):
    html = str(render(source))
    assert present in html and absent not in html
    assert not re.search(r"<(?!/?(p|br|em|strong|code|pre|blockquote|ul|ol|li|a|span|div)\b)", html), html
    attributes = _attributes(html)
    assert not re.search(r"\bon\w+\s*=", attributes) and "script:" not in attributes and "style" not in attributes


def _attributes(html: str) -> str:
    """The attribute parts of the tags in ``html`` (text and escaped markup left out)."""
    return " ".join(re.findall(r"<[a-z]+(\s[^>]*)>", html))


@pytest.mark.parametrize("source, expected", [
    ("Let $a_1 * b_2 < c_*$ hold", '<span class="math">$a_1 * b_2 &lt; c_*$</span>'),   # no <em> from the * and _
    ("$$\n\\sum_{i=1}^{n} x_i^2\n$$", '<div class="math">$$\\sum_{i=1}^{n} x_i^2$$</div>'),
    ("inline $$E=mc^2$$ display", '<span class="math">$$E=mc^2$$</span>'),
    ("it costs $5 and $10 a month", "<p>it costs $5 and $10 a month</p>"),             # money is not math
])
def test_math_survives_markdown_as_text_for_katex(source, expected):
    assert expected in str(render(source))


def test_markdown_subset():
    html = str(render("*em* **strong** `co<de>`\n\n> quote\n\n- a\n- b\n\n3. c\n\n# not a heading\n\n"
                      "<https://arxiv.org/abs/2405.15738> [mail](mailto:a@example.org)"))
    for part in ("<em>em</em>", "<strong>strong</strong>", "<code>co&lt;de&gt;</code>", "<blockquote>",
                 "<li>a</li>", '<ol start="3">', "<p># not a heading</p>",
                 '<a href="https://arxiv.org/abs/2405.15738" rel="nofollow ugc noopener">',
                 '<a href="mailto:a@example.org" rel="nofollow ugc noopener">mail</a>'):
        assert part in html, part
