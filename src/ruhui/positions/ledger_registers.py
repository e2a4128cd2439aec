"""Every write of the collective-consultation register (集体协商) and of the social workers
(社会化工会工作者): one service per rule, called by the pages and the demo. The same shape as
`ledger_services`: role, jurisdiction, Chinese messages naming the field, one audit row."""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from ruhui.audit.services import Action, audit_record, diff, snapshot
from ruhui.enterprises.models import Enterprise
from ruhui.members.group_counts import parse_count
from ruhui.orgs.models import Organization, WorkerGroup
from ruhui.orgs.scoping import in_jurisdiction, scoped
from ruhui.positions.choices import TOPIC_CODES, ConsultationLevel
from ruhui.positions.ledger_services import _add, _day, _pk, _require_perm, _text
from ruhui.positions.models import Consultation, ConsultationFile, SocialWorker
from ruhui.tabular.stored import attach_uploads

CONSULTATION_LABELS = {
    "level": "协商层级",
    "industry": "行业",
    "union": "工会方",
    "employer": "企业方",
    "employer_association": "行业协会（企业方）",
    "topics": "协商内容",
    "held_on": "协商日期",
    "agreed": "达成协议",
    "term_from": "协议期限自",
    "term_to": "协议期限至",
    "workers_covered": "覆盖职工人数",
    "groups": "覆盖群体",
    "congress_on": "职工（代表）大会召开日期",
    "note": "说明",
    "files": "签订文本",
}
CONSULTATION_AUDITED = [
    "level",
    "industry",
    "union",
    "employer",
    "employer_association",
    "topics",
    "held_on",
    "agreed",
    "term_from",
    "term_to",
    "workers_covered",
    "congress_on",
    "note",
]
WORKER_LABELS = {"name": "姓名", "phone": "联系电话", "union": "派驻工会"}
WORKER_LABELS |= {"starts_on": "派驻日期", "ends_on": "结束日期"}

MSG_REQUIRED = "请填写{label}。"
MSG_CHOOSE = "请选择{label}。"
MSG_LEVEL = "协商层级「{value}」不认识：请选择行业性、区域性或企业。"
MSG_TOPIC = "协商内容「{value}」不认识：请从工资、劳动安全卫生、女职工特殊权益保护、综合中选择。"
MSG_TOPICS_NONE = "请至少选择一项协商内容（工资、劳动安全卫生、女职工特殊权益保护或综合）。"
MSG_UNION_OUTSIDE = "工会方「{unit}」不在您的管辖范围内：请选择本单位或下级工会。"
MSG_EMPLOYER_NONE = "请填写企业方：选择一家企业，或填写行业协会的名称（行业性、区域性协商）。"
MSG_EMPLOYER_BOTH = "企业方只填一项：选择了企业就不再填写行业协会，或清空所选企业。"
MSG_EMPLOYER_OUTSIDE = "企业不存在或不在您的管辖范围内：请从列表中选择本地区的企业。"
MSG_TERM_ORDER = "协议期限至（{to}）不能早于协议期限自（{start}）：请核对协议期限。"
MSG_TERM_NOT_AGREED = "未达成协议的协商不填写协议期限：请清空协议期限，或勾选“达成协议”。"
MSG_COUNT = "{label}「{value}」应为不小于 0 的整数。"
MSG_GROUP = "覆盖群体「{value}」不认识：请从列表中选择。"
MSG_TOO_LONG = "{label}最多 {limit} 个字：请精简后再保存。"
MSG_WORKER_UNION_OUTSIDE = "派驻工会「{unit}」不在您的管辖范围内：请选择本单位或下级工会。"
MSG_WORKER_ENDS = "结束日期（{ends}）不能早于派驻日期（{starts}）：请核对。"
MSG_WORKER_ENDED = "{name}已于 {ends} 结束派驻，不能再次结束。"
MSG_PHONE = "联系电话「{value}」不是有效的号码：请填写 11 位手机号码或带区号的固定电话。"
_PHONE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")


def _union(actor, raw, field: str, labels: dict, message: str, errors: dict):
    union = raw if isinstance(raw, Organization) or raw is None else None
    if union is None and _pk(raw):
        union = Organization.objects.filter(pk=_pk(raw)).first()
    if union is None:
        _add(errors, field, MSG_CHOOSE.format(label=labels[field]))
    elif not in_jurisdiction(actor, union):
        _add(errors, field, message.format(unit=union.name))
        return None
    return union


