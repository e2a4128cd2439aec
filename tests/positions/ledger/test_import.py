"""The recipient import through the jobs machinery: a check writes nothing and its counts
reconcile (rows = created + rejected); the confirmed commit writes exactly what the check
promised; bad rows carry the registry's Chinese message; the result workbook and the job page
never show an ID number or a name in clear."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from ruhui.audit.models import AuditEvent
from ruhui.core.masking import mask_id_number
from ruhui.jobs.models import Job, JobStatus
from ruhui.positions.models import ServiceRecipient
from ruhui.positions.recipient_import import RECIPIENT_IMPORT, import_recipients
from ruhui.tabular import xlsxstream
from tests.members.factories import make_id_number


def write_xlsx(path, rows):
    book = xlsxstream.Workbook(path)
    sheet = book.add_sheet("服务对象")
    sheet.write_row(["夏送清凉服务对象名单"])  # a title row above the header
    sheet.write_row(["姓名", "身份证号", "群体"])
    for row in rows:
        sheet.write_row(row)
    book.close()
    return path


def rows_of(cast):
    stranger = make_id_number()
    bad = cast.guard_number[:17] + ("0" if cast.guard_number[17] != "0" else "1")
    return [
        ["李快递", cast.courier_number, "快递员"],  # a member: linked
        ["赵路人", stranger, "外卖骑手"],  # not a member: counted
        ["钱错号", bad, "保安员"],  # GB 11643 fails
        ["李快递", cast.courier_number, "快递员"],  # the same member again
        ["孙某", "", "火星人"],  # an unknown group
        ["", "", ""],  # blank: not a row
        ["周某", "", ""],  # no number: counted
    ], (stranger, bad)


def test_check_then_commit_reconcile(cast, tmp_path):
    rows, (stranger, bad) = rows_of(cast)
    path = write_xlsx(tmp_path / "名单.xlsx", rows)
    report = tmp_path / "r.xlsx"
    preview: list = []
    check = import_recipients(
        path,
        actor=cast.clerk,
        activity=cast.activity,
        dry_run=True,
        report_path=report,
        preview=preview,
    )
    assert (check.rows, check.created, check.rejected) == (6, 3, 3)
    assert check.reconciles and check.blank_rows == 1
    assert not ServiceRecipient.objects.exists()
    messages = {e["row"]: e["message"] for e in check.errors}
    assert "校验位" in messages[5] and bad not in messages[5]
    assert "没有重复登记" in messages[6]
    assert "群体「火星人」" in messages[7]
    # The result workbook: masked numbers and names only.
    sheet = CalamineWorkbook.from_path(str(report)).get_sheet_by_name("导入结果").to_python()
    text = repr(sheet)
    for number in (cast.courier_number, stranger, bad):
        assert number not in text
    assert mask_id_number(cast.courier_number) in text
    assert "李快递" not in text and "李*递" in text
    for number in (cast.courier_number, stranger, bad):
        assert number not in repr(preview)

    commit = import_recipients(path, actor=cast.clerk, activity=cast.activity, dry_run=False)
    assert (commit.rows, commit.created, commit.rejected) == (
        check.rows,
        check.created,
        check.rejected,
    )
    listed = ServiceRecipient.objects.filter(activity=cast.activity)
    assert listed.count() == 3
    assert listed.filter(is_member=True).get().member_id == cast.courier.pk
    assert not listed.filter(is_member=False).exclude(masked_name="").exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.IMPORT)
    assert event.changes == {"新增服务对象": [None, 3], "其中会员": [None, 1]}


def test_upload_runs_as_a_job_confirmed_on_its_page(
    cast, as_user, tmp_path, django_capture_on_commit_callbacks
):
    rows, _numbers = rows_of(cast)
    data = write_xlsx(tmp_path / "名单.xlsx", rows).read_bytes()
    client = as_user(cast.clerk)
    url = reverse("positions:recipient_import", args=[cast.activity.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"file": SimpleUploadedFile("名单.xlsx", data)})
    check = Job.objects.get(kind=RECIPIENT_IMPORT)
    assert response.status_code == 302 and response["Location"] == f"/jobs/{check.pk}/"
    assert check.status == JobStatus.SUCCEEDED and check.dry_run
    assert (check.summary["rows"], check.summary["created"], check.summary["rejected"]) == (6, 3, 3)
    page = client.get(f"/jobs/{check.pk}/").content.decode()
    assert cast.courier_number not in page and "李快递" not in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("jobs:confirm", args=[check.pk]))
    commit = Job.objects.get(kind=RECIPIENT_IMPORT, parent=check)
    assert commit.status == JobStatus.SUCCEEDED and commit.summary["created"] == 3
    assert ServiceRecipient.objects.filter(activity=cast.activity).count() == 3
    # A sibling county cannot import into 舞钢's entry; a read-only cadre may not import.
    upload = SimpleUploadedFile("名单.xlsx", data)
    assert as_user(cast.world.sibling_admin).post(url, {"file": upload}).status_code == 404
    upload = SimpleUploadedFile("名单.xlsx", data)
    assert as_user(cast.world.county_viewer).post(url, {"file": upload}).status_code == 403
