"""The image rules that need no database: which URLs may be fetched, and what decoding accepts."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings as hsettings, strategies as st
from PIL import Image

from papersift.conf import BY_NAME
from papersift.images.fetch import allowed_source
from papersift.images.links import image_key
from papersift.images.process import NotAnImage, normalise

DEFAULT_SOURCES = BY_NAME["IMAGE_SOURCES"].default


@pytest.mark.parametrize("url, allowed", [
    ("https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2406.07550.png", True),
    ("https://cdn-avatars.huggingface.co/v1/production/uploads/x.jpeg", True),
    ("http://cdn-thumbnails.huggingface.co/social-thumbnails/x.png", False),           # scheme differs
    ("https://cdn-thumbnails.huggingface.co.evil.example/x.png", False),
    ("https://user@cdn-thumbnails.huggingface.co/x.png", False),
    ("https://cdn-thumbnails.huggingface.co:8443/x.png", False),
    ("https://www.gravatar.com/other/x", False),                                      # outside the path prefix
    ("https://cdn-thumbnails.huggingface.co/x.png\n", False),
    ("file:///etc/passwd", False),
    ("/avatars/abc.svg", False),
])
def test_allowed_sources_match_scheme_host_port_and_path_prefix(url, allowed):
    assert allowed_source(url, DEFAULT_SOURCES) is allowed


@hsettings(max_examples=300)
@given(st.one_of(st.text(max_size=300),
                 st.text(max_size=60).map(lambda tail: "https://cdn-thumbnails.huggingface.co" + tail)))
def test_only_urls_under_the_prefix_are_allowed_and_nothing_raises(text):
    if allowed_source(text, ["https://cdn-thumbnails.huggingface.co/"]):
        assert text.lower().startswith("https://cdn-thumbnails.huggingface.co/")


def _png() -> bytes:
    out = io.BytesIO()
    Image.linear_gradient("L").resize((300, 200)).save(out, "PNG")
    return out.getvalue()


PNG = _png()
damaged_png = st.tuples(st.integers(0, len(PNG)), st.integers(0, len(PNG) - 1), st.integers(0, 255)).map(
    lambda cut: (PNG[:cut[1]] + bytes([cut[2]]) + PNG[cut[1] + 1:])[:max(cut[0], 8)])


@hsettings(max_examples=150, deadline=None)
@given(st.one_of(st.binary(max_size=4000), damaged_png))
def test_decoding_arbitrary_bytes_either_gives_a_webp_or_says_not_an_image(data):
    try:
        result = normalise(data, "avatar")
    except NotAnImage:
        return
    assert Image.open(io.BytesIO(result.body)).format == "WEBP"


def test_image_key_is_stable_and_url_specific():
    assert image_key("https://a/x.png") == image_key("https://a/x.png") != image_key("https://a/y.png")
    assert len(image_key("https://a/x.png")) == 32


