"""Every change to 项目清单+责任制: one service per step, called from the pages, the importer,
the demo and the API alike.

Each step checks the model guard (`ActionPlan.can_submit(actor)` …) for who may act, locks the
row, checks the guard again on the locked row (someone else may have acted: 「已被他人处理」),
then writes the change, one append-only event and one audit row in one transaction. Bad input
raises ValidationError with a Chinese message that names the field and says how to fix it.
"""

from __future__ import annotations

import datetime
import re
import secrets
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from ruhui.audit.services import Action, audit_record
from ruhui.core import divisions
from ruhui.core.counts import CountError, parse_count
from ruhui.core.private import private_dir
from ruhui.enterprises.models import Enterprise
from ruhui.enterprises.selectors import named_under
from ruhui.orgs.models import Organization, WorkerGroup, validate_phone
from ruhui.orgs.scoping import in_jurisdiction, under
from ruhui.projects.choices import (
    AttachmentPurpose,
    BuildType,
    InspectionKind,
    PlanStatus,
    ProjectKind,
    ProjectStatus,
    ServiceCategory,
    SubsidyStatus,
)
from ruhui.projects.figures import closeout_request
from ruhui.projects.models import (
    ActionPlan,
    Attachment,
    Disbursement,
    Inspection,
    PlanEvent,
    PlanTask,
    Project,
    ProjectEvent,
    ProjectUpdate,
    SelfAssessment,
    SubsidyApplication,
    SubsidyBatch,
    SubsidyEvent,
    parent_unit,
    reviewing_unit,
)
from ruhui.tabular.stored import attach_uploads

MAX_PLANNED = 1_000_000
MSG_TAKEN = "已被他人处理：该{what}现在的状态是「{status}」，请刷新页面查看最新状态。"
MSG_PLAN_LOCKED = "该行动计划已报送市总，不能修改；如需修改，请联系市总退回。"
MSG_PLAN_DONE = "该行动计划已由上级汇总（{status}），不能修改。"
MSG_NOT_OWN_UNIT = "只有{unit}的工作人员可以填报和修改本单位的行动计划。"
MSG_NOT_REVIEWER = "该行动计划由{unit}审核；您所在的单位不能审核它（本单位的计划不能自己审核）。"
MSG_NOT_IN_CAMPAIGN = "{unit}不在「{campaign}」的组织范围内：只有{owner}及其下级单位填报行动计划。"
MSG_REQUIRED = "请填写{label}。"
MSG_DATE = "{label}应为日期，如 2019-06-30。"
MSG_OUTSIDE_WINDOW = "{label} {value} 不在集中行动期间（{start} 至 {end}）内：请改为期间内的日期。"
MSG_END_BEFORE_START = "{label}不能早于实施开始日期 {start}。"
MSG_UNIT_OUTSIDE = "责任单位「{unit}」不在{plan_unit}的下级范围内：请选择本单位或其下级单位。"
MSG_PLANNED = "拟发展会员数应为 0 到 1,000,000 的整数。"
MSG_KIND = "请选择项目类型：建会入会或维护服务。"
MSG_BUILD_TYPE = "请选择建会入会类型：拟建企业工会、拟建行业性区域性工会联合会、拟建基层联合工会或已有工会发展会员。"
MSG_CATEGORY = (
    "请选择服务类别：普惠服务、教育培训、四季送关爱活动、民主管理制度建设或工会服务阵地建设。"
)
MSG_EXISTING_UNION = "类型为「已有工会发展会员」时，请选择已有的工会（本单位或下级单位的工会）。"
MSG_DIVISION = "所在行政区划代码「{value}」不是有效的 6 位行政区划代码：请从列表中选择。"
MSG_GROUP = "八大群体「{value}」不认识：请从列表中选择。"
MSG_ENTERPRISE_UNKNOWN = (
    "涉及企业「{value}」在{unit}及其下级的企业名录中没有找到：请填写名录中的企业全称或 18 位"
    "统一社会信用代码（企业尚未入名录的，先在企业排查中登记）。"
)
MSG_ENTERPRISE_SEVERAL = (
    "涉及企业「{value}」在企业名录中有 {count} 家同名企业：请改填该企业的统一社会信用代码。"
)
MSG_ENTERPRISE_OUTSIDE = "企业「{value}」不在{unit}及其下级的企业名录中：请只选择本单位辖区的企业。"
MSG_ENTERPRISE_MANY = "涉及企业最多填写 {limit} 家：企业更多的，请拆成几个项目或在附件中列出。"
MAX_ENTERPRISES = 50
_ENTERPRISE_SPLIT = re.compile(r"[、，,;；\n]+")
MSG_NO_PROJECTS = "行动计划中还没有项目：请至少列入一个建会入会或维护服务项目后再报送。"
MSG_OPINION = "退回修改时请填写意见，说明需要修改的地方。"
MSG_NOTHING_TO_REPORT = "没有市总已汇总、尚未上报的行动计划：请先汇总各单位报送的计划。"
MSG_NOT_OWNER = "只有{owner}可以把汇总的项目清单上报省总。"
MSG_RECTIFY_BY = "限期整改请填写整改期限，应晚于今天（{today}）。"
MSG_AMOUNT = "{label}「{value}」应为大于 0 的金额，最多两位小数，如 30000 或 30,000.50。"
MSG_AMOUNT_MISSING = "请填写{label}（元）。"
MSG_PURPOSE = "请填写资金用途。"
MSG_SUBSIDY_EXISTS = "该项目已有补助申请（{status}），不能重复申请。"
MSG_SUBSIDY_PROJECT = "项目「{name}」已{status}，不能再申请补助。"
MSG_DECISION = "请选择初审意见：通过、退回修改或不通过。"
MSG_NOTHING_TO_SEND = "没有初审通过、尚未报省总的补助申请。"
MSG_NOTICE = "批准立项时请填写立项通知文号和日期。"
MSG_OVER_BALANCE = "拨付金额 {amount} 元超过了尚未拨付的余额：批准金额 {approved} 元，已拨付 {paid} 元，余额 {balance} 元。"
MSG_VOUCHER = "请填写拨付凭证号。"
MSG_NOT_BELOW = "被检查单位应为{unit}的下级单位。"
MSG_INSPECTION_PROJECT = "项目「{name}」不属于被检查单位{unit}：请只选择该单位的项目。"
MSG_FUTURE = "{label} {value} 晚于今天（{today}）：请填写已经发生的日期。"
MSG_UNION_EXISTING = "「已有工会发展会员」项目按所选的已有工会核验，不需要登记建成的工会。"
MSG_UNION_SERVICE = "维护服务项目不建工会：只有建会入会项目登记建成的工会。"
MSG_UNION_DECIDED = "项目已{status}，建成的工会随认定结果保存，不能再更改。"
MSG_UNION_OUTSIDE = "「{union}」不在责任单位{unit}的下级范围内：请选择责任单位或其下级的工会。"
MSG_UNION_NO_DATE = "「{union}」还没有建会日期：请先在组织详情中填写建会日期，再登记为建成的工会。"
MSG_UNION_NOT_NEW = (
    "「{union}」的建会日期 {founded} 不在集中行动期间（{start} 至 {end}）内："
    "只有行动期间新建的工会才能登记为项目建成的工会。"
)
MSG_UNION_TAKEN = "「{union}」已登记为项目「{other}」建成的工会：一个工会只对应一个建会项目。"