def clean_consultation(*, actor, data: dict) -> tuple[dict, dict[str, list[str]]]:
    """Validate a consultation: (values, groups, {field: [Chinese messages]})."""
    labels = CONSULTATION_LABELS
    errors: dict[str, list[str]] = {}
    values: dict = {}
    level = _text(data.get("level"))
    if not level:
        _add(errors, "level", MSG_CHOOSE.format(label=labels["level"]))
    elif level not in ConsultationLevel.values:
        _add(errors, "level", MSG_LEVEL.format(value=level))
    values["level"] = level
    for field, limit in (("industry", 60), ("employer_association", 100), ("note", 2000)):
        text = _text(data.get(field)) if field != "note" else str(data.get(field) or "").strip()
        if len(text) > limit:
            _add(errors, field, MSG_TOO_LONG.format(label=labels[field], limit=limit))
        values[field] = text
    values["union"] = _union(actor, data.get("union"), "union", labels, MSG_UNION_OUTSIDE, errors)

    employer = None
    if _pk(data.get("employer")):
        employer = scoped(actor, Enterprise).filter(pk=_pk(data["employer"])).first()
        if employer is None:
            _add(errors, "employer", MSG_EMPLOYER_OUTSIDE)
    if employer is None and not values["employer_association"] and "employer" not in errors:
        _add(errors, "employer", MSG_EMPLOYER_NONE)
    elif employer is not None and values["employer_association"]:
        _add(errors, "employer_association", MSG_EMPLOYER_BOTH)
    values["employer"] = employer

    topics = [str(t).strip() for t in (data.get("topics") or []) if str(t).strip()]
    unknown = [t for t in topics if t not in TOPIC_CODES]
    if unknown:
        _add(errors, "topics", MSG_TOPIC.format(value=unknown[0]))
    elif not topics:
        _add(errors, "topics", MSG_TOPICS_NONE)
    values["topics"] = list(dict.fromkeys(topics))

    values["held_on"] = _day(data.get("held_on"), "held_on", labels, errors, required=True)
    values["agreed"] = bool(data.get("agreed"))
    start = _day(data.get("term_from"), "term_from", labels, errors, required=False)
    end = _day(data.get("term_to"), "term_to", labels, errors, required=False)
    if start and end and end < start:
        _add(errors, "term_to", MSG_TERM_ORDER.format(to=end, start=start))
    if (start or end) and not values["agreed"]:
        _add(errors, "term_from", MSG_TERM_NOT_AGREED)
    values["term_from"], values["term_to"] = start, end
    values["congress_on"] = _day(
        data.get("congress_on"), "congress_on", labels, errors, required=False
    )

    covered = parse_count(data.get("workers_covered"))
    if isinstance(covered, str):
        label = labels["workers_covered"]
        _add(errors, "workers_covered", MSG_COUNT.format(label=label, value=covered))
        covered = 0
    values["workers_covered"] = covered or 0

    codes = [getattr(g, "code", g) for g in (data.get("groups") or [])]
    groups = list(WorkerGroup.objects.filter(code__in=codes))
    missing = set(codes) - {g.code for g in groups}
    if missing:
        _add(errors, "groups", MSG_GROUP.format(value=sorted(missing)[0]))
    values["groups"] = groups
    return values, errors


def _save_consultation(actor, consultation, values, files, action, before) -> Consultation:
    groups = values.pop("groups")
    for field, value in values.items():
        setattr(consultation, field, value)
    consultation.save()
    consultation.groups.set(groups)
    after = snapshot(consultation, CONSULTATION_AUDITED)
    after["groups"] = sorted(g.code for g in groups)
    changes = diff(before, after)
    if files:
        kept = attach_uploads(
            ConsultationFile, files, actor=actor, field="files", consultation=consultation
        )
        changes["签订文本"] = [None, [f.original_name for f in kept]]
    audit_record(
        actor=actor,
        action=action,
        obj=consultation,
        org_path=consultation.union.path,
        changes=changes,
    )
    return consultation


@transaction.atomic
def consultation_create(*, actor, data: dict, files=()) -> Consultation:
    """Register a collective consultation of a union in the actor's subtree, with its signed
    text (checked by the general attachment check)."""
    _require_perm(actor, "positions.edit_consultation")
    values, errors = clean_consultation(actor=actor, data=data)
    if errors:
        raise ValidationError(errors)
    consultation = Consultation(created_by=actor if getattr(actor, "pk", None) else None)
    return _save_consultation(actor, consultation, values, list(files), Action.CREATE, {})


