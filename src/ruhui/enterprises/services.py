"""Every write of the enterprise survey: parks, enterprises, 五清 surveys, headcounts and 建会.

Each service takes the acting cadre and plain arguments, runs in one transaction, checks the
jurisdiction and writes the audit log. Field values go through `validation`, so a form, the
importer and the API get the same Chinese messages. The enterprise's union status, latest survey
and headcount are written here only.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ruhui.audit.services import Action, audit_record, diff, snapshot
from ruhui.core import divisions
from ruhui.core.changes import note_change
from ruhui.core.stale import check_unchanged
from ruhui.enterprises.choices import HeadcountSource, ParkKind, UnionStatus
from ruhui.enterprises.codes import normalize_name
from ruhui.enterprises.models import Enterprise, HeadcountSnapshot, Park, Survey
from ruhui.enterprises.validation import (
    ENTERPRISE_LABELS,
    clean_enterprise_fields,
    clean_survey_fields,
    parse_count,
)
from ruhui.orgs import services as org_services
from ruhui.orgs.choices import OrgKind
from ruhui.orgs.models import Organization, WorkerGroup
from ruhui.orgs.scoping import in_jurisdiction

ENTERPRISE_FIELDS = [f for f in ENTERPRISE_LABELS if f != "groups"]
AUDITED = [*ENTERPRISE_FIELDS, "responsible_unit", "park"]

MSG_OUTSIDE = _("该单位不在您的管辖范围内。")
MSG_ENTERPRISE_OUTSIDE = _("该企业不在您的管辖范围内。")
MSG_UNIT_INACTIVE = _("「%(unit)s」已撤销，不能再作为责任单位或工会。")
MSG_DUP_USCC = _(
    "统一社会信用代码「%(uscc)s」已登记为「%(name)s」（%(division)s，责任单位：%(unit)s），"
    "同一企业只登记一次：请在该企业下记录排查，或核对代码。"
)
MSG_DUP_NAME = _(
    "「%(name)s」已在%(division)s登记（责任单位：%(unit)s），同一企业只登记一次：请在该企业下"
    "记录排查；如确是另一家企业，请填写统一社会信用代码以区分。"
)
MSG_DUP_NAME_NO_CODE = _(
    "「%(name)s」已在%(division)s登记但没有统一社会信用代码（责任单位：%(unit)s）："
    "请在该企业记录中补填代码，不要重复登记。"
)
MSG_PARK_DIVISION = _("园区「%(park)s」位于%(park_division)s，与企业所在县(市、区)不一致，请核对。")
MSG_PARK_OUTSIDE = _("园区「%(park)s」不在您的管辖范围内。")
MSG_SURVEY_CONTRADICTS_UNION = _(
    "该企业已由「%(union)s」覆盖（已建会），排查结果不能填“%(status)s”：如该工会确已撤销或"
    "不再覆盖该企业，请联系上级工会管理员处理。"
)
MSG_ALREADY_BUILT = _("「%(name)s」已由「%(union)s」覆盖，无需再建会。")
MSG_BUILD_MODE = _("请二选一：新建基层工会（选择上级组织），或纳入已有的工会。")
MSG_NOT_ADMITTING = _(
    "「%(union)s」是%(kind)s，不直接覆盖企业：请选择企业工会、联合工会、行业工会、区域性工会"
    "联合会或其分会、小组。"
)
MSG_BUILD_KIND = _(
    "新建的工会应为企业工会、联合工会、行业工会、区域性工会联合会、工会分会或工会小组。"
)
MSG_DATE_FUTURE = _("%(label)s不能晚于今天（%(today)s），请核对。")
MSG_BEFORE_FOUNDED = _("纳入日期不能早于「%(union)s」的建会日期（%(founded)s），请核对。")
MSG_PARK_NAME = _("园区名称不能为空。")
MSG_PARK_DUP = _("%(division)s已有名为「%(name)s」的园区，请编辑已有园区。")
MSG_PARK_KIND = _("园区类型「%(kind)s」无效：请选择产业集聚区、开发区、工业园区、物流园区等。")
MSG_HEADCOUNT = _("职工人数「%(value)s」应为不小于 0 的整数。")
MSG_MIGRANT = _("农民工人数（%(migrant)s）不能多于职工人数（%(total)s），请核对。")

BUILD_KINDS = {
    OrgKind.ENTERPRISE,
    OrgKind.JOINT,
    OrgKind.TRADE,
    OrgKind.REGIONAL_FEDERATION,
    OrgKind.BRANCH,
    OrgKind.GROUP,
}
_UNSET = object()


def _validation_error(errors: dict) -> ValidationError:
    return ValidationError(
        {field: [ValidationError(m) for m in messages] for field, messages in errors.items()}
    )


def _division_label(code: str) -> str:
    return divisions.full_name(code) or code


def can_manage(actor, enterprise: Enterprise) -> bool:
    """The responsible unit's side or the covering union's side may write (as they may see)."""
    if enterprise.responsible_unit_id and in_jurisdiction(actor, enterprise.responsible_unit):
        return True
    return enterprise.union_id is not None and in_jurisdiction(actor, enterprise.union)


def _lock(enterprise: Enterprise) -> Enterprise:
    """Re-read an enterprise under a row lock (only its own row: PostgreSQL cannot lock the
    nullable side of a join), with the units the services read. The units are read after the
    lock is held: a row that waited for another transaction's lock is re-read by PostgreSQL, but
    the joined rows of that same query are not (two union_build calls at once saw union_id set
    and union None)."""
    Enterprise.objects.select_for_update().filter(pk=enterprise.pk).values_list("pk").get()
    return Enterprise.objects.select_related("responsible_unit", "union", "latest_survey").get(
        pk=enterprise.pk
    )


def _require_enterprise(actor, enterprise: Enterprise) -> None:
    if not can_manage(actor, enterprise):
        raise PermissionDenied(MSG_ENTERPRISE_OUTSIDE)


def _require_unit(actor, unit: Organization) -> None:
    if not in_jurisdiction(actor, unit):
        raise PermissionDenied(MSG_OUTSIDE)
    if not unit.is_active:
        raise ValidationError(MSG_UNIT_INACTIVE, params={"unit": unit.name})


def _check_park(actor, park: Park | None, division_code: str | None) -> None:
    if park is None:
        return
    if not in_jurisdiction(actor, park.responsible_unit):
        raise ValidationError(
            {"park": ValidationError(MSG_PARK_OUTSIDE, params={"park": park.name})}
        )
    if division_code and park.division_code != division_code:
        raise ValidationError(
            {
                "park": ValidationError(
                    MSG_PARK_DIVISION,
                    params={
                        "park": park.name,
                        "park_division": _division_label(park.division_code),
                    },
                )
            }
        )


def find_duplicate(
    *, uscc: str, normalised_name: str, division_code: str, exclude_pk=None
) -> tuple[Enterprise, ValidationError] | None:
    """The registered enterprise this one would duplicate, with the message to show: the same
    credit code; else (no code) the same normalised name in the same county; a coded newcomer
    whose name matches an uncoded record is that record still missing its code."""
    others = Enterprise.objects.select_related("responsible_unit")
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if uscc:
        existing = others.filter(uscc=uscc).first()
        if existing:
            return existing, _dup_error("uscc", MSG_DUP_USCC, existing)
        existing = others.filter(
            uscc="", normalised_name=normalised_name, division_code=division_code
        ).first()
        if existing:
            return existing, _dup_error("name", MSG_DUP_NAME_NO_CODE, existing)
        return None
    existing = others.filter(normalised_name=normalised_name, division_code=division_code).first()
    if existing:
        return existing, _dup_error("name", MSG_DUP_NAME, existing)
    return None


def _dup_error(field: str, message, existing: Enterprise) -> ValidationError:
    return ValidationError(
        {
            field: ValidationError(
                message,
                code="duplicate",
                params={
                    "uscc": existing.uscc,
                    "name": existing.name,
                    "division": _division_label(existing.division_code),
                    "unit": existing.responsible_unit.name,
                },
            )
        }
    )


def _groups(codes: list[str]) -> list[WorkerGroup]:
    return list(WorkerGroup.objects.filter(code__in=codes))


def _save_unique(enterprise: Enterprise) -> None:
    """Save; a concurrent registration of the same enterprise loses to the constraint."""
    try:
        with transaction.atomic():
            enterprise.save()
    except IntegrityError:
        found = find_duplicate(
            uscc=enterprise.uscc,
            normalised_name=enterprise.normalised_name,
            division_code=enterprise.division_code,
            exclude_pk=enterprise.pk,
        )
        if found is None:
            raise
        raise found[1] from None


def _audit_state(enterprise: Enterprise) -> dict:
    return snapshot(enterprise, AUDITED) | {
        "groups": sorted(g.name for g in enterprise.groups.all())
    }


@transaction.atomic
def enterprise_create(
    *, actor, responsible_unit: Organization, data: dict, park: Park | None = None
) -> Enterprise:
    """Register an enterprise for survey, once: by credit code, else by name within a county."""
    _require_unit(actor, responsible_unit)
    cleaned, errors = clean_enterprise_fields(data)
    if errors:
        raise _validation_error(errors)
    _check_park(actor, park, cleaned["division_code"])
    found = find_duplicate(
        uscc=cleaned["uscc"],
        normalised_name=cleaned["normalised_name"],
        division_code=cleaned["division_code"],
    )
    if found:
        raise found[1]
    groups = cleaned.pop("groups", [])
    enterprise = Enterprise(responsible_unit=responsible_unit, park=park, **cleaned)
    _save_unique(enterprise)
    enterprise.groups.set(_groups(groups))
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=enterprise,
        org_path=responsible_unit.path,
        changes=diff({}, _audit_state(enterprise)),
    )
    note_change(None)  # the campaigns' survey figures
    return enterprise


@transaction.atomic
def enterprise_update(
    *,
    actor,
    enterprise: Enterprise,
    data: dict,
    park=_UNSET,
    responsible_unit: Organization | None = None,
    updated_at=None,
) -> Enterprise:
    """Correct an enterprise's record (only the fields given); the de-duplication rule holds.
    `updated_at` (the edit form's stamp) refuses a save over someone else's newer one."""
    _require_enterprise(actor, enterprise)
    enterprise = _lock(enterprise)
    check_unchanged(enterprise, updated_at)
    before = _audit_state(enterprise)
    cleaned, errors = clean_enterprise_fields(
        {k: v for k, v in data.items() if k in ENTERPRISE_LABELS}, partial=True
    )
    # The construction flag and its scale are checked together, whichever was given.
    construction = cleaned.get("is_construction_project", enterprise.is_construction_project)
    scale = cleaned.get("project_scale", enterprise.project_scale)
    if "is_construction_project" in cleaned and not construction and "project_scale" not in data:
        scale = cleaned["project_scale"] = ""
    if construction and not scale and "project_scale" not in errors:
        errors.setdefault("project_scale", []).append("在建项目请选择项目规模：大中型或小型。")
    if errors:
        raise _validation_error(errors)
    groups = cleaned.pop("groups", None)
    for field, value in cleaned.items():
        setattr(enterprise, field, value)
    if responsible_unit is not None and responsible_unit.pk != enterprise.responsible_unit_id:
        _require_unit(actor, responsible_unit)
        enterprise.responsible_unit = responsible_unit
    if park is not _UNSET:
        enterprise.park = park
    _check_park(actor, enterprise.park, enterprise.division_code)
    if {"uscc", "name", "division_code"} & set(cleaned):
        found = find_duplicate(
            uscc=enterprise.uscc,
            normalised_name=enterprise.normalised_name,
            division_code=enterprise.division_code,
            exclude_pk=enterprise.pk,
        )
        if found:
            raise found[1]
    _save_unique(enterprise)
    if groups is not None:
        enterprise.groups.set(_groups(groups))
    changes = diff(before, _audit_state(enterprise))
    if changes:
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            obj=enterprise,
            org_path=enterprise.responsible_unit.path,
            changes=changes,
        )
    note_change(None)  # the campaigns' survey figures
    return enterprise


def _is_newer(day: datetime.date, pk: int, than_day, than_pk) -> bool:
    return than_day is None or (day, pk) >= (than_day, than_pk or 0)


def _record_headcount(
    *, actor, enterprise: Enterprise, on, total: int, migrant, source, survey=None
) -> HeadcountSnapshot:
    """Append a headcount; the enterprise shows it when it is the latest by date."""
    shot = HeadcountSnapshot.objects.create(
        enterprise=enterprise,
        on=on,
        employees_total=total,
        migrant_workers=migrant,
        source=source,
        survey=survey,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    latest = enterprise.headcounts.order_by("-on", "-id").values_list("id", flat=True).first()
    if latest == shot.pk:
        enterprise.employees_total = total
        enterprise.migrant_workers = migrant
        enterprise.headcount_on = on
        enterprise.save(
            update_fields=["employees_total", "migrant_workers", "headcount_on", "updated_at"]
        )
    return shot


@transaction.atomic
def headcount_record(
    *,
    actor,
    enterprise: Enterprise,
    on: datetime.date,
    employees_total,
    migrant_workers=None,
    source: str = HeadcountSource.MANUAL,
) -> HeadcountSnapshot:
    """动态监控: record a headcount outside a survey (an import, a phone check)."""
    _require_enterprise(actor, enterprise)
    enterprise = _lock(enterprise)
    today = timezone.localdate()
    if on > today:
        raise ValidationError(
            {"on": ValidationError(MSG_DATE_FUTURE, params={"label": "日期", "today": today})}
        )
    total, migrant = parse_count(employees_total), parse_count(migrant_workers)
    for field, value in (("employees_total", total), ("migrant_workers", migrant)):
        if isinstance(value, str) or (field == "employees_total" and value is None):
            raise ValidationError(
                {field: ValidationError(MSG_HEADCOUNT, params={"value": value or ""})}
            )
    if migrant is not None and migrant > total:
        raise ValidationError(
            {
                "migrant_workers": ValidationError(
                    MSG_MIGRANT, params={"migrant": migrant, "total": total}
                )
            }
        )
    shot = _record_headcount(
        actor=actor, enterprise=enterprise, on=on, total=total, migrant=migrant, source=source
    )
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=shot,
        org_path=enterprise.responsible_unit.path,
        object_repr=f"{enterprise.name} {on} 职工人数",
        changes={"职工人数": [None, total], "农民工人数": [None, migrant], "来源": [None, source]},
    )
    note_change(None)  # the headcount behind the campaigns' figures and the 25-worker alert
    return shot


@transaction.atomic
def survey_record(*, actor, enterprise: Enterprise, data: dict, next_action_owner=None) -> Survey:
    """Record one 五清 survey as a new row (history is never overwritten). When it is the
    latest survey, the enterprise's union status follows it; its headcount becomes a snapshot;
    the groups found are added to the enterprise's groups."""
    _require_enterprise(actor, enterprise)
    enterprise = _lock(enterprise)
    cleaned, errors = clean_survey_fields(data, today=timezone.localdate())
    if errors:
        raise _validation_error(errors)
    survey = Survey(
        enterprise=enterprise,
        surveyor=actor if getattr(actor, "pk", None) else None,
        surveyor_unit=getattr(actor, "organization", None),
        division_code=enterprise.division_code,
        township=enterprise.township,
        park=enterprise.park,
        next_action_owner=next_action_owner,
        **cleaned,
    )
    if not survey.surveyor_name:
        survey.surveyor_name = getattr(actor, "display_name", "") or ""
    if next_action_owner is not None and not survey.next_action_owner_name:
        survey.next_action_owner_name = next_action_owner.display_name
    latest = enterprise.latest_survey
    newest = latest is None or (survey.surveyed_on >= latest.surveyed_on)
    if newest and enterprise.union_id and survey.union_status != UnionStatus.BUILT:
        raise ValidationError(
            {
                "union_status": ValidationError(
                    MSG_SURVEY_CONTRADICTS_UNION,
                    params={
                        "union": enterprise.union.name,
                        "status": UnionStatus(survey.union_status).label,
                    },
                )
            }
        )
    survey.save()
    update_fields = ["updated_at"]
    if newest:
        enterprise.latest_survey = survey
        enterprise.last_surveyed_on = survey.surveyed_on
        enterprise.union_status = survey.union_status
        update_fields += ["latest_survey", "last_surveyed_on", "union_status"]
    enterprise.save(update_fields=update_fields)
    if survey.employees_total is not None:
        _record_headcount(
            actor=actor,
            enterprise=enterprise,
            on=survey.surveyed_on,
            total=survey.employees_total,
            migrant=survey.migrant_workers,
            source=HeadcountSource.SURVEY,
            survey=survey,
        )
    if survey.group_counts:
        enterprise.groups.add(*_groups(list(survey.group_counts)))
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=survey,
        org_path=enterprise.responsible_unit.path,
        object_repr=f"{enterprise.name} {survey.surveyed_on} 排查",
        changes={
            "建会情况": [None, survey.get_union_status_display()],
            "未建会原因": [None, survey.get_reason_display()],
            "法人态度": [None, survey.get_legal_rep_attitude_display()],
            "职工人数": [None, survey.employees_total],
            "推进措施": [None, survey.get_next_action_display()],
            "完成时限": [None, survey.next_action_due],
        },
    )
    note_change(None)  # the campaigns' survey figures
    return survey


