"""The jurisdiction walk: every URL pattern of the project, requested by users of other units.

For each pattern, each unit (county A, sibling county B, industry union) lends sample objects
for the URL's parameters, and the users of the *other* units request it (GET and POST). An object
URL must answer 404 (or 403/405) to them, and no page may show them the owner's marker strings.
The owner itself must reach the object (so a broken sample cannot make the walk pass). A
parameter the walk has no sample for is a violation too: a new page must be added here.
"""

import json
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

from ruhui.accounts.services import token_create
from ruhui.campaigns.services import campaign_create
from ruhui.cases.services import case_publish
from ruhui.enterprises.services import park_create
from ruhui.jobs.models import Job, JobStatus
from ruhui.joining.services import application_submit, join_link_for
from ruhui.members.services import transfer_issue
from tests.enterprises.factories import make_enterprise, survey
from tests.factories import UserFactory
from tests.members.factories import join, make_id_number, make_phone

#: Patterns that are public by design (no login, no personal or organizational data).
PUBLIC = {
    "login",
    "logout",
    "web:healthz",
    "api:openapi-json",
    "api:openapi-view",
    "join:form",
    "join:transfer",
    "join:verify",
    "cases_public:list",
    "cases_public:detail",
    "cases_public:photo",
    "stations:list",
}
#: Public pages reached by a union's join link: they name that union (it is on the poster),
#: and nothing else of it.
PUBLIC_UNION_PAGES = {"join:form", "join:transfer"}
#: Routes whose parameter names no object (the same download for every cadre, e.g. a template
#: kind): outsiders may get them too, but must still see none of the owner's markers.
NOT_OBJECTS = {"enterprise_import:template"}
#: Namespaces walked elsewhere: Django admin is superuser-only (tests/accounts/test_admin.py).
SKIP_NAMESPACES = {"admin"}

PARAM_RE = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass
class Route:
    name: str
    route: str
    params: list[str]

    def url(self, values: dict) -> str:
        return "/" + PARAM_RE.sub(lambda m: str(values[m.group("name")]), self.route)


def iter_routes(urlconf=None):
    """Every URL pattern as a Route (qualified name, route string), recursing into includes."""
    for p in get_resolver(urlconf).url_patterns:
        yield from _walk(p, "", None)


def _walk(p, prefix, namespace):
    if isinstance(p, URLResolver):
        ns = p.namespace or namespace
        if ns in SKIP_NAMESPACES:
            return
        for child in p.url_patterns:
            yield from _walk(child, prefix + str(p.pattern), ns)
    elif isinstance(p, URLPattern):
        route = prefix + str(p.pattern)
        name = f"{namespace}:{p.name}" if namespace and p.name else (p.name or route)
        yield Route(
            name=name,
            route=route.lstrip("^").rstrip("$"),
            params=[m.group("name") for m in PARAM_RE.finditer(route)],
        )


@dataclass
class Unit:
    """One unit's sample objects, users and marker strings."""

    label: str
    admin: object
    samples: dict
    markers: list[str]
    union_name: str = ""


