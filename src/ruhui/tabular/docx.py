"""Word documents for every feature (python-docx): an A4 page, and fonts set with w:eastAsia so
that Word and WPS show the Chinese in 宋体/黑体 (or the font asked for), not a fallback. Used by
the plans of 项目清单+责任制 (projects.documents) and the newspaper copy of 典型经验
(cases.documents). python-docx is imported on first use: a process that writes no document
never loads it."""

from __future__ import annotations

BODY_FONT, TITLE_FONT, LATIN_FONT = "宋体", "黑体", "Times New Roman"


def east_asian(style_or_run, name: str, latin: str = LATIN_FONT) -> None:
    """Set a style's (or run's) fonts with w:eastAsia, which Word uses for Chinese text."""
    from docx.oxml.ns import qn

    font = style_or_run.font
    font.name = latin
    rpr = style_or_run.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), latin)
    fonts.set(qn("w:eastAsia"), name)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)


def a4_document(body_font: str = BODY_FONT, size: float = 11):
    """A new document: A4, 25/20 mm margins, the Normal style in `body_font`."""
    from docx import Document
    from docx.shared import Mm, Pt

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(25)
    section.left_margin = section.right_margin = Mm(20)
    normal = document.styles["Normal"]
    east_asian(normal, body_font)
    normal.font.size = Pt(size)
    return document


def add_paragraph(document, text: str, *, size=None, bold=False, center=False, font=None):
    """A paragraph of one run: optional size (pt), bold, centred, East Asian font."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    paragraph = document.add_paragraph()
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    if font:
        east_asian(run, font)
    return paragraph


def font_alternates(document, alternates: dict[str, str]) -> None:
    """Declare fonts in the document's font table with a fallback (w:altName, GB2312 charset), so
    that Word and WPS show `alternates[name]` where `name` (e.g. 方正小标宋简体) is not installed."""
    from xml.sax.saxutils import quoteattr

    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    part = document.part.part_related_by(RT.FONT_TABLE)
    entries = "".join(
        f"<w:font w:name={quoteattr(name)}><w:altName w:val={quoteattr(alt)}/>"
        '<w:charset w:val="86"/><w:family w:val="auto"/><w:pitch w:val="variable"/></w:font>'
        for name, alt in alternates.items()
    )
    blob = part.blob.decode("utf-8")
    part._blob = blob.replace("</w:fonts>", entries + "</w:fonts>").encode("utf-8")