_MONEY_RE = re.compile(r"[0-9]{1,10}(\.[0-9]{1,2})?")
_GROUPED_MONEY_RE = re.compile(r"[0-9]{1,3}(,[0-9]{3})+(\.[0-9]{1,2})?")


# ---------------------------------------------------------------- shared checks


def _error(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def _taken(what: str, status_label) -> ValidationError:
    return ValidationError(MSG_TAKEN.format(what=what, status=status_label))


def _date(value, label: str, field: str) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip().replace("/", "-").replace(".", "-"))
    except ValueError:
        raise _error(field, MSG_DATE.format(label=label)) from None


def _in_window(campaign, day: datetime.date, label: str, field: str) -> None:
    if not campaign.starts_on <= day <= campaign.ends_on:
        raise _error(
            field,
            MSG_OUTSIDE_WINDOW.format(
                label=label, value=day, start=campaign.starts_on, end=campaign.ends_on
            ),
        )


def parse_money(value, *, label: str, field: str) -> Decimal:
    """An amount in yuan as typed (30000, 30,000.50, ３００００): > 0, at most two decimals."""
    if value in (None, ""):
        raise _error(field, MSG_AMOUNT_MISSING.format(label=label))
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        amount = Decimal(value)
        text = str(value)
    else:
        text = str(value).strip().translate({0xFF10 + i: str(i) for i in range(10)})
        text = text.replace("，", ",").replace("．", ".").removesuffix("元").strip()
        if not (_MONEY_RE.fullmatch(text) or _GROUPED_MONEY_RE.fullmatch(text)):
            raise _error(field, MSG_AMOUNT.format(label=label, value=str(value)[:20]))
        try:
            amount = Decimal(text.replace(",", ""))
        except InvalidOperation:
            raise _error(field, MSG_AMOUNT.format(label=label, value=str(value)[:20])) from None
    if (
        amount <= 0
        or amount.as_tuple().exponent < -2
        or amount >= Decimal("10000000000")
        or not amount.is_finite()
    ):
        raise _error(field, MSG_AMOUNT.format(label=label, value=text[:20]))
    return amount.quantize(Decimal("0.01"))


def _actor_name(actor) -> str:
    return (getattr(actor, "display_name", "") or getattr(actor, "username", "") or "")[:60]


def _require_perm(actor, perm: str) -> None:
    if not actor.has_perm(perm):
        raise PermissionDenied


# ---------------------------------------------------------------- plans


def _plan_scope_error(plan: ActionPlan) -> ValidationError:
    if plan.status == PlanStatus.SUBMITTED:
        return ValidationError(MSG_PLAN_LOCKED)
    return ValidationError(MSG_PLAN_DONE.format(status=plan.get_status_display()))


def _check_edit(actor, plan: ActionPlan) -> None:
    """The plan's own unit, while it is a draft or returned."""
    _require_perm(actor, "projects.edit_plan")
    if actor.organization_id != plan.unit_id:
        raise PermissionDenied(MSG_NOT_OWN_UNIT.format(unit=plan.unit.name))
    if not plan.editable:
        raise _plan_scope_error(plan)


def _lock_plan(plan: ActionPlan) -> ActionPlan:
    return (
        ActionPlan.objects.select_for_update()
        .select_related("campaign__owner", "unit")
        .get(pk=plan.pk)
    )


def _plan_event(plan: ActionPlan, actor, before: str, opinion: str = "", **extra) -> PlanEvent:
    event = PlanEvent.objects.create(
        plan=plan,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=_actor_name(actor),
        actor_unit_id=getattr(actor, "organization_id", None),
        from_status=before,
        to_status=plan.status,
        opinion=opinion,
        **extra,
    )
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=plan,
        org_path=plan.unit.path,
        changes={
            "状态": [PlanStatus(before).label if before else None, plan.get_status_display()],
            **({"意见": [None, opinion]} if opinion else {}),
        },
    )
    return event


@transaction.atomic
def plan_open(*, actor, campaign, unit: Organization | None = None) -> ActionPlan:
    """The plan of `unit` (default: the actor's own) in `campaign`, created as a draft when
    missing. The unit must be the campaign's owner or below it."""
    _require_perm(actor, "projects.view_plan")
    unit = unit or actor.organization
    if unit is None or not in_jurisdiction(actor, unit):
        raise PermissionDenied
    if reviewing_unit(campaign, unit) is None and unit.pk != campaign.owner_id:
        raise ValidationError(
            MSG_NOT_IN_CAMPAIGN.format(
                unit=unit.name, campaign=campaign.name, owner=campaign.owner.name
            )
        )
    plan = ActionPlan.objects.filter(campaign=campaign, unit=unit).first()
    if plan is not None:
        return plan
    _require_perm(actor, "projects.edit_plan")
    if actor.organization_id != unit.pk:
        raise PermissionDenied(MSG_NOT_OWN_UNIT.format(unit=unit.name))
    plan, created = ActionPlan.objects.get_or_create(
        campaign=campaign,
        unit=unit,
        defaults={"created_by": actor if getattr(actor, "pk", None) else None},
    )
    if created:
        _plan_event(plan, actor, "")
    return plan


PLAN_FIELDS = {
    "leader_name": "责任领导",
    "leader_title": "责任领导职务",
    "contact_name": "联系人",
    "contact_phone": "联系电话",
    "scheme_submitted_on": "实施方案出台日期",
}