def build_units(world) -> list[Unit]:
    units = []
    for label, child, admin in [
        ("county", world.county_trade, world.county_admin),
        ("sibling", world.sibling_trade, world.sibling_admin),
        ("industry", world.industry_trade, world.industry_admin),
    ]:
        token, _raw = token_create(actor=admin, name=f"{label}-walk-token")
        clerk = UserFactory(
            username=f"{label}_walk_clerk", full_name=f"{child.name}录入员", organization=child
        )
        member = join(admin, child, name=f"{label}样本会员")
        leaving = join(admin, child, name=f"{label}转出会员")
        transfer = transfer_issue(actor=admin, member=leaving)
        import_job, _export_job = _sample_jobs(label, child, admin)
        application = _sample_application(label, child)
        park, enterprise = _sample_enterprise(label, child, admin)
        enterprise_run = _sample_enterprise_run(label, child, admin)
        campaign = _sample_campaign(label, admin)
        project, attachment, subsidy = _sample_project(label, child, campaign)
        case, public_case = _sample_cases(label, child, admin, world)
        report, report_attachment = _sample_report(label, child, campaign)
        self_file = _sample_self_assessment(label, child, campaign)
        bulletin = _sample_bulletin(label, admin, campaign)
        evidence = _sample_evidence(label, child, admin)
        ledger = _sample_ledger(label, child, admin)
        position = _sample_position(label, child, admin)
        units.append(
            Unit(
                label=label,
                admin=admin,
                samples={
                    "org_pk": child.pk,
                    "org_id": child.pk,
                    "user_pk": clerk.pk,
                    "token_pk": token.pk,
                    "member_pk": member.pk,
                    "member_id": member.pk,
                    "transfer_pk": transfer.pk,
                    "job_pk": import_job.pk,
                    "application_pk": application.pk,
                    "application_id": application.pk,
                    "token": join_link_for(child).token,
                    "enterprise_pk": enterprise.pk,
                    "enterprise_id": enterprise.pk,
                    "park_pk": park.pk,
                    "kind": "enterprise",
                    "campaign_slug": campaign.slug,
                    "slug": campaign.slug,
                    "unit_pk": child.pk,
                    "project_pk": project.pk,
                    "attachment_pk": attachment.pk,
                    "plan_id": project.plan_id,
                    "project_id": project.pk,
                    "subsidy_id": subsidy.pk,
                    "case_pk": case.pk,
                    "case_id": case.pk,
                    "case_slug": public_case.slug,
                    "photo_pk": public_case.photos.get().pk,
                    "month": report.month,
                    "report_id": report.pk,
                    "report_pk": report.pk,
                    "report_attachment_pk": report_attachment.pk,
                    "file_pk": self_file.pk,
                    "bulletin_pk": bulletin.pk,
                    "bulletin_id": bulletin.pk,
                    "assessment_id": _sample_assessment(admin, child, campaign).pk,
                    "file_kind": "pdf",
                    "evidence_pk": evidence.pk,
                    **ledger["samples"],
                    "position_pk": position.pk,
                    "position_photo_pk": position.photos.get().pk,
                },
                # Names, not short codes: a code like "WG-KD" also appears in help-text examples.
                markers=[
                    child.name,
                    clerk.username,
                    clerk.full_name,
                    f"{label}-walk-token",
                    member.name,
                    leaving.name,
                    member.member_number,
                    transfer.code,
                    import_job.original_name,
                    application.name,
                    enterprise.name,
                    park.name,
                    enterprise_run.original_name,
                    campaign.name,
                    project.name,
                    attachment.original_name,
                    case.title,
                    report_attachment.original_name,
                    self_file.original_name,
                    bulletin.title,
                    evidence.original_name,
                    *ledger["markers"],
                    position.name,
                ],
                union_name=child.name,
            )
        )
    return units


def _sample_position(label, unit, admin):
    """A planned service position of the unit (not on the public page), with a photo."""
    from ruhui.positions.services import position_add_photos, position_create
    from tests.cases.factories import png_upload

    division = "410402" if unit.division_code.endswith("00") else unit.division_code
    position = position_create(
        actor=admin,
        data={
            "kind": "station",
            "name": f"{label}样本服务站点",
            "running_union": unit,
            "division_code": division,
            "address": f"{label}样本地址",
            "status": "planned",
        },
    )
    position_add_photos(actor=admin, position=position, uploads=[png_upload()])
    return position


