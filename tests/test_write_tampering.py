"""Write tampering (issue 19 item 5): every form and API write, posted with forged values by the
county admin on the county's own objects, is refused or ignores them; see tests/tampering.py."""

import pytest
from django.db.models import Q
from django.shortcuts import redirect
from django.test import override_settings
from django.urls import include, path

from ruhui.accounts.models import Role, User
from ruhui.accounts.services import token_create
from ruhui.orgs.models import Organization
from tests import tampering
from tests.figures_report import note
from tests.members.factories import join, make_id_number, make_phone
from tests.walk import PARAM_RE, build_units, iter_routes

#: Writes with no tampering case, and why.
ALLOWED = {
    "login": "Django's login form: a username and password, nothing else is read",
    "logout": "ends the caller's own session; reads no field",
}


def form(actor=None, **base):
    """The default case: the forms the county admin is shown for this URL (from the crawl), with
    `base` values filled in (for create forms, whose empty form would be refused anyway);
    `actor`: the username of the unit's own cadre (tests/walk.py) whose page it is instead."""
    return {"kind": "form", "base": base, "actor": actor}


def public(**base):
    """A public (anonymous) form, e.g. the join form reached by a union's link."""
    return {"kind": "form", "base": base, "anonymous": True}


def api(body=None, forged=None):
    """A JSON write: `body` (or a function of the world building it) is the owner's valid body;
    `forged` maps a field to a function giving (label, foreign value) pairs."""
    return {"kind": "api", "body": body or {}, "forged": forged or {}}


def _org(attr):
    return lambda w, u: str(getattr(w, attr).pk)


def _new_id(w, u):
    return make_id_number()


def _new_phone(w, u):
    return make_phone()


def _json_member(w, u):
    return {
        "union": "WG-KD",
        "name": "篡改测试会员",
        "id_number": make_id_number(),
        "phone": make_phone(),
        "group": "02",
        "joined_on": "2019-06-01",
    }


def _transfer_code(w, u):
    from ruhui.members.models import Transfer

    return Transfer.objects.get(pk=u[0].samples["transfer_pk"]).code


def _foreign_codes(w, u):
    return [("sibling union", "BF-KD"), ("sibling county", "BF"), ("industry union", "GJ-HY")]


def _foreign_parks(w, u):
    return [("sibling park", u[1].samples["park_pk"]), ("industry park", u[2].samples["park_pk"])]