@transaction.atomic
def plan_update(*, actor, plan: ActionPlan, data: dict) -> ActionPlan:
    """The plan's header: leader, contact, the date its 实施方案 was issued."""
    plan = _lock_plan(plan)
    _check_edit(actor, plan)
    errors: dict[str, list[str]] = {}
    before = {field: getattr(plan, field) for field in PLAN_FIELDS}
    for field in PLAN_FIELDS:
        if field not in data:
            continue
        value = data[field]
        if field == "scheme_submitted_on":
            try:
                value = _date(value, PLAN_FIELDS[field], field)
            except ValidationError as error:
                errors.update(error.message_dict)
                continue
            if value and value > timezone.localdate():
                errors[field] = [
                    MSG_FUTURE.format(
                        label=PLAN_FIELDS[field], value=value, today=timezone.localdate()
                    )
                ]
                continue
        else:
            value = str(value or "").strip()
            if field == "contact_phone":
                try:
                    validate_phone(value)
                except ValidationError as error:
                    errors[field] = [f"联系电话：{m}" for m in error.messages]
                    continue
            limit = ActionPlan._meta.get_field(field).max_length
            if len(value) > limit:
                errors[field] = [f"{PLAN_FIELDS[field]}最多 {limit} 个字。"]
                continue
        setattr(plan, field, value)
    if errors:
        raise ValidationError(errors)
    plan.save()
    changes = {
        PLAN_FIELDS[f]: [before[f], getattr(plan, f)]
        for f in PLAN_FIELDS
        if before[f] != getattr(plan, f)
    }
    if changes:
        audit_record(
            actor=actor, action=Action.UPDATE, obj=plan, org_path=plan.unit.path, changes=changes
        )
    return plan


def _attach(actor, plan: ActionPlan, uploads, purpose: str, **owner) -> list[Attachment]:
    """Check, keep and record every upload (`tabular.stored.attach_uploads`)."""
    return attach_uploads(
        Attachment, uploads, actor=actor, field="file", plan=plan, purpose=purpose, **owner
    )


@transaction.atomic
def plan_attach(
    *, actor, plan: ActionPlan, upload, purpose: str = AttachmentPurpose.SCHEME
) -> Attachment:
    """The plan's 实施方案 (or another file kept with the plan): checked, stored privately."""
    plan = _lock_plan(plan)
    _check_edit(actor, plan)
    (row,) = _attach(actor, plan, [upload], purpose)
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=row,
        org_path=plan.unit.path,
        object_repr=f"{plan.unit.name} {row.get_purpose_display()}",
        changes={"附件": [None, row.original_name]},
    )
    return row


TASK_FIELDS = {
    "task": "工作任务",
    "owner": "责任人/责任部门",
    "due_on": "完成时限",
    "done_on": "完成日期",
}


@transaction.atomic
def task_save(*, actor, plan: ActionPlan, data: dict, task: PlanTask | None = None) -> PlanTask:
    """A line of the plan's work list (工作清单、时间表和路线图)."""
    plan = _lock_plan(plan)
    _check_edit(actor, plan)
    if task is not None and task.plan_id != plan.pk:
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    values = {}
    for field in ("task", "owner"):
        text = str(data.get(field) or "").strip()
        limit = PlanTask._meta.get_field(field).max_length
        if not text:
            errors[field] = [MSG_REQUIRED.format(label=TASK_FIELDS[field])]
        elif len(text) > limit:
            errors[field] = [f"{TASK_FIELDS[field]}最多 {limit} 个字。"]
        values[field] = text
    for field in ("due_on", "done_on"):
        try:
            values[field] = _date(data.get(field), TASK_FIELDS[field], field)
        except ValidationError as error:
            errors.update(error.message_dict)
    if "due_on" not in errors and values.get("due_on") is None:
        errors["due_on"] = [MSG_REQUIRED.format(label="完成时限")]
    elif values.get("due_on"):
        try:
            _in_window(plan.campaign, values["due_on"], "完成时限", "due_on")
        except ValidationError as error:
            errors.update(error.message_dict)
    done = values.get("done_on")
    if done and done > timezone.localdate():
        errors["done_on"] = [
            MSG_FUTURE.format(label="完成日期", value=done, today=timezone.localdate())
        ]
    if errors:
        raise ValidationError(errors)
    created = task is None
    if created:
        task = PlanTask(plan=plan, position=plan.tasks.count() + 1)
    for field, value in values.items():
        setattr(task, field, value)
    task.save()
    audit_record(
        actor=actor,
        action=Action.CREATE if created else Action.UPDATE,
        obj=task,
        org_path=plan.unit.path,
        changes={TASK_FIELDS[f]: [None, v] for f, v in values.items()},
    )
    return task


@transaction.atomic
def task_delete(*, actor, task: PlanTask) -> None:
    plan = _lock_plan(task.plan)
    _check_edit(actor, plan)
    audit_record(
        actor=actor,
        action=Action.DELETE,
        obj=task,
        org_path=plan.unit.path,
        changes={"工作任务": [task.task, None]},
    )
    task.delete()


PROJECT_LABELS = {
    "kind": "项目类型",
    "build_type": "建会入会类型",
    "category": "服务类别",
    "name": "项目名称",
    "division_code": "所在行政区划",
    "address": "地点",
    "planned_members": "拟发展会员数",
    "existing_union": "已有工会",
    "enterprises": "涉及企业",
    "responsible_unit": "责任单位",
    "responsible_person": "责任人",
    "responsible_phone": "责任人电话",
    "due_on": "完成时间",
    "starts_on": "实施开始",
    "ends_on": "实施结束",
    "planned_coverage": "拟覆盖职工人数",
    "groups": "八大群体",
}


