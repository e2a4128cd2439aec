"""Join posters: A4 PNG and PDF, the QR code really encodes the join link, text stays on the page."""

import io
import re

import pytest
import segno
from PIL import Image, ImageDraw

from ruhui.joining import posters
from ruhui.joining.posters import (
    GOLD_RULE,
    HEADER_HEIGHT,
    MARGIN,
    PAGE_SIZE,
    QR_ERROR,
    QR_QUIET_ZONE,
    layout,
    poster_image,
    poster_pdf,
    poster_png,
)

JOIN_URL = "https://ruhui.example.cn/j/Qm9vX2s3Lr8TbYw1eZ4nHqT0aVb"
POSTER = {
    "union_name": "平顶山市卫东区快递行业联合工会委员会",
    "join_url": JOIN_URL,
    "short_url": "ruhui.example.cn/j/Qm9vX2s3",
}
LONG_NAME = (
    "河南省平顶山市新城区滍阳镇盛世社区货车司机、快递员、外卖送餐员、网约车驾驶员"
    "等新就业形态劳动者联合工会委员会（筹）"
)
A4_POINTS = (595.28, 841.89)
NOT_IN_FONT = "\U0010fffd"  # a private-use code point: drawn as the font's .notdef box


def glyph(ch: str) -> bytes:
    canvas = Image.new("L", (96, 96))
    ImageDraw.Draw(canvas).text((8, 8), ch, font=posters._font(64), fill=255)
    return canvas.tobytes()


def sampled_modules(image: Image.Image, qr: posters.QRBox) -> list[list[bool]]:
    """Read the code back from the pixels: dark or light at the centre of every module."""
    grey = image.convert("L")
    return [
        [grey.getpixel(qr.module_centre(row, col)) < 128 for col in range(qr.modules)]
        for row in range(qr.modules)
    ]


def expected_modules(url: str) -> list[list[bool]]:
    code = segno.make(url, error=QR_ERROR, micro=False)
    return [[bool(m) for m in row] for row in code.matrix_iter(border=QR_QUIET_ZONE)]


def test_png_is_a4_portrait_at_200_dpi():
    image = Image.open(io.BytesIO(poster_png(**POSTER)))
    assert image.format == "PNG"
    assert image.size == PAGE_SIZE == (1654, 2339)
    assert image.mode == "RGB"
    assert image.info["dpi"] == pytest.approx((200, 200), abs=0.1)


def test_pdf_is_one_a4_page():
    pdf = poster_pdf(**POSTER)
    assert pdf.startswith(b"%PDF")
    (box,) = re.findall(rb"/MediaBox\s*\[\s*([\d.\s]+)\]", pdf)
    x0, y0, width, height = (float(v) for v in box.split())
    assert (x0, y0) == (0, 0)
    assert width == pytest.approx(A4_POINTS[0], abs=1)
    assert height == pytest.approx(A4_POINTS[1], abs=1)
    assert re.search(rb"/Count 1\b", pdf)


def test_pdf_page_carries_a_readable_code():
    # The page is one JPEG (quality 95, no chroma subsampling); its QR modules still read back.
    pdf = poster_pdf(**POSTER)
    start = pdf.index(b"\xff\xd8")  # JPEG start-of-image inside the image stream
    page = Image.open(io.BytesIO(pdf[start : pdf.index(b"endstream", start)]))
    assert page.size == PAGE_SIZE
    assert sampled_modules(page, layout(**POSTER).qr) == expected_modules(JOIN_URL)


def test_qr_code_encodes_exactly_the_join_url():
    image = poster_image(**POSTER)
    qr = layout(**POSTER).qr

    modules = sampled_modules(image, qr)

    assert modules == expected_modules(JOIN_URL)
    assert modules != expected_modules(JOIN_URL + "x")
    # Finder pattern in the top-left corner, just inside the quiet zone: a dark 7×7 ring.
    q = QR_QUIET_ZONE
    assert all(modules[q][q : q + 7]) and all(modules[q + 6][q : q + 7])
    assert not any(modules[q + 1][q + 1 : q + 6 : 4])


def test_qr_modules_are_crisp_and_large_enough_to_scan():
    image = poster_image(**POSTER)
    qr = layout(**POSTER).qr
    area = image.crop((qr.left, qr.top, qr.left + qr.size, qr.top + qr.size))
    assert {colour for _, colour in area.getcolors()} == {(0, 0, 0), (255, 255, 255)}
    assert qr.module_px >= 12  # ≥ 1.5 mm a module at 200 dpi
    assert MARGIN <= qr.left < qr.left + qr.size <= PAGE_SIZE[0] - MARGIN