#: Every write URL name → its case builder: `form(**base)` posts the owner's form (crawled from
#: the pages) with `base` filled in — create forms need it, and edit forms change one harmless
#: field so that the unforged control post is seen to save; `public()` the same, anonymously;
#: `api(body, forged)` a JSON body with `forged` fields' foreign values.
REGISTRY = {
    "accounts:password_change": form(),
    "accounts:session_revoke": form(),
    "accounts:token_revoke": form(),
    "accounts:tokens": form(name="篡改测试令牌"),
    "accounts:twofactor": form(),
    "accounts:user_create": form(
        username="tamper_new",
        full_name="篡改测试用户",
        organization=_org("county_trade"),
        role="clerk",
    ),
    "accounts:user_edit": form(full_name="篡改测试改名"),
    "accounts:user_reset_password": form(),
    "accounts:user_sessions_revoke": form(),
    "accounts:user_token_revoke": form(),
    "accounts:user_twofactor_reset": form(),
    "accounts:user_unlock": form(),
    "api:approve_application": api(),
    "api:create_enterprise": api(
        {"responsible_unit": "WG-KD", "name": "篡改测试企业有限公司", "division_code": "410481"},
        forged={"responsible_unit": _foreign_codes, "park": _foreign_parks},
    ),
    "api:create_member": api(_json_member, forged={"union": _foreign_codes}),
    "api:create_survey": api({"surveyed_on": "2026-05-01", "employees_total": 40}),
    "api:reject_application": api({"reason": "篡改测试"}),
    "assessment:ranking": form(),
    "assessment:scheme": form(),
    "assessment:unit": form(),
    "campaigns:create": form(
        name="篡改测试行动",
        year="2019",
        starts_on="2019-04-01",
        ends_on="2019-12-31",
        goal_new_members="5",
        slug="tamper-test",
    ),
    "campaigns:edit": form(),
    "campaigns:export": form(),
    "campaigns:refresh": form(),
    "campaigns:targets": form(),
    "campaigns:targets_import": form(),
    "cases:case": form(),
    "cases:from_report": form(),
    "cases:submit": form(title="篡改测试经验", text="篡改测试正文"),
    "enterprise_import:upload": form(),
    "enterprise_import:worklist_export": form(),
    "enterprises:build": form(),
    "enterprises:create": form(
        name="篡改测试企业有限公司",
        responsible_unit=_org("county_trade"),
        division_code="410481",
    ),
    "enterprises:edit": form(),
    "enterprises:park_create": form(
        name="篡改测试园区",
        kind="industrial",
        division_code="410481",
        responsible_unit=_org("county_trade"),
    ),
    "enterprises:park_edit": form(),
    "enterprises:survey": form(),
    "importing:export": form(),
    "importing:upload": form(),
    "jobs:confirm": form(),
    "jobs:decide": form(),
    "jobs:failed": form(do="delete"),
    "join:card": public(),
    "join:form": public(),
    "join:status": public(),
    "join:status_card": public(),
    "join:transfer": public(),
    "join:withdraw": public(),
    "joining:approve": form(),
    "joining:regenerate": form(),
    "joining:reject": form(reason="篡改测试"),
    "members:create": form(
        union=_org("county_trade"),
        name="篡改测试会员",
        id_number=_new_id,
        phone=_new_phone,
        group="02",
    ),
    "members:dues_import": form(),
    "members:dues_record": form(),
    "members:edit": form(),
    "members:expel": form(),
    "members:find": form(),
    "members:retain": form(),
    "members:reveal": form(),
    "members:transfer_accept": form(code=_transfer_code, union=_org("county_enterprise")),
    "members:transfer_cancel": form(),
    "members:transfer_issue": form(),
    "members:transfer_reject": form(),
    "members:withdraw": form(),
    "orgs:create": form(
        parent=_org("county"),
        name="篡改测试工会",
        code="WG-TAMPER",
        kind="enterprise",
        division_code="410481",
    ),
    "orgs:deactivate": form(),
    "orgs:edit": form(),
    "orgs:move": form(new_parent=_org("county_enterprise")),
    "orgs:reactivate": form(),
    "orgs:standards": form(),
    "positions:activity": form(),
    "positions:activity_create": form(
        kind="summer", title="篡改测试活动", union=_org("county_trade")
    ),
    "positions:activity_edit": form(),
    "positions:consultation_create": form(
        level="industry",
        union=_org("county_trade"),
        employer_association="篡改测试协会",
        topics="wage",
    ),
    "positions:consultation_edit": form(),
    "positions:create": form(
        name="篡改测试站点", kind="station", status="planned", address="篡改测试地址"
    ),
    "positions:detail": form(),
    "positions:edit": form(name="篡改测试改名站点"),
    "positions:import": form(),
    "positions:recipient_import": form(),
    "positions:recipient_remove": form(),
    "positions:social_worker_create": form(name="篡改测试社工", union=_org("county_trade")),
    "positions:social_worker_edit": form(name="篡改测试改名社工"),
    "positions:social_worker_end": form(),
    "projects:consolidated": form(),
    "projects:plan": form(
        actor="county_walk_planner",
        **{
            "task-task": "篡改测试任务",
            "task-owner": "篡改测试责任人",
            "task-due_on": "2019-09-30",
            "project-kind": "build",
            "project-build_type": "enterprise",
            "project-name": "篡改测试拟建工会",
            "project-planned_members": "5",
            "project-division_code": "410481",
            "project-due_on": "2019-09-30",
        },
    ),
    "projects:plan_import": form(actor="county_walk_planner"),
    "projects:project": form(
        decision="recommend", recommended_amount="2000", opinion="篡改测试：同意", on="2019-08-01"
    ),
    "reports:bulletin": form(),
    "reports:bulletin_new": form(),
    "reports:report": form(actor="county_walk_reporter"),
    "reports:schedule": form(),
    "reports:year_end": form(actor="county_walk_reporter"),
}

#: Writes with forgeable fields whose unforged post saves nothing here, and why (their forged
#: posts are still required to be refused with nothing changed).
NO_CONTROL = {
    "campaigns:refresh": "recomputes cached figures: with nothing new, no row changes",
    "enterprise_import:upload": "needs a workbook; the forged unit is checked before the file",
    "importing:upload": "needs a workbook; the forged union is checked before the file",
    "members:dues_import": "needs a workbook; the forged union is checked before the file",
}


def _routes():
    return {r.name: r for r in iter_routes()}


def test_every_write_endpoint_has_a_case():
    writes = tampering.write_endpoints()
    missing = sorted(writes - REGISTRY.keys() - ALLOWED.keys())
    assert not missing, (
        f"写入端点没有篡改用例（请在 tests/test_write_tampering.py 的 REGISTRY 中登记）/ "
        f"write endpoints without a tampering case: {missing}"
    )
    stale = sorted((REGISTRY.keys() | ALLOWED.keys()) - writes)
    assert not stale, f"REGISTRY/ALLOWED entries that are no longer writes: {stale}"


