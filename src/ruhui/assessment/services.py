"""Every change to 考核评比: one service per step, called from the pages, the demo and the tests.

Each step checks the guard (`AssessmentScheme.can_manage(actor)` …), locks the row, checks
again on the locked row (someone else may have finalized: 「已被他人处理」), then writes the
change, append-only AssessmentEvent rows and an audit row in one transaction. Bad input raises
ValidationError with a Chinese message that names the field and says how to fix it.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ruhui.assessment.choices import (
    DEFAULT_WEIGHTS,
    AssessmentResult,
    AssessmentStatus,
    CriterionCode,
    EventKind,
)
from ruhui.assessment.models import (
    AssessmentEvent,
    AssessmentScheme,
    Criterion,
    SelfAssessmentFile,
    UnitAssessment,
    UnitSelfAssessment,
)
from ruhui.assessment.scoring import unit_records, unit_scores
from ruhui.audit.services import Action, audit_record
from ruhui.campaigns.models import Campaign
from ruhui.orgs.models import Organization
from ruhui.reports.selectors import reporting_units
from ruhui.tabular.stored import attach_uploads

TEXT_MAX = 20_000
FILES_MAX = 6
ADJUST_LIMIT = Decimal(100)

MSG_TAKEN = "已被他人处理：「{campaign}」的考核评比已经定稿，请刷新页面查看。"
MSG_SELF_TAKEN = (
    "已被他人处理：{unit}的绩效自评报告刚由他人提交，请刷新页面，在最新的报告上修改后再提交。"
)
MSG_FINAL = "「{campaign}」的考核评比已经定稿：定稿后的方案、得分和结果不能再修改。"
MSG_NOT_MANAGER = "考核方案和评定由集中行动的组织单位（市总）负责：您所在的单位不能办理。"
MSG_WEIGHT_WHOLE = "「{label}」的权重应填 0 到 100 之间的整数（分），现在是「{value}」：请改正。"
MSG_WEIGHT_SUM = "各项权重之和应为 100 分，现在是 {total} 分：请调整权重使合计为 100 后再保存。"
MSG_NO_SCHEME = "「{campaign}」还没有考核方案：请先在「考核方案」中设置各项权重（合计 100 分）。"
MSG_SCHEME_INVALID = "考核方案的权重之和是 {total} 分，不是 100 分：请先修改考核方案。"
MSG_NOT_OWN_UNIT = "自评报告由{unit}本单位填写：您所在的单位不能替它报送。"
MSG_NOT_ASSESSED = "{unit}不是集中行动「{campaign}」的考核单位（考核单位与报送月报的单位相同）：自评报告由考核单位报送。"
MSG_TEXT_REQUIRED = "请填写自评报告：写明项目实施情况、取得的成效和存在的问题。"
MSG_TEXT_LONG = "自评报告最多 {limit} 个字，现在有 {count} 个字：请精简后再报送。"
MSG_FILES_MANY = "附件最多 {limit} 个：请合并或挑选后再上传。"
MSG_REASON = "调整得分时请填写调整理由：说明加分或减分的依据。"
MSG_ADJUST_NUMBER = (
    "调整分应填 -100 到 100 之间的数，最多两位小数（减分写负数），现在是「{value}」。"
)
MSG_RESULT = "请选择考核结果：优秀、合格或不合格。"
MSG_UNDECIDED = "以下单位尚未评定考核结果：{units}。请逐一评定后再定稿。"
MSG_AS_OF = (
    "数据截至日期应在行动开始（{start}）到今天（{today}）之间，写成 2019-12-04 的形式：请改正后"
    "再计算。"
)
MSG_NOT_COMPUTED = "还没有计算得分：请先点「计算得分」。"


def _error(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def _actor_name(actor) -> str:
    return (getattr(actor, "display_name", "") or getattr(actor, "username", "") or "")[:60]


def _actor(actor):
    return actor if getattr(actor, "pk", None) else None


def _check_manager(actor, scheme: AssessmentScheme) -> None:
    if not actor.has_perm("assessment.manage_assessment"):
        raise PermissionDenied
    if not scheme.can_manage(actor):
        raise PermissionDenied(MSG_NOT_MANAGER)


def _lock_scheme(scheme: AssessmentScheme) -> AssessmentScheme:
    return (
        AssessmentScheme.objects.select_for_update(of=("self",))
        .select_related("campaign__owner")
        .get(pk=scheme.pk)
    )


def assessed_units(campaign: Campaign) -> list[Organization]:
    """The units assessed: those that report monthly (a target one level under the campaign
    owner; where no target exists, the owner's children)."""
    return reporting_units(campaign)


def scheme_weights(scheme: AssessmentScheme) -> dict[str, int]:
    """{criterion code: weight} in the scheme's order."""
    return {c.code: c.weight for c in scheme.criteria.all()}


def clean_weights(data: dict) -> dict[str, int]:
    """Every criterion's weight from `data` (keys: the codes), each a whole number 0–100 and
    together 100; a refusal names the criterion, or states the sum."""
    errors: dict[str, list[str]] = {}
    weights: dict[str, int] = {}
    for code, label in CriterionCode.choices:
        raw = str(data.get(code, "") if data.get(code) is not None else "").strip()
        try:
            number = Decimal(raw or "0")
        except InvalidOperation:
            number = None
        if number is None or number != number.to_integral_value() or not 0 <= number <= 100:
            errors[code] = [MSG_WEIGHT_WHOLE.format(label=label, value=raw)]
            continue
        weights[code] = int(number)
    if errors:
        raise ValidationError(errors)
    total = sum(weights.values())
    if total != 100:
        raise ValidationError(MSG_WEIGHT_SUM.format(total=total))
    return weights


def scheme_for(campaign: Campaign) -> AssessmentScheme:
    """The campaign's scheme, or an unsaved one with the default weights (not yet kept)."""
    found = (
        AssessmentScheme.objects.filter(campaign=campaign).select_related("campaign__owner").first()
    )
    return found or AssessmentScheme(campaign=campaign)


@transaction.atomic
def scheme_save(*, actor, campaign: Campaign, weights: dict) -> AssessmentScheme:
    """The city keeps the campaign's criteria and weights, saved as a whole: each weight a
    whole number of points (0–100), together exactly 100. Refused once final."""
    Campaign.objects.select_for_update().filter(pk=campaign.pk).first()  # one writer at a time
    scheme = scheme_for(campaign)
    _check_manager(actor, scheme)
    if scheme.is_final:
        raise ValidationError(MSG_FINAL.format(campaign=campaign.name))
    cleaned = clean_weights(weights)
    before = scheme_weights(scheme) if scheme.pk else {}
    created = scheme.pk is None
    scheme.updated_by = _actor(actor)
    scheme.save()
    for position, (code, weight) in enumerate(cleaned.items()):
        Criterion.objects.update_or_create(
            scheme=scheme, code=code, defaults={"weight": weight, "position": position}
        )
    labels = dict(CriterionCode.choices)
    changes = {
        str(labels[code]): [before.get(code), weight]
        for code, weight in cleaned.items()
        if before.get(code) != weight
    }
    audit_record(
        actor=actor,
        action=Action.CREATE if created else Action.UPDATE,
        obj=scheme,
        org_path=campaign.owner.path,
        changes=changes,
    )
    return scheme


def default_weights(campaign: Campaign | None = None) -> dict[str, int]:
    """The weights a new scheme starts with. A campaign that states no growth % (the 2019
    drive's goal is a number of members) gives 较基数增长's points to 目标完成率."""
    weights = {str(code): weight for code, weight in DEFAULT_WEIGHTS.items()}
    if campaign is not None and campaign.goal_growth_pct is None:
        weights[CriterionCode.TARGET_COMPLETION] += weights[CriterionCode.GROWTH]
        weights[CriterionCode.GROWTH] = 0
    return weights


@transaction.atomic
def self_assessment_submit(
    *, actor, campaign: Campaign, unit: Organization, text: str, uploads=()
) -> UnitSelfAssessment:
    """A unit's own cadre files (or rewrites) its 绩效自评报告, with attachments; the unit's
    projects' self-assessments are listed beside it. Refused once the assessment is final."""
    if not actor.has_perm("assessment.submit_self"):
        raise PermissionDenied
    if actor.organization_id != unit.pk:
        raise PermissionDenied(MSG_NOT_OWN_UNIT.format(unit=unit.name))
    if all(u.pk != unit.pk for u in assessed_units(campaign)):
        raise _error("unit", MSG_NOT_ASSESSED.format(unit=unit.name, campaign=campaign.name))
    scheme = AssessmentScheme.objects.filter(campaign=campaign).first()
    if scheme is not None and scheme.is_final:
        raise ValidationError(MSG_FINAL.format(campaign=campaign.name))
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise _error("text", MSG_TEXT_REQUIRED)
    if len(text) > TEXT_MAX:
        raise _error("text", MSG_TEXT_LONG.format(limit=TEXT_MAX, count=len(text)))
    uploads = list(uploads or [])
    item = (
        UnitSelfAssessment.objects.select_for_update().filter(campaign=campaign, unit=unit).first()
    )
    if item is not None and item.files.count() + len(uploads) > FILES_MAX:
        raise _error("files", MSG_FILES_MANY.format(limit=FILES_MAX))
    if len(uploads) > FILES_MAX:
        raise _error("files", MSG_FILES_MANY.format(limit=FILES_MAX))
    before = item.text if item is not None else None
    if item is None:
        try:
            with transaction.atomic():  # a savepoint: the other's report stays, ours is refused
                item = UnitSelfAssessment.objects.create(
                    campaign=campaign, unit=unit, text=text, submitted_by=_actor(actor)
                )
        except IntegrityError:
            raise ValidationError(MSG_SELF_TAKEN.format(unit=unit.name)) from None
    else:
        item.text = text
        item.save(update_fields=["text", "updated_at"])
    audit_record(
        actor=actor,
        action=Action.CREATE if before is None else Action.UPDATE,
        obj=item,
        org_path=unit.path,
        changes={"自评报告": [before, text]} if before != text else {},
    )
    _attach(actor, item, uploads)  # last: nothing that could fail comes after it
    return item


def _attach(actor, item: UnitSelfAssessment, uploads) -> list[SelfAssessmentFile]:
    """Check, keep and record every upload (`tabular.stored.attach_uploads`)."""
    return attach_uploads(
        SelfAssessmentFile, uploads, actor=actor, field="files", self_assessment=item
    )


def _event(assessment: UnitAssessment, actor, kind: str, note: str = "", changes=None):
    return AssessmentEvent(
        assessment=assessment,
        kind=kind,
        actor=_actor(actor),
        actor_name=_actor_name(actor),
        note=note,
        changes=changes or {},
    )


def default_as_of(campaign: Campaign, scheme: AssessmentScheme | None = None) -> datetime.date:
    """The date a computation counts to unless the city picks another: the last one's, else
    today (at most the campaign's end)."""
    if scheme is not None and scheme.computed_on:
        return scheme.computed_on
    return min(timezone.localdate(), campaign.ends_on)


def check_as_of(campaign: Campaign, value) -> datetime.date:
    """数据截至: a date from the campaign's start to today (a string as typed, or a date; none:
    today, at most the campaign's end). Overdue rectifications and reports due are judged as
    of it, and the figures counted up to it."""
    today = timezone.localdate()
    if value in (None, ""):
        return min(today, campaign.ends_on)
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value.strip())
        except ValueError:
            value = None
    if not isinstance(value, datetime.date) or not campaign.starts_on <= value <= today:
        raise _error(
            "as_of",
            MSG_AS_OF.format(start=f"{campaign.starts_on:%Y-%m-%d}", today=f"{today:%Y-%m-%d}"),
        )
    return value


