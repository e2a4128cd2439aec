"""API schemas (typed, in the OpenAPI document)."""

import datetime
from collections.abc import Callable, Iterable
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import BeforeValidator, ConfigDict

from ruhui.members.validation import CODED


class OrganizationOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    kind: str
    kind_label: str
    division_code: str
    division_name: str
    parent_code: str | None
    depth: int
    industry: str
    groups: list[str]
    founded_on: datetime.date | None
    chair_name: str
    is_active: bool
    admits_members: bool
    six_haves_met: int


class OrganizationPage(Schema):
    count: int
    page: int
    pages: int
    items: list[OrganizationOut]


class MeOut(Schema):
    username: str
    display_name: str
    role: str
    organization_code: str
    organization_name: str


class ErrorOut(Schema):
    """Every 4xx but 422: one Chinese sentence."""

    detail: str


# ---- Members (会员实名制). Personal data leaves the API masked only: no schema here has a
# field for the full ID number or phone.


class MemberOut(Schema):
    """One membership. Code fields come as the national code plus its Chinese label."""

    id: int
    member_number: str
    name: str
    id_type: str
    id_type_label: str
    id_number_masked: str
    id_county_unknown: bool
    sex: str
    sex_label: str
    birth_date: datetime.date
    ethnicity: str
    ethnicity_label: str
    political_status: str
    political_status_label: str
    education: str
    education_label: str
    technical_grade: str
    technical_grade_label: str
    phone_masked: str
    household_type: str
    household_type_label: str
    household_division: str
    household_division_name: str
    employment_status: str
    employment_status_label: str
    employment_form: str
    employment_form_label: str
    employer_name: str
    employer_uscc: str
    is_migrant_worker: bool
    group: str
    group_label: str
    new_employment_form: bool
    union_id: int
    union_code: str
    union_name: str
    origin_union_code: str | None
    joined_on: datetime.date
    status: str
    status_label: str
    last_dues_paid_on: datetime.date | None
    collection_method: str
    collection_method_label: str
    verification_status: str
    verification_status_label: str
    provincial_status: str
    provincial_status_label: str
    provincial_entered_on: datetime.date | None
    source: str
    created_at: datetime.datetime
    updated_at: datetime.datetime


class MemberPage(Schema):
    count: int
    page: int
    pages: int
    items: list[MemberOut]


class FieldErrorOut(Schema):
    field: str
    label: str
    message: str


class FieldErrorsOut(Schema):
    """422: one entry per problem, naming the field (as in the request) and its Chinese label."""

    detail: list[FieldErrorOut]


#: Free text in a query: anything but the NUL character, which PostgreSQL can neither store nor
#: compare (an unguarded `?q=%00` is a server error there, and fine on SQLite).
NO_NUL = r"^[^\x00]*$"


def errors(*codes: int) -> dict[int, type[Schema]]:
    """The declared error answers of an operation: 422 in the per-field shape, the rest ErrorOut."""
    return {code: FieldErrorsOut if code == 422 else ErrorOut for code in codes}


def choice(values: Iterable[str], *, normalize: Callable[[str], str | None] | None = None) -> Any:
    """A parameter taking one of `values`: the OpenAPI document lists them, anything else is a
    422. Blank means not given; `normalize` maps a tolerated spelling (a label, a dropped
    leading zero) to its listed value first."""
    listed = tuple(dict.fromkeys(values))

    def before(value):
        if isinstance(value, str):
            value = value.strip()
            if not value:
                return None
            if normalize is not None:
                value = normalize(value) or value
        return value

    return Annotated[Literal[listed] | None, BeforeValidator(before)]


def choice_body(values: Iterable[str], *, empty: str | None = None) -> dict:
    """`json_schema_extra` for a body field that takes a code or its label: the document lists
    them (and `empty`, for not given), while the domain validation, which reports every field at
    once, does the checking — an unlisted value is a 422 from there."""
    return {"enum": [*dict.fromkeys(values), empty]}


def _coded(field: str, description: str) -> Any:
    codeset = CODED[field]
    values = [*codeset.codes, *codeset.labels.values()]
    return Field(
        None, description=description + "；填代码或名称", json_schema_extra=choice_body(values)
    )


class MemberIn(Schema):
    """入会登记. Values are plain text, as on the paper form or a spreadsheet: a code field takes
    the code or its label (性别 "2" or "女"); dates are written 2019-05-01. Everything is checked
    by the same validation as the pages and the importer, and errors come back per field."""

    model_config = ConfigDict(coerce_numbers_to_str=True)

    union: str | None = Field(None, description="所在工会的组织代码（必填），如 WG-KD")
    name: str | None = Field(None, description="姓名（必填）")
    id_type: str | None = _coded("id_type", "证件类型，默认 1 身份证")
    id_number: str | None = Field(
        None, description="证件号码（必填）；身份证号会校验并推出性别、出生日期"
    )
    sex: str | None = _coded("sex", "性别；使用身份证时可不填")
    birth_date: str | None = Field(None, description="出生日期，如 1990-05-01；使用身份证时可不填")
    ethnicity: str | None = _coded("ethnicity", "民族，默认 01 汉族")
    political_status: str | None = _coded("political_status", "政治面貌")
    education: str | None = _coded("education", "学历")
    technical_grade: str | None = _coded("technical_grade", "技术等级")
    phone: str | None = Field(None, description="手机号码，11 位")
    household_type: str | None = _coded("household_type", "户籍类型")
    household_division: str | None = Field(None, description="户籍所在地，6 位行政区划代码")
    employment_status: str | None = _coded("employment_status", "就业状况，默认 1 在岗")
    employment_form: str | None = _coded("employment_form", "用工形式")
    employer_name: str | None = Field(None, description="工作单位")
    employer_uscc: str | None = Field(None, description="工作单位统一社会信用代码")
    is_migrant_worker: bool | str | None = Field(None, description="是否农民工：是/否")
    group: str | None = _coded("group", "八大群体类别，默认 99 非八大群体")
    new_employment_form: bool | str | None = Field(None, description="新就业形态：是/否")
    joined_on: str | None = Field(None, description="入会日期，默认今天")
    collection_method: str | None = _coded("collection_method", "采集方式，默认 2 他人代填")
    verification_status: str | None = _coded("verification_status", "实名核验状态，默认 0 未核验")
    provincial_status: str | None = _coded("provincial_status", "省库录入状态，默认 0 未录入")
    provincial_entered_on: str | None = Field(None, description="省库录入日期")
    last_dues_paid_on: str | None = Field(None, description="最近缴纳会费日期")
