"""Import pages: upload → dry run → confirm, the result file, templates; the triangle (county
admin allowed, read-only 403, sibling 404 / cannot import into the county's unit)."""

import re
import xml.etree.ElementTree as ET
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from ruhui.enterprises import tasks
from ruhui.enterprises.models import Enterprise
from tests.enterprises.factories import make_uscc

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def csv_upload(rows, name="企业名单.csv"):
    text = "\n".join(",".join(row) for row in rows) + "\n"
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def enterprise_rows():
    return [
        ["企业名称", "统一社会信用代码", "所在县区"],
        ["舞钢页面导入有限公司", make_uscc(), "410481"],
        ["舞钢页面导入二有限公司", "", "410481"],
        ["舞钢页面导入坏行", "123", "410481"],
    ]


def upload(client, world, *, kind="enterprise", unit=None, rows=None, name="企业名单.csv"):
    return client.post(
        reverse("enterprise_import:upload"),
        {
            "kind": kind,
            "unit": (unit or world.county).pk,
            "file": csv_upload(rows or enterprise_rows(), name),
        },
    )


def run_id(response) -> str:
    return response["Location"].rstrip("/").split("/")[-1]


def test_upload_dry_run_confirm_and_report(world, as_user):
    client = as_user(world.county_admin)
    assert client.get(reverse("enterprise_import:upload")).status_code == 200
    response = upload(client, world)
    assert response.status_code == 302
    dry = run_id(response)
    page = client.get(reverse("enterprise_import:run", args=[dry]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "数据行 3 = 新增 2 + 更新 0 + 未导入 1" in body
    assert "舞钢页面导入坏行" in body and "应为 18 位" in body
    assert Enterprise.objects.count() == 0

    report = client.get(reverse("enterprise_import:report", args=[dry]))
    assert report.status_code == 200
    data = b"".join(report.streaming_content)
    path = tasks.job_dir() / "downloaded.xlsx"
    path.write_bytes(data)
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("导入结果").to_python()
    assert rows[0][-2:] == ["导入结果", "错误说明"]
    assert [r[-2] for r in rows[1:]] == ["新增", "新增", "未导入"]

    response = client.post(reverse("enterprise_import:confirm", args=[dry]))
    assert response.status_code == 302
    commit = run_id(response)
    body = client.get(reverse("enterprise_import:run", args=[commit])).content.decode()
    assert "已新增" in body
    assert Enterprise.objects.filter(responsible_unit=world.county).count() == 2
    # A dry run is confirmed once only.
    client.post(reverse("enterprise_import:confirm", args=[dry]))
    assert Enterprise.objects.count() == 2


def test_hostile_upload_refused_with_nothing_kept(world, as_user, job_files):
    client = as_user(world.county_admin)
    evil = SimpleUploadedFile("名单.xlsm", b"PK\x03\x04 macro")
    response = client.post(
        reverse("enterprise_import:upload"),
        {"kind": "enterprise", "unit": world.county.pk, "file": evil},
    )
    assert response.status_code == 200
    assert "含宏的文件不能导入" in response.content.decode()
    assert not list(job_files.glob("ent-*"))
    assert Enterprise.objects.count() == 0


def test_readonly_cannot_import_but_downloads_templates(world, as_user):
    client = as_user(world.county_viewer)
    assert upload(client, world).status_code == 403
    assert client.get(reverse("enterprise_import:upload")).status_code == 403
    for kind in ("enterprise", "survey"):
        response = client.get(reverse("enterprise_import:template", args=[kind]))
        assert response.status_code == 200
        b"".join(response.streaming_content)
    assert client.get(reverse("enterprise_import:template", args=["members"])).status_code == 404
    assert client.get(reverse("enterprise_import:worklist_export")).status_code == 200


def test_sibling_cannot_import_into_or_see_the_countys_runs(world, as_user):
    county = as_user(world.county_admin)
    dry = run_id(upload(county, world))
    sibling = as_user(world.sibling_admin)
    response = upload(sibling, world, unit=world.county)
    assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode()
    for name in ("run", "report"):
        assert sibling.get(reverse(f"enterprise_import:{name}", args=[dry])).status_code == 404
    assert sibling.post(reverse("enterprise_import:confirm", args=[dry])).status_code == 404
    assert sibling.get(reverse("enterprise_import:run", args=["0" * 32])).status_code == 404
    assert sibling.get("/enterprises/import/runs/..%2Fetc/").status_code == 404
    viewer = as_user(world.county_viewer)
    assert viewer.get(reverse("enterprise_import:run", args=[dry])).status_code == 200
    assert viewer.post(reverse("enterprise_import:confirm", args=[dry])).status_code == 403
    assert Enterprise.objects.count() == 0


def test_survey_sheet_through_the_pages(world, as_user):
    client = as_user(world.county_admin)
    dry = run_id(upload(client, world))
    client.post(reverse("enterprise_import:confirm", args=[dry]))
    rows = [
        ["企业名称", "所在县区", "排查日期", "建会情况"],
        ["舞钢页面导入二有限公司", "410481", "2026-05-01", "未建会"],
    ]
    response = upload(client, world, kind="survey", rows=rows, name="排查表.csv")
    body = client.get(response["Location"]).content.decode()
    assert "可新增" in body and "数据行 1 = 新增 1" in body


# --- templates ------------------------------------------------------------------------------


def _validations(path) -> dict[str, ET.Element]:
    with zipfile.ZipFile(path) as archive:
        root = ET.fromstring(archive.read("xl/worksheets/sheet1.xml"))  # noqa: S314 (our own file)
    found = {}
    for element in root.iterfind("m:dataValidations/m:dataValidation", NS):
        column = re.match(r"[A-Z]+", element.get("sqref")).group()
        found[column] = element
    return found


@pytest.mark.parametrize(
    ("kind", "sheet", "coded"),
    [
        ("enterprise", "企业名单", ["所在县(市、区)", "所属行业", "项目规模", "在建项目"]),
        ("survey", "排查表", ["建会情况", "未建会原因", "法人态度", "推进措施", "排查日期"]),
    ],
)
def test_templates_have_dropdowns_and_instructions(world, as_user, kind, sheet, coded):
    client = as_user(world.county_admin)
    response = client.get(reverse("enterprise_import:template", args=[kind]))
    path = tasks.job_dir() / f"{kind}.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    workbook = CalamineWorkbook.from_path(str(path))
    assert workbook.sheet_names[:2] == [sheet, "填写说明"]
    header = workbook.get_sheet_by_name(sheet).to_python()[0]
    assert header[0] == "*企业名称"
    letters = {
        h.lstrip("*"): chr(65 + i) if i < 26 else "A" + chr(39 + i) for i, h in enumerate(header)
    }
    validations = _validations(path)
    for column in coded:
        assert letters[column] in validations, column
    help_text = "".join(
        str(c) for row in workbook.get_sheet_by_name("填写说明").to_python() for c in row
    )
    assert "填写要求" in help_text and "一行" in help_text
    if kind == "enterprise":
        division = validations[letters["所在县(市、区)"]].find("m:formula1", NS).text
        assert "410481 舞钢市" in division  # the counties of the user's unit, inline
        industry = validations[letters["所属行业"]].find("m:formula1", NS).text
        assert "代码表" in industry  # a long list lives on the hidden sheet
        codes = workbook.get_sheet_by_name("代码表").to_python()
        assert codes[1][0] == "农、林、牧、渔业"
    # The template reads back: its header is recognised and no row is taken as data.
    from ruhui.enterprises.importer import import_enterprises, import_surveys

    importer = import_enterprises if kind == "enterprise" else import_surveys
    extra = {"responsible_unit": world.county} if kind == "enterprise" else {}
    summary = importer(path, actor=world.county_admin, dry_run=True, **extra)
    assert summary.rows == 0 and summary.unknown_headers == []


def test_row_limit_fails_the_run_with_its_message_and_keeps_no_result_file(
    world, as_user, settings, job_files
):
    settings.RUHUI_IMPORT_MAX_ROWS = 3  # the header and two of the three rows
    client = as_user(world.county_admin)
    run = tasks.run_get(run_id(upload(client, world)))
    assert run.status == tasks.FAILED and "超过 3 行" in run.error
    body = client.get(reverse("enterprise_import:run", args=[run.id])).content.decode()
    assert "超过 3 行" in body
    assert not list(job_files.glob("ent-report-*"))
    assert Enterprise.objects.count() == 0


def test_stored_summary_is_capped(world, as_user, settings):
    settings.RUHUI_IMPORT_MAX_ERRORS_STORED = 1
    rows = [*enterprise_rows(), ["舞钢页面导入坏行二", "456", "410481"]]
    run = tasks.run_get(run_id(upload(as_user(world.county_admin), world, rows=rows)))
    assert run.summary["rejected"] == 2
    assert len(run.summary["errors"]) == 1 and run.summary["errors_unlisted_rows"] == 1