def _crawl(client, units, routes):
    """Every page the county admin (and an anonymous visitor) can GET → its POST forms by
    action path."""
    owner = units[0]
    index = {}
    for anonymous in (False, True):
        if anonymous:
            client.logout()
        else:
            client.force_login(owner.admin)
        for route in routes.values():
            if route.name.startswith("api:") or any(p not in owner.samples for p in route.params):
                continue
            if anonymous != route.name.startswith("join:"):
                continue
            url = route.url(owner.samples)
            response = client.get(url)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                if getattr(response, "streaming", False):
                    b"".join(response.streaming_content)
                continue
            for action, found in tampering.forms_on(
                response.content.decode("utf-8", "replace"), url
            ).items():
                index.setdefault((anonymous, action), found)
    return index


def _page(client, url) -> str:
    response = client.get(url)
    if response.status_code != 200 or getattr(response, "streaming", False):
        return ""
    return response.content.decode("utf-8", "replace")


def _forgeries(fields, selects, world, units):
    """(label, field, value) of the field forgeries a form allows."""
    _owner, sibling, industry = units
    out = []
    for fname in sorted(set(fields) | set(selects)):
        if "__prefix__" in fname:  # a formset's empty template, not posted by a browser
            continue
        stem = fname.split("-")[-1]
        if stem in tampering.ORG_FIELDS:
            for label, value in [
                ("sibling union", sibling.samples["org_pk"]),
                ("sibling county", world.sibling.pk),
                ("industry union", industry.samples["org_pk"]),
                ("city above the actor", world.city.pk),
            ]:
                out.append((label, fname, str(value)))
        elif stem in tampering.OBJECT_FIELDS:
            key = tampering.OBJECT_FIELDS[stem]
            out.append((f"sibling {stem}", fname, str(sibling.samples[key])))
            out.append((f"industry {stem}", fname, str(industry.samples[key])))
        elif stem == "role":
            offered = set(selects.get(fname, []))
            for value in [*Role.values, "superuser"]:
                if value not in offered:
                    out.append((f"role {value} not offered", fname, value))
        elif stem == "status" and fname in selects:
            out.append(("status not offered", fname, tampering.FORGED_STATUS))
        elif stem in tampering.AMOUNT_FIELDS:
            for value in tampering.FORGED_AMOUNTS:
                out.append((f"amount {value}", fname, value))
    return out


def _extras(fields, world, units):
    _owner, sibling, industry = units
    extras = {
        "id": sibling.samples["member_pk"],
        "pk": sibling.samples["org_pk"],
        "created_by": world.sibling_admin.pk,
        "approved_by": world.sibling_admin.pk,
        "decided_by": world.sibling_admin.pk,
        "status": tampering.FORGED_STATUS,
        "organization": sibling.samples["org_pk"],
        "union": sibling.samples["org_pk"],
        "unit": industry.samples["org_pk"],
        "responsible_unit": sibling.samples["org_pk"],
        "parent": world.sibling.pk,
        "amount": str(tampering.FORGED_AMOUNT),
        "is_superuser": "on",
        "is_staff": "on",
    }
    return {k: v for k, v in extras.items() if k not in fields}


def _api_cases(name, world, units, headers):
    owner, _sibling, _industry = units
    _method, path = tampering.api_writes()[name]
    url = "/api/v1" + PARAM_RE.sub(
        lambda m: str(owner.samples[m.group("name")]), path.replace("{", "<").replace("}", ">")
    )
    body = _resolve(REGISTRY[name]["body"], world, units)
    forged = REGISTRY[name].get("forged", {})
    posts = [
        tampering.Post(
            name,
            f"{field} = {label}",
            url,
            body | {field: value},
            True,
            world.county_admin,
            json=True,
            headers=headers,
        )
        for field, values in forged.items()
        for label, value in values(world, units)
    ]
    extras = _extras(body, world, units)
    posts.append(
        tampering.Post(
            name,
            "extra fields",
            url,
            body | extras,
            False,
            world.county_admin,
            json=True,
            headers=headers,
        )
    )
    return posts, (
        tampering.Post(
            name, "control", url, body, False, world.county_admin, json=True, headers=headers
        )
        if forged
        else None
    )


def _resolve(value, world, units):
    return value(world, units) if callable(value) else value


def _form_cases(name, url, found, world, units, actor):
    entry = REGISTRY[name]
    fields = dict(found["fields"]) if found else {}
    selects = found["selects"] if found else {}
    base = fields | {k: _resolve(v, world, units) for k, v in entry["base"].items()}
    posts = [
        tampering.Post(name, f"{field} = {label}", url, base | {field: value}, True, actor)
        # Only the form's own fields are forged (a value another form of the page reads is
        # ignored by this one's action, rightly).
        for label, field, value in _forgeries(fields or base, selects, world, units)
    ]
    posts.append(
        tampering.Post(name, "extra fields", url, base | _extras(base, world, units), False, actor)
    )
    control = tampering.Post(name, "control", url, base, False, actor) if len(posts) > 1 else None
    return posts, control