def _check_day(day, label: str) -> datetime.date:
    today = timezone.localdate()
    day = day or today
    if day > today:
        raise ValidationError(MSG_DATE_FUTURE, params={"label": label, "today": today})
    return day


@transaction.atomic
def union_build(
    *,
    actor,
    enterprise: Enterprise,
    union: Organization | None = None,
    parent: Organization | None = None,
    union_data: dict | None = None,
    on: datetime.date | None = None,
) -> Enterprise:
    """「建会」: either create a grassroots union for the enterprise under `parent` (through the
    organization tree's own service), or attach the enterprise to an existing admitting union
    (a joint, trade or enterprise union may cover many enterprises). The enterprise becomes
    已建会 with the date it came under a union (`unionised_on`), which campaign counts use."""
    _require_enterprise(actor, enterprise)
    enterprise = _lock(enterprise)
    if enterprise.union_id is not None:
        raise ValidationError(
            MSG_ALREADY_BUILT, params={"name": enterprise.name, "union": enterprise.union.name}
        )
    if (union is None) == (parent is None):
        raise ValidationError(MSG_BUILD_MODE)
    if union is not None:
        day = _check_day(on, "纳入日期")
        _require_unit(actor, union)
        if not union.admits_members:
            raise ValidationError(
                {
                    "union": ValidationError(
                        MSG_NOT_ADMITTING,
                        params={"union": union.name, "kind": union.get_kind_display()},
                    )
                }
            )
        if union.founded_on and day < union.founded_on:
            raise ValidationError(
                MSG_BEFORE_FOUNDED, params={"union": union.name, "founded": union.founded_on}
            )
        mode = "纳入已有工会"
    else:
        data = dict(union_data or {})
        day = _check_day(data.get("founded_on") or on, "建会日期")
        data.setdefault("kind", OrgKind.ENTERPRISE)
        if data["kind"] not in BUILD_KINDS:
            raise ValidationError({"kind": ValidationError(MSG_BUILD_KIND)})
        data.setdefault("name", f"{enterprise.name}工会")
        data.setdefault("code", _new_org_code(parent, enterprise))
        data.setdefault("division_code", enterprise.division_code)
        data.setdefault("industry", enterprise.industry)
        data.setdefault("address", enterprise.address)
        data["founded_on"] = day
        union = org_services.organization_create(
            actor=actor, parent=parent, data=data, groups=list(enterprise.groups.all())
        )
        mode = "新建工会"
    enterprise.union = union
    enterprise.union_status = UnionStatus.BUILT
    enterprise.unionised_on = day
    enterprise.save(update_fields=["union", "union_status", "unionised_on", "updated_at"])
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=enterprise,
        org_path=enterprise.responsible_unit.path,
        changes={
            "建会": [None, mode],
            "所在工会": [None, union.name],
            "建会情况": [None, str(UnionStatus.BUILT.label)],
            "建会日期": [None, day],
        },
    )
    note_change(None)  # the campaigns' survey figures
    return enterprise