@transaction.atomic
def consultation_update(*, actor, consultation: Consultation, data: dict, files=()):
    """Correct a consultation of the actor's subtree, or add to its signed text."""
    _require_perm(actor, "positions.edit_consultation")
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if not in_jurisdiction(actor, consultation.union):
        raise PermissionDenied
    values, errors = clean_consultation(actor=actor, data=data)
    if errors:
        raise ValidationError(errors)
    before = snapshot(consultation, CONSULTATION_AUDITED)
    before["groups"] = sorted(consultation.groups.values_list("code", flat=True))
    return _save_consultation(actor, consultation, values, list(files), Action.UPDATE, before)


# --- social workers ----------------------------------------------------------------------


def clean_social_worker(*, actor, data: dict) -> tuple[dict, dict[str, list[str]]]:
    """Validate a social worker's assignment: name, phone, union in scope, dates in order."""
    labels = WORKER_LABELS
    errors: dict[str, list[str]] = {}
    values: dict = {"name": _text(data.get("name"))}
    if not values["name"]:
        _add(errors, "name", MSG_REQUIRED.format(label=labels["name"]))
    elif len(values["name"]) > 40:
        _add(errors, "name", MSG_TOO_LONG.format(label=labels["name"], limit=40))
    phone = "".join(_text(data.get("phone")).split())
    if phone and not _PHONE.match(phone):
        _add(errors, "phone", MSG_PHONE.format(value=phone))
    values["phone"] = phone
    values["union"] = _union(
        actor, data.get("union"), "union", labels, MSG_WORKER_UNION_OUTSIDE, errors
    )
    starts = _day(data.get("starts_on"), "starts_on", labels, errors, required=True)
    ends = _day(data.get("ends_on"), "ends_on", labels, errors, required=False)
    if starts and ends and ends < starts:
        _add(errors, "ends_on", MSG_WORKER_ENDS.format(ends=ends, starts=starts))
    values["starts_on"], values["ends_on"] = starts, ends
    return values, errors


def _worker_changes(before: dict, worker: SocialWorker) -> dict:
    after = snapshot(worker, ["name", "union", "starts_on", "ends_on"])
    changes = diff(before, after)
    if before.get("phone_set") != bool(worker.phone):
        changes["联系电话"] = ["已填" if before.get("phone_set") else None, "已填"]
    return changes


@transaction.atomic
def social_worker_create(*, actor, data: dict) -> SocialWorker:
    """Assign a 社会化工会工作者 to a union in the actor's subtree."""
    _require_perm(actor, "positions.edit_social_worker")
    values, errors = clean_social_worker(actor=actor, data=data)
    if errors:
        raise ValidationError(errors)
    worker = SocialWorker.objects.create(
        **values, created_by=actor if getattr(actor, "pk", None) else None
    )
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=worker,
        org_path=worker.union.path,
        changes=_worker_changes({}, worker),
    )
    return worker


@transaction.atomic
def social_worker_update(*, actor, worker: SocialWorker, data: dict) -> SocialWorker:
    """Correct an assignment of the actor's subtree (the phone is audited as set or not)."""
    _require_perm(actor, "positions.edit_social_worker")
    worker = SocialWorker.objects.select_for_update().get(pk=worker.pk)
    if not in_jurisdiction(actor, worker.union):
        raise PermissionDenied
    values, errors = clean_social_worker(actor=actor, data=data)
    if errors:
        raise ValidationError(errors)
    before = snapshot(worker, ["name", "union", "starts_on", "ends_on"])
    before["phone_set"] = bool(worker.phone)
    for field, value in values.items():
        setattr(worker, field, value)
    worker.save()
    changes = _worker_changes(before, worker)
    audit_record(
        actor=actor, action=Action.UPDATE, obj=worker, org_path=worker.union.path, changes=changes
    )
    return worker


@transaction.atomic
def social_worker_end(*, actor, worker: SocialWorker, ends_on) -> SocialWorker:
    """End an assignment on a day (not before it began; once)."""
    _require_perm(actor, "positions.edit_social_worker")
    worker = SocialWorker.objects.select_for_update().get(pk=worker.pk)
    if not in_jurisdiction(actor, worker.union):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    day = _day(ends_on, "ends_on", WORKER_LABELS, errors, required=True)
    if worker.ends_on:
        _add(errors, "ends_on", MSG_WORKER_ENDED.format(name=worker.name, ends=worker.ends_on))
    elif day and day < worker.starts_on:
        _add(errors, "ends_on", MSG_WORKER_ENDS.format(ends=day, starts=worker.starts_on))
    if errors:
        raise ValidationError(errors)
    worker.ends_on = day
    worker.save(update_fields=["ends_on"])
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=worker,
        org_path=worker.union.path,
        changes={"结束日期": [None, day]},
    )
    return worker
