"""通报: the as-of figures beside direct counts on a constructed history, the default cut-offs,
refusals (cut-off not a month end, a bad 文号, editing a published bulletin), publishing freezes
the figures and the files (their SHA-256 never change; a late 入会 with an earlier date changes
only the next bulletin), corrections, the typical-experience excerpts, and a query count that
does not grow with units and members."""

import datetime
import hashlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ruhui.campaigns.models import Phase, Target
from ruhui.campaigns.progress import progress_refresh
from ruhui.figures.scope import Scope
from ruhui.figures.selectors import unions_founded
from ruhui.members.selectors import new_member_count
from ruhui.orgs.models import Organization
from ruhui.reports import bulletin_services as services
from ruhui.reports.bulletins import bulletin_figures, default_cut_offs
from ruhui.reports.choices import BulletinStatus
from ruhui.reports.models import Bulletin, BulletinEvent
from tests.factories import OrganizationFactory
from tests.members.factories import join

D = datetime.date
JULY = D(2019, 7, 31)
DATA = {"title": "关于农民工入会集中行动推进情况的通报", "number": "平工组〔2019〕12号"}


def _targets(people, drive):
    Target.objects.create(campaign=drive, unit=people.county, new_members=10, baseline_declared=40)
    Target.objects.create(campaign=drive, unit=people.sibling, new_members=8)


def _history(people, drive):
    """Members of 舞钢 joining in June, July and October, of 宝丰 in August; unions founded in
    May (before the cut-off) and in August (after it)."""
    for day in (D(2019, 6, 3), D(2019, 6, 20), D(2019, 7, 31), D(2019, 10, 2)):
        join(people.county_admin, people.county_trade, on=day, is_migrant_worker=True)
    join(people.sibling_admin, people.sibling_trade, on=D(2019, 8, 1), is_migrant_worker=True)
    OrganizationFactory(parent=people.county, name="舞钢物业工会", founded_on=D(2019, 5, 2))
    OrganizationFactory(parent=people.county, name="舞钢网约车工会", founded_on=D(2019, 8, 8))
    progress_refresh(drive)


def _row(figures, unit):
    return next(r for r in figures["units"] if r["unit_id"] == unit.pk)


def _published(people, drive, cut_off=JULY, data=DATA):
    bulletin = services.bulletin_create(
        actor=people.city_admin, campaign=drive, cut_off=cut_off, data=data
    )
    result = services.bulletin_build(bulletin.pk)
    assert result["missing_characters"] == []
    return services.bulletin_publish(actor=people.city_admin, bulletin=bulletin)


