"""Every write of the services ledger (服务台账) and its people served, the collective-consultation
register and the social workers: one service per rule, called by the pages, the recipient
import and the demo.

Each checks the role (PermissionDenied), the jurisdiction (a union, position, project or
enterprise outside the actor's subtree is refused by name), validates with Chinese messages that
name the field and the fix (`ValidationError({field: [message]})`), writes, and leaves one audit
row, in one transaction. A recipient keeps no identity of its own: a member is a link to the
registry (matched by the ID number's blind index) with a masked name; a non-member is a count.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from ruhui.audit.services import Action, audit_record, diff, snapshot
from ruhui.core import idnumber
from ruhui.core.masking import mask_name
from ruhui.members.codes import EIGHT_GROUPS
from ruhui.members.group_counts import clean_group_counts, parse_count
from ruhui.members.services import held_membership
from ruhui.members.validation import parse_date
from ruhui.orgs.models import Organization
from ruhui.orgs.scoping import in_jurisdiction, scoped
from ruhui.positions.choices import ActivityKind
from ruhui.positions.models import ServiceActivity, ServicePosition, ServiceRecipient
from ruhui.projects.choices import ProjectKind
from ruhui.projects.models import Project

ACTIVITY_LABELS = {
    "kind": "服务类别",
    "title": "活动名称",
    "union": "组织工会",
    "starts_on": "开始日期",
    "ends_on": "结束日期",
    "position": "服务阵地",
    "amount": "支出金额",
    "group_counts": "各群体服务人数",
    "workers_served": "服务职工人数",
    "project": "维护服务项目",
    "note": "说明",
}
AUDITED = [
    "kind",
    "title",
    "union",
    "starts_on",
    "ends_on",
    "position",
    "amount",
    "group_counts",
    "workers_served",
    "project",
    "note",
]
TITLE_MAX = 100
NOTE_MAX = 2000
AMOUNT_MAX = Decimal("9999999999.99")

MSG_REQUIRED = "请填写{label}。"
MSG_CHOOSE = "请选择{label}。"
MSG_TOO_LONG = "{label}最多 {limit} 个字，现在有 {count} 个字：请精简后再保存。"
MSG_KIND = "服务类别「{value}」不认识：请从列表中选择（四季送、互助保险、帮扶救助、法律援助等）。"
MSG_DATE = "{label}「{value}」无法识别：请按 2019-07-15 的格式填写。"
MSG_ENDS_BEFORE = "结束日期（{ends}）不能早于开始日期（{starts}）：请核对，当天结束的可以不填。"
MSG_UNION_OUTSIDE = "组织工会「{unit}」不在您的管辖范围内：请选择本单位或下级工会。"
MSG_POSITION_OUTSIDE = "服务阵地不存在或不在您的管辖范围内：请从列表中选择，或不选。"
MSG_POSITION_UNION = (
    "服务阵地「{position}」由{runner}运营，不在组织工会「{unit}」及其下级中："
    "请选择组织工会所属的阵地，或不选。"
)
MSG_AMOUNT = (
    "支出金额「{value}」不是数字：请填写以元为单位的金额，如 3500 或 3500.50；没有支出的请留空。"
)
MSG_AMOUNT_POSITIVE = "支出金额应大于 0：没有支出的请留空，不要填 0 或负数。"
MSG_AMOUNT_DECIMALS = "支出金额「{value}」最多保留两位小数（到分）：请改为如 3500.50。"
MSG_AMOUNT_LARGE = "支出金额「{value}」超出可登记的范围：请核对是否多写了位数。"
MSG_WORKERS = "服务职工人数「{value}」应为不小于 0 的整数。"
MSG_WORKERS_SUM = (
    "服务职工人数（{total}）少于各群体服务人数之和（{sum}）：请改为不少于 {sum} 的人数，"
    "或核对各群体人数。"
)
MSG_PROJECT_OUTSIDE = "维护服务项目不存在或不在您的管辖范围内：请从列表中选择，或不选。"
MSG_PROJECT_KIND = (
    "项目「{project}」是建会入会项目：服务台账只能关联维护服务项目，请重新选择或不选。"
)
MSG_PROJECT_UNION = (
    "项目「{project}」属于{unit}的行动计划，组织工会「{union}」不在{unit}及其下级中："
    "请选择该单位的项目，或改选组织工会。"
)

RECIPIENT_LABELS = {"id_number": "身份证号", "name": "姓名", "group": "群体"}
MSG_RECIPIENT_GROUP = "群体「{value}」不认识：请从列表中选择，或不选。"
MSG_RECIPIENT_TWICE = "会员{name}已登记在这次活动的服务对象中，没有重复登记。"
MSG_NAME_MISMATCH = (
    "身份证号对应的会员姓名与填写的姓名「{name}」不一致：请核对姓名和身份证号，"
    "或不填姓名只按身份证号登记。"
)


def _require_perm(actor, perm: str) -> None:
    if not actor.has_perm(perm):
        raise PermissionDenied


def _add(errors: dict, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _text(value) -> str:
    return " ".join(str(value or "").split())


def _day(raw, field: str, labels: dict, errors: dict, *, required: bool):
    if raw in (None, ""):
        if required:
            _add(errors, field, MSG_REQUIRED.format(label=labels[field]))
        return None
    day = parse_date(raw)
    if day is None:
        _add(errors, field, MSG_DATE.format(label=labels[field], value=_text(raw)))
    return day


def parse_amount(raw, errors: dict) -> Decimal | None:
    """An amount in 元: blank (no spending) → None; else > 0 with at most two decimals."""
    text = _text(raw).replace(",", "").replace("，", "").removesuffix("元").strip()
    if text == "":
        return None
    try:
        amount = Decimal(text) if not isinstance(raw, Decimal) else raw
    except InvalidOperation:
        _add(errors, "amount", MSG_AMOUNT.format(value=text))
        return None
    if not amount.is_finite():
        _add(errors, "amount", MSG_AMOUNT.format(value=text))
        return None
    if amount <= 0:
        _add(errors, "amount", MSG_AMOUNT_POSITIVE)
        return None
    if amount > AMOUNT_MAX:
        _add(errors, "amount", MSG_AMOUNT_LARGE.format(value=text))
        return None
    if amount.as_tuple().exponent < -2 and amount != amount.quantize(Decimal("0.01")):
        _add(errors, "amount", MSG_AMOUNT_DECIMALS.format(value=text))
        return None
    return amount.quantize(Decimal("0.01"))


def _pk(value):
    return getattr(value, "pk", value) or None


def clean_activity(*, actor, data: dict) -> tuple[dict, dict[str, list[str]]]:
    """Validate a ledger entry: (values for the model, {field: [Chinese messages]})."""
    errors: dict[str, list[str]] = {}
    values: dict = {}
    labels = ACTIVITY_LABELS

    kind = _text(data.get("kind"))
    if not kind:
        _add(errors, "kind", MSG_CHOOSE.format(label=labels["kind"]))
    elif kind not in ActivityKind.values:
        _add(errors, "kind", MSG_KIND.format(value=kind))
    values["kind"] = kind

    for field, limit in (("title", TITLE_MAX), ("note", NOTE_MAX)):
        text = _text(data.get(field)) if field == "title" else str(data.get(field) or "").strip()
        if field == "title" and not text and kind in ActivityKind.values:
            text = str(ActivityKind(kind).label)  # not typed: the kind's name
        if field == "title" and not text:
            _add(errors, field, MSG_REQUIRED.format(label=labels[field]))
        elif len(text) > limit:
            message = MSG_TOO_LONG.format(label=labels[field], limit=limit, count=len(text))
            _add(errors, field, message)
        values[field] = text

    union = data.get("union")
    if union is not None and not isinstance(union, Organization):
        union = Organization.objects.filter(pk=_pk(union)).first()
    if union is None:
        _add(errors, "union", MSG_CHOOSE.format(label=labels["union"]))
    elif not in_jurisdiction(actor, union):
        _add(errors, "union", MSG_UNION_OUTSIDE.format(unit=union.name))
        union = None
    values["union"] = union

    starts = _day(data.get("starts_on"), "starts_on", labels, errors, required=True)
    ends = _day(data.get("ends_on"), "ends_on", labels, errors, required=False)
    if starts and ends and ends < starts:
        _add(errors, "ends_on", MSG_ENDS_BEFORE.format(ends=ends, starts=starts))
    values["starts_on"], values["ends_on"] = starts, ends

    position = None
    if _pk(data.get("position")):
        position = (
            scoped(actor, ServicePosition)
            .select_related("running_union")
            .filter(pk=_pk(data["position"]))
            .first()
        )
        if position is None:
            _add(errors, "position", MSG_POSITION_OUTSIDE)
        elif union is not None and not position.running_union.path.startswith(union.path):
            runner = position.running_union.name
            message = MSG_POSITION_UNION.format(position=position, runner=runner, unit=union.name)
            _add(errors, "position", message)
    values["position"] = position

    values["amount"] = parse_amount(data.get("amount"), errors)

    counts = clean_group_counts(data.get("group_counts"), errors)
    values["group_counts"] = counts
    group_sum = sum(counts.values())
    workers = parse_count(data.get("workers_served"))
    if isinstance(workers, str):
        _add(errors, "workers_served", MSG_WORKERS.format(value=workers))
        workers = None
    elif workers is None:
        workers = group_sum  # not typed: the groups' sum
    elif workers < group_sum and "group_counts" not in errors:
        _add(errors, "workers_served", MSG_WORKERS_SUM.format(total=workers, sum=group_sum))
    values["workers_served"] = workers or 0

    project = None
    if _pk(data.get("project")):
        project = (
            scoped(actor, Project).select_related("plan__unit").filter(pk=_pk(data["project"]))
        ).first()
        if project is None:
            _add(errors, "project", MSG_PROJECT_OUTSIDE)
        elif project.kind != ProjectKind.SERVICE:
            _add(errors, "project", MSG_PROJECT_KIND.format(project=project.name))
        elif union is not None and not union.path.startswith(project.plan.unit.path):
            message = MSG_PROJECT_UNION.format(
                project=project.name, unit=project.plan.unit.name, union=union.name
            )
            _add(errors, "project", message)
    values["project"] = project
    return values, errors


@transaction.atomic
def activity_create(*, actor, data: dict) -> ServiceActivity:
    """Record a service a union in the actor's subtree gave (an entry of the services ledger)."""
    _require_perm(actor, "positions.edit_activity")
    values, errors = clean_activity(actor=actor, data=data)
    if errors:
        raise ValidationError(errors)
    created_by = actor if getattr(actor, "pk", None) else None
    activity = ServiceActivity.objects.create(**values, created_by=created_by)
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=activity,
        org_path=activity.union.path,
        changes={
            k: [None, v] for k, v in snapshot(activity, AUDITED).items() if v not in ("", None)
        },
    )
    return activity


