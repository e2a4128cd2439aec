"""Join posters: one A4 page with the union's name, a call to join and the QR code of its join link.

Pure rendering — no database, no request: the caller passes the strings and gets a Pillow image,
PNG bytes or a one-page PDF. `layout()` computes where everything goes, so tests (and anything
else that needs to find the QR code in the picture) read the same geometry the drawing uses.

The text is set in a vendored subset of Noto Sans SC Bold (fonts/, SIL OFL; rebuilt by
tools/subset_font.py). A character outside the subset prints as the font's missing-glyph box; it
never fails the download.
"""

import io
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import segno
from PIL import Image, ImageDraw, ImageFont

DPI = 200
PAGE_SIZE = (1654, 2339)  # A4 (210 × 297 mm) at 200 dpi
MARGIN = 118  # 15 mm
QR_ERROR = "m"  # segno may raise it when the version has room to spare (boost_error)
QR_QUIET_ZONE = 4

FONT_PATH = Path(__file__).resolve().parent / "fonts" / "NotoSansSC-Bold.ttf"

RED = "#c8102e"
DARK_RED = "#9e0b24"
GOLD = "#f2b632"
PALE_RED = "#fcecee"
INK = "#1f1f1f"
GREY = "#4a4a4a"
WHITE = "#ffffff"

KICKER = "中 国 工 会"
HEADING = "网上入会"
CALL = "扫码加入工会"
DEFAULT_GROUPS = "货车司机、快递员、外卖骑手……新就业形态劳动者"
WELCOME = "欢迎加入工会大家庭"
LINK_LABEL = "也可用手机浏览器打开"
FOOTER = "扫码后按页面提示填写，经工会审核后成为会员"

HEADER_HEIGHT = 460
GOLD_RULE = 14
FOOTER_HEIGHT = 170
QR_FRAME = 10  # red border around the code, outside its quiet zone
QR_MAX_MODULE = 24
QR_MIN_MODULE = 8

# A line may not start with closing punctuation nor end with opening punctuation (避头尾).
NO_LINE_START = set("，。、；：！？）》」』】〕〉”’…—·%,.;:!?)]}")
NO_LINE_END = set("（《「『【〔〈“‘([{")
WORD = re.compile(r"[A-Za-z0-9@#&_+\-./:?=%]+|.", re.DOTALL)


@dataclass(frozen=True)
class TextLine:
    """One line of text, drawn centred: `x` is the centre, `y` the top of the ascender."""

    text: str
    size: int
    x: int
    y: int
    fill: str
    bbox: tuple[int, int, int, int]  # left, top, right, bottom of the inked text


@dataclass(frozen=True)
class QRBox:
    """Where the QR code sits: `modules` counts the quiet zone, each module is `module_px` square."""

    left: int
    top: int
    module_px: int
    modules: int
    rows: tuple[tuple[bool, ...], ...]  # dark modules, quiet zone included

    @property
    def size(self) -> int:
        return self.modules * self.module_px

    def module_centre(self, row: int, col: int) -> tuple[int, int]:
        half = self.module_px // 2
        return self.left + col * self.module_px + half, self.top + row * self.module_px + half


@dataclass(frozen=True)
class Layout:
    lines: tuple[TextLine, ...]
    qr: QRBox
    footer_top: int


@lru_cache(maxsize=32)
def _font(size: int) -> ImageFont.FreeTypeFont:
    # The basic engine needs no shaping tables (the subset drops them) and gives the same result
    # whether or not libraqm is installed.
    return ImageFont.truetype(str(FONT_PATH), size, layout_engine=ImageFont.Layout.BASIC)


def _clean(text: str) -> str:
    """One line of printable text: whitespace runs (newlines included) become one space."""
    return " ".join("".join(ch for ch in text if ch.isprintable() or ch.isspace()).split())


def _width(text: str, size: int) -> float:
    return _font(size).getlength(text)


