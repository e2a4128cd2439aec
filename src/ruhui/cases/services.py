"""Every change to 典型经验: one service per step, called from the pages, the demo and the tests.

Each step checks the model guard (`Case.can_publish(actor)` …), locks the row, checks the guard
again on the locked row (someone else may have acted: 「已被他人处理」), then writes the change,
one append-only CaseEvent and one audit row in one transaction. Bad input raises ValidationError
with a Chinese message that names the field and says how to fix it.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ruhui.audit.services import Action, audit_record
from ruhui.cases.models import Case, CaseEvent, CasePhoto, CaseStatus
from ruhui.cases.personal import find_personal
from ruhui.orgs.models import Organization, WorkerGroup
from ruhui.orgs.scoping import in_jurisdiction
from ruhui.tabular.photos import photo_store
from ruhui.tabular.stored import attach_uploads

TITLE_MAX = 80
TEXT_MAX = 20_000
PHOTOS_MAX = 6
FIELD_LABELS = {"title": "标题", "text": "正文", "groups": "八大群体"}

MSG_TAKEN = "已被他人处理：该典型经验现在的状态是「{status}」，请刷新页面查看最新状态。"
MSG_REQUIRED = "请填写{label}。"
MSG_TOO_LONG = "{label}最多 {limit} 个字，现在有 {count} 个字：请精简后再提交。"
MSG_GROUP = "八大群体「{value}」不认识：请从列表中选择。"
MSG_PHOTOS_MANY = "照片最多上传 {limit} 张：请挑选后再上传。"
MSG_UNIT_OUTSIDE = "报送单位「{unit}」不在您的管辖范围内：请选择本单位或下级单位。"
MSG_CAMPAIGN_OUTSIDE = (
    "{unit}不在集中行动「{campaign}」的组织范围内：请选择本单位参加的行动，或不选。"
)
MSG_NOT_REVIEWER = (
    "典型经验由报送单位的上级（属于集中行动的，由行动的组织单位即市总）选用和发布："
    "您所在的单位不能处理这篇。"
)
MSG_PERSONAL = (
    "{label}中含有{what}「{masked}」：公开发布的典型经验不能含有个人信息，请删去或改写后再发布。"
)
MSG_REASON = "撤下时请填写撤下原因。"
MSG_FROM_REPORT_TWICE = "这份月报的典型经验已经报送为「{title}」：不能重复报送。"
MSG_NO_CHANGE = "标题、正文和八大群体都没有修改。"


def _error(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def _actor_name(actor) -> str:
    return (getattr(actor, "display_name", "") or getattr(actor, "username", "") or "")[:60]


def _require_perm(actor, perm: str) -> None:
    if not actor.has_perm(perm):
        raise PermissionDenied


def _clean_text(data: dict) -> tuple[str, str]:
    errors: dict[str, list[str]] = {}
    values = {}
    for field, limit in (("title", TITLE_MAX), ("text", TEXT_MAX)):
        value = str(data.get(field) or "").strip()
        if field == "title":
            value = " ".join(value.split())
        else:
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        label = FIELD_LABELS[field]
        if not value:
            errors[field] = [MSG_REQUIRED.format(label=label)]
        elif len(value) > limit:
            errors[field] = [MSG_TOO_LONG.format(label=label, limit=limit, count=len(value))]
        values[field] = value
    if errors:
        raise ValidationError(errors)
    return values["title"], values["text"]


def _clean_groups(given) -> list[WorkerGroup]:
    """Groups as WorkerGroup rows or their codes."""
    items = list(given or [])
    codes = [g.code if isinstance(g, WorkerGroup) else str(g).strip() for g in items]
    found = {g.code: g for g in WorkerGroup.objects.filter(code__in=codes)}
    for code in codes:
        if code not in found:
            raise _error("groups", MSG_GROUP.format(value=code))
    return [found[c] for c in dict.fromkeys(codes)]


def _event(case: Case, actor, before: str, note: str = "", changes: dict | None = None):
    event = CaseEvent.objects.create(
        case=case,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=_actor_name(actor),
        actor_unit_id=getattr(actor, "organization_id", None),
        from_status=before,
        to_status=case.status,
        note=note,
        changes=changes or {},
    )
    audit_changes = dict(changes or {})
    if before != case.status:
        audit_changes["状态"] = [
            CaseStatus(before).label if before else None,
            case.get_status_display(),
        ]
    if note:
        audit_changes["说明"] = [None, note]
    audit_record(
        actor=actor,
        action=Action.CREATE if not before else Action.UPDATE,
        obj=case,
        org_path=case.unit.path,
        changes=audit_changes,
    )
    return event


def _lock(case: Case) -> Case:
    # Only the case row is locked: its campaign is an outer join, which PostgreSQL cannot lock.
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("unit", "campaign__owner")
        .get(pk=case.pk)
    )


def _taken(case: Case) -> ValidationError:
    return ValidationError(MSG_TAKEN.format(status=case.get_status_display()))


def _check_reviewer(actor, case: Case) -> None:
    _require_perm(actor, "cases.review_case")
    if not case.can_review(actor):
        raise PermissionDenied(MSG_NOT_REVIEWER)


@transaction.atomic
def case_submit(
    *,
    actor,
    data: dict,
    unit: Organization | None = None,
    campaign=None,
    photos=(),
    source_report=None,
) -> Case:
    """A unit's cadre submits a typical experience (title, text, groups, up to six photos):
    for its own unit or one below it, optionally within a campaign the unit takes part in.
    Made from a monthly report's 典型经验 (`source_report`), it is the report's unit's and
    campaign's."""
    _require_perm(actor, "cases.submit_case")
    if source_report is not None:
        unit, campaign = source_report.unit, source_report.campaign
        earlier = Case.objects.filter(source_report=source_report).first()
        if earlier is not None:
            raise ValidationError(MSG_FROM_REPORT_TWICE.format(title=earlier.title))
    unit = unit or actor.organization
    if not in_jurisdiction(actor, unit):
        raise _error("unit", MSG_UNIT_OUTSIDE.format(unit=unit.name))
    if campaign is not None and not unit.path.startswith(campaign.owner.path):
        raise _error(
            "campaign", MSG_CAMPAIGN_OUTSIDE.format(unit=unit.name, campaign=campaign.name)
        )
    title, text = _clean_text(data)
    groups = _clean_groups(data.get("groups"))
    photos = list(photos or [])
    if len(photos) > PHOTOS_MAX:
        raise _error("photos", MSG_PHOTOS_MANY.format(limit=PHOTOS_MAX))
    case = Case.objects.create(
        campaign=campaign,
        unit=unit,
        title=title,
        text=text,
        submitted_by=actor,
        source_report=source_report,
    )
    case.groups.set(groups)
    _event(case, actor, "", changes={"标题": [None, title]})
    _add_photos(actor, case, photos)  # last: nothing that could fail comes after it
    return case