@transaction.atomic
def activity_update(*, actor, activity: ServiceActivity, data: dict) -> ServiceActivity:
    """Correct a ledger entry of the actor's subtree (the new union must be in it too)."""
    _require_perm(actor, "positions.edit_activity")
    activity = ServiceActivity.objects.select_for_update().get(pk=activity.pk)
    if not in_jurisdiction(actor, activity.union):
        raise PermissionDenied
    values, errors = clean_activity(actor=actor, data=data)
    if errors:
        raise ValidationError(errors)
    before = snapshot(activity, AUDITED)
    for field, value in values.items():
        setattr(activity, field, value)
    activity.save()
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=activity,
        org_path=activity.union.path,
        changes=diff(before, snapshot(activity, AUDITED)),
    )
    return activity


# --- the people served -------------------------------------------------------------------


def clean_recipient(raw_number, name, group) -> tuple[dict, dict[str, list[str]]]:
    """Read one person served: the ID number (GB 11643, the registry's message), an optional
    name to check against the member found, an optional group. No query."""
    errors: dict[str, list[str]] = {}
    values: dict = {"number": "", "name": _text(name), "group": ""}
    shown = str(raw_number or "").strip()
    if shown:
        try:
            values["number"] = idnumber.parse(shown).number
        except idnumber.IdNumberError as exc:
            _add(errors, "id_number", exc.message_for(RECIPIENT_LABELS["id_number"]))
    if _text(group):
        code = EIGHT_GROUPS.code_for(group)
        if code is None:
            _add(errors, "group", MSG_RECIPIENT_GROUP.format(value=_text(group)))
        else:
            values["group"] = code
    return values, errors


