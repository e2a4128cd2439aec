"""The bulletin's files (reports.bulletin_files) from an 18-unit content: the .docx, .pdf and
.xlsx read back with python-docx, pypdf and python-calamine; the chart is not blank, is embedded
in both documents and is the same bytes twice; the vendored fonts cover the sample."""

import dataclasses
import datetime
import io

import pytest
from PIL import Image

from ruhui.demo.world import CITY_UNITS, COUNTIES
from ruhui.reports import bulletin_files as bf

D = datetime.date
#: The 18 units of the 2019 drive: the 11 counties and districts, then the city's 7 units.
UNITS = [name for _code, name, _division, _places in COUNTIES] + [
    name for _code, name, _kind, _groups, _children in CITY_UNITS
]
NUMBER = "平工组〔2019〕12号"
TITLE = "关于2019年农民工入会集中行动推进情况的通报"


def sample(units=UNITS) -> bf.BulletinContent:
    rows = []
    for index, unit in enumerate(units):
        target = 2000 - index * 80
        new = target * (120 - index * 6) // 100
        rows.append(
            bf.RankRow(
                rank=index + 1,
                unit=unit,
                target=target,
                new_members=new,
                completion_pct=round(new * 100 / target, 1),
                growth_pct=round(3.5 - index * 0.15, 1),
                unions_founded=12 - index // 2,
                projects_on_time=5,
                projects_overdue=index % 3,
                projects_closed=2,
                reports_on_time=4 - index % 2,
                reports_due=4,
            )
        )
    return bf.BulletinContent(
        title=TITLE,
        number=NUMBER,
        issuer="平顶山市总工会",
        cut_off=D(2019, 9, 30),
        issued_on=D(2019, 10, 10),
        paragraphs=["截至9月30日，全市新发展会员25300人，完成目标任务的84.3%，时间进度为66.7%。"],
        ranking=rows,
        changes=["舞钢市总工会完成率较上期提高12.5个百分点。", "叶县总工会由第9名升至第3名。"],
        praised=["舞钢市总工会、宝丰县总工会完成率超过时间进度。"],
        urged=["平顶山市直工会有逾期未整改项目1个，月报缺报1次。"],
        excerpts=[("“小哥驿站”暖人心", "新华区总工会", "在快递网点建立驿站。\n会员凭卡享受优惠。")],
    )


def test_sample_has_the_18_units():
    assert len(UNITS) == 18
    assert "新华区总工会" in UNITS
    assert "舞钢市总工会" in UNITS


@pytest.fixture(scope="module")
def content():
    return sample()


@pytest.fixture(scope="module")
def chart(content):
    return bf.chart_png(content)


def test_chart_is_not_blank(chart, content):
    image = Image.open(io.BytesIO(chart)).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20)
    assert len(colours) > 2
    bar = Image.new("RGB", (1, 1), bf.BAR_COLOUR).getpixel((0, 0))
    bar_pixels = sum(count for count, colour in colours if colour == bar)
    # 18 bars of 36 px height, the shortest (18%) a few hundred px long.
    assert bar_pixels > 18 * 36 * 100


def test_chart_is_deterministic(content, chart):
    assert bf.chart_png(sample()) == chart
    assert bf.chart_png(content) == chart


def test_chart_of_a_unit_without_target(content):
    rows = [dataclasses.replace(content.ranking[0], target=None, completion_pct=None)]
    png = bf.chart_png(dataclasses.replace(content, ranking=rows))
    assert Image.open(io.BytesIO(png)).size[0] == bf.CHART_WIDTH


def test_docx(tmp_path, content, chart):
    from docx import Document

    path = tmp_path / "bulletin.docx"
    bf.write_docx(content, path, chart=chart)
    document = Document(str(path))
    texts = [paragraph.text for paragraph in document.paragraphs]
    assert NUMBER in texts
    assert TITLE in texts
    assert bf.SECTION_PRAISED in texts
    assert bf.SECTION_URGED in texts
    assert "平顶山市总工会" in texts
    assert "2019年10月10日" in texts
    (table,) = document.tables
    assert [cell.text for cell in table.rows[0].cells] == list(bf.TABLE_HEADERS)
    body = table.rows[1:]
    assert [row.cells[1].text for row in body] == UNITS
    assert [row.cells[0].text for row in body] == [str(n) for n in range(1, 19)]
    assert body[0].cells[4].text == "120.0%"
    assert body[0].cells[7].text == "5/0/2"
    assert body[1].cells[8].text == "3/4"
    # The header row repeats on every page.
    assert table.rows[0]._tr.trPr.xpath("./w:tblHeader")
    # The chart is embedded as it is.
    (shape,) = document.inline_shapes
    blob = document.part.related_parts[shape._inline.graphic.graphicData.pic.blipFill.blip.embed]
    assert blob.blob == chart
    # Title font with its fallback in the font table.
    fonts = document.part.part_related_by(
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable"
    ).blob.decode()
    assert 'w:name="方正小标宋简体"><w:altName w:val="黑体"/>' in fonts
    assert 'w:name="仿宋_GB2312"><w:altName w:val="仿宋"/>' in fonts


