"""The newspaper copy of 典型经验 for 《平顶山工人》: the selected cases as one A4 .docx, each
with its title (黑体), its unit and groups, and its text as plain paragraphs (宋体, first line
indented two characters); photos are not embedded (the editors take them from the case page)."""

from __future__ import annotations

import os
from collections.abc import Iterable

from ruhui.cases.models import Case
from ruhui.tabular.docx import TITLE_FONT, a4_document, add_paragraph
from ruhui.tabular.downloads import DOCX_TYPE, written_download

DOCUMENT_TITLE = "典型经验（《平顶山工人》稿）"


def cases_docx(cases: Iterable[Case], path: str | os.PathLike) -> None:
    """Write the cases, in the order given, to `path`."""
    from docx.shared import Pt

    document = a4_document(size=12)
    add_paragraph(document, DOCUMENT_TITLE, size=18, bold=True, center=True, font=TITLE_FONT)
    count = 0
    for number, case in enumerate(cases, start=1):
        count = number
        add_paragraph(document, f"{number}. {case.title}", size=15, bold=True, font=TITLE_FONT)
        groups = "、".join(g.name for g in case.groups.all())
        add_paragraph(
            document, f"{case.unit.name}" + (f"　涉及群体：{groups}" if groups else ""), size=10.5
        )
        for text in case.paragraphs():
            paragraph = add_paragraph(document, text)
            paragraph.paragraph_format.first_line_indent = Pt(24)
    if count == 0:
        add_paragraph(document, "（没有已选用的典型经验）", center=True)
    document.save(str(path))


def cases_download(cases: list[Case], *, filename: str):
    return written_download(
        lambda path: cases_docx(cases, path), ".docx", filename=filename, content_type=DOCX_TYPE
    )