def _recipient_from(activity: ServiceActivity, values: dict, errors: dict) -> ServiceRecipient:
    member = held_membership(values["number"]) if values["number"] else None
    if member is None:
        # Not a member (or no number given): counted, nothing of the person kept.
        return ServiceRecipient(activity=activity, is_member=False, group=values["group"])
    if values["name"] and values["name"] != member.name:
        _add(errors, "name", MSG_NAME_MISMATCH.format(name=values["name"]))
    return ServiceRecipient(
        activity=activity,
        member=member,
        is_member=True,
        masked_name=mask_name(member.name),
        group=values["group"] or (member.group or ""),
    )


def _check_activity(actor, activity: ServiceActivity) -> None:
    _require_perm(actor, "positions.edit_activity")
    if not in_jurisdiction(actor, activity.union):
        raise PermissionDenied


@transaction.atomic
def recipient_add(
    *, actor, activity: ServiceActivity, id_number: str = "", name: str = "", group: str = ""
) -> ServiceRecipient:
    """Add one person an activity served: a member (matched by the ID number's blind index) is
    kept as a link with a masked name; anyone else is counted with no identity kept."""
    _check_activity(actor, activity)
    values, errors = clean_recipient(id_number, name, group)
    if errors:
        raise ValidationError(errors)
    recipient = _recipient_from(activity, values, errors)
    if errors:
        raise ValidationError(errors)
    if (
        recipient.member_id
        and ServiceRecipient.objects.filter(activity=activity, member=recipient.member).exists()
    ):
        message = MSG_RECIPIENT_TWICE.format(name=recipient.masked_name)
        raise ValidationError({"id_number": [message]})
    recipient.save()
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=recipient,
        org_path=activity.union.path,
        object_repr=f"{activity}：服务对象{recipient}",
        changes={"会员": [None, recipient.is_member], "群体": [None, recipient.group]},
    )
    return recipient


