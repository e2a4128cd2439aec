"""Schemas of the 项目清单+责任制 endpoints (ruhui.api.projects): plans, projects, subsidies.

Every coded field comes as its code plus `<field>_label`; money as text with two decimals
("50000.00", yuan), exact as stored; dates as 2019-06-30."""

import datetime

from ninja import Field, Schema

from ruhui.api.schemas import NO_NUL, choice
from ruhui.projects.choices import PlanStatus, ProjectKind, ProjectStatus, SubsidyStatus

MONEY = "金额（元），两位小数的文字，如 50000.00"


def _status(choices):
    """A status parameter: its code or its Chinese label."""
    labels = {str(label): value for value, label in choices.choices}
    return choice(choices.values, normalize=labels.get)


# --- filters --------------------------------------------------------------------------------


class _Filters(Schema):
    campaign: str = Field("", pattern=NO_NUL, description="集中行动标识，如 pds-2019")
    unit: str = Field("", pattern=NO_NUL, description="编制计划的单位的组织代码（含下级），如 WG")
    page: int = Field(1, ge=1)


class PlanFilters(_Filters):
    status: _status(PlanStatus) = Field(None, description="状态代码或名称，如 submitted 或 已报送")


class ProjectFilters(_Filters):
    kind: choice(ProjectKind.values, normalize={"建会入会": "build", "维护服务": "service"}.get) = (
        Field(None, description="build（建会入会）或 service（维护服务）")
    )
    status: _status(ProjectStatus) = Field(None, description="状态代码或名称，如 rectifying")
    overdue: bool | None = Field(None, description="true：只列逾期整改（限期整改已过期限）的项目")


class SubsidyFilters(_Filters):
    status: _status(SubsidyStatus) = Field(None, description="状态代码或名称，如 sent")


# --- plans ----------------------------------------------------------------------------------


class PlanOut(Schema):
    id: int
    campaign_slug: str
    campaign_name: str
    unit_id: int
    unit_code: str
    unit_name: str
    reviewer_code: str | None = Field(description="审核本计划的单位（市总或省总）")
    reviewer_name: str | None
    status: str
    status_label: str
    leader_name: str
    leader_title: str
    contact_name: str
    contact_phone: str
    scheme_submitted_on: datetime.date | None
    submitted_at: datetime.datetime | None
    build_projects: int = Field(description="建会入会项目数")
    service_projects: int = Field(description="维护服务项目数")
    planned_members: int = Field(description="建会入会项目拟发展会员数合计")
    planned_coverage: int = Field(description="维护服务项目拟覆盖职工人数合计")
    created_at: datetime.datetime
    updated_at: datetime.datetime


class PlanPage(Schema):
    count: int
    page: int
    pages: int
    items: list[PlanOut]


class TaskOut(Schema):
    task: str
    owner: str
    due_on: datetime.date
    done_on: datetime.date | None


class PlanEventOut(Schema):
    at: datetime.datetime
    actor_name: str
    actor_unit_name: str | None
    from_status: str
    from_status_label: str
    to_status: str
    to_status_label: str
    opinion: str
    frozen_name: str = Field(description="报省总时留存的汇总清单文件名（仅报省总一步有）")


class FileOut(Schema):
    name: str
    kind: str
    size: int
    uploaded_at: datetime.datetime


# --- projects -------------------------------------------------------------------------------


class ProjectOut(Schema):
    id: int
    plan_id: int
    campaign_slug: str
    unit_code: str
    unit_name: str
    kind: str
    kind_label: str
    subtype: str = Field(description="建会入会类型或服务类别的代码")
    subtype_label: str
    name: str
    status: str
    status_label: str
    rectify_by: datetime.date | None
    overdue_rectification: bool = Field(description="限期整改已过期限（逾期整改）")
    division_code: str
    address: str
    planned_members: int | None
    responsible_unit_code: str
    responsible_unit_name: str
    responsible_person: str
    responsible_phone: str
    due_on: datetime.date | None
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    planned_coverage: int | None
    groups: list[str] = Field(description="八大群体代码")
    subsidy_id: int | None
    subsidy_status: str | None
    subsidy_status_label: str | None


class ProjectPage(Schema):
    count: int
    page: int
    pages: int
    items: list[ProjectOut]


class ProjectEventOut(Schema):
    at: datetime.datetime
    actor_name: str
    from_status: str
    from_status_label: str
    to_status: str
    to_status_label: str
    opinion: str
    rectify_by: datetime.date | None
    figures: dict = Field(description="审核认定时留存的数字：拟发展、自报、核验等")


class AssessmentOut(Schema):
    submitted_at: datetime.datetime
    text: str
    claimed_members: int | None
    claimed_coverage: int | None


class UpdateOut(Schema):
    on: datetime.date
    text: str


class FiguresOut(Schema):
    """Close-out figures computed from the registry (建会入会 projects)."""

    union_code: str | None
    union_name: str | None
    founded_on: datetime.date | None
    new_members: int = Field(description="核验新发展会员数（入会名册，按集中行动计数口径）")
    provincial_entered: int = Field(description="其中省库已录入")
    open_findings: int = Field(description="未整改完成的检查问题")
    until: datetime.date
    computed_at: datetime.datetime


class UnitRefOut(Schema):
    code: str
    name: str


class EnterpriseRefOut(Schema):
    id: int
    name: str


class ProjectDetailOut(ProjectOut):
    existing_union: UnitRefOut | None
    founded_union: UnitRefOut | None
    enterprises: list[EnterpriseRefOut]
    claimed_members: int | None = Field(description="最近一次绩效自评自报的发展会员数")
    claimed_coverage: int | None
    figures: FiguresOut | None
    events: list[ProjectEventOut]
    assessments: list[AssessmentOut]
    updates: list[UpdateOut]


class PlanDetailOut(PlanOut):
    tasks: list[TaskOut]
    events: list[PlanEventOut]
    scheme_files: list[FileOut] = Field(description="实施方案附件（文件从页面下载）")
    projects: list[ProjectOut]


# --- subsidies ------------------------------------------------------------------------------


class SubsidyOut(Schema):
    id: int
    project_id: int
    project_name: str
    campaign_slug: str
    unit_code: str
    unit_name: str
    status: str
    status_label: str
    amount_requested: str = Field(description=MONEY)
    purpose: str
    recommended_amount: str | None = Field(description=MONEY)
    approved_amount: str | None = Field(description=MONEY)
    disbursed: str = Field(description="已拨付合计；" + MONEY)
    balance: str | None = Field(description="批准金额中尚未拨付的部分；" + MONEY)
    notice_number: str
    notice_on: datetime.date | None
    batch_id: int | None
    batch_sent_at: datetime.datetime | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class SubsidyPage(Schema):
    count: int
    page: int
    pages: int
    items: list[SubsidyOut]


class SubsidyEventOut(Schema):
    at: datetime.datetime
    actor_name: str
    from_status: str
    from_status_label: str
    to_status: str
    to_status_label: str
    opinion: str
    amount: str | None = Field(description="该步认定的金额；" + MONEY)


class DisbursementOut(Schema):
    amount: str = Field(description=MONEY)
    paid_on: datetime.date
    voucher_number: str


class SubsidyDetailOut(SubsidyOut):
    events: list[SubsidyEventOut]
    disbursements: list[DisbursementOut]
