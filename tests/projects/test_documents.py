"""The documents of 项目清单+责任制: the plan's .docx (python-docx reads it back: title, both
tables in order with the 2019 plan's headers), the .xlsx lists (calamine reads them back, with
totals and formula injection neutralised), and the scoped, uncached downloads."""

import io

import pytest
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn
from python_calamine import CalamineWorkbook

from ruhui.projects import documents, services
from ruhui.projects.documents import BUILD_HEADERS, SERVICE_HEADERS
from ruhui.tabular.downloads import DOCX_TYPE
from tests.projects.factories import build_project, service_project, submitted_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(people, drive):
    """舞钢's plan: leader, contact, one task, two build projects and one service project."""
    actor = people.county_admin
    plan = services.plan_open(actor=actor, campaign=drive)
    services.plan_update(
        actor=actor,
        plan=plan,
        data={
            "leader_name": "张华",
            "leader_title": "党组书记",
            "contact_name": "刘洋",
            "contact_phone": "13937500001",
        },
    )
    services.task_save(
        actor=actor,
        plan=plan,
        data={"task": "召开快递行业建会推进会", "owner": "组织部", "due_on": "2019-05-31"},
    )
    build_project(actor, plan, planned_members=1200)
    build_project(
        actor,
        plan,
        name='=HYPERLINK("http://x")快递驿站联合工会',
        build_type="joint",
        planned_members=80,
        responsible_unit=people.county_trade,
    )
    service_project(actor, plan)
    return plan


def read_docx(data: bytes):
    return Document(io.BytesIO(data))


def table_rows(table):
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_docx_has_title_and_both_tables_in_order(plan, drive):
    document = read_docx(documents.plan_docx(plan))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "舞钢市总工会“项目清单+责任制”行动计划"
    assert drive.name in texts[1]
    assert any("张华（党组书记）" in t for t in texts)
    assert any("刘洋" in t and "13937500001" in t for t in texts)
    assert any("召开快递行业建会推进会" in t and "2019-05-31" in t for t in texts)
    # Exactly the two tables, 建会入会 first, each headed as the 2019 plan lists its columns.
    assert len(document.tables) == 2
    build, service = (table_rows(t) for t in document.tables)
    assert tuple(build[0]) == BUILD_HEADERS
    assert tuple(service[0]) == SERVICE_HEADERS
    headings = [t for t in texts if t.startswith(("二、", "三、"))]
    assert headings[0].startswith("二、建会入会项目清单（2 个，拟发展会员 1,280 人）")
    assert headings[1].startswith("三、维护服务项目清单（1 个，拟覆盖职工 800 人）")
    assert build[1][:6] == [
        "1",
        "拟建企业工会",
        "舞钢市顺丰速运有限公司工会",
        "舞钢市垭口街道",
        "1,200",
        "舞钢市总工会",
    ]
    assert build[1][6].split("\n") == ["李明", "13937512345"] and build[1][7] == "2019-09-30"
    assert build[2][1] == "拟建基层联合工会" and build[2][5] == "舞钢快递行业工会"
    assert service[1] == [
        "1",
        "四季送关爱活动",
        "夏送清凉进快递网点",
        "舞钢市总工会",
        "2019-06-01至2019-08-31",
        "800",
    ]
    # A4, and the Chinese font named for Word (w:eastAsia) on the body style.
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    fonts = document.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "宋体"


def test_docx_of_an_empty_plan_keeps_both_headed_tables(people, drive, tmp_path):
    plan = services.plan_open(actor=people.county_admin, campaign=drive)
    path = tmp_path / "plan.docx"
    assert documents.plan_docx(plan, path) is None
    document = Document(str(path))
    assert [len(t.rows) for t in document.tables] == [1, 1]
    assert any(p.text == "（未列入工作任务）" for p in document.paragraphs)