def _new_org_code(parent: Organization, enterprise: Enterprise) -> str:
    """A stable organization code for a union built from the survey: <parent>-Q<enterprise id>."""
    base = f"{parent.code}-Q{enterprise.pk}"
    code, n = base[:32], 1
    while Organization.objects.filter(code=code).exists():
        n += 1
        code = f"{base[:29]}-{n}"
    return code


def _clean_park(data: dict, partial: bool) -> dict:
    cleaned, errors = {}, {}
    if "name" in data or not partial:
        name = " ".join(str(data.get("name") or "").split())
        if not name:
            errors["name"] = [MSG_PARK_NAME]
        cleaned["name"] = name[:120]
    if "kind" in data or not partial:
        kind = data.get("kind") or ""
        labels = {str(label): value for value, label in ParkKind.choices}
        kind = labels.get(kind, kind)
        if kind not in ParkKind.values:
            errors["kind"] = [str(MSG_PARK_KIND % {"kind": kind})]
        cleaned["kind"] = kind
    if "division_code" in data or not partial:
        try:
            cleaned["division_code"] = divisions.validate_division_code(
                data.get("division_code"), field="所在行政区划"
            )
        except ValidationError as exc:
            errors["division_code"] = exc.messages
    if "notes" in data:
        cleaned["notes"] = str(data.get("notes") or "").strip()[:200]
    if errors:
        raise _validation_error(errors)
    return cleaned