def clean_project(plan: ActionPlan, data: dict) -> tuple[dict, dict[str, list[str]]]:
    """The project fields of `data` checked against the plan (its window, its unit's subtree):
    (values, errors). Shared by the form, the importer and the API."""
    campaign, unit = plan.campaign, plan.unit
    errors: dict[str, list[str]] = {}
    values: dict = {}

    def fail(field, message):
        errors.setdefault(field, []).append(message)

    kind = str(data.get("kind") or "").strip()
    if kind not in ProjectKind.values:
        fail("kind", MSG_KIND)
    values["kind"] = kind
    values["build_type"] = values["category"] = ""
    if kind == ProjectKind.BUILD:
        build_type = str(data.get("build_type") or "").strip()
        if build_type not in BuildType.values:
            fail("build_type", MSG_BUILD_TYPE)
        values["build_type"] = build_type
    elif kind == ProjectKind.SERVICE:
        category = str(data.get("category") or "").strip()
        if category not in ServiceCategory.values:
            fail("category", MSG_CATEGORY)
        values["category"] = category
    for field in ("name", "address", "responsible_person"):
        text = str(data.get(field) or "").strip()
        limit = Project._meta.get_field(field).max_length
        if len(text) > limit:
            fail(field, f"{PROJECT_LABELS[field]}最多 {limit} 个字。")
        values[field] = text
    if not values["name"]:
        fail(
            "name",
            MSG_REQUIRED.format(label="拟建工会名称" if kind == ProjectKind.BUILD else "项目名称"),
        )
    phone = str(data.get("responsible_phone") or "").strip()
    try:
        validate_phone(phone)
    except ValidationError as error:
        for message in error.messages:
            fail("responsible_phone", f"责任人电话：{message}")
    values["responsible_phone"] = phone
    responsible = data.get("responsible_unit")
    if responsible is None:
        fail("responsible_unit", MSG_REQUIRED.format(label="责任单位"))
    elif not responsible.path.startswith(unit.path):
        fail(
            "responsible_unit", MSG_UNIT_OUTSIDE.format(unit=responsible.name, plan_unit=unit.name)
        )
    values["responsible_unit"] = responsible
    for field in ("planned_members", "planned_coverage"):
        raw = data.get(field)
        try:
            values[field] = parse_count(raw, label=PROJECT_LABELS[field], maximum=MAX_PLANNED)
        except CountError as error:
            fail(field, MSG_PLANNED if field == "planned_members" else str(error))
    for field in ("due_on", "starts_on", "ends_on"):
        try:
            day = _date(data.get(field), PROJECT_LABELS[field], field)
        except ValidationError as error:
            errors.update(error.message_dict)
            continue
        if day is not None:
            try:
                _in_window(campaign, day, PROJECT_LABELS[field], field)
            except ValidationError as error:
                errors.update(error.message_dict)
        values[field] = day
    values["division_code"] = str(data.get("division_code") or "").strip()
    if values["division_code"] and divisions.get(values["division_code"]) is None:
        fail("division_code", MSG_DIVISION.format(value=values["division_code"]))
    existing = data.get("existing_union")
    values["existing_union"] = None
    if kind == ProjectKind.BUILD:
        if values.get("due_on") is None and "due_on" not in errors:
            fail("due_on", MSG_REQUIRED.format(label="完成时间"))
        if values.get("planned_members") is None and "planned_members" not in errors:
            fail("planned_members", MSG_REQUIRED.format(label="拟发展会员数"))
        if values["build_type"] == BuildType.EXISTING:
            if existing is None or not existing.path.startswith(unit.path):
                fail("existing_union", MSG_EXISTING_UNION)
            values["existing_union"] = existing
        values["starts_on"] = values["ends_on"] = None
        values["planned_coverage"] = None
    elif kind == ProjectKind.SERVICE:
        for field in ("starts_on", "ends_on"):
            if values.get(field) is None and field not in errors:
                fail(field, MSG_REQUIRED.format(label=PROJECT_LABELS[field]))
        starts, ends = values.get("starts_on"), values.get("ends_on")
        if starts and ends and ends < starts:
            fail("ends_on", MSG_END_BEFORE_START.format(label="实施结束", start=starts))
        if values.get("planned_coverage") is None and "planned_coverage" not in errors:
            fail("planned_coverage", MSG_REQUIRED.format(label="拟覆盖职工人数"))
        values["planned_members"] = None
        values["due_on"] = values.get("ends_on")
    groups = data.get("groups") or []
    known = {g.code: g for g in WorkerGroup.objects.all()}
    by_name = {g.name: g for g in known.values()}
    chosen = []
    for code in groups:
        group = code if isinstance(code, WorkerGroup) else known.get(code) or by_name.get(code)
        if group is None:
            fail("groups", MSG_GROUP.format(value=code))
        else:
            chosen.append(group)
    values["groups"] = chosen
    values["enterprises"] = _enterprises(unit, data.get("enterprises"), fail)
    if kind == ProjectKind.SERVICE:
        values["enterprises"] = []
    return values, errors


def _enterprises(unit: Organization, given, fail) -> list[Enterprise]:
    """涉及企业: Enterprise rows, or a text of names / 统一社会信用代码 separated by 、，,; or new
    lines (as typed on the form or in an import), each naming one enterprise of the plan
    unit's subtree."""
    if not given:
        return []
    if isinstance(given, str):
        texts = list(dict.fromkeys(t.strip() for t in _ENTERPRISE_SPLIT.split(given) if t.strip()))
        if len(texts) > MAX_ENTERPRISES:
            fail("enterprises", MSG_ENTERPRISE_MANY.format(limit=MAX_ENTERPRISES))
            return []
        found = named_under(unit, texts)
        chosen = []
        for text in texts:
            matches = found[text]
            if not matches:
                fail("enterprises", MSG_ENTERPRISE_UNKNOWN.format(value=text, unit=unit.name))
            elif len(matches) > 1:
                fail("enterprises", MSG_ENTERPRISE_SEVERAL.format(value=text, count=len(matches)))
            elif matches[0] not in chosen:
                chosen.append(matches[0])
        return chosen
    chosen = list(dict.fromkeys(given))
    inside = set(
        under(unit, Enterprise).filter(pk__in=[e.pk for e in chosen]).values_list("pk", flat=True)
    )
    for enterprise in chosen:
        if enterprise.pk not in inside:
            fail(
                "enterprises", MSG_ENTERPRISE_OUTSIDE.format(value=enterprise.name, unit=unit.name)
            )
    return [e for e in chosen if e.pk in inside]


@transaction.atomic
def project_save(*, actor, plan: ActionPlan, data: dict, project: Project | None = None) -> Project:
    """Add a project to the plan, or correct one (only while the plan is editable)."""
    plan = _lock_plan(plan)
    _check_edit(actor, plan)
    if project is not None and project.plan_id != plan.pk:
        raise PermissionDenied
    values, errors = clean_project(plan, data)
    if errors:
        raise ValidationError(errors)
    groups, enterprises = values.pop("groups"), values.pop("enterprises")
    created = project is None
    if created:
        project = Project(plan=plan, position=plan.projects.count() + 1)
        before = {}
    else:
        before = {f: getattr(project, f) for f in values}
    for field, value in values.items():
        setattr(project, field, value)
    project.save()
    project.groups.set(groups)
    project.enterprises.set(enterprises)
    changes = {
        PROJECT_LABELS[f]: [before.get(f), v] for f, v in values.items() if before.get(f) != v
    }
    audit_record(
        actor=actor,
        action=Action.CREATE if created else Action.UPDATE,
        obj=project,
        org_path=plan.unit.path,
        changes=changes,
    )
    return project


@transaction.atomic
def project_delete(*, actor, project: Project) -> None:
    plan = _lock_plan(project.plan)
    _check_edit(actor, plan)
    audit_record(
        actor=actor,
        action=Action.DELETE,
        obj=project,
        org_path=plan.unit.path,
        changes={"项目名称": [project.name, None]},
    )
    project.delete()


@transaction.atomic
def plan_submit(*, actor, plan: ActionPlan) -> ActionPlan:
    """草稿 / 退回修改 → 已报送: from now on read-only to its own unit."""
    if not plan.can_submit(actor):
        _check_edit(actor, plan)  # says why
    locked = _lock_plan(plan)
    if not locked.can_submit(actor):
        raise _taken("行动计划", locked.get_status_display())
    if not locked.projects.exists():
        raise ValidationError(MSG_NO_PROJECTS)
    before = locked.status
    locked.status = PlanStatus.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.save(update_fields=["status", "submitted_at", "updated_at"])
    _plan_event(locked, actor, before)
    return locked


