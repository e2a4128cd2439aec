"""The demo's 月报 (issue 17): on `make demo` the 18 reporting units of pds-2019 have reports
for June–October 2019, most read, some late, one returned, and two missing for October — which
pds_admin sees in the matrix.

The world is seeded once for the module at the demo's own size, inside a transaction rolled
back at the end; each test runs in a savepoint."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from ruhui.accounts.models import User
from ruhui.campaigns.models import Campaign
from ruhui.demo.projects import SLUG
from ruhui.demo.reports import MISSING_OCTOBER, RETURN_OPINION, RETURNED
from ruhui.demo.world import DEMO_MEMBERS
from ruhui.reports import selectors
from ruhui.reports.choices import ReportStatus
from ruhui.reports.models import MonthlyReport, ReportEvent
from tests.demo import module_demo

D = datetime.date


demo_world = module_demo(members=DEMO_MEMBERS)


@pytest.fixture
def campaign(demo_world, db):
    return Campaign.objects.select_related("owner").get(slug=SLUG)


def test_eighteen_units_report_june_to_october(campaign):
    units = selectors.reporting_units(campaign)
    assert len(units) == 18
    reports = MonthlyReport.objects.filter(campaign=campaign)
    assert reports.count() == 18 * 5 - len(MISSING_OCTOBER)
    statuses = {s: reports.filter(status=s).count() for s in ReportStatus.values}
    assert statuses[ReportStatus.RETURNED] == 1 and statuses[ReportStatus.DRAFT] == 0
    assert statuses[ReportStatus.READ] > reports.count() / 2
    assert statuses[ReportStatus.SUBMITTED] >= 1  # October waiting for the city
    returned = reports.get(status=ReportStatus.RETURNED)
    assert (returned.unit.code, returned.month) == RETURNED
    event = ReportEvent.objects.get(report=returned, to_status=ReportStatus.RETURNED)
    assert event.opinion == RETURN_OPINION
    assert {timezone.localtime(e.at).year for e in ReportEvent.objects.all()} == {2019}
    for report in reports:
        assert report.progress and report.figures["month"] == report.month


def test_pds_admin_sees_who_has_not_reported_in_october(campaign, client):
    pds = User.objects.get(username="pds_admin")
    table = selectors.matrix(user=pds, campaign=campaign, today=D(2019, 11, 20))
    assert sorted(u.code for u in table.missing["2019-10"]) == sorted(MISSING_OCTOBER)
    labels = [c.label for row in table.rows for c in row.cells]
    assert any(label.startswith("迟报") for label in labels) and "按时" in labels
    client.force_login(pds)
    page = client.get(reverse("reports:matrix", args=[SLUG])).content.decode()
    missing_names = [u.name for u in table.missing["2019-10"]]
    assert all(name in page for name in missing_names) and "未报" in page


def test_wg_admin_sees_its_own_row(campaign):
    wg = User.objects.get(username="wg_admin")
    table = selectors.matrix(user=wg, campaign=campaign, today=D(2019, 11, 20))
    assert [row.unit.code for row in table.rows] == ["WG"]


def test_published_bulletins_at_july_and_september_with_their_files(campaign):
    import hashlib
    from pathlib import Path

    from docx import Document
    from pypdf import PdfReader

    from ruhui.reports.choices import BulletinStatus
    from ruhui.reports.models import Bulletin

    bulletins = list(Bulletin.objects.filter(campaign=campaign).order_by("cut_off"))
    assert [b.cut_off for b in bulletins] == [D(2019, 7, 31), D(2019, 9, 30)]
    units = [u.name for u in selectors.reporting_units(campaign)]
    for bulletin in bulletins:
        assert bulletin.status == BulletinStatus.PUBLISHED
        assert bulletin.missing_characters == []
        assert timezone.localtime(bulletin.published_at).year == 2019
        for item in bulletin.files.values():
            assert hashlib.sha256(Path(item["path"]).read_bytes()).hexdigest() == item["sha256"]
        ranked = [row["unit"] for row in bulletin.figures["units"]]
        assert sorted(ranked) == sorted(units) and len(ranked) == 18
        (table,) = Document(bulletin.files["docx"]["path"]).tables
        assert [row.cells[1].text for row in table.rows[1:]] == ranked
        text = "".join(p.extract_text() for p in PdfReader(bulletin.files["pdf"]["path"]).pages)
        assert "通报" in text and all(name in text for name in units)
    assert bulletins[1].figures["previous"]["id"] == bulletins[0].pk


def test_pds_admin_publishes_the_november_bulletin_and_wg_admin_reads_it(campaign, client):
    from docx import Document
    from pypdf import PdfReader

    from ruhui.reports import bulletin_services

    pds = User.objects.get(username="pds_admin")
    bulletin = bulletin_services.bulletin_create(
        actor=pds,
        campaign=campaign,
        cut_off=D(2019, 11, 30),
        data={"title": "关于全市农民工入会集中行动推进情况的通报", "number": "平工组〔2019〕21号"},
    )
    assert bulletin_services.bulletin_build(bulletin.pk)["missing_characters"] == []
    bulletin_services.bulletin_publish(actor=pds, bulletin=bulletin)
    client.force_login(User.objects.get(username="wg_admin"))
    page = client.get(reverse("reports:bulletin", args=[SLUG, bulletin.pk]))
    assert page.status_code == 200 and "平工组〔2019〕21号" in page.content.decode()
    bulletin.refresh_from_db()
    ranked = [row["unit"] for row in bulletin.figures["units"]]
    assert len(ranked) == 18
    download = client.get(reverse("reports:bulletin_file", args=[SLUG, bulletin.pk, "docx"]))
    assert download.status_code == 200
    (table,) = Document(io.BytesIO(b"".join(download.streaming_content))).tables
    assert [row.cells[1].text for row in table.rows[1:]] == ranked
    download = client.get(reverse("reports:bulletin_file", args=[SLUG, bulletin.pk, "pdf"]))
    assert download.status_code == 200
    pdf = PdfReader(io.BytesIO(b"".join(download.streaming_content)))
    text = "".join(p.extract_text() for p in pdf.pages)
    assert "通报" in text and all(name in text for name in ranked)