def _check_park_unique(park: Park) -> None:
    clash = Park.objects.filter(division_code=park.division_code, name=park.name)
    if park.pk:
        clash = clash.exclude(pk=park.pk)
    if clash.exists():
        raise ValidationError(
            {
                "name": ValidationError(
                    MSG_PARK_DUP,
                    params={"division": _division_label(park.division_code), "name": park.name},
                )
            }
        )


@transaction.atomic
def park_create(
    *, actor, responsible_unit: Organization, data: dict, union: Organization | None = None
) -> Park:
    """Add a park to the directory (名录) under a responsible unit in the actor's jurisdiction."""
    _require_unit(actor, responsible_unit)
    if union is not None:
        _require_unit(actor, union)
    park = Park(responsible_unit=responsible_unit, union=union, **_clean_park(data, False))
    _check_park_unique(park)
    park.save()
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=park,
        changes=diff({}, snapshot(park, ["name", "kind", "division_code", "union", "notes"])),
    )
    return park


@transaction.atomic
def park_update(*, actor, park: Park, data: dict, union=_UNSET) -> Park:
    """Edit a park; linking its union (园区工会) makes it count as covered."""
    _require_unit(actor, park.responsible_unit)
    park = Park.objects.select_for_update().get(pk=park.pk)
    fields = ["name", "kind", "division_code", "union", "notes"]
    before = snapshot(park, fields)
    for field, value in _clean_park(data, True).items():
        setattr(park, field, value)
    if union is not _UNSET:
        if union is not None:
            _require_unit(actor, union)
        park.union = union
    _check_park_unique(park)
    park.save()
    changes = diff(before, snapshot(park, fields))
    if changes:
        audit_record(actor=actor, action=Action.UPDATE, obj=park, changes=changes)
    return park


def name_key(name: str) -> str:
    """The de-duplication key of a name (re-exported for the importer and selectors)."""
    return normalize_name(name)