def _wrap(text: str, size: int, width: float) -> list[str]:
    """Greedy line breaking: CJK between any two characters, Latin words and URLs kept whole
    unless they are wider than the line, and no closing punctuation at the start of a line."""
    tokens: list[str] = []
    for token in WORD.findall(text):
        if len(token) > 1 and _width(token, size) > width:
            tokens.extend(token)  # a URL longer than the line breaks anywhere
        else:
            tokens.append(token)
    lines: list[list[str]] = [[]]
    for token in tokens:
        line = lines[-1]
        if not line or _width("".join([*line, token]), size) <= width:
            line.append(token)
            continue
        carried: list[str] = []
        if token in NO_LINE_START and len(line) > 1:
            carried.append(line.pop())
        while len(line) > 1 and line[-1] in NO_LINE_END:
            carried.insert(0, line.pop())
        lines.append([*carried, token])
    return ["".join(line).strip() for line in lines if "".join(line).strip()]


def _balanced(text: str, size: int, width: float) -> list[str]:
    """Wrap into as few lines as greedy wrapping needs, but with lines of similar length
    (「平顶山市卫东区/快递行业工会」 rather than a long line and an orphan)."""
    lines = _wrap(text, size, width)
    if len(lines) < 2:
        return lines
    low, high = width / len(lines), width
    while high - low > 2:
        mid = (low + high) / 2
        if len(_wrap(text, size, mid)) <= len(lines):
            high = mid
        else:
            low = mid
    return _wrap(text, size, high)


def _fit(
    text: str, *, max_size: int, min_size: int, width: float, max_lines: int
) -> tuple[int, list[str]]:
    """The largest size (in steps of 4 px) at which the text fits in `max_lines` lines; at the
    smallest size an overlong text keeps its first lines and ends with an ellipsis."""
    for size in range(max_size, min_size - 1, -4):
        lines = _balanced(text, size, width)
        if len(lines) <= max_lines:
            return size, lines
    lines = _wrap(text, min_size, width)[:max_lines]
    last = lines[-1]
    while last and _width(last + "…", min_size) > width:
        last = last[:-1]
    lines[-1] = last + "…"
    return min_size, lines


def _line(text: str, size: int, y: int, fill: str) -> TextLine:
    x = PAGE_SIZE[0] // 2
    left, top, right, bottom = _font(size).getbbox(text, anchor="ma")
    return TextLine(text, size, x, y, fill, (x + left, y + top, x + right, y + bottom))


def _block(
    lines: list[str], size: int, y: int, fill: str, leading: float = 1.3
) -> tuple[list[TextLine], int]:
    """Centred lines from `y` down; returns them and the y just below the block."""
    step = round(size * leading)
    placed = [_line(text, size, y + i * step, fill) for i, text in enumerate(lines)]
    return placed, y + len(lines) * step


def _qr_rows(join_url: str) -> tuple[tuple[bool, ...], ...]:
    code = segno.make_qr(join_url, error=QR_ERROR)
    return tuple(tuple(bool(m) for m in row) for row in code.matrix_iter(border=QR_QUIET_ZONE))