@pytest.mark.django_db
def test_forged_writes_are_refused(client, world):
    units = build_units(world)
    routes = _routes()
    index = _crawl(client, units, routes)
    owner = units[0]
    _token, raw = token_create(actor=world.county_admin, name="篡改测试")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    fk_targets = tampering._fk_targets()
    foreign_orgs = {
        o.pk
        for o in Organization.objects.filter(
            Q(path__startswith=world.sibling.path) | Q(path__startswith=world.industry.path)
        )
    } | {world.city.pk, world.province.pk}
    foreign_users = set(
        User.objects.filter(organization__in=foreign_orgs).values_list("pk", flat=True)
    )
    foreign = tampering.Foreign(orgs=foreign_orgs, users=foreign_users)
    foreign.collect_rows(tampering.snapshot(), fk_targets)
    problems, endpoints, forged, controls, no_control, weak = [], 0, 0, 0, [], []
    for name in sorted(tampering.write_endpoints() - ALLOWED.keys()):
        endpoints += 1
        if name.startswith("api:"):
            cases = [_api_cases(name, world, units, headers)]
        else:
            url = routes[name].url(owner.samples)
            entry = REGISTRY[name]
            actor = None if entry.get("anonymous") else world.county_admin
            if entry.get("actor"):  # the unit's own cadre: its page is fetched as that cadre
                actor = User.objects.get(username=entry["actor"])
                client.force_login(actor)
                found_forms = tampering.forms_on(_page(client, url), url).get(url)
            else:
                found_forms = index.get((entry.get("anonymous", False), url))
            cases = [
                _form_cases(name, url, found, world, units, actor)
                for found in (found_forms or [None])
            ]
        for i, (posts, control) in enumerate(cases):
            if control is not None:
                found_problems, accepted = tampering.run(client, control, foreign, fk_targets)
                problems += found_problems
                controls += 1
                if not accepted and i == 0:
                    no_control.append(f"{name} ({control.answer})")
                elif not accepted:
                    weak.append(f"{name} form {i + 1} ({control.answer[:80]})")
            for post in posts:
                forged += 1
                found_problems, _accepted = tampering.run(client, post, foreign, fk_targets)
                problems += found_problems
    note(
        "write tampering",
        f"{endpoints} endpoints, {forged} forged posts, {len(problems)} accepted"
        f" ({controls} unforged control posts, {controls - len(no_control) - len(weak)} saved)",
    )
    if weak:
        note("write tampering", f"further forms whose control post saved nothing: {weak}")
    assert not problems, "\n".join(problems)
    unexplained = sorted(n for n in no_control if n.split(" ")[0] not in NO_CONTROL)
    assert not unexplained, (
        f"这些写入端点的正常提交（未篡改）没有保存任何数据，篡改用例因此无效：请在 REGISTRY 中补全 "
        f"base 字段 / the unforged post of these writes saved nothing: {unexplained}"
    )


# --- The check catches a write that takes a forged value ------------------------------------


def leaky_write(request, member_pk):
    """Moves a member to whatever union is posted: the hole the test exists to find."""
    from ruhui.members.models import Member

    if request.method == "POST" and request.POST.get("union"):
        Member.objects.filter(pk=member_pk).update(union_id=int(request.POST["union"]))
    return redirect("/")


urlpatterns = [
    path("", include("ruhui.urls")),
    path("leaky/<int:member_pk>/", leaky_write, name="leaky_write"),
]


@override_settings(ROOT_URLCONF=__name__)
def test_a_new_write_without_a_case_is_reported():
    assert "leaky_write" in tampering.write_endpoints() - REGISTRY.keys() - ALLOWED.keys()


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_a_forged_value_that_lands_is_reported(client, world):
    member = join(world.county_admin, world.county_trade, name="篡改自检会员")
    fk_targets = tampering._fk_targets()
    foreign = tampering.Foreign(orgs={world.sibling_trade.pk}, users={world.sibling_admin.pk})
    url = f"/leaky/{member.pk}/"
    forged = {"union": str(world.sibling_trade.pk)}
    as_field = tampering.Post("leaky_write", "union", url, forged, True, world.county_admin)
    problems, accepted = tampering.run(client, as_field, foreign, fk_targets)
    assert accepted and "accepted (302)" in problems[0]
    as_extra = tampering.Post("leaky_write", "extras", url, forged, False, world.county_admin)
    problems, _accepted = tampering.run(client, as_extra, foreign, fk_targets)
    assert any("members.member.union_id set to foreign org" in p for p in problems)
    own = {"union": str(world.county_enterprise.pk)}
    harmless = tampering.Post("leaky_write", "own union", url, own, False, world.county_admin)
    assert tampering.run(client, harmless, foreign, fk_targets) == ([], True)
    member.refresh_from_db()
    assert member.union == world.county_trade  # every post was rolled back