def test_long_union_name_wraps_within_the_margins():
    plan = layout(**{**POSTER, "union_name": LONG_NAME})
    name_lines = [line for line in plan.lines if line.text and line.text in LONG_NAME]
    assert 2 <= len(name_lines) <= 3
    assert "".join(line.text for line in name_lines) == LONG_NAME
    page_w, page_h = PAGE_SIZE
    for line in plan.lines:
        left, top, right, bottom = line.bbox
        assert MARGIN <= left < right <= page_w - MARGIN, line.text
        assert 0 <= top < bottom <= page_h, line.text
    # Nothing overlaps: lines run down the page, the code sits between the text blocks.
    tops = [line.bbox[1] for line in plan.lines]
    assert tops == sorted(tops)
    for above, below in zip(plan.lines, plan.lines[1:], strict=False):
        assert above.bbox[3] <= below.bbox[1], (above.text, below.text)
    assert not any(
        line.bbox[1] < plan.qr.top + plan.qr.size and line.bbox[3] > plan.qr.top
        for line in plan.lines
    )

    # And in the pixels: the side margins of the white body are untouched.
    image = poster_image(**{**POSTER, "union_name": LONG_NAME})
    body = (HEADER_HEIGHT + GOLD_RULE, plan.footer_top)
    for box in ((0, body[0], MARGIN, body[1]), (page_w - MARGIN, body[0], page_w, body[1])):
        assert image.crop(box).getcolors() == [
            ((box[2] - box[0]) * (box[3] - box[1]), (255, 255, 255))
        ]


def test_absurdly_long_name_is_shortened_not_spilled():
    plan = layout(**{**POSTER, "union_name": LONG_NAME * 3})
    name_lines = [line for line in plan.lines if line.bbox[1] < plan.qr.top and line.size < 100]
    assert any(line.text.endswith("…") for line in name_lines)
    assert all(
        MARGIN <= line.bbox[0] < line.bbox[2] <= PAGE_SIZE[0] - MARGIN for line in plan.lines
    )


def test_different_join_links_give_different_posters():
    first = poster_png(**POSTER)
    second = poster_png(**{**POSTER, "join_url": JOIN_URL.replace("Qm9v", "Zx7k")})
    assert first != second
    assert poster_png(**POSTER) == first  # and the same link gives the same file


def test_generic_call_unless_groups_are_given():
    texts = [line.text for line in layout(**POSTER).lines]
    assert {"网上入会", "扫码加入工会", "欢迎加入工会大家庭"} <= set(texts)
    assert "货车司机、快递员、外卖骑手……新就业形态劳动者" in texts
    assert "扫码后按页面提示填写，经工会审核后成为会员" in texts
    assert POSTER["short_url"] in texts

    texts = [line.text for line in layout(**POSTER, groups_text="快递员、网约配送员").lines]
    assert "快递员、网约配送员" in texts
    assert not any("外卖骑手" in text for text in texts)


def test_rare_characters_outside_the_font_still_render():
    # 𠮷 (CJK extension B), 龘 and 䶮 are outside the vendored subset; emoji too.
    name = "𠮷龘䶮🚚快递行业工会"
    assert glyph("𠮷") == glyph("龘") == glyph(NOT_IN_FONT) != glyph("快")
    image = Image.open(io.BytesIO(poster_png(**{**POSTER, "union_name": name})))
    assert image.size == PAGE_SIZE
    assert poster_pdf(**{**POSTER, "union_name": name}).startswith(b"%PDF")


def test_whitespace_and_control_characters_in_the_name_are_tidied():
    texts = [
        line.text for line in layout(**{**POSTER, "union_name": " 舞钢\n快递\t行业工会\x00 "}).lines
    ]
    assert "舞钢 快递 行业工会" in texts


def test_vendored_font_covers_the_wording_and_demo_names():
    missing = glyph(NOT_IN_FONT)
    fixed = (posters.KICKER, posters.HEADING, posters.CALL, posters.DEFAULT_GROUPS, posters.WELCOME)
    wording = "".join(
        [*fixed, posters.LINK_LABEL, posters.FOOTER, "舞钢市总工会滍阳镇郏县垭口街道（筹）"]
    )
    absent = {ch for ch in set(wording) - {" "} if glyph(ch) == missing}
    assert not absent