@transaction.atomic
def assessment_compute(
    *, actor, campaign: Campaign, today: datetime.date | str | None = None
) -> list[UnitAssessment]:
    """The city computes every assessed unit's score per criterion from the records (the
    scheme's weights, `assessment.scoring`) and its total (computed + adjustment); results and
    adjustments already given stay. Refused once final. `today`: the 数据截至 date
    (`check_as_of`; none: today, at most the campaign's end)."""
    scheme = AssessmentScheme.objects.filter(campaign=campaign).first()
    if scheme is None:
        raise ValidationError(MSG_NO_SCHEME.format(campaign=campaign.name))
    _check_manager(actor, scheme)
    scheme = _lock_scheme(scheme)
    if scheme.is_final:
        raise ValidationError(MSG_TAKEN.format(campaign=campaign.name))
    weights = scheme_weights(scheme)
    if sum(weights.values()) != 100:
        raise ValidationError(MSG_SCHEME_INVALID.format(total=sum(weights.values())))
    today = check_as_of(campaign, today)
    units = assessed_units(campaign)
    records = unit_records(campaign, units, today)
    existing = {a.unit_id: a for a in UnitAssessment.objects.filter(scheme=scheme)}
    rows, events = [], []
    for unit in units:
        scores, total = unit_scores(records[unit.pk], weights)
        row = existing.get(unit.pk) or UnitAssessment(scheme=scheme, unit=unit)
        before = row.computed_total if row.pk else None
        row.scores = scores
        row.figures = records[unit.pk].as_json()
        row.computed_total = total
        row.total = total + row.adjustment
        row.overdue_flag = records[unit.pk].overdue > 0
        row.save()
        rows.append(row)
        events.append(
            _event(row, actor, EventKind.COMPUTE, changes={"计算得分": [_s(before), _s(total)]})
        )
    AssessmentEvent.objects.bulk_create(events)
    scheme.computed_at = timezone.now()
    scheme.computed_on = today
    scheme.save(update_fields=["computed_at", "computed_on", "updated_at"])
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=scheme,
        org_path=campaign.owner.path,
        changes={"计算得分": [None, f"{len(rows)} 个单位，截至 {today:%Y-%m-%d}"]},
    )
    return rows