def _sample_ledger(label, unit, admin):
    """The services ledger's objects of the unit: an entry with one person served (a member),
    a consultation with its signed text, a social worker."""
    import datetime

    from django.core.files.uploadedfile import SimpleUploadedFile

    from ruhui.positions import ledger_registers, ledger_services

    activity = ledger_services.activity_create(
        actor=admin,
        data={
            "kind": "summer",
            "title": f"{label}样本夏送清凉",
            "union": unit,
            "starts_on": datetime.date(2019, 7, 15),
            "group_counts": {"02": 3},
        },
    )
    number = make_id_number()
    join(admin, unit, name=f"{label}服务对象", id_number=number)
    recipient = ledger_services.recipient_add(actor=admin, activity=activity, id_number=number)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    upload = SimpleUploadedFile(f"{label}样本集体合同.pdf", pdf, content_type="application/pdf")
    consultation = ledger_registers.consultation_create(
        actor=admin,
        data={
            "level": "industry",
            "union": unit,
            "employer_association": f"{label}样本行业协会",
            "topics": ["wage"],
            "held_on": datetime.date(2019, 5, 10),
        },
        files=[upload],
    )
    worker = ledger_registers.social_worker_create(
        actor=admin,
        data={"name": f"{label}样本社工", "union": unit, "starts_on": datetime.date(2019, 3, 1)},
    )
    return {
        "samples": {
            "activity_pk": activity.pk,
            "recipient_pk": recipient.pk,
            "consultation_pk": consultation.pk,
            "consultation_file_pk": consultation.files.get().pk,
            "worker_pk": worker.pk,
        },
        "markers": [
            activity.title,
            consultation.employer_association,
            f"{label}样本集体合同.pdf",
            worker.name,
        ],
    }


def _sample_campaign(label, admin):
    """A campaign run by the unit's own (county-level) organization."""
    import datetime

    return campaign_create(
        actor=admin,
        owner=admin.organization,
        slug=f"{label}-walk",
        data={
            "name": f"{label}样本集中行动",
            "year": 2019,
            "starts_on": datetime.date(2019, 4, 1),
            "ends_on": datetime.date(2019, 12, 31),
            "goal_new_members": 10,
        },
    )


def _sample_project(label, unit, campaign):
    """A plan of the unit's trade union in the unit's campaign, with one 建会入会 project, its
    实施方案 attached (a small PDF) and a subsidy application."""
    import datetime

    from django.core.files.uploadedfile import SimpleUploadedFile

    from ruhui.projects.services import plan_attach, plan_open, project_save, subsidy_apply

    cadre = UserFactory(username=f"{label}_walk_planner", organization=unit)
    plan = plan_open(actor=cadre, campaign=campaign, unit=unit)
    project = project_save(
        actor=cadre,
        plan=plan,
        data={
            "kind": "build",
            "build_type": "enterprise",
            "name": f"{label}样本拟建工会项目",
            "division_code": "410402" if unit.division_code.endswith("00") else unit.division_code,
            "planned_members": 20,
            "responsible_unit": unit,
            "due_on": datetime.date(2019, 9, 30),
        },
    )
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    upload = SimpleUploadedFile(f"{label}样本实施方案.pdf", pdf, content_type="application/pdf")
    attachment = plan_attach(actor=cadre, plan=plan, upload=upload)
    subsidy = subsidy_apply(
        actor=cadre, project=project, amount="3000", purpose=f"{label}样本建会经费"
    )
    return project, attachment, subsidy


def _sample_report(label, unit, campaign):
    """The June 月报 of the unit (a child of the campaign's owner, so a reporting unit), with a
    small PDF attached."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ruhui.reports.services import report_open, report_save

    cadre = UserFactory(username=f"{label}_walk_reporter", organization=unit)
    report = report_open(actor=cadre, campaign=campaign, unit=unit, month="2019-06")
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    upload = SimpleUploadedFile(f"{label}样本月报附件.pdf", pdf, content_type="application/pdf")
    report_save(actor=cadre, report=report, data={"progress": "样本"}, uploads=[upload])
    return report, report.attachments.get()


def _sample_evidence(label, union, admin):
    """The union's 有依法选举的工会主席 item, met, with a small PDF as its evidence."""
    import datetime

    from django.core.files.uploadedfile import SimpleUploadedFile

    from ruhui.orgs.services import standard_set

    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    upload = SimpleUploadedFile(f"{label}样本选举批复.pdf", pdf, content_type="application/pdf")
    item = standard_set(
        actor=admin,
        union=union,
        item="has_elected_chair",
        met=True,
        checked_on=datetime.date(2019, 6, 1),
        uploads=[upload],
    )
    return item.evidence.get()


