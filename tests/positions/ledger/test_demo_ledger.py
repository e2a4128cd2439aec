"""The demo's services ledger (issue 18): on `make demo`, 2019 has entries of every kind with
amounts and counts, three linked to the drive's 维护服务 projects, people served (members and
non-members), four consultations with their signed text and a few social workers — most
township and community unions have none. wg_admin records a 夏送清凉 for 快递员 from the
ledger's one-click link and sees it in the ledger; the project's close-out shows the recorded
coverage."""

from django.urls import reverse

from ruhui.accounts.models import User
from ruhui.demo import ledger as demo_ledger
from ruhui.demo.world import TEST_DEMO_MEMBERS
from ruhui.orgs.choices import OrgKind
from ruhui.orgs.models import Organization
from ruhui.positions.choices import ActivityKind
from ruhui.positions.models import (
    Consultation,
    ServiceActivity,
    ServiceRecipient,
    SocialWorker,
)
from tests.demo import module_demo

demo_world = module_demo(members=TEST_DEMO_MEMBERS)


def test_a_year_of_every_kind(demo_world, db):
    titles = [entry[2] for entry in demo_ledger.ENTRIES]
    ledger = ServiceActivity.objects.filter(title__in=titles)
    assert ledger.count() == len(demo_ledger.ENTRIES)
    assert set(ledger.values_list("kind", flat=True)) == set(ActivityKind.values)
    assert all(a.starts_on.year == 2019 for a in ledger)
    assert all(a.workers_served == sum(a.group_counts.values()) for a in ledger)
    linked = ledger.filter(project__isnull=False)
    assert linked.count() == 3
    summer = ledger.get(title="夏送清凉进快递网点")
    assert summer.union.code == "WG-KD" and summer.group_counts["02"] == 186
    assert summer.project.name == "夏送清凉进快递网点和货运站"
    people = ServiceRecipient.objects.filter(activity__in=ledger)
    assert people.filter(is_member=True).count() >= 5
    assert people.filter(is_member=False).exists()
    assert not people.filter(is_member=False).exclude(masked_name="").exists()
    assert not people.filter(is_member=True, masked_name__regex=r"^[^*]+$").exists()


def test_consultations_and_social_workers(demo_world, db):
    assert Consultation.objects.count() == 4
    assert all(c.files.count() == 1 for c in Consultation.objects.all())
    assert Consultation.objects.filter(employer__isnull=False).count() == 1
    with_worker = set(
        SocialWorker.objects.filter(ends_on__isnull=True).values_list("union_id", flat=True)
    )
    places = Organization.objects.filter(kind__in=[OrgKind.TOWNSHIP, OrgKind.COMMUNITY])
    without = places.exclude(pk__in=with_worker)
    assert without.count() >= 5  # what the 倾斜 list ranks


def _couriers(user, campaign):
    """The 快递员 line of the campaign dashboard's 服务阵地与服务 panel and of the coverage
    page over the campaign's window (the same selector)."""
    import datetime

    from ruhui.positions.coverage import coverage
    from ruhui.positions.panels import dashboard_panel

    _template, context = dashboard_panel(campaign, user.organization, user)
    panel = next(line for line in context["figures"].groups if line.key == "02")
    page = coverage(
        user=user,
        unit=user.organization,
        start=campaign.starts_on,
        end=max(campaign.ends_on, datetime.date.today()),
    )
    line = next(line for line in page.groups if line.key == "02")
    return (panel.activities, panel.served), (line.activities, line.served)


def test_wg_admin_records_summer_for_couriers(demo_world, db, client):
    from ruhui.campaigns.models import Campaign

    wg_admin = User.objects.select_related("organization").get(username="wg_admin")
    campaign = Campaign.objects.get(slug="pds-2019")
    before = _couriers(wg_admin, campaign)
    client.force_login(wg_admin)
    listing = client.get(reverse("positions:activities")).content.decode()
    assert "夏送清凉进快递网点" in listing and "?kind=summer&amp;group=02" in listing
    form = client.get(reverse("positions:activity_create") + "?kind=summer&group=02")
    assert form.status_code == 200
    courier_union = Organization.objects.get(code="WG-KD")
    response = client.post(
        reverse("positions:activity_create") + "?kind=summer&group=02",
        {
            "kind": "summer",
            "union": str(courier_union.pk),
            "starts_on": "2019-08-05",
            "amount": "1800",
            "g02": "64",
        },
    )
    created = ServiceActivity.objects.latest("pk")
    assert response.status_code == 302
    assert (created.kind, created.group_counts, created.union) == (
        "summer",
        {"02": 64},
        courier_union,
    )
    assert created.created_by == wg_admin
    listing = client.get(reverse("positions:activities") + "?group=02&kind=summer").content.decode()
    assert reverse("positions:activity", args=[created.pk]) in listing
    # It shows in coverage and on the campaign dashboard's panel: one more service, 64 more
    # couriers served.
    after = _couriers(wg_admin, campaign)
    assert after == tuple((a + 1, s + 64) for a, s in before)
    dashboard = client.get(reverse("campaigns:dashboard", args=[campaign.slug]))
    assert dashboard.status_code == 200 and "服务阵地与服务" in dashboard.content.decode()


def test_closeout_shows_recorded_coverage(demo_world, db, client):
    summer = ServiceActivity.objects.get(title="夏送清凉进快递网点")
    client.force_login(User.objects.get(username="wg_admin"))
    page = client.get(reverse("projects:project", args=[summer.project_id])).content.decode()
    assert f"服务台账记录覆盖职工 {summer.workers_served} 人（计划 600 人）" in page