def _add_photos(actor, case: Case, uploads) -> list[CasePhoto]:
    """Check, clean (`tabular.photos.photo_store`), keep and record every photo; when any is
    refused, no file is left."""
    return attach_uploads(
        CasePhoto, uploads, actor=actor, field="photos", store=photo_store, case=case
    )


@transaction.atomic
def case_update(*, actor, case: Case, data: dict) -> Case:
    """The reviewing unit edits the wording (title, text, groups) before publishing; the event
    and the audit row keep the old and the new."""
    _check_reviewer(actor, case)
    locked = _lock(case)
    if not locked.can_edit(actor):
        raise _taken(locked)
    title, text = _clean_text(data)
    groups = _clean_groups(data.get("groups")) if "groups" in data else None
    changes = {}
    if title != locked.title:
        changes["标题"] = [locked.title, title]
    if text != locked.text:
        changes["正文"] = [locked.text, text]
    if groups is not None:
        old = sorted(locked.groups.values_list("name", flat=True))
        new = sorted(g.name for g in groups)
        if old != new:
            changes["八大群体"] = ["、".join(old), "、".join(new)]
    if not changes:
        raise ValidationError(MSG_NO_CHANGE)
    locked.title, locked.text = title, text
    locked.save(update_fields=["title", "text", "updated_at"])
    if groups is not None:
        locked.groups.set(groups)
    _event(locked, actor, locked.status, note="修改", changes=changes)
    return locked


@transaction.atomic
def case_select(*, actor, case: Case) -> Case:
    """The reviewing unit selects a submitted case (选用): it goes into the newspaper export
    and may then be published."""
    _check_reviewer(actor, case)
    locked = _lock(case)
    if not locked.can_select(actor):
        raise _taken(locked)
    before = locked.status
    locked.status = CaseStatus.SELECTED
    locked.save(update_fields=["status", "updated_at"])
    _event(locked, actor, before)
    return locked


def check_publishable(case: Case) -> None:
    """Refuse while the title or the text holds an ID number or a mobile number (quoted masked)."""
    for field in ("title", "text"):
        found = find_personal(getattr(case, field))
        if found:
            raise _error(
                field,
                MSG_PERSONAL.format(
                    label=FIELD_LABELS[field], what=found.label, masked=found.masked
                ),
            )


@transaction.atomic
def case_publish(*, actor, case: Case) -> Case:
    """The reviewing unit publishes the case at /cases/<slug>/ (no login). Its slug, given at
    the first publication (year of submission and number, e.g. 2019-0007), stays the same if it
    is withdrawn and published again."""
    _check_reviewer(actor, case)
    locked = _lock(case)
    if not locked.can_publish(actor):
        raise _taken(locked)
    check_publishable(locked)
    before = locked.status
    if not locked.slug:
        locked.slug = f"{timezone.localtime(locked.submitted_at).year}-{locked.pk:04d}"
    locked.status = CaseStatus.PUBLISHED
    locked.published_at = timezone.now()
    locked.published_by = actor if getattr(actor, "pk", None) else None
    locked.save(update_fields=["slug", "status", "published_at", "published_by", "updated_at"])
    _event(locked, actor, before, changes={"发布编号": [None, locked.slug]})
    return locked


@transaction.atomic
def case_withdraw(*, actor, case: Case, reason: str) -> Case:
    """The reviewing unit takes a published case off the public pages; a reason is required."""
    _check_reviewer(actor, case)
    reason = (reason or "").strip()
    if not reason:
        raise _error("reason", MSG_REASON)
    locked = _lock(case)
    if not locked.can_withdraw(actor):
        raise _taken(locked)
    before = locked.status
    locked.status = CaseStatus.WITHDRAWN
    locked.save(update_fields=["status", "updated_at"])
    _event(locked, actor, before, note=reason)
    return locked
