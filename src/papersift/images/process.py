"""Turning downloaded bytes into the image papersift serves: decoded, checked, resized, re-encoded (no Django).

Every image is decoded by Pillow and written anew as WebP, so what papersift serves is always a plain raster
image it made itself: a file that only claims to be an image, metadata, trailing payloads or an SVG's scripts
never reach a reader. Sizes are capped before decoding (a small file can claim a huge canvas).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

FORMATS = ("JPEG", "PNG", "GIF", "WEBP")
MAX_PIXELS = 40_000_000
#: Longest side of what is stored: cards and pages show thumbnails up to ~320 px wide (twice that on dense
#: screens) and avatars at up to 64 px.
SIZES = {"thumbnail": (640, 640), "avatar": (128, 128)}
CONTENT_TYPE = "image/webp"


class NotAnImage(ValueError):
    """The bytes are not a JPEG, PNG, GIF or WebP image papersift accepts."""


@dataclass(frozen=True)
class Normalised:
    body: bytes
    width: int
    height: int
    content_type: str = CONTENT_TYPE


def normalise(data: bytes, kind: str) -> Normalised:
    if kind not in SIZES:
        raise ValueError(f"unknown image kind {kind!r}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=FORMATS)
            width, height = image.size
            if width < 1 or height < 1 or width * height > MAX_PIXELS:
                raise NotAnImage(f"{width}x{height} pixels is not an acceptable image size")
            image.load()
            image = ImageOps.exif_transpose(image)
    except NotAnImage:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning, OSError,
            SyntaxError, ValueError, EOFError) as exc:
        raise NotAnImage(f"not a JPEG, PNG, GIF or WebP image ({exc})") from exc
    has_alpha = image.mode in {"RGBA", "LA", "PA"} or (image.mode == "P" and "transparency" in image.info)
    image = image.convert("RGBA" if has_alpha else "RGB")
    image.thumbnail(SIZES[kind], Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, "WEBP", quality=82, method=4)
    return Normalised(out.getvalue(), image.width, image.height)
