"""A base union's standard (六有, internal systems, the fund set-up): the migration from the old
ticks, the one service and its refusals, the checklist page and its evidence, query counts."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ruhui.audit.models import AuditEvent
from ruhui.orgs import services
from ruhui.orgs.choices import SIX_HAVE_CODES, OrgKind
from ruhui.orgs.models import Organization, StandardEvidence, StandardItem
from tests.factories import OrganizationFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DAY = datetime.date(2019, 6, 1)


def pdf(name="选举结果批复.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def set_item(world, item="has_elected_chair", *, actor=None, union=None, **kw):
    kw = {"met": True, "checked_on": DAY} | kw
    return services.standard_set(
        actor=actor or world.county_admin, union=union or world.county_trade, item=item, **kw
    )


# The migration -------------------------------------------------------------------------------

BEFORE = [("orgs", "0003_standard_items")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_every_old_tick_becomes_a_met_item_and_back(world):
    ticks = {
        world.county_trade.pk: {"has_elected_chair", "has_rules"},
        world.county_enterprise.pk: set(SIX_HAVE_CODES),
        world.sibling_trade.pk: {"has_own_funds"},
    }
    try:
        old = migrate(BEFORE)
        OldOrganization = old.get_model("orgs", "Organization")
        for pk, fields in ticks.items():
            OldOrganization.objects.filter(pk=pk).update(**dict.fromkeys(fields, True))
        old_totals = {
            o.pk: sum(getattr(o, f) for f in SIX_HAVE_CODES) for o in OldOrganization.objects.all()
        }

        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
        items = StandardItem.objects.all()
        assert {(i.union_id, i.item) for i in items} == {
            (pk, f) for pk, fields in ticks.items() for f in fields
        }
        assert all(i.met and i.note == "由原勾选迁移" for i in items)
        assert all(i.checked_on is None and i.checked_by is None for i in items)
        assert {o.pk: o.six_haves_met for o in Organization.objects.all()} == old_totals

        back = migrate(BEFORE)
        OldOrganization = back.get_model("orgs", "Organization")
        for org in OldOrganization.objects.all():
            assert {f for f in SIX_HAVE_CODES if getattr(org, f)} == ticks.get(org.pk, set())
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


# The service ---------------------------------------------------------------------------------


def test_six_haves_read_from_the_items(world):
    set_item(world, "has_elected_chair")
    set_item(world, "has_rules")
    set_item(world, "member_congress")  # an internal system: not one of the six
    set_item(world, "has_committees", met=False)
    org = Organization.objects.get(pk=world.county_trade.pk)
    assert org.six_haves_met == 2
    assert [met for _label, met in org.six_haves] == [True, False, False, True, False, False]
    assert str(org.six_haves[0][0]) == "有依法选举的工会主席"


def test_set_records_the_checker_and_an_audit_event(world):
    item = set_item(world, note="2019年换届选举", uploads=[pdf()])
    assert item.met and item.checked_on == DAY and item.checked_by == world.county_admin
    assert [e.original_name for e in item.evidence.all()] == ["选举结果批复.pdf"]
    event = AuditEvent.objects.get(object_type="orgs.standarditem", object_id=str(item.pk))
    assert event.action == "create" and event.changes["met"] == [None, True]
    assert event.changes["附件"] == [None, "选举结果批复.pdf"]
    assert event.org_path == world.county_trade.path


def test_funds_allocation_needs_how_and_keeps_it(world):
    with pytest.raises(ValidationError) as err:
        set_item(world, "funds_allocation")
    assert "拨缴方式" in err.value.message_dict["detail"][0]
    item = set_item(world, "funds_allocation", detail=" 税务代收 ")
    assert item.detail == "税务代收"
    assert set_item(world, "dues_collection", detail="不该保存").detail == ""


def test_refusals_name_the_field(world):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as err:
        set_item(world, checked_on=tomorrow)
    assert "检查日期不能晚于今天" in err.value.message_dict["checked_on"][0]
    with pytest.raises(ValidationError) as err:
        set_item(world, "funds_allocation", checked_on=tomorrow, detail="单位拨缴")
    assert "理顺日期不能晚于今天" in err.value.message_dict["checked_on"][0]
    with pytest.raises(ValidationError) as err:
        set_item(world, checked_on=None)
    assert "请填写检查日期" in err.value.message_dict["checked_on"][0]
    with pytest.raises(ValidationError) as err:
        set_item(world, "has_everything")
    assert "没有「has_everything」这个达标项目" in err.value.message_dict["item"][0]
    assert not StandardItem.objects.exists()


def test_a_migrated_item_stays_met_without_a_date(world):
    StandardItem.objects.create(
        union=world.county_trade, item="has_rules", met=True, note="由原勾选迁移"
    )
    item = set_item(world, "has_rules", checked_on=None, note="由原勾选迁移", uploads=[pdf()])
    assert item.met and item.checked_on is None and item.evidence.count() == 1
    item = set_item(world, "has_rules", met=False, checked_on=None)
    with pytest.raises(ValidationError):  # no longer the migrated state: a date is needed
        set_item(world, "has_rules", checked_on=None)


def test_outside_the_jurisdiction_or_without_the_role_is_refused(world):
    with pytest.raises(PermissionDenied):
        set_item(world, union=world.sibling_trade)
    with pytest.raises(PermissionDenied):
        set_item(world, actor=world.county_viewer)
    assert not StandardItem.objects.exists()


def test_a_deactivated_union_is_refused(world):
    services.organization_deactivate(
        actor=world.county_admin, organization=world.county_enterprise, reason="企业注销"
    )
    with pytest.raises(ValidationError) as err:
        set_item(world, union=world.county_enterprise)
    assert "已撤销" in err.value.messages[0]


def test_a_renamed_program_as_evidence_leaves_nothing(world, settings):
    exe = SimpleUploadedFile(
        "批复.pdf", b"MZ\x90\x00" + b"\x00" * 200, content_type="application/pdf"
    )
    with pytest.raises(ValidationError) as err:
        set_item(world, uploads=[pdf("好的.pdf"), exe])
    assert "批复.pdf" in err.value.message_dict["files"][0]
    assert not StandardItem.objects.exists() and not StandardEvidence.objects.exists()
    folder = settings.RUHUI_ATTACHMENTS
    assert not folder.exists() or not any(p.is_file() for p in folder.rglob("*"))
    assert not AuditEvent.objects.filter(object_type="orgs.standarditem").exists()


def test_unchanged_and_no_files_writes_nothing(world):
    item = set_item(world)
    before = AuditEvent.objects.count()
    again = set_item(world)
    assert again.updated_at == item.updated_at and AuditEvent.objects.count() == before


# The pages -----------------------------------------------------------------------------------


def standards_url(org):
    return reverse("orgs:standards", args=[org.pk])


def post_item(client, org, item="has_elected_chair", **fields):
    data = {"item": item, f"{item}-met": "on", f"{item}-checked_on": "2019-06-01"}
    data |= {f"{item}-{k}": v for k, v in fields.items()}
    return client.post(standards_url(org), data)


def test_page_triangle(world, as_user):
    org = world.county_trade
    client = as_user(world.county_admin)
    assert client.get(standards_url(org)).status_code == 200
    response = post_item(client, org, note="换届选举", files=pdf())
    assert response.status_code == 302
    item = StandardItem.objects.get(union=org, item="has_elected_chair")
    assert item.met and item.note == "换届选举" and item.evidence.count() == 1

    viewer = as_user(world.county_viewer)
    page = viewer.get(standards_url(org))
    assert page.status_code == 200 and "换届选举" in page.content.decode()
    assert 'name="item"' not in page.content.decode()
    assert post_item(viewer, org, "has_rules").status_code == 403

    sibling = as_user(world.sibling_admin)
    assert sibling.get(standards_url(org)).status_code == 404
    assert post_item(sibling, org, "has_rules").status_code == 404
    assert not StandardItem.objects.filter(item="has_rules").exists()


def test_page_shows_refusals_next_to_the_field(world, as_user):
    client = as_user(world.county_admin)
    response = post_item(client, world.county_trade, "funds_allocation")
    assert response.status_code == 400
    form = response.context["sections"][2].rows[0].form
    assert "拨缴方式" in form.errors["detail"][0]
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = post_item(client, world.county_trade, checked_on=tomorrow)
    assert response.status_code == 400 and "不能晚于今天" in response.content.decode()
    assert not StandardItem.objects.exists()


def test_page_refuses_an_unknown_item(world, as_user):
    response = post_item(as_user(world.county_admin), world.county_trade, "bogus")
    assert response.status_code == 302 and not StandardItem.objects.exists()


def test_detail_page_shows_the_checklist_and_the_link(world, as_user):
    set_item(world, note="2019年换届", uploads=[pdf()])
    set_item(world, "funds_allocation", detail="税务代收")
    html = as_user(world.county_admin).get(reverse("orgs:detail", args=[world.county_trade.pk]))
    html = html.content.decode()
    assert "“六有”1/6" in html and "内部运行制度（0/4）" in html and "经费（1/2）" in html
    assert "2019年换届" in html and "税务代收" in html and "选举结果批复.pdf" in html
    assert "编辑达标情况" in html
    viewer = as_user(world.county_viewer).get(reverse("orgs:detail", args=[world.county_trade.pk]))
    assert "编辑达标情况" not in viewer.content.decode()


def test_evidence_download_is_scoped_and_not_cached(world, as_user):
    evidence = set_item(world, uploads=[pdf()]).evidence.get()
    url = reverse("orgs:standard_evidence", args=[world.county_trade.pk, evidence.pk])
    response = as_user(world.county_viewer).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert "no-store" in response["Cache-Control"]
    assert "attachment" in response["Content-Disposition"]
    assert as_user(world.sibling_admin).get(url).status_code == 404
    other = reverse("orgs:standard_evidence", args=[world.county_enterprise.pk, evidence.pk])
    assert as_user(world.county_admin).get(other).status_code == 404


def test_the_org_form_no_longer_has_the_ticks(world, as_user):
    html = as_user(world.county_admin).get(reverse("orgs:edit", args=[world.county_trade.pk]))
    assert "has_elected_chair" not in html.content.decode()


# Query counts --------------------------------------------------------------------------------


def _queries(client, url):
    client.get(url)  # warm: session, content types
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response


def _more_unions(world, n, **fields):
    """`n` enterprise unions under the county, the i-th meeting i % 4 of the 六有."""
    start = Organization.objects.count()
    for i in range(start, start + n):
        org = OrganizationFactory(
            parent=world.county,
            name=f"新建企业工会{i}",
            kind=OrgKind.ENTERPRISE,
            division_code="410481",
            **fields,
        )
        for code in SIX_HAVE_CODES[: i % 4]:
            StandardItem.objects.create(union=org, item=code, met=True, checked_on=DAY)


def test_the_org_list_asks_the_same_queries_for_any_number_of_unions(world, as_user):
    set_item(world)
    client = as_user(world.county_admin)
    before, response = _queries(client, reverse("orgs:list"))
    rows = {o.pk: o.six_haves_met for o in response.context["page_obj"]}
    assert rows[world.county_trade.pk] == 1
    _more_unions(world, 8)
    after, response = _queries(client, reverse("orgs:list"))
    assert after == before
    assert "3/6" in response.content.decode()


def test_the_api_list_asks_the_same_queries_for_any_number_of_unions(world, as_user):
    set_item(world)
    client = as_user(world.county_admin)
    before, response = _queries(client, "/api/v1/orgs")
    found = {r["code"]: r["six_haves_met"] for r in response.json()["items"]}
    assert found["WG-KD"] == 1
    _more_unions(world, 8)
    after, _response = _queries(client, "/api/v1/orgs")
    assert after == before


def test_the_api_children_ask_the_same_queries_for_any_number_of_unions(world, as_user):
    client = as_user(world.county_admin)
    url = f"/api/v1/orgs/{world.county.pk}/children"
    before, _response = _queries(client, url)
    _more_unions(world, 8)
    after, response = _queries(client, url)
    assert after == before
    assert sorted(r["six_haves_met"] for r in response.json())[-1] == 3


def test_the_new_unions_list_asks_the_same_queries_for_any_number_of_unions(world, as_user):
    from ruhui.campaigns.services import campaign_create

    campaign = campaign_create(
        actor=world.city_admin,
        owner=world.city,
        slug="pds-2019",
        data={
            "name": "2019年入会行动",
            "year": 2019,
            "starts_on": datetime.date(2019, 4, 1),
            "ends_on": datetime.date(2019, 12, 31),
        },
    )
    url = reverse("campaigns:new_unions", args=[campaign.slug]) + f"?unit={world.county.pk}"
    client = as_user(world.city_admin)
    _more_unions(world, 2, founded_on=DAY)
    before, response = _queries(client, url)
    assert response.context["page_obj"].paginator.count == 2
    _more_unions(world, 8, founded_on=DAY)
    after, response = _queries(client, url)
    assert after == before and response.context["page_obj"].paginator.count == 10
    assert "3/6" in response.content.decode()