@transaction.atomic
def recipient_remove(*, actor, recipient: ServiceRecipient) -> None:
    """Take a person off an activity's list of people served (a mistaken entry)."""
    activity = recipient.activity
    _check_activity(actor, activity)
    audit_record(
        actor=actor,
        action=Action.DELETE,
        obj=recipient,
        org_path=activity.union.path,
        object_repr=f"{activity}：服务对象{recipient}",
    )
    recipient.delete()


def _row_outcome(activity, row, *, seen: set) -> tuple[ServiceRecipient | None, dict]:
    values, errors = clean_recipient(*row)
    if errors:
        return None, errors
    recipient = _recipient_from(activity, values, errors)
    if errors:
        return None, errors
    if recipient.member_id and (
        recipient.member_id in seen
        or ServiceRecipient.objects.filter(activity=activity, member=recipient.member).exists()
    ):
        return None, {"id_number": [MSG_RECIPIENT_TWICE.format(name=recipient.masked_name)]}
    if recipient.member_id:
        seen.add(recipient.member_id)
    return recipient, {}


def recipient_row(*, actor, activity: ServiceActivity, row, seen: set, write: bool) -> dict:
    """One row of a recipient import: {} when it is (or would be) added, else its errors.
    A commit writes the row in its own savepoint; a check writes nothing."""
    _check_activity(actor, activity)
    recipient, errors = _row_outcome(activity, row, seen=seen)
    if errors or not write:
        return errors
    with transaction.atomic():
        recipient.save()
    return {}


def recipients_imported(*, actor, activity: ServiceActivity, added: int, members: int) -> None:
    """The audit row of a committed recipient import (one for the file, not one per row)."""
    audit_record(
        actor=actor,
        action=Action.IMPORT,
        obj=activity,
        org_path=activity.union.path,
        object_repr=f"{activity}：导入服务对象",
        changes={"新增服务对象": [None, added], "其中会员": [None, members]},
    )
