"""New campaign (issue 15 item 5): the number made from the organization and the year when left
empty (editable), and phases, milestones and 分工 saved together as whole tables."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ruhui.campaigns import services
from ruhui.campaigns.models import Campaign


def post_data(**changes) -> dict:
    data = {
        "name": "农民工入会集中行动（2027）",
        "year": "2027",
        "starts_on": "2027-03-01",
        "ends_on": "2027-12-31",
        "baseline_on": "2026-12-31",
        "goal_new_members": "3,000",
        "goal_growth_pct": "15",
        "migrant_only": "on",
        "slug": "",
    }
    phases = [
        ("宣传发动", "2027-03-01", "2027-04-30"),
        ("推进实施", "2027-05-01", "2027-10-31"),
        ("总结交流", "2027-11-01", "2027-12-31"),
    ]
    data |= {"phases-TOTAL_FORMS": str(len(phases)), "phases-INITIAL_FORMS": "0"}
    for n, (name, start, end) in enumerate(phases):
        data |= {
            f"phases-{n}-name": name,
            f"phases-{n}-starts_on": start,
            f"phases-{n}-ends_on": end,
        }
    milestones = [("立项审核", "2027-06-30"), ("年度总结", "2027-12-20")]
    data |= {"milestones-TOTAL_FORMS": str(len(milestones)), "milestones-INITIAL_FORMS": "0"}
    for n, (title, due) in enumerate(milestones):
        data |= {f"milestones-{n}-title": title, f"milestones-{n}-due_on": due}
    data |= {"assignments-TOTAL_FORMS": "0", "assignments-INITIAL_FORMS": "0"}
    return data | changes


def test_the_number_is_made_from_the_organization_and_the_year(world):
    assert services.suggest_slug(world.city, 2027) == "pds-2027"
    data = {
        "name": "行动",
        "year": 2027,
        "starts_on": datetime.date(2027, 1, 1),
        "ends_on": datetime.date(2027, 12, 31),
        "baseline_on": datetime.date(2026, 12, 31),
    }
    first = services.campaign_create(actor=world.city_admin, owner=world.city, data=data)
    second = services.campaign_create(actor=world.city_admin, owner=world.city, data=data)
    assert (first.slug, second.slug) == ("pds-2027", "pds-2027-2")
    county = services.campaign_create(actor=world.county_admin, owner=world.county, data=data)
    assert county.slug == f"{world.county.code.lower()}-2027"
    # A number typed by hand is kept, and a wrong one is refused in Chinese.
    own = services.campaign_create(
        actor=world.city_admin, owner=world.city, slug="pds-2027-spring", data=data
    )
    assert own.slug == "pds-2027-spring"
    with pytest.raises(ValidationError) as caught:
        services.campaign_create(
            actor=world.city_admin, owner=world.city, slug="二〇二七", data=data
        )
    assert "编号只能由" in str(caught.value)


def test_a_new_campaign_saves_all_its_rows_at_once_without_a_number(world, as_user):
    client = as_user(world.city_admin)
    page = client.get(reverse("campaigns:create")).content.decode()
    assert "编号（可不填）" in page and 'placeholder="pds-' in page
    assert "data-formset-add" in page and "<template data-formset-empty>" in page
    response = client.post(reverse("campaigns:create"), post_data())
    campaign = Campaign.objects.get(name="农民工入会集中行动（2027）")
    assert response.status_code == 302 and campaign.slug == "pds-2027"
    assert [p.name for p in campaign.phases.order_by("starts_on")] == [
        "宣传发动",
        "推进实施",
        "总结交流",
    ]
    assert campaign.milestones.count() == 2 and campaign.goal_new_members == 3000


def test_one_bad_row_saves_nothing(world, as_user):
    client = as_user(world.city_admin)
    bad = post_data(**{"phases-1-ends_on": "2027-04-01"})  # ends before it starts
    response = client.post(reverse("campaigns:create"), bad)
    assert response.status_code == 200
    assert not Campaign.objects.filter(name="农民工入会集中行动（2027）").exists()
    # The typed rows come back as typed, all three.
    body = response.content.decode()
    assert body.count('name="phases-2-name"') == 1 and "总结交流" in body
