"""The human check's question drawn as a small PNG, inlined in the page as a data URI.

The picture is the only place the question appears: the form carries just a random id
(core.ratelimit), so a script must read the picture, not the HTML, and each reading buys one
request within the per-IP ceiling. Characters are set one by one with jitter, over faint lines
and dots, in the vendored Noto Sans SC subset the posters use.
"""

import base64
import io
import secrets

from PIL import Image, ImageDraw

from ruhui.joining.posters import _font

WIDTH, HEIGHT = 260, 64
SIZE = 30
INK = ("#1f2d3d", "#2b3a55", "#3a2f4a", "#23403a")


def _rand(low: int, high: int) -> int:
    return low + secrets.randbelow(high - low + 1)


def question_png(question: str) -> bytes:
    """The question as a PNG: each character at a random height and shade, lines across."""
    image = Image.new("RGB", (WIDTH, HEIGHT), "#f7f8fa")
    draw = ImageDraw.Draw(image)
    for _ in range(40):
        x, y = _rand(0, WIDTH - 1), _rand(0, HEIGHT - 1)
        draw.point((x, y), fill="#b8c0cc")
    font = _font(SIZE)
    x = 10
    for char in question:
        draw.text((x, _rand(8, 22)), char, font=font, fill=INK[secrets.randbelow(len(INK))])
        x += int(font.getlength(char)) + _rand(-2, 3)
    for _ in range(3):
        draw.line(
            (_rand(0, 40), _rand(8, HEIGHT - 8), _rand(WIDTH - 60, WIDTH), _rand(8, HEIGHT - 8)),
            fill="#9aa5b5",
            width=1,
        )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def question_data_uri(question: str) -> str:
    """The picture as a `data:` URI (allowed by the pages' img-src)."""
    return "data:image/png;base64," + base64.b64encode(question_png(question)).decode()