def _sample_bulletin(label, admin, campaign):
    """A rendered draft 通报 of the unit's campaign as of 2019-07-31 (its files exist)."""
    import datetime

    from ruhui.reports.bulletin_services import bulletin_build, bulletin_create

    bulletin = bulletin_create(
        actor=admin,
        campaign=campaign,
        cut_off=datetime.date(2019, 7, 31),
        data={"title": f"{label}样本通报", "number": "平工组〔2019〕12号"},
    )
    bulletin_build(bulletin.pk)
    return bulletin


def _sample_assessment(admin, unit, campaign):
    """The unit's 考核评比 row in the campaign, computed by the campaign owner's admin."""
    from ruhui.assessment.services import assessment_compute, default_weights, scheme_save

    scheme_save(actor=admin, campaign=campaign, weights=default_weights(campaign))
    rows = assessment_compute(actor=admin, campaign=campaign)
    return next(row for row in rows if row.unit_id == unit.pk)


def _sample_self_assessment(label, unit, campaign):
    """The unit's 考核评比 self-assessment in the campaign, with a small PDF attached."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ruhui.assessment.services import self_assessment_submit

    cadre = UserFactory(username=f"{label}_walk_assessor", organization=unit)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    upload = SimpleUploadedFile(f"{label}样本自评附件.pdf", pdf, content_type="application/pdf")
    item = self_assessment_submit(
        actor=cadre, campaign=campaign, unit=unit, text="样本自评", uploads=[upload]
    )
    return item.files.get()


def _sample_cases(label, unit, admin, world):
    """An unpublished 典型经验 of the unit's trade union (its title a marker), and one of the
    unit itself published by the city with a photo: public, so it names neither the trade union
    nor the campaign (the /cases/ pages show it to everyone)."""
    from tests.cases.factories import png_upload, submit

    cadre = UserFactory(username=f"{label}_walk_writer", organization=unit)
    case = submit(cadre, title=f"{label}样本未发布经验")
    public_case = submit(admin, title=f"{label}公开经验", photos=[png_upload()])
    public_case = case_publish(actor=world.city_admin, case=public_case)
    return case, public_case


def _sample_application(label, union):
    """A pending online join application to the unit's union."""
    data = {
        "name": f"{label}入会申请人",
        "id_number": make_id_number(),
        "phone": make_phone(),
        "group": "02",
    }
    return application_submit(link=join_link_for(union), data=data, consent=True)


def _sample_enterprise(label, unit, admin):
    """A park and an enterprise in it, surveyed, for which the unit is responsible."""
    division = "410402" if unit.division_code.endswith("00") else unit.division_code
    park = park_create(
        actor=admin,
        responsible_unit=unit,
        data={"name": f"{label}样本园区", "kind": "industrial", "division_code": division},
    )
    enterprise = make_enterprise(
        admin,
        unit,
        name=f"{label}样本企业有限公司",
        division_code=division,
        township=f"{label}样本街道",
        park=park,
    )
    survey(admin, enterprise, "2026-01-05", employees_total=30, migrant_workers=10)
    return park, enterprise


def _sample_enterprise_run(label, unit, admin):
    """A finished enterprise-list check (with its result file) into the unit."""
    report = Path(settings.RUHUI_JOB_FILES) / f"walk-{label}-enterprise-report.xlsx"
    report.write_bytes(b"report")
    return Job.objects.create(
        kind="enterprise_import",
        organization=unit,
        created_by=admin,
        dry_run=True,
        original_name=f"{label}样本企业名单.xlsx",
        file_kind="xlsx",
        status=JobStatus.SUCCEEDED,
        summary={"rows": 1, "created": 1, "updated": 0, "rejected": 0},
        result_path=str(report),
    )