def _check_review(actor, plan: ActionPlan) -> None:
    _require_perm(actor, "projects.review_plan")
    reviewer = plan.reviewer
    if reviewer is None or actor.organization_id != reviewer.pk:
        raise PermissionDenied(
            MSG_NOT_REVIEWER.format(unit=reviewer.name if reviewer else "上级工会")
        )


@transaction.atomic
def plan_return(*, actor, plan: ActionPlan, opinion: str) -> ActionPlan:
    """已报送 → 退回修改, with the reviewer's opinion."""
    _check_review(actor, plan)
    opinion = str(opinion or "").strip()
    if not opinion:
        raise _error("opinion", MSG_OPINION)
    locked = _lock_plan(plan)
    if not locked.can_review(actor):
        raise _taken("行动计划", locked.get_status_display())
    before = locked.status
    locked.status = PlanStatus.RETURNED
    locked.save(update_fields=["status", "updated_at"])
    _plan_event(locked, actor, before, opinion)
    return locked


@transaction.atomic
def plan_consolidate(*, actor, plan: ActionPlan, opinion: str = "") -> ActionPlan:
    """已报送 → 市总已汇总; its listed projects are 已立项."""
    _check_review(actor, plan)
    locked = _lock_plan(plan)
    if not locked.can_review(actor):
        raise _taken("行动计划", locked.get_status_display())
    before = locked.status
    locked.status = PlanStatus.CONSOLIDATED
    locked.save(update_fields=["status", "updated_at"])
    _plan_event(locked, actor, before, str(opinion or "").strip())
    for project in locked.projects.select_for_update().filter(status=ProjectStatus.LISTED):
        _project_step(project, actor, ProjectStatus.APPROVED, "行动计划已汇总")
    return locked


def _frozen_path(campaign) -> Path:
    folder = private_dir(Path(settings.RUHUI_ATTACHMENTS) / "frozen")
    stamp = timezone.localtime().strftime("%Y%m%d%H%M%S")
    return folder / f"{campaign.slug}-{stamp}-{secrets.token_hex(4)}.xlsx"


@transaction.atomic
def campaign_report(*, actor, campaign) -> list[ActionPlan]:
    """Every consolidated plan of the campaign → 已报省总, in one action of the campaign owner's
    reviewers; the consolidated list, as it stands, is kept as an xlsx with each event."""
    from ruhui.projects.documents import write_consolidated_xlsx

    _require_perm(actor, "projects.review_plan")
    if actor.organization_id != campaign.owner_id:
        raise PermissionDenied(MSG_NOT_OWNER.format(owner=campaign.owner.name))
    plans = list(
        ActionPlan.objects.select_for_update()
        .select_related("campaign__owner", "unit")
        .filter(campaign=campaign, status=PlanStatus.CONSOLIDATED)
        .exclude(unit=campaign.owner)
        .order_by("unit__path")
    )
    if not plans:
        raise ValidationError(MSG_NOTHING_TO_REPORT)
    path = _frozen_path(campaign)
    write_consolidated_xlsx(plans, path)
    name = f"{campaign.name}“项目清单+责任制”行动计划汇总表.xlsx"
    try:
        for plan in plans:
            before = plan.status
            plan.status = PlanStatus.REPORTED
            plan.save(update_fields=["status", "updated_at"])
            _plan_event(plan, actor, before, frozen_file=str(path), frozen_name=name)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return plans


# ---------------------------------------------------------------- projects


def _lock_project(project: Project) -> Project:
    return (
        Project.objects.select_for_update(of=("self",))
        .select_related("plan__campaign__owner", "plan__unit")
        .get(pk=project.pk)
    )


def _project_step(project: Project, actor, status: str, opinion: str = "", **extra) -> ProjectEvent:
    before = project.status
    project.status = status
    update = ["status", "updated_at"]
    if "rectify_by" in extra:
        project.rectify_by = extra["rectify_by"]
        update.append("rectify_by")
    project.save(update_fields=update)
    event = ProjectEvent.objects.create(
        project=project,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=_actor_name(actor),
        from_status=before,
        to_status=status,
        opinion=opinion,
        **extra,
    )
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=project,
        org_path=project.plan.unit.path,
        changes={
            "状态": [ProjectStatus(before).label, ProjectStatus(status).label],
            **({"意见": [None, opinion]} if opinion else {}),
            **({"整改期限": [None, extra["rectify_by"]]} if extra.get("rectify_by") else {}),
        },
    )
    return event


def _check_work(actor, project: Project) -> None:
    _require_perm(actor, "projects.edit_plan")
    if actor.organization_id != project.plan.unit_id:
        raise PermissionDenied(MSG_NOT_OWN_UNIT.format(unit=project.plan.unit.name))


@transaction.atomic
def project_start(*, actor, project: Project) -> Project:
    """已立项 → 实施中."""
    _check_work(actor, project)
    locked = _lock_project(project)
    if not locked.can_start(actor):
        raise _taken("项目", locked.get_status_display())
    _project_step(locked, actor, ProjectStatus.IN_PROGRESS)
    return locked


@transaction.atomic
def project_update_add(*, actor, project: Project, on, text: str, uploads=()) -> ProjectUpdate:
    """推进实施: a dated note of progress, with its photos and documents."""
    _check_work(actor, project)
    locked = _lock_project(project)
    errors = {}
    try:
        day = _date(on, "日期", "on")
    except ValidationError as error:
        errors.update(error.message_dict)
        day = None
    if day is None and "on" not in errors:
        errors["on"] = [MSG_REQUIRED.format(label="日期")]
    elif day and day > timezone.localdate():
        errors["on"] = [MSG_FUTURE.format(label="日期", value=day, today=timezone.localdate())]
    text = str(text or "").strip()
    if not text:
        errors["text"] = [MSG_REQUIRED.format(label="进展情况")]
    if errors:
        raise ValidationError(errors)
    update = ProjectUpdate.objects.create(
        project=locked, on=day, text=text, author=actor if getattr(actor, "pk", None) else None
    )
    files = _attach(actor, locked.plan, uploads, AttachmentPurpose.UPDATE, update=update)
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=update,
        org_path=locked.plan.unit.path,
        changes={"进展情况": [None, text], "附件": [None, [f.original_name for f in files]]},
    )
    return update