def _s(value) -> str | None:
    return None if value is None else f"{value}"


def _lock_assessment(assessment: UnitAssessment) -> UnitAssessment:
    return (
        UnitAssessment.objects.select_for_update(of=("self",))
        .select_related("unit", "scheme__campaign__owner")
        .get(pk=assessment.pk)
    )


def _check_open(actor, assessment: UnitAssessment) -> UnitAssessment:
    _check_manager(actor, assessment.scheme)
    locked = _lock_assessment(assessment)
    if locked.is_final:
        raise ValidationError(MSG_TAKEN.format(campaign=locked.scheme.campaign.name))
    return locked


def _clean_adjustment(value) -> Decimal:
    raw = str(value if value is not None else "").strip()
    try:
        number = Decimal(raw or "0")
    except InvalidOperation:
        raise _error("adjustment", MSG_ADJUST_NUMBER.format(value=raw)) from None
    if (
        not number.is_finite()
        or abs(number) > ADJUST_LIMIT
        or number != number.quantize(Decimal("0.01"))
    ):
        raise _error("adjustment", MSG_ADJUST_NUMBER.format(value=raw))
    return number.quantize(Decimal("0.01"))


@transaction.atomic
def assessment_adjust(
    *, actor, assessment: UnitAssessment, adjustment, reason: str
) -> UnitAssessment:
    """The reviewer adds or takes off points (signed) with a required reason; the total is the
    computed score plus the adjustment."""
    number = _clean_adjustment(adjustment)
    reason = (reason or "").strip()
    if not reason:
        raise _error("reason", MSG_REASON)
    locked = _check_open(actor, assessment)
    before = (locked.adjustment, locked.total)
    locked.adjustment = number
    locked.adjustment_reason = reason
    locked.total = locked.computed_total + number
    locked.save(update_fields=["adjustment", "adjustment_reason", "total", "updated_at"])
    changes = {
        "调整分": [_s(before[0]), _s(number)],
        "总分": [_s(before[1]), _s(locked.total)],
    }
    _event(locked, actor, EventKind.ADJUST, note=reason, changes=changes).save()
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=locked,
        org_path=locked.unit.path,
        changes=changes | {"调整理由": [None, reason]},
    )
    return locked


