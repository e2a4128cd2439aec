"""The review queue page: who sees which applications (the 待办 tab for county, city and sibling
users), the allowed / read-only / sibling triangle, filters, masking and pagination."""

import re
from types import SimpleNamespace

import pytest
from django.urls import reverse

from ruhui.joining import services
from ruhui.joining.models import Application
from ruhui.orgs.models import Organization
from ruhui.web.context import workspace
from tests.joining.test_services import form
from tests.members.factories import join, make_id_number, make_phone

QUEUE = reverse("joining:queue")


def submit(union, **overrides) -> Application:
    return services.application_submit(
        link=services.join_link_for(union), data=form(**overrides), consent=True
    )


def numbers(response) -> set[str]:
    body = response.content.decode()
    return {n for n in Application.objects.values_list("number", flat=True) if n in body}


@pytest.fixture
def queue(world):
    """A join in county A, a join in the sibling county, and a member of the sibling county who
    asked to move to county A (转出 waits at the sibling county)."""
    here = submit(world.county_trade, name="舞钢申请人")
    there = submit(world.sibling_trade, name="宝丰申请人")
    mover = join(world.sibling_admin, world.sibling_trade, name="宝丰会员")
    moving = services.transfer_request_submit(
        member=mover, to_union=world.county_trade, link=None, consent=True
    )
    return SimpleNamespace(here=here, there=there, moving=moving, mover=mover)


def test_the_open_tab_shows_what_waits_for_each_user(world, as_user, queue):
    county = as_user(world.county_admin).get(QUEUE)
    assert numbers(county) == {queue.here.number}
    sibling = as_user(world.sibling_admin).get(QUEUE)
    assert numbers(sibling) == {queue.there.number, queue.moving.number}
    city = as_user(world.city_admin).get(QUEUE)
    assert numbers(city) == {queue.here.number, queue.there.number, queue.moving.number}
    industry = as_user(world.industry_admin).get(QUEUE)
    assert numbers(industry) == set()
    assert "没有等待办理的申请" in industry.content.decode()


def test_the_transfer_moves_to_the_new_union_after_the_old_one_lets_go(world, as_user, queue):
    services.application_approve(actor=world.sibling_admin, application=queue.moving)
    assert numbers(as_user(world.county_admin).get(QUEUE)) == {
        queue.here.number,
        queue.moving.number,
    }
    assert numbers(as_user(world.sibling_admin).get(QUEUE)) == {queue.there.number}
    # Once accepted, nobody has it to do; it stays under 全部 on both sides.
    services.application_approve(actor=world.county_admin, application=queue.moving)
    assert numbers(as_user(world.county_admin).get(QUEUE)) == {queue.here.number}
    assert queue.moving.number in numbers(as_user(world.sibling_admin).get(QUEUE + "?status=all"))


def test_the_all_tab_is_scoped(world, as_user, queue):
    services.application_reject(
        actor=world.county_admin, application=queue.here, reason="请到户籍地工会申请"
    )
    county = as_user(world.county_admin).get(QUEUE + "?status=all")
    # The incoming transfer is visible to county A, though only the sibling county acts on it.
    assert numbers(county) == {queue.here.number, queue.moving.number}
    assert numbers(as_user(world.sibling_admin).get(QUEUE + "?status=all")) == {
        queue.there.number,
        queue.moving.number,
    }


def test_read_only_users_see_the_queue(world, as_user, queue):
    response = as_user(world.county_viewer).get(QUEUE)
    assert response.status_code == 200
    assert numbers(response) == {queue.here.number}
    everything = as_user(world.county_viewer).get(QUEUE + "?status=all").content.decode()
    assert "待我办理</span>" not in everything  # nothing is theirs to decide
    mine = as_user(world.county_admin).get(QUEUE + "?status=all").content.decode()
    assert mine.count("待我办理</span>") == 1  # the join; the incoming 转出 is the sibling's