def _sample_jobs(label, union, admin):
    """A finished import check (with its result file) and export (with its file) for a unit."""
    folder = Path(settings.RUHUI_JOB_FILES)
    folder.mkdir(parents=True, exist_ok=True)
    report = folder / f"walk-{label}-report.xlsx"
    report.write_bytes(b"report")
    exported = folder / f"walk-{label}-export.csv"
    exported.write_bytes(b"export")
    import_job = Job.objects.create(
        kind="member_import",
        organization=union,
        created_by=admin,
        dry_run=True,
        original_name=f"{label}样本花名册.xlsx",
        upload_path=str(report),
        file_kind="xlsx",
        status=JobStatus.SUCCEEDED,
        result_path=str(report),
        summary={"rows": 1, "created": 1, "updated": 0, "rejected": 0},
    )
    export_job = Job.objects.create(
        kind="member_export",
        organization=union,
        created_by=admin,
        options={"fmt": "csv", "full": False, "reason": "", "filters": {}},
        status=JobStatus.SUCCEEDED,
        rows=1,
        result_path=str(exported),
    )
    return import_job, export_job


def _body(response) -> str:
    if getattr(response, "streaming", False):
        data = b"".join(response.streaming_content)
    else:
        data = response.content
    return data.decode("utf-8", "replace")


def walk(client, world, urlconf=None, stats=None) -> list[str]:
    """Request every route as every outsider; return the violations found (empty = scoped).

    `stats`, when given, receives the routes walked and the requests made."""
    violations = []
    units = build_units(world)
    routes = requests = 0
    for route in iter_routes(urlconf):
        routes += 1
        missing = [p for p in route.params if p not in units[0].samples]
        if missing:
            violations.append(f"{route.name}: the walk has no sample for {missing}; add one")
            continue
        for owner in units:
            url = route.url(owner.samples)
            if route.params and route.name not in PUBLIC:
                client.force_login(owner.admin)
                response = client.get(url)
                requests += 1
                _body(response)  # close file responses
                status = response.status_code
                if "no-store" not in response.get("Cache-Control", ""):
                    violations.append(f"{route.name}: no Cache-Control no-store at {url}")
                if status == 404:
                    violations.append(f"{route.name}: owner {owner.label} gets 404 at {url}")
            for outsider in units:
                if outsider is owner:
                    continue
                for method in ("get", "post"):
                    client.force_login(outsider.admin)
                    response = getattr(client, method)(url)
                    requests += 1
                    body = _body(response)
                    if "no-store" not in response.get("Cache-Control", ""):
                        violations.append(
                            f"{route.name}: no Cache-Control no-store for a signed-in user "
                            f"via {method.upper()} {url}"
                        )
                    # JSON bodies may escape non-ASCII text (\uXXXX): look for both forms.
                    markers = [
                        m
                        for m in owner.markers
                        if not (route.name in PUBLIC_UNION_PAGES and m == owner.union_name)
                    ]
                    leaked = [m for m in markers if m in body or json.dumps(m)[1:-1] in body]
                    if leaked:
                        violations.append(
                            f"{route.name}: {outsider.label} sees {owner.label}'s "
                            f"{leaked} via {method.upper()} {url}"
                        )
                    if (
                        route.params
                        and route.name not in PUBLIC
                        and route.name not in NOT_OBJECTS
                        and response.status_code not in (403, 404, 405)
                    ):
                        violations.append(
                            f"{route.name}: {outsider.label} gets "
                            f"{response.status_code} for {owner.label}'s object "
                            f"via {method.upper()} {url}"
                        )
    if stats is not None:
        stats.update(routes=routes, requests=requests, units=len(units))
    return violations