@transaction.atomic
def assessment_decide(
    *, actor, assessment: UnitAssessment, result: str, recommended: bool
) -> UnitAssessment:
    """The reviewer gives the result (优秀/合格/不合格) and 推荐评先 yes or no (a unit with an
    overdue rectification is flagged beside that choice)."""
    if result not in AssessmentResult.values:
        raise _error("result", MSG_RESULT)
    locked = _check_open(actor, assessment)
    labels = dict(AssessmentResult.choices)
    changes = {}
    if locked.result != result:
        changes["考核结果"] = [
            str(labels[locked.result]) if locked.result else None,
            str(labels[result]),
        ]
    if locked.recommended != bool(recommended):
        changes["推荐评先"] = ["是" if locked.recommended else "否", "是" if recommended else "否"]
    locked.result = result
    locked.recommended = bool(recommended)
    locked.save(update_fields=["result", "recommended", "updated_at"])
    note = "该单位有逾期整改" if locked.overdue_flag and recommended else ""
    _event(locked, actor, EventKind.DECIDE, note=note, changes=changes).save()
    audit_record(
        actor=actor, action=Action.UPDATE, obj=locked, org_path=locked.unit.path, changes=changes
    )
    return locked


@transaction.atomic
def assessment_finalize(*, actor, campaign: Campaign) -> AssessmentScheme:
    """The city finalizes the campaign's assessment: every unit's figures, scores and result
    are frozen (已定稿) and never change afterwards. Two at once: one finalizes, the other is
    told 「已被他人处理」."""
    scheme = AssessmentScheme.objects.filter(campaign=campaign).first()
    if scheme is None:
        raise ValidationError(MSG_NO_SCHEME.format(campaign=campaign.name))
    _check_manager(actor, scheme)
    scheme = _lock_scheme(scheme)
    if scheme.is_final:
        raise ValidationError(MSG_TAKEN.format(campaign=campaign.name))
    rows = list(
        UnitAssessment.objects.filter(scheme=scheme).select_related("unit").order_by("unit__path")
    )
    if not rows:
        raise ValidationError(MSG_NOT_COMPUTED)
    undecided = [r.unit.name for r in rows if not r.result]
    if undecided:
        raise ValidationError(MSG_UNDECIDED.format(units="、".join(undecided)))
    now = timezone.now()
    UnitAssessment.objects.filter(scheme=scheme).update(
        status=AssessmentStatus.FINAL, updated_at=now
    )
    AssessmentEvent.objects.bulk_create(
        _event(r, actor, EventKind.FINALIZE, changes={"状态": ["草稿", "已定稿"]}) for r in rows
    )
    scheme.status = AssessmentStatus.FINAL
    scheme.finalized_at = now
    scheme.finalized_by = _actor(actor)
    scheme.save(update_fields=["status", "finalized_at", "finalized_by", "updated_at"])
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=scheme,
        org_path=campaign.owner.path,
        changes={"状态": ["草稿", "已定稿"], "单位数": [None, len(rows)]},
    )
    return scheme