def layout(*, union_name: str, join_url: str, short_url: str, groups_text: str = "") -> Layout:
    """Where each line of text and the QR code go on the page."""
    page_w, page_h = PAGE_SIZE
    text_width = page_w - 2 * MARGIN
    lines: list[TextLine] = [_line(KICKER, 60, 92, WHITE), _line(HEADING, 190, 178, WHITE)]

    y = HEADER_HEIGHT + GOLD_RULE + 80
    size, name = _fit(
        _clean(union_name) or "工会", max_size=104, min_size=44, width=text_width, max_lines=3
    )
    block, y = _block(name, size, y, INK, leading=1.28)
    lines += block

    y += 60
    block, y = _block([CALL], 120, y, RED)
    lines += block

    groups = _clean(groups_text) or DEFAULT_GROUPS
    size, invitation = _fit(groups, max_size=50, min_size=36, width=text_width, max_lines=2)
    # 「……劳动者」 / 「欢迎加入工会大家庭」: a line break instead of the comma, as posters set it.
    block, y = _block(invitation, size, y + 10, GREY, leading=1.5)
    lines += block
    block, y = _block([WELCOME], 50, y, GREY, leading=1.5)
    lines += block

    footer_top = page_h - FOOTER_HEIGHT
    link_size, link = _fit(
        _clean(short_url), max_size=58, min_size=30, width=text_width, max_lines=1
    )
    # Below the code: gap, label (36 px), the link, gap above the footer band.
    below_qr = 40 + round(36 * 1.5) + round(link_size * 1.3) + 40

    rows = _qr_rows(join_url)
    modules = len(rows)
    room = footer_top - below_qr - (y + 50) - 2 * QR_FRAME
    module_px = min(QR_MAX_MODULE, room // modules, (text_width - 2 * QR_FRAME) // modules)
    if module_px < QR_MIN_MODULE:
        msg = f"join link too long for a printable QR code ({len(join_url)} characters)"
        raise ValueError(msg)
    qr_size = modules * module_px
    spare = room - qr_size  # split between the space above and below the code
    top = y + 50 + QR_FRAME + spare // 2
    qr = QRBox((page_w - qr_size) // 2, top, module_px, modules, rows)

    y = top + qr_size + QR_FRAME + 40
    block, y = _block([LINK_LABEL], 36, y, GREY, leading=1.5)
    lines += block
    block, _ = _block(link, link_size, y, INK)
    lines += block

    lines.append(_line(FOOTER, 42, footer_top + 58, DARK_RED))
    return Layout(tuple(lines), qr, footer_top)


def poster_image(
    *, union_name: str, join_url: str, short_url: str, groups_text: str = ""
) -> Image.Image:
    """The poster as an RGB image, A4 portrait at 200 dpi."""
    plan = layout(
        union_name=union_name, join_url=join_url, short_url=short_url, groups_text=groups_text
    )
    page_w, page_h = PAGE_SIZE
    image = Image.new("RGB", PAGE_SIZE, WHITE)
    draw = ImageDraw.Draw(image)

    # Pillow's rectangles include their end coordinates, hence the - 1s.
    draw.rectangle((0, 0, page_w - 1, HEADER_HEIGHT - 1), fill=RED)
    draw.rectangle((0, HEADER_HEIGHT, page_w - 1, HEADER_HEIGHT + GOLD_RULE - 1), fill=GOLD)
    draw.rectangle((0, plan.footer_top, page_w - 1, page_h - 1), fill=PALE_RED)
    draw.rectangle((0, page_h - 28, page_w - 1, page_h - 1), fill=RED)

    qr = plan.qr
    frame = QR_FRAME
    draw.rounded_rectangle(
        (
            qr.left - frame,
            qr.top - frame,
            qr.left + qr.size + frame - 1,
            qr.top + qr.size + frame - 1,
        ),
        radius=28,
        outline=RED,
        width=frame,
    )
    # One pixel per module, then an integer nearest-neighbour scale-up: crisp square modules.
    code = Image.new("1", (qr.modules, qr.modules), 1)
    code.putdata([0 if dark else 1 for row in qr.rows for dark in row])
    image.paste(code.resize((qr.size, qr.size), Image.Resampling.NEAREST), (qr.left, qr.top))

    for line in plan.lines:
        draw.text((line.x, line.y), line.text, font=_font(line.size), fill=line.fill, anchor="ma")
    image.info["dpi"] = (DPI, DPI)
    return image


def poster_png(*, union_name: str, join_url: str, short_url: str, groups_text: str = "") -> bytes:
    """The poster as a PNG (200 dpi recorded in the file)."""
    image = poster_image(
        union_name=union_name, join_url=join_url, short_url=short_url, groups_text=groups_text
    )
    buffer = io.BytesIO()
    image.save(buffer, "PNG", dpi=(DPI, DPI), optimize=True)
    return buffer.getvalue()


def poster_pdf(*, union_name: str, join_url: str, short_url: str, groups_text: str = "") -> bytes:
    """The poster as a one-page A4 PDF (the image at 200 dpi; high-quality JPEG without chroma
    subsampling so the red edges and the QR modules stay sharp)."""
    image = poster_image(
        union_name=union_name, join_url=join_url, short_url=short_url, groups_text=groups_text
    )
    buffer = io.BytesIO()
    image.save(buffer, "PDF", resolution=DPI, quality=95, subsampling=0, title="入会海报")
    return buffer.getvalue()