@transaction.atomic
def project_union_link(*, actor, project: Project, union: Organization | None) -> Project:
    """推进实施: the union founded for a 建会入会 project (a grassroots union in the responsible
    unit's subtree, founded inside the campaign window, claimed by no other project of the
    campaign), or None to take a wrong one back. Its new members are what the close-out
    counts, so the campaign's close-out figures are recomputed after commit."""
    _check_work(actor, project)
    locked = _lock_project(project)
    campaign = locked.plan.campaign
    if locked.kind != ProjectKind.BUILD:
        raise _error("union", MSG_UNION_SERVICE)
    if locked.build_type == BuildType.EXISTING:
        raise _error("union", MSG_UNION_EXISTING)
    if locked.status in (ProjectStatus.CLOSED, ProjectStatus.FAILED):
        raise _error("union", MSG_UNION_DECIDED.format(status=locked.get_status_display()))
    if union is not None:
        responsible = locked.responsible_unit
        if not union.path.startswith(responsible.path):
            raise _error("union", MSG_UNION_OUTSIDE.format(union=union.name, unit=responsible.name))
        if union.founded_on is None:
            raise _error("union", MSG_UNION_NO_DATE.format(union=union.name))
        if not campaign.starts_on <= union.founded_on <= campaign.ends_on:
            raise _error(
                "union",
                MSG_UNION_NOT_NEW.format(
                    union=union.name,
                    founded=union.founded_on,
                    start=campaign.starts_on,
                    end=campaign.ends_on,
                ),
            )
        other = (
            Project.objects.filter(plan__campaign=campaign, founded_union=union)
            .exclude(pk=locked.pk)
            .first()
        )
        if other is not None:
            raise _error("union", MSG_UNION_TAKEN.format(union=union.name, other=other.name))
    before = locked.founded_union
    if (before.pk if before else None) == (union.pk if union else None):
        return locked
    locked.founded_union = union
    locked.save(update_fields=["founded_union", "updated_at"])
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=locked,
        org_path=locked.plan.unit.path,
        changes={
            "建成的工会": [
                before.name if before else None,
                f"{union.name}（建会日期 {union.founded_on}）" if union else None,
            ]
        },
    )
    closeout_request([campaign.pk])
    return locked


@transaction.atomic
def assessment_submit(*, actor, project: Project, data: dict, uploads=()) -> SelfAssessment:
    """绩效自评报告: 实施中 / 限期整改 → 自评已提交."""
    _check_work(actor, project)
    locked = _lock_project(project)
    if not locked.can_assess(actor):
        raise _taken("项目", locked.get_status_display())
    errors: dict[str, list[str]] = {}
    text = str(data.get("text") or "").strip()
    if not text:
        errors["text"] = [MSG_REQUIRED.format(label="自评情况")]
    claimed = {}
    for field, label in (
        ("claimed_members", "自报发展会员数"),
        ("claimed_coverage", "自报覆盖职工人数"),
    ):
        try:
            claimed[field] = parse_count(data.get(field), label=label, maximum=MAX_PLANNED)
        except CountError as error:
            errors[field] = [str(error)]
    if locked.kind == ProjectKind.BUILD and claimed.get("claimed_members") is None:
        errors.setdefault("claimed_members", [MSG_REQUIRED.format(label="自报发展会员数")])
    if locked.kind == ProjectKind.SERVICE and claimed.get("claimed_coverage") is None:
        errors.setdefault("claimed_coverage", [MSG_REQUIRED.format(label="自报覆盖职工人数")])
    if errors:
        raise ValidationError(errors)
    assessment = SelfAssessment.objects.create(
        project=locked,
        text=text,
        submitted_by=actor if getattr(actor, "pk", None) else None,
        **claimed,
    )
    _project_step(locked, actor, ProjectStatus.ASSESSED, text[:200])
    _attach(actor, locked.plan, uploads, AttachmentPurpose.ASSESSMENT, assessment=assessment)
    return assessment


@transaction.atomic
def project_decide(
    *, actor, project: Project, qualified: bool, opinion: str = "", rectify_by=None
) -> Project:
    """审核认定 of a self-assessment, against the records: 合格·已销账, or 限期整改 with a
    deadline; after a 限期整改, an unqualified project is 不合格. The event keeps the figures
    the decision was taken on."""
    from ruhui.projects.figures import project_figures

    _require_perm(actor, "projects.review_plan")
    reviewer = project.plan.reviewer
    if reviewer is None or actor.organization_id != reviewer.pk:
        raise PermissionDenied(MSG_NOT_REVIEWER.format(unit=reviewer.name if reviewer else ""))
    locked = _lock_project(project)
    if not locked.can_decide(actor):
        raise _taken("项目", locked.get_status_display())
    opinion = str(opinion or "").strip()
    figures = project_figures(locked)
    if qualified:
        _project_step(locked, actor, ProjectStatus.CLOSED, opinion, figures=figures)
        return locked
    rectified_before = locked.events.filter(to_status=ProjectStatus.RECTIFYING).exists()
    if rectified_before:
        _project_step(locked, actor, ProjectStatus.FAILED, opinion, figures=figures)
        return locked
    today = timezone.localdate()
    try:
        deadline = _date(rectify_by, "整改期限", "rectify_by")
    except ValidationError:
        deadline = None
    if deadline is None or deadline <= today:
        raise _error("rectify_by", MSG_RECTIFY_BY.format(today=today))
    if not opinion:
        raise _error("opinion", "限期整改时请填写意见，说明需要整改的问题。")
    _project_step(
        locked, actor, ProjectStatus.RECTIFYING, opinion, figures=figures, rectify_by=deadline
    )
    return locked


# ---------------------------------------------------------------- subsidies


def _lock_subsidy(subsidy: SubsidyApplication) -> SubsidyApplication:
    return (
        SubsidyApplication.objects.select_for_update(of=("self",))
        .select_related("project__plan__campaign__owner", "project__plan__unit", "applicant_unit")
        .get(pk=subsidy.pk)
    )


def _subsidy_step(
    subsidy: SubsidyApplication, actor, status: str, opinion: str = "", amount=None
) -> SubsidyEvent:
    before = subsidy.status
    subsidy.status = status
    subsidy.save()
    event = SubsidyEvent.objects.create(
        subsidy=subsidy,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=_actor_name(actor),
        from_status=before,
        to_status=status,
        opinion=opinion,
        amount=amount,
    )
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=subsidy,
        org_path=subsidy.project.plan.unit.path,
        changes={
            "状态": [SubsidyStatus(before).label, SubsidyStatus(status).label],
            **({"意见": [None, opinion]} if opinion else {}),
            **({"金额（元）": [None, amount]} if amount is not None else {}),
        },
    )
    return event