def test_filters_by_status_kind_and_name(world, as_user, queue):
    client = as_user(world.city_admin)
    assert numbers(client.get(QUEUE + "?status=all&kind=transfer")) == {queue.moving.number}
    assert numbers(client.get(QUEUE + "?status=all&kind=join")) == {
        queue.here.number,
        queue.there.number,
    }
    services.application_reject(actor=world.city_admin, application=queue.there, reason="重复申请")
    assert numbers(client.get(QUEUE + "?status=rejected")) == {queue.there.number}
    assert numbers(client.get(QUEUE + "?status=all&q=舞钢申请")) == {queue.here.number}
    number = queue.here.number.lower()
    assert numbers(client.get(QUEUE + f"?status=all&q={number}")) == {queue.here.number}
    # A value the form does not know falls back to the 待办 tab instead of an error.
    response = client.get(QUEUE + "?status=bogus&kind=bogus")
    assert response.status_code == 200


def test_rows_show_masked_personal_data_and_the_deciding_union(world, as_user):
    number, phone = make_id_number(), make_phone()
    application = submit(world.county_trade, id_number=number, phone=phone)
    body = as_user(world.county_admin).get(QUEUE).content.decode()
    assert number not in body and phone not in body
    assert application.id_number_masked in body
    assert application.phone_masked in body
    assert "快递员" in body  # 八大群体 02
    assert "舞钢快递行业工会" in body
    assert "待审核" in body


def test_transfer_rows_name_both_unions(world, as_user, queue):
    body = as_user(world.city_admin).get(QUEUE).content.decode()
    assert "宝丰快递行业工会 → 舞钢快递行业工会" in re.sub(r"<[^>]+>", "", body)


def test_rows_name_unions_by_their_short_names_on_one_line(world, as_user, queue):
    """Issue 15: names no longer wrap onto two lines — a union with a 简称 is shown by it
    (the full name on hover), applicants' and unions' names never break."""
    Organization.objects.filter(pk=world.county_trade.pk).update(short_name="舞钢快递")
    body = as_user(world.city_admin).get(QUEUE).content.decode()
    short = '<span class="nowrap" title="舞钢快递行业工会">舞钢快递</span>'
    assert body.count(short) == 3  # 舞钢申请人 applied and decides; 宝丰会员 moves in
    assert '<span class="nowrap">宝丰快递行业工会</span> → ' + short in body  # no 简称: full
    assert '<td class="nowrap">舞钢申请人</td>' in body
    assert "舞钢快递行业工会</" not in body  # the full name only in the title


def test_the_queue_is_paginated(world, as_user, settings):
    settings.RUHUI_PAGE_SIZE = 2
    for _ in range(3):
        submit(world.county_trade)
    client = as_user(world.county_admin)
    first = client.get(QUEUE)
    assert len(first.context["page_obj"].object_list) == 2
    assert "共 3 条" in first.content.decode()
    second = client.get(QUEUE + "?page=2")
    assert len(second.context["page_obj"].object_list) == 1


def test_the_queue_needs_a_login(client):
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert "/login" in response["Location"] or "login" in response["Location"]


def test_the_nav_has_the_joining_entries(world, rf):
    request = rf.get(QUEUE)
    request.user = world.county_viewer
    sections = {s["label"]: s["items"] for s in workspace(request)["nav"]}
    items = {i["label"]: i for i in sections["网上入会"]}
    assert items["入会审核"]["active"] is True
    assert items["入会二维码"]["url"] == reverse("joining:links")


def test_the_queue_does_not_query_per_row(world, as_user, django_assert_max_num_queries):
    client = as_user(world.city_admin)
    submit(world.county_trade)
    client.get(QUEUE + "?status=all")  # warm up: session, permissions
    with django_assert_max_num_queries(12) as few:
        client.get(QUEUE + "?status=all")
    for union in (world.county_trade, world.sibling_trade, world.industry_trade) * 4:
        submit(union)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(QUEUE + "?status=all")