def test_pdf(tmp_path, content, chart):
    from pypdf import PdfReader

    path = tmp_path / "bulletin.pdf"
    bf.write_pdf(content, path, chart=chart)
    reader = PdfReader(str(path))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "通报" in text
    assert NUMBER in text
    for unit in UNITS:
        assert unit in text
    # The units appear in rank order.
    positions = [text.index(unit) for unit in UNITS]
    assert positions == sorted(positions)
    # Only the vendored fonts are embedded.
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert fonts
    assert all("NotoSansSC" in name or "NotoSerifSC" in name for name in fonts), fonts
    # The chart is embedded, at its size.
    images = [image for page in reader.pages for image in page.images]
    assert len(images) == 1
    assert images[0].image.size == Image.open(io.BytesIO(chart)).size


def test_pdf_table_breaks_across_pages(tmp_path, content):
    """A ranking long enough to need two pages repeats its header on the second."""
    from pypdf import PdfReader

    units = [f"{unit}{n}" for n in range(4) for unit in UNITS]
    rows = [
        dataclasses.replace(sample().ranking[i % 18], rank=i + 1, unit=unit)
        for i, unit in enumerate(units)
    ]
    path = tmp_path / "long.pdf"
    bf.write_pdf(dataclasses.replace(content, ranking=rows), path)
    pages = [page.extract_text() for page in PdfReader(str(path)).pages]
    with_rows = [page for page in pages if any(unit in page for unit in units)]
    assert len(with_rows) >= 2
    assert all("新发展会员" in page for page in with_rows)


def test_xlsx(tmp_path, content):
    from python_calamine import CalamineWorkbook

    hostile = '=HYPERLINK("http://x","点我")'
    rows = [*content.ranking[:17], dataclasses.replace(content.ranking[17], unit=hostile)]
    path = tmp_path / "bulletin.xlsx"
    bf.write_xlsx(dataclasses.replace(content, ranking=rows), path)
    book = CalamineWorkbook.from_path(str(path))
    assert book.sheet_names == [bf.XLSX_RANKING_SHEET, bf.XLSX_CHANGES_SHEET]
    table = book.get_sheet_by_name(bf.XLSX_RANKING_SHEET).to_python()
    assert table[0] == list(bf.XLSX_HEADERS)
    assert [row[1] for row in table[1:]] == [*UNITS[:17], "'" + hostile]
    assert [row[0] for row in table[1:]] == list(range(1, 19))
    first = table[1]
    assert first[2:6] == [2000, 2400, 1.2, pytest.approx(0.035)]
    changes = book.get_sheet_by_name(bf.XLSX_CHANGES_SHEET).to_python()
    assert [row[0] for row in changes[1:]] == content.changes


def test_missing_characters(content):
    assert bf.missing_characters(content) == []
    extended = dataclasses.replace(content, praised=[*content.praised, "𠀀字单位、又一𠀀"])
    assert bf.missing_characters(extended) == ["𠀀"]
    unit = dataclasses.replace(content.ranking[0], unit="𪚥县总工会")
    assert bf.missing_characters(dataclasses.replace(content, ranking=[unit])) == ["𪚥"]


def test_wrap_keeps_closing_marks_and_numbers_off_a_line_start():
    def fits(line):
        return len(line) <= 10

    text = "截至九月末全市完成了84.3%。时间进度为六成，超过预期。"
    lines = bf.wrap(text, fits)
    assert "".join(lines) == text
    assert all(fits(line) for line in lines)
    assert all(line[0] not in bf.NO_LINE_START for line in lines[1:])
    assert any("84.3%" in line for line in lines)
    assert bf.wrap("第一段\n第二段", fits) == ["第一段", "第二段"]