@transaction.atomic
def subsidy_apply(*, actor, project: Project, amount, purpose: str) -> SubsidyApplication:
    """A project's 立项申请 for a province subsidy, by the plan's own unit; a returned one is
    corrected and sent again."""
    _check_work(actor, project)
    locked = _lock_project(project)
    errors: dict[str, list[str]] = {}
    try:
        money = parse_money(amount, label="申请金额", field="amount_requested")
    except ValidationError as error:
        errors.update(error.message_dict)
    purpose = str(purpose or "").strip()
    if not purpose:
        errors["purpose"] = [MSG_PURPOSE]
    if errors:
        raise ValidationError(errors)
    if locked.status in (ProjectStatus.CLOSED, ProjectStatus.FAILED):
        raise ValidationError(
            MSG_SUBSIDY_PROJECT.format(name=locked.name, status=locked.get_status_display())
        )
    existing = SubsidyApplication.objects.select_for_update().filter(project=locked).first()
    if existing is not None:
        if existing.status != SubsidyStatus.RETURNED:
            raise ValidationError(MSG_SUBSIDY_EXISTS.format(status=existing.get_status_display()))
        existing.amount_requested, existing.purpose = money, purpose
        existing.applicant = actor
        _subsidy_step(existing, actor, SubsidyStatus.SUBMITTED, "修改后重新申请", money)
        return existing
    subsidy = SubsidyApplication.objects.create(
        project=locked,
        amount_requested=money,
        purpose=purpose,
        applicant=actor,
        applicant_unit=locked.plan.unit,
    )
    SubsidyEvent.objects.create(
        subsidy=subsidy,
        actor=actor,
        actor_name=_actor_name(actor),
        to_status=SubsidyStatus.SUBMITTED,
        amount=money,
    )
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=subsidy,
        org_path=locked.plan.unit.path,
        changes={"申请金额（元）": [None, money], "资金用途": [None, purpose]},
    )
    return subsidy


def _check_approver(actor, subsidy: SubsidyApplication, unit: Organization) -> None:
    _require_perm(actor, "projects.review_subsidy")
    if actor.organization_id != unit.pk:
        raise PermissionDenied(f"该步骤由{unit.name}办理。")
    if actor.pk == subsidy.applicant_id or actor.organization_id == subsidy.applicant_unit_id:
        raise PermissionDenied("申请人及其所在单位不能审核本单位的补助申请。")


@transaction.atomic
def subsidy_city_review(
    *, actor, subsidy: SubsidyApplication, decision: str, opinion: str = "", recommended_amount=None
) -> SubsidyApplication:
    """市总初审: recommend (with the recommended amount), return for correction, or reject."""
    _check_approver(actor, subsidy, subsidy.project.plan.campaign.owner)
    if decision not in ("recommend", "return", "reject"):
        raise _error("decision", MSG_DECISION)
    opinion = str(opinion or "").strip()
    amount = None
    if decision == "recommend":
        amount = parse_money(
            subsidy.amount_requested if recommended_amount in (None, "") else recommended_amount,
            label="初审建议金额",
            field="recommended_amount",
        )
    elif not opinion:
        raise _error("opinion", "退回或不通过时请填写意见。")
    locked = _lock_subsidy(subsidy)
    if not locked.can_city_review(actor):
        raise _taken("补助申请", locked.get_status_display())
    status = {
        "recommend": SubsidyStatus.RECOMMENDED,
        "return": SubsidyStatus.RETURNED,
        "reject": SubsidyStatus.REJECTED,
    }[decision]
    if amount is not None:
        locked.recommended_amount = amount
    _subsidy_step(locked, actor, status, opinion, amount)
    return locked


@transaction.atomic
def subsidy_send_up(*, actor, campaign) -> SubsidyBatch:
    """市总初审汇总后报省总: every recommended application of the campaign, in one batch."""
    _require_perm(actor, "projects.review_subsidy")
    if actor.organization_id != campaign.owner_id:
        raise PermissionDenied(f"只有{campaign.owner.name}可以把补助申请汇总报省总。")
    waiting = list(
        SubsidyApplication.objects.select_for_update(of=("self",))
        .select_related("project__plan__unit")
        .filter(project__plan__campaign=campaign, status=SubsidyStatus.RECOMMENDED)
        .order_by("pk")
    )
    if not waiting:
        raise ValidationError(MSG_NOTHING_TO_SEND)
    batch = SubsidyBatch.objects.create(campaign=campaign, unit=campaign.owner, sent_by=actor)
    for subsidy in waiting:
        subsidy.batch = batch
        _subsidy_step(subsidy, actor, SubsidyStatus.SENT, f"第 {batch.pk} 批报省总审核")
    return batch


@transaction.atomic
def subsidy_province_review(
    *,
    actor,
    subsidy: SubsidyApplication,
    approve: bool,
    opinion: str = "",
    approved_amount=None,
    notice_number: str = "",
    notice_on=None,
) -> SubsidyApplication:
    """省总审核. Above RUHUI_SUBSIDY_DUAL_APPROVAL the first approval waits for a second
    approver, another person; the second approval publishes the 立项通知. Approval moves a
    listed project to 已立项."""
    _check_approver(actor, subsidy, parent_unit(subsidy.project.plan.campaign.owner))
    opinion = str(opinion or "").strip()
    locked = _lock_subsidy(subsidy)
    if not locked.can_province_review(actor):
        if locked.status == SubsidyStatus.FIRST_APPROVED and locked.first_approver_id == actor.pk:
            raise PermissionDenied("金额超过双人审核限额：第二次审核须由另一位审核人办理。")
        raise _taken("补助申请", locked.get_status_display())
    if not approve:
        if not opinion:
            raise _error("opinion", "不通过时请填写意见。")
        _subsidy_step(locked, actor, SubsidyStatus.DECLINED, opinion)
        return locked
    if locked.status == SubsidyStatus.FIRST_APPROVED:
        amount = locked.approved_amount
    else:
        default = locked.recommended_amount or locked.amount_requested
        amount = parse_money(
            default if approved_amount in (None, "") else approved_amount,
            label="批准金额",
            field="approved_amount",
        )
    threshold = Decimal(str(settings.RUHUI_SUBSIDY_DUAL_APPROVAL))
    if amount > threshold and locked.status == SubsidyStatus.SENT:
        locked.approved_amount = amount
        locked.first_approver = actor
        _subsidy_step(locked, actor, SubsidyStatus.FIRST_APPROVED, opinion, amount)
        return locked
    number = str(notice_number or "").strip()
    try:
        day = _date(notice_on, "立项通知日期", "notice_on")
    except ValidationError:
        day = None
    if not number or day is None:
        raise _error("notice_number" if not number else "notice_on", MSG_NOTICE)
    locked.approved_amount = amount
    if locked.status == SubsidyStatus.FIRST_APPROVED:
        locked.second_approver = actor
    else:
        locked.first_approver = actor
    locked.notice_number, locked.notice_on = number[:60], day
    _subsidy_step(locked, actor, SubsidyStatus.APPROVED, opinion, amount)
    project = _lock_project(locked.project)
    if project.status == ProjectStatus.LISTED:
        _project_step(project, actor, ProjectStatus.APPROVED, f"省总立项通知 {number}")
    return locked