def test_consolidated_xlsx_reads_back_with_totals(people, drive, plan, tmp_path):
    other = submitted_plan(people, drive, actor=people.industry_admin)
    path = tmp_path / "list.xlsx"
    documents.write_consolidated_xlsx([other, plan], path)
    book = CalamineWorkbook.from_path(str(path))
    assert book.sheet_names == ["建会入会项目清单", "维护服务项目清单", "汇总"]
    build = book.get_sheet_by_name("建会入会项目清单").to_python()
    assert tuple(build[0][1:8]) == BUILD_HEADERS[:7]
    # Ordered by unit (舞钢 before 工交 in the tree? by path), numbered per plan.
    units = [row[0] for row in build[1:]]
    assert sorted(units) == sorted(["舞钢市总工会", "舞钢市总工会", "平顶山市工交工会"])
    by_unit = {}
    for row in build[1:]:
        by_unit.setdefault(row[0], []).append(int(row[1]))
    assert by_unit == {"舞钢市总工会": [1, 2], "平顶山市工交工会": [1]}
    # The formula typed as a name stays text.
    names = [row[3] for row in build[1:]]
    assert '\'=HYPERLINK("http://x")快递驿站联合工会' in names
    service = book.get_sheet_by_name("维护服务项目清单").to_python()
    assert service[0][:4] == ["报送单位", "序号", "类别", "项目名称"]
    assert len(service) == 3
    summary = book.get_sheet_by_name("汇总").to_python()
    assert summary[0] == list(documents.SUMMARY_HEADERS)
    rows = {row[0]: row for row in summary[1:]}
    assert rows["舞钢市总工会"][1] == "草稿"
    assert [int(v) for v in rows["舞钢市总工会"][2:]] == [2, 1280, 1, 800]
    assert rows["平顶山市工交工会"][1] == "已报送"
    assert [int(v) for v in rows["平顶山市工交工会"][2:]] == [1, 50, 1, 800]
    assert rows["合计"][1] == "2 个单位"
    assert [int(v) for v in rows["合计"][2:]] == [3, 1330, 2, 1600]


def test_downloads_are_scoped_named_and_not_cached(people, drive, plan, as_user):
    wg = people.county
    docx_url = reverse("projects:plan_docx", args=[drive.slug, wg.pk])
    xlsx_url = reverse("projects:plan_xlsx", args=[drive.slug, wg.pk])
    client = as_user(people.county_admin)
    response = client.get(docx_url)
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX_TYPE
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=utf-8''" in disposition
    assert "no-store" in response["Cache-Control"]
    document = read_docx(b"".join(response.streaming_content))
    assert len(document.tables) == 2
    response = client.get(xlsx_url)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    data = b"".join(response.streaming_content)
    assert CalamineWorkbook.from_filelike(io.BytesIO(data)).sheet_names[0] == "建会入会项目清单"
    # The city sees 舞钢's plan; a sibling county gets the same 404 as a missing plan.
    assert as_user(people.city_admin).get(docx_url).status_code == 200
    sibling = as_user(people.sibling_admin)
    assert sibling.get(docx_url).status_code == 404
    assert sibling.get(xlsx_url).status_code == 404
    missing = reverse("projects:plan_docx", args=[drive.slug, people.sibling.pk])
    assert as_user(people.city_admin).get(missing).status_code == 404


def test_consolidated_download_holds_the_visible_submitted_plans(people, drive, plan, as_user):
    submitted_plan(people, drive, actor=people.industry_admin)
    url = reverse("projects:consolidated_xlsx", args=[drive.slug])

    def units(user):
        response = as_user(user).get(url)
        assert response.status_code == 200 and "no-store" in response["Cache-Control"]
        book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
        return {row[0] for row in book.get_sheet_by_name("汇总").to_python()[1:-1]}

    # The city: the submitted plan of 工交, not 舞钢's draft; 舞钢: its own draft only.
    assert units(people.city_admin) == {"平顶山市工交工会"}
    assert units(people.county_admin) == {"舞钢市总工会"}
    assert units(people.sibling_admin) == set()