def _sha(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def test_as_of_figures_equal_direct_counts(people, drive):
    _targets(people, drive)
    _history(people, drive)
    for cut_off in (D(2019, 6, 30), D(2019, 7, 31), D(2019, 9, 30)):
        figures = bulletin_figures(campaign=drive, cut_off=cut_off)
        for unit in (people.county, people.sibling):
            row = _row(figures, unit)
            direct = new_member_count(
                user=people.city_admin,
                start=drive.starts_on,
                end=cut_off,
                root=unit,
                migrant=True,
            )
            assert row["new_members"] == direct, (cut_off, unit.name)
            founded = unions_founded(
                scope=Scope.units(drive.owner, [unit]), start=drive.starts_on, end=cut_off
            )
            assert row["unions_founded"] == sum(founded.get(unit.pk, {}).values())
        expected = {D(2019, 6, 30): 1, D(2019, 7, 31): 1, D(2019, 9, 30): 2}[cut_off]
        assert _row(figures, people.county)["unions_founded"] == expected
    july = bulletin_figures(campaign=drive, cut_off=D(2019, 7, 31))
    county = _row(july, people.county)
    assert (county["new_members"], county["target"], county["completion_pct"]) == (3, 10, 30.0)
    assert county["growth_pct"] == 7.5  # 3 ÷ the declared baseline 40
    assert [r["unit"] for r in july["units"]][:2] == [people.county.name, people.sibling.name]
    assert july["total"]["unions_founded"] == 1  # the city's subtree, counted once
    assert july["total"]["new_members"] == 3 and july["time_pct"] == 44.4  # 122 of 275 days


def test_default_cut_offs_every_second_month_end_of_the_implementation_phase(people, drive):
    assert default_cut_offs(drive)[0] == D(2019, 5, 31)  # no phase: from the window's start
    Phase.objects.create(
        campaign=drive, name="推进实施", starts_on=D(2019, 6, 1), ends_on=D(2019, 11, 30)
    )
    assert default_cut_offs(drive) == [D(2019, 7, 31), D(2019, 9, 30), D(2019, 11, 30)]


def test_a_cut_off_that_is_not_a_month_end_is_refused(people, drive):
    with pytest.raises(ValidationError) as refused:
        services.bulletin_create(
            actor=people.city_admin, campaign=drive, cut_off=D(2019, 7, 30), data=DATA
        )
    assert "不是月末" in refused.value.message_dict["cut_off"][0]
    assert not Bulletin.objects.exists()


@pytest.mark.parametrize("number", ["平工组2019年12号", "平〔2019〕12号", "平工组〔19〕12号", ""])
def test_a_bad_document_number_is_refused(people, drive, number):
    with pytest.raises(ValidationError) as refused:
        services.bulletin_create(
            actor=people.city_admin,
            campaign=drive,
            cut_off=D(2019, 7, 31),
            data={**DATA, "number": number},
        )
    assert "平工组〔2019〕12号" in refused.value.message_dict["number"][0]
    assert not Bulletin.objects.exists()


def test_a_county_cannot_write_the_citys_bulletin(people, drive):
    with pytest.raises(ValidationError) as refused:
        services.bulletin_create(
            actor=people.county_admin, campaign=drive, cut_off=D(2019, 7, 31), data=DATA
        )
    assert "平顶山市总工会" in refused.value.messages[0]


def test_one_bulletin_per_cut_off(people, drive):
    services.bulletin_create(
        actor=people.city_admin, campaign=drive, cut_off=D(2019, 7, 31), data=DATA
    )
    with pytest.raises(ValidationError) as refused:
        services.bulletin_create(
            actor=people.city_reviewer, campaign=drive, cut_off="2019-07-31", data=DATA
        )
    assert "已经建立" in refused.value.message_dict["cut_off"][0]


def test_publishing_needs_rendered_files_and_an_admin(people, drive):
    bulletin = services.bulletin_create(
        actor=people.city_reviewer, campaign=drive, cut_off=D(2019, 7, 31), data=DATA
    )
    with pytest.raises(ValidationError, match="还没有生成"):
        services.bulletin_publish(actor=people.city_admin, bulletin=bulletin)
    services.bulletin_build(bulletin.pk)
    with pytest.raises(ValidationError, match="管理员"):
        services.bulletin_publish(actor=people.city_reviewer, bulletin=bulletin)
    services.bulletin_publish(actor=people.city_admin, bulletin=bulletin)
    assert Bulletin.objects.get(pk=bulletin.pk).status == BulletinStatus.PUBLISHED


def test_editing_or_rendering_a_published_bulletin_is_refused(people, drive):
    bulletin = _published(people, drive)
    with pytest.raises(ValidationError, match="不能修改"):
        services.bulletin_update(
            actor=people.city_admin, bulletin=bulletin, data={**DATA, "title": "改过的标题"}
        )
    with pytest.raises(ValidationError, match="不能修改"):
        services.bulletin_render(actor=people.city_admin, bulletin=bulletin)
    assert Bulletin.objects.get(pk=bulletin.pk).title == DATA["title"]


def test_published_files_and_figures_never_change(people, drive):
    """A 入会 entered after publication with an earlier date leaves the published bulletin (its
    figures, its files and their checksums) as it was; the next bulletin counts it."""
    _targets(people, drive)
    _history(people, drive)
    july = _published(people, drive)
    frozen = Bulletin.objects.get(pk=july.pk)
    sums = {kind: item["sha256"] for kind, item in frozen.files.items()}
    assert set(sums) == {"docx", "pdf", "xlsx", "png"}
    assert all(_sha(item["path"]) == item["sha256"] for item in frozen.files.values())
    assert _row(frozen.figures, people.county)["new_members"] == 3

    join(people.county_admin, people.county_trade, on=D(2019, 7, 10), is_migrant_worker=True)
    progress_refresh(drive)
    assert services.bulletin_build(july.pk)["skipped"] == "已发布"

    again = Bulletin.objects.get(pk=july.pk)
    assert again.figures == frozen.figures and again.files == frozen.files
    assert {kind: _sha(item["path"]) for kind, item in again.files.items()} == sums
    assert _row(again.figures, people.county)["new_members"] == 3

    september = _published(people, drive, cut_off=D(2019, 9, 30))
    september.refresh_from_db()
    assert _row(september.figures, people.county)["new_members"] == 4
    previous = september.figures["previous"]
    assert previous["id"] == july.pk and previous["cut_off"] == "2019-07-31"
    assert any("增加1人" in line for line in previous["lines"])


def test_a_correction_is_a_new_version_that_keeps_the_old(people, drive):
    july = _published(people, drive)
    with pytest.raises(ValidationError) as refused:
        services.bulletin_correct(actor=people.city_admin, bulletin=july, reason=" ")
    assert "更正原因" in refused.value.message_dict["reason"][0]
    correction = services.bulletin_correct(
        actor=people.city_admin, bulletin=july, reason="宝丰县总工会的会员数录入有误"
    )
    assert (correction.version, correction.corrects_id) == (2, july.pk)
    assert Bulletin.objects.get(pk=july.pk).status == BulletinStatus.PUBLISHED
    services.bulletin_build(correction.pk)
    services.bulletin_publish(actor=people.city_admin, bulletin=correction)
    old = Bulletin.objects.get(pk=july.pk)
    assert old.status == BulletinStatus.SUPERSEDED
    assert all(_sha(item["path"]) == item["sha256"] for item in old.files.values())
    assert BulletinEvent.objects.filter(bulletin=old, action="superseded").count() == 1


def test_excerpts_of_the_cases_the_city_published(people, drive):
    from ruhui.cases import services as case_services
    from ruhui.demo.projects import _on
    from tests.cases.factories import submit

    with _on(D(2019, 7, 20)):
        case = submit(people.county_admin, title="舞钢「小哥驿站」", campaign=drive)
        case_services.case_publish(actor=people.city_admin, case=case)
    figures = bulletin_figures(campaign=drive, cut_off=D(2019, 7, 31))
    assert [e[:2] for e in figures["excerpts"]] == [["舞钢「小哥驿站」", people.county.name]]
    assert bulletin_figures(campaign=drive, cut_off=D(2019, 6, 30))["excerpts"] == []


def _queries(drive):
    with CaptureQueriesContext(connection) as captured:
        bulletin_figures(campaign=drive, cut_off=D(2019, 9, 30))
    return len(captured)


def test_assembly_reads_a_fixed_number_of_queries(people, drive):
    _targets(people, drive)
    _history(people, drive)
    small = _queries(drive)
    Target.objects.create(campaign=drive, unit=people.industry, new_members=5)
    for index in range(3):
        unit = OrganizationFactory(parent=people.industry_trade, founded_on=D(2019, 6, 1 + index))
        for day in (3, 4):
            join(people.industry_admin, unit, on=D(2019, 7, day), is_migrant_worker=True)
    progress_refresh(drive)
    assert _queries(drive) == small


def test_a_character_outside_the_fonts_is_listed_in_the_task_result(people, drive):
    Organization.objects.filter(pk=people.sibling.pk).update(name="宝丰𠮷祥工会")
    bulletin = services.bulletin_create(
        actor=people.city_admin, campaign=drive, cut_off=JULY, data=DATA
    )
    result = services.bulletin_build(bulletin.pk)
    assert result["missing_characters"] == ["𠮷"]
    assert Bulletin.objects.get(pk=bulletin.pk).missing_characters == ["𠮷"]