@transaction.atomic
def disbursement_record(
    *, actor, subsidy: SubsidyApplication, amount, paid_on, voucher_number: str
) -> Disbursement:
    """下拨: a payment of an approved subsidy; under the subsidy's lock, all payments together
    never exceed the approved amount."""
    _require_perm(actor, "projects.record_disbursement")
    province = parent_unit(subsidy.project.plan.campaign.owner)
    if actor.organization_id != getattr(province, "pk", None):
        raise PermissionDenied("补助资金由省总下拨。")
    errors: dict[str, list[str]] = {}
    try:
        money = parse_money(amount, label="拨付金额", field="amount")
    except ValidationError as error:
        errors.update(error.message_dict)
        money = None
    try:
        day = _date(paid_on, "拨付日期", "paid_on")
    except ValidationError as error:
        errors.update(error.message_dict)
        day = None
    if day is None and "paid_on" not in errors:
        errors["paid_on"] = [MSG_REQUIRED.format(label="拨付日期")]
    elif day and day > timezone.localdate():
        errors["paid_on"] = [
            MSG_FUTURE.format(label="拨付日期", value=day, today=timezone.localdate())
        ]
    voucher = str(voucher_number or "").strip()
    if not voucher:
        errors["voucher_number"] = [MSG_VOUCHER]
    if errors:
        raise ValidationError(errors)
    locked = _lock_subsidy(subsidy)
    if not locked.can_disburse(actor):
        raise _taken("补助申请", locked.get_status_display())
    paid = locked.disbursements.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")
    balance = locked.approved_amount - paid
    if money > balance:
        raise _error(
            "amount",
            MSG_OVER_BALANCE.format(
                amount=money, approved=locked.approved_amount, paid=paid, balance=balance
            ),
        )
    payment = Disbursement.objects.create(
        subsidy=locked,
        amount=money,
        paid_on=day,
        voucher_number=voucher[:60],
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=payment,
        org_path=locked.project.plan.unit.path,
        changes={
            "拨付金额（元）": [None, money],
            "拨付日期": [None, day],
            "凭证号": [None, voucher],
        },
    )
    return payment


# ---------------------------------------------------------------- inspections


def _findings_changed(campaign_id: int) -> None:
    """The open findings are part of each project's close-out figures: recompute after commit."""
    closeout_request([campaign_id])


@transaction.atomic
def inspection_record(
    *, actor, campaign, data: dict, projects: list[Project], uploads=()
) -> Inspection:
    """检查 / 调研督查 / 明查 / 暗访 of a unit below the actor's, on some of its projects."""
    _require_perm(actor, "projects.record_inspection")
    unit = actor.organization
    errors: dict[str, list[str]] = {}
    kind = str(data.get("kind") or "")
    if kind not in InspectionKind.values:
        errors["kind"] = ["请选择检查方式：检查、调研督查、明查或暗访。"]
    inspected = data.get("inspected_unit")
    if inspected is None:
        errors["inspected_unit"] = [MSG_REQUIRED.format(label="被检查单位")]
    elif inspected.pk == unit.pk or not inspected.path.startswith(unit.path):
        errors["inspected_unit"] = [MSG_NOT_BELOW.format(unit=unit.name)]
    try:
        day = _date(data.get("on"), "检查日期", "on")
    except ValidationError as error:
        errors.update(error.message_dict)
        day = None
    if day is None and "on" not in errors:
        errors["on"] = [MSG_REQUIRED.format(label="检查日期")]
    elif day and day > timezone.localdate():
        errors["on"] = [MSG_FUTURE.format(label="检查日期", value=day, today=timezone.localdate())]
    rectification = str(data.get("rectification") or "").strip()
    try:
        deadline = _date(data.get("rectify_by"), "整改期限", "rectify_by")
    except ValidationError as error:
        errors.update(error.message_dict)
        deadline = None
    if rectification and deadline is None and "rectify_by" not in errors:
        errors["rectify_by"] = ["提出整改要求时请填写整改期限。"]
    if inspected is not None and "inspected_unit" not in errors:
        for project in projects:
            if project.plan.campaign_id != campaign.pk or not project.plan.unit.path.startswith(
                inspected.path
            ):
                errors.setdefault("projects", []).append(
                    MSG_INSPECTION_PROJECT.format(name=project.name, unit=inspected.name)
                )
    if errors:
        raise ValidationError(errors)
    inspection = Inspection.objects.create(
        campaign=campaign,
        kind=kind,
        inspecting_unit=unit,
        inspected_unit=inspected,
        on=day,
        findings=str(data.get("findings") or "").strip(),
        rectification=rectification,
        rectify_by=deadline,
        created_by=actor,
    )
    inspection.projects.set(projects)
    _findings_changed(campaign.pk)
    if uploads:
        plan = projects[0].plan if projects else None
        if plan is None:
            raise _error("file", "检查记录的附件须随所检查的项目保存：请至少选择一个项目。")
        _attach(actor, plan, uploads, AttachmentPurpose.INSPECTION, inspection=inspection)
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=inspection,
        org_path=inspected.path,
        changes={
            "方式": [None, inspection.get_kind_display()],
            "发现的问题": [None, inspection.findings],
            "整改要求": [None, rectification],
            "整改期限": [None, deadline],
        },
    )
    return inspection


@transaction.atomic
def inspection_follow_up(
    *, actor, inspection: Inspection, follow_up: str, closed_on=None
) -> Inspection:
    """整改落实: what was done, and the day the rectification was completed (closes it)."""
    _require_perm(actor, "projects.record_inspection")
    if actor.organization_id != inspection.inspecting_unit_id:
        raise PermissionDenied(f"整改落实情况由检查单位{inspection.inspecting_unit.name}确认。")
    locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if locked.closed_on is not None:
        raise _taken("检查记录", "整改已完成")
    text = str(follow_up or "").strip()
    if not text:
        raise _error("follow_up", MSG_REQUIRED.format(label="整改落实情况"))
    day = _date(closed_on, "整改完成日期", "closed_on")
    if day and day > timezone.localdate():
        raise _error(
            "closed_on",
            MSG_FUTURE.format(label="整改完成日期", value=day, today=timezone.localdate()),
        )
    before = (locked.follow_up, locked.closed_on)
    locked.follow_up, locked.closed_on = text, day
    locked.save(update_fields=["follow_up", "closed_on"])
    if day is not None:
        _findings_changed(locked.campaign_id)
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=locked,
        org_path=locked.inspected_unit.path,
        changes={"整改落实情况": [before[0], text], "整改完成日期": [before[1], day]},
    )
    return locked
